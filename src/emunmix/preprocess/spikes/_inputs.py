"""Argument checks shared by the spike kernels: data as rows, masks, ``"auto"``."""

from __future__ import annotations

import numpy as np

from emunmix.validation import bool_mask


def _as_rows(data, name="data"):
    data = np.asarray(data)
    if data.ndim == 0:
        raise ValueError(f"{name} must have at least one (signal) dimension")
    n = data.shape[-1]
    return data.reshape(-1, n), data.shape


def _nav_mask(navigation_mask, shape):
    if navigation_mask is None:
        return None
    m = bool_mask(navigation_mask, "navigation_mask")
    nav = tuple(shape[:-1])
    if m.shape == nav or m.size == int(np.prod(nav, dtype=np.int64)):
        return m.reshape(-1)
    raise ValueError(
        f"navigation_mask has shape {m.shape}; expected the navigation shape {nav}"
    )


def _sig_mask(signal_mask, n):
    if signal_mask is None:
        return None
    m = bool_mask(signal_mask, "signal_mask").reshape(-1)
    if m.size != n:
        raise ValueError(f"signal_mask has {m.size} entries; expected {n} (one per channel)")
    return m


def _is_auto(threshold) -> bool:
    return isinstance(threshold, str) and threshold == "auto"

