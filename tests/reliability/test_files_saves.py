"""Saves: nothing left behind, nothing replaced unless the new file is complete."""

import datetime
import importlib
import os
import signal
import time

import numpy as np
import pytest
from _files_helpers import (
    assert_message,
    assert_unchanged,
    digest,
    snapshot,
)

import emunmix.api as hs
from emunmix.exceptions import SaveInterrupted, UnwritableMetadataError
from emunmix.io_atomic import staged_name, sweep

FORMATS = ["hspy", "zspy"]


class Opaque:
    pass


BAD_VALUES = {
    "object": Opaque(),
    "datetime": __import__("datetime").datetime(2024, 1, 2, 3, 4),
    "huge_int": 2**70,
    "set": {1, 2},
    "object_array": np.array([Opaque(), 1], dtype=object),
    "list_of_objects": [1, Opaque()],
}


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("kind", sorted(BAD_VALUES))
def test_unwritable_metadata_fails_before_replacing(tmp_path, spectrum, ext, kind):
    path = tmp_path / f"a.{ext}"
    spectrum.save(path)
    old = digest(path)
    spectrum.metadata.set_item("General.odd_item", BAD_VALUES[kind])
    before = snapshot(spectrum)
    with pytest.raises(UnwritableMetadataError) as info:
        spectrum.save(path, overwrite=True)
    assert isinstance(info.value, TypeError)
    assert_message(info.value, r"General\.odd_item", "cannot store", "del_item|remove it",
                   "nothing was written")
    assert digest(path) == old
    assert os.listdir(tmp_path) == [f"a.{ext}"]
    assert_unchanged(spectrum, before)


@pytest.mark.parametrize("ext", FORMATS)
def test_unwritable_original_metadata_is_named(tmp_path, spectrum, ext):
    spectrum.original_metadata.set_item("Vendor.block", Opaque())
    with pytest.raises(UnwritableMetadataError, match=r"original_metadata item 'Vendor\.block'"):
        spectrum.save(tmp_path / f"a.{ext}")
    assert os.listdir(tmp_path) == []


def test_an_item_the_writer_logs_instead_of_raising_is_an_error(tmp_path, spectrum,
                                                                 monkeypatch):
    """A value the up-front check lets through but RosettaSciIO only logs (as it does for
    any attribute h5py refuses) still fails the save, naming the item."""
    import emunmix.io_writing as w

    monkeypatch.setattr(w, "unstorable_items", lambda tree, prefix="": [])
    spectrum.metadata.set_item("General.odd_item", Opaque())
    path = tmp_path / "a.hspy"
    with pytest.raises(UnwritableMetadataError, match="odd_item"):
        spectrum.save(path)
    assert os.listdir(tmp_path) == []


def _raising_writer(exc):
    def writer(filename, signal, **kwds):
        if hasattr(filename, "write"):
            filename.write(b"\x89HDF" + b"\0" * 4096)
        else:
            os.makedirs(os.fspath(filename))
        raise exc

    return writer


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("exc", [KeyboardInterrupt, SaveInterrupted, MemoryError,
                                 OSError(28, "No space left on device")],
                         ids=["ctrl-c", "sigterm", "memory", "enospc"])
def test_interrupted_writer_leaves_old_file_and_no_temporary(tmp_path, spectrum,
                                                             monkeypatch, ext, exc):
    path = tmp_path / f"a.{ext}"
    spectrum.save(path)
    old = digest(path)
    module = importlib.import_module(f"rsciio.{ext}")
    monkeypatch.setattr(module, "file_writer", _raising_writer(exc))
    before = snapshot(spectrum)
    expected = exc if isinstance(exc, type) else type(exc)
    with pytest.raises(expected) as info:
        (spectrum * 2).save(path, overwrite=True)
    if isinstance(exc, OSError):
        assert_message(info.value, "no space left", "free some space or save elsewhere")
    assert os.listdir(tmp_path) == [f"a.{ext}"] and digest(path) == old
    assert_unchanged(spectrum, before)


def test_signal_handlers_are_restored_after_a_save(tmp_path, spectrum):
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    spectrum.save(tmp_path / "a.hspy")
    with pytest.raises(FileExistsError):
        spectrum.save(tmp_path / "a.hspy")
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


# -- sweeping what a killed process left ------------------------------------------------------

def _sleeper():
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])


def test_sweep_removes_entries_of_dead_processes_only(tmp_path, spectrum):
    dead = _sleeper()
    dead.kill()
    dead.wait()
    alive = _sleeper()
    try:
        time.sleep(0.2)
        stale = tmp_path / f".a.hspy.tmp-{dead.pid}-0123abcd"
        stale.mkdir()
        (stale / "a.hspy").write_bytes(b"\0" * 1000)
        busy = tmp_path / f".b.hspy.tmp-{alive.pid}-0123abcd"
        busy.write_bytes(b"\0" * 10)
        reused = tmp_path / f".c.hspy.tmp-{alive.pid}-89abcdef"
        reused.write_bytes(b"\0")
        os.utime(reused, (time.time() - 3600,) * 2)  # older than the running process
        spectrum.save(tmp_path / "other.hspy")  # any save to the folder sweeps it
        assert sorted(os.listdir(tmp_path)) == [busy.name, "other.hspy"]
    finally:
        alive.kill()
        alive.wait()
    sweep(tmp_path)
    assert os.listdir(tmp_path) == ["other.hspy"]


def test_sweep_puts_back_a_replaced_folder_whose_rename_was_killed(tmp_path, spectrum):
    spectrum.save(tmp_path / "a.zspy")
    old = digest(tmp_path / "a.zspy")
    dead = _sleeper()
    dead.kill()
    dead.wait()
    backup = tmp_path / f".a.zspy.old-{dead.pid}-0123abcd"
    os.replace(tmp_path / "a.zspy", backup)  # killed between the two renames
    sweep(tmp_path)
    assert os.listdir(tmp_path) == ["a.zspy"]
    assert digest(tmp_path / "a.zspy") == old  # the content came back intact
    np.testing.assert_array_equal(hs.load(tmp_path / "a.zspy").data, spectrum.data)


def test_own_staged_names_carry_the_pid(tmp_path):
    name = staged_name(tmp_path / "x.hspy").name
    assert name.startswith(f".x.hspy.tmp-{os.getpid()}-")


# -- a real process killed by PID mid-save -------------------------------------------------------

CHILD = """
import sys, numpy as np, numcodecs
import emunmix.api as hs
path, ext = sys.argv[1], sys.argv[2]
s = hs.signals.Signal1D(np.random.default_rng(1).random((160, 160, 256)))
kw = {"compression": "gzip"} if ext == "hspy" else {"compressor": numcodecs.Zlib(6)}
print("ready", flush=True)
try:
    s.save(path, overwrite=True, **kw)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
print("completed", flush=True)
"""


def _kill_mid_save(tmp_path, ext, signum):
    import subprocess
    import sys

    path = tmp_path / f"a.{ext}"
    hs.signals.Signal1D(np.arange(12.0).reshape(3, 4)).save(path)
    old = digest(path)
    env = dict(os.environ, PYTHONPATH=str(__import__("_files_helpers").SRC),
               PYTHONWARNINGS="ignore", OPENBLAS_NUM_THREADS="1")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), ext], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until the staged file is being written
        if any(p.name.startswith(f".a.{ext}.tmp-") for p in tmp_path.iterdir()):
            time.sleep(0.4)  # well inside a save of a few seconds
            break
        if child.poll() is not None:
            break
        time.sleep(0.02)
    os.kill(child.pid, signum)
    out, err = child.communicate(timeout=60)
    return path, old, child.returncode, out, err


@pytest.mark.parametrize("ext", FORMATS)
def test_ctrl_c_interrupts_a_save_and_keeps_the_old_file(tmp_path, ext):
    path, old, rc, out, err = _kill_mid_save(tmp_path, ext, signal.SIGINT)
    assert rc == 130 and "interrupted" in out and "completed" not in out, (rc, out, err)
    assert os.listdir(tmp_path) == [path.name] and digest(path) == old
    assert "Segmentation" not in err


@pytest.mark.parametrize("ext", FORMATS)
def test_sigterm_removes_the_temporary_and_ends_the_process(tmp_path, ext):
    path, old, rc, out, err = _kill_mid_save(tmp_path, ext, signal.SIGTERM)
    assert rc == -signal.SIGTERM and "completed" not in out, (rc, out, err)
    assert os.listdir(tmp_path) == [path.name] and digest(path) == old


@pytest.mark.parametrize("ext", FORMATS)
def test_sigkill_leftover_is_swept_by_the_next_save(tmp_path, ext):
    path, old, rc, out, err = _kill_mid_save(tmp_path, ext, signal.SIGKILL)
    assert rc == -signal.SIGKILL
    assert digest(path) == old
    left = [p for p in os.listdir(tmp_path) if p != path.name]
    assert left and all(p.startswith(f".a.{ext}.tmp-") for p in left)
    hs.signals.Signal1D(np.ones(3)).save(tmp_path / "next.hspy")
    assert sorted(os.listdir(tmp_path)) == sorted([path.name, "next.hspy"])
    assert digest(path) == old


def test_a_long_file_name_still_saves_atomically(tmp_path, spectrum):
    name = "x" * 240 + ".hspy"  # legal, but too long to carry the temporary's suffix
    spectrum.save(tmp_path / name)
    (spectrum * 2).save(tmp_path / name, overwrite=True)
    assert os.listdir(tmp_path) == [name]
    np.testing.assert_array_equal(hs.load(tmp_path / name).data, spectrum.data * 2)


def test_a_folder_is_never_replaced_by_a_file(tmp_path, spectrum):
    (tmp_path / "a.hspy").mkdir()
    (tmp_path / "a.hspy" / "keep.txt").write_text("mine")
    with pytest.raises(IsADirectoryError) as info:
        spectrum.save(tmp_path / "a.hspy", overwrite=True)
    assert_message(info.value, "a.hspy", "folder of that name", "another name")
    assert (tmp_path / "a.hspy" / "keep.txt").read_text() == "mine"
    assert os.listdir(tmp_path) == ["a.hspy"]


def test_a_file_as_the_folder_is_a_clear_error(tmp_path, spectrum):
    (tmp_path / "notdir").write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        spectrum.save(tmp_path / "notdir" / "a.hspy")
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        spectrum.save(tmp_path / "missing" / "a.hspy")
    assert os.listdir(tmp_path) == ["notdir"]


def test_a_signal_inside_metadata_is_stored_as_hyperspy_does(tmp_path, spectrum):
    # HyperSpy keeps e.g. the noise variance as a signal in the metadata (_sig_ groups)
    spectrum.metadata.set_item("Signal.Noise_properties.variance", spectrum.deepcopy())
    spectrum.save(tmp_path / "a.hspy")
    back = hs.load(tmp_path / "a.hspy").metadata.Signal.Noise_properties.variance
    np.testing.assert_array_equal(back.data, spectrum.data)


def test_an_unstorable_item_inside_a_metadata_signal_is_refused(tmp_path, spectrum):
    inner = spectrum.deepcopy()
    inner.metadata.set_item("General.when", datetime.date(2024, 1, 2))
    spectrum.metadata.set_item("Signal.Noise_properties.variance", inner)
    with pytest.raises(UnwritableMetadataError) as info:
        spectrum.save(tmp_path / "a.hspy")
    assert_message(info.value, "Signal.Noise_properties._sig_variance.metadata.General.when",
                   "datetime", "del_item")
    assert os.listdir(tmp_path) == []


def test_sweep_spares_a_save_in_progress_in_this_process(tmp_path):
    from emunmix.io_atomic import StagedWrites

    with StagedWrites(tmp_path) as batch:  # another thread's save, say
        staged = batch.stage(tmp_path / "busy.hspy")
        staged.write_bytes(b"partial")
        sweep(tmp_path)
        assert staged.exists()
    assert os.listdir(tmp_path) == []  # never committed: removed at the end
