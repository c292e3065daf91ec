"""Local-median spike replacement from the neighbouring spectra.

The kernel behind ``Signal1D.remove_spikes(method="median")``: a value is
replaced by the median of the same channel in the neighbouring spectra when it
stands far above them and above its own neighbouring channels.
"""

from __future__ import annotations

import numpy as np

# channels either side searched for the neighbours' matching value
_REACH = 4


def median_replace(data, factor, nav_positions, size):
    """Local-median spike replacement, noise- and shift-aware (see ``Signal1D.remove_spikes``).

    Vectorised in two stages: a cheap test of every value against its own
    neighbouring channels picks candidates, and only those are compared with
    the median of the neighbouring spectra.
    """
    x = data.astype(np.float64 if data.dtype == np.float64 else np.float32, copy=False)
    n = x.shape[-1]
    if n < 5:
        raise ValueError(f"remove_spikes needs at least 5 channels, the signal has {n}")
    p = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(2, 2)], mode="edge")
    side = np.maximum(np.maximum(p[..., :-4], p[..., 1:-3]), np.maximum(p[..., 3:-1], p[..., 4:]))
    gain = _count_gain(x)
    noise = np.sqrt(gain * np.maximum(side, 1.0))
    cand = np.nonzero(x - side > factor * noise)
    out = x.copy()
    if not cand[0].size:
        return out
    if nav_positions:
        # each neighbour's largest value within +-reach channels: a peak that sits a
        # few channels away in the neighbours (energy instability) is still matched
        ch = cand[-1]
        ref = np.max([_neighbour_values(x, cand[:-1] + (np.clip(ch + d, 0, n - 1),),
                                        nav_positions, size)
                      for d in range(-_REACH, _REACH + 1)], axis=0)
        plain = _neighbour_values(x, cand, nav_positions, size)
        med_ref, med = np.median(ref, axis=1), np.median(plain, axis=1)
    else:  # a lone spectrum: its own channels are the only neighbours
        med_ref = med = side[cand]
    v = x[cand]
    hit = v - med_ref > factor * np.sqrt(gain * np.maximum(med_ref, 1.0))
    out[tuple(c[hit] for c in cand)] = med[hit]
    return out


def _count_gain(x) -> float:
    """Noise variance per unit signal (1 for counts), from second differences."""
    rows = x.reshape(-1, x.shape[-1])
    step = max(1, rows.shape[0] // 512)
    r = rows[::step].astype(np.float64)
    d = r[:, 1:-1] - 0.5 * (r[:, :-2] + r[:, 2:])
    level = np.maximum(r[:, 1:-1], 1.0)
    g = float(np.median(d * d / (1.5 * level))) / 0.4549364
    return g if np.isfinite(g) and g > 0 else 1.0


def _neighbour_values(x, idx, nav_positions, size):
    """Values at ``idx`` moved over the navigation window (centre excluded), clipped at edges."""
    half = size // 2
    grids = np.meshgrid(*[np.arange(-half, half + 1)] * len(nav_positions), indexing="ij")
    offsets = np.stack([g.ravel() for g in grids], axis=1)
    offsets = offsets[np.any(offsets != 0, axis=1)]
    cols = []
    for off in offsets:
        moved = list(idx)
        for axis_pos, o in zip(nav_positions, off):
            moved[axis_pos] = np.clip(idx[axis_pos] + o, 0, x.shape[axis_pos] - 1)
        cols.append(x[tuple(moved)])
    return np.stack(cols, axis=1)
