"""What the online algorithms (ORPCA, ORNMF) share: their options, the passes over the
rows of the view, and the final rotation of a low-rank model to SVD form.

Both stream over the pixels (rows) of the prepared view in batches of ``batch_size``
rows (:func:`~emunmix.learn.linalg.stream.stream_batches`): a learning pass updates
the subspace after each batch, a projection pass then gives each pixel's loadings (and
sparse part) on the final subspace. Only one row block of the data is held at a time,
so they run on dask data larger than memory, and the result does not depend on the
chunking.
"""

from __future__ import annotations

import numbers

import numpy as np

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.stream import read_rows, stream_batches


def check_batch_size(batch_size, m: int) -> int:
    """Rows per batch: ``None`` is one pixel at a time (HyperSpy's default)."""
    if batch_size is None:
        return 1
    if (not isinstance(batch_size, numbers.Integral) or isinstance(batch_size, bool)
            or batch_size < 1):
        raise ValueError(f"batch_size must be None or a positive integer, got {batch_size!r}")
    return int(min(batch_size, max(m, 1)))


def check_positive(value, name: str, allow_zero: bool = True) -> float:
    """A finite number ``>= 0`` (``> 0`` unless ``allow_zero``), else ValueError."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be a finite number {bound}, got {value!r}")
    return float(value)


def check_momentum(value) -> float:
    """``subspace_momentum``: a number between 0 and 1."""
    value = check_positive(value, "subspace_momentum")
    if value > 1:
        raise ValueError(f"subspace_momentum must be a number between 0 and 1, got {value!r}")
    return value


#: Default soft threshold of the sparse parts, in robust noise standard deviations.
SPARSE_THRESHOLD = 4.0


def noise_sigma(view: MatrixView, rows: int = 256) -> float:
    """Robust noise standard deviation of the first ``rows`` pixels, from the median
    absolute deviation of channel-to-channel differences (a smooth signal cancels)."""
    first = read_rows(view, 0, rows)
    if first.shape[1] < 2:
        return 1.0
    d = np.diff(first, axis=1).ravel()
    sigma = 1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0)
    return float(sigma) if sigma > 0 else float(np.std(d) / np.sqrt(2.0) or 1.0)


def sparse_threshold(value, view: MatrixView, name: str) -> float:
    """The soft threshold: as given, or ``SPARSE_THRESHOLD`` noise sigmas for None."""
    if value is None:
        return SPARSE_THRESHOLD * noise_sigma(view)
    return check_positive(value, name)


def store_sparse(store_error, view: MatrixView) -> bool:
    """Keep the (pixels, channels) sparse part? ``None``: for data in memory only."""
    if store_error is None:
        return not view.is_lazy
    return bool(store_error)


def projection_pass(view: MatrixView, batch_rows: int, project, k: int, keep_sparse: bool):
    """``(loadings (m, k), sparse (m, n) or None, batches not converged)``: ``project``
    (``batch -> (R, E, converged)``) applied to every batch of the view's rows."""
    m, n = view.shape
    loadings = np.empty((m, k))
    sparse = np.zeros((m, n), dtype=view.dtype) if keep_sparse else None
    not_converged = 0
    for start, stop, Z in stream_batches(view, batch_rows):
        R, E, ok = project(Z)
        loadings[start:stop] = R
        if sparse is not None:
            sparse[start:stop] = E
        not_converged += not ok
        del Z
    return loadings, sparse, not_converged


def svd_of_product(loadings, subspace):
    """``(factors, loadings, S)`` with ``loadings @ subspace.T == U S @ V.T`` (V orthonormal):
    a QR of the (n, k) subspace and an SVD of the (m, k) product, never an (m, n) array."""
    Q, T = np.linalg.qr(subspace)
    U, S, Wt = np.linalg.svd(loadings @ T.T, full_matrices=False)
    return Q @ Wt.T, U * S, S


__all__ = [
    "check_batch_size",
    "check_momentum",
    "check_positive",
    "noise_sigma",
    "projection_pass",
    "sparse_threshold",
    "store_sparse",
    "svd_of_product",
]
