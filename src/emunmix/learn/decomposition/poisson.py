"""Poisson noise normalisation (Keenan and Kotula) for decomposition.

For count data ``D`` (pixels x channels) the noise variance of ``D_ij`` is its mean, so
a least-squares decomposition is dominated by the brightest pixels and channels.
Keenan and Kotula scale the data so that, under a rank-one approximation of the mean,
the noise has the same variance everywhere::

    aG_i = sum_j D_ij        bH_j = sum_i D_ij        (zero sums replaced by 1)
    D'   = D / (sqrt(aG) sqrt(bH)')

decompose ``D' ~ L' F'^T`` and undo the scaling: ``factors = sqrt(bH) F'``,
``loadings = sqrt(aG) L'``, so that ``D ~ loadings @ factors.T``.

Sums are accumulated in float64 and the scaling is applied in float64 before the result
is stored in the working dtype, so sparse data (rows or columns of zeros, tiny sums,
float32) give finite results (HyperSpy issue #3169). Since ``D_ij <= aG_i`` and
``D_ij <= bH_j``, every normalised value lies in ``[0, 1]``.

References
----------
M. R. Keenan and P. G. Kotula, "Accounting for Poisson noise in the multivariate
analysis of ToF-SIMS spectrum images", Surf. Interface Anal. 36 (2004) 203-212.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.validation import check_2d, check_mask

_WHAT = "Poisson noise normalisation"


@dataclass(frozen=True)
class PoissonWeights:
    """Square roots of the Keenan-Kotula sums of the unmasked data.

    Attributes
    ----------
    root_aG : ndarray of float64, shape (m,)
        ``sqrt(aG)`` for each unmasked pixel (zero sums replaced by 1).
    root_bH : ndarray of float64, shape (n,)
        ``sqrt(bH)`` for each unmasked channel (zero sums replaced by 1).
    """

    root_aG: np.ndarray
    root_bH: np.ndarray


def weights_from_sums(row_sums, col_sums) -> PoissonWeights:
    """Poisson weights from the pixel sums ``aG`` and channel sums ``bH``.

    Zero (or, from round-off, non-positive or non-finite) sums are replaced by 1, as
    HyperSpy does, so that all-zero pixels or channels stay zero instead of NaN.

    Examples
    --------
    >>> w = weights_from_sums(np.array([4.0, 0.0]), np.array([1.0, 3.0]))
    >>> w.root_aG, w.root_bH
    (array([2., 1.]), array([1.        , 1.73205081]))
    """
    out = []
    for sums in (row_sums, col_sums):
        s = np.array(sums, dtype=np.float64)
        s[~(s > 0) | ~np.isfinite(s)] = 1.0
        out.append(np.sqrt(s))
    return PoissonWeights(*out)


def _view(X, navigation_mask, signal_mask) -> MatrixView:
    check_2d(X)
    m, n = X.shape
    nav = check_mask(navigation_mask, m, "navigation_mask")
    sig = check_mask(signal_mask, n, "signal_mask")
    return MatrixView(
        X,
        rows=None if nav is None else np.flatnonzero(~nav),
        cols=None if sig is None else np.flatnonzero(~sig),
    )


def poisson_weights(X, navigation_mask=None, signal_mask=None) -> PoissonWeights:
    """Keenan-Kotula weights of the unmasked part of ``X``.

    Parameters
    ----------
    X : array_like or dask array, shape (pixels, channels)
        Non-negative data (counts); any numeric dtype. Never modified.
    navigation_mask : ndarray of bool, shape (pixels,), optional
        True = excluded pixel.
    signal_mask : ndarray of bool, shape (channels,), optional
        True = excluded channel.

    Returns
    -------
    PoissonWeights
        ``root_aG`` for the unmasked pixels and ``root_bH`` for the unmasked channels.

    Raises
    ------
    ValueError
        If the unmasked data contain negative or non-finite values.

    Examples
    --------
    >>> X = np.array([[1, 3], [0, 0]])
    >>> w = poisson_weights(X)
    >>> w.root_aG  # second pixel sums to 0 -> weight 1
    array([2., 1.])
    """
    stats = _view(X, navigation_mask, signal_mask).stats()
    if stats.n_non_finite:
        raise ValueError(
            f"the data contain {stats.n_non_finite} NaN/inf values; use navigation_mask/"
            "signal_mask to exclude them or replace them (e.g. s.data = np.nan_to_num(...))"
        )
    if stats.n_negative:
        raise ValueError(
            f"{_WHAT} needs non-negative data, but the data contain {stats.n_negative} "
            "negative values; remove the offset (e.g. s.data -= s.data.min()) or clip "
            "them (np.clip(s.data, 0, None))"
        )
    return weights_from_sums(stats.row_sums, stats.col_sums)
