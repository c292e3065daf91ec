"""The decomposition pipeline: algorithms, masks, reprojection, centring, errors."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.registry import DECOMPOSITION


def _cl1(cl1):
    return cl1.data.reshape(-1, cl1.data.shape[-1])


# --------------------------------------------------------------------- SVD and CL1
def test_svd_matches_numpy_on_cl1(cl1):
    X = _cl1(cl1)
    out = decompose(X)
    assert out.factors.shape == (1024, 1024) and out.loadings.shape == (4096, 1024)
    np.testing.assert_allclose(out.explained_variance_ratio.sum(), 1.0)
    sub = X[::4]  # an independent LAPACK SVD of a quarter of the pixels (fast enough)
    S = np.linalg.svd(sub.astype(np.float64), compute_uv=False)
    ev = S**2 / sub.shape[0]
    # the Gram solver resolves eigenvalues down to ~1e-13 of the largest
    np.testing.assert_allclose(decompose(sub).explained_variance, ev, rtol=1e-6,
                               atol=1e-12 * ev[0])
    V = out.factors[:, :10].astype(np.float64)
    np.testing.assert_allclose(V.T @ V, np.eye(10), atol=1e-5)
    # the rank-10 model is the orthogonal projection of the data on those factors
    np.testing.assert_allclose(out.model(10), X @ V @ V.T, atol=1e-4 * X.max())


def test_poisson_model_denoises_cl1(cl1):
    """get_decomposition_model(4) is >= 5x closer to the noiseless data than CL1 is."""
    X = _cl1(cl1)
    truth = cl1.truth.noiseless.reshape(X.shape)
    out = decompose(X, normalize_poissonian_noise=True, output_dimension=4)
    rms_model = np.sqrt(np.mean((out.model() - truth) ** 2))
    rms_data = np.sqrt(np.mean((X - truth) ** 2))
    assert rms_model < rms_data / 5
    assert out.poissonian_noise_normalized and out.output_dimension == 4


def test_auto_output_dimension_on_cl1(cl1):
    out = decompose(_cl1(cl1), normalize_poissonian_noise=True, output_dimension="auto")
    assert out.output_dimension == 4
    assert out.auto_dimension_method == "marchenko-pastur"
    assert out.info["auto_explained_variance_ratio"].size == 1024
    out = decompose(_cl1(cl1), output_dimension="auto")
    assert (out.output_dimension, out.auto_dimension_method) == (4, "elbow")
    assert decompose(_cl1(cl1), normalize_poissonian_noise=True).number_significant_components == 4


def test_sign_convention(low_rank):
    out = decompose(low_rank.X, output_dimension=4)
    idx = np.argmax(np.abs(out.loadings), axis=0)
    assert np.all(out.loadings[idx, np.arange(4)] > 0)


# --------------------------------------------------------------------- dtypes
def test_integer_input_untouched_and_same_as_float(low_rank):
    """hyperspy#1002: integer data are decomposed (and never modified)."""
    X = low_rank.X.astype(np.uint16)
    before = X.copy()
    a = decompose(X, normalize_poissonian_noise=True, output_dimension=3)
    b = decompose(X.astype(np.float32), normalize_poissonian_noise=True, output_dimension=3)
    np.testing.assert_array_equal(X, before)
    np.testing.assert_allclose(a.factors, b.factors)
    np.testing.assert_allclose(a.explained_variance, b.explained_variance, rtol=1e-6)
    assert a.explained_variance[0] > 0


def test_dask_input_equals_numpy_with_poisson(low_rank):
    """hyperspy#3607/#3610: lazy Poisson normalisation applied, every chunk read."""
    da = pytest.importorskip("dask.array")
    X = low_rank.X.astype(np.float64)
    lazy = da.from_array(X, chunks=(50, -1))
    a = decompose(lazy, normalize_poissonian_noise=True, output_dimension=3)
    b = decompose(X, normalize_poissonian_noise=True, output_dimension=3)
    np.testing.assert_allclose(a.loadings, b.loadings, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(a.explained_variance, b.explained_variance, rtol=1e-8)


# --------------------------------------------------------------------- masks
def _masks(m, n):
    nav = np.zeros(m, bool)
    nav[::7] = True
    sig = np.zeros(n, bool)
    sig[20:26] = True
    return nav, sig


def test_masks_give_nan_and_use_only_unmasked_data(low_rank):
    X = low_rank.X.astype(np.float64)
    nav, sig = _masks(*X.shape)
    X_bad = X.copy()
    X_bad[nav] = np.nan  # excluded values may be anything
    X_bad[:, sig] = -1e9
    out = decompose(X_bad, normalize_poissonian_noise=True, output_dimension=3,
                    navigation_mask=nav, signal_mask=sig)
    assert np.isnan(out.loadings[nav]).all() and not np.isnan(out.loadings[~nav]).any()
    assert np.isnan(out.factors[sig]).all() and not np.isnan(out.factors[~sig]).any()
    ref = decompose(X[~nav][:, ~sig], normalize_poissonian_noise=True, output_dimension=3)
    np.testing.assert_allclose(out.loadings[~nav], ref.loadings, rtol=1e-6)
    np.testing.assert_allclose(out.factors[~sig], ref.factors, rtol=1e-6)
    np.testing.assert_array_equal(out.navigation_mask, nav)


@pytest.mark.parametrize("poisson", [False, True])
def test_reproject_both_recovers_masked_parts(low_rank, poisson):
    """hyperspy#3609: each fill uses only the fitted block, whatever the order."""
    X = low_rank.X.astype(np.float64)
    nav, sig = _masks(*X.shape)
    full = decompose(X, normalize_poissonian_noise=poisson, output_dimension=3)
    out = decompose(X, normalize_poissonian_noise=poisson, output_dimension=3,
                    navigation_mask=nav, signal_mask=sig, reproject="both")
    assert not np.isnan(out.loadings).any() and not np.isnan(out.factors).any()
    truth = low_rank.mean
    err = np.sqrt(np.mean((out.model() - truth) ** 2))
    err_full = np.sqrt(np.mean((full.model() - truth) ** 2))
    assert err < 1.3 * err_full
    nav_only = decompose(X, normalize_poissonian_noise=poisson, output_dimension=3,
                         navigation_mask=nav, signal_mask=sig, reproject="navigation")
    np.testing.assert_allclose(nav_only.loadings, out.loadings)  # independent fills
    assert np.isnan(nav_only.factors[sig]).all()


def test_reproject_with_centring_and_nmf(low_rank):
    X = low_rank.X.astype(np.float64)
    nav, sig = _masks(*X.shape)
    for kw in (dict(centre="navigation"), dict(centre="signal"), dict(algorithm="NMF")):
        out = decompose(X, output_dimension=3, navigation_mask=nav, signal_mask=sig,
                        reproject="both", random_state=0, **kw)
        model = out.model()
        assert np.isfinite(model).all()
        rel = np.sqrt(np.mean((model - low_rank.mean) ** 2) / np.mean(low_rank.mean**2))
        assert rel < 0.1, kw
    assert (out.loadings >= 0).all() and (out.factors >= 0).all()


def test_reproject_refuses_nan_in_excluded_data(low_rank):
    X = low_rank.X.astype(np.float64)
    nav = np.zeros(X.shape[0], bool)
    nav[0] = True
    X[0, 0] = np.nan
    decompose(X, output_dimension=2, navigation_mask=nav)  # fine without reprojection
    with pytest.raises(ValueError, match="cannot reproject"):
        decompose(X, output_dimension=2, navigation_mask=nav, reproject="navigation")


# --------------------------------------------------------------------- centring, PCA
@pytest.mark.parametrize("centre", ["navigation", "signal"])
def test_centre_model(low_rank, centre):
    X = low_rank.X.astype(np.float64)
    out = decompose(X, centre=centre)
    assert out.centre == centre
    assert out.mean.shape == ((X.shape[1],) if centre == "navigation" else (X.shape[0],))
    np.testing.assert_allclose(out.model(), X, atol=1e-6 * X.max())


def test_pca_matches_sklearn(low_rank):
    from sklearn.decomposition import PCA

    X = low_rank.X.astype(np.float64)
    out = decompose(X, "sklearn_pca", output_dimension=4)
    ref = PCA(4, svd_solver="full").fit(X)
    assert out.algorithm == "PCA" and out.centre == "navigation"
    np.testing.assert_allclose(out.explained_variance, ref.explained_variance_, rtol=1e-8)
    np.testing.assert_allclose(np.abs(out.factors), np.abs(ref.components_.T), atol=1e-8)
    np.testing.assert_allclose(out.mean, ref.mean_)


def test_estimator_object(low_rank):
    from sklearn.decomposition import PCA

    X = low_rank.X.astype(np.float64)
    est = PCA(3)
    out = decompose(X, est)
    assert out.algorithm == "PCA" and out.factors.shape == (60, 3)
    assert out.centre == "navigation"
    np.testing.assert_allclose(out.model(), est.inverse_transform(est.transform(X)),
                               atol=1e-6 * X.max())


# --------------------------------------------------------------------- other algorithms
def test_registry_names_and_case():
    assert DECOMPOSITION.names() == ["SVD", "PCA", "NMF", "MLPCA", "RPCA", "sparse_pca",
                                    "mini_batch_sparse_pca", "ORPCA", "ORNMF"]
    assert DECOMPOSITION.canonical("nMf") == "NMF"


@pytest.mark.parametrize("algorithm", ["MLPCA", "RPCA", "NMF"])
def test_other_algorithms_run_through_pipeline(low_rank, algorithm):
    X = low_rank.X
    out = decompose(X, algorithm, output_dimension=3, random_state=0)
    assert out.factors.shape == (60, 3) and out.algorithm == algorithm
    rel = np.sqrt(np.mean((out.model() - low_rank.mean) ** 2) / np.mean(low_rank.mean**2))
    assert rel < 0.1
    if algorithm == "RPCA":
        assert out.sparse.shape == X.shape
    if algorithm == "NMF":
        assert out.explained_variance is None
        np.testing.assert_allclose(out.factors.max(axis=0), 1.0, rtol=1e-6)


def test_rpca_sparse_in_data_units_with_poisson_and_masks(low_rank):
    X = low_rank.X.astype(np.float64)
    X[5, 7] += 5000.0
    nav, sig = _masks(*X.shape)
    nav[5] = False
    sig[7] = False
    out = decompose(X, "RPCA", output_dimension=3, normalize_poissonian_noise=True,
                    navigation_mask=nav, signal_mask=sig)
    assert np.isnan(out.sparse[nav]).all() and np.isnan(out.sparse[:, sig]).all()
    assert out.sparse[5, 7] == pytest.approx(5000.0, rel=0.1)


def test_mlpca_var_array_masked_and_poisson_ignored(low_rank):
    X = low_rank.X.astype(np.float64)
    nav, sig = _masks(*X.shape)
    var = np.maximum(X, 1.0)
    with pytest.warns(UserWarning, match="ignored"):
        out = decompose(X, "MLPCA", output_dimension=3, var_array=var,
                        navigation_mask=nav, signal_mask=sig, normalize_poissonian_noise=True)
    assert not out.poissonian_noise_normalized
    assert np.isnan(out.loadings[nav]).all()


# --------------------------------------------------------------------- reproducibility
def test_random_state_reproducible(low_rank):
    X = low_rank.X
    a = decompose(X, output_dimension=3, svd_solver="randomized", random_state=3)
    b = decompose(X, output_dimension=3, svd_solver="randomized", random_state=3)
    np.testing.assert_array_equal(a.loadings, b.loadings)
    c = decompose(X, "NMF", output_dimension=3, random_state=3)
    d = decompose(X, "NMF", output_dimension=3, random_state=3)
    np.testing.assert_array_equal(c.factors, d.factors)


# --------------------------------------------------------------------- bad input
def test_bad_input_messages(low_rank):
    X = low_rank.X.astype(np.float64)
    Xn = X.copy()
    Xn[1, 2] = np.nan
    Xn[3, 4] = np.inf
    with pytest.raises(ValueError, match="2 NaN/inf values.*navigation_mask/signal_mask"):
        decompose(Xn)
    Xneg = X.copy()
    Xneg[0, 0] = -1
    with pytest.raises(ValueError, match="Poisson noise normalisation needs non-negative"):
        decompose(Xneg, normalize_poissonian_noise=True)
    with pytest.raises(ValueError, match="NMF needs non-negative"):
        decompose(Xneg, "NMF", output_dimension=2)
    decompose(Xneg, output_dimension=2)  # plain SVD is fine with negative data
    with pytest.raises(ValueError, match="between 1 and 60"):
        decompose(X, output_dimension=0)
    with pytest.raises(ValueError, match="between 1 and 60"):
        decompose(X, output_dimension=61)
    with pytest.raises(TypeError, match="integer"):
        decompose(X, output_dimension=2.5)
    with pytest.raises(ValueError, match=r"navigation_mask has shape \(5,\).*\(400,\)"):
        decompose(X, navigation_mask=np.zeros(5, bool))
    with pytest.raises(ValueError, match="excludes all"):
        decompose(X, signal_mask=np.ones(60, bool))
    with pytest.raises(ValueError, match="Known algorithms: 'SVD', 'PCA', 'NMF'"):
        decompose(X, "magic")
    with pytest.raises(ValueError, match="empty"):
        decompose(np.zeros((0, 10)))
    with pytest.raises(TypeError, match="NMF does not take complex data"):
        decompose(X.astype(complex), "NMF")  # SVD/PCA take it (test_complex_svd.py)
    with pytest.raises(ValueError, match="centre"):
        decompose(X, centre="middle")
    with pytest.raises(ValueError, match="reproject"):
        decompose(X, reproject="all")
    with pytest.raises(ValueError, match="MLPCA needs output_dimension"):
        decompose(X, "MLPCA", var_func=np.abs)
    with pytest.raises(ValueError, match="only used by the MLPCA"):
        decompose(X, var_array=np.ones_like(X))
    with pytest.raises(TypeError, match="unexpected keyword"):
        decompose(X, output_dimension=2, tolerance=3)


def test_navigation_mask_in_navigation_shape(low_rank):
    X = low_rank.X
    nav = np.zeros((20, 20), bool)
    nav[0, :5] = True
    out = decompose(X, output_dimension=2, navigation_mask=nav, navigation_shape=(20, 20))
    assert np.isnan(out.loadings[:5]).all() and not np.isnan(out.loadings[5:]).any()


def test_lazy_nmf_is_out_of_core_and_equals_numpy(low_rank):
    da = pytest.importorskip("dask.array")
    X = low_rank.X.astype(np.float64)
    lazy = da.from_array(X, chunks=(64, -1))
    a = decompose(lazy, "NMF", output_dimension=3, normalize_poissonian_noise=True)
    b = decompose(X, "NMF", output_dimension=3, normalize_poissonian_noise=True)
    np.testing.assert_allclose(a.factors, b.factors, rtol=1e-5, atol=1e-8)
