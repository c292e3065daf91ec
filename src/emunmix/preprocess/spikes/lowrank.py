"""The linear algebra of the robust low-rank spike model.

Products with the Poisson-normalised data without forming it, the randomised
subspace of spectra searched once, truncated SVDs in that subspace, and the
resulting low-rank model evaluated only where it is needed.
"""

from __future__ import annotations

import numpy as np


def _orthonormal(Y):
    """Orthonormal basis (float64) of the columns of ``Y``, by the small Gram matrix.

    ``Y^T Y`` is formed in float64 and diagonalised; directions with no weight
    are dropped. For the few dozen columns used here this costs a fraction of a
    millisecond, where a Householder QR of a 4096-row float32 matrix costs ten.
    """
    Y = np.asarray(Y, dtype=np.float64)
    w, W = np.linalg.eigh(Y.T @ Y)
    if w.size == 0 or not w[-1] > 0:  # no data in these directions (e.g. all zeros)
        return Y[:, :0]
    keep = w > w[-1] * 1e-13
    return Y @ (W[:, keep] / np.sqrt(w[keep]))


class _Normaliser:
    """Products with the Keenan-Kotula-normalised data, with a few entries replaced.

    ``A = diag(1/ra) (X + S) diag(1/rb)``, where ``S`` holds the replacements
    (few), ``ra``/``rb`` the square roots of the pixel and channel sums. ``A`` is
    never formed: a product is one pass over ``X`` plus a sparse correction.
    """

    def __init__(self, X, r, c, values):
        self.X = X
        P, C = X.shape
        self.r, self.c = r, c
        self.d = (values - X[r, c]).astype(np.float64)
        # pixel and channel sums as BLAS matrix-vector products (float32 sums of
        # counts: relative error ~1e-6, ample for weights)
        self.a0 = (X @ np.ones(C, X.dtype)).astype(np.float64)
        a = self.a0 + np.bincount(r, self.d, minlength=P)
        b = (np.ones(P, X.dtype) @ X).astype(np.float64) + np.bincount(c, self.d, minlength=C)
        self.ra = np.sqrt(np.where(a > 0, a, 1.0))
        self.rb = np.sqrt(np.where(b > 0, b, 1.0))
        self.total = float(max(a.sum(), 1.0))

    def matmul(self, V):
        """``A @ V`` for ``V`` of shape (channels, w), in float64."""
        Vs = V / self.rb[:, None]
        out = (self.X @ Vs.astype(self.X.dtype)).astype(np.float64)
        np.add.at(out, self.r, self.d[:, None] * Vs[self.c])
        out /= self.ra[:, None]
        return out

    def rmatmul(self, Q):
        """``A.T @ Q`` for ``Q`` of shape (pixels, w), in float64."""
        Qs = Q / self.ra[:, None]
        out = (Qs.astype(self.X.dtype).T @ self.X).T.astype(np.float64)
        np.add.at(out, self.c, self.d[:, None] * Qs[self.r])
        out /= self.rb[:, None]
        return out


class _SubspaceFit:
    """Robust low-rank fits that share one subspace of spectra.

    The subspace is found once, by randomised subspace iteration on the data
    with the first replacements (``n_iter`` power iterations, ``kmax`` plus
    ``oversample`` directions). A fit with other replacements is then the
    truncated SVD of the data projected on that subspace: the product ``X V``
    is kept, so replacing a few entries costs a sparse correction and an
    eigen-decomposition of a (w x w) matrix, not a pass over the data. The
    channel weights of the normalisation stay those of the first fit (a spike
    moves a channel's sum over thousands of spectra by a fraction of a
    percent); the pixel weights follow the replacements.
    """

    def __init__(self, X, r, c, values, kmax, n_components, rng, n_iter, oversample=8):
        P, C = X.shape
        self.X, self.n_components = X, n_components
        self.kcap = kmax if P < 16 else None
        norm = _Normaliser(X, r, c, values)
        self.a0, self.rb, self.total = norm.a0, norm.rb, norm.total
        width = min(kmax + oversample, P, C)
        V = rng.standard_normal((C, width))
        for _ in range(int(n_iter) + 1):
            V = _orthonormal(norm.rmatmul(_orthonormal(norm.matmul(V))))
        self.V = V
        self.Vs = V / self.rb[:, None]  # rows of the projection, channel weights applied
        self.XV = (X @ self.Vs.astype(X.dtype)).astype(np.float64)  # unweighted by pixel
        self.edge = (np.sqrt(P) + np.sqrt(C)) / np.sqrt(self.total)

    def fit(self, r, c, values):
        """The model with the entries (r, c) replaced by ``values``."""
        X = self.X
        P = X.shape[0]
        d = (values - X[r, c]).astype(np.float64)
        a = self.a0 + np.bincount(r, d, minlength=P)
        ra = np.sqrt(np.where(a > 0, a, 1.0))
        W = self.XV.copy()
        np.add.at(W, r, d[:, None] * self.Vs[c])
        W /= ra[:, None]  # A V, A the normalised data with these replacements
        s2, E = np.linalg.eigh(W.T @ W)
        s2, E = s2[::-1], E[:, ::-1]
        S = np.sqrt(np.maximum(s2, 0.0))
        if self.n_components is None:
            # Marchenko-Pastur edge of the normalised Poisson noise, with a margin
            k = int(max(1, (S > 1.2 * self.edge).sum()))
            if self.kcap is not None:
                k = min(k, self.kcap)
        else:
            k = int(min(self.n_components, len(S)))
        E = E[:, :k]
        L = (W @ E) * ra[:, None]  # U S, scaled back
        F = (self.V @ E).T * self.rb[None, :]  # factors, scaled back
        return _LowRank(L.astype(X.dtype), F.astype(X.dtype))


class _LowRank:
    """A low-rank model ``L @ F``, evaluated only where it is needed."""

    def __init__(self, L, F):
        self.L, self.F = L, F
        self.k = L.shape[1]

    def rows(self, r):
        return self.L[r] @ self.F

    def at(self, r, c):
        return np.einsum("ik,ki->i", self.L[r], self.F[:, c]).astype(np.float64)

    def full(self):
        return self.L @ self.F
