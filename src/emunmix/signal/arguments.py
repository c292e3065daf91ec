"""Checks of the arguments of the signal's reshaping methods (transpose, rebin, crop),
kept out of ``base.py``: each returns what the method needs or raises a clear error
naming the argument, the signal's axes and the fix, before anything is modified."""

from __future__ import annotations

import math
import numbers

import numpy as np


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))


def _axes_list(am, axes, name: str) -> list:
    """``axes`` (names, indices or axes; one of them alone too) as a list of axes."""
    if isinstance(axes, (str, numbers.Integral)) or hasattr(axes, "navigate"):
        axes = [axes]
    try:
        items = list(axes)
    except TypeError:
        raise TypeError(f"{name} must be None, an int or a list of axis names/indices, "
                        f"got {axes!r}") from None
    found = [am[a] for a in items]
    for i, a in enumerate(found):
        if any(a is b for b in found[:i]):
            raise ValueError(f"{name} lists axis {a.name!r} twice ({items!r}); name each "
                             "axis once")
    return found


def _count(n, total: int, name: str, signature: str) -> int:
    if not _is_int(n):
        raise TypeError(f"{name} must be None, an int or a list of axis names/indices, "
                        f"got {n!r}")
    if not 0 <= n <= total:
        raise ValueError(f"{name}={n}: the signal has {total} axes {signature}; give a "
                         f"number from 0 to {total}, or a list of axis names/indices")
    return int(n)


def transposed_spaces(am, signal_axes, navigation_axes) -> tuple[list, list]:
    """(signal axes, navigation axes) of ``transpose``, each in natural order."""
    natural = list(am._array_axes)[::-1]  # HyperSpy counts from the data's last dimension
    total, signature = len(natural), am._signature()
    if signal_axes is None and navigation_axes is None:
        return list(am.navigation_axes), list(am.signal_axes)
    if signal_axes is not None and not _is_list_like(signal_axes):
        if navigation_axes is not None:
            raise ValueError("give either a number of signal_axes or navigation_axes, not "
                             "both (navigation_axes takes the axes that are left)")
        k = _count(signal_axes, total, "signal_axes", signature)
        return natural[:k], natural[k:]
    if signal_axes is None:
        if not _is_list_like(navigation_axes):
            k = _count(navigation_axes, total, "navigation_axes", signature)
            return natural[: total - k], natural[total - k:]
        nav = _axes_list(am, navigation_axes, "navigation_axes")
        return [a for a in natural if all(a is not n for n in nav)], nav
    sig = _axes_list(am, signal_axes, "signal_axes")
    rest = [a for a in natural if all(a is not s for s in sig)]
    if navigation_axes is None:
        return sig, rest
    if not _is_list_like(navigation_axes):
        raise TypeError("with a list of signal_axes, navigation_axes must be None or a list "
                        f"of the other axes, got {navigation_axes!r}")
    nav = _axes_list(am, navigation_axes, "navigation_axes")
    both = [a.name for a in nav if any(a is s for s in sig)]
    if both:
        raise ValueError(f"axis {both[0]!r} is in both signal_axes and navigation_axes; "
                         "put each axis in one of them")
    if len(sig) + len(nav) != total:
        left = [a.name for a in rest if all(a is not n for n in nav)]
        raise ValueError(f"axes {left} are in neither signal_axes nor navigation_axes; "
                         "list every axis in one of them (or leave navigation_axes None)")
    return sig, nav


def _is_list_like(v) -> bool:
    return not _is_int(v) and not isinstance(v, (float, np.floating, bool, np.bool_)) and (
        isinstance(v, (str, list, tuple)) or hasattr(v, "navigate") or hasattr(v, "__iter__"))


def rebin_factors(am, new_shape, scale) -> list[int]:
    """The integer factor of each axis (natural order) for ``rebin``."""
    hs = am._axes_in_hs_order
    sizes = [a.size for a in hs]
    if (new_shape is None) == (scale is None):
        raise ValueError("give exactly one of new_shape or scale (e.g. "
                         f"new_shape={tuple(max(n // 2, 1) for n in sizes)})")
    given = new_shape if scale is None else scale
    name = "new_shape" if scale is None else "scale"
    try:
        given = list(given)
    except TypeError:
        raise TypeError(f"{name} must be a sequence of {len(hs)} numbers (natural order "
                        f"{am._signature()}), got {given!r}") from None
    if len(given) != len(hs):
        raise ValueError(f"{name} needs {len(hs)} numbers (natural order "
                         f"{am._signature()}), got {len(given)}")
    factors = []
    for a, v in zip(hs, given):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            raise TypeError(f"{name} holds {v!r} for axis {a.name!r}; give numbers")
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"{name} holds {v!r} for axis {a.name!r} (size {a.size}); "
                             "give a positive number")
        f = a.size / v if scale is None else v
        if f != int(f) or a.size % int(f):
            divisors = [d for d in range(1, a.size + 1) if a.size % d == 0]
            options = ([a.size // d for d in divisors] if scale is None else divisors)
            raise ValueError(
                f"{name}={v!r} for axis {a.name!r} of size {a.size} is not an integer "
                f"binning (rebin sums whole groups of points); give one of "
                f"{sorted(set(options))}")
        if int(f) != 1 and not a.is_uniform:
            raise ValueError(f"rebin: axis {a.name!r} is non-uniform (given by its "
                             "values); it can only keep factor 1")
        factors.append(int(f))
    return factors
