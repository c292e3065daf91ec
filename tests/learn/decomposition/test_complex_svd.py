"""Complex data: SVD/PCA keep the complex dtype and reconstruct the data (against
numpy.linalg.svd); every other algorithm refuses complex data with a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition import decompose
from emunmix.learn.registry import DECOMPOSITION


@pytest.fixture(scope="module")
def waves():
    """300 pixels x 40 channels: complex rank 3 plus complex noise of 1e-3."""
    rng = np.random.default_rng(0)
    def c(*shape):
        return rng.normal(size=shape) + 1j * rng.normal(size=shape)
    return c(300, 3) @ c(3, 40) + 1e-3 * c(300, 40)


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_svd_of_complex_data_against_numpy(waves, dtype):
    X = waves.astype(dtype)
    out = decompose(X, "SVD")
    U, S, Vh = np.linalg.svd(waves, full_matrices=False)
    assert out.factors.dtype == dtype and out.loadings.dtype == dtype
    rtol = 1e-10 if dtype == np.complex128 else 1e-5
    np.testing.assert_allclose(out.explained_variance, S**2 / 300, atol=rtol * S[0] ** 2 / 300)
    np.testing.assert_allclose(out.model(), waves, atol=1e3 * rtol * np.abs(waves).max())
    F = out.factors.astype(np.complex128)
    np.testing.assert_allclose(F.conj().T @ F, np.eye(40), atol=1e2 * rtol)
    # factors are conj(V) = Vh.T up to one phase per component; loadings U S times its
    # inverse, so that loadings @ factors.T = U S Vh
    three = decompose(waves, "SVD", 3)
    ratio = three.factors / Vh[:3].T
    np.testing.assert_allclose(np.abs(ratio), 1.0, rtol=1e-8)
    np.testing.assert_allclose(ratio, np.broadcast_to(ratio[:1], ratio.shape), rtol=1e-8)
    np.testing.assert_allclose(three.loadings * ratio[0], U[:, :3] * S[:3], rtol=1e-7,
                               atol=1e-9)
    top = three.loadings[np.abs(three.loadings).argmax(axis=0), np.arange(3)]
    np.testing.assert_allclose(top.imag, 0, atol=1e-9)  # largest loading real positive
    assert (top.real > 0).all()
    assert out.number_significant_components == 3


def test_pca_of_complex_data_removes_the_complex_mean(waves):
    X = waves + (5 - 2j)
    out = decompose(X, "PCA", 3)
    assert out.centre == "navigation" and out.mean.dtype == np.complex128
    np.testing.assert_allclose(out.mean, X.mean(axis=0), rtol=1e-12)
    S = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
    np.testing.assert_allclose(out.explained_variance, S[:3] ** 2 / 299, rtol=1e-10)
    np.testing.assert_allclose(out.model(), X, atol=1e-2)


def test_masks_and_reprojection_on_complex_data(waves):
    nav = np.zeros(300, bool)
    nav[[3, 50, 120]] = True
    sig = np.zeros(40, bool)
    sig[[0, 7]] = True
    out = decompose(waves, "SVD", 3, navigation_mask=nav, signal_mask=sig)
    assert np.isnan(out.loadings[nav]).all() and np.isnan(out.factors[sig]).all()
    alone = decompose(waves[~nav][:, ~sig], "SVD", 3)
    np.testing.assert_allclose(out.loadings[~nav] @ out.factors[~sig].T,
                               alone.loadings @ alone.factors.T, atol=1e-10)
    both = decompose(waves, "SVD", 3, navigation_mask=nav, signal_mask=sig, reproject="both")
    # the masked pixels and channels are rank-3 data too: their projections fit them
    np.testing.assert_allclose(both.model()[nav][:, ~sig], waves[nav][:, ~sig], atol=1e-2)
    np.testing.assert_allclose(both.model()[~nav][:, sig], waves[~nav][:, sig], atol=1e-2)


@pytest.mark.parametrize("name", [s.name for s in DECOMPOSITION
                                  if not s.capabilities.accepts_complex])
def test_algorithms_without_complex_support_refuse_it(waves, name):
    with pytest.raises(TypeError, match=f"{name} does not take complex data; SVD and PCA"):
        decompose(waves, name, 3)


def test_complex_options_that_need_real_data_are_refused(waves):
    with pytest.raises(ValueError, match="Poisson noise normalisation needs real"):
        decompose(waves, "SVD", 3, normalize_poissonian_noise=True)
    with pytest.raises(ValueError, match="svd_solver='randomized' does not take complex"):
        decompose(waves, "SVD", 3, svd_solver="randomized")
    bad = waves.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN/inf"):
        decompose(bad, "SVD", 3)


def test_complex_signal_decomposition_and_model(waves):
    import emunmix.api as hs

    for s in (hs.signals.ComplexSignal1D(waves.reshape(15, 20, 40)),
              hs.signals.ComplexSignal1D(waves.reshape(15, 20, 40)).as_lazy()):
        s.decomposition(output_dimension=3, print_info=False)
        lr = s.learning_results
        assert np.asarray(lr.factors).dtype == np.complex128
        model = s.get_decomposition_model()
        data = np.asarray(model.data)
        assert np.iscomplexobj(data) and data.shape == (15, 20, 40)
        np.testing.assert_allclose(data, waves.reshape(15, 20, 40), atol=1e-2)


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_complex_learning_results_survive_save_and_load(waves, tmp_path, ext):
    """.hspy/.zspy keep the complex factors, loadings and the model (HyperSpy 2.5 opens
    such a file with the same complex learning results: checked by hand with
    .venv-hyperspy, factors complex128 (40, 3), get_decomposition_model complex)."""
    import warnings

    import emunmix.api as hs

    s = hs.signals.ComplexSignal1D(waves.reshape(15, 20, 40))
    s.decomposition(output_dimension=3, print_info=False)
    path = tmp_path / f"waves.{ext}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # zarr's NestedDirectoryStore
        s.save(path)
        t = hs.load(path)
    a, b = s.learning_results, t.learning_results
    assert type(t).__name__ == "ComplexSignal1D" and t.data.dtype == np.complex128
    for name in ("factors", "loadings"):
        got = np.asarray(getattr(b, name))
        assert got.dtype == np.complex128
        np.testing.assert_array_equal(got, np.asarray(getattr(a, name)))
    np.testing.assert_allclose(b.explained_variance, a.explained_variance)
    np.testing.assert_allclose(t.get_decomposition_model().data, waves.reshape(15, 20, 40),
                               atol=1e-2)
