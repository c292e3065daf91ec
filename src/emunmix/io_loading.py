"""Reading a file with its damage checks: permission, digests (eager), checked chunk
reads and file stamps (lazy); see io_integrity for what is stored."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .io_integrity import (
    check_array,
    check_dataset,
    group_name,
    manifest,
    sealable,
    stamped_dask,
    verified_dask,
)
from .io_readers import read_file

DAMAGED_KEY = "_emunmix_damaged_learning_results"  # dropped by io_dict, with a warning


def check_readable(path: Path) -> None:
    """PermissionError naming the file (readers report it as "not a valid file")."""
    probe = path
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            probe = None
        else:
            inner = [p for p in (path / ".zgroup", path / ".zmetadata") if p.exists()]
            probe = inner[0] if inner else path
    try:
        if probe is None:
            raise PermissionError(errno.EACCES, "folder not readable")
        if probe.is_file():
            with open(probe, "rb") as f:
                f.read(1)
    except PermissionError as err:
        raise PermissionError(
            errno.EACCES, f"permission denied reading {os.fspath(path)!r}: you may not "
            "read it; ask its owner for read access (chmod u+r) or copy it somewhere you "
            "can read") from err


def _is_dask(data) -> bool:
    return type(data).__module__.startswith("dask")


def _check_sealed(path: Path, fmt: str, dicts: list[dict], lazy: bool) -> None:
    entries = manifest(path, fmt)
    for d in dicts:
        if "data" not in d:
            continue
        prefix = f"Experiments/{group_name(d)}/"
        dspath = prefix + "data"
        data = d["data"]
        if _is_dask(data):
            if data.dtype != object:
                d["data"] = verified_dask(path, fmt, dspath, data, entries.get(dspath))
        elif dspath in entries:
            check_array(data, path, fmt, dspath, entries[dspath])
        for other, entry in entries.items():
            if not other.startswith(prefix) or other == dspath:
                continue
            if "/learning_results/" in other:
                if check_dataset(path, fmt, other, entry) is not None:
                    d.setdefault(DAMAGED_KEY, []).append(other.rsplit("/", 1)[-1])
            elif not lazy:
                problem = check_dataset(path, fmt, other, entry)
                if problem is not None:
                    raise problem


def load_checked(path: Path, reader: str | None, lazy: bool, **kwds):
    """``read_file`` with the damage checks: the plugin and its signal dictionaries."""
    check_readable(path)
    plugin, dicts = read_file(path, reader, lazy, **kwds)
    if sealable(path, plugin["name"]):
        _check_sealed(path, plugin["name"], dicts, lazy)
    elif lazy:
        companions = [path.with_suffix(".raw")] if plugin["name"] == "Ripple" else []
        for d in dicts:
            if _is_dask(d.get("data")):
                d["data"] = stamped_dask(path, d["data"],
                                         [c for c in companions if c.exists()])
    return plugin, dicts
