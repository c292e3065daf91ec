"""Singular value decomposition kernels.

Spectrum images are tall matrices: many pixels ``m``, few channels ``n``. The ``"gram"``
solver (the default for such data) therefore computes the ``n x n`` Gram matrix
``P'P`` in float64, accumulated over row blocks, and diagonalises it with
:func:`scipy.linalg.eigh`; the loadings are then one projection ``P V``. This is exact,
several times faster than a full SVD, needs no copy of the data and is out-of-core for
dask arrays (one pass per chunk). Forming ``P'P`` squares the condition number, so
singular values below about ``1e-8`` of the largest are not resolved: irrelevant for
float32 data (whose own precision is 1e-7) and for scree plots, but use
``svd_solver="full"`` when tiny singular values of float64 data matter.

Solvers: ``"auto"``, ``"gram"``, ``"full"``, ``"randomized"``, ``"arpack"`` and
``"incremental"`` (HyperSpy 2.5's incremental SVD, updated batch by batch:
:mod:`~emunmix.learn.linalg.incremental`; never chosen by "auto").
``"auto"`` picks, for data in memory, ``"gram"`` when the smaller dimension is at most
:data:`GRAM_MAX_DIM`, else HyperSpy's rule: ``"randomized"`` when the larger dimension is
above 500 and ``k < 0.8 min(m, n)``, ``"full"`` otherwise. For data read chunk by chunk
(dask) it follows a cost model (:func:`choose_svd_solver`). The Gram solver (sums,
Gram matrix, loadings) reads the data three times; the pass-efficient randomized one
(:mod:`~emunmix.learn.linalg.randomized`) twice for uncentred data (the sums with the
first power iteration's sketch, then the power step with the projection) and three
times for centred data. They differ most in arithmetic: ``2 m n^2`` FLOPs for the Gram
matrix, about ``8 m n l`` for the randomized passes (``l = k + n_oversamples``). The
randomized solver, which is approximate, is chosen only when the FLOPs it saves take
longer than one more read of the data would (whatever it saves in reads besides):
``2 m n (n - 4 l) / FLOP_RATE > m n b / READ_RATE`` (``b`` bytes per value), i.e.
``n > 4 l + b FLOP_RATE / (2 READ_RATE)``, about ``4 l + 175`` channels for float32 with
the rates measured here (:data:`FLOP_RATE`,
:data:`READ_RATE`). Without a number of components, or below that, the exact Gram solver.

All solvers return ``factors = V`` (n x k, orthonormal columns), ``loadings = U S``
(m x k) and the singular values, so that ``P ~ loadings @ factors.T``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg

from emunmix.learn.linalg.gram_eigen import GramEigen
from emunmix.learn.linalg.incremental import check_num_chunks, incremental_svd
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.randomized import randomized_svd_passes
from emunmix.validation import check_2d, check_random_state, numpy_dtype

#: Largest ``min(m, n)`` for which "auto" uses the Gram solver (a 4096^2 float64 Gram
#: matrix is 128 MiB and its eigendecomposition takes seconds).
GRAM_MAX_DIM = 4096

SVD_SOLVERS = ("auto", "gram", "full", "randomized", "arpack", "incremental")

#: Cost model of "auto" for lazy data: sustained float64 matrix-product rate (FLOP/s; a
#: 4096^2 Gram of 262144 rows, 8.8 TFLOP, took 128 s on the 2-core reference machine).
FLOP_RATE = 7e10
#: ... and the rate at which a compressed chunked file is read and decoded (bytes/s; one
#: pass over a 4 GiB .zspy took 5.4 s).
READ_RATE = 8e8


@dataclass
class SVDResult:
    """A truncated SVD ``P ~ loadings @ factors.T``.

    Attributes
    ----------
    factors : ndarray, shape (n, k)
        Right singular vectors (orthonormal columns).
    loadings : ndarray, shape (m, k)
        Left singular vectors times the singular values.
    singular_values : ndarray of float64, shape (k,)
        In decreasing order.
    solver : str
        The solver that ran ("gram", "full", "randomized", "arpack").
    info : dict
        Solver details (the randomized solver on lazy data: ``"passes"`` and
        ``"sum_of_squares"``, the total ``||P||_F^2`` read on the way).
    pending : callable or None
        Set when ``svd(..., n_eager=...)`` computed fewer vectors than singular values:
        ``pending(stop)`` returns ``(factors, loadings)`` of components
        ``factors.shape[1] .. stop-1`` (``stop`` defaults to all); ``pending(stop, out)``
        writes the loadings into ``out`` (see :meth:`MatrixView.dot`).
    """

    factors: np.ndarray
    loadings: np.ndarray
    singular_values: np.ndarray
    solver: str
    pending: Callable | None = None
    info: dict = field(default_factory=dict)


def choose_svd_solver(shape, k=None, svd_solver: str = "auto", lazy: bool = False,
                      n_oversamples: int = 10, itemsize: int = 4) -> str:
    """The solver ``svd`` runs for a matrix of ``shape`` and ``k`` components.

    ``lazy``: the data (of ``itemsize`` bytes per value) are read chunk by chunk: the
    cost model of the module docstring decides.

    Examples
    --------
    >>> choose_svd_solver((4096, 1024), 4)
    'gram'
    >>> choose_svd_solver((100000, 20000), 10)
    'randomized'
    >>> choose_svd_solver((262144, 4096), 8, lazy=True)
    'randomized'
    >>> choose_svd_solver((262144, 4096), None, lazy=True)
    'gram'
    >>> choose_svd_solver((262144, 128), 8, lazy=True)
    'gram'
    """
    if not isinstance(svd_solver, str) or svd_solver.lower() not in SVD_SOLVERS:
        raise ValueError(f"svd_solver must be one of {SVD_SOLVERS}, got {svd_solver!r}")
    svd_solver = svd_solver.lower()
    if svd_solver != "auto":
        return svd_solver
    small, large = min(shape), max(shape)
    if lazy:
        l = int(k) + n_oversamples if k is not None else small
        if small > 4 * l + itemsize * FLOP_RATE / (2 * READ_RATE):
            return "randomized"
        return "gram" if small <= GRAM_MAX_DIM or k is None else "randomized"
    if small <= GRAM_MAX_DIM:
        return "gram"
    if k is not None and large > 500 and k < 0.8 * small:
        return "randomized"
    return "full"


def svd(
    X,
    output_dimension: int | None = None,
    svd_solver: str = "auto",
    auto_transpose: bool = True,
    random_state=None,
    n_oversamples: int = 10,
    n_iter="auto",
    n_eager: int | None = None,
    sketch=None,
    num_chunks: int | None = None,
) -> SVDResult:
    """Truncated SVD of a (pixels, channels) matrix.

    Parameters
    ----------
    X : ndarray, dask array or MatrixView, shape (m, n)
        The matrix; a :class:`~emunmix.learn.matrix_view.MatrixView` carries masks,
        centring and Poisson scaling without copying the data. Never modified.
    output_dimension : int, optional
        Number of components ``k``; None keeps ``min(m, n)``.
    svd_solver : {"auto", "gram", "full", "randomized", "arpack", "incremental"}
        See the module docstring.
    auto_transpose : bool, default True
        Let the Gram solver diagonalise the smaller of ``P'P`` and ``PP'``.
    random_state : int, RandomState, Generator or None
        Seeds the randomized and arpack solvers (the others are deterministic).
    n_oversamples, n_iter :
        Passed to :func:`sklearn.utils.extmath.randomized_svd` (for dask data
        ``n_iter`` is the number of power iterations of ``dask.array.linalg.svd_compressed``,
        2 when "auto").
    n_eager : int, optional
        With the Gram solver on tall data, compute all ``k`` singular values but only
        the first ``n_eager`` singular vectors; the others come from
        ``result.pending`` when needed (see :class:`~emunmix.learn.gram_eigen.GramEigen`).
        Ignored by the other solvers.
    sketch : tuple, optional
        ``(omega, X_sel @ omega)`` read with the data's sums, for the randomized solver
        on lazy data (its first pass; see :mod:`~emunmix.learn.linalg.randomized`).
    num_chunks : int, optional
        Row chunks (lazy data) or row blocks (in memory) per update of the
        ``"incremental"`` solver (HyperSpy's ``num_chunks``); ignored by the others.

    Returns
    -------
    SVDResult

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 30)) @ np.diag(np.arange(30.0, 0, -1))
    >>> r = svd(X, 3)
    >>> np.allclose(r.singular_values, np.linalg.svd(X, compute_uv=False)[:3])
    True
    """
    view = X if isinstance(X, MatrixView) else MatrixView(X)
    check_2d(view)
    m, n = view.shape
    k = min(m, n) if output_dimension is None else int(output_dimension)
    if not 1 <= k <= min(m, n):
        raise ValueError(f"output_dimension must be between 1 and {min(m, n)}, got {k}")
    check_num_chunks(num_chunks)
    solver = choose_svd_solver((m, n), output_dimension, svd_solver, lazy=view.is_lazy,
                               n_oversamples=n_oversamples,
                               itemsize=numpy_dtype(view.X.dtype).itemsize)
    if solver == "gram":
        return _svd_gram(view, k, auto_transpose, n_eager)
    if solver == "incremental":
        V, L, S, info = incremental_svd(view, k, num_chunks)
        return SVDResult(V.astype(view.dtype), L.astype(view.dtype), S, "incremental",
                         info=info)
    if solver == "randomized":
        if view.is_lazy or not isinstance(view.X, np.ndarray):
            return _svd_passes(view, k, random_state, n_oversamples, n_iter, sketch)
        return _svd_randomized(view, k, random_state, n_oversamples, n_iter)
    if solver == "arpack":
        return _svd_arpack(view, k, random_state)
    return _svd_full(view, k)


# ----------------------------------------------------------------- solvers
def _svd_gram(view: MatrixView, k: int, auto_transpose: bool, n_eager=None) -> SVDResult:
    m, n = view.shape
    dtype = view.dtype
    if n <= m or not auto_transpose:
        eig = GramEigen(view.gram())
        S = np.sqrt(eig.eigenvalues[:k])
        n_now = k if n_eager is None else max(0, min(k, int(n_eager)))

        def columns(start, stop, out=None):
            V = eig.vectors(start, stop)
            return V.astype(dtype), view.dot(V, out=out)

        factors, loadings = columns(0, n_now)
        pending = None
        if n_now < k:
            def pending(stop=k, out=None):
                if not n_now <= stop <= k:
                    raise ValueError(f"stop must be between {n_now} and {k}, got {stop}")
                return columns(n_now, stop, out)
        return SVDResult(factors, loadings, S, "gram", pending)
    # wide data: diagonalise P P' (m x m) and recover V = P' U / S
    P = view.materialise()
    G = np.zeros((m, m))
    step = max(1, (8 * 2**20) // (8 * m))
    for start in range(0, n, step):
        b = P[:, start : start + step].astype(np.float64)
        G += b @ b.T
    eig = GramEigen(G)
    S, U = np.sqrt(eig.eigenvalues[:k]), eig.vectors(0, k)
    V = P.T.astype(np.float64) @ U if P.dtype != np.float64 else P.T @ U
    norms = np.linalg.norm(V, axis=0)
    V /= np.where(norms > 0, norms, 1.0)
    return SVDResult(V.astype(dtype), (U * S).astype(dtype), S, "gram")


def _svd_full(view: MatrixView, k: int) -> SVDResult:
    if view.is_lazy:
        import dask
        import dask.array as da

        from emunmix.chunking import rechunk

        P = view.to_dask()
        m, n = view.shape
        if m >= n:
            U, S, Vt = da.linalg.svd(rechunk(P, {0: "auto", 1: -1}))
        else:
            V, S, Ut = da.linalg.svd(rechunk(P.T, {0: "auto", 1: -1}))
            U, Vt = Ut.T, V.T
        U, S, Vt = dask.compute(U[:, :k], S[:k], Vt[:k])
    else:
        P = view.materialise()
        try:
            U, S, Vt = scipy.linalg.svd(P, full_matrices=False, check_finite=False)
        except np.linalg.LinAlgError:  # gesdd occasionally fails to converge
            U, S, Vt = scipy.linalg.svd(
                P, full_matrices=False, check_finite=False, lapack_driver="gesvd"
            )
        U, S, Vt = U[:, :k], S[:k], Vt[:k]
    return _result(U, S, Vt, view.dtype, "full")


def _svd_passes(view, k, random_state, n_oversamples, n_iter, sketch) -> SVDResult:
    """Lazy (or array-API) data: the pass-efficient randomized SVD."""
    V, L, S, info = randomized_svd_passes(view, k, random_state, n_oversamples, n_iter,
                                          sketch)
    dtype = view.dtype
    return SVDResult(V.astype(dtype), L.astype(dtype), np.asarray(S, dtype=np.float64),
                     "randomized", info=info)


def _svd_randomized(view, k, random_state, n_oversamples, n_iter) -> SVDResult:
    from sklearn.utils.extmath import randomized_svd

    U, S, Vt = randomized_svd(
        view.materialise(),
        k,
        n_oversamples=n_oversamples,
        n_iter=n_iter,
        flip_sign=False,
        random_state=check_random_state(random_state),
    )
    return _result(U, S, Vt, view.dtype, "randomized")


def _svd_arpack(view: MatrixView, k: int, random_state) -> SVDResult:
    from scipy.sparse.linalg import svds

    m, n = view.shape
    if k >= min(m, n):
        raise ValueError(
            f"svd_solver='arpack' needs output_dimension < {min(m, n)} (got {k}); "
            "use svd_solver='full' or 'gram' for all components"
        )
    P = view.materialise()
    v0 = check_random_state(random_state).uniform(-1, 1, min(m, n)).astype(P.dtype)
    U, S, Vt = svds(P, k=k, v0=v0)
    order = np.argsort(S)[::-1]
    return _result(U[:, order], S[order], Vt[order], view.dtype, "arpack")


def _result(U, S, Vt, dtype, solver) -> SVDResult:
    S = np.asarray(S, dtype=np.float64)
    loadings = (np.asarray(U) * S).astype(dtype, copy=False)
    return SVDResult(np.asarray(Vt).T.astype(dtype), loadings, S, solver)


def svd_flip_loadings(factors, loadings, block_rows: int = 8192):
    """Flip component signs so each loading's largest-magnitude entry is positive.

    Ignores NaN (masked) rows. Works in place, in row blocks (no full-size temporary),
    and returns ``(factors, loadings)``.
    """
    m, k = loadings.shape
    if k == 0 or m == 0:
        return factors, loadings
    # largest and smallest entry per column (NaN rows ignored): contiguous row-wise
    # reductions, much faster than a column-wise argmax of |loadings|
    high = np.full(k, -np.inf)
    low = np.full(k, np.inf)
    for start in range(0, m, block_rows):
        block = loadings[start : start + block_rows]
        np.fmax(high, np.fmax.reduce(block, axis=0), out=high)
        np.fmin(low, np.fmin.reduce(block, axis=0), out=low)
    signs = np.where(-low > high, -1.0, 1.0)
    loadings *= signs.astype(loadings.dtype)
    factors *= signs.astype(factors.dtype)
    return factors, loadings


__all__ = [
    "GRAM_MAX_DIM",
    "FLOP_RATE",
    "READ_RATE",
    "SVD_SOLVERS",
    "SVDResult",
    "choose_svd_solver",
    "svd",
    "svd_flip_loadings",
]
