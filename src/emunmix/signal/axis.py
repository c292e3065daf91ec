"""One calibrated, uniform axis (``offset + scale * index``): :class:`DataAxis`.

Axes given by their values are :class:`~emunmix.signal.axes_nonuniform.NonUniformDataAxis`;
the signal's axes together are the :class:`~emunmix.signal.axes.AxesManager`.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from emunmix.exceptions import InvalidIndexError
from emunmix.validation import check_axis_value

_UNDEFINED = "<undefined>"


class DataAxis:
    """One uniformly calibrated axis: ``value = offset + scale * index``.

    Parameters
    ----------
    size : int
        Number of points.
    name : str, optional
        Axis name ("x", "Energy loss", ...).
    units : str, optional
        Units ("nm", "eV", ...).
    scale, offset : float
        Calibration.
    navigate : bool
        True for a navigation axis, False for a signal axis.

    Examples
    --------
    >>> ax = DataAxis(1024, name="Energy loss", units="eV", scale=0.5, offset=400.0)
    >>> ax.value2index(500.0)
    200
    >>> float(ax.index2value(200))
    500.0
    """

    def __init__(
        self,
        size: int,
        name: str = _UNDEFINED,
        units: str = _UNDEFINED,
        scale: float = 1.0,
        offset: float = 0.0,
        navigate: bool = True,
        is_binned: bool = False,
        **_ignored,
    ):
        self.size = int(size)
        # None is "not given"; an empty name from a file stays empty, as in HyperSpy
        self.name = name if name is not None else _UNDEFINED
        self.units = units if units is not None else _UNDEFINED
        self.scale = float(scale)
        self.offset = float(offset)
        self.navigate = bool(navigate)
        self.is_binned = bool(is_binned)
        if not math.isfinite(self.scale) or not math.isfinite(self.offset):
            raise ValueError(f"axis {self.name!r}: scale and offset must be finite")
        # a zero scale (TVIPS time axes, uncalibrated readers) is kept as the file says;
        # only converting values to indices needs a non-zero one

    is_uniform = True

    # -- values ------------------------------------------------------------------
    @property
    def axis(self) -> np.ndarray:
        """The calibrated coordinate of every point."""
        return self.offset + self.scale * np.arange(self.size)

    @property
    def low_value(self) -> float:
        return float(min(self.offset, self.offset + self.scale * (self.size - 1)))

    @property
    def high_value(self) -> float:
        return float(max(self.offset, self.offset + self.scale * (self.size - 1)))

    @property
    def low_index(self) -> int:
        return 0

    @property
    def high_index(self) -> int:
        return self.size - 1

    def index2value(self, index):
        """Calibrated value(s) of integer index(es)."""
        return self.offset + self.scale * np.asarray(index)

    def value2index(self, value, rounding=round):
        """Index of the point nearest to calibrated ``value``.

        Raises
        ------
        IndexError
            If the value lies outside the axis range; the message names the
            axis and its range.
        """
        if value is None:
            return None
        check_axis_value(value, self.name)
        arr = np.asarray(value, dtype=float)
        self._check_calibrated()
        idx = (arr - self.offset) / self.scale
        if rounding is round:
            idx = np.floor(idx + 0.5)
        else:
            idx = rounding(idx)
        half = abs(self.scale) / 2
        if np.any(arr < self.low_value - half) or np.any(arr > self.high_value + half):
            raise IndexError(
                f"value {value} is out of the range of axis {self.name!r} "
                f"[{self.low_value:g}, {self.high_value:g}] {self.units}"
            )
        idx = np.clip(idx, 0, self.size - 1).astype(int)
        return int(idx) if idx.ndim == 0 else idx

    def _check_calibrated(self) -> None:
        if self.scale == 0:
            raise ValueError(
                f"axis {self.name!r} has scale 0: its points cannot be told apart by value; "
                "index it with integers, or set axis.scale"
            )

    def _check_index(self, index: int) -> int:
        if not -self.size <= index < self.size:
            raise IndexError(
                f"index {index} is out of range for axis {self.name!r} of size "
                f"{self.size} (valid: {-self.size} to {self.size - 1})"
            )
        return index % self.size

    def _slice(self, key: slice) -> slice:
        """Turn a slice of ints and/or calibrated floats into an index slice."""

        def conv(v, is_stop):
            if v is None or isinstance(v, (int, np.integer)):
                return v
            if isinstance(v, (float, np.floating)):
                check_axis_value(v, self.name, "slice bound")
                return self.value2index_clip(float(v))  # +-inf: the axis' ends
            raise TypeError(f"slice bounds must be int or float, got {type(v).__name__}")

        return slice(conv(key.start, False), conv(key.stop, True), self._step(key.step))

    def _step(self, step):
        """A slice step in channels: floats are calibrated (HyperSpy: ``round(step /
        scale)`` channels, the sign kept, so ``isig[::-1.0]`` reverses)."""
        if isinstance(step, (bool, np.bool_)) or not (
                step is None or isinstance(step, (int, np.integer, float, np.floating))):
            raise TypeError(f"a slice step must be an int (channels) or a float "
                            f"(calibrated), got {type(step).__name__}")
        if isinstance(step, (float, np.floating)):
            check_axis_value(step, self.name, "slice step")
            if not math.isfinite(step):
                raise InvalidIndexError(
                    f"slice step {step} on axis {self.name!r} is infinite; give a step of "
                    f"a few channels (scale {self.scale:g} {self.units})")
            self._check_calibrated()
            channels = int(round(step / abs(self.scale)))
            if channels == 0:
                raise InvalidIndexError(
                    f"slice step {step:g} on axis {self.name!r} is less than half a channel "
                    f"(scale {abs(self.scale):g} {self.units}); give a step of at least "
                    f"{abs(self.scale):g}, or an integer number of channels")
            return channels
        if step is not None and int(step) == 0:
            raise InvalidIndexError(
                f"slice step 0 on axis {self.name!r} selects nothing; give a non-zero step "
                "(a negative one reverses the axis)")
        return step

    def value2index_clip(self, value: float) -> int:
        """Like :meth:`value2index` for slice bounds: values beyond the ends clip."""
        self._check_calibrated()
        idx = (value - self.offset) / self.scale + 0.5  # +-inf clips to the ends too
        return int(min(max(math.floor(min(max(idx, -1.0), self.size + 1.0)), 0), self.size))

    def sliced(self, start: int, stop: int, step: int) -> DataAxis:
        """The axis of ``data[start:stop:step]`` along this axis (``slice.indices`` form)."""
        new = self.copy()
        new.offset = self.offset + start * self.scale
        new.scale = self.scale * step
        new.size = len(range(start, stop, step))
        return new

    # -- copies ------------------------------------------------------------------
    def get_axis_dictionary(self) -> dict:
        """Plain dict in RosettaSciIO/HyperSpy form."""
        return {
            "_type": "UniformDataAxis",
            "name": self.name,
            "units": self.units,
            "navigate": self.navigate,
            "is_binned": self.is_binned,
            "size": self.size,
            "scale": self.scale,
            "offset": self.offset,
        }

    def copy(self) -> DataAxis:
        return copy.copy(self)

    def __repr__(self) -> str:
        return (
            f"<{self.name} axis, size: {self.size}"
            + (", index: nav" if self.navigate else "")
            + f", scale: {self.scale:g} {self.units if self.units != _UNDEFINED else ''}".rstrip()
            + ">"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, DataAxis):
            return NotImplemented
        return self.get_axis_dictionary() == other.get_axis_dictionary()


UniformDataAxis = DataAxis  # HyperSpy's name for the uniform axis
