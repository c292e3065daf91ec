"""The last stage of :func:`~emunmix.learn.decomposition.decompose`: a kernel's output
turned into a :class:`DecompositionOutput` in data units and at full size (masked
entries NaN or reprojected), with signs fixed, explained variances, the estimated number
of significant components and the record of the call."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from emunmix.learn.decomposition.components import Components
from emunmix.learn.decomposition.elbow import auto_output_dimension
from emunmix.learn.decomposition.finish import (
    DeferredComponents,
    full_matrix,
    full_rows,
    full_vector,
    to_data_units,
)
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.reproject import reproject_channels, reproject_pixels
from emunmix.learn.linalg.svd import svd_flip_loadings
from emunmix.learn.registry import KernelOutput


def assemble(plan, prep, out: KernelOutput, auto) -> DecompositionOutput:
    """The :class:`DecompositionOutput` of ``out`` (see the module docstring)."""
    info: dict = {}
    if auto.ratio is not None:
        info["auto_explained_variance_ratio"] = auto.ratio
    info.update(out.info)
    factors, loadings, sparse, kernel_mean = _in_data_units(plan, prep, out)
    F, L, mean, centre, sparse = _full_size(plan, prep, factors, loadings, sparse, kernel_mean)
    pending = None
    if out.pending is not None:
        pending = DeferredComponents(out.pending, prep.raw, prep.stats, prep.weights,
                                     prep.view.dtype, plan.full_shape,
                                     len(out.explained_variance) - F.shape[1])
    ev, ratio, nsc = _variances(plan, prep, out.explained_variance,
                                out.info.get("sum_of_squares"))
    return DecompositionOutput(
        components=Components(F, L, pending),
        explained_variance=ev,
        explained_variance_ratio=ratio,
        mean=mean,
        centre=centre,
        algorithm=plan.name,
        parameters=_parameters(plan, centre),
        output_dimension=int(F.shape[1]) + (0 if pending is None else pending.n_remaining),
        auto_dimension_method=auto.method,
        number_significant_components=nsc,
        poissonian_noise_normalized=plan.poisson,
        navigation_mask=plan.nav,
        signal_mask=plan.sig,
        sparse=sparse,
        info=info,
    )


def _in_data_units(plan, prep, out: KernelOutput):
    """Factors, loadings and sparse part with the Poisson scaling undone."""
    weights = prep.weights
    factors, loadings = _orient(plan, prep, out)
    factors, loadings = to_data_units(factors, loadings, weights, prep.view.dtype)
    kernel_mean = out.mean
    if kernel_mean is not None and weights is not None:
        warnings.warn(
            f"{plan.name} removed a mean from the Poisson-normalised data; the model "
            "loadings @ factors.T does not include it",
            stacklevel=4,
        )
        kernel_mean = None
    if plan.spec is not None and plan.spec.finish is not None:
        factors, loadings = plan.spec.finish(factors, loadings, plan.options)
    sparse = out.sparse
    if sparse is not None and weights is not None:
        for s in range(0, sparse.shape[0], 4096):
            sparse[s : s + 4096] *= weights.root_aG[s : s + 4096, None].astype(sparse.dtype)
        sparse *= weights.root_bH.astype(sparse.dtype)
    return factors, loadings, sparse, kernel_mean


def _orient(plan, prep, out: KernelOutput):
    """The kernel's factors and loadings with HyperSpy's scale and signs, in the
    decomposed (Poisson-scaled) space: the signs set as HyperSpy's ``svd_flip``, the
    largest-magnitude entry of each column of ``U`` positive, where ``U`` is the
    loadings, or the factors of an SVD of "transposed" data (``auto_transposes``: fewer
    unmasked pixels than channels, in memory), whose factors then carry the singular
    values instead of the loadings. Both decided before the Poisson scaling is undone,
    as HyperSpy does."""
    factors, loadings = out.factors, out.loadings
    if plan.caps.non_negative_output:
        return factors, loadings
    m, n = plan.shape
    S = out.info.get("singular_values")
    if (plan.caps.auto_transposes and plan.auto_transpose and m < n and S is not None
            and out.pending is None and not prep.view.is_lazy):
        S = np.asarray(S, dtype=np.float64)[: factors.shape[1]]
        scale = np.where(S > 0, S, 1.0)
        factors = factors * scale.astype(factors.dtype)
        loadings = loadings / scale.astype(loadings.dtype)
        svd_flip_loadings(loadings, factors)
    else:
        svd_flip_loadings(factors, loadings)
    return factors, loadings


def _full_size(plan, prep, factors, loadings, sparse, kernel_mean):
    """Masked rows and columns put back (NaN or reprojected); signs fixed."""
    m_all, n_all = plan.full_shape
    rows, cols, centre = plan.rows, plan.cols, plan.centre
    mean = None
    if centre == "navigation":
        mean = full_vector(prep.col_mean, cols, n_all)
    elif centre == "signal":
        mean = full_vector(prep.row_mean, rows, m_all)
    elif kernel_mean is not None:
        centre = "navigation"
        mean = full_vector(kernel_mean, cols, n_all)
    F = full_rows(factors, cols, n_all)
    L = full_rows(loadings, rows, m_all)
    nonneg = plan.caps.non_negative_output
    if plan.reproject in ("navigation", "both") and rows is not None:
        reproject_pixels(plan.X, plan.nav, cols, factors, prep.weights, mean, centre, nonneg, L)
    if plan.reproject in ("signal", "both") and cols is not None:
        reproject_channels(plan.X, plan.sig, rows, loadings, prep.weights, mean, centre,
                           nonneg, F)
    if sparse is not None and (rows is not None or cols is not None):
        sparse = full_matrix(sparse, rows, cols, m_all, n_all)
    return F, L, mean, centre, sparse


def _variances(plan, prep, ev, sum_of_squares=None):
    """Explained variance, its ratio and the number of significant components."""
    if ev is None:
        return None, None, None
    m, n = plan.shape
    ev = np.asarray(ev, dtype=np.float64)
    total = float(ev.sum())
    ratio = ev / total if total > 0 else np.zeros_like(ev)
    nsc = None
    if ratio.size >= 3:
        S = np.sqrt(ev * max(m - plan.caps.variance_ddof, 1))
        total = None
        if plan.poisson and S.size < min(m, n):
            # read on the way by the lazy randomized SVD, else one more pass
            total = sum_of_squares if sum_of_squares is not None else \
                prep.view.sum_of_squares()
        nsc, _ = auto_output_dimension(
            ratio, S if plan.spec is not None else None, (m, n), total,
            poisson_normalised=plan.poisson,
        )
    return ev, ratio, nsc


def _parameters(plan, centre) -> dict:
    """The record of the call (for the learning results and reruns)."""
    rs = plan.random_state
    return {
        "algorithm": plan.name,
        "output_dimension": plan.output_dimension,
        "normalize_poissonian_noise": plan.poisson,
        "centre": centre,
        "svd_solver": plan.svd_solver,
        "auto_transpose": bool(plan.auto_transpose),
        "reproject": plan.reproject,
        "random_state": rs if isinstance(rs, numbers.Integral) else None,
        **plan.options,
    }
