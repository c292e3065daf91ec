"""The pass-efficient randomized SVD of lazy data: passes counted, results against the
exact in-memory SVD (subspace angles, explained variance), seeding, the cost model."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition import decompose
from emunmix.learn.linalg import MatrixView, choose_svd_solver
from emunmix.learn.linalg.randomized import draw_test_matrix, randomized_svd_passes

da = pytest.importorskip("dask.array")


class CountingArray:
    """A numpy array that counts the rows read through it (one pass = all rows once)."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim = a, a.shape, a.dtype, a.ndim
        self.rows_read = 0

    def __getitem__(self, key):
        out = self.a[key]
        self.rows_read += out.shape[0]
        return out


@pytest.fixture(scope="module")
def counts():
    """Poisson counts of 6 components over 2000 pixels x 400 channels (float32)."""
    rng = np.random.default_rng(1)
    maps = rng.gamma(1.5, 1.0, (2000, 6))
    x = np.arange(400)
    spectra = np.stack([np.exp(-0.5 * ((x - c) / w) ** 2) + 0.05
                        for c, w in ((50, 20), (120, 8), (200, 30), (260, 5), (330, 12),
                                     (380, 40))])
    return rng.poisson(maps @ spectra * 30).astype(np.float32)


def _angles(A, B):
    """Principal angles (degrees) between the column spaces of A and B."""
    qa, qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    s = np.linalg.svd(qa.T @ qb, compute_uv=False)
    return np.degrees(np.arccos(np.clip(s, 0, 1)))


def test_two_reads_with_the_sums_and_first_power_iteration_fused(counts):
    source = CountingArray(counts)
    lazy = da.from_array(source, chunks=(250, -1))
    out = decompose(lazy, normalize_poissonian_noise=True, output_dimension=6, random_state=0)
    assert out.info["svd_solver"] == "randomized"
    assert out.info["passes"] == 1  # after the sums' pass, which also sketched P'P
    assert source.rows_read == 2 * counts.shape[0]


@pytest.mark.parametrize("n_iter, reads", [(2, 3), (0, 2)])
def test_reads_per_power_iteration(counts, n_iter, reads):
    # n_iter=0 keeps the sketch-then-project route: sums+sketch, projection
    source = CountingArray(counts)
    lazy = da.from_array(source, chunks=(250, -1))
    decompose(lazy, normalize_poissonian_noise=True, output_dimension=6, random_state=0,
              n_iter=n_iter)
    assert source.rows_read == reads * counts.shape[0]


def test_centred_lazy_svd_reads_three_times(counts):
    source = CountingArray(counts)
    lazy = da.from_array(source, chunks=(250, -1))
    out = decompose(lazy, output_dimension=6, centre="navigation", random_state=0)
    ref = decompose(counts, output_dimension=6, centre="navigation")
    assert source.rows_read == 3 * counts.shape[0]
    assert _angles(out.factors[:, :4], ref.factors[:, :4]).max() < 1.0


def test_agrees_with_the_exact_in_memory_svd(counts):
    lazy = da.from_array(counts, chunks=(250, -1))
    out = decompose(lazy, normalize_poissonian_noise=True, output_dimension=6, random_state=0)
    ref = decompose(counts, normalize_poissonian_noise=True, output_dimension=6)
    assert ref.info["svd_solver"] == "gram"
    assert _angles(out.factors, ref.factors).max() < 0.5
    assert _angles(out.loadings, ref.loadings).max() < 0.5
    np.testing.assert_allclose(out.explained_variance, ref.explained_variance, rtol=1e-3)
    np.testing.assert_allclose(out.explained_variance_ratio, ref.explained_variance_ratio,
                               rtol=1e-3)
    assert out.number_significant_components == ref.number_significant_components


def test_power_iteration_improves_and_is_one_pass_each(counts):
    P = MatrixView(da.from_array(counts.astype(np.float64), chunks=(500, -1)))
    exact = np.linalg.svd(counts.astype(np.float64), full_matrices=False)
    errors = []
    for q in (0, 1, 2):
        V, L, S, info = randomized_svd_passes(P, 6, random_state=0, n_iter=q)
        assert info["passes"] == 2 + q  # no sketch given: one pass sketches
        errors.append(np.abs(S / exact[1][:6] - 1).max())
        np.testing.assert_allclose(info["sum_of_squares"], np.sum(counts.astype(float) ** 2),
                                   rtol=1e-10)
    assert errors[2] <= errors[1] <= errors[0] and errors[1] < 1e-4


def test_fused_sketch_equals_a_sketching_pass(counts):
    X = counts[:600].astype(np.float64)
    rs = np.random.default_rng(0)
    view = MatrixView(da.from_array(X, chunks=(100, -1)), row_scale=rs.uniform(1, 2, 600),
                      col_scale=rs.uniform(1, 2, 400), col_mean=rs.uniform(0, 1, 400))
    omega = draw_test_matrix(view, 12, 5)
    stats, raw = view.with_transform(row_scale=None, col_scale=None,
                                     col_mean=None).stats(sketch=omega)
    np.testing.assert_allclose(stats.row_sums, X.sum(axis=1))
    np.testing.assert_allclose(raw, X @ omega, rtol=1e-12)
    a = randomized_svd_passes(view, 4, random_state=5, n_oversamples=8)
    b = randomized_svd_passes(view, 4, sketch=(omega, raw), n_oversamples=8)
    np.testing.assert_allclose(a[2], b[2], rtol=1e-10)
    assert a[3]["passes"] == b[3]["passes"] + 1


def test_seeded_results_are_reproducible(counts):
    lazy = da.from_array(counts, chunks=(250, -1))
    a = decompose(lazy, normalize_poissonian_noise=True, output_dimension=4, random_state=3)
    b = decompose(lazy, normalize_poissonian_noise=True, output_dimension=4, random_state=3)
    np.testing.assert_array_equal(a.factors, b.factors)
    np.testing.assert_array_equal(a.loadings, b.loadings)


@pytest.mark.parametrize("shape, k, lazy, expected", [
    ((262144, 4096), 8, True, "randomized"),    # the 4 GiB case: 3 passes either way
    ((262144, 4096), None, True, "gram"),       # all components: exact Gram
    ((262144, 1024), 8, True, "randomized"),
    ((262144, 128), 8, True, "gram"),           # the Gram costs less than a read
    ((262144, 4096), 1000, True, "gram"),       # too many components for a sketch
    ((262144, 4096), 8, False, "gram"),         # in memory: unchanged
])
def test_cost_model(shape, k, lazy, expected):
    assert choose_svd_solver(shape, k, lazy=lazy) == expected
