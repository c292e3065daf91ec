"""File IO through RosettaSciIO: format sniffing, load and atomic save.

Every format RosettaSciIO reads can be loaded; ``.hspy``/``.zspy`` (and any
format RosettaSciIO writes) can be saved. Saves go to a temporary file in the
target folder and are renamed into place, so a failed save never leaves a
partial file, and an existing file is only replaced with ``overwrite=True``.
"""

from __future__ import annotations

import glob as _glob
import importlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import numpy as np

from .signal.protocol import SignalLike
from .signal.types import class_for, known_signal_type

DEFAULT_EXTENSION = "hspy"
_HDF5_EXTENSIONS = {"hspy", "hdf5", "h5", "hdf"}


def _plugins() -> list[dict]:
    from rsciio import IO_PLUGINS

    return IO_PLUGINS


def supported_extensions(writes: bool = False) -> list[str]:
    """Sorted lower-case file extensions RosettaSciIO reads (or writes)."""
    exts = set()
    for p in _plugins():
        if writes and not p["writes"]:
            continue
        exts.update(e.lower() for e in p["file_extensions"])
    return sorted(exts)


def _plugin_by_name(name: str) -> dict:
    for p in _plugins():
        names = [p["name"].lower()] + [a.lower() for a in p.get("name_aliases", [])]
        if name.lower() in names:
            return p
    for p in _plugins():  # allow an extension as the reader name
        if name.lower().lstrip(".") in (e.lower() for e in p["file_extensions"]):
            return p
    known = sorted(p["name"] for p in _plugins())
    raise ValueError(f"unknown reader {name!r}; known readers: {', '.join(known)}")


def _plugins_for_extension(ext: str, writes: bool = False) -> list[dict]:
    ext = ext.lower().lstrip(".")
    return [p for p in _plugins() if ext in (e.lower() for e in p["file_extensions"])
            and (p["writes"] or not writes)]


def sniff_hdf5(filename: str | os.PathLike) -> str:
    """Name of the RosettaSciIO reader for an HDF5 file, from its content.

    HyperSpy 2.5 asks the user to choose between HSPY, USID and Delmic for a
    ``.hdf5`` file; the file itself says which it is.
    """
    import h5py

    try:
        with h5py.File(filename, "r") as f:
            attrs = {k: f.attrs[k] for k in f.attrs}
            keys = set(f.keys())
    except OSError as err:
        raise OSError(
            f"could not read {os.fspath(filename)!r}: it is not a valid HDF5 file "
            f"(corrupt or truncated?): {err}"
        ) from None
    fmt = attrs.get("file_format", b"")
    fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
    if fmt.lower() == "hyperspy" or "Experiments" in keys:
        return "HSPY"
    if "version_major" in attrs or any(str(k).startswith("emd") for k in attrs):
        return "EMD"
    if any(k.startswith("Measurement_") for k in keys):
        return "USID"
    if any(k.startswith("Acquisition") for k in keys):
        return "Delmic"
    raise OSError(
        f"could not identify the HDF5 flavour of {os.fspath(filename)!r} (not HyperSpy, "
        "EMD, USID or Delmic); pass reader= explicitly"
    )


def _choose_reader(filename: Path, reader: str | None) -> dict:
    if reader is not None:
        return _plugin_by_name(reader)
    ext = filename.suffix.lower().lstrip(".")
    if filename.is_dir() and ext != "zspy":
        raise IsADirectoryError(f"{os.fspath(filename)!r} is a folder, not a file")
    if ext in _HDF5_EXTENSIONS:
        return _plugin_by_name(sniff_hdf5(filename))
    plugins = _plugins_for_extension(ext)
    if not plugins:
        raise ValueError(
            f"unknown file extension {filename.suffix!r} for {os.fspath(filename)!r}. "
            f"Supported extensions: {', '.join(supported_extensions())}"
        )
    return plugins[0]


def _expand(filenames) -> list[Path]:
    if isinstance(filenames, (str, os.PathLike)):
        name = os.fspath(filenames)
        if any(c in name for c in "*?[") and not Path(name).exists():
            matches = sorted(_glob.glob(name))
            if not matches:
                raise FileNotFoundError(f"no file matches the pattern {name!r}")
            return [Path(m) for m in matches]
        return [Path(name)]
    return [Path(os.fspath(f)) for f in filenames]


def load(filenames=None, lazy: bool = False, reader: str | None = None,
         signal_type: str | None = None, stack: bool = False, **kwds):
    """Load one or several files into signals.

    Parameters
    ----------
    filenames : str, Path, glob pattern or list of them
        File(s) to read, in any format RosettaSciIO reads.
    lazy : bool
        Keep the data on disk as a dask array (out-of-core work).
    reader : str, optional
        RosettaSciIO reader name (e.g. "HSPY", "EMD") or extension; by default
        chosen from the extension, and for HDF5 from the file content.
    signal_type : str, optional
        Override the stored signal type (e.g. "EELS").
    stack : bool
        Stack several files of equal shape along a new navigation axis.

    Returns
    -------
    BaseSignal or list of BaseSignal

    Examples
    --------
    >>> import emunmix.api as hs
    >>> s = hs.load("CL1.hspy")  # doctest: +SKIP
    """
    if filenames is None:
        raise TypeError("load() needs a filename, a glob pattern or a list of files")
    paths = _expand(filenames)
    signals: list[SignalLike] = []
    for path in paths:
        signals.extend(_load_one(path, lazy=lazy, reader=reader, signal_type=signal_type,
                                 **kwds))
    if stack and len(signals) > 1:
        return stack_signals(signals)
    return signals[0] if len(signals) == 1 else signals


def _load_one(path: Path, lazy: bool, reader: str | None, signal_type: str | None,
              **kwds) -> list[SignalLike]:
    if not path.exists():
        raise FileNotFoundError(f"no such file: {os.fspath(path)!r}")
    plugin = _choose_reader(path, reader)
    module = importlib.import_module(plugin["api"])
    try:
        dicts = module.file_reader(os.fspath(path), lazy=lazy, **kwds)
    except (FileNotFoundError, TypeError):
        raise
    except Exception as err:  # noqa: BLE001 - any reader failure means an unreadable file
        raise OSError(
            f"could not read {os.fspath(path)!r} with the {plugin['name']} reader: the file "
            f"may be corrupt, truncated or not in that format ({type(err).__name__}: {err})"
        ) from err
    # .size, not np.size: np.size would compute a lazy (dask) array
    if not dicts or any(getattr(d.get("data"), "size", 0) == 0 for d in dicts):
        # lenient readers (e.g. MSA) return empty data for garbage instead of failing
        raise OSError(
            f"could not read {os.fspath(path)!r} with the {plugin['name']} reader: no data "
            "found (the file may be corrupt, truncated or not in that format)"
        )
    return [dict_to_signal(d, signal_type=signal_type, filename=path) for d in dicts]


def dict_to_signal(d: dict, signal_type: str | None = None, filename: Path | None = None
                   ) -> SignalLike:
    """Build a signal from a RosettaSciIO signal dictionary."""
    data = d["data"]
    axes = [dict(a) for a in d.get("axes", [])]
    for a in axes:
        if "axis" in a and "scale" not in a:  # non-uniform axis: keep values' first/step
            values = np.asarray(a["axis"])
            a["offset"] = float(values[0]) if values.size else 0.0
            a["scale"] = float(values[1] - values[0]) if values.size > 1 else 1.0
    if len(axes) != np.ndim(data):
        axes = None
    metadata = dict(d.get("metadata", {}))
    st = signal_type if signal_type is not None else metadata.get("Signal", {}).get(
        "signal_type", "")
    if not known_signal_type(st):
        st_used = ""
    else:
        st_used = st
    metadata.setdefault("Signal", {})["signal_type"] = st or ""
    if filename is not None:
        metadata.setdefault("General", {}).setdefault("original_filename", filename.name)
        metadata["General"].setdefault("title", filename.stem)
    n_sig = (sum(1 for a in axes if not a.get("navigate", True)) if axes
             else min(np.ndim(data), 1))
    cls = class_for(st_used, n_sig, np.iscomplexobj(data) if not hasattr(data, "dtype")
                    else np.issubdtype(data.dtype, np.complexfloating))
    signal = cls(data, axes=axes, metadata=metadata,
                 original_metadata=d.get("original_metadata", {}))
    lr = d.get("attributes", {}).get("learning_results")
    if lr:
        _restore_learning_results(signal, lr)
    return signal


def _restore_learning_results(signal: SignalLike, lr: dict) -> None:
    from .learn.results import LearningResults

    try:
        signal.learning_results = LearningResults.from_dict(lr)
    except (KeyError, TypeError, ValueError):
        signal.learning_results = None


def signal_to_dict(signal: SignalLike) -> dict[str, Any]:
    """The RosettaSciIO signal dictionary of ``signal`` (what writers take)."""
    lr = signal.learning_results
    return {
        "data": signal.data,
        "axes": signal.axes_manager.as_dictionaries(),
        "metadata": signal.metadata.as_dictionary(),
        "original_metadata": signal.original_metadata.as_dictionary(),
        "tmp_parameters": {},
        "attributes": {"_lazy": signal._lazy},
        "learning_results": lr.to_dict() if lr is not None else {},
        "models": {},
        "package_info": {"package": "", "package_version": ""},
    }


def save(filename, signal: SignalLike, overwrite: bool | None = None,
         extension: str | None = None, **kwds) -> Path:
    """Write ``signal`` atomically; see :meth:`BaseSignal.save`.

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is not True.
    ValueError
        If no RosettaSciIO writer handles the extension.
    """
    path = Path(os.fspath(filename))
    if extension is not None:
        path = path.with_suffix("." + extension.lstrip("."))
    elif not path.suffix:
        path = path.with_suffix("." + DEFAULT_EXTENSION)
    ext = path.suffix.lower().lstrip(".")
    plugins = _plugins_for_extension(ext, writes=True)
    if ext in ("hdf5", "h5"):
        plugins = [_plugin_by_name("HSPY")]
    if not plugins:
        raise ValueError(
            f"cannot write {path.suffix!r} files; writable extensions: "
            f"{', '.join(supported_extensions(writes=True))}"
        )
    if path.exists() and overwrite is not True:
        raise FileExistsError(
            f"{os.fspath(path)!r} already exists; pass overwrite=True to replace it"
        )
    if not path.parent.exists():
        raise FileNotFoundError(f"folder {os.fspath(path.parent)!r} does not exist")
    module = importlib.import_module(plugins[0]["api"])
    tmp = path.with_name(f".{path.stem}.tmp-{uuid.uuid4().hex[:8]}{path.suffix}")
    try:
        module.file_writer(os.fspath(tmp), signal_to_dict(signal), **kwds)
        _replace(tmp, path)
    except BaseException:
        _remove(tmp)
        raise
    return path


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def _replace(tmp: Path, target: Path) -> None:
    """Rename ``tmp`` onto ``target`` (folders too: .zspy is a folder)."""
    if tmp.is_dir() and target.exists():
        backup = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(target, backup)
        try:
            os.replace(tmp, target)
        except BaseException:
            os.replace(backup, target)
            raise
        _remove(backup)
    else:
        os.replace(tmp, target)


def stack_signals(signals: list[SignalLike]) -> SignalLike:
    """Stack signals of equal shape along a new (outermost) navigation axis."""
    first = signals[0]
    shapes = {s.data.shape for s in signals}
    if len(shapes) != 1:
        raise ValueError(f"cannot stack signals of different shapes: {sorted(shapes)}")
    data = np.stack([np.asarray(s.data) for s in signals])
    axes = [{"name": "stack_element", "size": len(signals), "navigate": True}]
    axes += first.axes_manager.as_dictionaries()
    return first._new_like(data, axes=axes)
