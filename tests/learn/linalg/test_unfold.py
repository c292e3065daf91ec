"""Unfolding chunked data chunk by chunk (no rechunk-merge), and decompositions of such
rows put back in pixel order: same results as the natural unfolding, reads counted."""

from __future__ import annotations

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.learn.decomposition import decompose
from emunmix.learn.linalg.unfold import inverse_order, needs_merge, unfold_by_chunks

da = pytest.importorskip("dask.array")


class CountingChunks:
    """A 3-D numpy array counting the values read through it."""

    def __init__(self, a):
        self.a, self.shape, self.dtype, self.ndim = a, a.shape, a.dtype, a.ndim
        self.values_read = 0

    def __getitem__(self, key):
        out = self.a[key]
        self.values_read += out.size
        return out


@pytest.mark.parametrize("shape, chunks", [
    ((6, 8, 5), (4, 3, 5)),          # ragged navigation chunks
    ((4, 6, 3, 5), (2, 4, 3, 5)),    # three navigation axes
    ((5, 6, 4, 3), (3, 4, 2, -1)),   # 2-D signal chunked along its first axis
])
def test_rows_are_the_pixels_in_order(shape, chunks):
    nav = 3 if len(shape) == 4 and chunks[2] == 3 else 2
    data = np.arange(np.prod(shape), dtype=float).reshape(shape)
    X, order = unfold_by_chunks(da.from_array(data, chunks=chunks), nav)
    natural = data.reshape(int(np.prod(shape[:nav])), -1)
    assert order is not None and sorted(order.tolist()) == list(range(natural.shape[0]))
    np.testing.assert_array_equal(X.compute(), natural[order])
    np.testing.assert_array_equal(X.compute()[inverse_order(order)], natural)
    assert "rechunk-merge" not in str(X.__dask_graph__().layers.keys())


def test_no_reorder_when_the_reshape_merges_nothing():
    d = da.zeros((8, 6, 5), chunks=(2, 6, 5))
    assert not needs_merge(d, 2) and unfold_by_chunks(d, 2)[1] is None
    assert unfold_by_chunks(np.zeros((4, 3, 2)), 2)[1] is None


@pytest.fixture(scope="module")
def cube():
    s = hs.datasets.CL1(random_state=0).isig[:160].inav[:24, :20]
    return s.data.astype(np.float32)


@pytest.mark.parametrize("kwargs", [
    dict(normalize_poissonian_noise=True, output_dimension=4, random_state=0),
    dict(normalize_poissonian_noise=True, output_dimension=4, svd_solver="gram"),
    dict(output_dimension=3, centre="signal", svd_solver="gram"),
    dict(algorithm="NMF", output_dimension=3, random_state=0, max_iter=50),
])
def test_signal_decomposition_in_chunk_order_equals_the_natural_one(cube, kwargs):
    mask = np.zeros(cube.shape[:2], bool)
    mask[3, 5] = mask[17, 2] = True
    lazy = hs.signals.Signal1D(da.from_array(cube, chunks=(8, 7, -1)))
    natural = hs.signals.Signal1D(da.from_array(cube, chunks=(8, -1, -1)))
    for s in (lazy, natural):
        s.decomposition(navigation_mask=mask, print_info=False, **kwargs)
    a, b = lazy.learning_results, natural.learning_results
    np.testing.assert_allclose(a.factors, b.factors, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(a.loadings, b.loadings, rtol=1e-4, atol=1e-4 * np.nanmax(
        np.abs(b.loadings)))
    assert np.isnan(a.loadings[np.flatnonzero(mask.ravel())]).all()
    np.testing.assert_array_equal(a.navigation_mask, b.navigation_mask)
    if b.mean is not None:
        np.testing.assert_allclose(a.mean, b.mean, rtol=1e-5)


def test_lazy_poisson_svd_reads_the_data_twice(cube):
    source = CountingChunks(cube)
    s = hs.signals.Signal1D(da.from_array(source, chunks=(8, 8, -1)))
    out = s.decomposition(True, output_dimension=4, random_state=0, print_info=False,
                          svd_solver="randomized", return_info=True)
    assert out.info["svd_solver"] == "randomized"
    assert source.values_read == 2 * cube.size


def test_row_order_must_be_a_permutation(cube):
    X = cube.reshape(-1, cube.shape[-1])
    with pytest.raises(ValueError, match="permutation"):
        decompose(X, output_dimension=2, row_order=np.zeros(X.shape[0], int))
