"""RosettaSciIO signal dictionaries to signals and back, as HyperSpy 2.5 builds them.

What a reader hands back is used the way HyperSpy's ``dict2signal`` uses it:

- the signal dimension comes from the axes' ``navigate`` flags when every axis has
  one, else from ``metadata.Signal.record_by``, else every axis is a signal axis;
- the class from ``metadata.Signal.signal_type`` and that dimension (an unknown
  type keeps its name in the metadata and gets the generic class);
- the reader's ``post_process`` steps run next (a Gatan spectrum image is read as a
  stack of energy-filtered maps and turned into spectra there; single spectra lose
  their size-1 axes), then its metadata ``mapping`` copies instrument values from
  ``original_metadata`` into ``metadata`` (beam energy, angles, exposure, ...);
- navigation axes may come anywhere in the file's array order: the data are
  transposed (a view) so they come first, which is emunmix's layout;
- with ``lazy=True`` the data are always a dask array, also from readers that
  return numpy arrays.
"""

from __future__ import annotations

import copy
import datetime
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import LearningResultsWarning
from .io_loading import DAMAGED_KEY
from .signal.metadata import slugged
from .signal.protocol import SignalLike, is_signal
from .signal.types import class_for


def _is_dask(data) -> bool:
    return type(data).__module__.startswith("dask")


def _signal_dimension(axes: list[dict], metadata: dict, ndim: int) -> int:
    if axes and all("navigate" in a for a in axes):
        return sum(1 for a in axes if not a["navigate"])
    record_by = metadata.get("Signal", {}).pop("record_by", None)
    if record_by == "spectrum":
        return min(1, ndim)
    if record_by == "image":
        return min(2, ndim)
    return ndim


def _navigation_first(data, axes: list[dict]):
    """Data and axes with the navigation axes first (their relative order kept)."""
    nav = [i for i, a in enumerate(axes) if a["navigate"]]
    sig = [i for i, a in enumerate(axes) if not a["navigate"]]
    order = nav + sig
    if order == list(range(len(axes))):
        return data, axes
    return data.transpose(order), [axes[i] for i in order]


def _is_complex(data) -> bool:
    dtype = getattr(data, "dtype", None)
    return bool(dtype is not None and np.issubdtype(dtype, np.complexfloating))


def _apply_mapping(signal: SignalLike, mapping: dict) -> None:
    """HyperSpy's metadata mapping: original_metadata path -> (metadata path, function)."""
    for source, (target, function) in (mapping or {}).items():
        if not signal.original_metadata.has_item(source):
            continue
        value = signal.original_metadata.get_item(source)
        if function is not None:
            value = function(slugged(value))
        if value is not None:
            signal.metadata.set_item(target, value)


def _post_process(signal: SignalLike, steps, reader: str) -> SignalLike:
    for step in steps or ():
        try:
            result = step(signal)
        except (AttributeError, TypeError, NotImplementedError) as err:
            raise NotImplementedError(
                f"the {reader} reader's post-processing step failed in emunmix "
                f"({type(err).__name__}: {err}); please report it with the file"
            ) from err
        signal = result if is_signal(result) else signal
    return signal


def metadata_signals_to_dicts(tree: dict) -> dict:
    """``tree`` with each signal in it (e.g. ``Signal.Noise_properties.variance``) as a
    ``_sig_<name>`` signal dictionary, HyperSpy's way of storing signals in metadata."""
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out[key] = metadata_signals_to_dicts(value)
        elif is_signal(value):
            out[f"_sig_{key}"] = {
                "data": value.data,
                "axes": value.axes_manager.as_dictionaries(),
                "metadata": metadata_signals_to_dicts(value.metadata.as_dictionary()),
                "original_metadata": value.original_metadata.as_dictionary(),
                "attributes": {"_lazy": value._lazy},
            }
        else:
            out[key] = value
    return out


def _dicts_to_metadata_signals(tree: dict, lazy: bool) -> dict:
    """The inverse of :func:`metadata_signals_to_dicts` (on a file's metadata)."""
    out = {}
    for key, value in tree.items():
        if isinstance(key, str) and key.startswith("_sig_") and isinstance(value, dict):
            out[key[len("_sig_"):]] = dict_to_signal(value, lazy=lazy)
        elif isinstance(value, dict):
            out[key] = _dicts_to_metadata_signals(value, lazy)
        else:
            out[key] = value
    return out


def dict_to_signal(d: dict, signal_type: str | None = None, filename: Path | None = None,
                   lazy: bool = False, reader: str = "") -> SignalLike:
    """Build a signal from a RosettaSciIO signal dictionary (as HyperSpy does)."""
    data = d["data"]
    lazy = bool(d.get("attributes", {}).get("_lazy", lazy))
    metadata = _dicts_to_metadata_signals(copy.deepcopy(dict(d.get("metadata") or {})), lazy)
    metadata.setdefault("Signal", {})
    if signal_type is not None:
        metadata["Signal"]["signal_type"] = signal_type
    axes = [dict(a) for a in d.get("axes") or []]
    ndim = np.ndim(data) if not hasattr(data, "ndim") else data.ndim
    if len(axes) != ndim:
        axes = [{} for _ in range(ndim)]
    n_sig = _signal_dimension(axes, metadata, ndim)
    if not all("navigate" in a for a in axes):
        for i, a in enumerate(axes):  # as HyperSpy: the last n_sig axes are the signal
            a["navigate"] = i < ndim - n_sig
    for a, size in zip(axes, np.shape(data) if not hasattr(data, "shape") else data.shape):
        a["size"] = int(size)
    data, axes = _navigation_first(data, axes)
    if lazy and not _is_dask(data):
        import dask.array as da

        data = da.from_array(np.asarray(data), chunks="auto")
    metadata["Signal"].setdefault("signal_type", "")
    if filename is not None:
        metadata.setdefault("General", {}).setdefault("original_filename", filename.name)
        metadata["General"].setdefault("title", filename.stem)  # a file that names none
    cls = class_for(metadata["Signal"]["signal_type"] or "", n_sig, _is_complex(data))
    signal = cls(data, axes=axes, metadata=metadata,
                 original_metadata=d.get("original_metadata") or {})
    signal = _post_process(signal, d.get("post_process"), reader)
    _apply_mapping(signal, d.get("mapping"))
    if reader:
        _record_load(signal, reader)
    lr = d.get("attributes", {}).get("learning_results") or d.get("learning_results")
    if lr:
        _restore_learning_results(signal, lr, d.get(DAMAGED_KEY, ()), filename)
    return signal


def _record_load(signal: SignalLike, reader: str) -> None:
    """``metadata.General.FileIO.<n>``: what read the file and when (as HyperSpy)."""
    from . import __version__

    fileio = signal.metadata.get_item("General.FileIO", None)
    n = len(fileio.keys()) if fileio is not None else 0
    signal.metadata.set_item(f"General.FileIO.{n}", {
        "operation": "load",
        "emunmix_version": __version__,
        "io_plugin": reader,
        "timestamp": datetime.datetime.now().astimezone().isoformat(),
    })


def _restore_learning_results(signal: SignalLike, lr: dict, damaged=(),
                              filename: Path | None = None) -> None:
    """Restore what fits the data; warn which part was dropped and why."""
    from .learn.results import LearningResults
    from .learn.results_check import check_stored_results

    where = f" of {filename.name!r}" if filename is not None else ""
    lr = dict(lr)
    dropped = [(name, "its stored digest does not match (the file is damaged there)")
               for name in damaged if lr.pop(name, None) is not None]
    am = signal.axes_manager
    kept, odd = check_stored_results(lr, max(am.navigation_size, 1), max(am.signal_size, 1))
    dropped += odd
    try:
        results = LearningResults.from_dict(kept)
        if not results.axes:  # a file HyperSpy wrote: its results fit this signal's axes
            from .signal.learning_common import axes_record

            results.axes = axes_record(signal)
        signal.learning_results = results
    except (KeyError, TypeError, ValueError) as err:
        dropped = [("all learning results", f"{type(err).__name__}: {err}")]
        signal.learning_results = LearningResults()
    if dropped:
        text = "; ".join(f"{name} {why}" for name, why in dropped)
        warnings.warn(
            f"the learning results{where} were loaded without "
            f"{', '.join(name for name, _ in dropped)}: {text}. The data and the other "
            "results are loaded; decompose again to recompute what was dropped",
            LearningResultsWarning, stacklevel=4)


def signal_to_dict(signal: SignalLike) -> dict[str, Any]:
    """The RosettaSciIO signal dictionary of ``signal`` (what writers take)."""
    lr = signal.learning_results
    return {
        "data": signal.data,
        "axes": signal.axes_manager.as_dictionaries(),
        "metadata": metadata_signals_to_dicts(signal.metadata.as_dictionary()),
        "original_metadata": signal.original_metadata.as_dictionary(),
        "tmp_parameters": {},
        "attributes": {"_lazy": signal._lazy},
        "learning_results": lr.to_dict() if lr is not None else {},
        "models": {},
        "package_info": {"package": "", "package_version": ""},
    }
