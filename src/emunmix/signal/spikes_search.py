"""The settings of a spike search and their two steps: find the spikes, propose replacements.

``spikes_removal_tool`` makes one :class:`SpikeSearch` from its arguments; the
automatic mode runs it once, the interactive tool changes its settings (finder,
threshold, replacement, interpolation, spike width, noise) and runs it again on
the data as they are, so spikes already removed stay removed. Only the kernels
of :mod:`emunmix.preprocess.spikes` compute anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..preprocess import spikes as _kernels

FINDERS = ("lowrank", "derivative", "median")
REPLACEMENTS = ("auto", "lowrank", "interpolate")
INTERPOLATORS = ("linear", "cubic")


def check_threshold(threshold, name="threshold"):
    """``"auto"`` or a finite positive float; a ValueError that says so otherwise."""
    if isinstance(threshold, str) and threshold.strip().lower() == "auto":
        return "auto"
    if isinstance(threshold, str) and not _looks_numeric(threshold):
        raise ValueError(f"{name} must be 'auto' or a positive number, got {threshold!r}")
    try:
        value = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 'auto' or a positive number, got {threshold!r}") \
            from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be 'auto' or a positive number, got {threshold!r}")
    return value


def _looks_numeric(text: str) -> bool:
    """A typed number ("8", "2.5e3"), as the tool's threshold field gives it."""
    try:
        float(text)
    except ValueError:
        return False
    return True


def restore_dtype(new, old_dtype):
    """Cleaned float data back in the data's dtype (integers rounded and clipped)."""
    if np.issubdtype(old_dtype, np.integer):
        info = np.iinfo(old_dtype)
        return np.clip(np.rint(new), info.min, info.max).astype(old_dtype)
    return new


@dataclass
class SpikeSearch:
    """Finder and replacement settings, and the masks they apply to.

    Attributes
    ----------
    method : {"lowrank", "derivative", "median"}
        The finder (see ``Signal1D.find_spikes``).
    threshold : "auto" or float
        The finder's threshold, in its own unit (sigma, ``|dI/dchannel|``,
        times the robust noise).
    replacement : {"auto", "lowrank", "interpolate"}
        "auto": the low-rank model's value with the "lowrank" finder, the
        interpolated bridge with the others.
    interpolator_kind : {"linear", "cubic"}
    default_spike_width : int
        Channels bridged each side of a spike by "interpolate".
    add_noise : bool
        Poisson noise on the replacement values.
    """

    method: str = "lowrank"
    threshold: object = "auto"
    replacement: str = "auto"
    interpolator_kind: str = "linear"
    default_spike_width: int = 5
    add_noise: bool = True
    signal_mask: np.ndarray | None = None
    navigation_mask: np.ndarray | None = None
    max_num_bins: int = 1000
    random_state: object = None
    finder_options: dict = field(default_factory=dict)

    def __post_init__(self):
        self.check()

    def check(self) -> None:
        """Raise a ValueError naming any setting that is not allowed."""
        if self.method not in FINDERS:
            raise ValueError(f"method must be one of {FINDERS}, got {self.method!r}")
        if self.replacement not in REPLACEMENTS:
            raise ValueError(f"replacement must be one of {REPLACEMENTS}, "
                             f"got {self.replacement!r}")
        if self.interpolator_kind not in INTERPOLATORS:
            raise ValueError(f"interpolator_kind must be one of {INTERPOLATORS}, "
                             f"got {self.interpolator_kind!r}")
        width = self.default_spike_width
        if isinstance(width, bool) or int(width) != width or width < 0:
            raise ValueError(f"default_spike_width must be a whole number >= 0, got {width!r}")
        self.default_spike_width = int(width)
        self.threshold = check_threshold(self.threshold)

    def find(self, data):
        """``(mask, model)``: the spike channels (and the low-rank model, else None)."""
        lowrank = self.method == "lowrank"
        found = _kernels.find_spikes(
            data, threshold=self.threshold, method=self.method, signal_mask=self.signal_mask,
            navigation_mask=self.navigation_mask, max_num_bins=self.max_num_bins,
            random_state=self.random_state, return_model=lowrank,
            **(self.finder_options if lowrank else {}))
        return found if lowrank else (found, None)

    def clean(self, data, mask, model=None):
        """The data with every spike of ``mask`` replaced (a new array, data's dtype)."""
        replacement = self.replacement
        if replacement == "auto":
            replacement = "lowrank" if model is not None else "interpolate"
        cleaned = _kernels.remove_spikes(
            data, mask, add_noise=self.add_noise, default_spike_width=self.default_spike_width,
            interpolator_kind=self.interpolator_kind, replacement=replacement, model=model,
            random_state=self.random_state)
        return restore_dtype(cleaned, np.asarray(data).dtype)

    def run(self, data):
        """``(mask, cleaned, model)`` for ``data``."""
        mask, model = self.find(data)
        return mask, self.clean(data, mask, model), model

    def derivative_threshold(self, data) -> float:
        """The threshold on ``|dI/dchannel|`` to draw on the derivative histogram: the
        "derivative" finder's own, else HyperSpy's automatic one."""
        if self.method == "derivative" and self.threshold != "auto":
            return float(self.threshold)
        return float(_kernels.derivative_histogram_threshold(
            data, max_num_bins=self.max_num_bins, navigation_mask=self.navigation_mask,
            signal_mask=self.signal_mask))
