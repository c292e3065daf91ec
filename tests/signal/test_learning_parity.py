"""HyperSpy 2.5 calls beyond the tutorial, each against HyperSpy's documented result or
an independent computation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import NMF, PCA, FastICA
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import emunmix.api as hs


@pytest.fixture
def s():
    return hs.datasets.CL1(random_state=0).isig[:96].inav[:12, :10]


def test_svd_solver_none_is_auto(s):
    a, b = s.deepcopy(), s.deepcopy()
    a.decomposition(svd_solver=None, print_info=False)
    b.decomposition(print_info=False)
    np.testing.assert_array_equal(a.learning_results.factors, b.learning_results.factors)


def test_nmf_without_output_dimension_takes_all_channels(s):
    small = s.isig[:8]
    small.decomposition(algorithm="NMF", print_info=False, max_iter=20, random_state=0)
    assert small.learning_results.factors.shape == (8, 8)


@pytest.mark.parametrize("make", [
    lambda: make_pipeline(StandardScaler(with_std=False), PCA(3)),
    lambda: GridSearchCV(PCA(), {"n_components": [3]}, cv=2),
])
def test_pipelines_and_searches_as_algorithms(s, make):
    est = make()
    out = s.decomposition(algorithm=est, print_info=False, return_info=True)
    assert out is est  # HyperSpy: return_info hands out the fitted estimator
    final = est[-1] if hasattr(est, "steps") else est.best_estimator_
    np.testing.assert_allclose(s.learning_results.factors, final.components_.T)


def test_estimator_loadings_come_from_fit_transform(s):
    est = NMF(3, init="nndsvda", max_iter=50, random_state=0)
    s.decomposition(algorithm=est, print_info=False)
    X = s.data.reshape(-1, s.data.shape[-1])
    ref = NMF(3, init="nndsvda", max_iter=50, random_state=0).fit_transform(X)
    np.testing.assert_allclose(s.learning_results.loadings, ref, rtol=1e-6, atol=1e-9)


def test_rpca_return_info_gives_low_rank_and_sparse(s):
    s.data[3, 4, 50] += 500  # a spike (above the noise, below the components): sparse
    X, E = s.decomposition(algorithm="RPCA", output_dimension=3, random_state=0,
                           print_info=False, return_info=True)
    data = s.data.reshape(X.shape)
    assert X.shape == E.shape == data.shape
    sv = np.linalg.svd(X, compute_uv=False)
    assert sv[3] < 1e-4 * sv[0]  # X is the rank-3 part
    assert np.mean(E == 0) > 0.5  # E is sparse, and holds the spike
    assert E[3 * s.data.shape[1] + 4, 50] > 100


def test_bss_whiten_none_and_estimator_return_info(s):
    s.decomposition(print_info=False)
    ica = FastICA(whiten=False, random_state=0, max_iter=500)
    out = s.blind_source_separation(3, algorithm=ica, whiten_method=None, print_info=False,
                                    return_info=True)
    assert out is ica and ica.components_.shape == (3, 3)
    lr = s.learning_results
    # the unmixing keeps the model of the three components
    model = lr.loadings[:, :3] @ lr.factors[:, :3].T
    np.testing.assert_allclose(np.asarray(lr.bss_loadings) @ lr.bss_factors.T, model,
                               atol=1e-6 * np.abs(model).max())


def test_normalize_bss_components(s):
    s.decomposition(print_info=False)
    s.blind_source_separation(3, random_state=0, print_info=False)
    lr = s.learning_results
    model = np.asarray(lr.bss_loadings) @ lr.bss_factors.T
    s.normalize_bss_components(target="factors", function=np.sum)
    np.testing.assert_allclose(lr.bss_factors.sum(axis=0), 1.0, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(lr.bss_loadings) @ lr.bss_factors.T, model,
                               rtol=1e-8, atol=1e-8 * np.abs(model).max())
    with pytest.raises(ValueError, match="target must be"):
        s.normalize_bss_components(target="maps")


@pytest.mark.parametrize("lazy", [False, True])
def test_normalize_poissonian_noise_is_keenan_kotula(s, lazy):
    nav = np.zeros(s.data.shape[:2], bool)
    nav[0, :3] = True
    sig = np.zeros(s.data.shape[-1], bool)
    sig[:5] = True
    X = s.data.reshape(-1, s.data.shape[-1]).astype(np.float64)
    keep = ~nav.ravel()[:, None] & ~sig[None, :]
    aG = np.where(keep, X, 0).sum(axis=1)
    bH = np.where(keep, X, 0).sum(axis=0)
    want = np.where(keep, X / np.sqrt(np.where(aG == 0, 1, aG))[:, None]
                    / np.sqrt(np.where(bH == 0, 1, bH))[None, :], X)
    t = s.as_lazy() if lazy else s.deepcopy()
    t.normalize_poissonian_noise(navigation_mask=nav, signal_mask=sig)
    data = t.data.compute() if lazy else t.data
    np.testing.assert_allclose(data.reshape(want.shape), want, rtol=1e-5)


def test_as_lazy_and_compute_keep_learning_results(s):
    s.decomposition(print_info=False, output_dimension=3)
    lazy = s.as_lazy()
    assert lazy._lazy and lazy.learning_results is not s.learning_results
    np.testing.assert_array_equal(lazy.learning_results.factors, s.learning_results.factors)
    again = lazy.as_lazy()  # a lazy copy of a lazy signal
    assert again._lazy and again.learning_results.n_components == 3
    lazy.compute()
    assert not lazy._lazy and lazy.learning_results.n_components == 3


@pytest.mark.parametrize("lazy_signal", [False, True])
def test_models_with_lazy_output_and_chunks(s, lazy_signal):
    t = s.as_lazy() if lazy_signal else s.deepcopy()
    t.decomposition(print_info=False, output_dimension=3)
    want = s.deepcopy()
    want.decomposition(print_info=False, output_dimension=3)
    ref = want.get_decomposition_model(2).data
    lazy = t.get_decomposition_model(2, lazy_output=True, chunks=(5, 4, -1))
    assert lazy._lazy and lazy.data.chunks[:2] == ((5, 5), (4, 4, 4))
    np.testing.assert_allclose(lazy.data.compute(), ref, rtol=1e-5, atol=1e-3)
    eager = t.get_decomposition_model(2, lazy_output=False)
    assert not eager._lazy
    np.testing.assert_allclose(eager.data, ref, rtol=1e-5, atol=1e-3)
    t.blind_source_separation(2, random_state=0, print_info=False)
    assert t.get_bss_model(lazy_output=True)._lazy


@pytest.mark.parametrize("centre, shape", [("navigation", (1, 96)), ("signal", (120, 1))])
def test_mean_is_stored_in_hyperspy_shapes_and_round_trips(s, tmp_path, centre, shape):
    s.decomposition(centre=centre, output_dimension=3, print_info=False)
    lr = s.learning_results
    assert lr.mean.shape == shape
    X = s.data.reshape(-1, 96).astype(np.float64)
    want = X.mean(axis=0, keepdims=True) if centre == "navigation" else \
        X.mean(axis=1, keepdims=True)
    np.testing.assert_allclose(lr.mean, want, rtol=1e-6)
    np.testing.assert_allclose(lr.loadings @ lr.factors.T + lr.mean,
                               s.get_decomposition_model().data.reshape(X.shape), rtol=1e-5)
    s.save(tmp_path / "c.hspy")
    assert hs.load(tmp_path / "c.hspy").learning_results.mean.shape == shape


def test_learning_results_always_exist_and_load_in_place(s, tmp_path):
    fresh = s.deepcopy()
    assert fresh.learning_results.n_components is None  # empty, not None (HyperSpy)
    s.decomposition(print_info=False, output_dimension=3)
    s.learning_results.save(tmp_path / "lr.npz")
    same = fresh.learning_results
    assert fresh.learning_results.load(tmp_path / "lr.npz") is same  # in place
    np.testing.assert_array_equal(fresh.learning_results.factors, s.learning_results.factors)
    assert fresh.get_decomposition_model(2).data.shape == s.data.shape
    from emunmix.learn.results import LearningResults

    other = LearningResults.load(tmp_path / "lr.npz")  # on the class: new results
    assert other is not same and other.n_components == 3
