"""svd_solver="incremental" (HyperSpy 2.5's incremental SVD) against the in-memory SVD."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition import decompose
from emunmix.learn.linalg import MatrixView
from emunmix.learn.linalg.incremental import (
    _singular_values_and_right_vectors,
    batch_rows,
    incremental_svd,
)

da = pytest.importorskip("dask.array")


def largest_angle_deg(A, B) -> float:
    cos = np.linalg.svd(np.linalg.qr(A)[0].T @ np.linalg.qr(B)[0], compute_uv=False)
    return float(np.degrees(np.arccos(np.clip(cos.min(), -1, 1))))


@pytest.fixture(scope="module")
def counts():
    """2000 pixels x 80 channels of Poisson counts of a rank-4 model."""
    rng = np.random.default_rng(0)
    return rng.poisson(rng.gamma(2, 1, (2000, 4)) @ rng.uniform(1, 5, (4, 80))).astype(float)


def test_exact_for_data_of_rank_k():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(700, 5)) @ rng.normal(size=(5, 40))
    V, L, S, info = incremental_svd(MatrixView(da.from_array(X, chunks=(64, -1))), 5)
    assert info["batches"] == 11
    np.testing.assert_allclose(S, np.linalg.svd(X, compute_uv=False)[:5], rtol=1e-10)
    np.testing.assert_allclose(L @ V.T, X, atol=1e-9 * np.abs(X).max())


@pytest.mark.parametrize("shape", [(300, 20), (20, 20), (8, 30)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_step_matches_the_thin_svd(shape, dtype):
    """The QR-first update (tall batches) gives the thin SVD's values and right vectors."""
    rng = np.random.default_rng(2)
    M = (rng.normal(size=shape) * np.geomspace(10, 0.1, shape[1])).astype(dtype)
    s, vt = _singular_values_and_right_vectors(M)
    _, s_ref, vt_ref = np.linalg.svd(M.astype(np.float64), full_matrices=False)
    rtol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(s, s_ref, rtol=rtol)
    # distinct singular values: the same right vectors up to sign
    np.testing.assert_allclose(np.abs(vt @ vt_ref.T), np.eye(min(shape)), atol=50 * rtol)


@pytest.mark.parametrize("num_chunks", [None, 3])
@pytest.mark.parametrize("algorithm", ["SVD", "PCA"])
def test_lazy_incremental_agrees_with_the_in_memory_svd(counts, num_chunks, algorithm):
    lazy = da.from_array(counts, chunks=(125, -1))
    ref = decompose(counts, algorithm, 6, normalize_poissonian_noise=True, svd_solver="full")
    out = decompose(lazy, algorithm, 6, normalize_poissonian_noise=True,
                    svd_solver="incremental", num_chunks=num_chunks)
    assert out.info["svd_solver"] == "incremental"
    assert out.info["batch_rows"] == 125 * (num_chunks or 1)
    # the 4 signal components: the same subspace and variances; noise ones close
    # (measured: at most 0.55 degrees, variances 0.13% and 5.3% off, model 0.21%)
    assert largest_angle_deg(out.factors[:, :4], ref.factors[:, :4]) < 1.0
    np.testing.assert_allclose(out.explained_variance[:4], ref.explained_variance[:4],
                               rtol=3e-3)
    np.testing.assert_allclose(out.explained_variance, ref.explained_variance, rtol=0.1)
    err = np.abs(out.model(4) - ref.model(4)).max() / counts.max()
    assert err < 5e-3


def test_batches_hold_at_least_k_rows_and_num_chunks_is_checked(counts):
    view = MatrixView(da.from_array(counts, chunks=(3, -1)))
    assert batch_rows(view, 8) == 8  # HyperSpy: enlarged to hold output_dimension rows
    assert batch_rows(view, 2, num_chunks=4) == 12
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="num_chunks must be a positive integer"):
            decompose(counts, "SVD", 3, svd_solver="incremental", num_chunks=bad)


def test_signal_lazy_decomposition_takes_num_chunks_for_every_algorithm(counts):
    import emunmix.api as hs

    s = hs.signals.Signal1D(counts.reshape(40, 50, 80)).as_lazy()
    s.decomposition(True, output_dimension=4, svd_solver="incremental", num_chunks=2,
                    print_info=False)
    ref = hs.signals.Signal1D(counts.reshape(40, 50, 80))
    ref.decomposition(True, output_dimension=4, print_info=False)
    np.testing.assert_allclose(s.learning_results.explained_variance,
                               ref.learning_results.explained_variance, rtol=1e-3)
    s.decomposition(algorithm="NMF", output_dimension=2, num_chunks=2, max_iter=20,
                    print_info=False)  # accepted (NMF streams without it)
    assert s.learning_results.decomposition_algorithm == "NMF"
    with pytest.raises(ValueError, match="num_chunks must be a positive integer"):
        s.decomposition(algorithm="NMF", output_dimension=2, num_chunks=0, print_info=False)


@pytest.mark.parametrize("num_chunks", [0, -2, 1.5, True, "2"])
@pytest.mark.parametrize(("algorithm", "kwargs"), [
    ("SVD", {"svd_solver": "incremental"}), ("SVD", {"svd_solver": "full"}),
    ("SVD", {"svd_solver": "randomized"}), ("PCA", {}), ("NMF", {}),
])
def test_bad_num_chunks_refused_at_kernel_level(num_chunks, algorithm, kwargs):
    from emunmix.learn.decomposition import decompose

    X = np.random.default_rng(0).random((60, 12))
    for data in (X, da.from_array(X, chunks=(20, -1))):
        with pytest.raises(ValueError, match="num_chunks must be a positive integer"):
            decompose(data, algorithm, 2, num_chunks=num_chunks, **kwargs)


def test_nmf_refuses_scikit_learn_options_with_its_own_solvers():
    from emunmix.learn.nmf import nmf

    X = np.random.default_rng(0).random((30, 8))
    with pytest.raises(TypeError, match=r"unexpected keyword arguments \['alpha_W'\]"):
        nmf(X, 2, alpha_W=0.1)
    assert nmf(X, 2, num_chunks=3, random_state=0).factors.shape == (8, 2)  # checked, no effect
