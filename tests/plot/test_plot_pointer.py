"""The pointer follows clicks, drags and arrow keys; a move touches one spectrum only."""

import gc

import numpy as np
import pytest

from emunmix.plot import Pointer
from emunmix.plot.blit import FastRedraw
from emunmix.signal import EELSSpectrum


def test_pointer_clips_and_notifies():
    seen = []
    p = Pointer((4, 3))
    p.add_listener(seen.append)
    assert p.set_indices((9, -2)) and p.indices == (3, 0)
    assert not p.set_indices((3, 0))  # no move, no notification
    assert p.move(1, 1) and p.indices == (3, 1)
    assert not p.move(2, 1)  # no third axis
    assert seen == [(3, 0), (3, 1)]
    with pytest.raises(ValueError, match="2 navigation indices"):
        p.set_indices((1,))


def test_click_on_navigator_moves_pointer(si, click):
    p = si.plot()
    click(p.navigator_ax, 10 + 2 * 5, -1 + 0.5 * 3)  # calibrated centre of x=5, y=3
    assert p.pointer.indices == (5, 3)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[3, 5])
    click(p.navigator_ax, 10 + 2 * 7.3, -1 + 0.5 * 0.8)  # nearest pixel
    assert p.pointer.indices == (7, 1)


def test_drag_moves_pointer_until_release(si, click):
    p = si.plot()
    click(p.navigator_ax, 12, -1)
    click(p.navigator_ax, 16, 0, name="motion_notify_event")
    assert p.pointer.indices == (3, 2)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[2, 3])
    click(p.navigator_ax, 16, 0, name="button_release_event")
    click(p.navigator_ax, 20, 1, name="motion_notify_event")
    assert p.pointer.indices == (3, 2)


def test_clicks_elsewhere_or_other_buttons_do_nothing(si, click):
    p = si.plot()
    click(p.signal_ax, 310, 100)
    click(p.navigator_ax, 20, 1, button=3)
    assert p.pointer.indices == (0, 0)


def test_arrow_keys_move_pointer(si, press):
    p = si.plot()
    fig = p.figure
    press(fig, "right")
    press(fig, "right")
    press(fig, "down")
    assert p.pointer.indices == (2, 1)
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[1, 2])
    press(fig, "up")
    press(fig, "left")
    assert p.pointer.indices == (1, 0)
    press(fig, "shift+right")  # ten steps, clipped to the last column
    assert p.pointer.indices == (8, 0)
    press(fig, "up")  # already at the top
    assert p.pointer.indices == (8, 0)
    press(fig, "a")
    assert p.pointer.indices == (8, 0)


def test_keys_work_in_both_separate_figures(si, press):
    p = si.plot(separate_figures=True)
    press(p.navigator_figure, "right")
    press(p.figure, "down")
    assert p.pointer.indices == (1, 1)


def test_plot_keeps_working_without_a_reference(si, press):
    fig = si.plot().figure  # the SignalPlot itself is dropped
    gc.collect()
    press(fig, "right")
    assert si.axes_manager.indices == (1, 0)
    np.testing.assert_array_equal(fig.axes[1].lines[0].get_ydata(), si.data[0, 1])


class CountingArray(np.ndarray):
    """An ndarray that records every index it is read with (and every sum)."""

    keys: list = []
    sums = 0

    def __getitem__(self, key):
        CountingArray.keys.append(key)
        return np.asarray(self).__getitem__(key)

    def sum(self, *args, **kwargs):
        CountingArray.sums += 1
        return np.asarray(self).sum(*args, **kwargs)


def test_pointer_move_reads_one_spectrum_and_not_the_navigator(press, click):
    data = np.random.default_rng(0).random((64, 64, 256)).astype(np.float32)
    counted = data.view(CountingArray)
    s = EELSSpectrum(counted, axes=[
        {"name": "y", "units": "nm"}, {"name": "x", "units": "nm"},
        {"name": "Energy loss", "units": "eV", "navigate": False}])
    assert isinstance(s.data, CountingArray)
    p = s.plot()
    navigator_array = p.navigator_image.get_array()
    assert CountingArray.sums == 1
    CountingArray.keys.clear()
    press(p.figure, "right")
    press(p.figure, "down")
    click(p.navigator_ax, 40, 17)
    assert CountingArray.keys == [(0, 1), (1, 1), (17, 40)]  # one spectrum per move
    assert CountingArray.sums == 1  # the navigator was not recomputed
    assert p.navigator_image.get_array() is navigator_array
    np.testing.assert_array_equal(p.lines[0].get_ydata(), data[17, 40])


def test_interactive_moves_blit_instead_of_redrawing(si, press):
    p = si.plot(autoscale=False)  # fixed y limits: only the line changes
    # what an interactive backend (Qt, ipympl) gets: blitting over a cached background
    p._redraws = [FastRedraw(fig, fast.artists, blit=True, interactive=True)
                  for fig, fast in zip(p.figures, p._redraws)]
    fast = p._redraws[0]
    assert all(a.get_animated() for a in fast.artists)
    assert p.lines[0] in fast.artists and p.navigator.marker in fast.artists
    p.figure.canvas.draw()
    assert fast.n_full_draws == 1 and fast.background is not None
    for key in ("right", "down", "right"):
        press(p.figure, key)
    assert fast.n_blits == 3 and fast.n_full_draws == 1
    np.testing.assert_array_equal(p.lines[0].get_ydata(), si.data[1, 2])


def test_interactive_limit_change_redraws_in_full(si, press):
    p = si.plot()
    p._redraws = [FastRedraw(fig, fast.artists, blit=True, interactive=True)
                  for fig, fast in zip(p.figures, p._redraws)]
    fast = p._redraws[0]
    p.figure.canvas.draw()
    p.pointer.set_indices((8, 5))  # far brighter than pixel (0, 0): new y limits
    assert fast.n_full_draws == 2 and fast.n_blits == 0


def test_interactive_layout_is_computed_once_per_size(si):
    p = si.plot()
    fast = FastRedraw(p.figure, [], blit=False, interactive=True)
    p.figure.canvas.draw()
    assert p.figure.get_layout_engine().__class__.__name__ != "ConstrainedLayoutEngine"
    fast._thaw_layout(None)  # what a resize_event does
    assert p.figure.get_layout_engine().__class__.__name__ == "ConstrainedLayoutEngine"


def test_saved_figure_contains_the_animated_line(si, tmp_path):
    import matplotlib.image as mpimg

    p = si.plot()
    p._redraws = [FastRedraw(fig, fast.artists, blit=True, interactive=True)
                  for fig, fast in zip(p.figures, p._redraws)]
    p.figure.savefig(tmp_path / "with.png", dpi=50)
    p.lines[0].set_visible(False)
    p.figure.savefig(tmp_path / "without.png", dpi=50)
    assert not np.array_equal(mpimg.imread(tmp_path / "with.png"),
                              mpimg.imread(tmp_path / "without.png"))
