"""The decomposition pipeline on a (pixels, channels) array, in named stages.

1. :func:`~emunmix.learn.decomposition.plan.make_plan` validates everything first (so
   that a failure changes nothing);
2. :func:`prepare` reads the data's sums once and builds a
   :class:`~emunmix.learn.linalg.MatrixView` of the unmasked, centred and Poisson-scaled
   data (no copy);
3. :func:`choose_dimension` resolves ``output_dimension="auto"``;
4. :func:`run` calls the registered kernel with a
   :class:`~emunmix.learn.registry.KernelContext`;
5. :func:`~emunmix.learn.decomposition.assemble.assemble` undoes the scaling, fills
   masked rows and columns (NaN, or by projection with ``reproject``) and fixes signs.

The signal layer folds the arrays back to its axes and stores them. The model is
``X ~ loadings @ factors.T (+ mean)``, in data units: ``mean`` is a spectrum (channels,)
for ``centre="navigation"`` and an image (pixels,) for ``centre="signal"``. The result
type, :class:`DecompositionOutput`, lives in :mod:`emunmix.learn.decomposition.output`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from emunmix.learn.decomposition.assemble import assemble
from emunmix.learn.decomposition.complex_svd import decompose_complex, is_complex
from emunmix.learn.decomposition.elbow import auto_output_dimension
from emunmix.learn.decomposition.estimator import estimator_kernel
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.plan import Plan, make_plan
from emunmix.learn.decomposition.poisson import PoissonWeights, weights_from_sums
from emunmix.learn.decomposition.row_order import (
    check_row_order,
    natural_order,
    reorder_inputs,
)
from emunmix.learn.linalg.matrix_view import MatrixStats, MatrixView
from emunmix.learn.linalg.randomized import (
    AUTO_POWER_ITERATIONS,
    GramSketch,
    draw_test_matrix,
    oversampled,
)
from emunmix.learn.linalg.svd import SVDResult, choose_svd_solver, svd
from emunmix.learn.registry import KernelContext, KernelOutput
from emunmix.validation import check_data_stats, numpy_dtype


def decompose(
    X,
    algorithm="SVD",
    output_dimension=None,
    normalize_poissonian_noise: bool = False,
    centre=None,
    navigation_mask=None,
    signal_mask=None,
    var_array=None,
    var_func=None,
    reproject=None,
    svd_solver: str = "auto",
    random_state=None,
    auto_transpose: bool = True,
    navigation_shape=None,
    eager_components: int | None = None,
    row_order=None,
    **kwargs,
) -> DecompositionOutput:
    """Decompose a (pixels, channels) matrix: ``X ~ loadings @ factors.T``.

    Parameters
    ----------
    X : array_like or dask array, shape (pixels, channels)
        Any real numeric dtype (integer counts included), or complex for SVD/PCA
        (:mod:`~emunmix.learn.decomposition.complex_svd`). Never modified.
    algorithm : str or estimator, default "SVD"
        A name from :data:`~emunmix.learn.registry.DECOMPOSITION` ("SVD", "PCA"/
        "sklearn_pca", "NMF", "MLPCA", "RPCA"; case-insensitive) or an object with
        ``fit``, ``transform`` and ``components_``.
    output_dimension : int, "auto" or None
        Components to compute; None: all (SVD/PCA). "auto" chooses (see
        :func:`~emunmix.learn.elbow.auto_output_dimension`) and records how.
    normalize_poissonian_noise : bool, default False
        Keenan-Kotula scaling of the unmasked data before decomposing (undone on the
        results).
    centre : {None, "navigation", "signal"}
        Subtract the mean spectrum ("navigation") or each pixel's mean ("signal"),
        in data units, before any scaling. PCA centres along "navigation" by default.
    navigation_mask : array of bool, shape (pixels,) or ``navigation_shape``
        True = pixel excluded.
    signal_mask : array of bool, shape (channels,)
        True = channel excluded.
    var_array, var_func :
        Noise variances for MLPCA (full (pixels, channels) shape; masked like X).
    reproject : {None, "navigation", "signal", "both"}
        Fill the loadings of excluded pixels / factors of excluded channels by
        projecting their data on the fitted factors / loadings (weighted like the fit
        when Poisson-normalised; non-negative for NMF); otherwise they are NaN. Each
        uses only the fitted block, so the result does not depend on an order.
    svd_solver : {"auto", "gram", "full", "randomized", "arpack", "incremental"}
        None is "auto" (HyperSpy's default). "incremental": updated batch by batch of
        ``num_chunks`` chunks (a keyword argument of SVD/PCA, as HyperSpy's).
    random_state : int, RandomState, Generator or None
        Seeds every random choice (same seed, same result).
    auto_transpose : bool, default True
    navigation_shape : tuple, optional
        Unflattened navigation shape, accepted for ``navigation_mask``.
    eager_components : int, optional
        SVD/PCA of all components (``output_dimension=None``) by the Gram solver:
        compute every singular value but the factors and loadings of only the first
        ``eager_components``; ``out.pending`` computes the others when needed (and
        refuses if the data changed meanwhile). No effect otherwise.
    row_order : ndarray of int, optional
        Row ``p`` of ``X`` is pixel ``row_order[p]``: lazy data unfolded chunk by chunk
        (:func:`~emunmix.learn.linalg.unfold.unfold_by_chunks`, no rechunk). Masks are
        given, and results returned, in the natural pixel order.
    **kwargs
        Passed to the algorithm.

    Returns
    -------
    DecompositionOutput

    Raises
    ------
    ValueError
        Empty data, NaN/inf in the unmasked data, negative values with Poisson
        normalisation or NMF, bad output_dimension, masks, centre or reproject, or an
        unknown algorithm (the message lists the known ones).
    TypeError
        Complex data for an algorithm other than SVD/PCA, or unexpected keyword
        arguments.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(rng.uniform(1, 9, (500, 3)) @ rng.uniform(0, 9, (3, 64)))
    >>> out = decompose(X, normalize_poissonian_noise=True, output_dimension=3)
    >>> out.factors.shape, out.loadings.shape, out.algorithm
    ((64, 3), (500, 3), 'SVD')
    """
    if row_order is not None:
        order = check_row_order(row_order, int(X.shape[0]))
        nav_flat, navigation_mask, var_array = reorder_inputs(
            order, navigation_mask, navigation_shape, var_array)
        out = decompose(X, algorithm, output_dimension, normalize_poissonian_noise, centre,
                        navigation_mask, signal_mask, var_array, var_func, reproject,
                        svd_solver, random_state, auto_transpose, None, eager_components,
                        **kwargs)
        return natural_order(out, order, nav_flat)
    if is_complex(X):  # SVD/PCA keep the complex dtype; the others refuse it
        return decompose_complex(X, algorithm, output_dimension, normalize_poissonian_noise,
                                 centre, navigation_mask, signal_mask, var_array, var_func,
                                 reproject, svd_solver, random_state, auto_transpose,
                                 navigation_shape, eager_components, **kwargs)
    plan = make_plan(X, algorithm, output_dimension, normalize_poissonian_noise, centre,
                     navigation_mask, signal_mask, var_array, var_func, reproject,
                     svd_solver, random_state, auto_transpose, navigation_shape,
                     eager_components, kwargs)
    prep = prepare(plan)
    k, auto = choose_dimension(plan, prep)
    out = run(plan, prep, k, auto)
    return assemble(plan, prep, out, auto)


@dataclass
class Prepared:
    """The data as the kernel sees them: ``raw`` (unmasked selection) and its ``stats``,
    the Poisson ``weights`` and removed means, and ``view`` (all of them applied)."""

    raw: MatrixView
    stats: MatrixStats
    weights: PoissonWeights | None
    row_mean: np.ndarray | None
    col_mean: np.ndarray | None
    view: MatrixView
    sketch: tuple | None = None


@dataclass
class AutoDimension:
    """How ``output_dimension="auto"`` was resolved: the SVD of all components, the
    method used and the full scree (None when a number was given)."""

    full: SVDResult | None = None
    method: str | None = None
    ratio: np.ndarray | None = None


def prepare(plan: Plan) -> Prepared:
    """One pass over the data (their sums), the data checks, then the scaled view."""
    m, n = plan.shape
    raw = MatrixView(plan.X, rows=plan.rows, cols=plan.cols)
    omega = _sketch_matrix(plan, raw)
    sketch = None
    if omega is None:
        stats = raw.stats()
    elif plan.centre is None and _power_iterations(plan) >= 1:
        # uncentred: the first power iteration is read with the sums too
        stats, H, q = raw.stats_and_gram_sketch(omega, poisson=plan.poisson)
        sketch = GramSketch(omega, H, q)
    else:  # a lazy randomized SVD: its first pass is this one
        stats, raw_sketch = raw.stats(sketch=omega)
        sketch = (omega, raw_sketch)
    check_data_stats(stats, m * n, plan.poisson, plan.name, plan.caps.needs_non_negative)
    weights = weights_from_sums(stats.row_sums, stats.col_sums) if plan.poisson else None
    row_mean = col_mean = None
    if plan.centre == "navigation":
        col_mean = stats.col_sums / m
    elif plan.centre == "signal":
        row_mean = stats.row_sums / n
    view = raw.with_transform(
        row_scale=None if weights is None else weights.root_aG,
        col_scale=None if weights is None else weights.root_bH,
        row_mean=row_mean,
        col_mean=col_mean,
    )
    return Prepared(raw, stats, weights, row_mean, col_mean, view, sketch)


def _sketch_matrix(plan: Plan, raw: MatrixView):
    """The randomized SVD's test matrix when it will run on lazy data, else None."""
    if plan.spec is None or not plan.caps.svd_based or not raw.is_lazy:
        return None
    if not isinstance(plan.k, int) or set(plan.options) - {"n_oversamples", "n_iter",
                                                            "num_chunks"}:
        return None
    p = plan.options.get("n_oversamples", 10)
    itemsize = numpy_dtype(raw.X.dtype).itemsize
    if choose_svd_solver(plan.shape, plan.k, plan.svd_solver, lazy=True,
                         n_oversamples=p, itemsize=itemsize) != "randomized":
        return None
    return draw_test_matrix(raw, oversampled(plan.k, p, plan.shape[1]), plan.random_state)


def _power_iterations(plan: Plan) -> int:
    n_iter = plan.options.get("n_iter", "auto")
    if n_iter == "auto":
        return AUTO_POWER_ITERATIONS
    return n_iter if isinstance(n_iter, int) else -1


def choose_dimension(plan: Plan, prep: Prepared):
    """The number of components: as given, or chosen from the whole scree ("auto")."""
    if plan.k != "auto":
        return plan.k, AutoDimension()
    m, n = plan.shape
    full = svd(prep.view, None, svd_solver="gram" if min(m, n) <= 4096 else "auto",
               auto_transpose=plan.auto_transpose, random_state=plan.random_state, n_eager=0)
    S = full.singular_values
    ratio = S**2 / np.sum(S**2) if np.sum(S**2) > 0 else np.zeros_like(S)
    k, method = auto_output_dimension(ratio, S, (m, n), poisson_normalised=plan.poisson)
    k = int(min(max(k, 1), min(m, n)))
    if full.pending is not None:
        full.factors, full.loadings = full.pending(k)
    return k, AutoDimension(full, method, ratio)


def run(plan: Plan, prep: Prepared, k, auto: AutoDimension) -> KernelOutput:
    """The algorithm on the prepared view (or the "auto" SVD, when it is the result)."""
    if plan.spec is None:
        return estimator_kernel(plan.estimator, prep.view, k, plan.options)
    caps = plan.caps
    if auto.full is not None and caps.svd_based and not plan.options:
        m = plan.shape[0]
        full = auto.full
        return KernelOutput(
            full.factors[:, :k], full.loadings[:, :k],
            full.singular_values[:k] ** 2 / max(m - caps.variance_ddof, 1),
            info={"svd_solver": full.solver, "singular_values": full.singular_values[:k]},
        )
    # deferral: only when all components are asked for and no reprojection needs them
    defer = (caps.can_defer and plan.eager_components is not None
             and plan.output_dimension is None
             and (plan.reproject is None or (plan.rows is None and plan.cols is None)))
    ctx = KernelContext(
        svd_solver=plan.svd_solver, auto_transpose=plan.auto_transpose,
        random_state=plan.random_state, navigation_shape=plan.navigation_shape,
        n_eager=int(plan.eager_components) if defer else None, options=dict(plan.options),
        var_array=plan.var_array, var_func=plan.var_func, sketch=prep.sketch,
    )
    return plan.spec.kernel(prep.view, k, ctx)
