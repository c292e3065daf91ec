"""Turning a kernel's output into results: data units, full size, and deferred components.

Kernels work on the unmasked, Poisson-scaled :class:`~emunmix.learn.matrix_view.MatrixView`.
:func:`to_data_units` undoes the scaling and the ``full_*`` helpers put masked rows and
columns back (as NaN). :class:`DeferredComponents` does the same, later, for the SVD
components that :func:`~emunmix.learn.decompose.decompose` left uncomputed
(``eager_components``), after checking that the data are still those decomposed.
"""

from __future__ import annotations

import numpy as np

from emunmix.exceptions import StaleDataError
from emunmix.learn.decomposition.poisson import PoissonWeights
from emunmix.learn.linalg.matrix_view import MatrixStats, MatrixView
from emunmix.learn.linalg.svd import svd_flip_loadings


def to_data_units(factors, loadings, weights: PoissonWeights | None, dtype):
    """Factors and loadings in ``dtype`` with the Poisson scaling undone.

    Kernels return fresh arrays, so they are scaled in place (the loadings can be as
    large as the data).
    """
    factors = np.asarray(factors, dtype=dtype)
    loadings = np.asarray(loadings, dtype=dtype)
    if weights is not None:
        np.multiply(factors, weights.root_bH[:, None], out=factors, casting="unsafe")
        np.multiply(loadings, weights.root_aG[:, None], out=loadings, casting="unsafe")
    return factors, loadings


def full_vector(values, index, size):
    """A length-``size`` float vector with ``values`` at ``index`` and NaN elsewhere."""
    if index is None:
        return np.asarray(values, dtype=np.float64)
    out = np.full(size, np.nan)
    out[index] = values
    return out


def full_rows(A, index, size):
    """``A`` with NaN rows inserted: row ``index[i]`` of the result is row ``i`` of ``A``."""
    if index is None:
        return A
    out = np.full((size, A.shape[1]), np.nan, dtype=A.dtype)
    out[index] = A
    return out


def full_matrix(A, rows, cols, m, n):
    """An (m, n) NaN matrix with ``A`` at the selected rows and columns."""
    out = np.full((m, n), np.nan, dtype=A.dtype)
    r = np.arange(m) if rows is None else rows
    c = np.arange(n) if cols is None else cols
    out[np.ix_(r, c)] = A
    return out


class DeferredComponents:
    """The components a decomposition left for later; calling computes them.

    Calling returns ``(factors, loadings)`` of the remaining components, finished like
    the eager ones (signs fixed, data units, masked entries NaN). It first re-reads the
    data and compares their row and column sums with those taken at decomposition
    time, so that components are never mixed from two different datasets.

    Parameters
    ----------
    pending : callable
        ``pending()`` -> remaining (factors, loadings) in the view's space.
    raw : MatrixView
        The unscaled, unmasked-selection view of the data that was decomposed.
    stats : MatrixStats
        ``raw.stats()`` at decomposition time.
    weights : PoissonWeights or None
    dtype : numpy dtype
        Of the results.
    shape : tuple of int
        Full (pixels, channels) shape, masked entries included.
    n_remaining : int
        Components still to compute.
    """

    def __init__(self, pending, raw: MatrixView, stats: MatrixStats, weights, dtype,
                 shape, n_remaining: int):
        self._pending = pending
        self._raw = raw
        self._stats = stats
        self._weights = weights
        self._dtype = dtype
        self._shape = tuple(shape)
        self.n_remaining = int(n_remaining)

    def __call__(self, loadings_out=None):
        """The remaining ``(factors, loadings)``.

        ``loadings_out`` (shape (pixels, n_remaining), e.g. a column slice of the final
        loadings array) receives the loadings without a temporary copy when no pixel
        is masked; the returned loadings are then that array.
        """
        now = self._raw.stats()
        if not (np.array_equal(now.row_sums, self._stats.row_sums)
                and np.array_equal(now.col_sums, self._stats.col_sums)):
            raise StaleDataError(
                f"the data changed after the decomposition, so its last {self.n_remaining} "
                "components (computed on first use) can no longer be computed; run "
                "decomposition() again, or decompose with an output_dimension to compute "
                "all the components you need at once"
            )
        direct = loadings_out is not None and self._raw.rows is None
        f, l = self._pending(out=loadings_out if direct else None)
        svd_flip_loadings(f, l)  # in the decomposed space, as the eager components
        f, l = to_data_units(f, l, self._weights, self._dtype)
        m_all, n_all = self._shape
        F = full_rows(f, self._raw.cols, n_all)
        L = full_rows(l, self._raw.rows, m_all)
        return F, L

    def append_to(self, factors, loadings):
        """``factors`` and ``loadings`` (the eager components) with the remaining ones
        appended: new arrays. The remaining loadings are written straight into the
        final array (they can be as large as the data), so no second copy is made."""
        k0 = factors.shape[1]
        L = np.empty((loadings.shape[0], k0 + self.n_remaining), dtype=loadings.dtype)
        L[:, :k0] = loadings
        F_rest, L_rest = self(loadings_out=L[:, k0:])
        if not np.shares_memory(L_rest, L):  # masked pixels: computed apart
            L[:, k0:] = L_rest
        return np.concatenate([factors, F_rest], axis=1), L

    def __repr__(self) -> str:
        return f"<DeferredComponents: {self.n_remaining} components>"


__all__ = [
    "DeferredComponents",
    "StaleDataError",
    "full_matrix",
    "full_rows",
    "full_vector",
    "to_data_units",
]
