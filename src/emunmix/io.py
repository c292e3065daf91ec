"""File IO through RosettaSciIO: load and atomic save (reader choice in io_readers,
signal dictionaries in io_dict).

Every format RosettaSciIO reads can be loaded; ``.hspy``/``.zspy`` (and any
format RosettaSciIO writes) can be saved. Saves go to a temporary file in the
target folder and are renamed into place, so a failed save never leaves a
partial file, and an existing file is only replaced with ``overwrite=True``.
"""

from __future__ import annotations

import errno
import glob as _glob
import importlib
import os
from pathlib import Path

import numpy as np

from .io_atomic import StagedWrites, folder_error
from .io_dict import dict_to_signal, signal_to_dict
from .io_integrity import SEALED, group_name, rebind, sealable
from .io_loading import load_checked
from .io_readers import (
    plugin_by_name,
    plugins,
    plugins_for_extension,
    sniff_hdf5,
    supported_extensions,
)
from .io_writing import check_metadata_storable, write_file
from .signal.protocol import SignalLike

__all__ = ["load", "save", "stack_signals", "dict_to_signal", "signal_to_dict",
           "sniff_hdf5", "supported_extensions"]

DEFAULT_EXTENSION = "hspy"


_plugins = plugins
_plugin_by_name = plugin_by_name
_plugins_for_extension = plugins_for_extension


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
         signal_type: str | None = None, stack: bool = False,
         load_original_metadata: bool = True, convert_units: bool = False, **kwds):
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
    load_original_metadata : bool
        False drops ``original_metadata`` (after the reader's metadata mapping has
        used it), as HyperSpy does: less memory for files with huge tag trees.
    convert_units : bool
        HyperSpy's unit conversion of the axes on load is not implemented: True raises
        ``NotImplementedError`` (rather than being ignored).
    **kwds
        Passed to the RosettaSciIO reader (e.g. ``select_type`` for Bruker files).

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
    if convert_units:
        raise NotImplementedError(
            "load(convert_units=True) is not implemented in emunmix: load without it "
            "(axes keep the file's units)")
    paths = _expand(filenames)
    signals: list[SignalLike] = []
    for path in paths:
        signals.extend(_load_one(path, lazy=lazy, reader=reader, signal_type=signal_type,
                                 **kwds))
    if not load_original_metadata:
        for s in signals:
            s.original_metadata = type(s.original_metadata)()
    if stack and len(signals) > 1:
        return stack_signals(signals)
    return signals[0] if len(signals) == 1 else signals


def _load_one(path: Path, lazy: bool, reader: str | None, signal_type: str | None,
              **kwds) -> list[SignalLike]:
    if not path.exists():
        raise FileNotFoundError(f"no such file: {os.fspath(path)!r}")
    plugin, dicts = load_checked(path, reader, lazy, **kwds)
    return [dict_to_signal(d, signal_type=signal_type, filename=path, lazy=lazy,
                           reader=plugin["name"])
            for d in dicts if "data" in d]  # entries without data are stored models


def save(filename, signal: SignalLike, overwrite: bool | None = None,
         extension: str | None = None, batch: StagedWrites | None = None, **kwds) -> Path:
    """Write ``signal`` atomically; see :meth:`BaseSignal.save`.

    With ``batch`` (an open :class:`~emunmix.io_atomic.StagedWrites`) the file is only
    staged there: it comes into place with the batch's other files at its commit.

    Raises
    ------
    FileExistsError
        If the file exists and ``overwrite`` is not True.
    ValueError
        If no RosettaSciIO writer handles the extension.
    UnwritableMetadataError
        If a metadata item cannot be stored in the format (nothing is written).
    """
    path = save_target(filename, extension)
    if batch is not None:
        stage_signal(batch, path, signal, overwrite, **kwds)
        return path
    with StagedWrites(path.parent) as own:
        plugin = stage_signal(own, path, signal, overwrite, **kwds)
        own.commit()
    if signal._lazy and sealable(path, plugin["name"]):  # saved over the file it reads?
        title = {"metadata": signal.metadata.as_dictionary()}
        rebind(signal.data, path, plugin["name"], f"Experiments/{group_name(title)}/data")
    return path


def save_target(filename, extension: str | None = None) -> Path:
    """The path a save writes: ``extension`` applied, ``.hspy`` if there is none."""
    path = Path(os.fspath(filename))
    if extension is not None:
        path = path.with_suffix("." + extension.lstrip("."))
    elif not path.suffix:
        path = path.with_suffix("." + DEFAULT_EXTENSION)
    return path


def writer_for(path: Path) -> dict:
    """The RosettaSciIO writer of ``path``'s extension (ValueError if none)."""
    ext = path.suffix.lower().lstrip(".")
    plugins = _plugins_for_extension(ext, writes=True)
    if ext in ("hdf5", "h5"):
        plugins = [_plugin_by_name("HSPY")]
    if not plugins:
        raise ValueError(
            f"cannot write {path.suffix!r} files; writable extensions: "
            f"{', '.join(supported_extensions(writes=True))}. Choose one of them"
        )
    return plugins[0]


def check_writable(path: Path, signal: SignalLike, overwrite: bool | None) -> dict:
    """Every check of a save that needs no writing; the writer to use."""
    plugin = writer_for(path)
    _check_axes_storable(signal, plugin["name"], path)
    _check_data_storable(signal, plugin["name"], path)
    if path.exists() and overwrite is not True:
        raise FileExistsError(
            f"{os.fspath(path)!r} already exists; pass overwrite=True to replace it"
        )
    if not path.parent.exists():
        raise FileNotFoundError(
            f"folder {os.fspath(path.parent)!r} does not exist; create it first")
    if not path.parent.is_dir():
        raise NotADirectoryError(
            f"cannot save {os.fspath(path)!r}: {os.fspath(path.parent)!r} is a file, not a "
            "folder; choose a path inside a folder")
    if path.is_dir() and plugin["name"] != "ZSPY":
        raise IsADirectoryError(
            f"cannot save {os.fspath(path)!r}: a folder of that name exists; choose "
            "another name (a folder is never replaced by a file)")
    if plugin["name"] in SEALED:
        check_metadata_storable(signal, path)
    return plugin


def stage_signal(batch: StagedWrites, path: Path, signal: SignalLike,
                 overwrite: bool | None, **kwds) -> dict:
    """Write ``signal`` for ``path`` under a staged name of ``batch`` (committed later);
    the writer used."""
    plugin = check_writable(path, signal, overwrite)
    module = importlib.import_module(plugin["api"])
    # the writer writes under the final name into a hidden folder beside the target, so
    # files that name each other (.rpl + .raw) stay consistent; they are moved in after
    try:
        tmp_dir = batch.stage(path, folder=True)
    except OSError as err:
        raise folder_error(path, err) from err
    try:
        write_file(module, plugin["name"], tmp_dir / path.name, signal_to_dict(signal), path,
                   **kwds)
    except OSError as err:
        if err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
            raise folder_error(path, err) from err
        raise
    companions = [e for e in sorted(tmp_dir.iterdir()) if e.name != path.name]
    taken = [e.name for e in companions if (path.parent / e.name).exists()]
    if taken and overwrite is not True:
        raise FileExistsError(
            f"{os.fspath(path)!r} comes with {taken}, which already exist in "
            f"{os.fspath(path.parent)!r}; pass overwrite=True to replace them"
        )
    for entry in companions:
        batch.move(entry, path.parent / entry.name)
    batch.move(tmp_dir / path.name, path)
    return plugin


# writers that store an axis given by its values (numpy stores no axes at all)
_NON_UNIFORM_WRITERS = {"HSPY", "ZSPY", "numpy"}


def _check_axes_storable(signal: SignalLike, writer: str, path: Path) -> None:
    bad = [a.name for a in signal.axes_manager._array_axes if not a.is_uniform]
    if bad and writer not in _NON_UNIFORM_WRITERS:
        raise ValueError(
            f"cannot save {os.fspath(path)!r}: the {writer} format stores only uniform "
            f"axes (offset + scale), and axis {bad[0]!r} is given by its values. Save as "
            ".hspy or .zspy to keep them"
        )


# writers that keep complex data (Semper only complex64); the others fail with their own
# error or silently drop the imaginary part (MSA, Blockfile)
_COMPLEX_WRITERS = {"HSPY", "ZSPY", "EMD", "TIFF", "numpy"}
# writers whose own error (or silent cast) is all a user would get for boolean data
_NO_BOOL_WRITERS = {"Ripple", "Semper", "Blockfile", "Image"}


def _check_data_storable(signal: SignalLike, writer: str, path: Path) -> None:
    """Refuse, before anything is written, data the writer cannot hold."""
    dtype = np.dtype(signal.data.dtype)
    where = f"cannot save {os.fspath(path)!r}: the {writer} format"
    keep = "Save as .hspy or .zspy to keep them"
    if dtype.kind == "c" and writer not in _COMPLEX_WRITERS and not (
            writer == "Semper" and dtype == np.complex64):
        raise TypeError(
            f"{where} cannot hold complex data ({dtype}). {keep}, or save a real part "
            "(s.real, s.imag, abs(s) or s.angle)")
    if dtype.kind == "b" and writer in _NO_BOOL_WRITERS:
        raise TypeError(
            f"{where} cannot hold boolean data. {keep}, or convert first: "
            "s.change_dtype('uint8')")
    am = signal.axes_manager
    if writer == "TIFF" and np.ndim(signal.data) < 2:  # its own error: an IndexError
        raise ValueError(
            f"{where} holds images or stacks, and this signal is one spectrum "
            f"{am._signature()}. {keep}, or save it as .msa")
    if writer == "MSA" and (am.navigation_dimension or am.signal_dimension != 1):
        raise ValueError(
            f"{where} holds one spectrum, and this signal is "
            f"{am._signature()}. {keep}, or save one spectrum (s.inav[0, 0])")


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
