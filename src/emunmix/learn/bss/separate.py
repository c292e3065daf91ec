"""Blind source separation of decomposition components (array kernel).

The pipeline follows HyperSpy's ``blind_source_separation``: select
components, differentiate them (the derivative of peaky spectra is sparser,
hence "more independent"), whiten, estimate an unmixing matrix with a
registered algorithm, then apply that matrix to the undifferentiated factors
and loadings so that the product ``factors @ loadings.T`` is unchanged. The
helpers of the steps live in :mod:`emunmix.learn.bss.steps`.
"""

from __future__ import annotations

import inspect
import warnings
from dataclasses import dataclass, field

import numpy as np

from emunmix.learn.bss.ica import UnmixingResult, estimator_unmixing
from emunmix.learn.bss.steps import (
    _check_coordinates,
    _check_diff_length,
    _check_mask,
    _differentiate,
    _eager,
    _estimate_explained_variance,
    _ground_onsets,
    _select_components,
    _smooth,
)
from emunmix.learn.bss.whiten import whiten
from emunmix.learn.registry import BSS
from emunmix.validation import check_choice, check_index

__all__ = ["BSS", "BSSOutput", "separate"]


_CRITERIA = ("factors", "loadings")


@dataclass
class BSSOutput:
    """Result of :func:`separate`.

    Attributes
    ----------
    unmixing_matrix : ndarray, shape (k, k)
        ``w`` with ``bss_factors = factors @ w.T`` and
        ``bss_loadings = loadings @ inv(w)`` (roles swapped when ``on_loadings``),
        for the selected components, after sorting and sign fixing.
    bss_factors : ndarray, shape (channels, k)
    bss_loadings : ndarray or dask array, shape (pixels, k)
    algorithm : str
        Canonical algorithm name, or the estimator's class name.
    parameters : dict
        The arguments of the call (for results summaries and saving).
    components : ndarray of int
        Indices of the decomposition components that were unmixed.
    converged : bool or None
        Whether the algorithm met its tolerance (None: not reported).
    n_iter : int or None
        Iterations run (None: not reported).
    estimator : object or None
        The fitted estimator, when ``algorithm`` was one (``return_info`` hands it out).
    """

    unmixing_matrix: np.ndarray
    bss_factors: np.ndarray
    bss_loadings: np.ndarray
    algorithm: str
    parameters: dict = field(default_factory=dict)
    components: np.ndarray | None = None
    converged: bool | None = None
    n_iter: int | None = None
    estimator: object = None


def separate(
    factors,
    loadings,
    number_of_components=None,
    algorithm="sklearn_fastica",
    diff_order: int = 1,
    diff_axes=None,
    comp_list=None,
    mask=None,
    on_loadings: bool = False,
    reverse_component_criterion: str = "factors",
    whiten_method: str = "PCA",
    random_state=None,
    nav_shape=None,
    smooth=None,
    *,
    ground: bool = False,
    explained_variance=None,
    coordinates=None,
    **kwargs,
) -> BSSOutput:
    """Unmix decomposition components by blind source separation.

    Parameters
    ----------
    factors : array_like, shape (channels, K)
        Decomposition factors (spectra in columns).
    loadings : array_like or dask array, shape (pixels, K)
        Decomposition loadings (maps in columns). Stays lazy when it is a
        dask array, ``on_loadings`` is False and the sign criterion is "factors".
    number_of_components : int, optional
        Unmix the first ``n`` components; default all ``K`` (or ``len(comp_list)``).
    algorithm : str or estimator, default "sklearn_fastica"
        A name from ``BSS.names()`` ("sklearn_fastica" alias "fastica",
        "orthomax") or an object with ``fit`` and ``components_`` that is
        fitted on the whitened data.
    diff_order : int, default 1
        How many times :func:`numpy.gradient` is applied before the unmixing is
        estimated (0: none).
    diff_axes : sequence of int, optional
        With ``on_loadings``: the axes of ``nav_shape`` (numpy order) to
        differentiate along; the derivatives are stacked. Default all.
    comp_list : sequence of int or bool, optional
        Which components to unmix, instead of the first ``number_of_components``.
    mask : bool array, optional
        True excludes a channel (shape ``(channels,)``) or, with ``on_loadings``,
        a pixel (shape ``nav_shape`` or ``(pixels,)``) from the estimation of
        the unmixing matrix. The unmixing is still applied to all of them.
        With ``diff_order``, the neighbours whose derivative reads an excluded entry
        are excluded too (HyperSpy's dilation of the mask).
    on_loadings : bool, default False
        Estimate the unmixing on the loadings instead of the factors.
    reverse_component_criterion : {"factors", "loadings"}, default "factors"
        A component is sign-flipped when the minimum of that array's column is
        negative and larger in magnitude than its maximum.
    whiten_method : {"PCA", "ZCA"} or None, default "PCA"
        See :func:`emunmix.learn.bss.whiten`; None estimates the unmixing on the
        (differentiated) components as they are, as HyperSpy does: FastICA then
        whitens them itself (its ``whiten="unit-variance"``). With a whitening method,
        a ``whiten`` keyword is ignored with a warning, as in HyperSpy.
    random_state : int, RandomState or None
        Passed to the algorithm; the same seed gives identical output.
    nav_shape : tuple of int, optional
        Navigation shape of the loadings (numpy order), used with
        ``on_loadings``; default ``(pixels,)``.
    smooth : float, optional
        Gaussian smoothing (sigma in channels, or pixels with ``on_loadings``)
        of the components before differentiation, which keeps noise from
        dominating high-order derivatives. Only the estimation of the
        unmixing matrix sees it; the outputs are not smoothed.
    ground : bool, default False
        Core-loss EELS prior, not in HyperSpy: each unmixed spectrum is zero
        below its onset (its first feature in channel order). After the
        unmixing, the channels before each component's onset are fitted with
        the other components and that leakage is removed (factors and
        loadings are transformed together, so the reconstruction identity
        holds). This fixes what derivative-based ICA cannot see: the leakage
        of smooth components (the background) into the edges, whose
        derivative is tiny but whose amplitude is large. Do not use it for
        spectra whose components do not start from zero (e.g. low loss).
    explained_variance : array_like, shape (K,), optional
        Variance explained by each decomposition component, used (as in
        HyperSpy) to sort the BSS components; estimated from the factor and
        loading norms when omitted.
    coordinates : sequence of 1-D arrays, optional
        The coordinates of each axis of the differentiated space (the channels; with
        ``on_loadings`` the axes of ``nav_shape``, numpy order), used as the spacing of
        :func:`numpy.gradient`: the derivatives are then in calibrated units, as
        HyperSpy's (``Signal.derivative``), and the unmixing matrix, the BSS factors
        and loadings have HyperSpy's scale (factors smaller, loadings larger by
        ``scale**diff_order`` than with unit spacing). Default: unit spacing.
    **kwargs
        Passed to the algorithm (e.g. ``max_iter``, ``tol``, ``fun="exp"`` for
        FastICA, ``gamma`` for orthomax).

    Returns
    -------
    BSSOutput

    Raises
    ------
    ValueError
        Too many or fewer than two components, a mask of the wrong shape or
        dtype, ``diff_order`` too high for the data length or negative, an
        unknown algorithm, whitening method or sign criterion.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> spectra = np.abs(rng.laplace(size=(3, 400)))   # sparse non-negative sources
    >>> maps = rng.random((100, 3))
    >>> M = np.linalg.qr(rng.normal(size=(3, 3)))[0]    # an unknown rotation
    >>> out = separate(spectra.T @ M, maps @ np.linalg.inv(M).T, 3, diff_order=0,
    ...                random_state=0)
    >>> np.allclose(out.bss_factors @ out.bss_loadings.T, spectra.T @ maps.T)
    True
    """
    F_all, loadings = _check_components(factors, loadings)
    check_choice(reverse_component_criterion, _CRITERIA, "reverse_component_criterion")
    if int(diff_order) != diff_order or diff_order < 0:
        raise ValueError(f"diff_order must be a non-negative integer, got {diff_order!r}")
    diff_order = int(diff_order)
    spec, algorithm_name = _resolve(algorithm, kwargs)
    idx = _select_components(F_all.shape[1], number_of_components, comp_list)
    F = F_all[:, idx].astype(float, copy=False)
    L = loadings[:, idx]
    if on_loadings:
        data = _loadings_data(L, nav_shape, diff_axes, diff_order, mask, smooth, coordinates)
    else:
        data = _factors_data(F, diff_order, mask, smooth, coordinates)
    space = ("pixels", L.shape[0]) if on_loadings else ("channels", F.shape[0])
    result, w = _unmix(data, len(idx), spec, algorithm, random_state, whiten_method, kwargs,
                       space)
    if ground:
        w = _grounded(F, w, mask, on_loadings, smooth)
    w, bss_factors, bss_loadings = _apply(F, L, w, idx, explained_variance, on_loadings,
                                          reverse_component_criterion)
    parameters = {
        "number_of_components": len(idx),
        "comp_list": None if comp_list is None else idx.tolist(),
        "diff_order": diff_order,
        "diff_axes": None if diff_axes is None else list(np.atleast_1d(diff_axes).tolist()),
        "mask": None if mask is None else np.asarray(mask).copy(),
        "on_loadings": bool(on_loadings),
        "reverse_component_criterion": reverse_component_criterion,
        "whiten_method": whiten_method,
        "random_state": random_state if random_state is None or isinstance(random_state, int)
        else repr(random_state),
        "smooth": smooth,
        "ground": bool(ground),
        **kwargs,
    }
    return BSSOutput(
        unmixing_matrix=w,
        bss_factors=bss_factors,
        bss_loadings=bss_loadings,
        algorithm=algorithm_name,
        parameters=parameters,
        components=idx,
        converged=result.converged,
        n_iter=result.n_iter,
        estimator=result.estimator,
    )


def _check_components(factors, loadings):
    F_all = np.asarray(factors)
    if F_all.ndim != 2:
        raise ValueError(f"factors must be 2-D (channels x components), got shape {F_all.shape}")
    if not hasattr(loadings, "compute"):
        loadings = np.asarray(loadings)
    if loadings.ndim != 2:
        raise ValueError(
            f"loadings must be 2-D (pixels x components), got shape {loadings.shape}"
        )
    if loadings.shape[1] != F_all.shape[1]:
        raise ValueError(
            f"factors have {F_all.shape[1]} components but loadings have {loadings.shape[1]}."
        )
    return F_all, loadings


def _resolve(algorithm, kwargs):
    """``(spec, name)``: a registered algorithm (spec) or an estimator (spec None)."""
    if isinstance(algorithm, str):
        spec = BSS.spec(algorithm)
        spec.check_options(kwargs)
        return spec, spec.name
    if kwargs:
        raise TypeError(
            "Keyword arguments are for named algorithms; set "
            f"{sorted(kwargs)} on the estimator object instead."
        )
    return None, type(algorithm).__name__


def _loadings_data(L, nav_shape, diff_axes, diff_order, mask, smooth, coordinates=None):
    """The (differentiated, masked) loadings the unmixing is estimated on."""
    n_pixels, k = L.shape
    if nav_shape is None:
        nav_shape = (n_pixels,)
    nav_shape = tuple(int(n) for n in np.atleast_1d(nav_shape))
    if int(np.prod(nav_shape)) != n_pixels:
        raise ValueError(
            f"nav_shape {nav_shape} has {int(np.prod(nav_shape))} pixels but loadings "
            f"have {n_pixels} rows."
        )
    ndim = len(nav_shape)
    if diff_axes is None:
        axes = list(range(ndim))
    else:
        axes = [check_index(ax, ndim, "diff_axes entry", f"navigation shape {nav_shape}")
                for ax in np.atleast_1d(diff_axes)]
    excluded = None
    if mask is not None:
        excluded = _check_mask(mask, nav_shape, "navigation space").reshape(nav_shape)
    coords = _check_coordinates(coordinates, nav_shape)
    cube = _eager(L).astype(float).reshape(*nav_shape, k)
    cube = _smooth(cube, smooth, range(ndim))
    if diff_order == 0:
        parts = [cube.reshape(n_pixels, k)]
        keeps = [None if excluded is None else ~excluded.ravel()]
    else:
        parts, keeps = [], []
        for ax in axes:
            _check_diff_length(nav_shape[ax], diff_order, f"navigation axis {ax}")
            parts.append(_differentiate(cube, diff_order, ax, coords[ax]).reshape(n_pixels, k))
            keeps.append(None if excluded is None else
                         ~_dilated(excluded, diff_order, ax, coords[ax]).ravel())
    parts = [p if keep is None else p[keep] for p, keep in zip(parts, keeps)]
    return np.concatenate(parts, axis=0)


def _dilated(excluded, diff_order, axis, coordinates):
    """The excluded entries and those whose derivative reads them (HyperSpy's mask
    dilation: the gradient of a mask with NaN where excluded), along ``axis``."""
    nan_mask = np.where(excluded, np.nan, 0.0)
    return excluded | np.isnan(_differentiate(nan_mask, diff_order, axis, coordinates))


def _factors_data(F, diff_order, mask, smooth, coordinates=None):
    """The (differentiated, masked) factors the unmixing is estimated on."""
    _check_diff_length(F.shape[0], diff_order, "signal axis")
    coords = _check_coordinates(coordinates, (F.shape[0],))
    data = _differentiate(_smooth(F, smooth, [0]), diff_order, 0, coords[0])
    if mask is not None:
        excluded = _check_mask(mask, (F.shape[0],), "signal axis")
        if diff_order:
            excluded = _dilated(excluded, diff_order, 0, coords[0])
        data = data[~excluded]
    return data


def _too_few_samples(n_usable, k, space, n_masked, n_nonfinite) -> str:
    """Why fewer samples than components remain, naming only the causes that apply."""
    name, n = space
    causes = []
    if n_masked:
        causes.append(f"{n_masked} excluded by the mask")
    if n_nonfinite:
        causes.append(f"{n_nonfinite} NaN or inf, e.g. masked in the "
                      "decomposition")
    why = f" ({', '.join(causes)})" if causes else ""
    fix = "unmask more of the data or unmix fewer components" if n_masked or n_nonfinite \
        else f"unmix at most {max(n_usable - 1, 0)} components"
    return (f"only {n_usable} of the {n} {name}{why} are usable to unmix {k} components, "
            f"which needs more than {k}; {fix}")


def _unmix(data, k, spec, algorithm, random_state, whiten_method, kwargs, space):
    """Whiten the estimation data and run the algorithm: ``(result, w)``."""
    # NaN rows (e.g. masked channels of a decomposition) carry no information.
    finite = np.all(np.isfinite(data), axis=1)
    n_masked, n_nonfinite = space[1] - data.shape[0], int((~finite).sum())
    data = data[finite]
    if data.shape[0] <= k:
        raise ValueError(_too_few_samples(data.shape[0], k, space, n_masked, n_nonfinite))
    if whiten_method is None:  # HyperSpy's whiten_method=None: the data as they are
        X, W = data, np.eye(k)
        if spec is not None and "whiten" in inspect.signature(spec.kernel).parameters:
            # ... and an algorithm that can whiten does it itself (FastICA's default)
            kwargs = {"whiten": "unit-variance", **kwargs}
    else:
        if kwargs.get("whiten"):
            warnings.warn(
                f"The data are whitened already (whiten_method={whiten_method!r}), so "
                f"whiten={kwargs['whiten']!r} is ignored; pass whiten_method=None to let "
                "the algorithm whiten them itself.", UserWarning, stacklevel=4)
        kwargs = {key: v for key, v in kwargs.items() if key != "whiten"}
        X, W = whiten(data, method=whiten_method)
    if spec is None:
        result = estimator_unmixing(algorithm, X, random_state=random_state)
    else:
        result = spec.kernel(X, random_state=random_state, **kwargs)
    if not isinstance(result, UnmixingResult):  # a plain function registered by a user
        result = UnmixingResult(np.asarray(result))
    return result, result.unmixing @ W


def _grounded(F, w, mask, on_loadings, smooth):
    """``w`` with the core-loss "ground" prior applied (see :func:`separate`)."""
    excluded = np.zeros(F.shape[0], bool)
    if mask is not None and not on_loadings:
        excluded = _check_mask(mask, (F.shape[0],), "signal axis")
    spectra = F @ np.linalg.inv(w) if on_loadings else F @ w.T
    sigma = max(float(smooth or 0.0), 2.0)
    T = _ground_onsets(spectra, excluded, sigma, margin=int(np.ceil(2 * sigma)))
    # bss_factors -> bss_factors @ T, with w changed to match.
    return np.linalg.solve(T, w) if on_loadings else T.T @ w


def _apply(F, L, w, idx, explained_variance, on_loadings, criterion):
    """Sort (as HyperSpy: by the explained variance carried through ``|w|``), apply the
    unmixing to the components and fix the signs: ``(w, bss_factors, bss_loadings)``."""
    if explained_variance is None:
        ev = _estimate_explained_variance(F, L)
    else:
        ev = np.asarray(explained_variance, dtype=float)[idx]
    order = np.argsort(-(ev @ np.abs(w.T)), kind="stable")
    w = w[order]
    w_inv = np.linalg.inv(w)
    if on_loadings:
        bss_loadings = L @ w.T
        bss_factors = F @ w_inv
    else:
        bss_factors = F @ w.T
        bss_loadings = L @ w_inv
    values = bss_factors if criterion == "factors" else bss_loadings
    mins = _eager(np.nanmin(values, axis=0))
    maxs = _eager(np.nanmax(values, axis=0))
    signs = np.where((mins < 0) & (-mins > maxs), -1.0, 1.0)
    return w * signs[:, None], bss_factors * signs, bss_loadings * signs
