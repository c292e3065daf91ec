"""Shared helpers of the file fault tests: state snapshots, folder listings, digests,
subprocesses, and a small tmpfs (root only)."""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PYTHON = sys.executable


def snapshot(s) -> dict:
    """Data, axes, metadata and learning results of ``s``, copied."""
    lr = s.learning_results
    return {
        "data": np.array(s.data, copy=True),
        "axes": [a.get_axis_dictionary() for a in s.axes_manager._array_axes],
        "metadata": copy.deepcopy(s.metadata.as_dictionary()),
        "original_metadata": copy.deepcopy(s.original_metadata.as_dictionary()),
        "learning_results": {k: np.array(v, copy=True) if isinstance(v, np.ndarray) else v
                             for k, v in (lr.to_dict() if lr is not None else {}).items()},
    }


def _same(a, b) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype == object or b.dtype == object:
            return a.shape == b.shape and _same(a.ravel().tolist(), b.ravel().tolist())
        return np.array_equal(a, b, equal_nan=True)
    if type(a) is type(b) and type(a).__eq__ is object.__eq__:
        return True  # opaque objects (copied by the snapshot): same type is all we can say
    return bool(a == b) or (a != a and b != b)  # NaN equals NaN here


def assert_unchanged(s, before: dict) -> None:
    """``s`` has the data, axes, metadata and learning results of ``before``."""
    now = snapshot(s)
    for key in before:
        assert _same(now[key], before[key]), f"the signal's {key} changed"


def listing(folder) -> list[str]:
    """Every entry under ``folder`` (hidden ones included), relative, sorted."""
    folder = Path(folder)
    return sorted(os.fspath(p.relative_to(folder)) for p in folder.rglob("*"))


def top_level(folder) -> list[str]:
    return sorted(os.listdir(folder))


def digest(path) -> str:
    """SHA-256 of a file, or of a folder's files and names (a .zspy)."""
    path = Path(path)
    h = hashlib.sha256()
    items = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for p in items:
        h.update(os.fspath(p.relative_to(path.parent)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def assert_message(err, *patterns: str) -> None:
    """Each pattern (a regular expression, case-insensitive) occurs in the message."""
    text = str(err)
    for pattern in patterns:
        assert re.search(pattern, text, re.IGNORECASE | re.DOTALL), \
            f"{pattern!r} not in the message: {text}"


def run_python(code: str, timeout: float = 120, user: int | None = None, **kw):
    """Run ``code`` in a fresh interpreter with emunmix's source first on the path."""
    env = dict(os.environ, PYTHONPATH=os.fspath(SRC), MPLBACKEND="Agg",
               OPENBLAS_NUM_THREADS="1", PYTHONWARNINGS="ignore")
    pre = None
    if user is not None:
        def pre():
            os.setgid(user)
            os.setuid(user)
    return subprocess.run([PYTHON, "-c", code], capture_output=True, text=True,
                          timeout=timeout, env=env, preexec_fn=pre, **kw)


def _mount(folder: Path, size: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (full-disk / read-only cases)")
    folder.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                        os.fspath(folder)], capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"could not mount a tmpfs: {r.stderr.strip()}")


@contextmanager
def small_disk(folder: Path, size: str = "2m"):
    """A tmpfs of ``size`` at ``folder`` (root only; the test is skipped otherwise)."""
    _mount(folder, size)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", os.fspath(folder)], capture_output=True)


def remount_read_only(folder: Path) -> None:
    r = subprocess.run(["mount", "-o", "remount,ro", os.fspath(folder)],
                       capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"could not remount the tmpfs read-only: {r.stderr.strip()}")


def fill(folder: Path) -> None:
    """Fill the disk of ``folder`` (a tmpfs) but for a few KiB."""
    with open(folder / "filler", "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    size = (folder / "filler").stat().st_size
    os.truncate(folder / "filler", max(size - 8192, 0))
