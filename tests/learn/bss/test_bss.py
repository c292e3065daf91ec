import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from scipy.stats import ortho_group
from sklearn.decomposition import FastICA

from emunmix.learn.bss.separate import BSSOutput, separate

K = 4
NAV = (32, 40)


def _match(estimated, truth):
    """|corr| of the best one-to-one matching of columns (estimated, truth: n x k)."""
    k = truth.shape[1]
    C = np.abs(np.corrcoef(estimated.T, truth.T)[:k, k:])
    rows, cols = linear_sum_assignment(-C)
    return C[rows, cols]


def _peaks(x, centres, width):
    return sum(np.exp(-0.5 * ((x - c) / width) ** 2) for c in centres)


@pytest.fixture(scope="module")
def mixture():
    """Peaky non-negative spectra and blocky maps, mixed by an orthogonal matrix.

    Returned as a fake decomposition: ``factors @ loadings.T == spectra.T @ maps.T``.
    """
    x = np.arange(400.0)
    spectra = np.stack(
        [
            _peaks(x, [40, 210], 6),
            _peaks(x, [95, 300], 9) + 0.5 * _peaks(x, [150], 4),
            _peaks(x, [180, 350], 5),
            _peaks(x, [125, 255], 8),
        ]
    )  # (K, channels)
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[: NAV[0], : NAV[1]]
    maps = np.stack(
        [
            ((xx - 10) ** 2 + (yy - 12) ** 2 < 60).astype(float),
            (xx > 25).astype(float) * 0.8,
            ((yy > 20) & (xx < 30)).astype(float) * 1.5,
            (np.abs(xx - yy) < 6).astype(float),
        ]
    ) + 0.2 * rng.random((K, *NAV)).round(1)
    maps = maps.reshape(K, -1).T  # (pixels, K)
    M = ortho_group.rvs(K, random_state=2) @ np.diag([3.0, 2.0, 1.5, 1.0])
    factors = spectra.T @ M
    loadings = maps @ np.linalg.inv(M).T
    return spectra.T, maps, factors, loadings


@pytest.mark.parametrize("algorithm", ["sklearn_fastica", "orthomax"])
@pytest.mark.parametrize("whiten_method", ["PCA", "ZCA"])
def test_recovers_sources_from_factor_derivatives(mixture, algorithm, whiten_method):
    spectra, maps, factors, loadings = mixture
    out = separate(
        factors, loadings, K, algorithm=algorithm, whiten_method=whiten_method, random_state=0
    )
    assert isinstance(out, BSSOutput)
    assert out.bss_factors.shape == factors.shape and out.bss_loadings.shape == loadings.shape
    assert out.unmixing_matrix.shape == (K, K)
    assert np.all(_match(out.bss_factors, spectra) > 0.99)
    assert np.all(_match(out.bss_loadings, maps) > 0.99)
    assert out.algorithm == algorithm and out.converged


def test_recovers_sources_from_loadings(mixture):
    spectra, maps, factors, loadings = mixture
    out = separate(
        factors, loadings, K, on_loadings=True, nav_shape=NAV, random_state=0,
        reverse_component_criterion="loadings",
    )
    assert np.all(_match(out.bss_loadings, maps) > 0.99)
    assert np.all(_match(out.bss_factors, spectra) > 0.99)
    # One axis only, and a pixel mask, still work.
    mask = np.zeros(NAV, bool)
    mask[:3] = True
    out1 = separate(factors, loadings, K, on_loadings=True, nav_shape=NAV, diff_axes=[1],
                    mask=mask, random_state=0)
    assert np.all(_match(out1.bss_loadings, maps) > 0.99)


@pytest.mark.parametrize("on_loadings", [False, True])
def test_reconstruction_identity(mixture, on_loadings):
    _, _, factors, loadings = mixture
    extra_f = np.random.default_rng(1).normal(size=(factors.shape[0], 2))
    extra_l = np.random.default_rng(2).normal(size=(loadings.shape[0], 2))
    F = np.column_stack([factors, extra_f])
    L = np.column_stack([loadings, extra_l])
    for kw in ({"number_of_components": K}, {"comp_list": [0, 2, 3, 5]}):
        out = separate(F, L, on_loadings=on_loadings, nav_shape=NAV, random_state=0, **kw)
        idx = out.components
        np.testing.assert_allclose(
            out.bss_factors @ out.bss_loadings.T, F[:, idx] @ L[:, idx].T, atol=1e-9
        )
        w = out.unmixing_matrix
        if on_loadings:
            np.testing.assert_allclose(out.bss_loadings, L[:, idx] @ w.T, atol=1e-9)
        else:
            np.testing.assert_allclose(out.bss_factors, F[:, idx] @ w.T, atol=1e-9)
    assert out.components.tolist() == [0, 2, 3, 5]


@pytest.mark.parametrize("criterion", ["factors", "loadings"])
def test_sign_convention(mixture, criterion):
    _, _, factors, loadings = mixture
    for seed in range(3):
        out = separate(factors, -loadings, K, reverse_component_criterion=criterion,
                       random_state=seed)
        values = out.bss_factors if criterion == "factors" else out.bss_loadings
        mins, maxs = values.min(axis=0), values.max(axis=0)
        assert not np.any((mins < 0) & (-mins > maxs))
    with pytest.raises(ValueError, match="reverse_component_criterion"):
        separate(factors, loadings, K, reverse_component_criterion="maps")


def test_sorted_by_explained_variance_as_hyperspy(mixture):
    _, _, factors, loadings = mixture
    ev = np.array([4.0, 3.0, 2.0, 1.0])
    out = separate(factors, loadings, K, random_state=0, explained_variance=ev)
    score = ev @ np.abs(out.unmixing_matrix.T)
    assert np.all(np.diff(score) <= 1e-12)


def test_reproducible_with_random_state(mixture):
    _, _, factors, loadings = mixture
    a = separate(factors, loadings, K, random_state=42)
    b = separate(factors, loadings, K, random_state=42)
    for name in ("unmixing_matrix", "bss_factors", "bss_loadings"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.parameters["random_state"] == 42


def test_parameters_are_recorded(mixture):
    _, _, factors, loadings = mixture
    out = separate(factors, loadings, 3, algorithm="FastICA", diff_order=2, random_state=0,
                   max_iter=500)
    p = out.parameters
    assert out.algorithm == "sklearn_fastica"
    assert p["number_of_components"] == 3 and p["diff_order"] == 2 and p["max_iter"] == 500
    assert p["whiten_method"] == "PCA" and p["on_loadings"] is False and out.n_iter > 0


def test_channel_mask_and_nan_rows(mixture):
    spectra, _, factors, loadings = mixture
    mask = np.zeros(factors.shape[0], bool)
    mask[:20] = True
    out = separate(factors, loadings, K, mask=mask, random_state=0)
    assert np.all(_match(out.bss_factors, spectra) > 0.99)
    assert out.parameters["mask"].sum() == 20
    F = factors.copy()
    F[390:] = np.nan  # e.g. masked channels from a decomposition
    out = separate(F, loadings, K, random_state=0)
    assert np.all(_match(out.bss_factors[:380], spectra[:380]) > 0.99)


def test_smoothing_keeps_outputs_unsmoothed(mixture):
    spectra, _, factors, loadings = mixture
    out = separate(factors, loadings, K, smooth=2.0, diff_order=2, random_state=0)
    assert np.all(_match(out.bss_factors, spectra) > 0.99)
    np.testing.assert_allclose(out.bss_factors @ out.bss_loadings.T, factors @ loadings.T,
                               atol=1e-9)


def test_estimator_object_as_algorithm(mixture):
    spectra, _, factors, loadings = mixture
    out = separate(factors, loadings, K, algorithm=FastICA(whiten=False, max_iter=1000),
                   random_state=0)
    assert out.algorithm == "FastICA"
    assert np.all(_match(out.bss_factors, spectra) > 0.99)
    with pytest.raises(TypeError, match="estimator"):
        separate(factors, loadings, K, algorithm=FastICA(whiten=False), max_iter=5)


def test_dask_loadings_stay_lazy(mixture):
    da = pytest.importorskip("dask.array")
    _, _, factors, loadings = mixture
    out = separate(factors, da.from_array(loadings, chunks=(300, K)), K, random_state=0)
    ref = separate(factors, loadings, K, random_state=0)
    assert hasattr(out.bss_loadings, "compute")
    np.testing.assert_allclose(out.bss_loadings.compute(), ref.bss_loadings)


def test_too_many_components_names_both_numbers(mixture):
    _, _, factors, loadings = mixture
    with pytest.raises(ValueError, match=r"number_of_components=5.*\b4 components"):
        separate(factors, loadings, 5)


def test_fewer_than_two_components(mixture):
    _, _, factors, loadings = mixture
    with pytest.raises(ValueError, match="at least 2"):
        separate(factors, loadings, 1)
    with pytest.raises(ValueError, match="at least 2"):
        separate(factors, loadings, comp_list=[2])


def test_bad_comp_list(mixture):
    _, _, factors, loadings = mixture
    with pytest.raises(ValueError, match="indices 0 to 3"):
        separate(factors, loadings, comp_list=[0, 7])
    with pytest.raises(ValueError, match="disagrees"):
        separate(factors, loadings, 3, comp_list=[0, 1])


def test_diff_order_too_high():
    rng = np.random.default_rng(0)
    F, L = rng.normal(size=(3, 2)), rng.normal(size=(50, 2))
    with pytest.raises(ValueError, match="diff_order=3 is too high.*length 3"):
        separate(F, L, 2, diff_order=3)
    with pytest.raises(ValueError, match="non-negative"):
        separate(F, L, 2, diff_order=-1)
    with pytest.raises(ValueError, match="navigation axis 0"):
        separate(L, rng.normal(size=(6, 2)), 2, on_loadings=True, nav_shape=(2, 3),
                 diff_order=2)


def test_mask_of_wrong_shape(mixture):
    _, _, factors, loadings = mixture
    with pytest.raises(ValueError, match=r"shape \(10,\).*\(400,\)"):
        separate(factors, loadings, K, mask=np.zeros(10, bool))
    with pytest.raises(ValueError, match=r"\(32, 40\)"):
        separate(factors, loadings, K, on_loadings=True, nav_shape=NAV,
                 mask=np.zeros((40, 32), bool))
    # the shared mask rule: 0/1 numbers are a mask, other values are refused
    with pytest.raises(ValueError, match="mask must be a boolean array"):
        separate(factors, loadings, K, mask=np.full(400, 0.5))
    np.testing.assert_array_equal(
        separate(factors, loadings, K, mask=np.zeros(400), random_state=0).unmixing_matrix,
        separate(factors, loadings, K, random_state=0).unmixing_matrix)


def test_other_input_errors(mixture):
    _, _, factors, loadings = mixture
    with pytest.raises(ValueError, match="Known algorithms"):
        separate(factors, loadings, K, algorithm="jade")
    with pytest.raises(ValueError, match="whitening method"):
        separate(factors, loadings, K, whiten_method="cholesky")
    with pytest.raises(ValueError, match="components but loadings"):
        separate(factors, loadings[:, :3])
    with pytest.raises(ValueError, match="nav_shape"):
        separate(factors, loadings, K, on_loadings=True, nav_shape=(3, 3))
    with pytest.raises(ValueError, match="are usable to unmix"):
        separate(factors, loadings, K, mask=np.arange(400) > 2)


@pytest.fixture(scope="module")
def edges_on_background():
    """Core-loss-like mixture: a large smooth background and three edges, which
    derivative-based ICA alone leaves contaminated with background."""
    from scipy.special import erf

    E = np.arange(400.0, 720.0)
    bg = 6000 * (E / 400) ** -2.5

    def edge(onset, jump, peak):
        step = 0.5 * (1 + erf((E - onset) / 1.0)) * (np.maximum(E, onset) / onset) ** -2
        return jump * step + peak * np.exp(-0.5 * ((E - onset - 2) / 1.5) ** 2)

    spectra = np.stack([bg, edge(456, 400, 2000), edge(575, 300, 1500), edge(640, 250, 1200)])
    yy, xx = np.mgrid[:48, :48]
    maps = np.stack(
        [
            0.5 + 0.5 * xx / 47,
            np.exp(-((xx - 12) ** 2 + (yy - 14) ** 2) / 60),
            np.exp(-((xx - 30) ** 2 + (yy - 30) ** 2) / 90),
            ((xx - 36) ** 2 + (yy - 10) ** 2 < 50) * 1.0,
        ]
    ).reshape(4, -1).T
    X = maps @ spectra
    U, S, Vt = np.linalg.svd(X, full_matrices=False)  # a plain SVD "decomposition"
    return spectra.T, maps, Vt[:4].T, U[:, :4] * S[:4]


def test_ground_removes_background_leakage(edges_on_background):
    spectra, maps, factors, loadings = edges_on_background
    plain = separate(factors, loadings, 4, random_state=0)
    grounded = separate(factors, loadings, 4, random_state=0, ground=True)
    assert _match(plain.bss_factors, spectra).min() < 0.99  # what ground is for
    assert np.all(_match(grounded.bss_factors, spectra) > 0.9999)
    assert np.all(_match(grounded.bss_loadings, maps) > 0.9999)
    np.testing.assert_allclose(
        grounded.bss_factors @ grounded.bss_loadings.T, factors @ loadings.T, atol=1e-6
    )
    np.testing.assert_allclose(grounded.bss_factors, factors @ grounded.unmixing_matrix.T,
                               atol=1e-9)
    assert grounded.parameters["ground"] is True


def test_ground_with_mask_and_on_loadings(edges_on_background):
    spectra, maps, factors, loadings = edges_on_background
    mask = np.zeros(len(factors), bool)
    mask[-10:] = True
    out = separate(factors, loadings, 4, random_state=0, ground=True, mask=mask, smooth=1.0)
    assert np.all(_match(out.bss_factors, spectra) > 0.999)
    out = separate(factors, loadings, 4, random_state=0, ground=True, on_loadings=True,
                   nav_shape=(48, 48))
    np.testing.assert_allclose(out.bss_loadings, loadings @ out.unmixing_matrix.T, atol=1e-9)
    np.testing.assert_allclose(out.bss_factors @ out.bss_loadings.T, factors @ loadings.T,
                               atol=1e-6)


def test_mask_is_dilated_by_the_derivative_and_coordinates_scale_it():
    """HyperSpy excludes the channels whose derivative reads a masked one; the unmixing
    estimated with diff_order=1 on a mask equals the one estimated on the derivative
    itself (diff_order=0) with the mask grown by one channel each side. Calibrated
    coordinates divide the derivative by the scale: w grows by it, nothing else moves."""
    rng = np.random.default_rng(3)
    e = np.arange(300.0)
    spectra = np.stack([_peaks(e, [40, 200], 4), _peaks(e, [90, 250], 3),
                        _peaks(e, [150], 6)], axis=1)
    F = spectra @ ortho_group.rvs(3, random_state=1)
    L = rng.random((50, 3))
    ev = np.array([3.0, 2.0, 1.0])
    mask = np.zeros(300, bool)
    mask[100:130] = True
    grown = mask.copy()
    grown[99:131] = True
    a = separate(F, L, 3, diff_order=1, mask=mask, random_state=0, explained_variance=ev)
    b = separate(np.gradient(F, axis=0), L, 3, diff_order=0, mask=grown, random_state=0,
                 explained_variance=ev)
    np.testing.assert_allclose(np.abs(a.unmixing_matrix), np.abs(b.unmixing_matrix),
                               rtol=1e-6, atol=1e-9)
    c = separate(F, L, 3, diff_order=1, mask=mask, random_state=0, explained_variance=ev,
                 coordinates=[0.5 * e])
    # (FastICA's path shifts slightly: whitening adds epsilon=1e-10 to the variances)
    np.testing.assert_allclose(c.unmixing_matrix, 0.5 * a.unmixing_matrix, rtol=1e-4)
    np.testing.assert_allclose(c.bss_factors, 0.5 * a.bss_factors,
                               atol=1e-5 * np.abs(a.bss_factors).max())
    with pytest.raises(ValueError, match="coordinates"):
        separate(F, L, 3, coordinates=[e[:10]])
