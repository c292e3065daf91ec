"""``inav`` / ``isig``: HyperSpy-style indexing of navigation and signal axes.

Indices are given in natural order (x, y, ...). Integers (negative too) pick a
point and drop the axis, slices keep it, floats are calibrated values. Numpy
basic indexing is used, so results are views of the data where numpy's are.
"""

from __future__ import annotations

import numpy as np

from .protocol import SignalLike


class SpaceSlicer:
    """Indexer bound to a signal for one space ("navigation" or "signal")."""

    def __init__(self, signal: SignalLike, navigation: bool):
        self.signal = signal
        self.navigation = navigation

    def __getitem__(self, key) -> SignalLike:
        if not isinstance(key, tuple):
            key = (key,)
        am = self.signal.axes_manager
        axes = am.navigation_axes if self.navigation else am.signal_axes
        space = "navigation" if self.navigation else "signal"
        if len(key) > len(axes):
            raise IndexError(
                f"too many {space} indices: got {len(key)}, the signal has "
                f"{len(axes)} {space} axes {am._signature()}"
            )
        slices: list = [slice(None)] * len(am)
        new_axes = [a.copy() for a in am._array_axes]
        drop = []
        for k, axis in zip(key, axes):
            pos = am.array_index(axis)
            if isinstance(k, slice):
                sl = axis._slice(k)
                start, stop, step = sl.indices(axis.size)
                n = len(range(start, stop, step))
                if n == 0:
                    raise IndexError(
                        f"slice {k} selects nothing on axis {axis.name!r} "
                        f"[{axis.low_value:g}, {axis.high_value:g}] {axis.units}"
                    )
                # a negative stop from indices() means "before index 0", not "from the end"
                slices[pos] = slice(start, stop if stop >= 0 else None, step)
                new_axes[pos] = axis.sliced(start, stop, step)
            elif isinstance(k, (bool, np.bool_)):
                raise TypeError(f"{space} index must be int, float or slice, not bool")
            elif isinstance(k, (float, np.floating)):
                slices[pos] = axis.value2index(float(k))
                drop.append(pos)
            elif isinstance(k, (int, np.integer)):
                slices[pos] = axis._check_index(int(k))
                drop.append(pos)
            else:
                raise TypeError(
                    f"{space} index must be int, float (calibrated value) or slice, "
                    f"not {type(k).__name__}"
                )
        data = self.signal.data[tuple(slices)]
        axes_left = [a for i, a in enumerate(new_axes) if i not in drop]
        if not axes_left:  # a single value: a one-point generic signal, as HyperSpy does
            return self.signal._scalar_like(data)
        return self.signal._new_like(data, axes=axes_left)
