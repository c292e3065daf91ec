"""Calibrated axes and the axes manager.

Axes are stored in numpy array order. As in HyperSpy, the *navigation* axes
come first in the array and the *signal* axes last, while shapes are shown in
"natural" order (x before y): ``(64, 64|1024)``.
"""

from __future__ import annotations

import copy
import math
from typing import Iterable

import numpy as np

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
                i = self.value2index_clip(float(v))
                return i
            raise TypeError(f"slice bounds must be int or float, got {type(v).__name__}")

        step = key.step
        if isinstance(step, (float, np.floating)):
            self._check_calibrated()
            step = max(1, int(round(step / abs(self.scale))))
        return slice(conv(key.start, False), conv(key.stop, True), step)

    def value2index_clip(self, value: float) -> int:
        """Like :meth:`value2index` for slice bounds: values beyond the ends clip."""
        self._check_calibrated()
        idx = math.floor((value - self.offset) / self.scale + 0.5)
        return int(min(max(idx, 0), self.size))

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


def axis_from_dict(d: dict | DataAxis) -> DataAxis:
    """The axis a RosettaSciIO/HyperSpy axis dict describes (a copy for an axis).

    An axis given by its values (``axis`` without ``scale``, HyperSpy's ``_type``
    "DataAxis") is non-uniform; otherwise ``offset + scale * index``.
    """
    if isinstance(d, DataAxis):
        return d.copy()
    kind = d.get("_type")
    if kind == "FunctionalDataAxis" or "expression" in d:
        raise ValueError(
            f"axis {d.get('name')!r} is a functional axis (expression "
            f"{d.get('expression')!r}); emunmix keeps axes given by values or by "
            "scale and offset: convert it in HyperSpy with axis.convert_to_non_uniform_axis()"
        )
    if kind == "DataAxis" or ("axis" in d and "scale" not in d):
        from .axes_nonuniform import NonUniformDataAxis

        return NonUniformDataAxis(**d)
    return DataAxis(**{k: v for k, v in d.items() if k != "axis"})


class AxesManager:
    """The axes of a signal, in array order, with navigation/signal views.

    ``axes_manager[i]`` indexes in HyperSpy order (navigation axes in natural
    order, then signal axes); ``axes_manager["Energy loss"]`` looks up by name.
    """

    def __init__(self, axes: Iterable[dict | DataAxis]):
        self._axes = [axis_from_dict(a) for a in axes]
        self.indices: tuple[int, ...] = (0,) * len(self.navigation_axes)

    # -- views -------------------------------------------------------------------
    @property
    def _array_axes(self) -> list[DataAxis]:
        return self._axes

    @property
    def navigation_axes(self) -> tuple[DataAxis, ...]:
        """Navigation axes in natural order (x, y, ...)."""
        return tuple(a for a in self._axes if a.navigate)[::-1]

    @property
    def signal_axes(self) -> tuple[DataAxis, ...]:
        """Signal axes in natural order."""
        return tuple(a for a in self._axes if not a.navigate)[::-1]

    @property
    def navigation_shape(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.navigation_axes)

    @property
    def signal_shape(self) -> tuple[int, ...]:
        return tuple(a.size for a in self.signal_axes)

    @property
    def navigation_dimension(self) -> int:
        return len(self.navigation_axes)

    @property
    def signal_dimension(self) -> int:
        return len(self.signal_axes)

    @property
    def navigation_size(self) -> int:
        return int(np.prod(self.navigation_shape)) if self.navigation_dimension else 0

    @property
    def signal_size(self) -> int:
        return int(np.prod(self.signal_shape)) if self.signal_dimension else 0

    @property
    def shape(self) -> tuple[int, ...]:
        return self.navigation_shape + self.signal_shape

    @property
    def _axes_in_hs_order(self) -> tuple[DataAxis, ...]:
        return self.navigation_axes + self.signal_axes

    def __getitem__(self, key) -> DataAxis:
        return self._axes[self.array_index(key)]

    def __iter__(self):
        return iter(self._axes_in_hs_order)

    def __len__(self) -> int:
        return len(self._axes)

    def array_index(self, key) -> int:
        """Array position of an axis given by name, DataAxis or HyperSpy index."""
        if isinstance(key, DataAxis):
            for i, a in enumerate(self._axes):
                if a is key:
                    return i
            raise ValueError(f"{key!r} is not an axis of this signal")
        if isinstance(key, str):
            for i, a in enumerate(self._axes):
                if a.name == key:
                    return i
            names = [a.name for a in self._axes_in_hs_order]
            raise ValueError(f"no axis named {key!r}; axes are {names}")
        if isinstance(key, (int, np.integer)):
            ordered = self._axes_in_hs_order
            if not -len(ordered) <= key < len(ordered):
                raise IndexError(
                    f"axis index {key} out of range: the signal has {len(ordered)} axes"
                )
            return self.array_index(ordered[key])
        raise TypeError(f"axes are selected by name or index, not {type(key).__name__}")

    def as_dictionaries(self) -> list[dict]:
        """Axis dicts in array order."""
        return [a.get_axis_dictionary() for a in self._axes]

    def copy(self) -> AxesManager:
        return AxesManager(self._axes)

    def _signature(self) -> str:
        nav = ", ".join(str(s) for s in self.navigation_shape)
        sig = ", ".join(str(s) for s in self.signal_shape)
        return f"({nav}|{sig})"

    def __repr__(self) -> str:
        rows = [f"<Axes manager, axes: {self._signature()}>"]
        rows.append(f"{'Name':>16} | {'size':>6} | {'index':>5} | {'offset':>9} | "
                    f"{'scale':>9} | units")
        rows.append("=" * 68)
        for i, a in enumerate(self.navigation_axes):
            rows.append(f"{a.name:>16} | {a.size:>6} | {self.indices[i]:>5} | "
                        f"{_calibration(a)} | {a.units}")
        rows.append("-" * 68)
        for a in self.signal_axes:
            rows.append(f"{a.name:>16} | {a.size:>6} | {'':>5} | "
                        f"{_calibration(a)} | {a.units}")
        return "\n".join(rows)


def _calibration(axis: DataAxis) -> str:
    """``offset | scale`` columns; a non-uniform axis shows its value range."""
    if axis.is_uniform:
        return f"{axis.offset:>9.4g} | {axis.scale:>9.4g}"
    return f"{axis.low_value:>9.4g} | {'non-unif':>9}"
