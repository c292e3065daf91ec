"""Running a RosettaSciIO writer safely: metadata checked before anything is written,
HDF5 written through a guarded file object (:class:`~emunmix.io_atomic.GuardedFile`),
digests stored after (see io_integrity)."""

from __future__ import annotations

import datetime
import logging
import numbers
import os
from pathlib import Path

import numpy as np

from .exceptions import UnwritableMetadataError
from .io_atomic import GuardedFile
from .io_dict import metadata_signals_to_dicts
from .io_integrity import group_name, seal
from .signal.protocol import SignalLike

_INT_RANGE = (-(2**63), 2**64 - 1)


def _unstorable_reason(value) -> str | None:
    """Why ``value`` cannot be stored as an .hspy/.zspy metadata item (None if it can)."""
    if value is None or isinstance(value, (str, bytes, bool, np.bool_)):
        return None
    if isinstance(value, numbers.Integral):
        ok = _INT_RANGE[0] <= int(value) <= _INT_RANGE[1]
        return None if ok else "an integer outside the 64-bit range"
    if isinstance(value, (numbers.Real, numbers.Complex, np.generic)):
        return None if np.asarray(value).dtype.kind != "O" else "a numpy object scalar"
    if isinstance(value, np.ndarray):
        return None if value.dtype.kind != "O" else "a numpy array of Python objects"
    if type(value).__module__.startswith("dask"):
        return None
    if isinstance(value, (list, tuple)):
        for item in value:
            reason = (None if isinstance(item, dict) else _unstorable_reason(item))
            if reason:
                return f"a {type(value).__name__} holding {reason}"
        return None
    if isinstance(value, (datetime.date, datetime.time)):
        return "a datetime (store it as an ISO string: value.isoformat())"
    if hasattr(value, "axes_manager") and hasattr(value, "data"):
        return "a signal"  # not reached from a signal's metadata: stored as _sig_ groups
    return f"a {type(value).__module__}.{type(value).__qualname__} object"


def unstorable_items(tree: dict, prefix: str = "") -> list[tuple[str, str]]:
    """``[(dotted path, reason)]`` of the items of a metadata tree a file cannot store."""
    bad = []
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            bad.extend(unstorable_items(value, path + "."))
            continue
        if isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    bad.extend(unstorable_items(item, f"{path}[{i}]."))
        reason = _unstorable_reason(value)
        if reason:
            bad.append((path, reason))
    return bad


def check_metadata_storable(signal: SignalLike, path: Path) -> None:
    """Refuse, before anything is written, a metadata item the file cannot store."""
    for tree_name in ("metadata", "original_metadata"):
        tree = getattr(signal, tree_name).as_dictionary()
        bad = unstorable_items(metadata_signals_to_dicts(tree))
        if bad:
            item, reason = bad[0]
            more = f" (and {len(bad) - 1} more)" if len(bad) > 1 else ""
            raise UnwritableMetadataError(
                f"cannot save {os.fspath(path)!r}: {tree_name} item {item!r} is {reason}, "
                f"which the {path.suffix} format cannot store{more}. Remove it (s.{tree_name}"
                f".del_item({item!r})) or set it to a string, number or array; nothing "
                "was written")


class _Captured(logging.Handler):
    """Errors RosettaSciIO logs instead of raising (an item it could not write)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def write_file(module, writer: str, target: Path, d: dict, final: Path, **kwds) -> None:
    """Run ``module.file_writer`` to ``target`` (a staged path for ``final``); raise on any
    item it could not write; store the digests of .hspy/.zspy files."""
    captured = _Captured()
    logger = logging.getLogger("rsciio")
    logger.addHandler(captured)
    try:
        if writer == "HSPY":
            handle = GuardedFile(target)
            try:
                module.file_writer(handle, d, **kwds)
            finally:
                handle.close()
        else:
            module.file_writer(os.fspath(target), d, **kwds)
    finally:
        logger.removeHandler(captured)
    failed = [m for m in captured.messages if "could not write" in m]
    if failed:
        raise UnwritableMetadataError(
            f"cannot save {os.fspath(final)!r}: the {writer} writer could not store an item "
            f"({failed[0]}). Remove it or set it to a string, number or array; nothing "
            "was written")
    seal(target, writer, {f"Experiments/{group_name(d)}/data": d["data"]})
