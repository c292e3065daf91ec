"""Lazy automatic spike removal: blockwise, the signal stays lazy, equal to in memory."""

import dask.array as da
import numpy as np
import pytest
from _lazy_reads import counted_lazy

import emunmix.api as hs


@pytest.fixture(scope="module")
def cl4():
    return hs.datasets.CL4().inav[:48, :48]  # 2304 spectra: >= 2000, HyperSpy's switch


def _remove(signal, **kw):
    return signal.spikes_removal_tool(interactive=False, add_noise=False, **kw)


@pytest.mark.parametrize("kw", [
    {"method": "derivative"},  # 2304 spectra: HyperSpy's per-spectrum histogram
    {"method": "derivative", "threshold": 60.0},
    {"method": "median"},
])
def test_lazy_removal_equals_in_memory_and_stays_lazy(cl4, kw, capsys):
    nmask = np.zeros((48, 48), bool)
    nmask[10:12, 3] = True
    eager = cl4.deepcopy()
    lazy, source = counted_lazy(cl4, (16, 24, 256))  # signal axis split: rechunked
    expected = _remove(eager, navigation_mask=nmask, **kw)
    got = _remove(lazy, navigation_mask=nmask, **kw)
    assert lazy._lazy and isinstance(lazy.data, da.Array)
    assert source.passes() <= 2.0 + 1e-9 and max(source.reads) <= 16 * 24 * 256
    assert got.positions == expected.positions and got.n_spikes == expected.n_spikes > 0
    assert (got.n_spectra, got.n_spectra_total, got.n_channels_changed) == \
        (expected.n_spectra, expected.n_spectra_total, expected.n_channels_changed)
    np.testing.assert_array_equal(np.asarray(lazy.data.compute()), eager.data)
    np.testing.assert_array_equal(np.asarray(got.mask.compute()), expected.mask)
    assert "Removed" in capsys.readouterr().out


def test_lazy_removal_of_a_small_scan_uses_every_step(cl4):
    small = cl4.inav[:12, :10]  # < 2000 spectra: the histogram holds every step
    eager, (lazy, _) = small.deepcopy(), counted_lazy(small, (5, 4, 1024))
    expected = _remove(eager, method="derivative")
    got = _remove(lazy, method="derivative")
    assert got.positions == expected.positions and len(got.positions) > 0
    np.testing.assert_array_equal(np.asarray(lazy.data.compute()), eager.data)


def test_lazy_noise_is_reproducible_and_the_lowrank_finder_needs_memory(cl4, monkeypatch):
    small = cl4.inav[:16, :16]
    a, b = (counted_lazy(small, (8, 8, 1024))[0] for _ in range(2))
    for s in (a, b):
        s.spikes_removal_tool(interactive=False, method="derivative", random_state=3)
    da_ = np.asarray(a.data.compute())
    np.testing.assert_array_equal(da_, np.asarray(a.data.compute()))  # recompute: same
    np.testing.assert_array_equal(da_, np.asarray(b.data.compute()))  # same seed: same
    c, _ = counted_lazy(small, (8, 8, 1024))
    before = c.data
    import emunmix.chunking

    monkeypatch.setattr(emunmix.chunking, "available_memory", lambda: 2**20)
    with pytest.raises(ValueError, match="do not fit in the memory available; pass "
                                         "method='derivative'"):
        c.spikes_removal_tool(interactive=False)  # the default finder: lowrank
    assert c.data is before
    monkeypatch.undo()  # data that fit: computed, then searched in memory
    c.spikes_removal_tool(interactive=False, random_state=0)
    assert not c._lazy


def test_lazy_removal_refuses_nan_before_changing_the_signal(cl4):
    data = np.array(cl4.inav[:8, :8].data, dtype=float)
    data[2, 5, 100] = np.nan
    s, _ = counted_lazy(cl4.inav[:8, :8]._new_like(data), (4, 4, 1024))
    before = s.data
    with pytest.raises(ValueError, match="NaN or infinite"):
        s.spikes_removal_tool(interactive=False, method="derivative")
    assert s.data is before
