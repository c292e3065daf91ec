"""Starting points for NMF: NNDSVD, blind source separation, or a given ``(W, H)``.

Used by :func:`emunmix.learn.nmf.nmf` (``init``); see its module docstring for why the
start decides where NMF ends on data whose components have no zeros.
"""

from __future__ import annotations

import warnings

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import SVDResult
from emunmix.validation import check_random_state


def nndsvda(svd_result: SVDResult, k: int, fill: bool = False, random_state=None):
    """NNDSVD initialisation (Boutsidis and Gallopoulos) from an SVD.

    Each singular pair ``(u, v)`` is split into its positive and negative parts and the
    pair with the larger norm product is kept, so the initial ``W`` and ``H`` are
    non-negative and close to the best rank-``k`` approximation.

    Parameters
    ----------
    svd_result : SVDResult
        At least ``k`` components of the matrix to factorise.
    k : int
    fill : bool, default False
        Replace zeros by the mean of the non-negative ``W`` (resp. ``H``) entries, as
        multiplicative updates cannot move a zero ("nndsvda"). Default: keep zeros
        ("nndsvd", right for HALS).
    random_state : optional
        With ``fill``, zeros get ``mean * U(0, 1)`` instead (NNDSVDar), for restarts.

    Returns
    -------
    W : ndarray, shape (m, k)
    H : ndarray, shape (k, n)
    """
    S = svd_result.singular_values[:k]
    V = svd_result.factors[:, :k].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        U = svd_result.loadings[:, :k].astype(np.float64) / np.where(S > 0, S, 1.0)
    W = np.zeros((U.shape[0], k))
    H = np.zeros((k, V.shape[0]))
    for j in range(k):
        x, y = U[:, j], V[:, j]
        if j == 0:  # Perron vector: one sign; take it positive
            sign = 1.0 if np.abs(x).max() == x.max() else -1.0
            u, v, s = np.maximum(sign * x, 0), np.maximum(sign * y, 0), 1.0
        else:
            xp, xn = np.maximum(x, 0), np.maximum(-x, 0)
            yp, yn = np.maximum(y, 0), np.maximum(-y, 0)
            mp = np.linalg.norm(xp) * np.linalg.norm(yp)
            mn = np.linalg.norm(xn) * np.linalg.norm(yn)
            u, v, s = (xp, yp, mp) if mp >= mn else (xn, yn, mn)
            nu, nv = np.linalg.norm(u), np.linalg.norm(v)
            if nu > 0 and nv > 0:
                u, v = u / nu, v / nv
        W[:, j] = np.sqrt(S[j] * s) * u
        H[j] = np.sqrt(S[j] * s) * v
    if fill:
        rs = None if random_state is None else check_random_state(random_state)
        for A in (W, H):
            zero = A == 0
            value = A.mean() if A.any() else 1.0
            A[zero] = value if rs is None else value * rs.uniform(0, 1, int(zero.sum()))
    return W, H


INITS = ("auto", "nndsvd", "bss")

#: Unmixing used by ``init="bss"``: measured on hard CL1 over four noise seeds, the
#: most stable of the settings tried (docs/bss.md).
BSS_INIT_DEFAULTS = {"diff_order": 2, "smooth": 1.0, "fun": "cube", "random_state": 0}


def bss_init(view: MatrixView, sv: SVDResult, k: int, bss_kwargs=None, fill=False):
    """Non-negative start ``(W, H)`` from blind source separation of the SVD.

    The first ``k`` SVD components of the view are taken back to data units (the
    Poisson scaling undone), unmixed by FastICA on their smoothed derivative
    (:func:`emunmix.learn.bss.separate`; ``bss_kwargs`` override
    :data:`BSS_INIT_DEFAULTS`), returned to the view's space and clipped at zero.
    Unlike NNDSVD this start sits where independent edges put it: on data whose
    components have no zeros (overlapping phases, every spectrum on a background)
    the non-negativity constraints do not pin the solution and NMF keeps the start's
    position in the valley of equivalent solutions.
    """
    from emunmix.learn.bss.separate import separate

    F = sv.factors[:, :k].astype(np.float64)
    L = sv.loadings[:, :k].astype(np.float64)
    if view.col_scale is not None:
        F = F * view.col_scale[:, None]
    if view.row_scale is not None:
        L = L * view.row_scale[:, None]
    params = dict(BSS_INIT_DEFAULTS)
    params.update(bss_kwargs or {})
    params.setdefault("explained_variance", sv.singular_values[:k] ** 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a rough start is fine; NMF refines it
        out = separate(F, L, k, **params)
    W, H = _from_raw(view, out.bss_loadings, out.bss_factors.T)
    return _clip_start(W, H, fill)


def _clip_start(W, H, fill):
    W = np.maximum(np.asarray(W, dtype=np.float64), 0.0)
    H = np.maximum(np.asarray(H, dtype=np.float64), 0.0)
    if fill:  # multiplicative updates cannot move zeros
        W += 1e-6 * max(W.max(), 1e-300)
        H += 1e-6 * max(H.max(), 1e-300)
    return W, H


def _custom_init(init, m, n, k, fill):
    try:
        W, H = init
    except (TypeError, ValueError):
        raise ValueError("init must be 'nndsvd', 'bss' or a (W, H) pair") from None
    W, H = np.asarray(W, dtype=np.float64), np.asarray(H, dtype=np.float64)
    if W.shape != (m, k) or H.shape != (k, n):
        raise ValueError(
            f"init (W, H) must have shapes {(m, k)} and {(k, n)}, got {W.shape} and {H.shape}"
        )
    if not (np.isfinite(W).all() and np.isfinite(H).all()):
        raise ValueError("init (W, H) contains NaN or inf")
    return _clip_start(W, H, fill)


def _to_raw(view, W, H):
    W, H = np.array(W, dtype=np.float64), np.array(H, dtype=np.float64)
    if view.row_scale is not None:
        W *= view.row_scale[:, None]
    if view.col_scale is not None:
        H *= view.col_scale[None, :]
    return W, H


def _from_raw(view, W, H):
    W, H = np.array(W, dtype=np.float64), np.array(H, dtype=np.float64)
    if view.row_scale is not None:
        W /= view.row_scale[:, None]
    if view.col_scale is not None:
        H /= view.col_scale[None, :]
    return W, H
