"""The ``emunmix`` command line: help, info, datasets and errors."""

import numpy as np
import pytest

from emunmix import cli
from emunmix.signal import EELSSpectrum


@pytest.fixture
def small_file(tmp_path):
    s = EELSSpectrum(np.arange(3 * 4 * 16, dtype="float32").reshape(3, 4, 16),
                     axes=[{"name": "y", "units": "nm"}, {"name": "x", "units": "nm"},
                           {"name": "Energy loss", "units": "eV", "scale": 0.5,
                            "offset": 100.0, "navigate": False}],
                     metadata={"General": {"title": "tiny"}})
    path = tmp_path / "tiny.hspy"
    s.save(path)
    return path


def test_help_lists_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for command in ("info", "datasets", "demo", "decompose", "denoise", "align-zlp",
                    "despike"):
        assert command in out


def test_info_prints_shape_axes_and_metadata(small_file, capsys):
    assert cli.main(["info", str(small_file)]) == 0
    out = capsys.readouterr().out
    assert "<EELSSpectrum, title: tiny, dimensions: (4, 3|16)>" in out
    assert "float32" in out
    assert "Energy loss" in out and "eV" in out
    assert "title = tiny" in out


def test_info_reads_files_whose_reader_cannot_load_lazily(tmp_path, capsys):
    import gzip
    import shutil
    from pathlib import Path

    path = tmp_path / "linescan.tvf"  # TriVista: whole-file reader, non-uniform axis
    src = Path(__file__).parent / "data" / "real" / "linescan.tvf.gz"
    with gzip.open(src, "rb") as f, open(path, "wb") as g:
        shutil.copyfileobj(f, g)
    assert cli.main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    assert "dimensions: (21|97)>" in out and "non-unif" in out and "Wavelength" in out


def test_info_missing_file_is_a_clear_error(tmp_path, capsys):
    missing = tmp_path / "nope.hspy"
    assert cli.main(["info", str(missing)]) == 1  # a file error (2: usage)
    err = capsys.readouterr().err
    assert "nope.hspy" in err and "no such file" in err


def test_datasets_writes_every_dataset_and_refuses_to_overwrite(tmp_path, capsys):
    out = tmp_path / "data"
    assert cli.main(["datasets", "--out", str(out), "-q"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["CL1.hspy", "CL2.hspy", "CL3.hspy", "CL4.hspy", "LL3.hspy"]
    before = (out / "CL1.hspy").stat().st_mtime_ns
    assert cli.main(["datasets", "--out", str(out), "-q"]) == 1
    assert "overwrite" in capsys.readouterr().err
    assert (out / "CL1.hspy").stat().st_mtime_ns == before
    from emunmix.io import load

    s = load(out / "CL1.hspy")
    assert s.axes_manager.signal_shape == (1024,)
    assert s.axes_manager.navigation_shape == (64, 64)
