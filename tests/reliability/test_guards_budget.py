"""Bounded work: FastICA, MLPCA and RPCA warn before a call estimated to take minutes,
show progress, and stop at ``time_limit``; FastICA run in steps is FastICA."""

import re
import warnings

import numpy as np
import pytest
from _cli_helpers import assert_state_unchanged, signal_state

from emunmix.exceptions import (
    BSSConvergenceWarning,
    MLPCAConvergenceWarning,
    RPCAConvergenceWarning,
    SlowComputationWarning,
)
from emunmix.learn.budget import (
    SLOW_SECONDS,
    IterationBudget,
    fastica_seconds,
    mlpca_seconds,
    rpca_seconds,
)
from emunmix.signal import Signal1D


def _iterations(record, category) -> int:
    msg = next(str(w.message) for w in record if issubclass(w.category, category))
    return int(re.search(r"\((\d+) iterations", msg).group(1))


@pytest.fixture(scope="module")
def many_components():
    rng = np.random.default_rng(0)
    s = Signal1D(rng.poisson(20, (16, 16, 256)).astype(float))
    s.decomposition(print_info=False, output_dimension=120)
    return s


def test_bss_of_100_components_warns_first_and_stops_at_the_time_limit(many_components):
    s = many_components.deepcopy()
    with pytest.warns(SlowComputationWarning, match="minutes") as record:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            s.blind_source_separation(100, print_info=False, random_state=0,
                                      time_limit=0.5)
    slow = next(str(w.message) for w in record if w.category is SlowComputationWarning)
    assert "100 components" in slow and "time_limit" in slow and "fewer components" in slow
    stop = next(str(w.message) for w in record if w.category is BSSConvergenceWarning)
    assert "time limit of 0.5 s" in stop
    assert _iterations(record, BSSConvergenceWarning) < 1000  # stopped early
    assert s.learning_results.bss_factors.shape == (256, 100)


def test_a_small_bss_does_not_warn(many_components):
    s = many_components.deepcopy()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SlowComputationWarning)
        s.blind_source_separation(3, print_info=False, random_state=0)


def test_bss_progress_bar(many_components, capsys):
    s = many_components.deepcopy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s.blind_source_separation(4, print_info=False, random_state=0,
                                  show_progressbar=True, tol=0.0, max_iter=50)
    assert "FastICA" in capsys.readouterr().err


@pytest.mark.parametrize("limit", [0, -1, "10", float("nan")])
def test_a_bad_time_limit_is_refused_and_the_results_kept(many_components, limit):
    s = many_components.deepcopy()
    s.blind_source_separation(3, print_info=False, random_state=0)
    before = signal_state(s)
    with pytest.raises(ValueError, match="time_limit must be a positive number"):
        s.blind_source_separation(4, print_info=False, random_state=0, time_limit=limit)
    assert_state_unchanged(s, before)


def test_mlpca_warns_and_stops_at_the_time_limit():
    rng = np.random.default_rng(1)
    s = Signal1D(rng.poisson(20, (16, 32, 256)).astype(float))
    assert mlpca_seconds(512, 256, 60, 500) > SLOW_SECONDS
    with pytest.warns(SlowComputationWarning, match="MLPCA of rank 60") as record:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            s.decomposition(algorithm="MLPCA", output_dimension=60, print_info=False,
                            time_limit=0.2)
    assert _iterations(record, MLPCAConvergenceWarning) < 500
    assert "time limit of 0.2 s" in str(
        next(w.message for w in record if w.category is MLPCAConvergenceWarning))
    assert s.learning_results.factors.shape == (256, 60)


def test_rpca_warns_over_the_threshold_and_stops_at_the_time_limit(monkeypatch):
    import emunmix.learn.budget as budget

    rng = np.random.default_rng(2)
    s = Signal1D(rng.poisson(20, (32, 32, 256)).astype("float32"))
    monkeypatch.setattr(budget, "SLOW_SECONDS", 0.01)  # any estimate is "slow" now
    with pytest.warns(SlowComputationWarning, match="RPCA of rank 20") as record:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            s.decomposition(algorithm="RPCA", output_dimension=20, print_info=False,
                            time_limit=1e-6, tol=0.0)
    assert _iterations(record, RPCAConvergenceWarning) == 1
    assert s.learning_results.factors.shape == (256, 20)


def test_stepped_fastica_is_fastica():
    from sklearn.decomposition import FastICA

    from emunmix.learn.bss.fastica_steps import fit_fastica

    rng = np.random.default_rng(0)
    X = rng.laplace(size=(500, 6)) @ np.linalg.qr(rng.normal(size=(6, 6)))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = FastICA(whiten=False, max_iter=80, tol=0.0, random_state=3).fit(X)
    w, converged, n_iter, reason, _, ica = fit_fastica(X, max_iter=80, tol=0.0,
                                                     random_state=3)
    assert ica.n_iter_ == n_iter
    np.testing.assert_allclose(w, ref.components_, atol=1e-12)
    assert (converged, n_iter, reason) == (False, 80, "max_iter=80")
    ref = FastICA(whiten=False, max_iter=1000, tol=1e-6, random_state=3).fit(X)
    w, converged, n_iter, _, _, _ = fit_fastica(X, max_iter=1000, tol=1e-6, random_state=3)
    np.testing.assert_allclose(w, ref.components_, atol=1e-12)
    assert converged and n_iter == ref.n_iter_


def test_cost_model_grows_super_linearly_in_the_components():
    assert fastica_seconds(1024, 100, 1000) >= 99 * fastica_seconds(1024, 10, 1000)
    assert fastica_seconds(1024, 100, 1000) > SLOW_SECONDS > fastica_seconds(1024, 8, 1000)
    assert mlpca_seconds(1000, 100, 40, 500) > 2 * mlpca_seconds(1000, 100, 20, 500)
    assert rpca_seconds(4096, 512, 80, 200) > rpca_seconds(4096, 512, 10, 200)


def test_budget_counts_and_times_out():
    budget = IterationBudget(10, "x", show_progressbar=False, time_limit=1e-9)
    assert budget.step() is False and budget.timed_out
    assert "time limit" in budget.reason(10)
    free = IterationBudget(10, "x", show_progressbar=False)
    assert all(free.step() for _ in range(10)) and free.reason(10) == "max_iter=10"
