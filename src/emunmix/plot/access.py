"""Reading data out of signals for drawing: one position at a time, numpy or dask.

Plots never transform the data; they only read the piece on screen. These
helpers keep the index bookkeeping (natural order x, y -> array order y, x) in
one place.
"""

from __future__ import annotations

import numpy as np


def to_numpy(array) -> np.ndarray:
    """A numpy array from numpy or dask input (computing a dask piece)."""
    if hasattr(array, "compute") and not isinstance(array, np.ndarray):
        array = array.compute()
    return np.asarray(array)


def array_index(indices) -> tuple[int, ...]:
    """Natural-order navigation indices ``(x, y, ...)`` as an array index ``(..., y, x)``."""
    return tuple(int(i) for i in reversed(tuple(indices)))


def data_at(signal, indices) -> np.ndarray:
    """The signal's data at one navigation position (a view for numpy data).

    Only ``signal.data[..., y, x]`` is touched, so moving a pointer over a large
    spectrum image costs one spectrum, not the cube.
    """
    return to_numpy(signal.data[array_index(indices)])


def as_signal_list(signals) -> list:
    """A list of single signals from a list, a tuple or one signal with navigation axes."""
    if isinstance(signals, (list, tuple)):
        return list(signals)
    am = getattr(signals, "axes_manager", None)
    if am is None:
        return [signals]
    if am.navigation_dimension == 0:
        return [signals]
    shape = signals.data.shape[: am.navigation_dimension]
    # unravel_index gives array order (y, x); inav wants natural order (x, y)
    return [signals.inav[tuple(int(j) for j in reversed(np.unravel_index(i, shape)))]
            for i in range(int(np.prod(shape)))]
