"""The decomposition pipeline on a (pixels, channels) array.

``decompose`` validates everything first (so that a failure changes nothing), then
builds a :class:`~emunmix.learn.matrix_view.MatrixView` of the unmasked, centred and
Poisson-scaled data (no copy), runs the algorithm, undoes the scaling, fills masked
rows and columns (NaN, or by projection with ``reproject``) and fixes the signs.
The signal layer folds the arrays back to its axes and stores them.

The model is ``X ~ loadings @ factors.T (+ mean)``, in data units:
``mean`` is a spectrum (channels,) for ``centre="navigation"`` and an image
(pixels,) for ``centre="signal"``. The result type, :class:`DecompositionOutput`,
lives in :mod:`emunmix.learn.decomposition.output`.
"""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from emunmix.learn.decomposition.elbow import auto_output_dimension
from emunmix.learn.decomposition.finish import (
    DeferredComponents,
    full_matrix,
    full_rows,
    full_vector,
    to_data_units,
)
from emunmix.learn.decomposition.kernels import (
    CENTRED_BY_DEFAULT,
    DECOMPOSITION,
    NEEDS_NON_NEGATIVE,
    NON_NEGATIVE,
    KernelOutput,
    estimator_kernel,
    is_estimator,
)
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.poisson import weights_from_sums
from emunmix.learn.decomposition.reproject import reproject_channels, reproject_pixels
from emunmix.learn.linalg.matrix_view import MatrixView
from emunmix.learn.linalg.svd import svd, svd_flip_loadings
from emunmix.learn.nmf.core import scale_factors
from emunmix.learn.validation import (
    check_2d,
    check_mask,
    check_output_dimension,
    working_dtype,
)

CENTRES = (None, "navigation", "signal")
REPROJECTIONS = (None, "navigation", "signal", "both")


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
    **kwargs,
) -> DecompositionOutput:
    """Decompose a (pixels, channels) matrix: ``X ~ loadings @ factors.T``.

    Parameters
    ----------
    X : array_like or dask array, shape (pixels, channels)
        Any real numeric dtype (integer counts included). Never modified.
    algorithm : str or estimator, default "SVD"
        A name from :data:`~emunmix.learn.algorithms.DECOMPOSITION` ("SVD", "PCA"/
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
    svd_solver : {"auto", "gram", "full", "randomized", "arpack"}
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
        Complex data or unexpected keyword arguments.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.poisson(rng.uniform(1, 9, (500, 3)) @ rng.uniform(0, 9, (3, 64)))
    >>> out = decompose(X, normalize_poissonian_noise=True, output_dimension=3)
    >>> out.factors.shape, out.loadings.shape, out.algorithm
    ((64, 3), (500, 3), 'SVD')
    """
    # ---------------------------------------------------------------- validate
    if isinstance(algorithm, str):
        kernel = DECOMPOSITION.get(algorithm)
        name = DECOMPOSITION.canonical(algorithm)
    elif is_estimator(algorithm):
        kernel, name = None, type(algorithm).__name__
    else:
        raise ValueError(
            f"algorithm must be a name ({', '.join(DECOMPOSITION.names())}) or an object "
            f"with fit/transform and components_, got {algorithm!r}"
        )
    check_2d(X)
    working_dtype(X.dtype)  # TypeError for complex / non-numeric data
    m_all, n_all = (int(s) for s in X.shape)
    nav = check_mask(navigation_mask, m_all, "navigation_mask", navigation_shape)
    sig = check_mask(signal_mask, n_all, "signal_mask")
    rows = None if nav is None else np.flatnonzero(~nav)
    cols = None if sig is None else np.flatnonzero(~sig)
    m = m_all if rows is None else rows.size
    n = n_all if cols is None else cols.size
    k_req = check_output_dimension(output_dimension, (m, n))
    if centre not in CENTRES:
        raise ValueError(f"centre must be one of {CENTRES}, got {centre!r}")
    if centre is None and kernel is not None:
        centre = CENTRED_BY_DEFAULT.get(name)
    if reproject not in REPROJECTIONS:
        raise ValueError(f"reproject must be one of {REPROJECTIONS}, got {reproject!r}")
    if name in NEEDS_NON_NEGATIVE and centre is not None:
        raise ValueError(f"{name} needs uncentred data: use centre=None")
    if name == "MLPCA" and normalize_poissonian_noise:
        warnings.warn(
            "MLPCA models the noise through var_array/var_func; "
            "normalize_poissonian_noise is ignored",
            stacklevel=2,
        )
        normalize_poissonian_noise = False
    if var_array is not None:
        var_array = np.asarray(var_array)
        if var_array.shape != (m_all, n_all):
            raise ValueError(
                f"var_array has shape {var_array.shape}, the data need shape {(m_all, n_all)}"
            )
        var_array = var_array[rows] if rows is not None else var_array
        var_array = var_array[:, cols] if cols is not None else var_array
    if var_array is not None or var_func is not None:
        if name != "MLPCA":
            raise ValueError("var_array/var_func are only used by the MLPCA algorithm")
        kwargs.update(var_array=var_array, var_func=var_func)

    raw = MatrixView(X, rows=rows, cols=cols)
    stats = raw.stats()
    if stats.n_non_finite:
        raise ValueError(
            f"the data contain {stats.n_non_finite} NaN/inf values (out of {m * n} "
            "unmasked); use navigation_mask/signal_mask to exclude them or replace them "
            "(e.g. s.data = np.nan_to_num(s.data))"
        )
    if stats.n_negative and (normalize_poissonian_noise or name in NEEDS_NON_NEGATIVE):
        what = "Poisson noise normalisation" if normalize_poissonian_noise else name
        raise ValueError(
            f"{what} needs non-negative data, but the data contain {stats.n_negative} "
            "negative values. Remove the offset that made them negative (e.g. "
            "s.data -= s.data.min()), clip them (s.data = np.clip(s.data, 0, None)) or "
            "exclude them with navigation_mask/signal_mask"
        )

    # ---------------------------------------------------------------- prepare
    weights = None
    if normalize_poissonian_noise:
        weights = weights_from_sums(stats.row_sums, stats.col_sums)
    row_mean = col_mean = None
    if centre == "navigation":
        col_mean = stats.col_sums / m
    elif centre == "signal":
        row_mean = stats.row_sums / n
    view = raw.with_transform(
        row_scale=None if weights is None else weights.root_aG,
        col_scale=None if weights is None else weights.root_bH,
        row_mean=row_mean,
        col_mean=col_mean,
    )

    info: dict = {}
    auto_method = None
    k = k_req
    if k_req == "auto":
        full = svd(view, None, svd_solver="gram" if min(m, n) <= 4096 else "auto",
                   auto_transpose=auto_transpose, random_state=random_state, n_eager=0)
        S = full.singular_values
        ratio = S**2 / np.sum(S**2) if np.sum(S**2) > 0 else np.zeros_like(S)
        k, auto_method = auto_output_dimension(
            ratio, S, (m, n), poisson_normalised=normalize_poissonian_noise
        )
        k = int(min(max(k, 1), min(m, n)))
        info["auto_explained_variance_ratio"] = ratio
        if full.pending is not None:
            full.factors, full.loadings = full.pending(k)

    # ---------------------------------------------------------------- run
    # deferral: only when all components are asked for and no reprojection needs them
    defer = (eager_components is not None and output_dimension is None
             and (reproject is None or (rows is None and cols is None)))
    common = dict(svd_solver=svd_solver, auto_transpose=auto_transpose,
                  random_state=random_state, navigation_shape=navigation_shape,
                  n_eager=int(eager_components) if defer else None)
    if kernel is None:
        out = estimator_kernel(algorithm, view, k, **kwargs)
    elif k_req == "auto" and name in ("SVD", "PCA") and not kwargs:
        ddof = 1 if name == "PCA" else 0
        out = KernelOutput(
            full.factors[:, :k], full.loadings[:, :k],
            full.singular_values[:k] ** 2 / max(m - ddof, 1),
            info={"svd_solver": full.solver, "singular_values": full.singular_values[:k]},
        )
    else:
        out = kernel(view, k, **common, **kwargs)
    info.update(out.info)
    factors, loadings = to_data_units(out.factors, out.loadings, weights, view.dtype)
    kernel_mean = out.mean
    if kernel_mean is not None and weights is not None:
        warnings.warn(
            f"{name} removed a mean from the Poisson-normalised data; the model "
            "loadings @ factors.T does not include it",
            stacklevel=2,
        )
        kernel_mean = None
    if name in NON_NEGATIVE:
        how = kwargs.get("normalise_factors", "max")
        factors, loadings = scale_factors(factors, loadings, how)
        factors, loadings = factors.astype(view.dtype), loadings.astype(view.dtype)
    sparse = out.sparse
    if sparse is not None and weights is not None:
        for s in range(0, sparse.shape[0], 4096):
            sparse[s : s + 4096] *= weights.root_aG[s : s + 4096, None].astype(sparse.dtype)
        sparse *= weights.root_bH.astype(sparse.dtype)

    # ---------------------------------------------------------------- masks
    mean = None
    if centre == "navigation":
        mean = full_vector(col_mean, cols, n_all)
    elif centre == "signal":
        mean = full_vector(row_mean, rows, m_all)
    elif kernel_mean is not None:
        centre = "navigation"
        mean = full_vector(kernel_mean, cols, n_all)
    F = full_rows(factors, cols, n_all)
    L = full_rows(loadings, rows, m_all)
    nonneg = name in NON_NEGATIVE
    if reproject in ("navigation", "both") and rows is not None:
        reproject_pixels(X, nav, cols, factors, weights, mean, centre, nonneg, L)
    if reproject in ("signal", "both") and cols is not None:
        reproject_channels(X, sig, rows, loadings, weights, mean, centre, nonneg, F)
    if sparse is not None and (rows is not None or cols is not None):
        sparse = full_matrix(sparse, rows, cols, m_all, n_all)
    if not nonneg:
        svd_flip_loadings(F, L)
    pending = None
    if out.pending is not None:
        pending = DeferredComponents(out.pending, raw, stats, weights, view.dtype,
                                     (m_all, n_all), len(out.explained_variance) - F.shape[1])

    ev = out.explained_variance
    ratio = None
    if ev is not None:
        ev = np.asarray(ev, dtype=np.float64)
        total = float(ev.sum())
        ratio = ev / total if total > 0 else np.zeros_like(ev)
    nsc = None
    if ratio is not None and ratio.size >= 3:
        ddof = 1 if name == "PCA" else 0
        S = np.sqrt(ev * max(m - ddof, 1))
        total = None
        if normalize_poissonian_noise and S.size < min(m, n):
            total = view.sum_of_squares()
        nsc, _ = auto_output_dimension(
            ratio, S if kernel is not None else None, (m, n), total,
            poisson_normalised=normalize_poissonian_noise,
        )
    params = {
        "algorithm": name,
        "output_dimension": output_dimension,
        "normalize_poissonian_noise": bool(normalize_poissonian_noise),
        "centre": centre,
        "svd_solver": svd_solver,
        "auto_transpose": bool(auto_transpose),
        "reproject": reproject,
        "random_state": random_state if isinstance(random_state, numbers.Integral) else None,
        **{key: val for key, val in kwargs.items() if key not in ("var_array", "var_func")},
    }
    return DecompositionOutput(
        factors=F,
        loadings=L,
        explained_variance=ev,
        explained_variance_ratio=ratio,
        mean=mean,
        centre=centre,
        algorithm=name,
        parameters=params,
        output_dimension=int(F.shape[1]) + (0 if pending is None else pending.n_remaining),
        auto_dimension_method=auto_method,
        number_significant_components=nsc,
        poissonian_noise_normalized=bool(normalize_poissonian_noise),
        navigation_mask=nav,
        signal_mask=sig,
        sparse=sparse,
        info=info,
        pending=pending,
    )
