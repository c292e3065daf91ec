"""Damage detection: flipped bytes, missing chunks and folders, changed lazy files."""

import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np
import pytest
from _files_helpers import assert_message

import emunmix.api as hs
from emunmix.exceptions import DamagedFileError, FileChangedError, LearningResultsWarning

DATA = "Experiments/sample/data"
HYPERSPY = Path("/work/main/.venv-hyperspy/bin/python")


@pytest.fixture
def hspy(tmp_path, spectrum):
    path = tmp_path / "u.hspy"
    spectrum.save(path, compression=None, chunks=(2, 8, 32))
    return path, spectrum


@pytest.fixture
def zspy(tmp_path, spectrum):
    path = tmp_path / "z.zspy"
    spectrum.save(path, chunks=(2, 8, 32))
    return path, spectrum


def _flip(path: Path, dataset: str, chunk: int = 1, at: int = 37) -> None:
    with h5py.File(path) as f:
        info = f[dataset].id.get_chunk_info(chunk) if f[dataset].chunks else None
        offset = info.byte_offset if info is not None else f[dataset].id.get_offset()
    with open(path, "r+b") as f:
        f.seek(offset + at)
        byte = f.read(1)[0]
        f.seek(offset + at)
        f.write(bytes([byte ^ 0x5A]))


def _load(path, lazy):
    s = hs.load(path, lazy=lazy)
    if lazy:
        s.data.compute()
    return s


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_flipped_bytes_in_uncompressed_hspy_raise(hspy, lazy):
    path, _ = hspy
    _flip(path, DATA)
    with pytest.raises(DamagedFileError) as info:
        _load(path, lazy)
    assert isinstance(info.value, OSError)
    assert_message(info.value, "u.hspy", "damaged", r"chunk 1\.0\.0", DATA,
                   "restore the file from a backup")


def test_lazy_damage_is_found_only_in_the_chunk_read(hspy):
    path, s = hspy
    _flip(path, DATA, chunk=2)  # navigation rows 4-5
    lazy = hs.load(path, lazy=True)
    np.testing.assert_array_equal(lazy.data[:4].compute(), s.data[:4])  # intact chunks
    with pytest.raises(DamagedFileError, match=r"chunk 2\.0\.0"):
        lazy.data[4:].compute()


def test_flipped_learning_results_drop_that_part_with_a_warning(hspy):
    path, s = hspy
    _flip(path, "Experiments/sample/learning_results/factors", chunk=0)
    with pytest.warns(LearningResultsWarning) as record:
        t = hs.load(path)
    assert_message(record[0].message, "without factors", "digest does not match",
                   "decompose again")
    np.testing.assert_array_equal(t.data, s.data)
    np.testing.assert_allclose(t.learning_results.loadings, s.learning_results.loadings)
    assert t.learning_results.factors is None


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_corrupt_gzip_chunk_names_the_file(tmp_path, spectrum, lazy):
    path = tmp_path / "g.hspy"
    spectrum.save(path, chunks=(2, 8, 32))  # gzip: the filter itself fails
    _flip(path, DATA, at=5)
    with pytest.raises(OSError) as info:
        _load(path, lazy)
    assert_message(info.value, "g.hspy", "damaged", "restore|backup")
    assert info.value.__cause__ is not None


def _chunk_file(path: Path, *idx) -> Path:
    return path / DATA / "/".join(map(str, idx))


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_missing_zarr_chunk_is_an_error_not_zeros(zspy, lazy):
    path, _ = zspy
    _chunk_file(path, 1, 0, 0).unlink()
    with pytest.raises(DamagedFileError) as info:
        _load(path, lazy)
    assert_message(info.value, "z.zspy", r"chunk 1\.0\.0", "is missing", "data/1/0/0",
                   "restore")


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_missing_zarr_chunk_folder_is_an_error(zspy, lazy):
    path, _ = zspy
    shutil.rmtree(path / DATA / "2")
    with pytest.raises(DamagedFileError, match=r"chunk 2\.0\.0.*is missing"):
        _load(path, lazy)


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_garbage_zarr_chunk_names_the_file(zspy, lazy):
    path, _ = zspy
    _chunk_file(path, 0, 0, 0).write_bytes(os.urandom(300))
    with pytest.raises(OSError) as info:
        _load(path, lazy)
    assert_message(info.value, "z.zspy", "damaged|could not read")


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_swapped_zarr_chunks_are_detected(zspy, lazy):
    path, _ = zspy
    a, b = _chunk_file(path, 0, 0, 0), _chunk_file(path, 1, 0, 0)
    tmp = a.with_name("swap")
    os.replace(a, tmp)
    os.replace(b, a)
    os.replace(tmp, b)
    with pytest.raises(DamagedFileError, match="does not match its digest"):
        _load(path, lazy)


def test_deleted_zspy_folder_after_lazy_load(zspy):
    path, _ = zspy
    lazy = hs.load(path, lazy=True)
    shutil.rmtree(path)
    with pytest.raises(FileChangedError) as info:
        lazy.data.compute()
    assert_message(info.value, "z.zspy", "deleted", "load it again")


@pytest.mark.parametrize("ext", ["hspy", "zspy", "tif"])
def test_lazy_file_deleted_after_loading(tmp_path, spectrum, ext):
    s = spectrum if ext != "tif" else spectrum.inav[0].as_signal2D((0, 1))
    path = tmp_path / f"a.{ext}"
    s.save(path)
    lazy = hs.load(path, lazy=True)
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    with pytest.raises(FileChangedError) as info:
        lazy.data.compute()
    assert_message(info.value, f"a.{ext}", "deleted", "load it again")


@pytest.mark.parametrize("ext", ["hspy", "zspy", "tif"])
def test_lazy_file_changed_after_loading(tmp_path, spectrum, ext):
    s = spectrum if ext != "tif" else spectrum.inav[0].as_signal2D((0, 1))
    path = tmp_path / f"a.{ext}"
    s.save(path)
    lazy = hs.load(path, lazy=True)
    (s * 3).save(path, overwrite=True)  # same size, new content
    with pytest.raises(FileChangedError) as info:
        lazy.data.compute()
    assert_message(info.value, f"a.{ext}", "changed", "load it again")


def test_lazy_file_appended_to_after_loading(hspy):
    path, _ = hspy
    lazy = hs.load(path, lazy=True)
    with open(path, "ab") as f:
        f.write(b"\0" * 16)
    with pytest.raises(FileChangedError, match="changed"):
        lazy.data.compute()


@pytest.mark.parametrize("name", ["hs_decomposition.hspy", "hs_eels.hspy", "hs_image.hspy"])
@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "lazy"])
def test_hyperspy_files_without_digests_load_as_before(name, lazy):
    path = Path(__file__).parents[1] / "data" / name
    s = hs.load(path, lazy=lazy)
    with h5py.File(path) as f:
        group = next(iter(f["Experiments"].values()))
        np.testing.assert_array_equal(np.asarray(s.data), group["data"][...])


def test_digests_cost_little_and_round_trip(hspy, zspy):
    for path, s in (hspy, zspy):
        t = hs.load(path)
        np.testing.assert_array_equal(t.data, s.data)
        np.testing.assert_array_equal(hs.load(path, lazy=True).data.compute(), s.data)


@pytest.mark.skipif(not HYPERSPY.exists(), reason="HyperSpy 2.5 venv (.venv-hyperspy) absent")
def test_files_we_write_open_in_hyperspy(tmp_path, spectrum):
    paths = [tmp_path / "a.hspy", tmp_path / "b.zspy", tmp_path / "c.hspy"]
    spectrum.save(paths[0])
    spectrum.save(paths[1])
    spectrum.save(paths[2], compression=None)
    np.save(tmp_path / "expected.npy", spectrum.data)
    code = (
        "import sys, numpy as np, hyperspy.api as hs\n"
        "expected = np.load(sys.argv[1])\n"
        "for p in sys.argv[2:]:\n"
        "    for lazy in (False, True):\n"
        "        s = hs.load(p, lazy=lazy)\n"
        "        assert np.array_equal(np.asarray(s.data), expected), p\n"
        "        assert s.learning_results.factors is not None, p\n"
        "print('ok')\n")
    r = subprocess.run([os.fspath(HYPERSPY), "-c", code, os.fspath(tmp_path / "expected.npy"),
                        *map(os.fspath, paths)], capture_output=True, text=True, timeout=180,
                       env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stderr[-2000:]


def test_checked_lazy_data_survive_a_pickle(hspy):
    """What dask.distributed does with a task's data source: reopened in the worker."""
    import pickle

    path, s = hspy
    lazy = hs.load(path, lazy=True)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(lazy.data)).compute(), s.data)
    st = path.stat()
    _flip(path, DATA)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, mtime and inode
    with pytest.raises(DamagedFileError, match=r"chunk 1\.0\.0"):  # the digest sees it
        pickle.loads(pickle.dumps(lazy.data)).compute()


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_lazy_signal_saved_over_its_own_file_reads_the_new_one(tmp_path, spectrum, ext):
    path = tmp_path / f"a.{ext}"
    spectrum.save(path, chunks=(2, 8, 32))
    lazy = hs.load(path, lazy=True)
    lazy.metadata.General.title = "renamed"  # a new group name in the file
    lazy.save(path, overwrite=True)
    np.testing.assert_array_equal(lazy.data.compute(), spectrum.data)
    np.testing.assert_array_equal(hs.load(path).data, spectrum.data)


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_computation_saved_over_its_source_is_not_read_from_the_new_file(tmp_path, spectrum,
                                                                         ext):
    path = tmp_path / f"a.{ext}"
    spectrum.save(path)
    doubled = hs.load(path, lazy=True) * 2
    doubled.save(path, overwrite=True)
    np.testing.assert_array_equal(hs.load(path).data, spectrum.data * 2)
    with pytest.raises(FileChangedError, match="(?i)load it again"):  # not 4x, not zeros
        doubled.data.compute()


def test_zspy_zip_store_round_trips_without_digests(tmp_path, spectrum):
    path = tmp_path / "a.zspy"
    spectrum.save(path, store_type="zip")
    assert path.is_file()
    np.testing.assert_array_equal(hs.load(path).data, spectrum.data)
    lazy = hs.load(path, lazy=True)
    np.testing.assert_array_equal(lazy.data.compute(), spectrum.data)


def test_lazy_ripple_raw_changed_after_loading(tmp_path, spectrum):
    path = tmp_path / "a.rpl"
    spectrum.save(path)
    lazy = hs.load(path, lazy=True)
    raw = path.with_suffix(".raw")
    raw.write_bytes(raw.read_bytes()[::-1])  # same size, other bytes
    os.utime(raw, ns=(0, 0))
    with pytest.raises(FileChangedError, match="a.raw"):
        lazy.data.compute()


def test_damaged_metadata_array_is_an_error_naming_it(tmp_path, spectrum):
    spectrum.metadata.set_item("Sample.map", np.arange(4000.0))
    path = tmp_path / "m.hspy"
    spectrum.save(path, compression=None)
    _flip(path, "Experiments/sample/metadata/Sample/map", chunk=0, at=11)
    with pytest.raises(DamagedFileError) as info:
        hs.load(path)
    assert_message(info.value, "m.hspy", "metadata/Sample/map", "restore")


TRUNCATE_CHILD = """
import os, sys, numpy as np
import emunmix.api as hs
from emunmix.exceptions import FileChangedError
path = sys.argv[1]
hs.signals.Signal2D(np.random.default_rng(0).random((4, 256, 256))).save(path)
lazy = hs.load(path, lazy=True)
os.truncate(path, 1000)  # the memory-mapped pages are gone
try:
    lazy.data.compute()
    print("computed")
except FileChangedError as err:
    print("FileChangedError", err)
"""


def test_lazy_memory_mapped_file_truncated_after_loading_does_not_crash(tmp_path):
    import sys

    env = dict(os.environ, PYTHONPATH=os.fspath(Path(__file__).parents[2] / "src"),
               PYTHONWARNINGS="ignore")
    r = subprocess.run([sys.executable, "-c", TRUNCATE_CHILD, os.fspath(tmp_path / "a.tif")],
                       capture_output=True, text=True, timeout=120, env=env)
    assert r.returncode == 0, (r.returncode, r.stderr[-1500:])  # not -7 (SIGBUS)
    assert r.stdout.startswith("FileChangedError") and "a.tif" in r.stdout


@pytest.mark.parametrize("view", ["rows", "columns", "strided", "transposed", "empty"])
def test_chunk_digest_of_a_view_is_that_of_its_bytes(view):
    import zlib

    from emunmix.io_integrity import crc

    a = np.random.default_rng(0).random((12, 10, 16))
    block = {"rows": a[2:7], "columns": a[2:7, 3:8], "strided": a[:, :, ::3],
             "transposed": a.T[1:4], "empty": a[:0]}[view]
    assert crc(block) == zlib.crc32(np.ascontiguousarray(block).tobytes())
