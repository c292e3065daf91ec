"""Kullback-Leibler multiplicative updates by passes over row blocks (lazy data).

The same iteration as :func:`emunmix.learn.nmf.core._kl_mu` (``W`` updated
from ``H``, then ``H`` from the new ``W``), without holding the data: one
pass over the view's row blocks per iteration. Each block updates its own
rows of ``W`` (the rows of ``W`` depend only on their block and ``H``) and
returns its share of the sums the ``H`` update needs (``W_b' (X_b / W_b H)``
and ``W_b`` 's column sums), and of the divergence of the previous iterate.
The loadings ``W`` (pixels x k) are the only pixel-sized array held.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kl_mu_blockwise"]


# values per slice of a block's rows: the temporaries stay a few MiB whatever the chunks
_SLICE = 2**18


def _slices(m, n):
    step = max(1, _SLICE // max(n, 1))
    return [(a, min(m, a + step)) for a in range(0, m, step)]


def _kl_part(raw, start, stop, row_mean, row_scale, W, H, dtype, eps):
    """One block's step: its new rows of W, its share of the H update, and the
    divergence of the (W, H) it was given (row slice by row slice: rows are independent)."""
    W = np.asarray(W, dtype=dtype)
    Wn = np.empty_like(W)
    num, den, kl = 0.0, 0.0, 0.0
    hsum = np.maximum(H.sum(axis=1), eps)
    for a, b in _slices(*raw.shape):
        X = np.asarray(raw[a:b], dtype=dtype)
        kl += _divergence(X, W[a:b], H, eps)
        buf = np.maximum(W[a:b] @ H, eps)
        np.divide(X, buf, out=buf)
        w = Wn[a:b] = W[a:b] * ((buf @ H.T) / hsum)
        buf = np.maximum(w @ H, eps)
        np.divide(X, buf, out=buf)
        num = num + w.T @ buf
        den = den + w.sum(axis=0)
    return [(start, Wn)], num, den, kl


def _divergence(X, W, H, eps):
    x = np.asarray(X, dtype=np.float64)
    wh = np.maximum(W.astype(np.float64) @ H, eps)
    pos = x > 0
    return float(np.sum(x[pos] * np.log(x[pos] / wh[pos])) - x.sum() + wh.sum())


def _kl_only(raw, start, stop, row_mean, row_scale, W, H, dtype, eps):
    W = np.asarray(W, dtype=dtype)
    return sum(_divergence(np.asarray(raw[a:b], dtype=dtype), W[a:b], H, eps)
               for a, b in _slices(*raw.shape))


def _combine(*parts):
    rows = [r for p in parts for r in p[0]]
    return (rows, sum(p[1] for p in parts), sum(p[2] for p in parts),
            sum(p[3] for p in parts))


def kl_mu_blockwise(view, W, H, max_iter, tol, eps=1e-10, check_every=10):
    """Multiplicative KL updates of ``view ~ W H`` (raw counts, no transform), by passes.

    Parameters
    ----------
    view : MatrixView
        Untransformed (no scaling, no centring) view; lazy data are read once
        per iteration, chunk by chunk.
    W, H : ndarray
        The start, shapes (m, k) and (k, n).
    max_iter, tol, eps, check_every
        As for the in-memory updates: stop when the divergence, checked every
        ``check_every`` iterations, decreased by at most ``tol`` (relative).

    Returns
    -------
    W, H, n_iter, converged, divergence
        As the in-memory updates give them (equal up to the order of sums).
    """
    dtype = view.dtype
    W, H = W.astype(dtype), H.astype(dtype)
    backend = view.backend
    n_iter, converged, prev = 0, False, None
    for n_iter in range(1, max_iter + 1):
        rows, num, den, kl_before = backend.reduce(view, _kl_part, H, dtype, eps, rows=W,
                                                   combine=_combine)
        if n_iter > 1 and ((n_iter - 1) % check_every == 0):
            # the divergence of the last iterate, read in this pass
            if prev is not None and prev - kl_before <= tol * abs(prev):
                return W, H, n_iter - 1, True, kl_before
            prev = kl_before
        Wn = np.empty_like(W)
        for start, part in rows:
            Wn[start : start + part.shape[0]] = part
        W = Wn
        H = H * (np.asarray(num, dtype=dtype) / np.maximum(np.asarray(den, dtype=dtype),
                                                            eps)[:, None])
    kl = float(backend.reduce(view, _kl_only, H, dtype, eps, rows=W))
    if prev is not None and prev - kl <= tol * abs(prev):
        converged = True
    return W, H, n_iter, converged, kl
