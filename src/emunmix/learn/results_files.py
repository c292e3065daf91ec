"""The ``.npz`` files of :meth:`LearningResults.save` and :meth:`LearningResults.load`:
written all-or-nothing (:class:`emunmix.io_atomic.StagedWrites`), read with errors that
name the file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from emunmix.io_atomic import StagedWrites


def write_npz(arrays: dict, path, overwrite: bool = False) -> Path:
    """Write ``arrays`` to ``path`` (``.npz`` appended if missing); the path written."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} already exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {k: np.asarray(v) for k, v in arrays.items()}
    with StagedWrites(path.parent) as batch:  # temporaries removed on every exit
        with open(batch.stage(path), "wb") as fh:
            np.savez(fh, **arrays)
        batch.commit()
    return path


def read_npz(path) -> dict:
    """The arrays of a results file; errors name the file (not a raw zipfile error)."""
    path = Path(path)
    if not path.exists() and path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    if not path.exists():
        raise FileNotFoundError(f"no such file: {os.fspath(path)!r}")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}
    except PermissionError as err:
        raise PermissionError(err.errno, f"permission denied reading {os.fspath(path)!r}; "
                              "ask its owner for read access") from err
    except Exception as err:  # noqa: BLE001 - zipfile/numpy errors of a damaged file
        raise OSError(
            f"could not read learning results from {os.fspath(path)!r}: the file is "
            f"damaged, truncated or not an .npz written by save() ({type(err).__name__}: "
            f"{err}); save the results again") from err
