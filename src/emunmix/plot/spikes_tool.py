"""The interactive spike-removal tool of ``Signal1D.spikes_removal_tool()``.

For every spike found the tool shows the spectrum around it with the proposed
replacement, next to the derivative histogram (``|dI/dchannel|``) with its
threshold line. The user steps through the spikes (previous / next), removes or
keeps each one, or removes all that are left; changes the finder, its
threshold (typed, or by dragging the line on the histogram, which selects
HyperSpy's derivative finder), the replacement (low-rank model or
interpolation, linear or cubic, spike width) and whether noise is added; and
chooses whether the removed spike is drawn after its removal.

The logic works without any widget, so it can be scripted and tested; the
controls are ipywidgets in Jupyter (:mod:`.spikes_widgets`) and keys in a
Qt/Tk window (:data:`KEYS`). The finding and the replacement values come from
the signal layer's :class:`~emunmix.signal.spikes_search.SpikeSearch`; this
module only displays them and copies accepted replacements into the data.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from .backend import Connections, is_widget_backend
from .notebook import NotebookDisplay, close_figures, replace_view

_PENDING, _REMOVED, _SKIPPED = "pending", "removed", "skipped"
TITLE = "Spikes removal tool"
# key -> (action, help text); none of them is one of matplotlib's default keys
KEYS = {
    "right": ("next", "next spike"), "n": ("next", "next spike"),
    "left": ("previous", "previous spike"),
    "delete": ("remove_current", "remove spike"), "d": ("remove_current", "remove spike"),
    "x": ("skip", "don't remove"),
    "a": ("remove_all", "remove all"),
    "up": ("raise_threshold", "threshold x 1.25"),
    "down": ("lower_threshold", "threshold / 1.25"),
    "t": ("toggle_removed_spike", "show the removed spike"),
}
THRESHOLD_STEP = 1.25


@dataclass
class Spike:
    """One spike: its spectrum (flat navigation index), flagged channels and the
    channels its replacement changes (``start:stop``)."""

    pixel: int
    channel: int
    start: int
    stop: int
    status: str = _PENDING
    original: np.ndarray | None = None  # the values it replaced, once removed


def _runs(mask_rows: np.ndarray, changed_rows: np.ndarray) -> list[Spike]:
    """A :class:`Spike` per run of flagged channels, widened to the changed channels."""
    flagged = mask_rows
    starts = flagged & ~np.pad(flagged, ((0, 0), (1, 0)))[:, :-1]
    spikes = []
    n = mask_rows.shape[1]
    for p, c in zip(*np.nonzero(starts)):
        stop = c
        while stop < n and flagged[p, stop]:
            stop += 1
        region = changed_rows[p] | flagged[p]
        a, b = c, stop
        while a > 0 and region[a - 1]:
            a -= 1
        while b < n and region[b]:
            b += 1
        spikes.append(Spike(int(p), int(c), int(a), int(b)))
    return spikes


def derivative_magnitudes(rows: np.ndarray) -> np.ndarray:
    """``|dI/dchannel|`` values shown in the histogram (per-spectrum maxima for large images,
    as HyperSpy's tool does)."""
    der = np.abs(np.diff(rows.astype(float), axis=1))
    values = der.max(axis=1) if der.shape[0] >= 2000 else der.ravel()
    return values[np.isfinite(values)]


class SpikesRemovalTool(NotebookDisplay):
    """Step through the spikes of a signal and accept or skip their replacements.

    Parameters
    ----------
    signal : Signal1D
        The signal whose data are edited in place.
    search : SpikeSearch
        Finder and replacement settings; the tool changes them and searches again.

    Attributes
    ----------
    spikes : list of Spike
        Those found, each ``pending``, ``removed`` or ``skipped``.
    derivative_threshold : float
        The threshold line on the derivative histogram.
    show_removed_spike : bool
        Draw the values a removed spike had (dashed) over the cleaned spectrum.
    figure, ax_hist, ax_spec : the matplotlib figure and its two panels (after :meth:`plot`).
    widget : the ipywidgets box (after :meth:`display` in Jupyter).

    Examples
    --------
    >>> tool = s4.spikes_removal_tool(display=False)  # doctest: +SKIP
    >>> tool.set_threshold(8.0)  # doctest: +SKIP
    >>> tool.remove_current(); tool.skip(); tool.remove_all()  # doctest: +SKIP
    """

    def __init__(self, signal, search):
        self._note_creation()
        self.signal = signal
        self.search = search
        self.figure = self.widget = self._controls = None
        self.show_removed_spike = True
        self.message = ""
        self._connections = Connections()
        self._dragging = False
        # Jupyter may hand widget events over while a search runs: one action at a time
        self._lock = threading.RLock()
        self.refresh(find=True)

    # -- settings (a change searches again) ------------------------------------------
    @property
    def method(self) -> str:
        return self.search.method

    @property
    def threshold(self):
        return self.search.threshold

    def _rows(self, data):
        n = self.signal.axes_manager.signal_axes[0].size
        return np.asarray(data).reshape(-1, n)

    def refresh(self, find: bool = True) -> None:
        """Search the data as they are now (``find``) or only propose new replacements.

        Spikes already removed stay removed (their channels hold the
        replacement); spikes skipped before stay skipped.
        """
        data = np.asarray(self.signal.data)
        before = list(getattr(self, "spikes", [])) + list(getattr(self, "removed_spikes", []))
        skipped = {(s.pixel, s.channel) for s in before if s.status == _SKIPPED}
        removed = {(s.pixel, s.channel): s for s in before if s.status == _REMOVED}
        if find or getattr(self, "mask", None) is None:
            self.mask, self._model = self.search.find(data)
            self.derivative_threshold = self.search.derivative_threshold(data)
        self.cleaned = np.asarray(self.search.clean(data, self.mask, self._model))
        changed = self._rows(self.cleaned) != self._rows(data)
        current = self.current.pixel if getattr(self, "spikes", None) else None
        self.spikes = _runs(self._rows(self.mask), changed)
        for s in self.spikes:
            if (s.pixel, s.channel) in skipped:
                s.status = _SKIPPED
            elif (s.pixel, s.channel) in removed:  # found again where it was removed
                old = removed.pop((s.pixel, s.channel))
                s.status, s.original, s.start, s.stop = _REMOVED, old.original, old.start, \
                    old.stop
        self.removed_spikes = list(removed.values())  # removed, and no longer found
        self.index = 0
        if current is not None:  # stay near where the user was
            near = [i for i, s in enumerate(self.spikes) if s.pixel >= current]
            self.index = near[0] if near else max(self.n_spikes - 1, 0)
        self.update(histogram=True)

    def set_threshold(self, threshold, method: str | None = None) -> None:
        """Search again with a new threshold (and finder); "auto" is the finder's own.

        A bad value raises a ValueError and leaves the tool as it was.
        """
        from ..signal.spikes_search import check_threshold

        threshold = check_threshold(threshold)
        old = (self.search.method, self.search.threshold)
        self.search.method = method or self.search.method
        self.search.threshold = threshold
        try:
            self.search.check()
            self.refresh(find=True)
        except Exception:
            self.search.method, self.search.threshold = old
            raise

    def set_method(self, method: str) -> None:
        """Change the finder; its threshold goes back to "auto"."""
        self.set_threshold("auto", method=method)

    def set_options(self, **options) -> None:
        """Change replacement settings (``replacement``, ``interpolator_kind``,
        ``default_spike_width``, ``add_noise``): new proposals, same spikes."""
        unknown = set(options) - {"replacement", "interpolator_kind", "default_spike_width",
                                  "add_noise"}
        if unknown:
            raise TypeError(f"unknown option(s) {sorted(unknown)}")
        old = {k: getattr(self.search, k) for k in options}
        for k, v in options.items():
            setattr(self.search, k, v)
        try:
            self.search.check()
            self.refresh(find=False)
        except Exception:
            for k, v in old.items():
                setattr(self.search, k, v)
            raise

    def raise_threshold(self) -> None:
        """Derivative threshold x 1.25 (selects the derivative finder)."""
        self.set_threshold(self.derivative_threshold * THRESHOLD_STEP, method="derivative")

    def lower_threshold(self) -> None:
        """Derivative threshold / 1.25 (selects the derivative finder)."""
        self.set_threshold(self.derivative_threshold / THRESHOLD_STEP, method="derivative")

    def toggle_removed_spike(self) -> None:
        """Show or hide the removed spike's values."""
        self.show_removed_spike = not self.show_removed_spike
        self.update()

    # -- state ------------------------------------------------------------------------
    @property
    def n_spikes(self) -> int:
        return len(self.spikes)

    @property
    def current(self) -> Spike | None:
        """The spike on display (None when there is none)."""
        return self.spikes[self.index] if self.spikes else None

    @property
    def n_removed(self) -> int:
        """Spikes removed so far, including those removed before a new search."""
        return sum(s.status == _REMOVED for s in self.spikes) + len(self.removed_spikes)

    def navigation_indices(self, spike: Spike) -> tuple[int, ...]:
        """Natural-order (x, y, ...) navigation indices of a spike's spectrum."""
        shape = self.signal.axes_manager.navigation_shape[::-1]
        if not shape:
            return ()
        return tuple(int(i) for i in np.unravel_index(spike.pixel, shape)[::-1])

    def proposal(self, spike: Spike | None = None):
        """``(channels, original values, replacement values)`` of a spike's region."""
        spike = spike or self.current
        if spike is None:
            raise IndexError("there are no spikes")
        rows, new = self._rows(self.signal.data), self._rows(self.cleaned)
        sl = slice(spike.start, spike.stop)
        old = spike.original if spike.original is not None else rows[spike.pixel, sl].copy()
        return np.arange(spike.start, spike.stop), old, new[spike.pixel, sl].copy()

    # -- actions ------------------------------------------------------------------------
    def _go(self, step: int) -> None:
        if self.spikes:
            self.index = int(np.clip(self.index + step, 0, self.n_spikes - 1))
        self.update()

    def next(self) -> None:
        """Show the next spike."""
        self._go(1)

    def previous(self) -> None:
        """Show the previous spike."""
        self._go(-1)

    def _apply(self, spike: Spike) -> None:
        if spike.status == _REMOVED:
            return
        rows = self._rows(self.signal.data)  # a view: the signal's data change
        sl = slice(spike.start, spike.stop)
        spike.original = rows[spike.pixel, sl].copy()
        rows[spike.pixel, sl] = self._rows(self.cleaned)[spike.pixel, sl].astype(rows.dtype)
        spike.status = _REMOVED

    def remove_current(self) -> None:
        """Replace the current spike by its proposal, then go to the next one."""
        if self.current is not None:
            self._apply(self.current)
            self._go(1)

    def skip(self) -> None:
        """Leave the current spike as it is ("don't remove") and go to the next one."""
        if self.current is not None:
            if self.current.status == _PENDING:
                self.current.status = _SKIPPED
            self._go(1)

    def remove_all(self) -> None:
        """Replace every spike not yet removed or skipped."""
        for spike in self.spikes:
            if spike.status == _PENDING:
                self._apply(spike)
        self.update(histogram=True)

    # -- text -------------------------------------------------------------------------
    def threshold_text(self) -> str:
        unit = {"lowrank": "sigma", "derivative": "|dI/dchannel|",
                "median": "x robust noise"}[self.method]
        value = self.threshold if self.threshold == "auto" else f"{self.threshold:g}"
        return f"finder {self.method!r}, threshold {value} ({unit})"

    def status_text(self) -> str:
        if not self.spikes:
            return f"No spikes found ({self.threshold_text()}); removed {self.n_removed}."
        s = self.current
        axis = self.signal.axes_manager.signal_axes[0]
        energy = axis.offset + axis.scale * s.channel
        units = "" if axis.units in (None, "", "<undefined>") else f" {axis.units}"
        return (f"Spike {self.index + 1} of {self.n_spikes} at navigation "
                f"{self.navigation_indices(s)}, {energy:g}{units} ({s.status}); "
                f"removed {self.n_removed}")

    # -- drawing --------------------------------------------------------------------------
    def plot(self):
        """Draw the histogram and the current spike (a matplotlib figure)."""
        if self.figure is None:
            from .backend import new_figure

            self.figure = new_figure(figsize=(10, 4.0))
            self.ax_hist, self.ax_spec = self.figure.subplots(1, 2)
            manager = getattr(self.figure.canvas, "manager", None)
            if manager is not None:
                manager.set_window_title(TITLE)
            canvas = self.figure.canvas
            for name, handler in (("button_press_event", self._on_press),
                                  ("motion_notify_event", self._on_motion),
                                  ("button_release_event", self._on_release),
                                  ("key_press_event", self.on_key)):
                self._connections.connect(canvas, name, handler)
            self.figure._emunmix_spikes_tool = self  # handlers are held weakly
            replace_view(self.signal, "spikes_tool", self)
        self._draw_histogram()
        self._draw_spectrum()
        return self.figure

    def _draw_histogram(self) -> None:
        ax = self.ax_hist
        ax.clear()
        values = derivative_magnitudes(self._rows(self.signal.data))
        bins = min(self.search.max_num_bins, max(10, int(np.sqrt(values.size))))
        ax.hist(values, bins=bins, color="0.5", log=True)
        derivative = self.method == "derivative"
        self.threshold_line = ax.axvline(
            self.derivative_threshold, color="r", ls="-" if derivative else "--",
            label="threshold" if derivative else "derivative threshold (drag to use)")
        pending = [s for s in self.spikes if s.status == _PENDING]
        if pending:
            rows = self._rows(self.signal.data).astype(float)
            heights = [np.abs(np.diff(rows[s.pixel, max(s.start - 1, 0):s.stop + 1])).max()
                       for s in pending]
            ax.plot(heights, np.ones(len(heights)), "v", color="C1",
                    label=f"spikes left ({self.method})")
        ax.set_xlabel("|dI/dchannel|")
        ax.set_ylabel("count")
        ax.set_title("Derivative histogram")
        ax.legend(loc="upper right", fontsize="small")

    def _draw_spectrum(self) -> None:
        ax = self.ax_spec
        ax.clear()
        axis = self.signal.axes_manager.signal_axes[0]
        s = self.current
        if s is not None:
            lo, hi = max(s.start - 20, 0), min(s.stop + 20, axis.size)
            x = axis.offset + axis.scale * np.arange(lo, hi)
            ax.plot(x, self._rows(self.signal.data)[s.pixel, lo:hi], color="0.2", label="data")
            ch, old, new = self.proposal()
            xs = axis.offset + axis.scale * ch
            if s.status == _REMOVED:
                if self.show_removed_spike:
                    ax.plot(xs, old, "x--", color="C3", label="removed spike")
            else:
                ax.plot(xs, new, "o-", color="r", ms=3, label="replacement")
            ax.legend(loc="upper right", fontsize="small")
        ax.set_xlabel(f"{axis.name} ({axis.units})")
        ax.set_title(self.status_text(), fontsize="small")

    def update(self, histogram: bool = False) -> None:
        """Redraw what changed (no-op before :meth:`plot`) and the controls' status."""
        if self.figure is not None:
            if histogram:
                self._draw_histogram()
            self._draw_spectrum()
            self.figure.canvas.draw_idle()
        if self._controls is not None:
            self._controls.sync()

    # -- mouse and keys -------------------------------------------------------------------
    def _in_histogram(self, event) -> bool:
        toolbar = getattr(event.canvas, "toolbar", None)
        return (event.inaxes is self.ax_hist and event.xdata is not None
                and not (toolbar is not None and getattr(toolbar, "mode", "")))

    def _on_press(self, event) -> None:
        if event.button == 1 and self._in_histogram(event):
            self._dragging = True
            self._move_line(event.xdata)

    def _on_motion(self, event) -> None:
        if self._dragging and self._in_histogram(event):
            self._move_line(event.xdata)

    def _on_release(self, event) -> None:
        if not self._dragging:
            return
        self._dragging = False
        x = float(self.threshold_line.get_xdata()[0])
        if x > 0:
            self._guarded(self.set_threshold, x, method="derivative")

    def _move_line(self, x) -> None:
        self.threshold_line.set_xdata([x, x])
        self.figure.canvas.draw_idle()

    def on_key(self, event) -> None:
        """The keys of :data:`KEYS` (a Qt/Tk window has no widgets)."""
        action = KEYS.get(event.key or "")
        if action is not None:
            self._guarded(getattr(self, action[0]))

    def _guarded(self, func, *args, **kwargs) -> None:
        """Run an action from an event: a bad value is shown, never raised into the GUI."""
        with self._lock:
            try:
                func(*args, **kwargs)
                self.message = ""
            except ValueError as err:
                self.message = str(err)
        if self._controls is not None:
            self._controls.sync()

    # -- showing ------------------------------------------------------------------------
    def display(self):
        """Show the figure with its controls: ipywidgets in Jupyter, keys elsewhere."""
        import matplotlib.pyplot as plt

        from .backend import in_jupyter

        if in_jupyter():
            from .spikes_widgets import SpikesToolControls

            if is_widget_backend():
                with plt.ioff():  # shown once, inside the box with the controls
                    self.plot()
            else:
                self.plot()
            self._controls = SpikesToolControls(self)
            self.widget = self._controls.show()
            return self
        self.plot()
        keys = ", ".join(f"{k}: {h}" for k, (_, h) in KEYS.items() if k not in ("n", "d"))
        self.figure.supxlabel(f"Keys - {keys}; drag the red line to set the threshold",
                              fontsize="x-small")
        plt.show(block=False)
        return self

    def close(self) -> None:
        """Close the figure and the controls (the data keep what was removed)."""
        self._connections.disconnect()
        if self.figure is not None:
            close_figures([self.figure])
        if self._controls is not None:
            self._controls.close()

    def __repr__(self) -> str:
        return f"<SpikesRemovalTool: {self.n_spikes} spikes, {self.n_removed} removed>"
