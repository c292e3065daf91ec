"""File IO: round trips, lazy/glob/list/stack loading, errors, atomic saves, HyperSpy files."""

import os
from pathlib import Path

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.io import load, save, sniff_hdf5, supported_extensions
from emunmix.signal import (
    BaseSignal,
    ComplexSignal1D,
    EDSTEMSpectrum,
    EELSSpectrum,
    Signal1D,
    Signal2D,
)

ROUND_TRIP_EXTENSIONS = ["hspy", "zspy", "hdf5"]


def _files(folder: Path) -> list[str]:
    """Every entry of a folder, hidden ones (temporary files) included."""
    return sorted(os.listdir(folder))


# -- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize("ext", ROUND_TRIP_EXTENSIONS)
def test_round_trip_keeps_data_axes_metadata_and_class(tmp_path, eels, ext):
    path = tmp_path / f"cl1.{ext}"
    eels.save(path)
    s = hs.load(path)
    assert type(s) is EELSSpectrum
    assert s.data.dtype == np.float32
    np.testing.assert_array_equal(s.data, eels.data)
    assert s.axes_manager.as_dictionaries() == eels.axes_manager.as_dictionaries()
    assert [a.navigate for a in s.axes_manager] == [True, True, False]
    assert s.metadata.General.title == "CL1"
    assert s.metadata.Signal.signal_type == "EELS"
    assert s.metadata.Acquisition_instrument.TEM.beam_energy == 200.0
    assert s.metadata.General.original_filename == f"cl1.{ext}"
    assert s.original_metadata.Instrument.serial == "A-1"
    assert s.original_metadata.Instrument.gain == 2
    assert repr(s) == "<EELSSpectrum, title: CL1, dimensions: (5, 3|10)>"


@pytest.mark.parametrize("ext", ROUND_TRIP_EXTENSIONS)
@pytest.mark.parametrize("dtype, cls", [
    (np.int16, Signal1D), (np.uint8, Signal1D), (np.int64, Signal1D),
    (np.complex64, ComplexSignal1D), (np.complex128, ComplexSignal1D)])
def test_round_trip_dtypes(tmp_path, ext, dtype, cls):
    data = (np.arange(12) - 3).reshape(2, 6).astype(dtype)
    if np.iscomplexobj(data):
        data = data + 1j * data[::-1]
    s = Signal1D(data) if not np.iscomplexobj(data) else ComplexSignal1D(data)
    s.save(tmp_path / f"a.{ext}")
    t = load(tmp_path / f"a.{ext}")
    assert type(t) is cls
    assert t.data.dtype == data.dtype
    np.testing.assert_array_equal(t.data, data)


def test_round_trip_image_stack_and_edx(tmp_path):
    im = Signal2D(np.arange(24, dtype=np.float64).reshape(2, 3, 4),
                  axes=[{"name": "t", "units": "s"},
                        {"name": "y", "units": "nm", "scale": 0.1, "navigate": False},
                        {"name": "x", "units": "nm", "scale": 0.2, "navigate": False}])
    im.save(tmp_path / "im.hspy")
    t = load(tmp_path / "im.hspy")
    assert type(t) is Signal2D and t.axes_manager.signal_shape == (4, 3)
    assert t.axes_manager["x"].scale == 0.2
    eds = EDSTEMSpectrum(np.ones((2, 8)))
    eds.save(tmp_path / "eds.zspy")
    assert type(load(tmp_path / "eds.zspy")) is EDSTEMSpectrum


def test_save_adds_default_extension(tmp_path, eels):
    eels.save(tmp_path / "noext")
    assert (tmp_path / "noext.hspy").is_file()
    eels.save(tmp_path / "other.hspy", extension="zspy")
    assert (tmp_path / "other.zspy").is_dir()
    assert save(tmp_path / "ret", eels) == tmp_path / "ret.hspy"


def test_title_defaults_to_the_file_name(tmp_path):
    np.save(tmp_path / "named.npy", np.arange(6.0).reshape(2, 3))  # a file with no metadata
    s = load(tmp_path / "named.npy")
    assert s.metadata.General.title == "named"
    np.testing.assert_array_equal(s.data, np.arange(6.0).reshape(2, 3))
    # an empty title stored in a file stays empty, as in HyperSpy
    Signal1D(np.ones(4)).save(tmp_path / "untitled.hspy")
    assert load(tmp_path / "untitled.hspy").metadata.General.title == ""


def test_signal_type_override(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    s = load(tmp_path / "a.hspy", signal_type="EDS_TEM")
    assert type(s) is EDSTEMSpectrum
    generic = load(tmp_path / "a.hspy", signal_type="")
    assert type(generic) is Signal1D


def test_unknown_stored_signal_type_gives_the_generic_class(tmp_path):
    s = Signal1D(np.ones((2, 4)))
    s.metadata.Signal.signal_type = "Raman"  # not a type emunmix knows
    s.save(tmp_path / "r.hspy")
    t = load(tmp_path / "r.hspy")
    assert type(t) is Signal1D and t.metadata.Signal.signal_type == "Raman"


# -- lazy, glob, list, stack ------------------------------------------------------------------

@pytest.mark.parametrize("ext", ROUND_TRIP_EXTENSIONS)
def test_lazy_load_gives_dask_with_the_same_values(tmp_path, eels, ext):
    import dask.array as da

    eels.save(tmp_path / f"a.{ext}")
    s = load(tmp_path / f"a.{ext}", lazy=True)
    assert isinstance(s.data, da.Array)
    assert s._lazy and repr(s).startswith("<LazyEELSSpectrum")
    assert s.axes_manager.as_dictionaries() == eels.axes_manager.as_dictionaries()
    np.testing.assert_array_equal(s.data.compute(), eels.data)
    np.testing.assert_array_equal(np.asarray(s.isig[401.0:403.0].data), eels.data[..., 2:6])
    s.compute()
    assert isinstance(s.data, np.ndarray)
    np.testing.assert_array_equal(s.data, eels.data)


@pytest.mark.parametrize("ext", ["hspy", "zspy"])
def test_lazy_load_computes_nothing(tmp_path, eels, ext):
    import dask

    eels.save(tmp_path / f"a.{ext}")

    def no_compute(*args, **kwargs):
        raise AssertionError("lazy load computed the data")

    with dask.config.set(scheduler=no_compute):
        s = load(tmp_path / f"a.{ext}", lazy=True)
        _ = s.isig[401.0:403.0].inav[1:3]
    assert s._lazy


def test_lazy_signal_saves(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    lz = load(tmp_path / "a.hspy", lazy=True)
    lz.save(tmp_path / "b.zspy")
    np.testing.assert_array_equal(load(tmp_path / "b.zspy").data, eels.data)


def _write_three(tmp_path, make_eels_signal):
    sigs = []
    for i in range(3):
        s = make_eels_signal(title=f"s{i}") * (i + 1)
        s.save(tmp_path / f"part_{i}.hspy")
        sigs.append(s)
    (tmp_path / "notes.txt").write_text("not a signal")
    return sigs


def test_glob_loads_matching_files_in_sorted_order(tmp_path, make_eels_signal):
    sigs = _write_three(tmp_path, make_eels_signal)
    loaded = load(str(tmp_path / "part_*.hspy"))
    assert isinstance(loaded, list) and len(loaded) == 3
    for got, want in zip(loaded, sigs):
        np.testing.assert_array_equal(got.data, want.data)
        assert got.metadata.General.title == want.metadata.General.title


def test_glob_without_matches(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing_"):
        load(str(tmp_path / "nothing_*.hspy"))


def test_list_loading_keeps_the_given_order(tmp_path, make_eels_signal):
    _write_three(tmp_path, make_eels_signal)
    loaded = load([tmp_path / "part_2.hspy", str(tmp_path / "part_0.hspy")])
    assert [s.metadata.General.title for s in loaded] == ["s2", "s0"]


def test_stack_adds_a_navigation_axis(tmp_path, make_eels_signal):
    sigs = _write_three(tmp_path, make_eels_signal)
    st = load(str(tmp_path / "part_*.hspy"), stack=True)
    assert type(st) is EELSSpectrum
    assert st.axes_manager.navigation_shape == (5, 3, 3)
    assert st.axes_manager.signal_shape == (10,)
    for i, s in enumerate(sigs):
        np.testing.assert_array_equal(st.inav[:, :, i].data, s.data)
    assert st.axes_manager["x"].scale == 0.5
    st2 = hs.stack(sigs)
    np.testing.assert_array_equal(st2.data, st.data)


def test_stack_of_different_shapes_is_an_error(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    eels.isig[:5].save(tmp_path / "b.hspy")
    with pytest.raises(ValueError, match="different shapes"):
        load([tmp_path / "a.hspy", tmp_path / "b.hspy"], stack=True)


# -- errors -----------------------------------------------------------------------------------

def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent.hspy"
    with pytest.raises(FileNotFoundError, match="absent.hspy"):
        load(path)
    with pytest.raises(FileNotFoundError, match="absent.hspy"):
        load([path])


def test_no_filename_is_a_type_error():
    with pytest.raises(TypeError):
        load()


def test_unknown_extension_lists_the_supported_ones(tmp_path):
    path = tmp_path / "data.xyz"
    path.write_text("hello")
    with pytest.raises(ValueError) as exc:
        load(path)
    msg = str(exc.value)
    assert "'.xyz'" in msg and "data.xyz" in msg
    for ext in ("hspy", "zspy", "msa", "dm3", "emd"):
        assert ext in msg
    assert set(supported_extensions(writes=True)) <= set(supported_extensions())


def test_saving_to_an_unwritable_extension_lists_writable_ones(tmp_path, eels):
    with pytest.raises(ValueError, match=r"cannot write '\.dm3'.*hspy.*zspy"):
        eels.save(tmp_path / "a.dm3")
    assert _files(tmp_path) == []


def test_saving_into_a_missing_folder(tmp_path, eels):
    with pytest.raises(FileNotFoundError, match="missing"):
        eels.save(tmp_path / "missing" / "a.hspy")


def test_unknown_reader_name(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    with pytest.raises(ValueError, match="unknown reader 'nope'.*HSPY"):
        load(tmp_path / "a.hspy", reader="nope")
    assert type(load(tmp_path / "a.hspy", reader="hspy")) is EELSSpectrum


def test_folder_is_not_a_file(tmp_path):
    with pytest.raises(IsADirectoryError, match=str(tmp_path.name)):
        load(tmp_path)


@pytest.mark.parametrize("ext", ["hspy", "hdf5"])
def test_garbage_file_is_an_oserror_naming_the_file(tmp_path, ext):
    path = tmp_path / f"garbage.{ext}"
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(OSError, match=f"garbage.{ext}") as exc:
        load(path)
    assert "could not read" in str(exc.value)


@pytest.mark.parametrize("fraction", [0.05, 0.5, 0.95])
@pytest.mark.parametrize("lazy", [False, True])
def test_truncated_file_is_an_oserror_naming_the_file(tmp_path, eels, fraction, lazy):
    eels.save(tmp_path / "full.hspy")
    raw = (tmp_path / "full.hspy").read_bytes()
    path = tmp_path / "cut.hspy"
    path.write_bytes(raw[: int(len(raw) * fraction)])
    with pytest.raises(OSError, match="cut.hspy") as exc:
        load(path, lazy=lazy)
    assert "could not read" in str(exc.value)
    assert "truncated" in str(exc.value)


@pytest.mark.parametrize("content", [None, b"junk"])
def test_corrupt_zspy_folder_is_an_oserror_naming_it(tmp_path, content):
    folder = tmp_path / "bad.zspy"
    folder.mkdir()
    if content is not None:
        (folder / ".zgroup").write_bytes(content)
    with pytest.raises(OSError, match="could not read '.*bad.zspy'"):
        load(folder)


def test_hdf5_that_is_not_a_signal_file(tmp_path):
    import h5py

    path = tmp_path / "plain.h5"
    with h5py.File(path, "w") as f:
        f["x"] = np.arange(3)
    with pytest.raises(OSError, match="plain.h5.*reader="):
        load(path)


def test_corrupt_msa_names_the_file(tmp_path):
    path = tmp_path / "bad.msa"
    path.write_text("#FORMAT : EMSA/MAS Spectral Data File\n#NPOINTS : 3\nnot numbers\n")
    with pytest.raises(OSError, match="bad.msa"):
        load(path)


# -- saving is atomic and never overwrites by accident -------------------------------------------

@pytest.mark.parametrize("ext", ROUND_TRIP_EXTENSIONS)
def test_existing_file_is_kept_without_overwrite(tmp_path, eels, ext):
    path = tmp_path / f"a.{ext}"
    eels.save(path)
    for overwrite in (None, False):
        with pytest.raises(FileExistsError, match=f"a.{ext}.*overwrite=True"):
            (eels * 0).save(path, overwrite=overwrite)
    np.testing.assert_array_equal(load(path).data, eels.data)
    assert _files(tmp_path) == [f"a.{ext}"]
    (eels * 2).save(path, overwrite=True)
    np.testing.assert_array_equal(load(path).data, eels.data * 2)
    assert _files(tmp_path) == [f"a.{ext}"]  # no temporary or backup left behind


def _failing_writer(written: list):
    def writer(filename, signal, **kwds):
        # .hspy writers get a guarded file object that is also the path (os.PathLike)
        if hasattr(filename, "close"):
            filename.close()
        filename = os.fspath(filename)
        written.append(filename)
        if filename.endswith(".zspy"):
            os.makedirs(filename)
            Path(filename, "partial").write_bytes(b"\0" * 1000)
        else:
            with open(filename, "wb") as f:
                f.write(b"\x89HDF\r\n\x1a\n" + b"\0" * 1000)
        raise RuntimeError("disk full (simulated)")

    return writer


@pytest.mark.parametrize("ext, module", [("hspy", "rsciio.hspy"), ("zspy", "rsciio.zspy"),
                                         ("hdf5", "rsciio.hspy")])
def test_failed_save_leaves_no_partial_or_temporary_file(tmp_path, eels, monkeypatch, ext,
                                                         module):
    import importlib

    written = []
    monkeypatch.setattr(importlib.import_module(module), "file_writer", _failing_writer(written))
    with pytest.raises(RuntimeError, match="disk full"):
        eels.save(tmp_path / f"a.{ext}")
    # it did start writing, into a hidden temporary folder beside the target
    assert written and Path(written[0]).parent.parent == tmp_path
    assert Path(written[0]).parent.name.startswith(".a.")
    assert _files(tmp_path) == []


def test_formats_with_companion_files_are_saved_whole_and_never_overwritten(tmp_path, eels):
    # Ripple writes x.rpl naming x.raw: both land, consistent, and nothing else stays
    eels.save(tmp_path / "x.rpl")
    assert _files(tmp_path) == ["x.raw", "x.rpl"]
    t = load(tmp_path / "x.rpl")
    np.testing.assert_array_equal(t.data, eels.data)
    (tmp_path / "x.rpl").unlink()  # a leftover x.raw belongs to someone: kept
    with pytest.raises(FileExistsError, match=r"\['x.raw'\].*overwrite=True"):
        (eels * 2).save(tmp_path / "x.rpl")
    assert _files(tmp_path) == ["x.raw"]
    (eels * 2).save(tmp_path / "x.rpl", overwrite=True)
    np.testing.assert_array_equal(load(tmp_path / "x.rpl").data, eels.data * 2)


@pytest.mark.parametrize("ext, module", [("hspy", "rsciio.hspy"), ("zspy", "rsciio.zspy")])
def test_failed_overwrite_keeps_the_old_file(tmp_path, eels, monkeypatch, ext, module):
    import importlib

    path = tmp_path / f"a.{ext}"
    eels.save(path)
    monkeypatch.setattr(importlib.import_module(module), "file_writer", _failing_writer([]))
    with pytest.raises(RuntimeError):
        (eels * 0).save(path, overwrite=True)
    monkeypatch.undo()
    assert _files(tmp_path) == [f"a.{ext}"]
    np.testing.assert_array_equal(load(path).data, eels.data)


def test_interrupted_save_cleans_up(tmp_path, eels, monkeypatch):
    import rsciio.hspy

    def interrupted(filename, signal, **kwds):
        Path(filename).write_bytes(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(rsciio.hspy, "file_writer", interrupted)
    with pytest.raises(KeyboardInterrupt):
        eels.save(tmp_path / "a.hspy")
    assert _files(tmp_path) == []


# -- HyperSpy-made files (tests/data, written by HyperSpy 2.5) -----------------------------------

def _hs_eels_data():
    y, x, e = np.meshgrid(np.arange(3), np.arange(4), np.arange(16), indexing="ij")
    return (100 * y + 10 * x + e / 4).astype(np.float32)


@pytest.mark.parametrize("name", ["hs_eels.hspy", "hs_eels.hdf5"])
def test_hyperspy_eels_file_loads(data_dir, name):
    s = load(data_dir / name)  # no reader= even for .hdf5
    assert type(s) is EELSSpectrum
    assert repr(s) == "<EELSSpectrum, title: HS EELS, dimensions: (4, 3|16)>"
    assert s.data.dtype == np.float32
    np.testing.assert_array_equal(s.data, _hs_eels_data())
    am = s.axes_manager
    assert [(a.name, a.units, a.scale, a.offset, a.navigate) for a in am] == [
        ("x", "nm", 0.25, -2.0, True), ("y", "nm", 0.5, 1.0, True),
        ("Energy loss", "eV", 0.5, 450.0, False)]
    assert s.metadata.Acquisition_instrument.TEM.beam_energy == 200.0
    np.testing.assert_array_equal(s.isig[451.0].data, _hs_eels_data()[..., 2])


def test_hyperspy_hdf5_is_sniffed(data_dir):
    assert sniff_hdf5(data_dir / "hs_eels.hdf5") == "HSPY"


def test_hyperspy_file_loads_lazily(data_dir):
    s = load(data_dir / "hs_eels.hdf5", lazy=True)
    assert s._lazy
    np.testing.assert_array_equal(s.data.compute(), _hs_eels_data())


def test_hyperspy_complex_and_image_files(data_dir):
    c = load(data_dir / "hs_complex.hspy")
    assert type(c) is ComplexSignal1D and c.data.dtype == np.complex64
    np.testing.assert_array_equal(c.real.data.ravel(), np.arange(10))
    np.testing.assert_array_equal(c.imag.data.ravel(), np.arange(10)[::-1])
    assert c.metadata.General.title == "HS complex"
    im = load(data_dir / "hs_image.hspy")
    assert type(im) is Signal2D and im.data.dtype == np.int16
    assert repr(im) == "<Signal2D, title: HS image, dimensions: (2|4, 3)>"
    assert [a.name for a in im.axes_manager] == ["frame", "x", "y"]
    assert im.axes_manager["x"].scale == pytest.approx(0.1)
    np.testing.assert_array_equal(im.data, np.arange(24).reshape(2, 3, 4))


def test_hyperspy_file_resaved_by_emunmix_round_trips(tmp_path, data_dir):
    s = load(data_dir / "hs_eels.hspy")
    s.save(tmp_path / "again.hspy")
    t = load(tmp_path / "again.hspy")
    np.testing.assert_array_equal(t.data, s.data)
    assert t.axes_manager.as_dictionaries() == s.axes_manager.as_dictionaries()
    assert t.axes_manager["Energy loss"].is_binned  # HyperSpy's EELS axes are binned


def test_hyperspy_msa_file_loads(data_dir):
    s = load(data_dir / "hs_spectrum.msa")
    assert type(s) is EELSSpectrum
    ax = s.axes_manager[0]
    assert (ax.name, ax.units, ax.scale, ax.offset, ax.size) == (
        "Energy loss", "eV", 0.5, 450.0, 16)
    np.testing.assert_allclose(s.data, _hs_eels_data()[2, 1])
    assert s.metadata.General.title == "HS EELS"


def test_handwritten_msa_loads(tmp_path):
    lines = [
        "#FORMAT      : EMSA/MAS Spectral Data File",
        "#VERSION     : 1.0",
        "#TITLE       : hand made",
        "#DATE        : 01-JAN-2024",
        "#TIME        : 12:00",
        "#OWNER       : emunmix tests",
        "#NPOINTS     : 5",
        "#NCOLUMNS    : 1",
        "#XUNITS      : eV",
        "#DATATYPE    : XY",
        "#XPERCHAN    : 10.0",
        "#OFFSET      : 100.0",
        "#SIGNALTYPE  : EDS",
        "#SPECTRUM    : Spectral Data Starts Here",
    ] + [f"{100 + 10 * i:.1f}, {v:.1f}" for i, v in enumerate([5, 7, 11, 13, 17])] + [
        "#ENDOFDATA   : End Of Data and File"]
    path = tmp_path / "hand.msa"
    path.write_text("\r\n".join(lines) + "\r\n")
    s = load(path)
    assert isinstance(s, Signal1D)
    np.testing.assert_array_equal(s.data, [5, 7, 11, 13, 17])
    assert s.axes_manager[0].scale == 10.0 and s.axes_manager[0].offset == 100.0
    assert s.metadata.General.title == "hand made"


def test_msa_written_by_emunmix(tmp_path, spectrum):
    spectrum.save(tmp_path / "sp.msa")
    s = load(tmp_path / "sp.msa")
    assert type(s) is EELSSpectrum
    np.testing.assert_allclose(s.data, spectrum.data)
    assert s.axes_manager[0].offset == 400.0 and s.axes_manager[0].scale == 0.5


def test_api_exposes_load():
    assert hs.load is load
    assert issubclass(hs.signals.EELSSpectrum, BaseSignal)


def test_tiff_round_trip_keeps_the_image_calibration(tmp_path):
    im = Signal2D(np.arange(2 * 6 * 8, dtype=np.uint16).reshape(2, 6, 8), axes=[
        {"name": "z", "navigate": True},
        {"name": "y", "units": "nm", "scale": 0.5, "offset": 1.0, "navigate": False},
        {"name": "x", "units": "nm", "scale": 0.5, "offset": 2.0, "navigate": False}])
    im.save(tmp_path / "stack.tif")
    t = load(tmp_path / "stack.tif")
    assert type(t) is Signal2D and t.axes_manager.navigation_shape == (2,)
    np.testing.assert_array_equal(t.data, im.data)
    x, y = t.axes_manager.signal_axes
    assert (x.scale, x.offset, x.units, y.scale, y.offset) == (0.5, 2.0, "nm", 0.5, 1.0)


def test_load_original_metadata_false_drops_it_after_the_mapping(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    s = load(tmp_path / "a.hspy", load_original_metadata=False)
    assert len(s.original_metadata) == 0
    assert s.metadata.Acquisition_instrument.TEM.beam_energy == 200.0


def test_convert_units_is_refused_rather_than_ignored(tmp_path, eels):
    eels.save(tmp_path / "a.hspy")
    with pytest.raises(NotImplementedError, match="convert_units=True"):
        load(tmp_path / "a.hspy", convert_units=True)
    assert type(load(tmp_path / "a.hspy", convert_units=False)) is EELSSpectrum
