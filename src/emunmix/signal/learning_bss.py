"""Blind source separation methods of signals (``s.blind_source_separation()``).

The unmixing runs on decomposition components already stored in
``s.learning_results``; the kernel is :func:`emunmix.learn.bss.separate`.
A failed call leaves the previous results untouched.
"""

from __future__ import annotations

import numpy as np

from .learning_common import (
    as_array,
    axes_record,
    browse_components,
    component_ids,
    export_components,
    factors_signal,
    is_dask,
    loadings_signal,
    model_data,
    model_signal,
    navigation_array_shape,
    plot_components,
    sign_vector,
    signal_array_shape,
)


class BSSMethods:
    """``blind_source_separation`` and the methods reading its results."""

    def blind_source_separation(
        self,
        number_of_components=None,
        algorithm="sklearn_fastica",
        diff_order=1,
        diff_axes=None,
        factors=None,
        comp_list=None,
        mask=None,
        on_loadings=False,
        reverse_component_criterion="factors",
        whiten_method="PCA",
        return_info=False,
        print_info=True,
        random_state=None,
        **kwargs,
    ):
        """Unmix decomposition components into independent sources.

        Run :meth:`decomposition` first. The unmixing matrix is estimated on
        the ``diff_order``-th derivative of the whitened factors (or of the
        loadings with ``on_loadings``) and applied to the components
        themselves; results go to ``s.learning_results`` (``bss_factors``,
        ``bss_loadings``, ``unmixing_matrix``).

        Parameters
        ----------
        number_of_components : int, optional
            Unmix the first n decomposition components; default the
            decomposition's ``output_dimension``.
        algorithm : str or estimator, default "sklearn_fastica"
            "sklearn_fastica", "orthomax", or an object with ``fit`` and
            ``components_`` fitted on the whitened data.
        diff_order : int, default 1
            Times the components are differentiated before the estimation.
        diff_axes : list of int or str, optional
            With ``on_loadings`` (or signals with several signal axes): the
            axes, by name or index within the navigation (signal) axes, to
            differentiate along. Default all.
        factors : signal or array, optional
            Estimate the unmixing on these instead of the decomposition factors
            (array: channels x components; signal: one component per
            navigation index). The unmixing is applied to the decomposition.
        comp_list : list of int, optional
            Which components to unmix, instead of the first n.
        mask : bool array or signal, optional
            True excludes a channel (or a pixel with ``on_loadings``) from the
            estimation.
        on_loadings : bool, default False
            Estimate the unmixing on the loadings.
        reverse_component_criterion : {"factors", "loadings"}
            Flip a component when that array's most negative value outweighs
            its maximum.
        whiten_method : {"PCA", "ZCA"}
        return_info : bool
            Return the kernel's output (``BSSOutput``).
        print_info : bool, default True
            Print a short "Blind source separation info" summary.
        random_state : int, Generator or None
            Makes runs reproducible.
        **kwargs
            Passed to the algorithm (``max_iter``, ``tol``, ``fun``, ...).

        Raises
        ------
        ValueError
            No decomposition yet, more components than it kept, a mask of the
            wrong shape, ``diff_order`` too high for the data.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> s = hs.datasets.CL1()
        >>> s.decomposition(True, print_info=False)
        >>> s.blind_source_separation(4, diff_order=1, print_info=False, random_state=0)
        >>> s.learning_results.bss_factors.shape
        (1024, 4)
        """
        from emunmix.learn.bss.separate import separate

        lr = self.learning_results
        if lr is None or getattr(lr, "n_components", None) is None:
            raise ValueError(
                "blind source separation unmixes decomposition components: run "
                "s.decomposition() first"
            )
        k_available = lr.n_components
        if number_of_components is None and comp_list is None:
            if lr.output_dimension is None or isinstance(lr.output_dimension, str):
                nsig = getattr(lr, "number_significant_components", None)
                hint = f" (the scree plot's elbow suggests {nsig})" if nsig else ""
                raise ValueError(
                    "say how many components to unmix: give number_of_components or "
                    f"comp_list{hint}, or decompose with an output_dimension"
                )
            number_of_components = min(int(lr.output_dimension), k_available)
        if number_of_components is not None and (
                isinstance(number_of_components, (bool, np.bool_))
                or not isinstance(number_of_components, (int, np.integer))):
            raise TypeError(
                f"number_of_components must be an integer, got {number_of_components!r}")
        if number_of_components is not None and number_of_components > k_available:
            raise ValueError(
                f"number_of_components={number_of_components} is more than the "
                f"{k_available} components the decomposition kept; decompose with a larger "
                "output_dimension or unmix fewer components"
            )

        nav_shape = navigation_array_shape(self) or (1,)
        sig_shape = signal_array_shape(self) or (1,)
        F, L = lr.first_components(_components_needed(number_of_components, comp_list,
                                                      k_available))
        estimate_on = None
        if factors is not None:
            if on_loadings:
                raise ValueError("factors= replaces the factors the unmixing is estimated "
                                 "on, so it cannot be combined with on_loadings=True")
            estimate_on = _custom_factors(factors, F.shape)
        if mask is not None:
            mask = np.asarray(as_array(mask))
            space_shape = nav_shape if on_loadings else sig_shape
            if mask.shape != space_shape and mask.shape == space_shape[::-1]:
                mask = mask.T  # natural order (x, y) -> array order
            if is_dask(mask):
                mask = mask.compute()
        axes = _diff_axes(self, diff_axes, on_loadings)
        swap = not on_loadings and len(sig_shape) > 1
        common = dict(coordinates=_coordinates(self, on_loadings),
                      number_of_components=number_of_components, algorithm=algorithm,
                      diff_order=diff_order, comp_list=comp_list, mask=mask,
                      whiten_method=whiten_method, random_state=random_state,
                      explained_variance=getattr(lr, "explained_variance", None), **kwargs)
        if on_loadings:
            out = separate(F, L, on_loadings=True,
                           diff_axes=axes, nav_shape=nav_shape,
                           reverse_component_criterion=reverse_component_criterion,
                           **common)
        elif swap:
            # Images as signals: differentiate the factors along the image axes by
            # treating them as "loadings" over a navigation shape.
            flipped = {"factors": "loadings", "loadings": "factors"}
            out = separate(L, F if estimate_on is None else estimate_on, on_loadings=True,
                           diff_axes=axes, nav_shape=sig_shape,
                           reverse_component_criterion=flipped[reverse_component_criterion],
                           **common)
            out.bss_factors, out.bss_loadings = out.bss_loadings, out.bss_factors
        else:
            out = separate(F if estimate_on is None else estimate_on, L,
                           reverse_component_criterion=reverse_component_criterion,
                           **common)
        if estimate_on is not None:
            # The unmixing was estimated on other factors: apply it to the real ones.
            w = np.asarray(out.unmixing_matrix)
            idx = np.asarray(out.components)
            out.bss_factors = np.asarray(F)[:, idx] @ w.T
        # Everything computed: store (cannot fail from here on).
        lr.bss_factors = out.bss_factors
        lr.bss_loadings = out.bss_loadings
        lr.unmixing_matrix = out.unmixing_matrix
        lr.bss_algorithm = out.algorithm
        lr.on_loadings = bool(on_loadings)
        lr.bss_parameters = dict(out.parameters)
        lr.axes = axes_record(self)
        if print_info:
            print(_bss_info(out, diff_order, reverse_component_criterion, whiten_method))
        if not return_info:
            return None
        # HyperSpy hands out the fitted estimator of an estimator algorithm
        return out if out.estimator is None else out.estimator

    # -- results as signals -------------------------------------------------------
    def _require_bss(self):
        lr = self.learning_results
        if lr is None or getattr(lr, "bss_factors", None) is None:
            raise ValueError(
                "this signal has no BSS results: run s.decomposition() and then "
                "s.blind_source_separation() first"
            )
        return lr

    def get_bss_loadings(self):
        """BSS loadings as a stack of maps (navigation "BSS component index")."""
        lr = self._require_bss()
        return loadings_signal(self, lr.bss_loadings, "bss")

    def get_bss_factors(self):
        """BSS factors as a stack of spectra with the original signal axis."""
        lr = self._require_bss()
        return factors_signal(self, lr.bss_factors, "bss")

    def get_bss_model(self, components=None, chunks="auto", lazy_output=None):
        """The data rebuilt from BSS components (None: all, n: first n, or a list),
        plus the mean of a centred decomposition; ``chunks`` and ``lazy_output`` as
        :meth:`get_decomposition_model`."""
        lr = self._require_bss()
        ids = component_ids(components, lr.bss_factors.shape[1], "components", unique=True)
        a = model_data(self, lr.bss_loadings, lr.bss_factors, ids, getattr(lr, "mean", None),
                       getattr(lr, "centre", None), lazy_output, chunks)
        return model_signal(self, a, "bss", len(ids))

    def plot_bss_loadings(self, comp_ids=None, calibrate=True, same_window=True,
                          title=None, with_factors=False, cmap="gray", no_nans=False,
                          per_row=3, axes_decor="all", comp_label=None, **kwargs):
        """Plot BSS loadings (``comp_ids``: None = all, n = first n, or a list) as
        :meth:`plot_decomposition_loadings` does."""
        lr = self._require_bss()
        return plot_components(
            self, lr.bss_loadings, "bss", "loadings", comp_ids, calibrate=calibrate,
            same_window=same_window, title=title, comp_label=comp_label, cmap=cmap,
            no_nans=no_nans, per_row=per_row, axes_decor=axes_decor,
            with_factors=with_factors, factors=lr.bss_factors, **kwargs)

    def plot_bss_factors(self, comp_ids=None, calibrate=True, same_window=True, title=None,
                         cmap="gray", per_row=3, comp_label=None, **kwargs):
        """Plot BSS factors (``comp_ids``: None = all, n = first n, or a list) as
        :meth:`plot_decomposition_factors` does."""
        lr = self._require_bss()
        return plot_components(
            self, lr.bss_factors, "bss", "factors", comp_ids, calibrate=calibrate,
            same_window=same_window, title=title, comp_label=comp_label, cmap=cmap,
            per_row=per_row, **kwargs)

    def plot_bss_results(self, factors_navigator="smart_auto",
                         loadings_navigator="smart_auto", factors_dim=2, loadings_dim=2):
        """BSS factors and loadings side by side (browsable in Jupyter, a grid headless)."""
        lr = self._require_bss()
        return browse_components(self, lr.bss_factors, lr.bss_loadings, "bss")

    def normalize_bss_components(self, target="factors", function=np.sum):
        """Scale the BSS components so that ``function`` of each factor (or loading) is 1
        (HyperSpy's ``normalize_bss_components``); the other matrix is scaled inversely,
        so the model is unchanged. Masked (NaN) entries are ignored."""
        from .learning_decomposition_results import _normalise

        lr = self._require_bss()
        lr.bss_factors, lr.bss_loadings = _normalise(lr.bss_factors, lr.bss_loadings,
                                                     target, function)

    def reverse_bss_component(self, component_number):
        """Flip the sign of BSS component(s): factor, loading and unmixing row."""
        lr = self._require_bss()
        sign = sign_vector(component_number, lr.bss_factors.shape[1])
        lr.bss_factors = lr.bss_factors * sign.astype(lr.bss_factors.dtype)
        lr.bss_loadings = lr.bss_loadings * sign.astype(lr.bss_loadings.dtype)
        if getattr(lr, "unmixing_matrix", None) is not None:
            lr.unmixing_matrix = lr.unmixing_matrix * sign[:, None]

    def export_bss_results(self, folder=None, format=None, comp_ids=None, calibrate=True,
                           factor_prefix="bss_factor", factor_format="hspy",
                           loading_prefix="bss_loading", loading_format="hspy",
                           comp_label=None, cmap="gray", same_window=False,
                           multiple_files=True, save_figures=False,
                           save_figures_format="png", overwrite=False):
        """Write BSS factors and loadings to ``folder``; see
        :meth:`export_decomposition_results`. Returns the written paths."""
        lr = self._require_bss()
        if format is not None:
            factor_format = loading_format = format
        return export_components(
            self, lr.bss_factors, lr.bss_loadings, "bss", folder, comp_ids, factor_prefix,
            factor_format, loading_prefix, loading_format, multiple_files, overwrite,
            save_figures, save_figures_format,
            plot_kwargs={"calibrate": calibrate, "comp_label": comp_label})


def _components_needed(number_of_components, comp_list, k_available: int) -> int:
    """How many leading decomposition components a BSS selection reads: deferred
    components are computed only if it reaches them. A selection that is not plainly
    valid gets all of them, so that separate() checks it against the true count."""
    if comp_list is not None:
        idx = np.ravel(np.asarray(comp_list))
        ok = idx.dtype.kind in "iu" and idx.size and idx.min() >= 0 and idx.max() < k_available
        return int(idx.max()) + 1 if ok else k_available
    if number_of_components is None or not 1 <= number_of_components <= k_available:
        return k_available
    return int(number_of_components)


def _custom_factors(factors, shape):
    """User-given factors for the estimation as a (channels, K) array."""
    if hasattr(factors, "axes_manager"):
        am = factors.axes_manager
        data = np.asarray(factors.data).reshape(max(am.navigation_size, 1), -1).T
    else:
        data = np.asarray(factors)
    if data.ndim == 2 and data.shape[0] != shape[0] and data.shape[1] == shape[0]:
        raise ValueError(
            f"factors of shape {data.shape} look like a components x channels array; "
            f"give channels x components (factors.T), or a signal with one component "
            "per navigation index")
    if data.ndim != 2 or data.shape[1] < shape[1]:
        raise ValueError(
            f"factors must hold {shape[1]} components (one per navigation index of a "
            f"signal, or as columns of a channels x components array), got shape "
            f"{np.shape(data)}"
        )
    if data.shape[0] != shape[0]:
        # the mask, the derivative's coordinates and the unmixing's reprojection are
        # all over this signal's channels
        raise ValueError(
            f"factors have {data.shape[0]} channels but this signal has {shape[0]}; give "
            f"factors over the same {shape[0]} channels (e.g. the decomposition factors "
            "transformed channel by channel), or crop the signal the same way and "
            "decompose it again"
        )
    return data[:, :shape[1]]  # as HyperSpy, the first components the unmixing uses


def _coordinates(signal, on_loadings):
    """The coordinates of the differentiated axes (the navigation axes with
    ``on_loadings``, else the signal axes; numpy order), so that derivatives are in
    calibrated units, as HyperSpy's."""
    am = signal.axes_manager
    axes = am.navigation_axes if on_loadings else am.signal_axes
    if not axes:  # no navigation axes: one pixel, nothing to differentiate along
        return None
    return [np.asarray(ax.axis, dtype=float) for ax in axes[::-1]]


def _diff_axes(signal, diff_axes, on_loadings):
    """Axis names or indices within the navigation (or signal) axes, natural
    order, as positions in the array-order shape the kernel sees."""
    if diff_axes is None:
        return None
    am = signal.axes_manager
    axes = am.navigation_axes if on_loadings else am.signal_axes
    space = "navigation" if on_loadings else "signal"
    out = []
    for a in np.atleast_1d(diff_axes).tolist():
        if isinstance(a, str):
            names = [ax.name for ax in axes]
            if a not in names:
                raise ValueError(f"diff_axes: no {space} axis named {a!r}; {space} axes "
                                 f"are {names}")
            i = names.index(a)
        else:
            i = int(a)
            if not -len(axes) <= i < len(axes):
                raise ValueError(f"diff_axes entry {a} is out of range: the signal has "
                                 f"{len(axes)} {space} axes")
            i %= len(axes)
        out.append(len(axes) - 1 - i)  # natural order -> array order
    return out


def _bss_info(out, diff_order, criterion, whiten_method) -> str:
    return "\n".join([
        "Blind source separation info:",
        f"  number_of_components={len(out.components)}",
        f"  algorithm={out.algorithm}",
        f"  diff_order={diff_order}",
        f"  reverse_component_criterion={criterion}",
        f"  whiten_method={whiten_method}",
    ])
