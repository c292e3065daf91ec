"""Report sections, one per kind of step: decomposition, BSS, denoising, zero-loss-peak
alignment, spike removal. Each takes what the step left (results, signals, before
copies) and returns a :class:`~emunmix.report.model.Section` with numbers and figures.

A new kind of step (clustering, ...) is a new function here returning a Section; the
page and ``summary.json`` need no change.
"""

from __future__ import annotations

import numpy as np

from .model import Figure, Section
from .scores import component_scores, denoising_scores, rms, shift_scores, spike_scores

SCREE_ROWS = 20  # ratios listed in the table (the figure shows 30)


def _axes(signal, lr=None):
    """(navigation shape in array order, navigation axes, signal axis or None)."""
    if signal is not None:
        am = signal.axes_manager
        sig = am.signal_axes[0] if am.signal_dimension == 1 else None
        return tuple(signal.data.shape[:am.navigation_dimension]), am.navigation_axes, sig
    recorded = _recorded_axes(lr)
    if recorded is not None:
        return recorded
    shape = tuple(lr.original_shape or (lr.loadings.shape[0], lr.factors.shape[0]))
    return shape[:-1], (), None


def _recorded_axes(lr):
    """``_axes`` from the axes the results recorded (``lr.axes``), or None when there
    are none or they do not fit the stored factors and loadings (edited results)."""
    from emunmix.signal.axes import AxesManager

    if not getattr(lr, "axes", None):
        return None
    try:
        am = AxesManager(lr.axes)
    except (TypeError, ValueError, KeyError):
        return None
    n_pixels = int(np.prod(am.navigation_shape))
    n_channels = int(np.prod(am.signal_shape))
    F, L = lr.components.computed()
    fits = (F is None or F.shape[0] == n_channels) and (L is None or L.shape[0] == n_pixels)
    if not fits or am.signal_dimension == 0:
        return None
    sig = am.signal_axes[0] if am.signal_dimension == 1 else None
    return am.navigation_shape[::-1], am.navigation_axes, sig


def _energy_values(signal_axis, size):
    return signal_axis.axis if signal_axis is not None else np.arange(size, dtype=float)


def _scree_table(ratio) -> list:
    ratio = np.asarray(ratio, float)
    cumulative = np.cumsum(ratio)
    return [{"component": i, "explained variance ratio": float(ratio[i]),
             "cumulative": float(cumulative[i])} for i in range(min(SCREE_ROWS, ratio.size))]


def python_call(method: str, parameters: dict, arrays=()) -> str:
    """The method call that repeats a step, e.g. ``s.decomposition(True, ...)``.

    ``arrays`` names arguments that were arrays (masks): they cannot be written out, and
    the call says so.
    """
    args = ", ".join(f"{k}={v!r}" for k, v in parameters.items()
                     if isinstance(v, (str, int, float, bool, type(None))))
    missing = [a for a in arrays if a is not None]
    note = f"  # plus {', '.join(missing)} (arrays, not shown)" if missing else ""
    return f"s.{method}({args}){note}"


def decomposition_section(lr, signal=None, seconds=None, identity=None,
                          name="decomposition") -> Section:
    """Parameters, scree with elbow, factors and loadings, and ground-truth scores."""
    from emunmix.plot.report_figures import MAX_COMPONENTS, components_figure, scree_figure
    from emunmix.plot.scree import elbow_index

    if lr is None or lr.n_components is None:
        raise ValueError("there are no decomposition results to report: run "
                         "s.decomposition() first")
    params = {"algorithm": lr.decomposition_algorithm,
              "normalize_poissonian_noise": lr.poissonian_noise_normalized,
              "output_dimension": lr.output_dimension, "centre": lr.centre,
              **{k: v for k, v in lr.decomposition_parameters.items()
                 if isinstance(v, (str, int, float, bool)) or v is None}}
    sec = Section(name, parameters=params, seconds=seconds)
    masks = {"navigation_mask": lr.navigation_mask, "signal_mask": lr.signal_mask}
    sec.call = python_call("decomposition", lr.decomposition_parameters,
                           [k for k, v in masks.items() if v is not None])
    n_sig = lr.number_significant_components
    sec.results = {"components": lr.n_components, "number_significant_components": n_sig,
                   "estimated_number_of_components": getattr(
                       lr, "estimated_number_of_components", None)}
    ratio = lr.explained_variance_ratio
    elbow = None
    if ratio is not None and len(ratio) >= 3:
        elbow = elbow_index(np.asarray(ratio))
        sec.results["elbow position"] = elbow
        sec.tables["scree"] = _scree_table(ratio)
        sec.figures.append(Figure.from_matplotlib(
            scree_figure(ratio, n_sig, elbow), "Scree plot",
            "Explained variance ratio per component (log scale); significant components in "
            "red, the elbow marked by the dashed line."))
    shown = lr.n_components if lr.output_dimension is not None else (n_sig or 4)
    shown = max(1, min(shown, lr.n_components, MAX_COMPONENTS))
    factors, loadings = lr.first_components(shown)
    nav_shape, nav_axes, sig_axis = _axes(signal, lr)
    if sig_axis is not None or signal is None:
        sec.figures.append(Figure.from_matplotlib(
            components_figure(factors, loadings, nav_shape, nav_axes, sig_axis,
                              label=f"{lr.decomposition_algorithm}", n=shown),
            f"Factors and loadings ({shown} of {lr.n_components})",
            "Each row: a component's factor (spectrum) and its loading (map)."))
    if identity is not None:
        sec.ground_truth, notes = _decomposition_truth(lr, signal, identity)
        sec.notes += notes
    return sec


def _decomposition_truth(lr, signal, identity):
    truth, k = identity.truth, identity.truth.spectra.shape[0]
    gt = {"true components": k}
    notes = [f"Ground truth: the data are the synthetic dataset {identity.name}"
             f"{' (hard)' if identity.hard else ''}."]
    algorithm = str(lr.decomposition_algorithm).upper()
    if lr.n_components >= k and algorithm not in ("SVD", "PCA", "MLPCA", "RPCA"):
        # NMF-like components are the phases themselves; SVD components are not
        F, L = lr.first_components(k)
        gt.update(component_scores(F, L, truth, _energy_values(_axes(signal, lr)[2],
                                                              F.shape[0])))
    if identity.exact and lr.n_components >= k and lr.mean is None and signal is not None:
        F, L = (np.asarray(a, np.float64) for a in lr.first_components(k))  # dask-safe
        model = (L @ F.T).reshape(truth.noiseless.shape)
        data = np.asarray(signal.data)  # exact: the 16 MiB dataset, lazy or not
        gt["RMS error vs noiseless, data"] = rms(data, truth.noiseless)
        gt[f"RMS error vs noiseless, {k}-component model"] = rms(model, truth.noiseless)
    return gt, notes


def bss_section(lr, signal=None, seconds=None, identity=None,
                name="blind source separation") -> Section:
    """The unmixed sources (factors and loadings) and, for synthetic data, their scores."""
    from emunmix.plot.report_figures import components_figure

    if lr is None or lr.bss_factors is None:
        raise ValueError("there are no BSS results to report: run "
                         "s.blind_source_separation() first")
    k = lr.bss_factors.shape[1]
    params = {"algorithm": lr.bss_algorithm, "number_of_components": k,
              "on_loadings": lr.on_loadings,
              **{key: v for key, v in lr.bss_parameters.items()
                 if isinstance(v, (str, int, float, bool)) or v is None}}
    sec = Section(name, parameters=params, seconds=seconds,
                  results={"sources": k})
    sec.call = python_call("blind_source_separation", lr.bss_parameters)
    nav_shape, nav_axes, sig_axis = _axes(signal, lr)
    if sig_axis is not None or signal is None:
        sec.figures.append(Figure.from_matplotlib(
            components_figure(lr.bss_factors, lr.bss_loadings, nav_shape, nav_axes, sig_axis,
                              label="IC"),
            f"BSS factors and loadings ({k} sources)",
            "Each row: an independent component's spectrum and its map."))
    if identity is not None and k >= identity.truth.spectra.shape[0]:
        sec.ground_truth = component_scores(
            lr.bss_factors, lr.bss_loadings, identity.truth,
            _energy_values(sig_axis, lr.bss_factors.shape[0]))
    return sec


def _pixel_of_interest(values2d) -> tuple:
    flat = np.nan_to_num(np.asarray(values2d, float), nan=-np.inf)
    return np.unravel_index(int(np.argmax(flat)), flat.shape)


def denoising_section(signal, model, n_components, seconds=None, identity=None) -> Section:
    """Residual map and before/after spectra of a low-rank model of ``signal``."""
    from emunmix.plot.report_figures import maps_figure, spectra_comparison

    data = np.asarray(signal.data, float)
    fit = np.asarray(model.data, float)
    residual = data - fit
    per_pixel = np.sqrt(np.mean(residual ** 2, axis=-1))
    nav_shape, nav_axes, sig_axis = _axes(signal)
    sec = Section("denoising", parameters={"components": int(n_components)},
                  seconds=seconds)
    sec.results = {"residual RMS": float(np.sqrt(np.mean(residual ** 2))),
                   "residual RMS, worst pixel": float(per_pixel.max())}
    if data.ndim >= 2:
        sec.figures.append(Figure.from_matplotlib(
            maps_figure([("Residual RMS per pixel", per_pixel, "RMS (data - model)")],
                        nav_axes), "Residual map",
            "Per-pixel RMS of data minus model: structure here is signal the model missed."))
        where = _pixel_of_interest(per_pixel)
        sec.results["pixel shown (array index)"] = [int(i) for i in where]
        curves = [("data", data[where]), (f"{n_components}-component model", fit[where])]
        if identity is not None and identity.exact:
            curves.append(("noiseless truth", identity.truth.noiseless[where]))
        sec.figures.append(Figure.from_matplotlib(
            spectra_comparison(sig_axis, curves, "Before / after at the worst-fitted pixel"),
            "Before / after denoising", "Data and model at the pixel with the largest "
            "residual."))
    if identity is not None and identity.exact:
        sec.ground_truth = denoising_scores(data, fit, identity.truth.noiseless)
    return sec


def _stats(values) -> dict:
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    return {"mean": float(v.mean()), "std": float(v.std()), "min": float(v.min()),
            "max": float(v.max())}


def zlp_view(signal):
    """What an alignment report shows of a low-loss signal: ``(ZLP centres, mean spectrum,
    a copy of the energy axis)``; take one before and one after aligning."""
    centres = np.asarray(signal.estimate_zero_loss_peak_centre().data)
    data = np.asarray(signal.data)
    mean = np.nanmean(data.reshape(-1, data.shape[-1]), axis=0)
    return centres, mean, signal.axes_manager.signal_axes[0].copy()


def alignment_section(before, after, signal, parameters, seconds=None,
                      identity=None) -> Section:
    """Zero-loss-peak centres before and after alignment, and the mean low-loss spectrum.

    Parameters
    ----------
    before, after : tuple
        :func:`zlp_view` of the low-loss signal before and after the alignment.
    signal : EELSSpectrum
        The aligned low-loss signal.
    parameters : dict
        The alignment's arguments.
    identity : SyntheticIdentity, optional
        Checked on the data *before* alignment (the shifts are those of that data).
    """
    centres_before, mean_before, signal_axis_before = before
    centres_after, mean_after, _ = after
    from emunmix.plot.report_figures import maps_figure, spectra_comparison

    _, nav_axes, sig_axis = _axes(signal)
    units = sig_axis.units if sig_axis.units not in (None, "", "<undefined>") else ""
    sec = Section("zero-loss-peak alignment", parameters=parameters, seconds=seconds)
    sec.results = {"ZLP centre before": _stats(centres_before),
                   "ZLP centre after": _stats(centres_after),
                   "channels before": int(signal_axis_before.size),
                   "channels after": int(sig_axis.size)}
    if np.ndim(centres_before) >= 1:
        sec.figures.append(Figure.from_matplotlib(maps_figure(
            [("ZLP centre before", centres_before, units),
             ("ZLP centre after", centres_after, units)], nav_axes),
            "ZLP centre maps", "Before: the energy drift across the scan; after: what is "
            "left (note the colour scales)."))
    sec.figures.append(Figure.from_matplotlib(spectra_comparison(sig_axis, [
        ("before", mean_before, signal_axis_before.axis),
        ("after", mean_after, sig_axis.axis)], "Mean spectrum before / after alignment"),
        "Mean spectrum before / after",
        "Averaging drifting spectra blurs the zero-loss peak; aligned, it is sharp."))
    if identity is not None and identity.exact and identity.truth.shifts is not None:
        sec.ground_truth = shift_scores(centres_before, identity.truth.shifts)
    return sec


def spikes_section(before, signal, removal, seconds=None, identity=None,
                   parameters=None) -> Section:
    """Where spikes were found, a spectrum before and after, and recall for CL4.

    ``before`` is the data before the removal (array), ``removal`` the
    :class:`~emunmix.signal.spikes_report.SpikesRemovalReport`.
    """
    from emunmix.plot.report_figures import maps_figure, spectra_comparison

    _, nav_axes, sig_axis = _axes(signal)
    sec = Section("spike removal", parameters=dict(parameters or {}), seconds=seconds)
    sec.parameters.setdefault("method", removal.method)
    sec.parameters.setdefault("threshold", removal.threshold)
    sec.results = {"spikes removed": removal.n_spikes,
                   "spectra with spikes": removal.n_spectra,
                   "spectra searched": removal.n_spectra_total,
                   "values changed": removal.n_channels_changed}
    sec.tables["first spikes"] = [
        {"navigation index (x, y)": list(nav), "channel": int(c), "energy": float(e)}
        for nav, c, e in removal.positions[:20]]
    mask = np.asarray(removal.mask, bool)
    if mask.ndim >= 2:
        sec.figures.append(Figure.from_matplotlib(maps_figure(
            [("Spikes per spectrum", mask.sum(axis=-1), "spikes")], nav_axes),
            "Spike map", "Number of flagged channels in each spectrum."))
    if removal.positions:
        nav = removal.positions[0][0]
        where = tuple(nav[::-1])
        curves = [("before", np.asarray(before)[where]),
                  ("after", np.asarray(signal.data)[where])]
        sec.figures.append(Figure.from_matplotlib(
            spectra_comparison(sig_axis, curves, f"Spectrum at {tuple(nav)} (x, y)"),
            "Before / after spike removal", "The first spectrum with a spike, before and "
            "after its replacement."))
    if identity is not None and identity.exact and identity.truth.spike_mask is not None:
        sec.ground_truth = spike_scores(mask, identity.truth.spike_mask)
    return sec
