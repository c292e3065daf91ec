"""Eigenvalues of a Gram matrix at once, eigenvectors when they are asked for.

A full eigendecomposition of the ``n x n`` Gram matrix of a spectrum image (LAPACK
``syevd``) spends most of its time on eigenvectors, yet a scree plot needs all the
eigenvalues and only the first few dozen eigenvectors are ever looked at.
:class:`GramEigen` therefore splits the work the way LAPACK does internally:

1. reduce ``G`` to a tridiagonal matrix ``T = Q' G Q`` (``dsytrd``, the only ``O(n^3)``
   step, done once);
2. all eigenvalues of ``T`` (``O(n^2)``, MRRR);
3. on request, eigenvectors of ``T`` for a range of eigenvalues (MRRR; a subset of a
   few dozen costs a few milliseconds) and their back-transformation by ``Q``
   (``dormqr`` on the Householder reflectors that ``dsytrd`` left behind).

For ``n = 1024`` steps 1-2 plus 32 eigenvectors take about a third of ``syevd``'s time.
Eigenvalues agree with ``scipy.linalg.eigh`` to about 1e-15 of the largest; vectors
computed in separate calls are orthogonal to about 1e-12.
"""

from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import scipy.linalg
from scipy.linalg import lapack

from emunmix.threads import single_blas_thread

#: Up to this size the reduction runs on one BLAS thread: its thousands of small
#: level-2 calls gain little from threads and, on 2 cores, waking the pool made it and
#: the matrix product before it 1.3-1.7x slower (n = 1024). Larger matrices gain from
#: threads (n = 2048: 0.64 s threaded against 0.78 s for a whole Poisson SVD).
SINGLE_THREAD_MAX = 1536

#: Up to this many eigenvectors are computed as an MRRR subset; more are computed all
#: at once and sliced (MRRR subsets of most of the spectrum are slower than all of it).
SUBSET_MAX = 128


class GramEigen:
    """Eigen-decomposition of a symmetric positive semi-definite matrix, in stages.

    Parameters
    ----------
    G : ndarray of float64, shape (n, n)
        Symmetric (only its lower triangle is read). Not modified.

    Attributes
    ----------
    eigenvalues : ndarray of float64, shape (n,)
        All eigenvalues in decreasing order, negative round-off clipped to 0.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.normal(size=(50, 8))
    >>> eig = GramEigen(A.T @ A)
    >>> np.allclose(eig.eigenvalues, np.linalg.eigvalsh(A.T @ A)[::-1])
    True
    >>> V = eig.vectors(0, 2)
    >>> np.allclose((A.T @ A) @ V, V * eig.eigenvalues[:2])
    True
    """

    def __init__(self, G: np.ndarray):
        G = np.asarray(G, dtype=np.float64)
        if G.ndim != 2 or G.shape[0] != G.shape[1]:
            raise ValueError(f"G must be a square matrix, got shape {G.shape}")
        n = G.shape[0]
        self.n = n
        with self._threads():
            self._reduce(G)

    def _threads(self):
        return single_blas_thread() if self.n <= SINGLE_THREAD_MAX else nullcontext()

    def _reduce(self, G):
        n = self.n
        if n == 1:
            self._c = self._tau = None
            self._d, self._e = G[0].copy(), np.zeros(0)
        else:
            lwork = int(lapack.dsytrd_lwork(n, lower=1)[0])
            # G is symmetric: its transpose is the same matrix in Fortran order, which
            # spares f2py an 8 MiB copy at n = 1024
            c, d, e, tau, info = lapack.dsytrd(G.T if G.flags.c_contiguous else G,
                                               lower=1, lwork=lwork)
            if info != 0:
                raise np.linalg.LinAlgError(f"dsytrd failed (info={info})")
            self._c, self._d, self._e, self._tau = c, d, e, tau
        w = scipy.linalg.eigvalsh_tridiagonal(self._d, self._e, check_finite=False)
        self.eigenvalues = np.clip(w[::-1], 0.0, None)

    def vectors(self, start: int, stop: int) -> np.ndarray:
        """Eigenvectors of eigenvalues ``start .. stop-1`` (decreasing order).

        Returns
        -------
        ndarray of float64, shape (n, stop - start)
            Orthonormal columns, in the order of :attr:`eigenvalues`.
        """
        n = self.n
        if not 0 <= start <= stop <= n:
            raise ValueError(f"need 0 <= start <= stop <= {n}, got {start}, {stop}")
        if start == stop:
            return np.zeros((n, 0))
        if n == 1:
            return np.ones((1, 1))
        with self._threads():
            if stop - start <= SUBSET_MAX:
                _, Z = scipy.linalg.eigh_tridiagonal(
                    self._d, self._e, select="i", select_range=(n - stop, n - start - 1),
                    check_finite=False,
                )
            else:
                _, Z = scipy.linalg.eigh_tridiagonal(self._d, self._e, check_finite=False)
                Z = Z[:, n - stop : n - start]
            return self._back_transform(Z[:, ::-1])

    def _back_transform(self, Z: np.ndarray) -> np.ndarray:
        # dsytrd (lower) leaves Q = H(1) ... H(n-1), reflector i stored below the
        # subdiagonal of column i: exactly the QR reflectors of c[1:, :n-1], acting on
        # rows 1..n-1 (row 0 is untouched by every H(i)).
        n = self.n
        out = np.array(Z, dtype=np.float64, order="F")
        a = self._c[1:, : n - 1]
        lwork = int(lapack.dormqr("L", "N", a, self._tau, out[1:], lwork=-1)[1][0])
        cq, _, info = lapack.dormqr("L", "N", a, self._tau, out[1:], lwork=max(lwork, 1))
        if info != 0:
            raise np.linalg.LinAlgError(f"dormqr failed (info={info})")
        out[1:] = cq
        return out


__all__ = ["GramEigen", "SINGLE_THREAD_MAX", "SUBSET_MAX"]
