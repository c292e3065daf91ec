"""Arithmetic of signals: operators, broadcasting and numpy ufuncs.

``s + 1``, ``s * spectrum``, ``array * s``, ``s += 1`` and ``np.sqrt(s)`` act on
the data and give signals with the same axes and metadata. The operands must
share navigation and signal shapes, or one of them must have a single point or
no axes in a space (it then broadcasts). In-place operators write into the
array itself, as HyperSpy's do.
"""

from __future__ import annotations

import operator

import numpy as np

from .protocol import SignalLike


class ArithmeticMixin:
    """Operators mixed into :class:`~emunmix.signal.base.BaseSignal`."""

    # numpy should defer to our reflected operators (array * signal -> signal)
    __array_priority__ = 100

    def _operand(self, other, opname: str):
        if isinstance(other, ArithmeticMixin):
            a, b = self.axes_manager, other.axes_manager
            if not _broadcasts_into(other, self):
                raise ValueError(
                    f"cannot {opname} signals of shapes {a._signature()} and "
                    f"{b._signature()}: navigation and signal shapes must match "
                    "(or one of them must have a single point or no axes in a space, to broadcast)"
                )
            return _broadcastable(other, self)
        if isinstance(other, (np.ndarray, list, tuple)) and not np.isscalar(other):
            arr = np.asarray(other)
            try:
                np.broadcast_shapes(arr.shape, self.data.shape)
            except ValueError:
                raise ValueError(
                    f"cannot {opname} an array of shape {arr.shape} and a signal with data "
                    f"shape {self.data.shape} (axes {self.axes_manager._signature()}): "
                    "shapes do not broadcast"
                ) from None
            return arr
        if other is None or isinstance(other, (str, bytes, dict, set)):
            raise TypeError(f"cannot {opname} a signal and a {type(other).__name__} "
                            f"({other!r}); give a number, an array or a signal")
        return other

    def _binary(self, other, op, opname: str, reflected: bool = False) -> SignalLike:
        if (isinstance(other, ArithmeticMixin) and not _broadcasts_into(other, self)
                and _broadcasts_into(self, other)):
            # a single spectrum with a spectrum image: the result takes the larger's axes
            mine = _broadcastable(self, other)
            result = op(other.data, mine) if reflected else op(mine, other.data)
            return self._new_like(result, axes=other.axes_manager.as_dictionaries())
        if isinstance(other, ArithmeticMixin) and not _broadcasts_into(other, self):
            union = _union(self, other)
            if union is not None:  # e.g. (|100) * (5, 4|) -> (5, 4|100), as HyperSpy
                axes, cls = union
                a, b = _expanded(self, axes), _expanded(other, axes)
                result = op(b, a) if reflected else op(a, b)
                return self._new_like(result, axes=axes, cls=cls)
        o = self._operand(other, opname)
        result = op(o, self.data) if reflected else op(self.data, o)
        if result.shape != self.data.shape:
            raise ValueError(f"{opname} would change the data shape {self.data.shape} "
                             f"to {result.shape}")
        return self._new_like(result)

    def _settle_learning_results(self) -> None:
        """Compute deferred decomposition components before the data change in place
        (they are computed from the data, which are about to stop matching)."""
        from emunmix.learn.decomposition.finish import StaleDataError

        lr = getattr(self, "learning_results", None)
        if lr is not None and hasattr(lr, "complete_components"):
            try:
                lr.complete_components()
            except StaleDataError:
                pass  # already stale: reading the components will say so

    def _inplace(self, other, op, opname: str) -> SignalLike:
        o = self._operand(other, opname)
        if self._lazy:  # dask arrays are immutable: rebind to the new graph
            self._data = op(self.data, o)
            return self
        result_dtype = np.result_type(self.data, o)
        if not np.can_cast(result_dtype, self.data.dtype, "same_kind"):
            raise TypeError(
                f"in-place {opname} would change dtype {self.data.dtype} to "
                f"{result_dtype}; use s.change_dtype({str(result_dtype)!r}) first or the "
                "non-in-place operator"
            )
        self._settle_learning_results()
        # numpy's in-place operator writes into the array itself, as HyperSpy does: no
        # temporary of the data's size, and shallow copies (s.copy()) see the change
        op(self.data, o)
        return self

    def __neg__(self):
        return self._new_like(-self.data)

    def __pos__(self):
        return self._new_like(+self.data)

    def __abs__(self):
        return self._new_like(abs(self.data))


def _broadcasts_into(other: SignalLike, target: SignalLike) -> bool:
    """True when ``other`` combines with ``target`` without changing target's shape: each
    space (navigation, signal) either matches, is empty, or (navigation) has one point."""
    a, b = target.axes_manager, other.axes_manager
    sig_ok = b.signal_shape in (a.signal_shape, ()) or b.signal_size == 1
    nav_ok = b.navigation_shape in (a.navigation_shape, ()) or b.navigation_size == 1
    return sig_ok and nav_ok


def _broadcastable(other: SignalLike, target: SignalLike):
    """Other's data reshaped to broadcast against target's array order (navigation
    first): a space other lacks, or has a single point of, becomes length-1 axes."""
    a, b = target.axes_manager, other.axes_manager
    nav = b.navigation_shape[::-1] if b.navigation_shape == a.navigation_shape \
        else (1,) * a.navigation_dimension
    sig = b.signal_shape[::-1] if b.signal_shape == a.signal_shape \
        else (1,) * a.signal_dimension
    return other.data.reshape(nav + sig)


def _union(a: SignalLike, b: SignalLike):
    """``(axes, class)`` of the result of combining ``a`` and ``b`` whose spaces each
    match or are missing in one of them (HyperSpy's broadcasting), or None."""
    am, bm = a.axes_manager, b.axes_manager
    spaces = []
    for space in ("navigation", "signal"):
        sa, sb = getattr(am, f"{space}_shape"), getattr(bm, f"{space}_shape")
        if sa == sb or not sb:
            spaces.append(getattr(am, f"{space}_axes"))
        elif not sa:
            spaces.append(getattr(bm, f"{space}_axes"))
        else:
            return None
    nav, sig = spaces
    # array order: navigation axes (natural order reversed), then signal axes
    axes = [ax.get_axis_dictionary() for ax in (*nav[::-1], *sig[::-1])]
    for i, d in enumerate(axes):
        d["navigate"] = i < len(nav)
    provider = a if am.signal_dimension or not bm.signal_dimension else b
    return axes, type(provider)


def _expanded(s: SignalLike, axes: list):
    """``s.data`` with length-1 axes for the spaces it lacks, in the union's array order."""
    am = s.axes_manager
    n_nav = sum(1 for d in axes if d["navigate"])
    nav = am.navigation_shape[::-1] if am.navigation_dimension else (1,) * n_nav
    sig = am.signal_shape[::-1] if am.signal_dimension else (1,) * (len(axes) - n_nav)
    return s.data.reshape(tuple(nav) + tuple(sig))


def _add_comparisons():
    """``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=`` give boolean signals (HyperSpy's
    ``mask = s.sum(-1) < 1.5`` is a navigation mask)."""
    for name in ("lt", "le", "gt", "ge", "eq", "ne"):
        op = getattr(operator, name)

        def cmp(self, other, _op=op, _n=name):
            return self._binary(other, _op, _n)

        setattr(ArithmeticMixin, f"__{name}__", cmp)
    ArithmeticMixin.__hash__ = object.__hash__  # signals stay usable as dict keys


def _add_operators():
    ops = {
        "add": operator.add, "sub": operator.sub, "mul": operator.mul,
        "truediv": operator.truediv, "floordiv": operator.floordiv, "pow": operator.pow,
        "mod": operator.mod,
    }
    iops = {name: getattr(operator, f"i{name}") for name in ops}
    for name, op in ops.items():
        def fwd(self, other, _op=op, _n=name):
            return self._binary(other, _op, _n)

        def ref(self, other, _op=op, _n=name):
            return self._binary(other, _op, _n, reflected=True)

        def inp(self, other, _iop=iops[name], _n=name):
            return self._inplace(other, _iop, _n)

        setattr(ArithmeticMixin, f"__{name}__", fwd)
        setattr(ArithmeticMixin, f"__r{name}__", ref)
        setattr(ArithmeticMixin, f"__i{name}__", inp)


_add_operators()
_add_comparisons()


def _array_ufunc(self, ufunc, method, *inputs, **kwargs):
    """numpy ufuncs act on the data: ``np.sqrt(s)`` and ``array * s`` give signals."""
    if method != "__call__" or "out" in kwargs:
        return NotImplemented
    args = [i.data if isinstance(i, ArithmeticMixin) else i for i in inputs]
    result = ufunc(*args, **kwargs)
    if isinstance(result, np.ndarray) and result.shape == self.data.shape:
        return self._new_like(result)
    return result


ArithmeticMixin.__array_ufunc__ = _array_ufunc
