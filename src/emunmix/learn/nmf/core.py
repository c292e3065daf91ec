"""Non-negative matrix factorisation kernels.

``P ~ W H`` with ``W >= 0`` (loadings, pixels x k) and ``H >= 0`` (factors, k x channels).

Two things decide how close an NMF comes to the true maps and spectra of a spectrum
image, and both are handled here:

1. The noise. Counts are Poisson. On data scaled by the Keenan-Kotula weights
   (``normalize_poissonian_noise=True``) the noise variance is nearly constant, so least
   squares on the scaled data is the weighted least-squares approximation of the Poisson
   likelihood; ``loss="kullback-leibler"`` then polishes the fit with multiplicative
   updates of the exact Poisson likelihood on the counts.
2. The ambiguity. Many ``(W, H)`` fit noisy data equally well (the fit beats the
   truth's by what the ``k (m + n)`` parameters can absorb of the noise), and plain NMF
   stops anywhere along that valley. A small L1 penalty on the loadings, in units of
   the noise level (``sparsity``), tilts the valley toward the solution whose maps are
   smallest: the physical one when each phase is absent somewhere (a map can only
   shrink until it reaches its zeros, while spectra stay positive). Line searches along
   the valley (:mod:`emunmix.learn.nmf.hals`) get there in a few hundred iterations.

The default solver, ``"hals"`` (hierarchical alternating least squares), works on the
rank-``r`` compression ``P ~ L F'`` given by the SVD (``r = k + 10``), so an iteration
costs ``O((m + n) r k)`` instead of ``O(m n k)``; the compression is out-of-core for dask
data. ``solver="sklearn"`` runs :class:`sklearn.decomposition.NMF` as HyperSpy does.

3. The start. When the true maps and spectra have no zeros (phases overlapping
   everywhere, each spectrum on its own background: the hard datasets), the
   non-negativity constraints do not touch the truth, the fit (least squares or
   Poisson likelihood alike) is flat along the valley, and NMF stays where it starts;
   the sparsity penalty then pulls to the wrong, zero-touching end of the valley. The
   default start (``init="auto"`` -> ``"bss"``) is therefore the blind source
   separation of the SVD components (independent edges, as in
   ``blind_source_separation``), clipped at zero, refined without penalty.

4. The noise again, spatially: ``spatial_smoothness`` (off by default) adds a Gaussian
   random-field prior tying the spectra ``W H`` of neighbouring pixels
   (:mod:`emunmix.learn.nmf.spatial`; "auto" estimates its weight). It is flat along
   the valley, so the start still decides; on hard CL1 maps 0.926 -> 0.959.

On the CL1 tutorial data (Poisson-normalised, k = 4) the default recovers the true
maps and spectra with mean |correlation| 0.9999 / 1.0000 (the NNDSVD + sparsity start:
0.997 / 0.997); HyperSpy's default NMF gets about 0.97 (maps) and 0.88 (spectra). On
hard CL1 (k = 7): 0.926 / 0.992 against 0.797 / 0.990 (NNDSVD + sparsity) and
0.84 / 0.48 (HyperSpy). See docs/decomposition.md.

References
----------
A. Cichocki and A.-H. Phan, "Fast local algorithms for large scale nonnegative matrix
and tensor factorizations", IEICE Trans. Fundamentals E92-A (2009) 708-721 (HALS).
D. D. Lee and H. S. Seung, "Algorithms for non-negative matrix factorization", NIPS 13
(2001) (multiplicative updates).
C. Boutsidis and E. Gallopoulos, "SVD based initialization: a head start for
nonnegative matrix factorization", Pattern Recognition 41 (2008) 1350-1362 (NNDSVD).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from emunmix.exceptions import convergence_warning, reexported_warnings
from emunmix.learn.linalg.incremental import check_num_chunks
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import SVDResult, svd
from emunmix.learn.nmf.hals import sparse_hals
from emunmix.learn.nmf.init import (  # noqa: F401  (nndsvda, bss_init: public here too)
    BSS_INIT_DEFAULTS,
    INITS,
    _custom_init,
    _from_raw,
    _to_raw,
    bss_init,
    nndsvda,
)
from emunmix.learn.nmf.kl_blocks import kl_mu_blockwise
from emunmix.learn.nmf.spatial import (
    SpatialPrior,
    auto_smoothness,
    check_spatial_smoothness,
    spatial_graph,
)
from emunmix.threads import single_blas_thread
from emunmix.validation import check_2d, check_random_state

NMF_LOSSES = ("frobenius", "kullback-leibler")
NMF_SOLVERS = ("hals", "mu", "sklearn")
_LOSS_ALIASES = {
    "frobenius": "frobenius",
    "ls": "frobenius",
    "kullback-leibler": "kullback-leibler",
    "kl": "kullback-leibler",
    "poisson": "kullback-leibler",
}



@dataclass
class NMFResult:
    """An NMF ``P ~ loadings @ factors.T`` (in the space of the matrix given).

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Non-negative spectra, each scaled to unit maximum.
    loadings : ndarray, shape (m, k)
        Non-negative maps (carry the scale).
    n_iter : int
        Iterations of the main solver (plus polishing iterations).
    converged : bool
    objective : float
        Final value of what the solver minimised (penalty included).
    loss, solver : str
    sparsity : float
        The penalty used, in units of the noise level.
    spatial_smoothness : float
        The spatial prior's weight used (0: none).
    """

    factors: np.ndarray
    loadings: np.ndarray
    n_iter: int
    converged: bool
    objective: float
    loss: str
    solver: str
    sparsity: float
    spatial_smoothness: float = 0.0


# --------------------------------------------------------------------------- KL
def _kl_mu(X, W, H, max_iter, tol, eps=1e-10, check_every=10):
    """Multiplicative updates for the generalised KL divergence D(X || WH)."""
    dtype = X.dtype
    W = W.astype(dtype)
    H = H.astype(dtype)
    buf = np.empty(X.shape, dtype=dtype)
    n_iter, converged = 0, False
    prev = None
    for n_iter in range(1, max_iter + 1):
        np.matmul(W, H, out=buf)
        np.maximum(buf, eps, out=buf)
        np.divide(X, buf, out=buf)
        W *= (buf @ H.T) / np.maximum(H.sum(axis=1), eps)
        np.matmul(W, H, out=buf)
        np.maximum(buf, eps, out=buf)
        np.divide(X, buf, out=buf)
        H *= (W.T @ buf) / np.maximum(W.sum(axis=0), eps)[:, None]
        if n_iter % check_every == 0 or n_iter == max_iter:
            obj = kl_divergence(X, W, H)
            if prev is not None and prev - obj <= tol * abs(prev):
                converged = True
                break
            prev = obj
    return W, H, n_iter, converged, kl_divergence(X, W, H)


def kl_divergence(X, W, H, eps: float = 1e-10) -> float:
    """Generalised Kullback-Leibler divergence ``sum X log(X/WH) - X + WH`` (float64)."""
    total = 0.0
    step = max(1, 2**20 // max(1, X.shape[1]))
    for start in range(0, X.shape[0], step):
        x = np.asarray(X[start : start + step], dtype=np.float64)
        wh = np.maximum(W[start : start + step].astype(np.float64) @ H, eps)
        pos = x > 0
        total += float(np.sum(x[pos] * np.log(x[pos] / wh[pos])) - x.sum() + wh.sum())
    return total


# --------------------------------------------------------------------------- API
def nmf(
    X,
    n_components: int,
    *,
    loss: str = "frobenius",
    solver: str = "auto",
    sparsity: float | None = None,
    max_iter: int | None = None,
    tol: float = 1e-3,
    n_restarts: int = 1,
    random_state=None,
    kl_max_iter: int = 100,
    valley_every: int = 25,
    compression_rank: int | None = None,
    normalise_factors: str | None = "max",
    init="auto",
    bss_kwargs: dict | None = None,
    spatial_smoothness=None,
    navigation_shape=None,
    **sklearn_kwargs,
) -> NMFResult:
    """Non-negative matrix factorisation ``X ~ loadings @ factors.T``.

    Parameters
    ----------
    X : ndarray, dask array or MatrixView, shape (m, n)
        Non-negative data, e.g. Poisson-normalised counts. Never modified.
    n_components : int
        Number of components ``k``.
    loss : {"frobenius", "kullback-leibler"} (aliases "ls", "kl", "poisson")
        "kullback-leibler" (the Poisson likelihood) fits by HALS first and then polishes
        with ``kl_max_iter`` multiplicative updates on the counts (the view's Poisson
        scaling is removed for them and restored afterwards).
    solver : {"auto", "hals", "mu", "sklearn"}
        "auto" is "hals". "mu": multiplicative updates only (KL loss, from NNDSVDa).
        "sklearn": :class:`sklearn.decomposition.NMF` with ``loss`` as ``beta_loss``
        (HyperSpy's default NMF with the default arguments).
    sparsity : float, optional
        L1 penalty on the loadings in units of the noise standard deviation (estimated
        from the residual of the rank-k SVD). 0 gives plain NMF. Default: 0.1 with the
        NNDSVD start, 0 with the BSS start (the penalty would pull a BSS start toward
        maps with zeros, which phases that overlap everywhere do not have). Ignored by
        "sklearn" (pass ``alpha_W`` there).
    max_iter : int, optional
        Iterations of the main solver: default 2000 for "hals", 1000 for "mu", 200
        for "sklearn".
    tol : float, default 1e-3
        Stop when the relative change of W and H over a round of ``valley_every``
        iterations (HALS), or the relative decrease of the KL divergence over 10
        iterations (MU), falls below ``tol`` (``tol / 100`` for MU).
    n_restarts : int, default 1
        Runs from the start and ``n_restarts - 1`` randomised versions of it (NNDSVD
        with random fill or scaling; a given or BSS start scaled by ``U(0.9, 1.1)``);
        the run with the lowest objective is kept. On data whose components have no
        zeros the objective is flat along the valley of equivalent solutions, so
        restarts mostly pick among fits of equal quality.
    random_state : int, RandomState, Generator or None
        Seeds the restarts and the SVD (same seed, same result).
    kl_max_iter : int, default 100
        Polishing iterations for ``loss="kullback-leibler"`` with the HALS solver.
    valley_every : int, default 25
        HALS iterations between two sweeps of valley moves (see
        :mod:`emunmix.learn.nmf.hals`).
    compression_rank : int, optional
        Rank of the SVD compression for HALS (default ``k + 10``).
    normalise_factors : {"max", "sum", None}, default "max"
        Scale each factor to unit maximum (or sum); the scale goes into the loadings.
    init : {"auto", "bss", "nndsvd"} or (W, H), default "auto"
        Starting point. "bss": blind source separation of the first ``k`` SVD
        components (FastICA on their smoothed second derivative, see
        :func:`~emunmix.learn.nmf_init.bss_init`), clipped at zero. "nndsvd": NNDSVD
        (NNDSVDa for "mu"), the start of the sparse-map solver of emunmix < 0.2. A
        pair of arrays (shapes ``(m, k)`` and ``(k, n)``, in the space of ``X``) is
        clipped at zero and used as given. "auto" is "bss" when ``k >= 2`` and there
        are at least 16 channels, else "nndsvd". With ``solver="sklearn"`` anything
        but "auto" is passed to scikit-learn as its ``init``.
    bss_kwargs : dict, optional
        Overrides of :data:`~emunmix.learn.nmf_init.BSS_INIT_DEFAULTS` for
        ``init="bss"`` (any argument of :func:`emunmix.learn.bss.separate`).
    spatial_smoothness : float or "auto", optional
        Weight ``beta`` of a Gaussian random-field prior tying the spectra ``W H`` of
        neighbouring pixels (:mod:`emunmix.learn.nmf.spatial`): dimensionless, the
        noise variance over the variance of the clean data's neighbour differences;
        smooths over about ``sqrt(beta)`` pixels. "auto": its empirical-Bayes
        estimate. None or 0: no prior (default). Needs ``navigation_shape``, the
        HALS solver and the least-squares loss.
    navigation_shape : tuple of int, optional
        Shape of the navigation grid (array order) of all rows of ``X``, masked ones
        included; tells ``spatial_smoothness`` which pixels are neighbours.
    **sklearn_kwargs
        Passed to :class:`sklearn.decomposition.NMF` (solver "sklearn" only).

    Returns
    -------
    NMFResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(rng.uniform(0, 50, (300, 3)) @ rng.uniform(0, 1, (3, 40)))
    >>> r = nmf(X, 3, random_state=0)
    >>> r.loadings.shape, r.factors.shape, bool((r.factors >= 0).all())
    ((300, 3), (40, 3), True)
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = int(n_components)
    if not 1 <= k <= min(m, n):
        raise ValueError(f"n_components must be between 1 and {min(m, n)}, got {k}")
    if view.row_mean is not None or view.col_mean is not None:
        raise ValueError("NMF needs uncentred, non-negative data: use centre=None")
    loss = _LOSS_ALIASES.get(str(loss).lower())
    if loss is None:
        raise ValueError(f"loss must be one of {NMF_LOSSES}, got {loss!r}")
    solver = str(solver).lower()
    if solver == "auto":
        solver = "hals"
    if solver not in NMF_SOLVERS:
        raise ValueError(f"solver must be 'auto' or one of {NMF_SOLVERS}, got {solver!r}")
    if n_restarts < 1:
        raise ValueError(f"n_restarts must be at least 1, got {n_restarts}")
    # HyperSpy's lazy decomposition takes num_chunks for every algorithm; NMF streams
    # its own row blocks, so the value is only checked
    check_num_chunks(sklearn_kwargs.pop("num_chunks", None))
    if solver != "sklearn" and sklearn_kwargs:
        raise TypeError(
            f"NMF got unexpected keyword arguments {sorted(sklearn_kwargs)}: options of "
            f"scikit-learn's NMF are used only with solver='sklearn' (solver={solver!r})"
        )
    smoothness = check_spatial_smoothness(spatial_smoothness)
    graph = None
    if smoothness is not None:
        graph = spatial_graph(view, navigation_shape, solver, loss)

    if solver == "sklearn":
        if not (isinstance(init, str) and init.lower() == "auto"):
            sklearn_kwargs["init"] = init  # scikit-learn's own init names
        W, H, n_it, conv, obj = _sklearn(view, k, loss, max_iter, tol, random_state, sklearn_kwargs)
        sparsity, spatial = 0.0, None
    else:
        rs = check_random_state(random_state)
        r = min(min(m, n), k + 10 if compression_rank is None else int(compression_rank))
        sv = svd(view, max(r, k), random_state=rs)
        fill = solver == "mu"
        if fill:
            loss = "kullback-leibler"
        init_name = init.lower() if isinstance(init, str) else "custom"
        if init_name == "auto":
            init_name = "bss" if k >= 2 and n >= 16 else "nndsvd"
        if init_name not in INITS + ("custom",):
            raise ValueError(f"init must be one of {INITS} or a (W, H) pair, got {init!r}")
        if sparsity is None:
            sparsity = 0.1 if init_name == "nndsvd" else 0.0
        start = None
        if init_name == "bss":
            start = bss_init(view, sv, k, bss_kwargs, fill=fill)
        elif init_name == "custom":
            start = _custom_init(init, m, n, k, fill)
        spatial = None
        if graph is not None:
            if smoothness == "auto":
                smoothness = auto_smoothness(graph, sv.loadings[:, :k], _noise_sigma(view, sv, k))
            spatial = SpatialPrior(graph, smoothness)
        best = None
        for restart in range(n_restarts):
            if start is not None and restart == 0:
                W0, H0 = start[0].copy(), start[1].copy()
            elif start is not None:
                W0 = start[0] * rs.uniform(0.9, 1.1, start[0].shape)
                H0 = start[1] * rs.uniform(0.9, 1.1, start[1].shape)
            else:
                W0, H0 = nndsvda(sv, k, fill=fill, random_state=None if restart == 0 else rs)
            if restart and not fill and start is None:  # HALS: perturb the NNDSVD start
                W0 *= rs.uniform(0.5, 1.5, W0.shape)
                H0 *= rs.uniform(0.5, 1.5, H0.shape)
            run = _run(view, sv, W0, H0, solver, loss, sparsity, max_iter, tol, kl_max_iter,
                       valley_every, spatial)
            if best is None or run[4] < best[4]:
                best = run
        W, H, n_it, conv, obj = best
    if not conv:
        warnings.warn(
            f"NMF ({solver}) stopped after {n_it} iterations without reaching tol={tol}; "
            "increase max_iter or tol",
            convergence_warning("NMFConvergenceWarning"),
            stacklevel=2,
        )
    factors, loadings = scale_factors(H.T, W, normalise_factors)
    factors, loadings = factors.astype(view.dtype), loadings.astype(view.dtype)
    beta = 0.0 if spatial is None else spatial.beta
    return NMFResult(factors, loadings, n_it, conv, obj, loss, solver, float(sparsity), beta)


def _noise_sigma(view: MatrixView, sv: SVDResult, k: int) -> float:
    """Noise standard deviation per entry from the residual of the rank-k SVD."""
    m, n = view.shape
    total = view.sum_of_squares()
    resid = max(total - float(np.sum(sv.singular_values[:k] ** 2)), 0.0)
    dof = max((m - k) * (n - k), 1)
    return float(np.sqrt(resid / dof))


def _run(view, sv, W0, H0, solver, loss, sparsity, max_iter, tol, kl_max_iter, inner,
         spatial=None):
    k = W0.shape[1]
    if solver == "mu":
        W0, H0 = _to_raw(view, W0, H0)
        W, H, n_it, conv, obj = _kl_updates(view, W0, H0, max_iter or 1000, tol / 100)
        return (*_from_raw(view, W, H), n_it, conv, obj)
    L = sv.loadings.astype(np.float64)
    F = sv.factors.astype(np.float64)
    lam = float(sparsity) * _noise_sigma(view, sv, k) if sparsity else 0.0
    with single_blas_thread():  # thin products: threads only add overhead
        W, H, n_it, conv, obj = sparse_hals(L, F, W0, H0, lam, max_iter or 2000, tol,
                                            inner=inner, spatial=spatial)
    if loss == "kullback-leibler" and kl_max_iter > 0:
        Wr, Hr = _to_raw(view, W, H)
        Wr, Hr, n_kl, _, obj = _kl_updates(view, Wr, Hr, kl_max_iter, tol / 100)
        W, H = _from_raw(view, Wr, Hr)
        n_it += n_kl
    return W, H, n_it, conv, obj


def _kl_updates(view, W, H, max_iter, tol):
    """KL multiplicative updates on the view's counts: in memory, or by passes over the
    chunks for lazy data (which are never gathered)."""
    raw = view.with_transform(row_scale=None, col_scale=None)
    if raw.is_lazy:
        return kl_mu_blockwise(raw, W, H, max_iter, tol)
    return _kl_mu(raw.materialise(), W, H, max_iter, tol)


def _sklearn(view, k, loss, max_iter, tol, random_state, kwargs):
    from sklearn.decomposition import NMF

    params = {"init": None, "max_iter": max_iter or 200, "tol": 1e-4}
    params.update(kwargs)
    if loss == "kullback-leibler":
        params.setdefault("solver", "mu")
    est = NMF(k, beta_loss=loss, random_state=check_random_state(random_state), **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence is reported by our own warning
        W = est.fit_transform(view.materialise())
    conv = est.n_iter_ < est.max_iter
    return W, est.components_, int(est.n_iter_), conv, float(est.reconstruction_err_)


def scale_factors(factors, loadings, how: str | None = "max"):
    """Resolve the scale ambiguity: unit-max (or unit-sum) factors, scale in loadings.

    Parameters
    ----------
    factors : ndarray, shape (n, k)
    loadings : ndarray, shape (m, k)
    how : {"max", "sum", None}
        None returns float64 copies unchanged.

    Returns
    -------
    factors, loadings : ndarray of float64
        ``loadings @ factors.T`` is unchanged.
    """
    factors = np.array(factors, dtype=np.float64)
    loadings = np.array(loadings, dtype=np.float64)
    if how is not None:
        if how not in ("max", "sum"):
            raise ValueError(f"normalise_factors must be 'max', 'sum' or None, got {how!r}")
        scale = np.nanmax(factors, axis=0) if how == "max" else np.nansum(factors, axis=0)
        scale = np.where(scale > 0, scale, 1.0)
        factors /= scale
        loadings *= scale
    return factors, loadings

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("NMFConvergenceWarning")
