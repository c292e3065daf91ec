"""Sparse PCA decomposition algorithms, as HyperSpy 2.5 names them: ``"sparse_pca"``
(:class:`sklearn.decomposition.SparsePCA`) and ``"mini_batch_sparse_pca"``
(:class:`sklearn.decomposition.MiniBatchSparsePCA`).

Sparse PCA finds components with few non-zero channels (an L1 penalty ``alpha``), which
suits spectra made of separate edges or peaks. The pipeline centres the data first (as
the estimators would), so the mean and Poisson normalisation are handled like PCA's.
"""

from __future__ import annotations

from emunmix.learn.decomposition.estimator import estimator_kernel
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput

_COMMON = ("alpha", "ridge_alpha", "max_iter", "tol", "method", "n_jobs", "verbose")


def _fit(cls, view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    estimator = cls(n_components=k, random_state=ctx.random_state, **ctx.options)
    out = estimator_kernel(estimator, view, k, {})
    out.mean = None  # the pipeline centred the data: the estimator's mean is ~0
    out.info = {"n_iter": getattr(estimator, "n_iter_", None)}
    return out


@DECOMPOSITION.register("sparse_pca", "SparsePCA", options=_COMMON + ("U_init", "V_init"),
                        centre_by_default="navigation")
def sparse_pca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Sparse PCA: components with few non-zero channels (scikit-learn's SparsePCA)."""
    from sklearn.decomposition import SparsePCA

    return _fit(SparsePCA, view, k, ctx)


@DECOMPOSITION.register("mini_batch_sparse_pca", "MiniBatchSparsePCA",
                        options=_COMMON + ("batch_size", "shuffle", "callback",
                                           "max_no_improvement"),
                        centre_by_default="navigation")
def mini_batch_sparse_pca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Sparse PCA fitted on mini-batches of pixels (scikit-learn's MiniBatchSparsePCA)."""
    from sklearn.decomposition import MiniBatchSparsePCA

    return _fit(MiniBatchSparsePCA, view, k, ctx)
