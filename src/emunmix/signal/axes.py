"""The axes manager: a signal's calibrated axes, with navigation/signal views.

Axes are stored in numpy array order. As in HyperSpy, the *navigation* axes
come first in the array and the *signal* axes last, while shapes are shown in
"natural" order (x before y): ``(64, 64|1024)``. One axis is a
:class:`~emunmix.signal.axis.DataAxis` (uniform) or a
:class:`~emunmix.signal.axes_nonuniform.NonUniformDataAxis` (given by its values).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from .axes_nonuniform import NonUniformDataAxis
from .axis import _UNDEFINED, DataAxis

__all__ = ["AxesManager", "DataAxis", "NonUniformDataAxis", "axis_from_dict", "_UNDEFINED"]


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
