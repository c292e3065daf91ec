"""Helpers shared by the decomposition and BSS methods of signals.

Argument normalisation (masks, component selections) and the folding of
(pixels x k) / (channels x k) result matrices back into calibrated signals.
Nothing here computes a decomposition: that is :mod:`emunmix.learn`'s job.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from ..validation import bool_mask, is_dask
from .types import class_for

#: Navigation axis names of the component stacks (HyperSpy's names).
COMPONENT_AXIS = {
    "decomposition": "Decomposition component index",
    "bss": "BSS component index",
    "cluster": "Cluster index",
}
#: How titles and messages name the two kinds of results.
KIND_LABEL = {"decomposition": "Decomposition", "bss": "BSS", "cluster": "Cluster"}


def as_array(value):
    """The data of a signal, or the value itself (for masks and variance arrays)."""
    return value.data if hasattr(value, "axes_manager") else value


def axes_record(signal) -> list[dict]:
    """The signal's axes in array order, as dictionaries for ``LearningResults.axes``
    (so a report or plot of the results alone has calibrated axes)."""
    return [axis.get_axis_dictionary() for axis in signal.axes_manager._array_axes]


def navigation_array_shape(signal) -> tuple[int, ...]:
    """Navigation shape in numpy (array) order, e.g. (y, x)."""
    return tuple(signal.data.shape[: signal.axes_manager.navigation_dimension])


def signal_array_shape(signal) -> tuple[int, ...]:
    """Signal shape in numpy (array) order."""
    return tuple(signal.data.shape[signal.axes_manager.navigation_dimension:])


def flat_mask(mask, signal, space: str, name: str):
    """Validate a boolean mask over the navigation or signal space; return it flat.

    Parameters
    ----------
    mask : None, bool array or signal
        True excludes a pixel (``space="navigation"``) or channel (``"signal"``).
        The shape is the space's shape in array order (as ``s.data`` holds it),
        its natural order (as ``axes_manager`` shows it), or flat.
    signal : BaseSignal
        The signal the mask applies to.
    space : {"navigation", "signal"}
    name : str
        Argument name for messages.

    Returns
    -------
    ndarray of bool, flat, or None

    Raises
    ------
    ValueError
        Wrong shape or non-boolean values.
    """
    if mask is None:
        return None
    arr = bool_mask(as_array(mask), name)
    if space == "navigation":
        shape = navigation_array_shape(signal)
        natural = signal.axes_manager.navigation_shape
    else:
        shape = signal_array_shape(signal)
        natural = signal.axes_manager.signal_shape
    size = int(np.prod(shape)) if shape else 1
    allowed = {tuple(shape), (size,)}
    if arr.shape not in allowed:
        if arr.shape == tuple(natural):  # natural order (x, y): transpose to (y, x)
            return np.ascontiguousarray(arr.T).ravel()
        raise ValueError(
            f"{name} has shape {arr.shape}, but the signal's {space} space has shape "
            f"{tuple(shape)} (array order; {signal.axes_manager._signature()} in natural "
            f"order). Give a boolean array of shape {tuple(shape)}, True = excluded."
        )
    return arr.ravel()


def component_ids(comp_ids, n_components: int, name: str = "comp_ids",
                  unique: bool = False) -> list[int]:
    """HyperSpy's component selection: None (all), int n (the first n) or a list.

    With ``unique`` a list naming a component twice (``[1, 1]``, or ``[1, -19]`` of 20)
    is refused: a model adds each component once, where HyperSpy would silently count
    it twice.

    Raises
    ------
    ValueError
        Out-of-range components, n < 1, or (``unique``) a component listed twice.
    TypeError
        Anything else.
    """
    if comp_ids is None:
        return list(range(n_components))
    if isinstance(comp_ids, (bool, np.bool_)):
        raise TypeError(f"{name} must be None, an int or a list of ints, got {comp_ids!r}")
    if isinstance(comp_ids, numbers.Integral):
        n = int(comp_ids)
        if not 1 <= n <= n_components:
            raise ValueError(
                f"{name}={n} asks for the first {n} components, but there are "
                f"{n_components}; give a number from 1 to {n_components}"
            )
        return list(range(n))
    ids = np.asarray(comp_ids)
    if ids.dtype == bool:
        if ids.shape != (n_components,):
            raise ValueError(f"a boolean {name} needs {n_components} entries, got {ids.size}")
        return np.flatnonzero(ids).tolist()
    if ids.ndim != 1 or ids.size == 0 or ids.dtype.kind not in "iu":
        raise TypeError(f"{name} must be None, an int or a list of ints, got {comp_ids!r}")
    bad = [int(i) for i in ids if not -n_components <= i < n_components]
    if bad:
        raise ValueError(
            f"{name} refers to component(s) {bad}, but there are {n_components} "
            f"(indices 0 to {n_components - 1})"
        )
    out = [int(i) % n_components for i in ids]
    if unique and len(set(out)) < len(out):
        twice = sorted({i for i in out if out.count(i) > 1})
        raise ValueError(
            f"{name}={list(np.asarray(comp_ids).tolist())} lists component(s) {twice} more "
            "than once (negative indices count from the end); a model adds each component "
            "once, so list each component once"
        )
    return out


def _title(signal) -> str:
    return signal.metadata.get_item("General.title", "")


def _metadata(signal, title: str, signal_type: str | None) -> dict:
    md = signal.metadata.as_dictionary()
    md.setdefault("General", {})["title"] = title
    if signal_type is not None:
        md.setdefault("Signal", {})["signal_type"] = signal_type
    return md


def loadings_signal(signal, loadings, kind: str, ids=None):
    """Stack of loading maps: navigation "... component index", signal = the
    original navigation axes with their calibration (Signal2D for 2-D maps,
    Signal1D for line scans)."""
    loadings = loadings if ids is None else loadings[:, ids]
    k = loadings.shape[1]
    nav_axes = [dict(a, navigate=False) for a in signal.axes_manager.as_dictionaries()
                if a["navigate"]]
    shape = navigation_array_shape(signal)
    if not nav_axes:  # a single spectrum: one weight per component
        nav_axes = [{"name": "Scalar", "size": 1, "navigate": False}]
        shape = (1,)
    data = loadings.T.reshape((k,) + shape)
    axes = [_component_axis(kind, k)] + nav_axes
    cls = class_for("", len(nav_axes), np.iscomplexobj(data))
    title = f"{KIND_LABEL[kind]} loadings of {_title(signal)}"
    return cls(data, axes=axes, metadata=_metadata(signal, title, ""))


def factors_signal(signal, factors, kind: str, ids=None):
    """Stack of factors: navigation "... component index", signal = the original
    signal axes; the class keeps the signal type (EELS factors are EELS spectra)."""
    factors = factors if ids is None else factors[:, ids]
    k = factors.shape[1]
    sig_axes = [dict(a) for a in signal.axes_manager.as_dictionaries() if not a["navigate"]]
    shape = signal_array_shape(signal)
    data = np.asarray(factors).T.reshape((k,) + shape)
    axes = [_component_axis(kind, k)] + sig_axes
    st = signal.metadata.get_item("Signal.signal_type", "")
    cls = class_for(st, len(sig_axes), np.iscomplexobj(data))
    title = f"{KIND_LABEL[kind]} factors of {_title(signal)}"
    return cls(data, axes=axes, metadata=_metadata(signal, title, None))


def _component_axis(kind: str, k: int) -> dict:
    return {"name": COMPONENT_AXIS[kind], "size": k, "navigate": True, "scale": 1.0,
            "offset": 0.0}


def model_data(signal, loadings, factors, ids, mean=None, centre=None, lazy_output=None,
               chunks="auto"):
    """The model of components ``ids`` in the shape of ``signal.data``: lazy (chunked
    like the data, or by ``chunks``, never held whole) for a lazy signal or with
    ``lazy_output=True``, else a numpy array (``lazy_output=False`` computes it)."""
    lazy = signal._lazy if lazy_output is None else bool(lazy_output)
    if lazy:
        from emunmix.learn.decomposition.model import lazy_model

        nav = navigation_array_shape(signal)
        chunks = _model_chunks(signal, nav, chunks)
        dtype = np.result_type(np.asarray(factors).dtype, np.float32)
        return lazy_model(loadings, factors, ids, nav, signal_array_shape(signal), chunks,
                          dtype, mean, centre)
    return model_matrix(np.asarray(loadings), factors, ids, mean, centre).reshape(
        signal.data.shape)


def _model_chunks(signal, nav, chunks):
    """Navigation chunks of a lazy model: the data's (lazy signal, ``chunks="auto"``), a
    given chunk shape (its navigation part), or dask's choice."""
    import dask.array as da

    if isinstance(chunks, str) and chunks == "auto" and signal._lazy:
        return signal.data.chunks[: len(nav)]
    if isinstance(chunks, (tuple, list)) and len(chunks) >= len(nav):
        chunks = tuple(chunks)[: len(nav)]
    else:
        chunks = "auto"
    return da.core.normalize_chunks(chunks, shape=tuple(nav), dtype=np.float64)


def model_matrix(loadings, factors, ids, mean=None, centre=None):
    """``loadings[:, ids] @ factors[:, ids].T`` (pixels x channels) plus the mean
    removed by a centred decomposition. Stays lazy for dask loadings."""
    L = loadings[:, ids]
    F = np.asarray(factors)[:, ids]
    if is_dask(L):
        a = L @ F.T
    else:
        a = np.asarray(L) @ F.T
    if mean is not None and centre is not None:
        m = np.asarray(mean).astype(a.dtype, copy=False)
        if centre == "signal":  # one mean per pixel
            a = a + m.reshape(-1, 1)
        else:  # "navigation": the mean spectrum
            a = a + m.reshape(1, -1)
    return a


def model_signal(signal, matrix, kind: str, n: int):
    """The model (pixels x channels, or already in the data's shape) folded into a
    signal like ``signal`` (lazy when ``matrix`` is)."""
    data = matrix.reshape(signal.data.shape)
    new = signal._new_like(data, cls=type(signal))
    label = "decomposition" if kind == "decomposition" else "bss"
    new.metadata.set_item("General.title",
                          f"{_title(signal)} model from {label} with {n} components")
    return new


def plot_title(signal, base: str, same_window=True) -> str:
    """HyperSpy's default title of a results plot: ``"<base> <signal title>"``
    (without " of " for an untitled signal; "loadings" -> "loading" in one window
    per component)."""
    name = _title(signal)
    title = f"{base} {name}" if name else base.replace(" of", "")
    return title if same_window else title.replace("loadings", "loading")


_TITLE_BASE = {("decomposition", "factors"): "Decomposition factors of",
               ("decomposition", "loadings"): "Decomposition loadings of",
               ("bss", "factors"): "BSS factors of", ("bss", "loadings"): "BSS loadings of",
               ("cluster", "loadings"): "Cluster labels of",
               ("cluster", "factors"): "Cluster centers of"}


def plot_components(signal, matrix, kind: str, what: str, comp_ids, *, title=None,
                    comp_label=None, same_window=True, with_factors=False, factors=None,
                    **kwargs):
    """HyperSpy 2.5's figure(s) of the selected loadings (``what="loadings"``) or
    factors: see :func:`emunmix.plot.plot_component_loadings`.

    Only the stack up to the last selected component is built; the plots keep the
    components' own numbers. ``title`` (or its older name ``comp_label``) defaults
    to HyperSpy's. ``with_factors`` (loadings only) also plots ``factors`` with the
    same options and returns ``(loadings figure(s), factors figure(s))``.
    """
    from emunmix.plot import plot_component_factors, plot_component_loadings

    if same_window is None:
        same_window = True
    if title is None:
        title = comp_label
    if title is None:
        title = plot_title(signal, _TITLE_BASE[(kind, what)], same_window)
    ids = component_ids(comp_ids, matrix.shape[1])
    make, plot = ((loadings_signal, plot_component_loadings) if what == "loadings"
                  else (factors_signal, plot_component_factors))
    out = plot(make(signal, matrix[:, : max(ids) + 1], kind), comp_ids=ids, title=title,
               same_window=same_window, **kwargs)
    if not with_factors or factors is None:
        return out
    options = {k: kwargs[k] for k in ("calibrate", "per_row", "cmap") if k in kwargs}
    return out, plot_component_factors(factors_signal(signal, factors[:, : max(ids) + 1],
                                                      kind), comp_ids=ids, title=title,
                                       same_window=same_window, **options)


def browse_components(signal, factors, loadings, kind: str, first=None, n=None):
    """Factors and loadings side by side (see ``plot_components_browser``).

    With ``first`` (``first(k) -> (factors[:, :k], loadings[:, :k])``) and ``n``,
    each of the ``n`` components is read only when the browser shows it, so
    deferred components are computed only if the user browses to them.
    """
    from emunmix.plot import plot_components_browser
    from emunmix.plot.components import LazyComponents
    from emunmix.plot.notebook import replace_view

    title = f"{KIND_LABEL[kind]} of {_title(signal)}".strip()
    if first is not None:
        fsig = LazyComponents(n, lambda i: factors_signal(signal, first(i + 1)[0], kind,
                                                          [i]).inav[0])
        lsig = LazyComponents(n, lambda i: loadings_signal(signal, first(i + 1)[1], kind,
                                                           [i]).inav[0])
    else:
        fsig, lsig = factors_signal(signal, factors, kind), loadings_signal(signal, loadings,
                                                                             kind)
    browser = plot_components_browser(fsig, lsig, title=title, comp_label=COMPONENT_AXIS[kind])
    replace_view(signal, f"{kind}_results", browser)  # browsing again replaces it
    return browser


def sign_vector(component_number, k: int) -> np.ndarray:
    """+1 everywhere but -1 at the given component (int) or components (list)."""
    if isinstance(component_number, numbers.Integral) and not isinstance(
            component_number, (bool, np.bool_)):
        component_number = [int(component_number)]
    ids = component_ids(list(component_number), k, "component_number")
    sign = np.ones(k)
    sign[ids] = -1
    return sign


def as_figure(result):
    """The matplotlib Figure behind what a plot function returned."""
    if hasattr(result, "savefig"):
        return result
    if hasattr(result, "figure"):
        return result.figure
    if isinstance(result, (list, tuple)) and result:
        return as_figure(result[0])
    import matplotlib.pyplot as plt

    return plt.gcf()


def export_components(signal, factors, loadings, kind: str, folder=None, comp_ids=None,
                      factor_prefix=None, factor_format="hspy", loading_prefix=None,
                      loading_format="hspy", multiple_files=True, overwrite=False,
                      save_figures=False, save_figures_format="png",
                      plot_kwargs=None) -> list[Path]:
    """Write factors and loadings to ``folder`` (see ``export_decomposition_results``)."""
    folder = Path.cwd() if folder is None else Path(folder)
    ids = component_ids(comp_ids, factors.shape[1])
    fsig = factors_signal(signal, factors, kind, ids)
    lsig = loadings_signal(signal, loadings, kind, ids)
    fpre = factor_prefix or ("bss_factor" if kind == "bss" else "factor")
    lpre = loading_prefix or ("bss_loading" if kind == "bss" else "loading")
    jobs = []
    if multiple_files:
        for j, i in enumerate(ids):
            jobs.append((folder / f"{fpre}-{i}.{factor_format.lstrip('.')}", fsig.inav[j]))
            jobs.append((folder / f"{lpre}-{i}.{loading_format.lstrip('.')}", lsig.inav[j]))
    else:
        jobs.append((folder / f"{fpre}s.{factor_format.lstrip('.')}", fsig))
        jobs.append((folder / f"{lpre}s.{loading_format.lstrip('.')}", lsig))
    jobs_fig = []
    if save_figures:
        jobs_fig = [(folder / f"{fpre}s.{save_figures_format}", factors, "factors"),
                    (folder / f"{lpre}s.{save_figures_format}", loadings, "loadings")]
    # Check everything before writing anything, then write all or nothing: every file is
    # staged under a hidden name and renamed in only when all were written.
    from ..io_atomic import StagedWrites, folder_error

    created = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    existing = [job[0] for job in jobs + jobs_fig if job[0].exists()]
    if existing and not overwrite:
        raise FileExistsError(
            f"{len(existing)} file(s) already exist in {str(folder)!r} (first: "
            f"{existing[0].name}); pass overwrite=True to replace them"
        )
    try:
        with StagedWrites(folder) as batch:
            for path, sig in jobs:
                sig.save(path, overwrite=True, batch=batch)
            for path, matrix, what in jobs_fig:
                fig = as_figure(plot_components(signal, matrix, kind, what, ids,
                                                same_window=True, **(plot_kwargs or {})))
                try:
                    fig.savefig(batch.stage(path), format=save_figures_format)
                except OSError as err:
                    raise folder_error(path, err) from err
            batch.commit()
    except BaseException:
        if created and not any(folder.iterdir()):
            folder.rmdir()
        raise
    return [job[0] for job in jobs + jobs_fig]
