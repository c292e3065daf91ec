"""``map``: apply a function to every spectrum (image) of a signal, as HyperSpy 2.5.

A function of one spectrum (image) may return the same shape, another shape or a
scalar; keyword arguments that are signals of the same navigation shape are
iterated along with the data (a signal without navigation is passed whole). Lazy
signals (or ``lazy_output=True``) map block by block with dask, the signal
dimensions in one chunk.
"""

from __future__ import annotations

import numpy as np

from .axes import AxesManager
from .protocol import is_signal
from .types import class_for

_NAV, _SIG, _OUT = "abcdefgh", "ijklmn", "uvwxyz"


class MapMixin:
    """HyperSpy's ``map``."""

    def map(self, function, show_progressbar=None, num_workers=None, inplace=True,
            ragged=None, navigation_chunks="auto", output_signal_size=None,
            output_dtype=None, lazy_output=None, silence_warnings=False, **kwargs):
        """Apply ``function`` to each spectrum (image) of the signal.

        Parameters
        ----------
        function : callable
            Called as ``function(data, **kwargs)`` with one spectrum (image) array.
        show_progressbar, num_workers, silence_warnings
            Accepted for HyperSpy compatibility; the in-memory path runs serially,
            the lazy one with dask's scheduler.
        inplace : bool
            Replace this signal's data (and signal axes) and return None, or return
            a new signal.
        ragged : None or bool
            Outputs of different shapes per pixel are not supported (True is refused).
        navigation_chunks : "auto" or tuple
            Navigation chunks (array order) of the lazy computation.
        output_signal_size, output_dtype : tuple, dtype, optional
            The shape (array order) and dtype of one output; found by calling the
            function on the first pixel when not given.
        lazy_output : None or bool
            A lazy result; None: lazy when the signal is.
        **kwargs
            Passed to ``function``; signals with this signal's navigation shape
            are iterated (their value at each pixel is passed).

        Returns
        -------
        None or signal
            None when ``inplace``, else the new signal. Same-shaped outputs keep the
            signal axes; outputs with as many dimensions keep their calibrations;
            others get new uncalibrated signal axes.

        Examples
        --------
        >>> import numpy as np
        >>> from emunmix.signal import Signal1D
        >>> s = Signal1D(np.arange(24.).reshape(2, 3, 4))
        >>> s.map(np.sum, inplace=False)
        <BaseSignal, title: , dimensions: (3, 2|)>
        """
        if ragged:
            raise NotImplementedError(
                "map(ragged=True) is not supported: return arrays of one shape from the "
                "function (pad them), or loop over s.inav yourself")
        if navigation_chunks is None:
            navigation_chunks = "auto"
        if not isinstance(navigation_chunks, tuple) and navigation_chunks != "auto":
            raise ValueError("navigation_chunks must be a tuple (array order) or 'auto'")
        if not callable(function):
            raise TypeError(f"map needs a callable, not {type(function).__name__}")
        static, iterated = _split_kwargs(self, kwargs)
        lazy = self._lazy if lazy_output is None else bool(lazy_output)
        if lazy or self._lazy:
            data = _map_lazy(self, function, static, iterated, navigation_chunks,
                             output_signal_size, output_dtype)
            if not lazy:
                data = np.asarray(data.compute())
        else:
            data = _map_eager(self, function, static, iterated, output_dtype)
        axes = _output_axes(self, data.shape)
        if not inplace:
            if not axes:
                return self._scalar_like(data)
            return self._new_like(data, axes=axes)
        if not axes:  # a single spectrum mapped to a scalar: a one-point signal
            axes = [{"name": "Scalar", "size": 1, "navigate": False}]
            data = data.reshape(1)
        self._data, self.axes_manager = data, AxesManager(axes)
        self.__class__ = class_for(self.metadata.get_item("Signal.signal_type", ""),
                                   self.axes_manager.signal_dimension,
                                   data.dtype.kind == "c")
        return None


def _nav_ndim(signal) -> int:
    return signal.axes_manager.navigation_dimension


def _split_kwargs(signal, kwargs):
    """(fixed kwargs, iterated signal kwargs), HyperSpy's rules for signals."""
    nav = signal.axes_manager.navigation_shape
    static, iterated = {}, {}
    for key, value in kwargs.items():
        if not is_signal(value):
            static[key] = value
            continue
        other = value.axes_manager.navigation_shape
        if other == nav and nav:
            iterated[key] = value
        elif other in ((), (1,)):
            static[key] = np.squeeze(np.asarray(value.data))
        else:
            raise ValueError(
                f"map: the keyword signal {key!r} has navigation shape {other} but the "
                f"signal's is {nav}; give one value per pixel (the same navigation "
                "shape) or a signal without navigation")
    return static, iterated


def _map_eager(signal, function, static, iterated, output_dtype):
    nnav = _nav_ndim(signal)
    nav_shape = signal.data.shape[:nnav]
    kw_data = {k: np.asarray(v.data) for k, v in iterated.items()}
    outputs, first_shape = [], None
    for idx in np.ndindex(*nav_shape):
        out = np.asarray(function(signal.data[idx], **static,
                                  **{k: d[idx] for k, d in kw_data.items()}))
        if first_shape is None:
            first_shape = out.shape
        elif out.shape != first_shape:
            raise ValueError(
                f"map: the function returned shape {out.shape} at pixel {idx[::-1]} but "
                f"{first_shape} at the first pixel; outputs of different shapes "
                "(ragged) are not supported")
        outputs.append(out)
    data = np.stack(outputs).reshape(nav_shape + first_shape)
    return data.astype(output_dtype) if output_dtype is not None else data


def _map_lazy(signal, function, static, iterated, navigation_chunks, output_signal_size,
              output_dtype):
    import dask.array as da

    nnav = _nav_ndim(signal)
    if nnav > len(_NAV):
        raise ValueError(f"lazy map supports up to {len(_NAV)} navigation axes")
    data = signal.data if signal._lazy else da.from_array(signal.data, chunks="auto")
    nav_chunks = (navigation_chunks if navigation_chunks != "auto"
                  else data.chunks[:nnav])
    data = data.rechunk(tuple(nav_chunks) + (-1,) * (data.ndim - nnav))
    nav_chunks = data.chunks[:nnav]
    kw_arrays = []
    for v in iterated.values():
        arr = v.data if v._lazy else da.from_array(np.asarray(v.data))
        kw_arrays.append(arr.rechunk(tuple(nav_chunks) + (-1,) * (arr.ndim - nnav)))
    if output_signal_size is None or output_dtype is None:
        first = (0,) * nnav
        probe = np.asarray(function(np.asarray(data[first]), **static,
                                    **{k: np.asarray(a[first])
                                       for k, a in zip(iterated, kw_arrays)}))
        output_signal_size = probe.shape if output_signal_size is None \
            else output_signal_size
        output_dtype = probe.dtype if output_dtype is None else output_dtype
    out_shape = tuple(int(n) for n in output_signal_size)
    keys = list(iterated)

    def block(x, *kws):
        out = np.empty(x.shape[:nnav] + out_shape, dtype=output_dtype)
        for idx in np.ndindex(*x.shape[:nnav]):
            out[idx] = function(x[idx], **static, **{k: a[idx] for k, a in zip(keys, kws)})
        return out

    nav_ix = _NAV[:nnav]
    args = [data, nav_ix + _SIG[:data.ndim - nnav]]
    for n, arr in enumerate(kw_arrays):
        args += [arr, nav_ix + "".join(chr(0x100 + 8 * n + m) for m in range(arr.ndim - nnav))]
    out_ix = nav_ix + _OUT[:len(out_shape)]
    return da.blockwise(block, out_ix, *args, dtype=np.dtype(output_dtype), concatenate=True,
                        new_axes={c: n for c, n in zip(_OUT, out_shape)})


def _output_axes(signal, shape) -> list[dict]:
    """Navigation axes kept; signal axes kept (resized) when the dimension is kept."""
    nnav = _nav_ndim(signal)
    dicts = signal.axes_manager.as_dictionaries()
    nav, sig = dicts[:nnav], dicts[nnav:]
    out = shape[nnav:]
    if len(out) == len(sig):
        for i, (d, n) in enumerate(zip(sig, out)):
            if n != d["size"] and "scale" not in d:  # non-uniform values fit no new size
                sig[i] = {"navigate": False, "size": n, "name": d.get("name")}
            else:
                d["size"] = n
    else:
        sig = [{"navigate": False, "size": n} for n in out]
    return nav + sig
