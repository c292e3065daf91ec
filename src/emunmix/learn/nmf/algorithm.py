"""NMF as a registered decomposition algorithm: the kernel adapter and the factor
scaling applied once the pipeline has undone the Poisson normalisation."""

from __future__ import annotations

from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.nmf.core import nmf, scale_factors
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput


def _scale_in_data_units(factors, loadings, options):
    dtype = factors.dtype
    factors, loadings = scale_factors(factors, loadings, options.get("normalise_factors", "max"))
    return factors.astype(dtype), loadings.astype(dtype)


@DECOMPOSITION.register("NMF", "nmf", finish=_scale_in_data_units, non_negative_output=True,
                        needs_non_negative=True, lazy="out_of_core")
def nmf_kernel(view: MatrixView, k, ctx: KernelContext) -> KernelOutput:
    """Non-negative matrix factorisation (:func:`emunmix.learn.nmf.nmf`).

    ``ctx.navigation_shape`` (the grid of the view's rows, masked ones included) serves
    ``spatial_smoothness``; the factors are scaled after the pipeline has undone the
    Poisson normalisation (``normalise_factors``), not here.
    """
    options = {**ctx.options, "normalise_factors": None}
    if k is None:  # scikit-learn's (and HyperSpy's) default: as many as the channels
        k = min(view.shape)
    r = nmf(view, k, random_state=ctx.random_state, navigation_shape=ctx.navigation_shape,
            **options)
    info = {"n_iter": r.n_iter, "converged": r.converged, "objective": r.objective,
            "loss": r.loss, "solver": r.solver, "sparsity": r.sparsity,
            "spatial_smoothness": r.spatial_smoothness}
    return KernelOutput(r.factors, r.loadings, None, info=info)
