"""Linear algebra on (pixels, channels) matrices: the matrix view and its array backends,
the Gram eigensolver and the SVD solvers (numpy or dask, in memory or out of core)."""

from emunmix.learn.linalg.gram_eigen import GramEigen
from emunmix.learn.linalg.matrix_view import MatrixStats, MatrixView
from emunmix.learn.linalg.svd import (
    GRAM_MAX_DIM,
    SVD_SOLVERS,
    SVDResult,
    choose_svd_solver,
    svd,
    svd_flip_loadings,
)
from emunmix.threads import single_blas_thread

__all__ = [
    "GRAM_MAX_DIM",
    "SVD_SOLVERS",
    "GramEigen",
    "MatrixStats",
    "MatrixView",
    "SVDResult",
    "choose_svd_solver",
    "single_blas_thread",
    "svd",
    "svd_flip_loadings",
]
