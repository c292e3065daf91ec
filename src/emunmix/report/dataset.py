"""The dataset part of a report: shape, axes, calibration, metadata, and, for the built-in
synthetic datasets, their ground truth.

A signal is taken for a synthetic dataset when its title names one (``"CL1"``,
``"CL3 (hard)"``, ...) and its navigation shape is the datasets' 64 x 64. The maps and
spectra of the ground truth do not depend on the random seed, so component scores are
valid for any such signal; scores that need the noise, shifts or spikes (an RMS error
against the noiseless data, spike recall) are given only when the data are exactly those
:func:`emunmix.datasets.make_dataset` makes with the default seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .numbers import clean

_MAX_METADATA = 200  # leaves shown; a real file's tree can be huge


def _flatten(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            out.update(_flatten(value, path))
        elif isinstance(value, (str, bool, int, float, np.number)) or value is None:
            out[path] = value
        elif isinstance(value, (list, tuple)) and len(value) <= 8:
            out[path] = list(value)
        else:
            out[path] = f"<{type(value).__name__}>"
    return out


def _axis_dict(axis) -> dict:
    units = None if axis.units in (None, "", "<undefined>") else axis.units
    name = None if axis.name in (None, "", "<undefined>") else axis.name
    return {"name": name, "size": axis.size, "scale": axis.scale, "offset": axis.offset,
            "units": units, "navigate": axis.navigate, "low": axis.low_value,
            "high": axis.high_value}


def _statistics(data) -> dict:
    """min, max, mean, sum and the count of NaN/inf; chunk by chunk for dask arrays."""
    if hasattr(data, "compute"):  # lazy: reduce in dask, never gather the data
        import dask
        import dask.array as da

        values = da.absolute(data) if np.iscomplexobj(data) else data
        finite = da.isfinite(values)
        n_bad, lo, hi, total, n = dask.compute(
            (~finite).sum(), da.nanmin(values), da.nanmax(values),
            da.nansum(values, dtype=np.float64), finite.sum())
    else:
        values = np.abs(data) if np.iscomplexobj(data) else np.asarray(data)
        finite = np.isfinite(values)
        n_bad = values.size - np.count_nonzero(finite)
        if n_bad == values.size:
            return {"non-finite values": int(n_bad)}
        v = values[finite] if n_bad else values
        lo, hi, total, n = v.min(), v.max(), v.sum(dtype=np.float64), v.size
    if not n:
        return {"non-finite values": int(n_bad)}
    return {"min": float(lo), "max": float(hi), "mean": float(total) / int(n),
            "sum": float(total), "non-finite values": int(n_bad)}


def overview_arrays(signal):
    """(mean spectrum, total intensity per pixel) of a spectrum image; dask-aware."""
    data = signal.data
    nav = tuple(range(signal.axes_manager.navigation_dimension))
    if np.iscomplexobj(data):
        data = abs(data)
    if hasattr(data, "compute"):
        import dask
        import dask.array as da

        mean, total = dask.compute(da.nanmean(data, axis=nav) if nav else data,
                                   da.nansum(data, axis=-1))
    else:
        mean = np.nanmean(data, axis=nav) if nav else np.asarray(data)
        total = np.nansum(data, axis=-1)
    return np.asarray(mean, float), np.asarray(total, float)


def describe_dataset(signal, source: str | None = None, label: str | None = None) -> dict:
    """A signal's shape, dtype, axes, statistics and metadata, as a JSON-ready dictionary.

    Parameters
    ----------
    signal : BaseSignal
    source : str, optional
        The file it came from.
    label : str, optional
        Its role in the run ("input", "aligned", ...).
    """
    am = signal.axes_manager
    meta = _flatten(signal.metadata.as_dictionary())
    shown = dict(list(meta.items())[:_MAX_METADATA])
    out = {
        "label": label,
        "title": signal.metadata.get_item("General.title", "") or "",
        "class": type(signal).__name__,
        "source": None if source is None else str(source),
        "data_shape": list(signal.data.shape),
        "navigation_shape": list(am.navigation_shape),
        "signal_shape": list(am.signal_shape),
        "dtype": str(signal.data.dtype),
        "size_mib": signal.data.nbytes / 2**20,
        "axes": [_axis_dict(a) for a in am.navigation_axes + am.signal_axes],
        "statistics": _statistics(signal.data),
        "metadata": shown,
    }
    if len(meta) > len(shown):
        out["metadata_leaves_not_shown"] = len(meta) - len(shown)
    return clean(out)


@dataclass
class SyntheticIdentity:
    """A signal recognised as one of the built-in datasets.

    Attributes
    ----------
    name : str
        "CL1", ..., "LL3".
    hard : bool
    exact : bool
        The data are those of ``make_dataset(name, hard)`` with the default seed, so the
        noiseless data, shifts and spike positions of ``truth`` apply to them.
    truth : GroundTruth
    """

    name: str
    hard: bool
    exact: bool
    truth: object


def identify_synthetic(signal, check_data: bool = True) -> SyntheticIdentity | None:
    """Recognise a built-in synthetic dataset by title and shape (None for other data)."""
    from emunmix import synthetic as datasets

    title = str(signal.metadata.get_item("General.title", "") or "").strip()
    hard = title.endswith("(hard)")
    name = title.replace("(hard)", "").strip().upper()
    if name not in datasets.DATASET_NAMES:
        return None
    if tuple(signal.axes_manager.navigation_shape) != tuple(datasets.SHAPE[::-1]) \
            or signal.axes_manager.signal_dimension != 1:
        return None
    made = datasets.make_dataset(name, hard=hard)
    exact = bool(check_data and signal.data.shape == made.data.shape
                 and np.array_equal(np.asarray(signal.data), made.data))
    return SyntheticIdentity(name, hard, exact, made.truth)
