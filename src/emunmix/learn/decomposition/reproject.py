"""Filling excluded pixels and channels by projection (``decompose(reproject=...)``).

A decomposition fitted on the unmasked block gives factors for the fitted channels and
loadings for the fitted pixels. The loadings of an excluded pixel are the (weighted)
least-squares coefficients of its data on the fitted factors, and the factors of an
excluded channel those of its data on the fitted loadings; non-negative for NMF. Each
uses only the fitted block, so "both" does not depend on an order (the wrong order was
HyperSpy bug #3609). With Poisson normalisation the weights are those of the fit:
``1/bH`` over channels and ``1/aG`` over pixels.
"""

from __future__ import annotations

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView


def _rows_of(X, index, cols=None):
    """``X[index][:, cols]`` as a float64 numpy array, from any backend's data."""
    rows = None if isinstance(index, slice) else np.asarray(index)
    return MatrixView(X, rows=rows, cols=cols).materialise(np.float64, copy=True)


def _solve(D, B, w, nonneg):
    """Coefficients ``C`` (rows of D x k) minimising ``sum w_j (D_ij - C_i . B_j)^2``."""
    B = np.asarray(B, dtype=np.float64)
    if not np.isfinite(D).all():
        raise ValueError(
            "cannot reproject: the excluded data contain NaN/inf values; use reproject=None"
        )
    sw = np.sqrt(w) if w is not None else None
    Bw = B * sw[:, None] if sw is not None else B
    Dw = D * sw[None, :] if sw is not None else D
    C = np.linalg.lstsq(Bw, Dw.T, rcond=None)[0].T
    if nonneg:  # projected HALS sweeps from the clipped least-squares solution
        C = np.maximum(C, 0)
        G = Bw.T @ Bw
        R = Dw @ Bw
        for _ in range(200):
            for j in range(C.shape[1]):
                if G[j, j] > 0:
                    C[:, j] = np.maximum(C[:, j] + (R[:, j] - C @ G[:, j]) / G[j, j], 0)
    return C


def reproject_pixels(X, nav, cols, factors, weights, mean, centre, nonneg, L):
    """Fill the loadings ``L`` of the excluded pixels (``nav``) in place.

    Each excluded pixel's data over the fitted channels ``cols`` (centred like the
    fit; ``mean`` gets its pixel mean for ``centre="signal"``) is regressed on the
    fitted ``factors``, weighted by ``1/bH`` when Poisson-normalised.
    """
    excl = np.flatnonzero(nav)
    D = _rows_of(X, excl, cols)
    if centre == "navigation":
        D -= mean if cols is None else mean[cols]
    elif centre == "signal":
        pix_mean = D.mean(axis=1)
        mean[excl] = pix_mean
        D -= pix_mean[:, None]
    w = None if weights is None else 1.0 / weights.root_bH**2
    L[excl] = _solve(D, factors, w, nonneg)


def reproject_channels(X, sig, rows, loadings, weights, mean, centre, nonneg, F):
    """Fill the factors ``F`` of the excluded channels (``sig``) in place.

    Each excluded channel over the fitted pixels ``rows`` (centred like the fit;
    ``mean`` gets its channel mean for ``centre="navigation"``) is regressed on the
    fitted ``loadings``, weighted by ``1/aG`` when Poisson-normalised.
    """
    excl = np.flatnonzero(sig)
    D = _rows_of(X, slice(None) if rows is None else rows, excl).T  # (excluded, m)
    if centre == "navigation":
        ch_mean = D.mean(axis=1)
        mean[excl] = ch_mean
        D -= ch_mean[:, None]
    elif centre == "signal":
        D -= (mean if rows is None else mean[rows])[None, :]
    w = None if weights is None else 1.0 / weights.root_aG**2
    F[excl] = _solve(D, loadings, w, nonneg)
