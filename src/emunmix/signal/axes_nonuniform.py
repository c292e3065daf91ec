"""Non-uniform axes: an axis given point by point by its values.

Wavelength axes of CL/PL spectrometers (Delmic, Hamamatsu, Horiba, TriVista) and
Raman shift axes (Renishaw) are not linear in the channel index. HyperSpy calls
such an axis a ``DataAxis`` with ``is_uniform = False``; it has values but no
``scale`` or ``offset``. Values must be strictly monotonic (increasing or
decreasing) so that a value names one channel.
"""

from __future__ import annotations

import copy

import numpy as np

from ..exceptions import NonUniformAxisError
from ..validation import check_axis_value
from .axis import _UNDEFINED, DataAxis

__all__ = ["NonUniformAxisError", "NonUniformDataAxis", "require_uniform"]


class NonUniformDataAxis(DataAxis):
    """An axis given by its values (``axis``), monotonic, of any spacing.

    Parameters
    ----------
    axis : array_like
        The calibrated value of every point, strictly increasing or decreasing.
    name, units, navigate, is_binned
        As for :class:`DataAxis`.

    Examples
    --------
    >>> ax = NonUniformDataAxis(axis=[400.0, 401.0, 403.0, 406.0], name="Wavelength")
    >>> ax.value2index(402.9)
    2
    >>> ax.is_uniform
    False
    """

    is_uniform = False

    def __init__(self, axis=None, name: str = _UNDEFINED, units: str = _UNDEFINED,
                 navigate: bool = True, is_binned: bool = False, size: int | None = None,
                 **_ignored):
        if axis is None:
            raise ValueError(f"non-uniform axis {name!r} needs its values (axis=...)")
        values = np.array(axis, dtype=float).ravel()
        if size is not None and int(size) != values.size:
            raise ValueError(
                f"non-uniform axis {name!r}: {values.size} values for an axis of size {size}"
            )
        if values.size == 0 or not np.all(np.isfinite(values)):
            raise ValueError(f"non-uniform axis {name!r}: values must be finite and non-empty")
        steps = np.diff(values)
        if values.size > 1 and not (np.all(steps > 0) or np.all(steps < 0)):
            raise ValueError(
                f"non-uniform axis {name!r}: values must be strictly increasing or "
                "decreasing (each value names one channel)"
            )
        self._values = values
        self.name = name if name is not None else _UNDEFINED
        self.units = units if units is not None else _UNDEFINED
        self.navigate = bool(navigate)
        self.is_binned = bool(is_binned)

    # -- what a uniform axis has and this one has not ------------------------------
    def _no_calibration(self, what: str):
        raise NonUniformAxisError(
            f"axis {self.name!r} is non-uniform (given by its values): it has no {what}; "
            "use .axis for its values, or .index2value/.value2index"
        )

    @property
    def scale(self):
        self._no_calibration("scale")

    @property
    def offset(self):
        self._no_calibration("offset")

    @property
    def size(self) -> int:
        return int(self._values.size)

    @size.setter
    def size(self, value) -> None:
        if int(value) != self._values.size:
            raise ValueError(f"non-uniform axis {self.name!r}: change its values, not its size")

    # -- values ------------------------------------------------------------------
    @property
    def axis(self) -> np.ndarray:
        """The calibrated coordinate of every point (a copy)."""
        return self._values.copy()

    @property
    def low_value(self) -> float:
        return float(self._values.min())

    @property
    def high_value(self) -> float:
        return float(self._values.max())

    def index2value(self, index):
        """Value(s) at integer index(es)."""
        return self._values[np.asarray(index)]

    def _ascending(self) -> tuple[np.ndarray, bool]:
        rising = self.size < 2 or self._values[1] > self._values[0]
        return (self._values if rising else self._values[::-1]), rising

    def _nearest(self, arr: np.ndarray) -> np.ndarray:
        values, rising = self._ascending()
        right = np.clip(np.searchsorted(values, arr), 1, max(values.size - 1, 1))
        left = right - 1
        if values.size == 1:
            idx = np.zeros_like(arr, dtype=int)
        else:
            # ties go to the upper index, as floor(x + 0.5) does on a uniform axis
            idx = np.where(arr - values[left] < values[right] - arr, left, right)
        return idx if rising else values.size - 1 - idx

    def _half_steps(self) -> tuple[float, float]:
        values, _ = self._ascending()
        if values.size < 2:
            return 0.5, 0.5
        return (values[1] - values[0]) / 2, (values[-1] - values[-2]) / 2

    def value2index(self, value, rounding=round):
        """Index of the point nearest to ``value`` (values within half a step of the
        ends count as the end points).

        Raises
        ------
        IndexError
            If the value lies outside the axis range.
        """
        if value is None:
            return None
        check_axis_value(value, self.name)
        arr = np.asarray(value, dtype=float)
        lo_half, hi_half = self._half_steps()
        if np.any(arr < self.low_value - lo_half) or np.any(arr > self.high_value + hi_half):
            raise IndexError(
                f"value {value} is out of the range of axis {self.name!r} "
                f"[{self.low_value:g}, {self.high_value:g}] {self.units}"
            )
        idx = self._nearest(arr).astype(int)
        return int(idx) if idx.ndim == 0 else idx

    def value2index_clip(self, value: float) -> int:
        """Like :meth:`value2index` for slice bounds: values beyond the ends clip
        (the stop bound past the last point gives ``size``)."""
        values, rising = self._ascending()
        if rising:
            if value > values[-1] + self._half_steps()[1]:
                return self.size
            if value < values[0]:
                return 0
        else:
            if value < values[0] - self._half_steps()[0]:
                return self.size
            if value > values[-1]:
                return 0
        return int(self._nearest(np.asarray(float(value))))

    def _slice(self, key: slice) -> slice:
        if isinstance(key.step, (float, np.floating)):
            raise TypeError(
                f"axis {self.name!r} is non-uniform: a slice step must be an integer "
                "number of channels"
            )
        return super()._slice(key)

    def sliced(self, start: int, stop: int, step: int) -> NonUniformDataAxis:
        """The axis of ``data[start:stop:step]`` along this axis."""
        new = self.copy()
        new._values = self._values[slice(start, stop if stop >= 0 else None, step)]
        return new

    # -- copies ------------------------------------------------------------------
    def get_axis_dictionary(self) -> dict:
        """Plain dict in RosettaSciIO/HyperSpy form (``_type`` "DataAxis", ``axis``)."""
        return {
            "_type": "DataAxis",
            "name": self.name,
            "units": self.units,
            "navigate": self.navigate,
            "is_binned": self.is_binned,
            "size": self.size,
            "axis": self._values.copy(),
        }

    def copy(self) -> NonUniformDataAxis:
        new = copy.copy(self)
        new._values = self._values.copy()
        return new

    def __repr__(self) -> str:
        return (f"<{self.name} axis, size: {self.size}"
                + (", index: nav" if self.navigate else "")
                + f", non-uniform {self.low_value:g} to {self.high_value:g}"
                + (f" {self.units}" if self.units != _UNDEFINED else "") + ">")

    def __eq__(self, other) -> bool:
        if not isinstance(other, DataAxis):
            return NotImplemented
        if not isinstance(other, NonUniformDataAxis):
            return False
        mine, theirs = self.get_axis_dictionary(), other.get_axis_dictionary()
        return (np.array_equal(mine.pop("axis"), theirs.pop("axis")) and mine == theirs)

    __hash__ = None


def require_uniform(axis: DataAxis, operation: str) -> None:
    """Raise a clear error when ``operation`` needs a uniform ``axis``."""
    if not getattr(axis, "is_uniform", True):
        raise NonUniformAxisError(
            f"{operation} needs a uniform axis (offset + scale x index), but axis "
            f"{axis.name!r} is non-uniform (given by its values). Interpolate the data "
            "onto a uniform axis first."
        )
