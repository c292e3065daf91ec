"""Unfolding, folding, splitting and rolling axes, with HyperSpy 2.5's meaning.

``unfold``/``fold`` work in place, as in HyperSpy: the navigation axes become one
axis (pixels in C order, the first navigation axis, x, varying fastest), the signal
axes another, and ``fold`` restores the original axes exactly. Learning results are
flat (pixels x k, channels x k), so they stay valid across unfolding and folding.
:meth:`map` and the statistics come in from :mod:`.mapping` and :mod:`.statistics`.
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager

from .axes import AxesManager
from .mapping import MapMixin
from .statistics import StatisticsMixin
from .types import class_for


class ReshapeMixin(MapMixin, StatisticsMixin):
    """HyperSpy's ``unfold``, ``fold``, ``unfolded``, ``split`` and ``rollaxis``."""

    # -- unfolding --------------------------------------------------------------
    @property
    def _folding(self):
        """``(original axes dicts, original shape)`` while unfolded, else None."""
        return self.__dict__.get("_folding_state")

    def _unfold_space(self, navigation: bool) -> bool:
        am = self.axes_manager
        axes = am.navigation_axes if navigation else am.signal_axes
        if len(axes) < 2:
            return False
        if self._folding is None:  # a second unfold keeps the first original
            self.__dict__["_folding_state"] = (am.as_dictionaries(), self.data.shape)
        pos = sorted(am.array_index(a) for a in axes)
        lo, hi = pos[0], pos[-1] + 1
        shape = self.data.shape
        data = self.data.reshape(shape[:lo] + (-1,) + shape[hi:])
        first = axes[0].get_axis_dictionary()  # x keeps its calibration, as in HyperSpy
        first["name"] = ",".join(str(a.name) for a in axes)
        first["size"] = data.shape[lo]
        dicts = am.as_dictionaries()
        dicts[lo:hi] = [first]
        self._data, self.axes_manager = data, AxesManager(dicts)
        self.__class__ = class_for(self.metadata.get_item("Signal.signal_type", ""),
                                   self.axes_manager.signal_dimension,
                                   self.data.dtype.kind == "c")
        return True

    def unfold_navigation_space(self) -> bool:
        """Make the navigation space one axis, in place.

        Returns
        -------
        bool
            Whether the navigation space needed unfolding (it had two or more axes).
        """
        return self._unfold_space(navigation=True)

    def unfold_signal_space(self) -> bool:
        """Make the signal space one axis, in place (an image becomes a spectrum).

        Returns
        -------
        bool
            Whether the signal space needed unfolding.
        """
        return self._unfold_space(navigation=False)

    def unfold(self, unfold_navigation: bool = True, unfold_signal: bool = True) -> bool:
        """Unfold the navigation and/or signal spaces to one axis each, in place.

        Returns
        -------
        bool
            Whether anything needed unfolding. :meth:`fold` undoes it.

        Examples
        --------
        >>> import numpy as np
        >>> from emunmix.signal import Signal2D
        >>> s = Signal2D(np.zeros((2, 3, 4, 5)))
        >>> s.unfold()
        True
        >>> s
        <Signal1D, title: , dimensions: (6|20)>
        >>> s.fold(); s
        <Signal2D, title: , dimensions: (3, 2|5, 4)>
        """
        nav = self.unfold_navigation_space() if unfold_navigation else False
        sig = self.unfold_signal_space() if unfold_signal else False
        return nav or sig

    def fold(self) -> None:
        """Fold an unfolded signal back to its original axes (nothing if not unfolded).

        Raises
        ------
        ValueError
            If the data no longer has as many values as before unfolding (it was
            replaced by something else): the original shape cannot be restored.
        """
        if self._folding is None:
            return
        dicts, shape = self._folding
        if self.data.size != _size(shape):
            raise ValueError(
                f"cannot fold: the data has {self.data.size} values but the signal was "
                f"unfolded from shape {shape}; fold before changing the data's size")
        self._data = self.data.reshape(shape)
        self.axes_manager = AxesManager(dicts)
        del self.__dict__["_folding_state"]
        self.__class__ = class_for(self.metadata.get_item("Signal.signal_type", ""),
                                   self.axes_manager.signal_dimension,
                                   self.data.dtype.kind == "c")

    @contextmanager
    def unfolded(self, unfold_navigation: bool = True, unfold_signal: bool = True):
        """Unfold for the scope of a ``with`` block, folding back on leaving it.

        Yields whether anything was unfolded.
        """
        done = self.unfold(unfold_navigation, unfold_signal)
        try:
            yield done
        finally:
            if done:
                self.fold()

    # -- splitting and rolling ------------------------------------------------------
    def split(self, axis="auto", number_of_parts="auto", step_sizes="auto") -> list:
        """Split the signal into a list of signals along one axis (HyperSpy's ``split``).

        Parameters
        ----------
        axis : "auto", int, str or DataAxis
            "auto": the last navigation axis (the last signal axis without navigation).
        number_of_parts : "auto" or int
            Equal parts of ``size // number_of_parts`` (trailing points are left out,
            as in HyperSpy). "auto" with ``step_sizes="auto"``: one part per index.
        step_sizes : "auto", int or list of int
            The size of each part; an int repeats it ``size // step`` times.

        Returns
        -------
        list of signals
            Parts of one index lose the axis (as HyperSpy does when every part is 1).
        """
        am = self.axes_manager
        if axis == "auto":
            ax = (am.navigation_axes or am.signal_axes)[-1]
        else:
            ax = am[axis]
        pos, size = am.array_index(ax), ax.size
        if not ax.is_uniform:
            raise NotImplementedError(
                f"split along the non-uniform axis {ax.name!r} is not supported; "
                "split along a uniform axis, or index with inav/isig")
        steps = _step_sizes(size, number_of_parts, step_sizes)
        drop = number_of_parts == size or steps == [1] * size
        parts, start = [], 0
        for n in steps:
            index = [slice(None)] * self.data.ndim
            index[pos] = slice(start, start + n)
            dicts = am.as_dictionaries()
            dicts[pos]["offset"] = float(ax.index2value(start))
            dicts[pos]["size"] = n
            data = self.data[tuple(index)]
            if drop:
                data = data.reshape(data.shape[:pos] + data.shape[pos + 1:])
                del dicts[pos]
            parts.append(self._new_like(data, axes=dicts) if dicts
                         else self._scalar_like(data))
            start += n
        return parts

    def rollaxis(self, axis, to_axis, optimize: bool = False):
        """A new signal with ``axis`` moved to the place of ``to_axis``.

        As in HyperSpy, an axis keeps its role: rolling within a space reorders it;
        rolling a signal axis "into" the navigation space (or the reverse) leaves
        the axis at the nearest end of its own space.

        Parameters
        ----------
        axis, to_axis : int, str or DataAxis
            HyperSpy index (natural order: navigation then signal), name or the axis.
        optimize : bool
            Copy the data into the new order instead of returning a transposed view.
        """
        am = self.axes_manager
        i, j = am.array_index(axis), am.array_index(to_axis)
        order = list(range(len(am)))
        order.insert(j, order.pop(i))
        axes = am._array_axes
        order.sort(key=lambda k: not axes[k].navigate)  # navigation first, stably
        data = self.data.transpose(order)
        if optimize and not self._lazy:
            data = data.copy()
        return self._new_like(data, axes=[axes[k].get_axis_dictionary() for k in order],
                              cls=type(self), keep_learning=False)


    def swap_axes(self, axis1, axis2, optimize: bool = False):
        """A new signal with two axes swapped, as HyperSpy's ``swap_axes``.

        The data axes and their calibrations change places; the navigation/signal role
        stays with the position (swapping a navigation axis with a signal axis moves
        the calibrations, not the roles).

        Parameters
        ----------
        axis1, axis2 : int, str or DataAxis
            HyperSpy index (natural order: navigation then signal), name or the axis.
        optimize : bool
            Copy the data into the new order instead of returning a swapped view.
        """
        am = self.axes_manager
        i, j = am.array_index(axis1), am.array_index(axis2)
        data = self.data.swapaxes(i, j)
        if optimize and not self._lazy:
            data = data.copy()
        axes = am.as_dictionaries()
        axes[i], axes[j] = axes[j], axes[i]
        axes[i]["navigate"], axes[j]["navigate"] = axes[j]["navigate"], axes[i]["navigate"]
        return self._new_like(data, axes=axes)


def _size(shape) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _step_sizes(size: int, number_of_parts, step_sizes) -> list[int]:
    """The part sizes ``split`` cuts, with HyperSpy's rules and clear errors."""
    if number_of_parts == "auto" and step_sizes == "auto":
        return [1] * size
    if step_sizes == "auto":
        if not isinstance(number_of_parts, numbers.Integral) or number_of_parts < 1:
            raise ValueError(f"number_of_parts must be 'auto' or a positive int, not "
                             f"{number_of_parts!r}")
        if number_of_parts > size:
            raise ValueError(f"number_of_parts={number_of_parts} is greater than the "
                             f"axis size {size}")
        return [size // number_of_parts] * number_of_parts
    if isinstance(step_sizes, numbers.Integral):
        if not 1 <= step_sizes <= size:
            raise ValueError(f"step_sizes={step_sizes} must be between 1 and the axis "
                             f"size {size}")
        return [int(step_sizes)] * (size // int(step_sizes))
    steps = [int(n) for n in step_sizes]
    if any(n < 1 for n in steps) or sum(steps) > size:
        raise ValueError(f"step_sizes {steps} must be positive and sum to at most the "
                         f"axis size {size}")
    return steps
