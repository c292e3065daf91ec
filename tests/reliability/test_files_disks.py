"""Full and read-only disks (a small tmpfs, mounted as root; skipped otherwise)."""

import errno
import json
import os

import numpy as np
import pytest
from _files_helpers import (
    assert_message,
    assert_unchanged,
    digest,
    fill,
    remount_read_only,
    small_disk,
    snapshot,
)

import emunmix.api as hs


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk", "2m") as folder:
        yield folder


FULL_DISK_CHILD = """
import json, os, sys, numpy as np
import emunmix.api as hs
folder, ext = sys.argv[1], sys.argv[2]
old = os.path.join(folder, "old." + ext)
hs.signals.Signal1D(np.arange(24.0).reshape(4, 6)).save(old)
big = hs.signals.Signal1D(np.random.default_rng(0).random((64, 64, 128)))
kw = {"compression": None} if ext == "hspy" else {}
out = {}
for name, target in (("new", os.path.join(folder, "new." + ext)), ("overwrite", old)):
    try:
        big.save(target, overwrite=True, **kw)
        out[name] = "saved"
    except OSError as err:
        out[name] = [type(err).__name__, err.errno, str(err)]
out["left"] = sorted(os.listdir(folder))
out["old"] = hs.load(old).data.tolist()
print(json.dumps(out), flush=True)
"""


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_full_disk_raises_cleanly_and_the_process_exits_normally(disk, ext):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.fspath(__import__("_files_helpers").SRC),
               PYTHONWARNINGS="ignore")
    r = subprocess.run([sys.executable, "-c", FULL_DISK_CHILD, os.fspath(disk), ext],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])  # no segfault (-11) at exit
    assert "Segmentation" not in r.stderr and "core dumped" not in r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    for case in ("new", "overwrite"):
        kind, code, message = out[case]
        assert kind == "OSError" and code == errno.ENOSPC
        assert_message(message, "no space left", "free some space or save elsewhere",
                       "nothing was written or replaced", f"{case if case == 'new' else 'old'}")
    assert out["left"] == [f"old.{ext}"]  # no partial file, no temporary
    assert out["old"] == np.arange(24.0).reshape(4, 6).tolist()


def _decomposed():
    s = hs.signals.Signal1D(np.random.default_rng(2).random((16, 16, 64)))
    s.decomposition(print_info=False)
    return s


EXPORTS = {
    "decomposition": lambda s, out: s.export_decomposition_results(
        folder=out, comp_ids=40, factor_format="hspy", loading_format="hspy"),
    "bss": lambda s, out: s.export_bss_results(folder=out, save_figures=True),
    "cluster": lambda s, out: s.export_cluster_results(folder=out, save_figures=True),
}


@pytest.mark.parametrize("kind", sorted(EXPORTS))
def test_export_on_a_full_disk_leaves_none_of_its_files(disk, kind):
    s = _decomposed()
    if kind == "bss":
        s.blind_source_separation(3, print_info=False, random_state=0)
    if kind == "cluster":
        s.cluster_analysis("signal", n_clusters=3, random_state=0)
    before = snapshot(s)
    out = disk / "export"
    fill(disk)
    with pytest.raises(OSError) as info:
        EXPORTS[kind](s, out)
    assert info.value.errno == errno.ENOSPC
    assert_message(info.value, "no space left", "free some space or save elsewhere")
    assert sorted(os.listdir(disk)) == ["filler"]  # not one of its files, no folder
    assert_unchanged(s, before)


def test_report_on_a_full_disk_leaves_neither_file(disk):
    s = _decomposed()
    fill(disk)
    with pytest.raises(OSError) as info:
        s.learning_results.report(disk / "rep", signal=s)
    assert_message(info.value, "no space left", "free some space or save elsewhere")
    left = [p for p in os.listdir(disk) if p != "filler"]
    assert left in ([], ["rep"]) and (not left or os.listdir(disk / "rep") == [])


def test_learning_results_file_on_a_full_disk_leaves_no_temporary(disk):
    s = _decomposed()
    fill(disk)
    with pytest.raises(OSError) as info:
        s.learning_results.save(disk / "lr.npz")
    assert_message(info.value, "no space left", "free some space or save elsewhere")
    assert sorted(os.listdir(disk)) == ["filler"]


@pytest.fixture
def read_only_disk(disk):
    hs.signals.Signal1D(np.arange(6.0)).save(disk / "old.hspy")
    remount_read_only(disk)
    return disk


@pytest.mark.parametrize("ext", ["hspy", "zspy", "msa", "tif"])
def test_read_only_folder_is_a_clear_permission_error(read_only_disk, spectrum, ext):
    before = snapshot(spectrum)
    # .msa holds one spectrum, .tif a 2-D array at least (a line of spectra)
    s = {"msa": spectrum.inav[0, 0], "tif": spectrum.inav[0]}.get(ext, spectrum)
    with pytest.raises(PermissionError) as info:
        s.save(read_only_disk / f"new.{ext}")
    assert_message(info.value, "read-only", "save elsewhere", "new")
    assert sorted(os.listdir(read_only_disk)) == ["old.hspy"]
    assert_unchanged(spectrum, before)


def test_read_only_folder_overwrite_keeps_the_old_file(read_only_disk, spectrum):
    old = digest(read_only_disk / "old.hspy")
    with pytest.raises(PermissionError, match="read-only"):
        spectrum.save(read_only_disk / "old.hspy", overwrite=True)
    assert digest(read_only_disk / "old.hspy") == old


def test_files_on_a_read_only_disk_still_load(read_only_disk):
    np.testing.assert_array_equal(hs.load(read_only_disk / "old.hspy").data, np.arange(6.0))
    lazy = hs.load(read_only_disk / "old.hspy", lazy=True)
    np.testing.assert_array_equal(lazy.data.compute(), np.arange(6.0))
