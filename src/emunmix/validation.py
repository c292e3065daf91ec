"""The input checks of emunmix: masks, component counts, indices, choices, dtypes and
finite values, used by the kernels (``learn/``, ``preprocess/``) and the signal layer.

One place for the checks and their messages, so that every method says the same thing
about the same problem (a mask holding 0.5 is refused the same way everywhere). The
checks work on numpy arrays and, where noted, on dask arrays (they then compute what
they count). Nothing here modifies or copies the caller's data beyond small row blocks.
"""

from __future__ import annotations

import numbers

import numpy as np

from emunmix.exceptions import InvalidIndexError, InvalidMaskError


def is_dask(X) -> bool:
    """True for a dask array (without importing dask when it is not used)."""
    return type(X).__module__.split(".")[0] == "dask"


def numpy_dtype(dtype) -> np.dtype:
    """The numpy dtype of ``dtype``, also for array-API libraries whose dtypes are their
    own objects (``array_api_strict.float64``, ``torch.float32`` name a numpy dtype)."""
    try:
        return np.dtype(dtype)
    except TypeError:
        return np.dtype(str(dtype).rsplit(".", 1)[-1])


def working_dtype(dtype) -> np.dtype:
    """The float dtype kernels compute in for data of ``dtype``.

    float64 stays float64; float32, float16, integers and booleans work in
    float32 (count data fit it exactly up to 2**24 and it halves the memory).

    Raises
    ------
    TypeError
        For complex or non-numeric data.
    """
    dtype = numpy_dtype(dtype)
    if dtype.kind == "c":
        raise TypeError(
            "complex data cannot be decomposed; decompose the real and imaginary parts "
            "(or the amplitude) separately"
        )
    if dtype.kind not in "biuf":
        raise TypeError(f"the data must be numeric, got dtype {dtype}")
    if dtype == np.float64 or (dtype.kind == "f" and dtype.itemsize > 8):
        return np.dtype(np.float64)
    return np.dtype(np.float32)


def bool_mask(mask, name: str) -> np.ndarray:
    """``mask`` as a numpy bool array (dask computed): the one rule for mask values.

    Booleans, and numbers that are all 0 or 1, are accepted; anything else (0.5, NaN,
    strings) is refused, never rounded to True.

    Raises
    ------
    InvalidMaskError
        (a TypeError and a ValueError) For other values; the message names ``name``.
    """
    if is_dask(mask):
        mask = mask.compute()
    mask = np.asarray(mask)
    if mask.dtype == bool:
        return mask
    if mask.dtype.kind not in "iuf" or not np.isin(mask, (0, 1)).all():
        raise InvalidMaskError(
            f"{name} must be a boolean array (True = excluded), got dtype {mask.dtype}"
            + (" with values other than 0 and 1" if mask.dtype.kind in "iuf" else "")
        )
    return mask.astype(bool)


def check_2d(X, what: str = "data") -> None:
    """Check that ``X`` is a non-empty (pixels, channels) matrix.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D or has no pixels or no channels.
    """
    shape = tuple(X.shape)
    if len(shape) != 2:
        raise ValueError(
            f"the {what} must be a 2-D (pixels, channels) array, got shape {shape}; "
            "unfold the navigation and signal axes first"
        )
    if shape[0] == 0 or shape[1] == 0:
        raise ValueError(
            f"the {what} are empty (shape {shape}): there is nothing to decompose"
        )


def check_mask(mask, size: int, name: str, full_shape=None):
    """Validate a boolean mask (True = excluded) and return it flat.

    Parameters
    ----------
    mask : array_like of bool or None
        The mask; integer arrays of 0/1 are accepted too.
    size : int
        The number of entries the mask must have (pixels or channels).
    name : str
        The argument name used in messages ("navigation_mask").
    full_shape : tuple of int, optional
        An unflattened shape also accepted (e.g. the navigation shape (64, 64)).

    Returns
    -------
    ndarray of bool, shape (size,), or None
        None when ``mask`` is None or excludes nothing.

    Raises
    ------
    ValueError
        Wrong shape, values other than 0/1, or everything excluded.
    TypeError
        Non-numeric mask.
    """
    if mask is None:
        return None
    mask = bool_mask(mask, name)
    allowed = [(size,)]
    if full_shape is not None and tuple(full_shape) not in allowed:
        allowed.append(tuple(full_shape))
    if mask.shape not in allowed:
        expected = " or ".join(str(s) for s in allowed)
        raise ValueError(
            f"{name} has shape {mask.shape} but the data need shape {expected} "
            "(True = excluded)"
        )
    mask = mask.ravel()
    n_excluded = int(np.count_nonzero(mask))
    if n_excluded == size:
        raise ValueError(f"{name} excludes all {size} entries: there is nothing to decompose")
    return mask if n_excluded else None
















def check_output_dimension(k, shape, allow_auto: bool = True):
    """Validate the number of components for a matrix of ``shape``.

    Parameters
    ----------
    k : int, "auto" or None
        The requested number of components.
    shape : tuple of int
        Shape of the (unmasked) matrix to decompose.
    allow_auto : bool
        Whether the string "auto" is accepted.

    Returns
    -------
    int, "auto" or None

    Raises
    ------
    ValueError
        If ``k`` < 1 or ``k`` > min(shape).
    TypeError
        If ``k`` is not an integer (or "auto").
    """
    if k is None:
        return None
    if isinstance(k, str):
        if allow_auto and k.lower() == "auto":
            return "auto"
        allowed = "an integer, None or 'auto'" if allow_auto else "an integer or None"
        raise ValueError(f"output_dimension must be {allowed}, got {k!r}")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, numbers.Integral):
        raise TypeError(f"output_dimension must be an integer, got {k!r}")
    k = int(k)
    limit = min(shape)
    if k < 1 or k > limit:
        raise ValueError(
            f"output_dimension must be between 1 and {limit} (the smaller dimension of the "
            f"{shape[0]} x {shape[1]} data being decomposed), got {k}"
        )
    return k


def check_random_state(random_state) -> np.random.RandomState:
    """A :class:`numpy.random.RandomState` from None, an int, a RandomState or a Generator.

    A :class:`numpy.random.Generator` is accepted too (scikit-learn does not take
    one): a seed is drawn from it, so the same generator state gives the same result.
    """
    if isinstance(random_state, np.random.Generator):
        return np.random.RandomState(int(random_state.integers(2**32 - 1)))
    if random_state is None or random_state is np.random:
        return np.random.mtrand._rand  # numpy's global state, as scikit-learn uses it
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise ValueError(
        f"random_state must be None, an integer, a numpy RandomState or Generator, "
        f"got {random_state!r}"
    )


def check_choice(value, choices, name: str) -> None:
    """Refuse ``value`` unless it is one of ``choices`` (ValueError naming them)."""
    if value not in choices:
        raise ValueError(f"{name} must be one of {tuple(choices)}, got {value!r}")


def check_data_stats(stats, n_unmasked: int, poisson: bool, name: str,
                     needs_non_negative: bool) -> None:
    """The checks of the data read in one pass (:meth:`MatrixView.stats`): no NaN/inf,
    and no negative values where Poisson normalisation or the algorithm forbids them."""
    if stats.n_non_finite:
        raise ValueError(
            f"the data contain {stats.n_non_finite} NaN/inf values (out of {n_unmasked} "
            "unmasked); use navigation_mask/signal_mask to exclude them or replace them "
            "(e.g. s.data = np.nan_to_num(s.data))"
        )
    if stats.n_negative and (poisson or needs_non_negative):
        what = "Poisson noise normalisation" if poisson else name
        raise ValueError(
            f"{what} needs non-negative data, but the data contain {stats.n_negative} "
            "negative values. Remove the offset that made them negative (e.g. "
            "s.data -= s.data.min()), clip them (s.data = np.clip(s.data, 0, None)) or "
            "exclude them with navigation_mask/signal_mask"
        )


def check_index(index, size: int, name: str, what: str) -> int:
    """An integer index into ``size`` items, negative ones counted from the end.

    Raises
    ------
    TypeError
        For a non-integer (floats and booleans included).
    ValueError
        Out of range; the message gives the valid range.
    """
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {index!r}")
    index = int(index)
    if not -size <= index < size:
        raise ValueError(
            f"{name} {index} is out of range for {what} (valid: {-size} to {size - 1})"
        )
    return index % size


def check_axis_value(value, axis_name: str, what: str = "index") -> None:
    """Refuse a NaN calibrated value (an index, a slice bound or a step) on an axis.

    Raises
    ------
    InvalidIndexError
        (an IndexError and a ValueError) For NaN, which would otherwise become
        index -9223372036854775808.
    """
    arr = np.asarray(value, dtype=float)
    if np.isnan(arr).any():
        raise InvalidIndexError(
            f"{what} {value!r} on axis {axis_name!r} is not a number (NaN): give an integer "
            "index or a calibrated value in the axis range")


def check_count(n, name: str, minimum: int = 1, maximum: int | None = None,
                what: str = "") -> int:
    """An integer count between ``minimum`` and ``maximum`` (inclusive).

    Raises
    ------
    TypeError
        For a non-integer (floats, booleans, strings).
    ValueError
        Out of range; the message gives the range and what bounds it (``what``).
    """
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {n!r}")
    n = int(n)
    if maximum is not None and not minimum <= n <= maximum:
        because = f" ({what})" if what else ""
        raise ValueError(f"{name} must be between {minimum} and {maximum}{because}, got {n}")
    if n < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {n}")
    return n
