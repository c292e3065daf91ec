"""Lazy NMF: the same fit as in memory, by passes over the chunks, in flat memory."""

from __future__ import annotations

import tracemalloc

import dask.array as da
import numpy as np
import pytest

import emunmix.api as hs
from emunmix.learn.nmf.core import nmf

RNG = np.random.default_rng(0)
X = RNG.poisson(RNG.uniform(0, 30, (600, 3)) @ RNG.uniform(0, 1, (3, 50))).astype(np.float64)


@pytest.mark.parametrize("kw", [{}, {"loss": "kl"}, {"solver": "mu", "max_iter": 200}])
def test_lazy_nmf_equals_in_memory(kw):
    eager = nmf(X, 3, random_state=0, **kw)
    lazy = nmf(da.from_array(X, chunks=(70, 50)), 3, random_state=0, **kw)  # uneven chunks
    assert lazy.n_iter == eager.n_iter and lazy.converged == eager.converged
    assert lazy.objective == pytest.approx(eager.objective, rel=1e-9)
    np.testing.assert_allclose(lazy.factors, eager.factors, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(lazy.loadings, eager.loadings, rtol=1e-6,
                               atol=1e-9 * np.abs(eager.loadings).max())


def test_kl_polish_reads_each_chunk_once_per_iteration():
    reads = []

    def block(block_id=None):
        reads.append(block_id[0])
        return X[block_id[0] * 100:(block_id[0] + 1) * 100]

    lazy = da.map_blocks(block, dtype=X.dtype, chunks=((100,) * 6, (50,)))
    plain = nmf(lazy, 3, random_state=0)
    n_plain = len(reads)
    polished = nmf(lazy, 3, random_state=0, loss="kl", kl_max_iter=7)
    assert polished.n_iter - plain.n_iter == 7
    # 7 iterations and the final divergence: 8 passes, each chunk read once in each
    polish = np.bincount(reads[2 * n_plain:], minlength=6)
    assert (polish == 8).all()


def _generated(m, n, rows, k=3):
    """Poisson counts made chunk by chunk (never held whole): (m, n) float32."""
    F = np.abs(np.random.default_rng(0).normal(size=(k, n))) + 0.1

    def block(block_id=None):
        r = np.random.default_rng(block_id[0])
        return r.poisson(r.uniform(0, 20, (rows, k)) @ F).astype(np.float32)

    return da.map_blocks(block, dtype=np.float32, chunks=((rows,) * (m // rows), (n,)))


def _nmf_peak(s) -> int:
    tracemalloc.start()
    try:
        s.decomposition(True, algorithm="NMF", output_dimension=3, print_info=False,
                        random_state=0, loss="kl", kl_max_iter=1)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_lazy_nmf_memory_is_flat_in_the_data_size():
    warm = hs.signals.Signal1D(_generated(256, 256, 64))  # imports and caches first
    _nmf_peak(warm)
    small = hs.signals.Signal1D(_generated(1024, 2048, 32))  # 8 MiB in 32 chunks
    big = hs.signals.Signal1D(_generated(4096, 2048, 32))  # 32 MiB in 128 chunks
    p_small, p_big = _nmf_peak(small), _nmf_peak(big)
    assert big._lazy and big.learning_results.loadings.shape == (4096, 3)
    # a few chunks in flight and (pixels + channels) x rank arrays, not the data
    assert p_big < 0.5 * big.data.nbytes, f"peak {p_big / 2**20:.1f} MiB"
    assert p_big < 1.8 * p_small, (p_small, p_big)  # 4 x the data
