"""Checking stored learning results field by field before they are restored: a file
whose results hold one odd value keeps the others, and the caller says which part was
dropped and why."""

from __future__ import annotations

import numbers

import numpy as np

_COUNTS = {"number_significant_components": 0, "output_dimension": 1,
           "number_of_clusters": 1}
# field -> (axis 0 must be "channels" or "pixels", number of dimensions)
_MATRICES = {
    "factors": ("channels", 2), "loadings": ("pixels", 2),
    "bss_factors": ("channels", 2), "bss_loadings": ("pixels", 2),
    "explained_variance": (None, 1), "explained_variance_ratio": (None, 1),
    "unmixing_matrix": (None, 2),
}
_ROWS = {"cluster_labels": "pixels", "cluster_distances": "pixels",
         "cluster_sum_signals": "channels", "cluster_centroid_signals": "channels"}


def _scalar(value):
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value.item()
    return value.item() if isinstance(value, np.generic) else value


def _count_problem(value, least: int) -> str | None:
    value = _scalar(value)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        return f"is {value!r}, not a whole number"
    if not np.isfinite(value):
        return f"is {value!r}, not a whole number"
    if value != int(value) or value < least:
        return f"is {value!r}, not a whole number >= {least}"
    return None


def _array_problem(name, value, sizes) -> str | None:
    arr = np.asarray(value)
    if arr.dtype.kind not in "biufc":
        return f"has dtype {arr.dtype}, not numbers"
    if name in _MATRICES:
        rows, ndim = _MATRICES[name]
        if arr.ndim != ndim:
            return f"has shape {arr.shape}, expected {ndim} dimensions"
        if rows and arr.shape[0] != sizes[rows]:
            return (f"has shape {arr.shape}, expected {sizes[rows]} rows (the {rows} of "
                    "the data)")
        if name == "unmixing_matrix" and arr.shape[0] != arr.shape[1]:
            return f"has shape {arr.shape}, expected a square matrix"
    if name in _ROWS:
        what = _ROWS[name]
        if arr.ndim != 2 or arr.shape[1] != sizes[what]:
            return f"has shape {arr.shape}, expected (clusters, {sizes[what]} {what})"
    if name == "navigation_mask" and arr.size != sizes["pixels"]:
        return f"has {arr.size} entries, the data have {sizes['pixels']} pixels"
    if name == "signal_mask" and arr.size != sizes["channels"]:
        return f"has {arr.size} entries, the data have {sizes['channels']} channels"
    return None


def check_stored_results(d: dict, pixels: int, channels: int) -> tuple[dict, list]:
    """The fields of a stored results dictionary that fit data of ``pixels`` x
    ``channels``, and ``[(field, reason)]`` for those dropped."""
    sizes = {"pixels": pixels, "channels": channels}
    kept, dropped = {}, []
    for key, value in dict(d).items():
        if value is None:  # absent (HyperSpy writes None for results it has not)
            kept[key] = value
            continue
        if key in _COUNTS:
            problem = _count_problem(value, _COUNTS[key])
        elif key in _MATRICES or key in _ROWS or key in ("navigation_mask", "signal_mask"):
            problem = _array_problem(key, value, sizes)
        else:
            problem = None
        if problem:
            dropped.append((key, problem))
        else:
            kept[key] = value
    k = {name: np.shape(kept[name])[1] for name in ("factors", "loadings") if name in kept}
    if len(set(k.values())) > 1:
        kept.pop("loadings")
        dropped.append(("loadings", f"has {k['loadings']} components, the factors "
                                    f"{k['factors']}"))
    return kept, dropped
