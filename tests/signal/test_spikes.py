"""Spike finding and removal on signals: CL4's ground truth, the tool, bad input."""

import matplotlib
import numpy as np
import pytest
import scipy.ndimage as ndi

import emunmix.api as hs
from emunmix.plot.spikes_tool import SpikesRemovalTool
from emunmix.signal import Signal1D
from emunmix.signal.spikes import SpikesRemovalReport, interactive_gui_available

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def cl4_truth():
    return {hard: hs.datasets.CL4(hard=hard, return_truth=True)[1] for hard in (False, True)}


def cl4(hard=False):
    return hs.datasets.CL4(hard=hard)


def score(before, after, truth):
    """(fraction of spikes removed, changed values not within +-2 channels of a spike)."""
    spikes = truth.spike_mask
    near = ndi.binary_dilation(spikes, structure=np.ones((1, 1, 5), bool))
    changed = after != before
    return (changed & spikes).sum() / spikes.sum(), int((changed & ~near).sum())


def assert_within_noise(after, truth):
    lam = truth.noiseless[truth.spike_mask]
    z = (after[truth.spike_mask] - lam) / np.sqrt(lam)
    assert np.abs(z).max() < 4.5  # 36 Poisson draws: |z| < 4.5 always in practice


# -- automatic removal against the truth ------------------------------------------------
@pytest.mark.parametrize("hard", [False, True])
def test_automatic_removal_on_cl4(hard, cl4_truth, capsys):
    s = cl4(hard)
    truth = cl4_truth[hard]
    before = s.data.copy()
    report = s.spikes_removal_tool(interactive=False, random_state=0)
    removed, false = score(before, s.data, truth)
    assert removed >= 0.98
    assert false <= 10
    assert_within_noise(s.data, truth)
    assert isinstance(report, SpikesRemovalReport)
    assert report.n_spikes == len(report.positions) >= int(0.98 * truth.spike_mask.sum())
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(f"Removed {report.n_spikes} spike(s)")
    # where: (x, y) natural order, channel, energy
    (x, y), channel, energy = report.positions[0]
    assert report.mask[y, x, channel]
    assert energy == pytest.approx(400.0 + channel)
    assert s.data.dtype == before.dtype and s.data.shape == before.shape


def test_automatic_removal_is_reproducible():
    a, b = cl4(), cl4()
    a.spikes_removal_tool(interactive=False, random_state=3)
    b.spikes_removal_tool(interactive=False, random_state=3)
    np.testing.assert_array_equal(a.data, b.data)


def test_default_call_without_gui_falls_back_to_automatic(cl4_truth):
    assert not interactive_gui_available()  # pytest: no Jupyter kernel
    s = cl4()
    before = s.data.copy()
    with pytest.warns(UserWarning, match="automatically"):
        report = s.spikes_removal_tool()
    assert isinstance(report, SpikesRemovalReport)
    assert score(before, s.data, cl4_truth[False])[0] >= 0.98


def test_find_spikes_returns_a_boolean_signal(cl4_truth):
    s = cl4()
    before = s.data.copy()
    m = s.find_spikes()
    np.testing.assert_array_equal(s.data, before)  # finding changes nothing
    assert isinstance(m, Signal1D) and m.data.dtype == bool
    assert m.axes_manager.signal_axes[0] == s.axes_manager.signal_axes[0]
    assert m.metadata.get_item("General.title") == "Spikes(CL4)"
    truth = cl4_truth[False].spike_mask
    assert (m.data & truth).sum() >= 0.98 * truth.sum()
    assert (m.data & ~truth).sum() <= 10


def test_masks_restrict_the_search(cl4_truth):
    s = cl4()
    truth = cl4_truth[False].spike_mask
    y, x, c = np.argwhere(truth)[0]
    nav = np.zeros((64, 64), bool)
    nav[y, x] = True
    assert not s.find_spikes(navigation_mask=nav).data[y, x].any()
    sig = np.zeros(1024, bool)
    sig[c] = True
    m = s.find_spikes(signal_mask=sig).data
    assert not m[..., c].any()
    # a signal works as a navigation mask, and derivative with auto threshold too
    # (HyperSpy raises there with a numpy mask)
    nav_signal = hs.signals.BaseSignal(nav, axes=[{"navigate": True}] * 2)
    m = s.find_spikes(navigation_mask=nav_signal, method="derivative").data
    assert not m[y, x].any()


def test_hyperspy_style_interpolated_replacement(cl4_truth):
    s = cl4()
    before = s.data.copy()
    s.spikes_removal_tool(interactive=False, replacement="interpolate", default_spike_width=2,
                          random_state=0)
    removed, _ = score(before, s.data, cl4_truth[False])
    assert removed >= 0.98
    changed = (s.data != before).reshape(-1, 1024).sum(axis=1)
    assert changed.max() <= 2 * (2 * 2 + 1)  # two bridges of 5 channels at most


@pytest.mark.parametrize("kwargs, error", [
    ({"threshold": -1}, ValueError),
    ({"threshold": "high"}, ValueError),
    ({"signal_mask": np.zeros(10, bool)}, ValueError),
    ({"navigation_mask": np.zeros((3, 3), bool)}, ValueError),
    ({"method": "magic"}, ValueError),
    ({"bogus": 1}, TypeError),
])
def test_bad_arguments_change_nothing(kwargs, error):
    s = cl4().inav[:16, :16]
    before = s.data.copy()
    with pytest.raises(error):
        s.spikes_removal_tool(interactive=False, **kwargs)
    np.testing.assert_array_equal(s.data, before)


def test_nan_values_are_an_error_that_changes_nothing():
    s = cl4().inav[:16, :16]
    s.data[1, 2, 3] = np.nan
    before = s.data.copy()
    with pytest.raises(ValueError, match="NaN"):
        s.spikes_removal_tool(interactive=False)
    with pytest.raises(ValueError, match="NaN"):
        s.remove_spikes()
    np.testing.assert_array_equal(s.data, before)


# -- remove_spikes (median variant) ---------------------------------------------------------
@pytest.mark.parametrize("hard", [False, True])
def test_remove_spikes_median_variant(hard, cl4_truth):
    s = cl4(hard)
    truth = cl4_truth[hard]
    before = s.data.copy()
    copy = s.remove_spikes(inplace=False)
    np.testing.assert_array_equal(s.data, before)
    removed, false = score(before, copy.data, truth)
    assert removed >= 0.98
    assert false <= 10
    assert s.remove_spikes() is None
    np.testing.assert_array_equal(s.data, copy.data)


def test_remove_spikes_bad_input():
    s = cl4().inav[:8, :8]
    with pytest.raises(ValueError, match="threshold_factor"):
        s.remove_spikes(threshold_factor=0)
    with pytest.raises(ValueError, match="odd"):
        s.remove_spikes(size=4)
    with pytest.raises(ValueError, match="navigation"):
        s.remove_spikes(axes="Energy loss")
    with pytest.raises(TypeError):
        s.remove_spikes(footprint=None)


def test_remove_spikes_single_spectrum_and_integers():
    data = np.full(50, 100, dtype=np.int64)
    data[20] = 1000
    s = Signal1D(data)
    s.remove_spikes()
    assert s.data.dtype == np.int64
    assert s.data[20] == 100 and (s.data == 100).all()


# -- the interactive tool, driven without widgets ------------------------------------------
def test_tool_steps_removes_and_skips(cl4_truth, monkeypatch):
    import emunmix.signal.spikes as spikes_mod

    monkeypatch.setattr(spikes_mod, "interactive_gui_available", lambda: True)
    s = cl4()
    before = s.data.copy()
    tool = s.spikes_removal_tool(display=False, random_state=0)
    assert isinstance(tool, SpikesRemovalTool)
    np.testing.assert_array_equal(s.data, before)  # nothing removed yet
    n = tool.n_spikes
    assert n >= 35
    fig = tool.plot()
    assert len(fig.axes) == 2
    assert fig.axes[0].get_title() == "Derivative histogram"
    assert any(ln.get_label() == "replacement" for ln in fig.axes[1].lines)
    first = tool.current
    ch, old, new = tool.proposal()
    assert first.channel in ch and not np.array_equal(old, new)
    tool.remove_current()  # replaces and moves on
    assert tool.index == 1 and tool.n_removed == 1
    (x, y) = tool.navigation_indices(first)
    np.testing.assert_array_equal(s.data[y, x, ch], new)
    second = tool.current
    tool.skip()
    assert second.status == "skipped"
    tool.previous()
    assert tool.current is second
    tool.next()
    tool.remove_all()
    assert tool.n_removed == n - 1
    assert "skipped" in repr([sp.status for sp in tool.spikes])
    removed, false = score(before, s.data, cl4_truth[False])
    assert removed >= 0.95 and false <= 10
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_tool_threshold_change_refinds(monkeypatch):
    import emunmix.signal.spikes as spikes_mod

    monkeypatch.setattr(spikes_mod, "interactive_gui_available", lambda: True)
    s = cl4().inav[:32, :32]
    tool = s.spikes_removal_tool(display=False, method="derivative")
    n_auto = tool.n_spikes
    tool.set_threshold(tool.derivative_threshold * 4)
    assert tool.n_spikes < n_auto or n_auto == 0
    assert tool.threshold == pytest.approx(tool.derivative_threshold)


def test_tool_buttons_drive_the_same_actions(monkeypatch, capsys):
    pytest.importorskip("ipywidgets")
    import emunmix.plot.backend as backend
    import emunmix.signal.spikes as spikes_mod

    monkeypatch.setattr(spikes_mod, "interactive_gui_available", lambda: True)
    monkeypatch.setattr(backend, "in_jupyter", lambda: True)
    s = cl4().inav[:16, :16]
    tool = s.spikes_removal_tool(random_state=0)  # display=True builds the widgets
    capsys.readouterr()
    w = tool._controls.buttons
    assert set(w) == {"Previous", "Next", "Remove spike", "Don't remove", "Remove all",
                      "Close"}
    status = tool._controls.status
    assert status.value.startswith(f"Spike 1 of {tool.n_spikes}")
    w["Next"].click()
    assert tool.index == min(1, tool.n_spikes - 1)
    w["Previous"].click()
    w["Remove spike"].click()
    assert tool.n_removed == 1
    w["Remove all"].click()
    assert tool.n_removed == tool.n_spikes
    assert f"removed {tool.n_spikes}" in status.value
    import matplotlib.pyplot as plt

    plt.close("all")


class _FakeShell:
    def __init__(self, kernel):
        self.kernel = kernel


@pytest.mark.parametrize("kernel, backend, expected", [
    (None, "module://ipympl.backend_nbagg", False),       # IPython in a terminal
    (object(), "module://ipympl.backend_nbagg", True),    # Jupyter, %matplotlib widget
    (object(), "module://matplotlib_inline.backend_inline", False),  # Jupyter, inline
    (object(), "agg", False),
])
def test_gui_detection(monkeypatch, kernel, backend, expected):
    pytest.importorskip("ipywidgets")
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: _FakeShell(kernel))
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    assert interactive_gui_available() is expected


def test_lazy_signal_is_despiked_like_an_eager_one():
    s = cl4().inav[:16, :16]
    lazy = s.as_lazy()
    lazy.spikes_removal_tool(interactive=False, random_state=0)
    s.spikes_removal_tool(interactive=False, random_state=0)
    np.testing.assert_array_equal(np.asarray(lazy.data), s.data)


@pytest.mark.parametrize("method", ["derivative", "median"])
def test_per_spectrum_finders_bridge_like_hyperspy(method, capsys):
    s = cl4().inav[:32, :32]
    before = s.data.copy()
    report = s.spikes_removal_tool(interactive=False, method=method, random_state=0)
    assert f"method '{method}'" in capsys.readouterr().out
    changed = (s.data != before).reshape(-1, 1024)
    if report.n_spikes:
        # +-default_spike_width channels bridged around each flagged run
        assert changed.sum() <= report.mask.sum() * 11


@pytest.mark.parametrize("backend, interactive, expected", [
    ("qtagg", True, True),    # IPython's %matplotlib qt, or plt.ion() in a script
    ("tkagg", False, False),  # a script that has not asked for interactive mode
    ("agg", True, False),
])
def test_gui_detection_outside_jupyter(monkeypatch, backend, interactive, expected):
    import IPython

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    monkeypatch.setattr(matplotlib, "get_backend", lambda: backend)
    monkeypatch.setattr(matplotlib, "is_interactive", lambda: interactive)
    assert interactive_gui_available() is expected


def test_short_line_scan_automatic_removal():
    """A 10-spectrum line scan (below the 16 the search once needed): nothing changes
    when it is clean, and exactly the three injected spikes are removed."""
    full = hs.datasets.CL3(random_state=1)
    s = full.inav[20:30, 12]
    assert s.axes_manager.navigation_shape == (10,)
    clean = s.data.copy()
    s.spikes_removal_tool(interactive=False, random_state=0)
    np.testing.assert_array_equal(s.data, clean)
    where = [(1, 150), (4, 400), (8, 700)]
    for i, j in where:
        s.data[i, j] += 3 * clean[i, j]
    spiky = s.data.copy()
    assert np.argwhere(s.find_spikes().data).tolist() == [list(w) for w in where]
    s.spikes_removal_tool(interactive=False, random_state=0)
    changed = np.argwhere(s.data != spiky).tolist()
    assert changed == [list(w) for w in where]
    for i, j in where:  # back within the noise of the spike-free value
        assert abs(s.data[i, j] - clean[i, j]) < 5 * np.sqrt(clean[i, j]) + 5
