"""What an automatic spike removal did: :class:`SpikesRemovalReport` and its positions."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class SpikesRemovalReport:
    """What an automatic spike removal did.

    Attributes
    ----------
    n_spikes : int
        Spikes found and replaced (runs of adjacent flagged channels count once).
    n_spectra : int
        Spectra holding at least one spike.
    n_spectra_total : int
        Spectra searched.
    n_channels_changed : int
        Data values replaced (a bridge of +-``default_spike_width`` channels
        counts all its channels).
    positions : list of tuple
        One ``(navigation indices in natural order (x, y, ...), channel index,
        energy)`` entry per spike.
    mask : numpy.ndarray of bool
        The flagged channels, data shape.
    method, threshold
        The finder and its threshold as given.
    """

    n_spikes: int
    n_spectra: int
    n_spectra_total: int
    n_channels_changed: int
    positions: list = field(repr=False)
    mask: np.ndarray = field(repr=False)
    method: str = "lowrank"
    threshold: object = "auto"
    units: str = ""

    def summary(self) -> str:
        """One line: how many spikes, in how many spectra, and the first positions."""
        where = ", ".join(
            f"{tuple(int(i) for i in nav)}@{energy:g}{self.units}"
            for nav, _, energy in self.positions[:3])
        more = ", ..." if len(self.positions) > 3 else ""
        return (f"Removed {self.n_spikes} spike(s) in {self.n_spectra} of "
                f"{self.n_spectra_total} spectra ({self.n_channels_changed} values changed; "
                f"method {self.method!r}, threshold {self.threshold!r})"
                + (f" at {where}{more}" if where else ""))

    def __str__(self) -> str:
        return self.summary()

    def __post_init__(self):
        from ..display_text import execution_count

        self._made_in = execution_count()

    def _ipython_display_(self) -> None:
        """As a cell's last line: nothing (its summary was printed); later: the summary."""
        from ..display_text import execution_count

        if self._made_in is None or self._made_in != execution_count():
            print(self.summary())


def _spike_positions(signal, mask) -> list:
    """(navigation indices natural order, channel, energy) of each run of flagged channels."""
    axis = signal.axes_manager.signal_axes[0]
    nav_shape, n = mask.shape[:-1], mask.shape[-1]
    flat = np.flatnonzero(mask)  # spikes are sparse: work on their indices only
    channel = flat % n
    start = (channel == 0) | (np.diff(flat, prepend=-2) != 1)
    out = []
    for f in flat[start]:
        p, c = divmod(int(f), n)
        nav = np.unravel_index(p, nav_shape)[::-1] if nav_shape else ()
        out.append((tuple(int(i) for i in nav), c, float(axis.offset + axis.scale * c)))
    return out


def _units(signal) -> str:
    u = signal.axes_manager.signal_axes[0].units
    return "" if u in (None, "", "<undefined>") else f" {u}"
