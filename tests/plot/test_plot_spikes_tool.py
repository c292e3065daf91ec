"""The spikes tool's controls: threshold line on the histogram, typed threshold, finder,
replacement options, the removed spike, keys, widgets, and running it again."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backend_bases import KeyEvent, MouseEvent

import emunmix.api as hs
import emunmix.plot.backend as backend
import emunmix.signal.spikes as spikes_mod
from emunmix.plot.spikes_tool import SpikesRemovalTool


@pytest.fixture
def s4(monkeypatch):
    monkeypatch.setattr(spikes_mod, "interactive_gui_available", lambda: True)
    return hs.datasets.CL4().inav[:32, :32]


def _runs(mask):
    """Number of runs of flagged channels (one spike each)."""
    m = mask.reshape(-1, mask.shape[-1])
    return int((m & ~np.pad(m, ((0, 0), (1, 0)))[:, :-1]).sum())


def _mouse(fig, name, ax, x, y=1.0, button=1):
    px, py = ax.transData.transform((x, y))
    fig.canvas.callbacks.process(name, MouseEvent(name, fig.canvas, px, py, button=button))


def _key(fig, key):
    fig.canvas.callbacks.process("key_press_event", KeyEvent("key_press_event", fig.canvas,
                                                             key=key))


def test_default_is_the_automatic_lowrank_threshold(s4):
    tool = s4.spikes_removal_tool(display=False, random_state=0)
    assert (tool.method, tool.threshold) == ("lowrank", "auto")
    expected = s4.find_spikes(random_state=0).data
    np.testing.assert_array_equal(tool.mask, expected)
    assert tool.n_spikes == _runs(expected) > 0


def test_dragging_the_threshold_line_refinds_with_that_threshold(s4):
    tool = s4.spikes_removal_tool(display=False, random_state=0)
    fig = tool.plot()
    fig.canvas.draw()
    target = 3 * tool.derivative_threshold
    _mouse(fig, "button_press_event", tool.ax_hist, tool.derivative_threshold)
    _mouse(fig, "motion_notify_event", tool.ax_hist, 2 * tool.derivative_threshold)
    assert tool.method == "lowrank"  # nothing is searched while dragging
    _mouse(fig, "motion_notify_event", tool.ax_hist, target)
    _mouse(fig, "button_release_event", tool.ax_hist, target)
    assert tool.method == "derivative"
    assert tool.threshold == pytest.approx(target, rel=0.01)  # one pixel of the axes
    expected = s4.find_spikes(method="derivative", threshold=tool.threshold).data
    np.testing.assert_array_equal(tool.mask, expected)
    assert tool.derivative_threshold == tool.threshold
    assert tool.threshold_line.get_xdata()[0] == pytest.approx(tool.threshold)


def test_typed_threshold_and_a_bad_one(s4, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(backend, "in_jupyter", lambda: True)
    tool = s4.spikes_removal_tool(random_state=0)
    c = tool._controls
    assert c.threshold.value == "auto" and c.finder.value == "lowrank"
    mask = tool.mask.copy()
    c.threshold.value = "-3"
    assert "threshold must be 'auto' or a positive number" in c.message.value
    assert tool.threshold == "auto" and c.threshold.value == "auto"  # put back
    np.testing.assert_array_equal(tool.mask, mask)
    c.threshold.value = "20"  # sigma for the low-rank finder: only the big spikes
    assert tool.threshold == 20.0 and c.message.value == ""
    np.testing.assert_array_equal(tool.mask, s4.find_spikes(threshold=20, random_state=0).data)
    assert tool.n_spikes <= _runs(mask)
    c.finder.value = "median"
    assert (tool.method, tool.threshold) == ("median", "auto")
    np.testing.assert_array_equal(tool.mask, s4.find_spikes(method="median").data)
    c.add_noise.value = False
    c.replacement.value = "interpolate"
    c.width.value = 2
    assert (tool.search.add_noise, tool.search.replacement,
            tool.search.default_spike_width) == (False, "interpolate", 2)
    c.buttons["Close"].click()
    assert not plt.fignum_exists(tool.figure.number)


def test_interpolation_options_change_the_proposal(s4):
    tool = s4.spikes_removal_tool(display=False, random_state=0)
    tool.set_options(replacement="interpolate", default_spike_width=2, add_noise=False)
    spike = tool.current
    channels, old, new = tool.proposal()
    flagged = np.flatnonzero(tool.mask.reshape(-1, tool.mask.shape[-1])[spike.pixel])
    run = flagged[(flagged >= spike.channel) & (flagged < spike.stop)]
    assert channels[0] == run[0] - 2 and channels[-1] == run[-1] + 2
    row = np.asarray(s4.data).reshape(-1, s4.data.shape[-1])[spike.pixel].astype(float)
    a, b = channels[0] - 1, channels[-1] + 1  # the bridge joins the channels outside
    line = np.interp(channels, [a, b], [row[a], row[b]])
    np.testing.assert_allclose(new, np.maximum(line, 0), atol=0.5)  # integer data rounded
    tool.set_options(interpolator_kind="cubic")
    _, _, cubic = tool.proposal()
    assert not np.allclose(cubic, new)
    with pytest.raises(ValueError, match="default_spike_width"):
        tool.set_options(default_spike_width=-1)
    assert tool.search.default_spike_width == 2  # a refused value changes nothing


def test_removed_spike_is_shown_and_can_be_hidden(s4):
    tool = s4.spikes_removal_tool(display=False, random_state=0)
    tool.plot()
    first = tool.current
    _, old, new = tool.proposal()
    tool.remove_current()
    tool.previous()
    assert tool.current is first and first.status == "removed"
    lines = {ln.get_label(): ln for ln in tool.ax_spec.lines}
    np.testing.assert_array_equal(lines["removed spike"].get_ydata(), old)
    assert "replacement" not in lines
    tool.toggle_removed_spike()
    assert "removed spike" not in {ln.get_label() for ln in tool.ax_spec.lines}


def test_keys_drive_the_tool(s4):
    tool = s4.spikes_removal_tool(display=False, random_state=0)
    fig = tool.plot()
    n = tool.n_spikes
    _key(fig, "right")
    assert tool.index == 1
    _key(fig, "left")
    _key(fig, "delete")
    assert tool.n_removed == 1 and tool.index == 1
    _key(fig, "x")
    assert tool.spikes[1].status == "skipped"
    _key(fig, "a")
    assert tool.n_removed == n - 1
    thr = tool.derivative_threshold
    _key(fig, "up")
    assert tool.method == "derivative" and tool.threshold == pytest.approx(1.25 * thr)


def test_running_the_tool_again_replaces_it(s4):
    first = s4.spikes_removal_tool(display=False, random_state=0)
    first.plot()
    second = s4.spikes_removal_tool(display=False, random_state=0)
    second.plot()  # no "figure already exists"; the first tool's figure is closed
    assert not plt.fignum_exists(first.figure.number)
    other = hs.datasets.CL4().inav[32:, 32:]
    third = other.spikes_removal_tool(display=False, random_state=0)
    third.plot()  # another signal: both stay open
    assert plt.fignum_exists(second.figure.number) and plt.fignum_exists(third.figure.number)
    assert isinstance(third, SpikesRemovalTool)
