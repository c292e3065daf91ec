"""The NMF solver behind ``nmf(solver="hals")``: sparse-map HALS on compressed data.

Problem, for data compressed by its SVD as ``X ~ L F'`` (``F`` orthonormal)::

    min  0.5 ||L F' - W H||_F^2 + lam sum(W)    s.t.  W >= 0, H >= 0, ||H_j||_2 = 1

- **HALS** (block coordinate descent, Cichocki and Phan): each column of ``W`` and each
  row of ``H`` is updated in closed form in turn. With the compression, an iteration
  costs ``O((m + n) r k)`` whatever the number of channels.
- **Valley moves.** Noisy data leave NMF a flat valley of near-equivalent solutions
  ``(W Q, Q^-1 H)``; the L1 penalty on the maps tilts it toward the solution whose maps
  are smallest (the physical one when each phase's map has zeros: a map cannot lose
  more than its own zeros allow, whereas spectra stay positive). Coordinate descent
  crawls along such a valley, so every ``inner`` iterations we also search along its
  elementary directions exactly: for each pair ``(i, j)``, move ``t`` of map ``i`` out
  of map ``j`` and ``t`` of spectrum ``j`` into spectrum ``i`` (``W H`` unchanged until
  map ``j`` hits zero), choosing ``t`` by a bounded line search on the objective. These
  moves only ever lower the objective.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar


def objective(L, F, LL, W, H, lam) -> float:
    """``0.5 ||L F' - W H||^2 + lam sum(W)`` using ``LL = ||L||^2`` (float64)."""
    XHt = L @ (F.T @ H.T)
    fit = LL - 2.0 * np.sum(W * XHt) + np.sum((W.T @ W) * (H @ H.T))
    return 0.5 * float(fit) + lam * float(W.sum())


def hals_step(Lt, F, Wt, H, lam, spatial=None) -> None:
    """One HALS sweep over the rows of ``Wt = W'`` then the (unit-norm) rows of ``H``.

    ``Lt = L'`` (r x m) and ``Wt`` (k x m) are kept transposed so that every update
    reads and writes contiguous rows. ``spatial`` (a
    :class:`~emunmix.learn.nmf_spatial.SpatialPrior`) replaces the loading update.
    """
    k = Wt.shape[0]
    XHt = (H @ F) @ Lt  # (k, m) = (X H')'
    HHt = H @ H.T
    if spatial is not None:
        spatial.update_loadings(XHt, HHt, Wt, lam)
    else:
        for j in range(k):
            if HHt[j, j] > 0:
                w = Wt[j]
                w += (XHt[j] - HHt[j] @ Wt - lam) / HHt[j, j]
                np.maximum(w, 0.0, out=w)
    WtX = (Wt @ Lt.T) @ F.T  # (k, n)
    WtW = Wt @ Wt.T
    if spatial is not None:
        WtW = WtW + spatial.gram(Wt)
    for j in range(k):
        if WtW[j, j] > 0:
            h = H[j] + (WtX[j] - WtW[j] @ H) / WtW[j, j]
            np.maximum(h, 0.0, out=h)
            norm = np.linalg.norm(h)
            if norm > 0:  # the best unit-norm row for the penalised problem
                H[j] = h / norm


class _PairMove:
    """The objective along the valley direction ``(i, j)`` as a function of ``t``.

    Map ``j`` loses ``t`` map ``i`` (clipped at 0), spectrum ``i`` gains ``t``
    spectrum ``j`` and is renormalised (map ``i`` takes the norm). Only the terms that
    change are recomputed: O(m k) per evaluation.
    """

    def __init__(self, XHt, HHt, G, Wt, lam, i, j, f0, spatial=None):
        self.Wt, self.i, self.j, self.lam, self.f0 = Wt, i, j, lam, f0
        self.spatial = spatial
        self.M = None if spatial is None else spatial.gram(Wt)
        self.XHt, self.HHt, self.G = XHt, HHt, G
        self.xj = XHt[j]

    def _norm2(self, t):
        H, i, j = self.HHt, self.i, self.j
        return max(H[i, i] + 2 * t * H[i, j] + t * t * H[j, j], 1e-300)

    def __call__(self, t) -> float:
        i, j, Wt, G, HH = self.i, self.j, self.Wt, self.G, self.HHt
        wj = np.maximum(Wt[j] - t * Wt[i], 0.0)
        nh = np.sqrt(self._norm2(t))
        # cross term: sum_c W'_c . (X H'^T)_c; map i times spectrum i is unchanged but
        # for t * (W_i . XHt_j)
        d_cross = t * float(Wt[i] @ self.xj) + float((wj - Wt[j]) @ self.xj)
        # quadratic term sum_ab G'_ab HH'_ab, with the changed rows/columns
        g = Wt @ wj  # W_c . wj (old columns)
        G2 = G.copy()
        G2[i, :] *= nh
        G2[:, i] *= nh  # (i, i) scaled by nh^2
        row = g.copy()
        row[i] = nh * g[i]
        row[j] = float(wj @ wj)
        G2[j, :] = row
        G2[:, j] = row
        HH2 = HH.copy()
        hrow = (HH[i] + t * HH[j]) / nh
        HH2[i, :] = hrow
        HH2[:, i] = hrow
        HH2[i, i] = 1.0
        d_quad = float(np.sum(G2 * HH2)) - float(np.sum(G * HH))
        d_pen = self.lam * (float(Wt[i].sum()) * (nh - np.sqrt(HH[i, i]))
                            + float(wj.sum() - Wt[j].sum()))
        if self.spatial is not None:
            d_pen += self.spatial.move_delta(self.M, HH, HH2, Wt, i, j, wj, nh)
        return self.f0 - d_cross + 0.5 * d_quad + d_pen

    def apply(self, H, t) -> None:
        i, j, Wt = self.i, self.j, self.Wt
        nh = np.sqrt(self._norm2(t))
        Wt[j] = np.maximum(Wt[j] - t * Wt[i], 0.0)
        Wt[i] *= nh
        H[i] = (H[i] + t * H[j]) / nh


def valley_moves(Lt, F, LL, Wt, H, lam, quantile: float = 0.02, spatial=None) -> int:
    """One sweep of line searches along the pair directions; returns the moves made."""
    k = Wt.shape[0]
    moves = 0
    for i in range(k):
        wi = Wt[i]
        top = wi.max()
        if top <= 0:
            continue
        big = wi > 0.05 * top
        for j in range(k):
            if i == j:
                continue
            # how much of map i map j can lose before (most of) it hits zero
            t_hi = 1.5 * float(np.quantile(Wt[j, big] / wi[big], quantile))
            if t_hi <= 0:
                continue
            XHt = (H @ F) @ Lt
            HHt = H @ H.T
            G = Wt @ Wt.T
            f0 = 0.5 * (LL - 2 * float(np.sum(Wt * XHt)) + float(np.sum(G * HHt)))
            f0 += lam * float(Wt.sum())
            if spatial is not None:
                f0 += spatial.penalty(Wt, H)
            move = _PairMove(XHt, HHt, G, Wt, lam, i, j, f0, spatial)
            res = minimize_scalar(move, bounds=(0.0, t_hi), method="bounded",
                                  options={"xatol": 1e-2 * t_hi, "maxiter": 12})
            if res.fun < f0 - 1e-12 * abs(f0):
                move.apply(H, float(res.x))
                moves += 1
    return moves


def sparse_hals(L, F, W, H, lam, max_iter=1000, tol=1e-4, inner=25, spatial=None):
    """Penalised HALS with valley moves; see the module docstring.

    Parameters
    ----------
    L : ndarray, shape (m, r)
    F : ndarray, shape (n, r), orthonormal columns
        The compressed data ``X ~ L F'``.
    W : ndarray, shape (m, k)
    H : ndarray, shape (k, n)
        Non-negative starting point.
    lam : float
        L1 penalty on ``W`` (0: plain HALS, no valley moves).
    max_iter : int
        HALS iterations in all.
    tol : float
        Stop when an outer round (``inner`` iterations and a sweep of moves) changes
        ``W`` and ``H`` by less than ``tol`` (relative Frobenius norms).
    inner : int
        HALS iterations between two sweeps of valley moves.
    spatial : SpatialPrior, optional
        A prior on the maps (:mod:`emunmix.learn.nmf.spatial`), added to the objective.

    Returns
    -------
    W, H, n_iter, converged, objective
    """
    H = np.array(H, dtype=np.float64)
    norms = np.linalg.norm(H, axis=1)
    norms[norms == 0] = 1.0
    H /= norms[:, None]
    Wt = np.ascontiguousarray(np.asarray(W, dtype=np.float64).T * norms[:, None])
    Lt = np.ascontiguousarray(np.asarray(L, dtype=np.float64).T)
    F = np.ascontiguousarray(F, dtype=np.float64)
    LL = float(np.sum(Lt * Lt))
    n_iter, converged = 0, False
    while n_iter < max_iter:
        W_old, H_old = Wt.copy(), H.copy()
        steps = min(inner, max_iter - n_iter)
        for _ in range(steps):
            hals_step(Lt, F, Wt, H, lam, spatial)
        n_iter += steps
        if lam > 0:
            valley_moves(Lt, F, LL, Wt, H, lam, spatial=spatial)
        dW = np.linalg.norm(Wt - W_old) / max(np.linalg.norm(Wt), 1e-300)
        dH = np.linalg.norm(H - H_old) / max(np.linalg.norm(H), 1e-300)
        if max(dW, dH) < tol:
            converged = True
            break
    W = Wt.T.copy()
    obj = objective(Lt.T, F, LL, W, H, lam)
    if spatial is not None:
        obj += spatial.penalty(Wt, H)
    return W, H, n_iter, converged, obj
