"""Shared helpers of the reliability tests: small files, folder snapshots, state checks.

(Not conftest.py: another part of the suite may define one here.)
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import numpy as np
import pytest

from emunmix import cli
from emunmix.signal import EELSSpectrum, Signal1D, Signal2D


def lowloss(shape=(4, 5), channels=128, seed=0):
    """A small low-loss EELS spectrum image: a zero-loss peak that drifts, plus a plasmon."""
    rng = np.random.default_rng(seed)
    e = -5 + 0.1 * np.arange(channels)
    centres = rng.uniform(-0.4, 0.4, shape)
    zlp = 2000 * np.exp(-0.5 * ((e - centres[..., None]) / 0.3) ** 2)
    plasmon = 100 * np.exp(-0.5 * ((e - 4 - centres[..., None]) / 1.5) ** 2)
    data = rng.poisson(zlp + plasmon + 5).astype("float32")
    return EELSSpectrum(data, axes=[{"name": "y", "navigate": True},
                                    {"name": "x", "navigate": True},
                                    {"name": "Energy loss", "units": "eV", "scale": 0.1,
                                     "offset": -5.0, "navigate": False}],
                        metadata={"General": {"title": "low loss"}})


def spectra(shape=(4, 5), channels=32, seed=0, cls=Signal1D):
    """Poisson counts with two components (decomposes to 2 significant ones)."""
    rng = np.random.default_rng(seed)
    maps = rng.uniform(0, 1, shape + (2,))
    x = np.linspace(0, 1, channels)
    spec = np.stack([np.exp(-((x - 0.3) / 0.1) ** 2), np.exp(-((x - 0.7) / 0.1) ** 2)])
    data = rng.poisson(50 * maps @ spec + 2).astype("float32")
    return cls(data, metadata={"General": {"title": "spectra"}})


def write(path, kind: str = "spectra") -> Path:
    """Write a small file of ``kind``: spectra, line, lowloss, eels, noise_eels, split,
    image, complex."""
    path = Path(path)
    if kind == "spectra":
        s = spectra()
    elif kind == "line":  # another navigation shape
        s = spectra(shape=(7,), cls=EELSSpectrum)
    elif kind == "eels":
        s = spectra(cls=EELSSpectrum)
    elif kind == "lowloss":
        s = lowloss()
    elif kind == "noise_eels":  # EELS without a zero-loss peak: flat Poisson noise
        s = EELSSpectrum(np.random.default_rng(0).poisson(10, (8, 8, 256)).astype(float))
        s.axes_manager[-1].scale, s.axes_manager[-1].offset = 0.1, -5.0
    elif kind == "split":  # half the zero-loss peaks 66 channels later
        s = lowloss()
        s.data[2:] = np.roll(s.data[2:], 66, axis=-1)
    elif kind == "image":
        s = Signal2D(np.random.default_rng(0).poisson(5, (3, 8, 8)).astype("float32"))
    elif kind == "complex":
        rng = np.random.default_rng(0)
        s = Signal1D(rng.normal(size=(3, 4, 16)) + 1j * rng.normal(size=(3, 4, 16)))
    else:
        raise ValueError(kind)
    s.save(path)
    return path


def snapshot(folder) -> dict:
    """Every file under ``folder`` (hidden ones too) with its size and mtime."""
    out = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            p = Path(root) / name
            st = p.stat()
            out[os.fspath(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns)
    return out


def run(argv, capsys):
    """``emunmix argv`` in this process: (exit code, stdout, stderr)."""
    try:
        code = cli.main([str(a) for a in argv])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def assert_one_line_error(err: str, *words) -> str:
    """A single ``emunmix...error:`` line naming each of ``words``, without a traceback."""
    lines = [ln.rsplit("\r", 1)[-1] for ln in err.split("\n") if "error:" in ln]
    assert len(lines) == 1, err
    assert "Traceback" not in err, err
    for w in words:
        assert str(w) in lines[0], (w, lines[0])
    return lines[0]


def read_only_folder(tmp_path):
    """A folder in which no file can be created, or None where this machine has none
    (root ignores permissions; /sys refuses new files even to root)."""
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o555)
    probe = ro / "probe"
    try:
        probe.touch()
    except OSError:
        return ro
    probe.unlink()
    if os.path.isdir("/sys"):
        try:
            Path("/sys/emunmix-probe").touch()
        except OSError:
            return Path("/sys")
    return None


# -- the state of a signal, for "a failed call leaves the signal unchanged" ----------

def signal_state(s):
    """A deep snapshot: data, axes, metadata and learning results."""
    lr = s.learning_results
    lr_state = {}
    if lr is not None:
        for k, v in vars(lr).items():
            if k == "_components":  # factors and loadings as stored (pending not computed)
                v = {"factors": v._factors, "loadings": v._loadings,
                     "pending": v.pending is not None}
            lr_state[k] = copy.deepcopy(v) if not hasattr(v, "compute") else v
    return (np.array(s.data, copy=True), [a.get_axis_dictionary() for a in
                                          s.axes_manager._array_axes],
            copy.deepcopy(s.metadata.as_dictionary()), lr_state, type(s))


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
                and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b) or (a is b)
    except Exception:
        return a is b


def assert_state_unchanged(s, before) -> None:
    """The signal's data, axes, metadata, learning results and class are as before."""
    now = signal_state(s)
    names = ("data", "axes", "metadata", "learning results", "class")
    for name, a, b in zip(names, before, now):
        assert _same(a, b), f"the {name} changed"


def assert_refused(s, call, error, words) -> str:
    """``call(s)`` raises ``error`` whose message holds every one of ``words``, and the
    signal is unchanged; returns the message (for further checks)."""
    before = signal_state(s)
    with pytest.raises(error) as info:
        call(s)
    message = str(info.value)
    for w in words:
        assert w in message, (w, message)
    assert_state_unchanged(s, before)
    return message
