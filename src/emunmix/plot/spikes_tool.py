"""The interactive spike-removal tool of ``Signal1D.spikes_removal_tool()``.

The tool shows, for every spike found, the spectrum around it with the
proposed replacement, next to the derivative histogram with the threshold;
buttons go to the previous / next spike, remove or skip it, or remove all that
are left. The finding and the replacement values are computed by the signal
layer (``refind``, ``cleaned``): this module only displays them and copies the
accepted replacements into the signal's data.

The logic (``next``, ``previous``, ``remove_current``, ``skip``,
``remove_all``, ``set_threshold``) works without any widget, so it can be
scripted and tested; ``display()`` adds ipywidgets buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

_PENDING, _REMOVED, _SKIPPED = "pending", "removed", "skipped"


@dataclass
class Spike:
    """One spike: its spectrum (flat navigation index), flagged channels and the
    channels its replacement changes (``start:stop``)."""

    pixel: int
    channel: int
    start: int
    stop: int
    status: str = _PENDING


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


class SpikesRemovalTool:
    """Step through the spikes of a signal and accept or skip their replacements.

    Parameters
    ----------
    signal : Signal1D
        The signal whose data are edited in place.
    mask : ndarray of bool, data shape
        Spike channels.
    cleaned : ndarray, data shape
        The data with every spike replaced (the proposals).
    threshold : "auto" or float
        The finder's threshold, shown on the histogram.
    method : str
        The finder ("derivative" draws its threshold on the derivative axis).
    max_num_bins : int
        Histogram bins.
    refind : callable, optional
        ``refind(threshold) -> (mask, cleaned)``, called when the threshold is
        changed (a click on the histogram or :meth:`set_threshold`).
    derivative_threshold : float, optional
        The derivative threshold to draw (default: the "derivative" method's
        threshold when numeric, else none).

    Examples
    --------
    >>> tool = s4.spikes_removal_tool(display=False)  # doctest: +SKIP
    >>> tool.remove_current(); tool.skip(); tool.remove_all()  # doctest: +SKIP
    """

    def __init__(self, signal, mask, cleaned, threshold="auto", method="lowrank",
                 max_num_bins=1000, refind: Callable | None = None,
                 derivative_threshold: float | None = None, **_ignored):
        self.signal = signal
        self.threshold = threshold
        self.method = method
        self.max_num_bins = int(max_num_bins)
        self.refind = refind
        self.derivative_threshold = derivative_threshold
        self.figure = None
        self._widgets = None
        self._load(mask, cleaned)

    # -- state ------------------------------------------------------------------
    def _rows(self, data):
        n = self.signal.axes_manager.signal_axes[0].size
        return np.asarray(data).reshape(-1, n)

    def _load(self, mask, cleaned):
        self.mask = np.asarray(mask, dtype=bool)
        self.cleaned = np.asarray(cleaned)
        data_rows = self._rows(self.signal.data)
        changed = self._rows(self.cleaned) != data_rows
        self.spikes = _runs(self._rows(self.mask), changed)
        self.index = 0

    @property
    def n_spikes(self) -> int:
        return len(self.spikes)

    @property
    def current(self) -> Spike | None:
        """The spike on display (None when there is none)."""
        return self.spikes[self.index] if self.spikes else None

    @property
    def n_removed(self) -> int:
        return sum(s.status == _REMOVED for s in self.spikes)

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
        return np.arange(spike.start, spike.stop), rows[spike.pixel, sl].copy(), \
            new[spike.pixel, sl].copy()

    # -- actions ------------------------------------------------------------------
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
        data = self.signal.data
        values = self._rows(self.cleaned)[spike.pixel, spike.start:spike.stop]
        nav = np.unravel_index(spike.pixel, data.shape[:-1]) if data.ndim > 1 else ()
        data[tuple(int(i) for i in nav) + (slice(spike.start, spike.stop),)] = \
            values.astype(data.dtype)
        spike.status = _REMOVED

    def remove_current(self) -> None:
        """Replace the current spike by its proposal, then go to the next one."""
        if self.current is not None:
            self._apply(self.current)
            self._go(1)

    def skip(self) -> None:
        """Leave the current spike as it is and go to the next one."""
        if self.current is not None:
            if self.current.status == _PENDING:
                self.current.status = _SKIPPED
            self._go(1)

    def remove_all(self) -> None:
        """Replace every spike not yet removed or skipped."""
        for spike in self.spikes:
            if spike.status == _PENDING:
                self._apply(spike)
        self.update()

    def set_threshold(self, threshold) -> None:
        """Find the spikes again with a new threshold (spikes already removed stay removed)."""
        if self.refind is None:
            raise RuntimeError("this tool was built without a finder; the threshold is fixed")
        mask, cleaned = self.refind(threshold)
        self.threshold = threshold
        if self.method == "derivative":
            self.derivative_threshold = float(threshold)
        self._load(mask, cleaned)
        self.update()

    # -- drawing --------------------------------------------------------------------
    def status_text(self) -> str:
        if not self.spikes:
            return "No spikes found."
        s = self.current
        axis = self.signal.axes_manager.signal_axes[0]
        energy = axis.offset + axis.scale * s.channel
        units = "" if axis.units == "<undefined>" else f" {axis.units}"
        return (f"Spike {self.index + 1} of {self.n_spikes} at navigation "
                f"{self.navigation_indices(s)}, {energy:g}{units} ({s.status}); "
                f"removed {self.n_removed}")

    def plot(self):
        """Draw the histogram and the current spike (a matplotlib figure)."""
        import matplotlib.pyplot as plt

        if self.figure is None:
            self.figure, (self.ax_hist, self.ax_spec) = plt.subplots(
                1, 2, figsize=(10, 3.8), num="Spikes removal tool")
            self.figure.canvas.mpl_connect("button_press_event", self._on_click)
        self._draw_histogram()
        self._draw_spectrum()
        return self.figure

    def _draw_histogram(self):
        ax = self.ax_hist
        ax.clear()
        values = derivative_magnitudes(self._rows(self.signal.data))
        bins = min(self.max_num_bins, max(10, int(np.sqrt(values.size))))
        ax.hist(values, bins=bins, color="0.5", log=True)
        if self.derivative_threshold is not None:
            label = ("threshold" if self.method == "derivative"
                     else "derivative threshold (auto)")
            ax.axvline(self.derivative_threshold, color="r", label=label)
        if self.spikes:
            rows = self._rows(self.signal.data).astype(float)
            heights = [np.abs(np.diff(rows[s.pixel, max(s.start - 1, 0):s.stop + 1])).max()
                       for s in self.spikes]
            ax.plot(heights, np.ones(len(heights)), "v", color="C1",
                    label=f"spikes found ({self.method})")
        ax.set_xlabel("|dI/dE| (per channel)")
        ax.set_ylabel("count")
        ax.set_title("Derivative histogram")
        ax.legend(loc="upper right", fontsize="small")

    def _draw_spectrum(self):
        ax = self.ax_spec
        ax.clear()
        axis = self.signal.axes_manager.signal_axes[0]
        if self.current is not None:
            s = self.current
            lo, hi = max(s.start - 20, 0), min(s.stop + 20, axis.size)
            x = axis.offset + axis.scale * np.arange(lo, hi)
            row = self._rows(self.signal.data)[s.pixel, lo:hi]
            ax.plot(x, row, color="0.2", label="data")
            ch, _, new = self.proposal()
            ax.plot(axis.offset + axis.scale * ch, new, "o-", color="r", label="replacement")
            ax.legend(loc="upper right", fontsize="small")
        ax.set_xlabel(f"{axis.name} ({axis.units})")
        ax.set_title(self.status_text(), fontsize="small")

    def update(self) -> None:
        """Redraw what is shown (no-op before :meth:`plot`)."""
        if self.figure is not None:
            self._draw_histogram()
            self._draw_spectrum()
            self.figure.canvas.draw_idle()
        if self._widgets is not None:
            self._widgets["status"].value = self.status_text()

    def _on_click(self, event):
        if event.inaxes is getattr(self, "ax_hist", None) and event.xdata is not None \
                and self.method == "derivative" and self.refind is not None:
            self.set_threshold(float(event.xdata))

    def display(self):
        """Show the figure and the buttons (ipywidgets) in the notebook."""
        import ipywidgets as widgets
        from IPython.display import display

        self.plot()
        buttons = {}
        for name, action in (("Previous", self.previous), ("Next", self.next),
                             ("Remove", self.remove_current), ("Skip", self.skip),
                             ("Remove all", self.remove_all)):
            b = widgets.Button(description=name)
            b.on_click(lambda _b, f=action: f())
            buttons[name] = b
        status = widgets.Label(self.status_text())
        self._widgets = {"status": status, **buttons}
        box = widgets.VBox([widgets.HBox(list(buttons.values())), status])
        canvas = self.figure.canvas
        display(widgets.VBox([canvas, box]) if isinstance(canvas, widgets.DOMWidget) else box)
        if not isinstance(canvas, widgets.DOMWidget):
            import matplotlib.pyplot as plt

            plt.show()
        return self

    def __repr__(self) -> str:
        return f"<SpikesRemovalTool: {self.n_spikes} spikes, {self.n_removed} removed>"
