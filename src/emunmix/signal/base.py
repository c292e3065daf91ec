"""``BaseSignal``: data + calibrated axes + metadata, HyperSpy style.

The signal holds an array whose navigation axes come first and signal axes
last (HyperSpy's convention), an :class:`AxesManager` and two metadata trees.
Methods here are about the data model itself; analysis methods come from
:mod:`emunmix.signal.learning` and friends, which call pure kernels; the
operators (``s + 1``, ``np.sqrt(s)``) from :mod:`emunmix.signal.arithmetic`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..validation import is_dask
from .arguments import rebin_factors, transposed_spaces
from .arithmetic import ArithmeticMixin
from .axes import AxesManager, DataAxis
from .indexing import SpaceSlicer
from .learning import LearningMixin
from .metadata import DictionaryTreeBrowser
from .noise import NoiseMixin
from .reductions import ReductionsMixin
from .reshape import ReshapeMixin
from .types import canonical_signal_type, class_for, register_signal_class


class BaseSignal(ArithmeticMixin, LearningMixin, NoiseMixin, ReductionsMixin, ReshapeMixin):
    """A signal of any dimension with calibrated axes and metadata.

    Parameters
    ----------
    data : array_like
        The data, navigation axes first (numpy order), signal axes last.
        A dask array makes a lazy signal.
    axes : list of dict, optional
        One dict per array axis, in array order, with keys among ``name``,
        ``units``, ``scale``, ``offset``, ``size``, ``navigate``.
    metadata, original_metadata : dict, optional
        Nested dicts (``{"General": {"title": "CL1"}}``).

    Examples
    --------
    >>> import numpy as np
    >>> from emunmix.signal import Signal1D
    >>> s = Signal1D(np.zeros((4, 5, 100)))
    >>> s
    <Signal1D, title: , dimensions: (5, 4|100)>
    """

    _signal_dimension: int | None = 0
    _signal_type = ""
    _dtype = "real"

    def __init__(self, data, axes: Sequence[dict] | None = None, metadata: dict | None = None,
                 original_metadata: dict | None = None, **kwargs):
        self._data = data if is_dask(data) else np.asanyarray(data)
        if axes is None:
            axes = self._default_axes(self._data.ndim)
        axes = [a.get_axis_dictionary() if isinstance(a, DataAxis) else dict(a) for a in axes]
        if len(axes) != self._data.ndim:
            raise ValueError(
                f"{len(axes)} axes given for data with {self._data.ndim} dimensions "
                f"(shape {self._data.shape})"
            )
        for ax, size in zip(axes, self._data.shape):
            ax["size"] = size
        if not any("navigate" in a for a in axes) and self._signal_dimension:
            # as HyperSpy: without navigate flags the class says which axes are signal
            n_sig = min(self._signal_dimension, len(axes))
            for i, ax in enumerate(axes):
                ax["navigate"] = i < len(axes) - n_sig
        # navigation axes must come first in the array
        navs = [a.get("navigate", True) for a in axes]
        if any(not n for n in navs) and navs != sorted(navs, reverse=True):
            raise ValueError("navigation axes must come before signal axes in the data array")
        self.axes_manager = AxesManager(axes)
        self.metadata = DictionaryTreeBrowser(metadata or {})
        self.original_metadata = DictionaryTreeBrowser(original_metadata or {})
        if not self.metadata.has_item("General.title"):
            self.metadata.set_item("General.title", "")
        if not self.metadata.has_item("Signal.signal_type"):
            self.metadata.set_item("Signal.signal_type", self._signal_type)
        self.learning_results = kwargs.get("learning_results")

    @property
    def learning_results(self):
        """The decomposition, BSS and cluster results (HyperSpy's ``learning_results``).

        Always there, as in HyperSpy: empty before any of them, so that
        ``s.learning_results.load(path)`` and setting fields on a fresh signal work.
        """
        lr = self.__dict__.get("_learning_results")
        if lr is None:
            from emunmix.learn.results import LearningResults

            lr = self.__dict__["_learning_results"] = LearningResults()
        return lr

    @learning_results.setter
    def learning_results(self, value):
        self.__dict__["_learning_results"] = value  # None: empty results on next read

    @classmethod
    def _default_axes(cls, ndim: int) -> list[dict]:
        sd = ndim if cls._signal_dimension in (None, 0) and ndim else min(
            cls._signal_dimension or 0, ndim)
        if cls._signal_dimension == 0:
            sd = ndim
        return [{"navigate": i < ndim - sd, "name": _UNDEF, "units": _UNDEF}
                for i in range(ndim)]

    # -- data -----------------------------------------------------------------
    @property
    def data(self):
        """The underlying array (numpy, or dask for lazy signals)."""
        return self._data

    @data.setter
    def data(self, value):
        value = value if is_dask(value) else np.asanyarray(value)
        if value.shape != self._data.shape:
            raise ValueError(
                f"new data shape {value.shape} differs from the signal's {self._data.shape}; "
                "create a new signal instead"
            )
        self._data = value

    @property
    def _lazy(self) -> bool:
        return is_dask(self._data)

    def compute(self) -> None:
        """Load a lazy signal's data into memory (in place)."""
        if self._lazy:
            self._data = np.asarray(self._data.compute())

    def as_lazy(self) -> BaseSignal:
        """A lazy (dask-backed) copy of the signal, with a copy of its learning results.

        A signal that is lazy already gives a lazy copy (the same graph: dask arrays
        are immutable).
        """
        import dask.array as da

        data = self.data if self._lazy else da.from_array(self.data, chunks="auto")
        return self._new_like(data, keep_learning=True)

    @property
    def T(self) -> BaseSignal:
        """Navigation and signal spaces swapped (see :meth:`transpose`)."""
        return self.transpose()

    # -- construction helpers ---------------------------------------------------
    def _new_like(self, data, axes: Sequence | None = None, cls: type | None = None,
                  keep_learning: bool = False) -> BaseSignal:
        """A new signal with this signal's metadata and the given data/axes."""
        if axes is None:
            axes = self.axes_manager.as_dictionaries()
        axes = [a.get_axis_dictionary() if isinstance(a, DataAxis) else a for a in axes]
        if cls is None:
            n_sig = sum(1 for a in axes if not a.get("navigate", True))
            cls = class_for(self.metadata.get_item("Signal.signal_type", ""), n_sig,
                            np.iscomplexobj(data))
        new = cls(data, axes=axes, metadata=self.metadata.as_dictionary(),
                  original_metadata=self.original_metadata.as_dictionary())
        if keep_learning and self.__dict__.get("_learning_results") is not None:
            new.learning_results = self.learning_results.copy()
        return new

    def _scalar_like(self, value) -> BaseSignal:
        """A one-point generic signal (every axis indexed or reduced away), as HyperSpy."""
        data = np.asarray(value).reshape(1)
        cls = class_for("", 0, np.iscomplexobj(data))
        return self._new_like(data, axes=[{"name": "Scalar", "size": 1, "navigate": False}],
                              cls=cls)

    def _deepcopy_with_new_data(self, data=None) -> BaseSignal:
        return self._new_like(self.data if data is None else data)

    def deepcopy(self) -> BaseSignal:
        """A fully independent copy (data, axes, metadata, learning results)."""
        data = self.data.copy() if not self._lazy else self.data
        return self._new_like(data, cls=type(self), keep_learning=True)

    def copy(self) -> BaseSignal:
        """A new signal object sharing the data array (HyperSpy's shallow copy)."""
        return self._new_like(self.data, cls=type(self), keep_learning=True)

    def __deepcopy__(self, memo):
        return self.deepcopy()

    def __copy__(self):
        return self.copy()

    # -- representation -----------------------------------------------------
    def __repr__(self) -> str:
        lazy = "Lazy" if self._lazy else ""
        title = self.metadata.get_item("General.title", "")
        return (f"<{lazy}{type(self).__name__}, title: {title}, "
                f"dimensions: {self.axes_manager._signature()}>")

    # -- indexing -------------------------------------------------------------
    @property
    def inav(self) -> SpaceSlicer:
        """Index the navigation axes: ``s.inav[30, 30]``, ``s.inav[:10, 2.5:]``."""
        return SpaceSlicer(self, navigation=True)

    @property
    def isig(self) -> SpaceSlicer:
        """Index the signal axes: ``s.isig[400.:600.]`` (floats are calibrated)."""
        return SpaceSlicer(self, navigation=False)

    # -- signal type ----------------------------------------------------------
    def set_signal_type(self, signal_type: str = "") -> None:
        """Change the signal type (e.g. "EELS") and the class accordingly, in place."""
        st = canonical_signal_type(signal_type)
        self.metadata.set_item("Signal.signal_type", st)
        self.__class__ = class_for(st, self.axes_manager.signal_dimension,
                                   np.iscomplexobj(self.data))

    # -- reductions -------------------------------------------------------------
    def _axes_positions(self, axis) -> list[int]:
        am = self.axes_manager
        if axis is None:
            axes = am.navigation_axes or am.signal_axes
            return sorted(am.array_index(a) for a in axes)
        if isinstance(axis, str) and axis in ("navigation", "signal"):
            axes = am.navigation_axes if axis == "navigation" else am.signal_axes
            return sorted(am.array_index(a) for a in axes)
        if isinstance(axis, (list, tuple, np.ndarray)):
            keys = list(np.asarray(axis, dtype=object).ravel())
            pos = [am.array_index(a) for a in keys]
            if len(set(pos)) < len(pos):  # numpy refuses repeated axes too
                same = [" and ".join(repr(getattr(k, "name", k)) for k, q in zip(keys, pos)
                                     if q == p) for p in sorted(set(pos)) if pos.count(p) > 1]
                raise ValueError(
                    f"axis= names one axis more than once ({'; '.join(same)} are the same "
                    "axis); list each axis once")
            return sorted(pos)
        return [am.array_index(axis)]

    def _reduce(self, func, axis, out=None, **kwargs) -> BaseSignal:
        if out is not None:  # np.sum(s) passes out=None; a real out= is not supported
            raise TypeError("signal reductions do not support out=")
        pos = self._axes_positions(axis)
        data = func(self.data, axis=tuple(pos), **kwargs)
        axes = [a for i, a in enumerate(self.axes_manager.as_dictionaries()) if i not in pos]
        if not axes:  # reduced to a scalar: a one-point generic signal like HyperSpy
            return self._scalar_like(data)
        return self._new_like(data, axes=axes)

    # ``out``/``dtype``/``ddof`` let numpy's functions (np.sum(s), np.std(s)) call these.
    def sum(self, axis=None, out=None, dtype=None) -> BaseSignal:
        """Sum over axes (name, index, "navigation"/"signal", or a list); None: navigation."""
        return self._reduce(np.sum, axis, out, dtype=dtype)

    def mean(self, axis=None, out=None, dtype=None) -> BaseSignal:
        """Mean over axes (see :meth:`sum`)."""
        return self._reduce(np.mean, axis, out, dtype=dtype)

    def max(self, axis=None, out=None) -> BaseSignal:
        """Maximum over axes (see :meth:`sum`)."""
        return self._reduce(np.max, axis, out)

    def min(self, axis=None, out=None) -> BaseSignal:
        """Minimum over axes (see :meth:`sum`)."""
        return self._reduce(np.min, axis, out)

    def std(self, axis=None, out=None, dtype=None, ddof=0) -> BaseSignal:
        """Standard deviation over axes (see :meth:`sum`)."""
        return self._reduce(np.std, axis, out, dtype=dtype, ddof=ddof)

    # -- reshaping ----------------------------------------------------------------
    def transpose(self, signal_axes=None, navigation_axes=None,
                  optimize: bool = False) -> BaseSignal:
        """Re-assign axes between navigation and signal spaces.

        Parameters
        ----------
        signal_axes : None, int or list of axis names/indices
            None swaps the two spaces (``s.T``); an int n makes the first n axes
            of the data's natural order (its last n array dimensions) the signal
            axes, as HyperSpy does; a list names them.
        navigation_axes : None, int or list
            When ``signal_axes`` is None: an int n makes the last n axes of the
            natural order navigation, a list names them. With a list of
            ``signal_axes``, a list naming every other axis.
        optimize : bool
            Copy the data into the new order (contiguous spectra or images) instead
            of returning a transposed view; lazy data keep their chunks.

        Raises
        ------
        ValueError
            A number of axes outside 0..ndim, an axis listed twice or in both spaces,
            axes left out of both lists, or an int with the other argument given.
        TypeError
            An argument that is neither None, an int nor a list of axes.
        """
        am = self.axes_manager
        sig, nav = transposed_spaces(am, signal_axes, navigation_axes)
        # array order = reversed natural order, navigation first
        order = nav[::-1] + sig[::-1]
        perm = [am.array_index(a) for a in order]
        data = self.data.transpose(perm)
        if optimize and not self._lazy:
            data = np.ascontiguousarray(data)
        axes = []
        for a in order:
            d = a.get_axis_dictionary()
            d["navigate"] = any(a is n for n in nav)
            axes.append(d)
        return self._new_like(data, axes=axes)

    def as_signal1D(self, spectral_axis=-1, optimize: bool = True) -> BaseSignal:
        """One signal axis (``spectral_axis``) and the rest navigation."""
        axis = self.axes_manager[spectral_axis]
        return self.transpose(signal_axes=[axis], optimize=optimize)

    def as_signal2D(self, image_axes=(-2, -1), optimize: bool = True) -> BaseSignal:
        """Two signal axes (``image_axes``, natural order x, y)."""
        axes = [self.axes_manager[a] for a in image_axes]
        return self.transpose(signal_axes=axes, optimize=optimize)

    def squeeze(self) -> BaseSignal:
        """A new signal without the axes of size 1 (HyperSpy's ``squeeze``).

        Readers give a single spectrum as a 1 x 1 x n cube; this makes it a spectrum.
        """
        axes = self.axes_manager.as_dictionaries()
        keep = [i for i, a in enumerate(axes) if a["size"] != 1]
        if not keep:  # a single value: keep one axis rather than none
            keep = [len(axes) - 1]
        index = tuple(slice(None) if i in keep else 0 for i in range(len(axes)))
        return self._new_like(self.data[index], axes=[axes[i] for i in keep])

    def crop(self, axis, start=None, end=None) -> None:
        """Crop one axis in place; ``start``/``end`` are ints or calibrated floats."""
        am = self.axes_manager
        pos = am.array_index(axis)
        ax = am._array_axes[pos]
        sl = ax._slice(slice(start, end))
        lo, hi, _ = sl.indices(ax.size)
        if hi <= lo:
            raise ValueError(f"crop of axis {ax.name!r} from {start} to {end} is empty")
        idx = [slice(None)] * self.data.ndim
        idx[pos] = slice(lo, hi)
        self._data = self.data[tuple(idx)]
        ax.__dict__.update(ax.sliced(lo, hi, 1).__dict__)  # in place: references stay valid

    def crop_signal1D(self, left_value=None, right_value=None) -> None:
        """Crop the (single) signal axis in place."""
        if self.axes_manager.signal_dimension != 1:
            raise ValueError("crop_signal1D needs exactly one signal axis")
        self.crop(self.axes_manager.signal_axes[0], left_value, right_value)

    def rebin(self, new_shape=None, scale=None) -> BaseSignal:
        """Sum-bin by integer factors; ``scale`` (natural order) or ``new_shape``."""
        am = self.axes_manager
        factors = [1] * len(am)
        for a, f in zip(am._axes_in_hs_order, rebin_factors(am, new_shape, scale)):
            factors[am.array_index(a)] = f
        shape = []
        for n, f in zip(self.data.shape, factors):
            shape += [n // f, f]
        data = self.data.reshape(shape).sum(axis=tuple(range(1, 2 * len(factors), 2)))
        axes = am.as_dictionaries()
        for d, f in zip(axes, factors):
            if f == 1:
                continue  # untouched (a non-uniform axis can only be here)
            d["offset"] = d["offset"] + (f - 1) * d["scale"] / 2
            d["scale"] = d["scale"] * f
        return self._new_like(data, axes=axes)

    def change_dtype(self, dtype) -> None:
        """Change the data type in place (complex <-> real changes the class).

        HyperSpy's "rgb8", "rgb16", "rgba8", "rgba16" fold a signal axis of 3 (4)
        colour channels into one structured value per pixel (see :mod:`.rgb`).
        """
        from .rgb import is_rgb_name, to_rgb

        if is_rgb_name(dtype):
            data, axes = to_rgb(self.data, self.axes_manager.as_dictionaries(), dtype)
            self._data, self.axes_manager = data, AxesManager(axes)
        else:
            try:
                np.dtype(dtype)
            except TypeError:
                raise TypeError(f"change_dtype({dtype!r}): not a data type; give a numpy "
                                "dtype such as 'float32' or 'uint16', or one of 'rgb8', "
                                "'rgb16', 'rgba8', 'rgba16'") from None
            self._data = self.data.astype(dtype)
        self.__class__ = class_for(self.metadata.get_item("Signal.signal_type", ""),
                                   self.axes_manager.signal_dimension,
                                   np.iscomplexobj(self._data))

    def _unfolded(self):
        """(navigation_size or 1, signal_size) view of the data."""
        am = self.axes_manager
        return self.data.reshape(max(am.navigation_size, 1), max(am.signal_size, 1))

    def get_current_signal(self) -> BaseSignal:
        """The signal at the axes manager's current navigation indices."""
        if not self.axes_manager.navigation_dimension:
            return self
        return self.inav[tuple(self.axes_manager.indices)]

    # -- io ---------------------------------------------------------------------------
    def save(self, filename, overwrite: bool | None = None, extension: str | None = None,
             **kwds) -> None:
        """Save to any format RosettaSciIO writes (.hspy by default), atomically.

        An existing file is only replaced with ``overwrite=True``, and only by a complete
        new one (see the reliability guide). ``batch=`` (an open
        :class:`~emunmix.io_atomic.StagedWrites`) stages the file with others, to come
        into place together at the batch's commit (exports do so).
        """
        from ..io import save

        save(filename, self, overwrite=overwrite, extension=extension, **kwds)

    def plot(self, *args, **kwargs):
        """Plot the signal (navigator + signal under a pointer; see emunmix.plot)."""
        from ..plot import plot_signal

        return plot_signal(self, *args, **kwargs)


_UNDEF = "<undefined>"


register_signal_class(BaseSignal, "", None, False)
