"""Bridging flagged channels: dilation of a mask and interpolation across it."""

from __future__ import annotations

import numpy as np


def _dilate_channels(mask, width):
    import scipy.ndimage
    if width <= 0:
        return mask
    return scipy.ndimage.binary_dilation(
        mask, structure=np.ones((1, 2 * int(width) + 1), bool)
    )


def _interpolate_masked(rows, mask, kind="linear"):
    """Straight line (or cubic through two anchors per side) across masked runs."""
    n = rows.shape[1]
    j = np.arange(n)
    good = ~mask
    # nearest good channel to the left and to the right of every channel
    left = np.maximum.accumulate(np.where(good, j, -1), axis=1)
    right = np.minimum.accumulate(np.where(good, j, n)[:, ::-1], axis=1)[:, ::-1]
    li = np.clip(left, 0, n - 1)
    ri = np.clip(right, 0, n - 1)
    r = np.arange(rows.shape[0])[:, None]
    yl, yr = rows[r, li], rows[r, ri]
    yl = np.where(left < 0, yr, yl)
    yr = np.where(right >= n, yl, yr)
    span = np.where((left >= 0) & (right < n), np.maximum(right - left, 1), 1)
    t = np.where((left >= 0) & (right < n), (j[None, :] - left) / span, 0.0)
    out = yl + t * (yr - yl)
    if kind == "cubic":
        # Catmull-Rom style: slopes from one more good channel on each side
        l2 = np.clip(left - 1, 0, n - 1)
        r2 = np.clip(right + 1, 0, n - 1)
        ok = (left >= 1) & (right <= n - 2) & good[r, l2] & good[r, r2]
        ml = (yl - rows[r, l2]) * span
        mr = (rows[r, r2] - yr) * span
        t2, t3 = t * t, t * t * t
        herm = (
            (2 * t3 - 3 * t2 + 1) * yl
            + (t3 - 2 * t2 + t) * ml
            + (-2 * t3 + 3 * t2) * yr
            + (t3 - t2) * mr
        )
        out = np.where(ok, herm, out)
    return np.where(mask, out, rows)
