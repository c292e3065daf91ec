"""Methods reading, plotting, exporting and editing decomposition results.

The scree plot and elbow, the factors, loadings and models as signals, the
component plots and browsers, export to files, and sign flips, normalisation
and cropping of ``s.learning_results``. They are the base of
:class:`~emunmix.signal.learning_decomposition.DecompositionMethods`, which
adds ``s.decomposition()`` itself.
"""

from __future__ import annotations

import numpy as np

from .learning_common import (
    as_array,
    browse_components,
    component_ids,
    export_components,
    factors_signal,
    is_dask,
    loadings_signal,
    model_data,
    model_signal,
    plot_components,
    sign_vector,
)
from .protocol import signal_class


class DecompositionResultsMethods:
    """The methods reading a decomposition's results (HyperSpy names)."""

    # -- scree ------------------------------------------------------------------
    def get_scree_plot_data(self):
        """The scree data as a Signal1D (HyperSpy 2.5's name).

        The explained variance ratio (a centred decomposition, PCA) or the proportion of
        the total variation (the squared singular values, uncentred SVD), by component
        index; ``.isig[:20]`` keeps the first 20.

        Raises
        ------
        ValueError
            Before a decomposition, or for algorithms without explained variance.
        """
        lr = self._require_decomposition()
        ratio = getattr(lr, "explained_variance_ratio", None)
        if ratio is None:
            raise ValueError(
                "these learning results have no explained_variance_ratio (the "
                f"{lr.decomposition_algorithm!r} decomposition does not order components "
                "by variance); run s.decomposition() with SVD or PCA for a scree plot"
            )
        title = self.metadata.get_item("General.title", "")
        algorithm = lr.decomposition_algorithm or "Decomposition"
        label = "Principal component index" if lr.centre is not None else "Component index"
        axis = {"name": label, "units": "", "scale": 1.0, "offset": 0.0,
                "size": len(ratio), "navigate": False}
        return signal_class()(np.asarray(ratio).copy(), axes=[axis],
                              metadata={"General": {"title": f"{title}\n{algorithm} Scree Plot"}})

    def get_explained_variance_ratio(self):
        """Deprecated in HyperSpy 2.5 (and here, with the same warning): use
        :meth:`get_scree_plot_data`, which it returns."""
        import warnings

        from emunmix.exceptions import VisibleDeprecationWarning

        warnings.warn("get_explained_variance_ratio is deprecated since HyperSpy 2.5: use "
                      "get_scree_plot_data() (the same signal)", VisibleDeprecationWarning,
                      stacklevel=2)
        return self.get_scree_plot_data()

    def plot_explained_variance_ratio(self, n=30, log=True, threshold=0, hline="auto",
                                      vline=False, xaxis_type="index", xaxis_labeling=None,
                                      signal_fmt=None, noise_fmt=None, fig=None, ax=None,
                                      **kwargs):
        """Scree plot of the explained variance ratio; returns the matplotlib Axes.

        Components above the estimated elbow (``estimated_number_of_components``)
        are drawn as signal, the rest as noise. ``threshold`` (float: a ratio;
        int: a number of components) overrides that split. Same as
        :meth:`plot_scree_plot`.
        """
        from emunmix.plot import plot_scree
        from emunmix.validation import check_count

        lr = self._require_decomposition()
        check_count(n, "n (the number of components plotted)", 1)
        self.get_scree_plot_data()  # raises the helpful error when missing
        # By default the components above the elbow are drawn as signal; an
        # explicit threshold takes over.
        n_sig = (getattr(lr, "estimated_number_of_components", None)
                 or getattr(lr, "number_significant_components", None)) if not threshold \
            else None
        return plot_scree(
            self.get_scree_plot_data(), n=n, log=log, threshold=threshold,
            hline=hline, vline=vline, xaxis_type=xaxis_type, xaxis_labeling=xaxis_labeling,
            signal_fmt=signal_fmt, noise_fmt=noise_fmt, n_significant=n_sig, fig=fig,
            ax=ax, **kwargs)

    def plot_scree_plot(self, n=30, log=True, threshold=0, hline="auto", vline=False,
                        xaxis_type="index", xaxis_labeling=None, signal_fmt=None,
                        noise_fmt=None, fig=None, ax=None, **kwargs):
        """HyperSpy 2's name for :meth:`plot_explained_variance_ratio`."""
        return self.plot_explained_variance_ratio(
            n=n, log=log, threshold=threshold, hline=hline, vline=vline,
            xaxis_type=xaxis_type, xaxis_labeling=xaxis_labeling, signal_fmt=signal_fmt,
            noise_fmt=noise_fmt, fig=fig, ax=ax, **kwargs)

    def plot_cumulative_explained_variance_ratio(self, n=50):
        """Plot the cumulative explained variance ratio of the first ``n`` components."""
        from emunmix.plot import plot_cumulative_explained_variance_ratio
        from emunmix.validation import check_count

        lr = self._require_decomposition()
        check_count(n, "n (the number of components plotted)", 1)
        self.get_scree_plot_data()
        return plot_cumulative_explained_variance_ratio(
            np.asarray(lr.explained_variance_ratio), n=n)

    def estimate_elbow_position(self, explained_variance_ratio=None, log=True,
                                max_points=20):
        """Index of the scree plot's elbow (HyperSpy's rule).

        The point of ``log(ratio)`` farthest from the line joining points 0 and
        ``max_points``; the number of significant components is this plus one.
        """
        from emunmix.learn.decomposition.elbow import estimate_elbow_position

        if explained_variance_ratio is None:
            lr = self._require_decomposition()
            explained_variance_ratio = lr.explained_variance_ratio
            if explained_variance_ratio is None:
                self.get_scree_plot_data()  # raises
        return estimate_elbow_position(as_array(explained_variance_ratio), log=log,
                                       max_points=max_points)

    # -- components as signals ----------------------------------------------
    def get_decomposition_loadings(self):
        """Loadings as a stack of maps: Signal2D for 2-D scans, Signal1D for line scans.

        Navigation axis "Decomposition component index"; signal axes are the
        original navigation axes with their calibration.
        """
        lr = self._require_decomposition()
        return loadings_signal(self, lr.loadings, "decomposition")

    def get_decomposition_factors(self):
        """Factors as a stack of spectra with the original signal axis."""
        lr = self._require_decomposition()
        return factors_signal(self, lr.factors, "decomposition")

    def get_decomposition_model(self, components=None, chunks="auto", lazy_output=None):
        """The data rebuilt from some components: a denoised signal like ``s``.

        Parameters
        ----------
        components : None, int or list of int
            None: all; n: the first n; a list: those components. The mean
            removed by a centred decomposition is added back.
        chunks : "auto" or tuple
            Chunks of a lazy model (its navigation part counts): "auto" follows a lazy
            signal's data.
        lazy_output : bool, optional
            A lazy (dask) model; default: lazy when the signal is.
        """
        lr = self._require_decomposition()
        ids = component_ids(components, lr.n_components, "components", unique=True)
        F, L = lr.first_components(max(ids) + 1 if ids else 0)
        a = model_data(self, L, F, ids, getattr(lr, "mean", None), getattr(lr, "centre", None),
                       lazy_output, chunks)
        return model_signal(self, a, "decomposition", len(ids))

    # -- plots ----------------------------------------------------------------
    def _selected_components(self, comp_ids, plotting=True):
        """The selected component indices and the factors and loadings up to the last
        of them (deferred components are computed only if the selection reaches them).
        For a plot, a full SVD with ``comp_ids=None`` asks the user to choose."""
        lr = self._require_decomposition()
        if plotting and comp_ids is None and lr.output_dimension is None \
                and lr.n_components > 30:
            raise ValueError(
                f"the decomposition has {lr.n_components} components: say which to plot "
                "with comp_ids (e.g. comp_ids=4 for the first four), or decompose with an "
                "output_dimension"
            )
        ids = component_ids(comp_ids, lr.n_components)
        factors, loadings = lr.first_components(max(ids) + 1)
        return ids, factors, loadings

    def plot_decomposition_loadings(self, comp_ids=None, calibrate=True, same_window=True,
                                    title=None, with_factors=False, cmap="gray",
                                    no_nans=False, per_row=3, axes_decor="all",
                                    comp_label=None, **kwargs):
        """Plot the loadings (``comp_ids``: None = all, n = the first n, or a list), as
        HyperSpy 2.5 does: maps in a grid (each image followed by its colour-bar axes)
        or, for a line scan, one axes with a step line per component.

        Returns the Figure (a list with ``same_window=False``); with ``with_factors``
        a tuple (loadings figure(s), factors figure(s)). ``comp_label`` is the older
        name of ``title``. See :func:`emunmix.plot.plot_component_loadings`.
        """
        comp_ids, factors, loadings = self._selected_components(comp_ids)
        return plot_components(
            self, loadings, "decomposition", "loadings", comp_ids, calibrate=calibrate,
            same_window=same_window, title=title, comp_label=comp_label, cmap=cmap,
            no_nans=no_nans, per_row=per_row, axes_decor=axes_decor,
            with_factors=with_factors, factors=factors, **kwargs)

    def plot_decomposition_factors(self, comp_ids=None, calibrate=True, same_window=True,
                                   title=None, cmap="gray", per_row=3, comp_label=None,
                                   **kwargs):
        """Plot the factors (``comp_ids``: None = all, n = the first n, or a list), as
        HyperSpy 2.5 does: spectra overlaid in one axes (one line per component,
        labelled with its number, a legend that hides a line when clicked), images
        in a grid. Returns the Figure (a list with ``same_window=False``)."""
        comp_ids, factors, _ = self._selected_components(comp_ids)
        return plot_components(
            self, factors, "decomposition", "factors", comp_ids, calibrate=calibrate,
            same_window=same_window, title=title, comp_label=comp_label, cmap=cmap,
            per_row=per_row, **kwargs)

    def plot_decomposition_results(self, factors_navigator="smart_auto",
                                   loadings_navigator="smart_auto", factors_dim=2,
                                   loadings_dim=2):
        """Factors and loadings side by side: browsable in Jupyter, a static grid
        headless. The navigator arguments are accepted for HyperSpy compatibility."""
        lr = self._require_decomposition()
        return browse_components(self, None, None, "decomposition", first=lr.first_components,
                                 n=_shown_components(lr))

    def export_decomposition_results(self, folder=None, format=None, comp_ids=None,
                                     calibrate=True, factor_prefix="factor",
                                     factor_format="hspy", loading_prefix="loading",
                                     loading_format="hspy", comp_label=None, cmap="gray",
                                     same_window=False, multiple_files=True,
                                     save_figures=False, save_figures_format="png",
                                     overwrite=False):
        """Write factors and loadings to files in ``folder`` (default: the cwd).

        ``format`` sets both ``factor_format`` and ``loading_format``. With
        ``multiple_files`` each component goes to ``<prefix>-<i>.<format>``,
        otherwise the stacks go to ``<prefix>s.<format>``. Existing files are
        only replaced with ``overwrite=True`` (checked before anything is
        written). Returns the written paths.
        """
        comp_ids, factors, loadings = self._selected_components(comp_ids, plotting=False)
        if format is not None:
            factor_format = loading_format = format
        return export_components(
            self, factors, loadings, "decomposition", folder, comp_ids, factor_prefix,
            factor_format, loading_prefix, loading_format, multiple_files, overwrite,
            save_figures, save_figures_format,
            plot_kwargs={"calibrate": calibrate, "comp_label": comp_label})

    # -- editing results --------------------------------------------------------
    def reverse_decomposition_component(self, component_number):
        """Flip the sign of one component (int) or several (list): factor and loading."""
        lr = self._require_decomposition()
        sign = sign_vector(component_number, lr.n_components)
        lr.reverse_components(np.flatnonzero(sign < 0))

    def normalize_decomposition_components(self, target="factors", function=np.sum):
        """Scale components so that ``function`` of each factor (or loading) is 1.

        The other matrix is scaled inversely, so the model is unchanged.
        Masked (NaN) entries are ignored.
        """
        lr = self._require_decomposition()
        lr.factors, lr.loadings = _normalise(lr.factors, lr.loadings, target, function)

    def crop_decomposition_dimension(self, n, compute=False):
        """Keep only the first ``n`` components of the decomposition."""
        lr = self._require_decomposition()
        k = lr.n_components
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) \
                or not 1 <= n <= k:
            raise ValueError(f"n must be an integer from 1 to {k}, got {n!r}")
        lr.crop_decomposition_dimension(int(n))

    def undo_treatments(self):
        """Kept for HyperSpy compatibility: emunmix never changes ``s.data`` while
        decomposing (Poisson normalisation works on a scaled view), so there is
        nothing to undo."""

    # -- helpers ------------------------------------------------------------------
    def _require_decomposition(self):
        lr = self.learning_results
        if lr is None or getattr(lr, "n_components", None) is None:
            raise ValueError(
                "this signal has no decomposition results: run s.decomposition() first"
            )
        return lr


def _shown_components(lr) -> int:
    """How many components a results browser offers: all of them, as HyperSpy
    (the browser builds each component's signals only when it is shown)."""
    return lr.n_components


def _normalise(factors, loadings, target, function):
    if target not in ("factors", "loadings"):
        raise ValueError(f'target must be "factors" or "loadings", got {target!r}')
    ref = factors if target == "factors" else loadings
    if is_dask(ref):
        ref = ref.compute()
    ref = np.asarray(ref)
    rows = np.all(np.isfinite(ref), axis=1)
    coeff = np.asarray(function(ref[rows], axis=0), dtype=float)
    if coeff.shape != (ref.shape[1],):
        raise ValueError(
            f"function must reduce axis 0 to one value per component, got shape {coeff.shape}"
        )
    if np.any(coeff == 0) or not np.all(np.isfinite(coeff)):
        bad = np.flatnonzero((coeff == 0) | ~np.isfinite(coeff)).tolist()
        raise ValueError(f"cannot normalise: {function.__name__} of component(s) {bad} is "
                         "zero or not finite")
    if target == "factors":
        return factors / coeff.astype(factors.dtype), loadings * coeff.astype(loadings.dtype)
    return factors * coeff.astype(factors.dtype), loadings / coeff.astype(loadings.dtype)
