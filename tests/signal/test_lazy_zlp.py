"""Lazy zero-loss-peak centres and alignment: blockwise, lazy results, equal to in memory."""

import dask.array as da
import numpy as np
import pytest
from _lazy_reads import counted_lazy

import emunmix.api as hs

CHUNKS = (5, 4, 300)  # several navigation chunks, and the signal axis split too


@pytest.fixture
def pair():
    ll = hs.datasets.LL3().inav[:12, :10]
    cl = hs.datasets.CL3().inav[:12, :10]
    return ll, cl


@pytest.mark.parametrize("kw", [{}, {"subpixel": False}, {"method": "com"},
                                {"signal_range": (-5.0, 5.0)}, {"signal_range": (150, 260)}])
def test_lazy_centres_equal_the_in_memory_ones(pair, kw):
    ll, _ = pair
    mask = np.zeros((10, 12), bool)
    mask[2, 3] = True
    lazy, source = counted_lazy(ll, CHUNKS)
    expected = ll.estimate_zero_loss_peak_centre(mask=mask, **kw).data
    got = lazy.estimate_zero_loss_peak_centre(mask=mask, **kw).data
    np.testing.assert_array_equal(got, expected)
    assert np.isnan(got[2, 3])
    assert max(source.reads) <= np.prod(CHUNKS)  # chunk by chunk, never the whole array
    assert source.passes() <= 2.0 + 1e-9


def test_lazy_align_with_also_align_stays_lazy_and_equals_in_memory(pair):
    ll, cl = pair
    lazy_ll, src_ll = counted_lazy(ll, CHUNKS)
    lazy_cl, src_cl = counted_lazy(cl, (5, 4, 512))
    ll.align_zero_loss_peak(also_align=[cl], print_stats=False)
    lazy_ll.align_zero_loss_peak(also_align=[lazy_cl], print_stats=False)
    assert lazy_ll._lazy and lazy_cl._lazy
    assert isinstance(lazy_ll.data, da.Array) and isinstance(lazy_cl.data, da.Array)
    assert src_cl.reads == []  # the core loss is not read before it is computed
    # three passes over the low loss: the no-peak guard's scores, then the two of the centres
    assert src_ll.passes() <= 3.0 + 1e-9
    assert max(src_ll.reads) <= np.prod(CHUNKS)
    for lazy, eager in ((lazy_ll, ll), (lazy_cl, cl)):
        assert lazy.axes_manager.signal_axes[0] == eager.axes_manager.signal_axes[0]
        np.testing.assert_allclose(np.asarray(lazy.data.compute()), eager.data, rtol=1e-12,
                                   atol=1e-9, equal_nan=True)
    assert max(src_cl.reads) <= 5 * 4 * 512


def test_lazy_errors_match_the_in_memory_ones_and_leave_the_signal_lazy(pair):
    ll, cl = pair
    data = np.array(ll.data)
    data[7, 2, 400] = np.nan
    bad = ll._new_like(data)
    lazy, _ = counted_lazy(bad, CHUNKS)
    with pytest.raises(ValueError, match="NaN or infinite"):
        lazy.align_zero_loss_peak(print_stats=False)
    flat = np.array(ll.data)
    flat[3, 7] = 1.0
    flat = ll._new_like(flat)
    for kw in ({}, {"signal_range": (-5.0, 5.0)}):
        with pytest.raises(ValueError, match="no zero-loss peak inside") as eager:
            flat.estimate_zero_loss_peak_centre(**kw)
        with pytest.raises(ValueError, match="no zero-loss peak inside") as lazy_err:
            counted_lazy(flat, CHUNKS)[0].estimate_zero_loss_peak_centre(**kw)
        assert str(lazy_err.value) == str(eager.value)  # the same range, count and index
    assert lazy._lazy and lazy.axes_manager.signal_axes[0].size == 1024
