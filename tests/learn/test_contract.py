"""The contract every registered algorithm honours, checked the same way for all.

As scikit-learn's common tests: the loops run over ``DECOMPOSITION`` and ``BSS``, so a
newly registered algorithm is covered without editing this file. What is checked:
masks honoured (masked entries NaN, the fit that of the unmasked block), dtype kept,
``random_state`` reproducible (and irrelevant where declared so), input never mutated,
lazy (dask) and array-API (cupy's path, run with ``array_api_strict``) input either
working (same model as in memory) or refused with a clear error, the
declared capabilities true of the output, and bad input refused with the shared
messages.
"""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.bss import separate
from emunmix.learn.decomposition import decompose
from emunmix.learn.registry import BSS, DECOMPOSITION

K = 3
DECOMPOSITIONS = DECOMPOSITION.names()
UNMIXINGS = BSS.names()


@pytest.fixture(scope="module")
def counts():
    """Poisson counts of a rank-3 non-negative model, 90 pixels x 48 channels."""
    rng = np.random.default_rng(7)
    maps = rng.gamma(2.0, 1.0, (90, K))
    spectra = np.abs(rng.normal(0, 1, (K, 48))).cumsum(axis=1) / 4 + 0.5
    return rng.poisson(maps @ spectra * 20).astype(np.float64)


def _options(spec):
    """The least a registered algorithm needs besides the data (declared capabilities)."""
    extra = {}
    if spec.capabilities.accepts_variances:
        extra["var_func"] = lambda x: np.maximum(x, 1.0)
    if spec.options is not None and "max_iter" in spec.options:
        extra["max_iter"] = 50  # the contract holds at any iteration count; keeps it fast
    return extra


def _run(X, name, **kw):
    spec = DECOMPOSITION.spec(name)
    return decompose(X, name, **{"output_dimension": K, "random_state": 0, **_options(spec),
                                 **kw})


def _scale(X):
    return float(np.abs(X).max())


@pytest.mark.parametrize("name", DECOMPOSITIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_kept_and_input_not_mutated(counts, name, dtype):
    X = counts.astype(dtype)
    before = X.copy()
    nav = np.zeros(X.shape[0], bool)
    nav[::9] = True
    nav_before = nav.copy()
    out = _run(X, name, navigation_mask=nav)
    assert out.factors.dtype == dtype and out.loadings.dtype == dtype
    assert out.factors.shape == (X.shape[1], K) and out.loadings.shape == (X.shape[0], K)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_array_equal(nav, nav_before)


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_masks_honoured(counts, name):
    nav = np.zeros(counts.shape[0], bool)
    nav[[0, 5, 17, 40]] = True
    sig = np.zeros(counts.shape[1], bool)
    sig[[3, 30]] = True
    out = _run(counts, name, navigation_mask=nav, signal_mask=sig)
    assert np.isnan(out.loadings[nav]).all() and np.isfinite(out.loadings[~nav]).all()
    assert np.isnan(out.factors[sig]).all() and np.isfinite(out.factors[~sig]).all()
    # the fit is that of the unmasked block alone
    block = counts[~nav][:, ~sig]
    alone = _run(block, name)
    got = out.loadings[~nav] @ out.factors[~sig].T
    want = alone.loadings @ alone.factors.T
    np.testing.assert_allclose(got, want, atol=1e-6 * _scale(counts))


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_random_state_reproducible(counts, name):
    a, b = _run(counts, name, random_state=3), _run(counts, name, random_state=3)
    np.testing.assert_array_equal(a.factors, b.factors)
    np.testing.assert_array_equal(a.loadings, b.loadings)
    if not DECOMPOSITION.spec(name).capabilities.uses_random_state:
        c = _run(counts, name, random_state=11)
        np.testing.assert_array_equal(a.factors, c.factors)


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_declared_capabilities_hold(counts, name):
    caps = DECOMPOSITION.spec(name).capabilities
    out = _run(counts, name)
    assert out.algorithm == name
    assert out.centre == caps.centre_by_default
    if caps.non_negative_output:
        assert (out.factors >= 0).all() and (out.loadings >= 0).all()
    model = out.model()
    err = np.linalg.norm(model - counts) / np.linalg.norm(counts)
    assert err < 0.2, f"{name} reconstructs a rank-{K} Poisson matrix with error {err:.3f}"
    if caps.can_defer:
        lazy = decompose(counts, name, eager_components=2, random_state=0, **_options(
            DECOMPOSITION.spec(name)))
        assert lazy.pending is not None and lazy.factors.shape[1] == 2
    if caps.needs_output_dimension:
        with pytest.raises(ValueError, match="needs output_dimension"):
            decompose(counts, name, **_options(DECOMPOSITION.spec(name)))


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_lazy_input_works_or_is_refused(counts, name):
    da = pytest.importorskip("dask.array")
    lazy = da.from_array(counts, chunks=(30, -1))
    caps = DECOMPOSITION.spec(name).capabilities
    if caps.lazy == "refused":
        with pytest.raises((ValueError, TypeError), match="lazy|dask"):
            _run(lazy, name)
        return
    out, ref = _run(lazy, name), _run(counts, name)
    np.testing.assert_allclose(out.model(), ref.model(), atol=1e-3 * _scale(counts))


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_array_api_input_works_or_is_refused(counts, name):
    """The GPU path (cupy arrays) is the array-API backend: array_api_strict runs it on
    the CPU and refuses anything outside the standard."""
    xp = pytest.importorskip("array_api_strict")
    caps = DECOMPOSITION.spec(name).capabilities
    if "array-api" not in caps.backends:
        with pytest.raises(TypeError, match="does not run on array-api arrays"):
            _run(xp.asarray(counts), name)
        return
    nav = np.zeros(counts.shape[0], bool)
    nav[::11] = True
    out = _run(xp.asarray(counts), name, navigation_mask=nav, reproject="navigation")
    ref = _run(counts, name, navigation_mask=nav, reproject="navigation")
    np.testing.assert_allclose(out.model(), ref.model(), atol=1e-9 * _scale(counts))


@pytest.mark.parametrize("name", DECOMPOSITIONS)
def test_bad_input_refused_with_the_shared_messages(counts, name):
    spec = DECOMPOSITION.spec(name)
    bad = counts.copy()
    bad[2, 3] = np.nan
    with pytest.raises(ValueError, match="NaN/inf"):
        _run(bad, name)
    with pytest.raises(ValueError, match="output_dimension must be between 1 and"):
        decompose(counts, name, output_dimension=0, **_options(spec))
    with pytest.raises(ValueError, match="navigation_mask has shape"):
        _run(counts, name, navigation_mask=np.zeros(5, bool))
    with pytest.raises(TypeError, match="navigation_mask must be a boolean array"):
        _run(counts, name, navigation_mask=np.full(counts.shape[0], 0.5))
    if spec.options is not None:
        with pytest.raises(TypeError, match="unexpected keyword arguments: no_such_option"):
            _run(counts, name, no_such_option=1)
    if spec.capabilities.needs_non_negative:
        with pytest.raises(ValueError, match="needs non-negative data"):
            _run(counts - counts.max(), name)
    if not spec.capabilities.accepts_variances:
        with pytest.raises(ValueError, match="var_array/var_func are only used by"):
            _run(counts, name, var_func=np.abs)


@pytest.fixture(scope="module")
def components(counts):
    out = decompose(counts, "SVD", normalize_poissonian_noise=True, output_dimension=K)
    return out.factors, out.loadings


@pytest.mark.parametrize("name", UNMIXINGS)
def test_bss_contract(components, name):
    F, L = components
    F0, L0 = F.copy(), L.copy()
    spec = BSS.spec(name)
    a = separate(F, L, algorithm=name, random_state=1)
    b = separate(F, L, algorithm=name, random_state=1)
    np.testing.assert_array_equal(a.unmixing_matrix, b.unmixing_matrix)
    np.testing.assert_array_equal(F, F0)
    np.testing.assert_array_equal(L, L0)
    assert a.algorithm == name and a.bss_factors.dtype == np.float64
    # the unmixing keeps the model: bss_loadings @ bss_factors.T == loadings @ factors.T
    np.testing.assert_allclose(a.bss_loadings @ a.bss_factors.T, L @ F.T,
                               atol=1e-8 * np.abs(L @ F.T).max())
    if not spec.capabilities.uses_random_state:
        c = separate(F, L, algorithm=name, random_state=99)
        np.testing.assert_array_equal(a.unmixing_matrix, c.unmixing_matrix)
    if spec.options is not None:
        with pytest.raises(TypeError, match="unexpected keyword arguments: no_such_option"):
            separate(F, L, algorithm=name, no_such_option=1)
    with pytest.raises(ValueError, match="mask has shape"):
        separate(F, L, algorithm=name, mask=np.zeros(3, bool))


@pytest.mark.parametrize("name", UNMIXINGS)
def test_bss_lazy_loadings(components, name):
    da = pytest.importorskip("dask.array")
    F, L = components
    ref = separate(F, L, algorithm=name, random_state=1)
    out = separate(F, da.from_array(L, chunks=(30, -1)), algorithm=name, random_state=1)
    assert hasattr(out.bss_loadings, "compute"), "lazy loadings stay lazy"
    np.testing.assert_allclose(np.asarray(out.bss_loadings), ref.bss_loadings, atol=1e-10)


def test_a_newly_registered_algorithm_is_covered():
    """Registration alone puts an algorithm in the loops above (no edits here)."""
    assert set(DECOMPOSITIONS) >= {"SVD", "PCA", "NMF", "MLPCA", "RPCA"}
    assert set(UNMIXINGS) >= {"sklearn_fastica", "orthomax"}
    for spec in DECOMPOSITION:
        assert spec.summary, f"{spec.name} needs a docstring (its first line is listed)"


def test_the_signal_methods_document_every_registered_algorithm():
    from emunmix.signal import BaseSignal

    for registry, method in ((DECOMPOSITION, BaseSignal.decomposition),
                             (BSS, BaseSignal.blind_source_separation)):
        for name in registry.names():
            assert f'"{name}"' in method.__doc__, f"{method.__name__} does not list {name!r}"
