"""The SVD and PCA decomposition algorithms (registered kernels over :func:`svd`)."""

from __future__ import annotations

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput

_SVD_OPTIONS = ("n_oversamples", "n_iter", "num_chunks")


def _svd_output(view: MatrixView, k, ctx: KernelContext, ddof: int, options) -> KernelOutput:
    r = svd(view, k, svd_solver=ctx.svd_solver, auto_transpose=ctx.auto_transpose,
            random_state=ctx.random_state, n_eager=ctx.n_eager, sketch=ctx.sketch,
            **options)
    ev = r.singular_values**2 / max(view.shape[0] - ddof, 1)
    info = {"svd_solver": r.solver, "singular_values": r.singular_values, **r.info}
    return KernelOutput(r.factors, r.loadings, ev, pending=r.pending, info=info)


@DECOMPOSITION.register("SVD", "svd", options=_SVD_OPTIONS, can_defer=True, svd_based=True,
                        lazy="out_of_core", auto_transposes=True, accepts_complex=True)
def svd_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Singular value decomposition (:func:`emunmix.learn.linalg.svd`)."""
    return _svd_output(view, k, ctx, 0, ctx.options)


@DECOMPOSITION.register("PCA", "sklearn_pca", options=("whiten", "num_chunks"),
                        can_defer=True, svd_based=True, centre_by_default="navigation",
                        variance_ddof=1, lazy="out_of_core", accepts_complex=True)
def pca_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Centred PCA: the SVD of the mean-subtracted data, variances over ``m - 1``.

    The pipeline centres the data (``centre="navigation"``) before calling this;
    ``whiten`` is accepted for HyperSpy compatibility and not applied; ``num_chunks``
    (HyperSpy's lazy PCA) sets the batches of ``svd_solver="incremental"``.
    """
    options = {"num_chunks": ctx.options["num_chunks"]} if "num_chunks" in ctx.options else {}
    return _svd_output(view, k, ctx, 1, options)
