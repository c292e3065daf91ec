"""More reductions, derivatives and integrals along axes, with HyperSpy 2.5's meaning.

``var`` and the ``nan*`` reductions take ``axis`` as :meth:`BaseSignal.sum` does
(a name, index, axis, "navigation"/"signal", a list; None: the navigation axes).
``indexmax``/``valuemax`` (and min), ``integrate1D``, ``integrate_simpson``,
``derivative`` and ``diff`` work along one axis. All work on lazy data too (the
result stays lazy).
"""

from __future__ import annotations

import numpy as np

from ..validation import is_dask


def _xp(data):
    """numpy, or dask.array for dask data (their nan* functions keep data lazy)."""
    if is_dask(data):
        import dask.array as da

        return da
    return np


class ReductionsMixin:
    """Reductions mixed into :class:`~emunmix.signal.base.BaseSignal`."""

    # ``out``/``rechunk`` are HyperSpy's; a real out= is refused (as sum/mean here).
    def var(self, axis=None, out=None, rechunk=False, dtype=None, ddof=0):
        """Variance over axes (see :meth:`sum` for ``axis``)."""
        return self._reduce(np.var, axis, out, dtype=dtype, ddof=ddof)

    def _nan_reduce(self, name, axis, out):
        def func(data, axis):
            return getattr(_xp(data), name)(data, axis=axis)

        return self._reduce(func, axis, out)

    def nansum(self, axis=None, out=None, rechunk=False):
        """Sum over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nansum", axis, out)

    def nanmean(self, axis=None, out=None, rechunk=False):
        """Mean over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nanmean", axis, out)

    def nanmax(self, axis=None, out=None, rechunk=False):
        """Maximum over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nanmax", axis, out)

    def nanmin(self, axis=None, out=None, rechunk=False):
        """Minimum over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nanmin", axis, out)

    def nanstd(self, axis=None, out=None, rechunk=False):
        """Standard deviation over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nanstd", axis, out)

    def nanvar(self, axis=None, out=None, rechunk=False):
        """Variance over axes ignoring NaNs (see :meth:`sum` for ``axis``)."""
        return self._nan_reduce("nanvar", axis, out)

    # -- along one axis ---------------------------------------------------------------
    def _one_axis(self, axis, method: str):
        """The one axis ``axis`` names and its array position."""
        if axis is None or isinstance(axis, (list, tuple, np.ndarray)) or axis in (
                "navigation", "signal"):
            raise ValueError(f"{method} works along one axis: give its index, name or the "
                             f"axis itself, not {axis!r}")
        pos = self.axes_manager.array_index(axis)
        return self.axes_manager._array_axes[pos], pos

    def _along(self, func, axis, method: str, out):
        if out is not None:
            raise TypeError(f"{method} does not support out=")
        ax, pos = self._one_axis(axis, method)
        return self._reduce(lambda data, axis: func(data, axis=axis[0]), ax, None)

    def indexmax(self, axis, out=None, rechunk=False):
        """The index of the maximum along one axis (integers; NaN counts as maximum).

        Examples
        --------
        >>> import numpy as np
        >>> from emunmix.signal import Signal1D
        >>> Signal1D(np.array([[1., 5, 2], [7, 0, 3]])).indexmax(-1).data.tolist()
        [1, 0]
        """
        return self._along(lambda d, axis: _xp(d).argmax(d, axis=axis), axis,
                           "indexmax", out)

    def indexmin(self, axis, out=None, rechunk=False):
        """The index of the minimum along one axis (see :meth:`indexmax`)."""
        return self._along(lambda d, axis: _xp(d).argmin(d, axis=axis), axis,
                           "indexmin", out)

    def _value_of(self, index_signal, axis):
        ax, _ = self._one_axis(axis, "valuemax")
        values = np.asarray(ax.axis, dtype=float)  # HyperSpy's are floats
        idx = index_signal.data
        index_signal._data = values[idx] if not is_dask(idx) else idx.map_blocks(
            lambda i: values[i], dtype=values.dtype)
        return index_signal

    def valuemax(self, axis, out=None, rechunk=False):
        """The calibrated coordinate of the maximum along one axis."""
        return self._value_of(self.indexmax(axis, out), axis)

    def valuemin(self, axis, out=None, rechunk=False):
        """The calibrated coordinate of the minimum along one axis."""
        return self._value_of(self.indexmin(axis, out), axis)

    def integrate_simpson(self, axis, out=None, rechunk=False):
        """The integral along one axis by Simpson's rule, in calibrated units.

        Uses :func:`scipy.integrate.simpson` with the axis values as ``x`` (so
        non-uniform axes work); lazy data stay lazy (the axis in one chunk).
        """
        from scipy.integrate import simpson

        ax, _ = self._one_axis(axis, "integrate_simpson")
        x = ax.axis

        def func(d, axis):
            if is_dask(d):  # the axis in one chunk, then block by block
                return d.rechunk({axis: -1}).map_blocks(
                    lambda b: simpson(b, x=x, axis=axis), drop_axis=axis,
                    dtype=np.result_type(d.dtype, float))
            return simpson(d, x=x, axis=axis)

        return self._along(func, axis, "integrate_simpson", out)

    def integrate1D(self, axis, out=None, rechunk=False):
        """Integral along one axis: the sum for a binned axis, else Simpson's rule."""
        ax, _ = self._one_axis(axis, "integrate1D")
        if ax.is_binned:
            if out is not None:
                raise TypeError("integrate1D does not support out=")
            return self.sum(axis=ax)
        return self.integrate_simpson(ax, out)

    def derivative(self, axis, order: int = 1, out=None, **kwargs):
        """The numerical derivative along one axis, in its calibrated units.

        :func:`numpy.gradient` with the axis values as coordinates, applied
        ``order`` times (HyperSpy's way); ``kwargs`` go to it (e.g. ``edge_order``).
        Same axes as the signal. ``out=`` (a signal of the same shape) receives the
        data instead of a new signal.
        """
        order = _check_order(order, "derivative")
        ax, pos = self._one_axis(axis, "derivative")
        if ax.size < 2:
            raise ValueError(f"derivative needs at least 2 points along axis "
                             f"{ax.name!r}, which has {ax.size}")
        kwargs.pop("rechunk", None)
        data = self.data
        for _ in range(order):
            data = _xp(data).gradient(data, ax.axis, axis=pos, **kwargs)
        if out is not None:
            out.data = data
            return None
        return self._new_like(data)

    def diff(self, axis, order: int = 1, out=None, rechunk=False):
        """The ``order``-th difference along one axis (:func:`numpy.diff`).

        The axis loses ``order`` points and its offset moves by ``order * scale / 2``
        (the differences sit between the points), as in HyperSpy.
        """
        order = _check_order(order, "diff")
        if out is not None:
            raise TypeError("diff does not support out=")
        ax, pos = self._one_axis(axis, "diff")
        if not ax.is_uniform:
            raise NotImplementedError("diff on a non-uniform axis is not implemented (as "
                                      "in HyperSpy); use derivative instead")
        if ax.size <= order:
            raise ValueError(f"diff of order {order} needs more than {order} points along "
                             f"axis {ax.name!r}, which has {ax.size}")
        data = _xp(self.data).diff(self.data, n=order, axis=pos)
        axes = self.axes_manager.as_dictionaries()
        axes[pos]["offset"] = ax.offset + order * ax.scale / 2
        return self._new_like(data, axes=axes)


def _check_order(order, method: str) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 1:
        raise ValueError(f"{method}: order must be an integer >= 1, got {order!r}")
    return int(order)
