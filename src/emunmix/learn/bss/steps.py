"""The steps of :func:`emunmix.learn.bss.separate` (array helpers).

Component selection and the checks of masks and derivative orders (with the
messages users see), the smoothing and differentiation of the data the
unmixing is estimated on, the core-loss "ground" prior and the explained
variance used to sort the separated components.
"""

from __future__ import annotations

import numpy as np

from emunmix.validation import bool_mask


def _eager(a):
    return a.compute() if hasattr(a, "compute") else np.asarray(a)


def _select_components(n_available, number_of_components, comp_list):
    if comp_list is not None:
        idx = np.asarray(comp_list)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        idx = idx.astype(int).ravel()
        if number_of_components is not None and number_of_components != len(idx):
            raise ValueError(
                f"number_of_components={number_of_components} disagrees with comp_list, "
                f"which selects {len(idx)} components; give one or the other."
            )
        bad = idx[(idx < 0) | (idx >= n_available)]
        if bad.size:
            raise ValueError(
                f"comp_list refers to component(s) {bad.tolist()}, but the decomposition "
                f"has {n_available} components (indices 0 to {n_available - 1})."
            )
        if len(set(idx.tolist())) != len(idx):
            raise ValueError(f"comp_list has repeated components: {idx.tolist()}")
    else:
        n = n_available if number_of_components is None else int(number_of_components)
        if n > n_available:
            raise ValueError(
                f"number_of_components={n} is more than the {n_available} components "
                "the decomposition kept; decompose with a larger output_dimension or ask "
                "for fewer components."
            )
        idx = np.arange(n)
    if len(idx) < 2:
        raise ValueError(
            f"Blind source separation needs at least 2 components, got {len(idx)}."
        )
    return idx


def _check_mask(mask, expected_shape, what):
    mask = bool_mask(mask, "mask")
    n = int(np.prod(expected_shape))
    if mask.shape != tuple(expected_shape) and mask.shape != (n,):
        raise ValueError(
            f"mask has shape {mask.shape}, but the {what} has shape {tuple(expected_shape)}; "
            f"expected a boolean mask of shape {tuple(expected_shape)}"
            + (f" or ({n},)" if len(expected_shape) > 1 else "")
            + "."
        )
    return mask.reshape(-1)


def _check_diff_length(length, diff_order, what):
    if diff_order > 0 and length < max(diff_order + 1, 2):
        raise ValueError(
            f"diff_order={diff_order} is too high for the {what} of length {length}: "
            f"differentiating {diff_order} time(s) needs at least {diff_order + 1} points."
        )


def _smooth(a, smooth, axes):
    """Gaussian smoothing (sigma in samples) along ``axes`` of ``a``."""
    if smooth is None or smooth == 0:
        return a
    from scipy.ndimage import gaussian_filter

    sigma = np.zeros(a.ndim)
    sigma[list(axes)] = float(smooth)
    return gaussian_filter(a, sigma=sigma, mode="nearest")


def _differentiate(a, order, axis, coordinates=None):
    """``order`` applications of :func:`numpy.gradient` along ``axis``, with respect to
    ``coordinates`` (None: unit spacing)."""
    spacing = () if coordinates is None else (coordinates,)
    for _ in range(order):
        a = np.gradient(a, *spacing, axis=axis)
    return a


def _check_coordinates(coordinates, shape):
    """One float coordinate array (or None) per axis of ``shape``."""
    if coordinates is None:
        return [None] * len(shape)
    coords = [None if c is None else np.asarray(c, dtype=float).ravel()
              for c in coordinates]
    if len(coords) != len(shape):
        raise ValueError(
            f"coordinates has {len(coords)} axes, but the differentiated space has "
            f"{len(shape)} (shape {tuple(shape)})"
        )
    for i, (c, n) in enumerate(zip(coords, shape)):
        if c is not None and c.shape != (n,):
            raise ValueError(
                f"coordinates[{i}] has {c.size} values for an axis of length {n}; give "
                "one coordinate per index"
            )
        if c is not None and n > 1 and np.any(np.diff(c) == 0):
            raise ValueError(f"coordinates[{i}] repeats a value: the spacing cannot be 0")
    return coords


def _ground_onsets(S, excluded, sigma, margin):
    """Transform ``T`` making each column of ``S @ T`` ~0 below its onset.

    ``S`` (channels x k) are unmixed spectra. A component's onset is the first
    channel where its smoothed derivative exceeds a fraction of its maximum.
    In onset order, the channels before a component's onset (less ``margin``)
    are fitted by least squares with the components whose onsets come earlier
    (only they can be non-zero there; they are already cleaned), and that fit
    is subtracted. Two passes: a coarse threshold first, so that leakage near
    channel 0 cannot fake an early onset, then a fine one.
    """
    from scipy.ndimage import gaussian_filter1d

    k = S.shape[1]
    T = np.eye(k)
    usable = ~excluded & np.all(np.isfinite(S), axis=1)
    S = np.where(usable[:, None], S, 0.0)
    for frac in (0.2, 0.05):
        cur = S @ T
        # Edges rise: look for the first large positive slope of each component
        # oriented to be mostly positive (the background and its leakage fall).
        cur_sign = np.where(-cur.min(axis=0) > cur.max(axis=0), -1.0, 1.0)
        smoothed = gaussian_filter1d(cur * cur_sign, sigma, axis=0, mode="nearest")
        deriv = np.gradient(smoothed, axis=0)
        onsets = np.array([int(np.argmax(d > frac * d.max())) for d in deriv.T])
        # Scale by whole-spectrum norms: a component that is ~0 in a region stays
        # ~0 there and is cut by rcond instead of fitting noise.
        norms = np.linalg.norm(cur, axis=0)
        norms[norms == 0] = 1.0
        for i in np.argsort(onsets, kind="stable"):
            earlier = np.flatnonzero(onsets < onsets[i] - margin)
            rows = np.flatnonzero(usable[: max(onsets[i] - margin, 0)])
            if earlier.size == 0 or rows.size < 2 * k:
                continue
            A = cur[np.ix_(rows, earlier)] / norms[earlier]
            c = np.linalg.lstsq(A, cur[rows, i], rcond=1e-3)[0] / norms[earlier]
            cur[:, i] -= cur[:, earlier] @ c
            T[:, i] -= T[:, earlier] @ c
    return T


def _estimate_explained_variance(F, L):
    # Power of each rank-one term F_i L_i^T per pixel; equals S_i^2 / N for SVD.
    f2 = np.sum(np.abs(F) ** 2, axis=0)
    l2 = _eager(np.sum(abs(L) ** 2, axis=0))
    return f2 * l2 / L.shape[0]
