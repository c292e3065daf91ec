"""Reader choice for shared extensions, errors by cause, and what HyperSpy's dict2signal
does with a reader's dictionary (navigate flags, record_by, post_process, mapping, lazy)."""

import gzip
import importlib
import shutil
from pathlib import Path

import numpy as np
import pytest

import emunmix.api as hs
from emunmix import io_readers
from emunmix.io_dict import dict_to_signal
from emunmix.io_readers import ReaderUnavailableError, candidate_readers
from emunmix.signal import EELSSpectrum, Signal1D, Signal2D

REAL = Path(__file__).parent / "data" / "real"


def _unpack(name, folder: Path, new_name=None) -> Path:
    target = folder / (new_name or name)
    with gzip.open(REAL / f"{name}.gz", "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


# -- reader choice --------------------------------------------------------------------------

@pytest.mark.parametrize("ext, head, reader", [
    ("xml", b'<?xml version="1.0"?>\n<LSX_Data>\n<LSX_Tree>', "JobinYvon"),
    ("xml", b'<root name="acquisition_1"><timestamp/>', "EMPAD"),
    ("img", b"IM\x00\x00[Application],Software=\"HPD-TA\"", "Hamamatsu"),
    ("img", b"\x00\x00\x00\x01JEOL image", "JEOL"),
    ("csv", b"Time, Notes, Channel A Temperature\n0, , 25\n", "Protochips"),
    ("mrc", b"\x00" * 1024, "MRC"),
])
def test_shared_extensions_are_decided_by_the_content(tmp_path, ext, head, reader):
    path = tmp_path / f"file.{ext}"
    path.write_bytes(head)
    assert [p["name"] for p in candidate_readers(path, None)] == [reader]


def test_an_hdf5_file_written_by_hyperspy_needs_no_reader_argument():
    # HyperSpy 2.5 itself asks for reader= here (HSPY, USID and Delmic share .hdf5)
    assert candidate_readers(Path(__file__).parent / "data" / "hs_eels.hdf5",
                             None)[0]["name"] == "HSPY"


def test_real_horiba_file_loads_without_reader(tmp_path):
    s = hs.load(_unpack("jobinyvon_test_linescan.xml", tmp_path))
    assert repr(s).startswith("<Signal1D") and s.axes_manager.signal_shape == (34,)


def test_undecidable_content_tries_every_reader_and_lists_what_each_said(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(OSError, match=r"no reader could open.*\['Impulse', 'Protochips'\]"
                       r".*reader=.*Impulse: .*Protochips: "):
        hs.load(path)


def test_explicit_reader_name_or_alias_is_used(tmp_path):
    path = _unpack("linescan.tvf", tmp_path)
    s = hs.load(path, reader="TriVista")
    assert s.axes_manager.signal_shape == (97,)
    with pytest.raises(ValueError, match="unknown reader 'nope'; known readers:"):
        hs.load(path, reader="nope")


# -- errors by cause --------------------------------------------------------------------------

def test_a_reader_that_cannot_load_lazily_says_so(tmp_path):
    path = _unpack("jobinyvon_test_linescan.xml", tmp_path)
    with pytest.raises(NotImplementedError, match="JobinYvon reader cannot load lazily.*"
                       "lazy=False"):
        hs.load(path, lazy=True)


def test_a_missing_optional_package_is_named_with_the_pip_command(tmp_path, monkeypatch):
    path = _unpack("test_loading_image_saved_with_imageJ.tif", tmp_path)
    real_import = importlib.import_module

    def fake_import(name, *args):
        if name == "rsciio.tiff":
            raise ModuleNotFoundError("No module named 'tifffile'", name="tifffile")
        return real_import(name, *args)

    monkeypatch.setattr(io_readers.importlib, "import_module", fake_import)
    with pytest.raises(ReaderUnavailableError, match="TIFF reader needs the package "
                       "'tifffile'.*pip install tifffile"):
        hs.load(path)


def test_a_truncated_file_is_reported_as_damaged_never_as_zeros(tmp_path):
    full = _unpack("EELS_SI.dm4", tmp_path)
    cut = tmp_path / "cut.dm4"
    cut.write_bytes(full.read_bytes()[:20000])
    with pytest.raises(OSError, match="DigitalMicrograph reader: the file may be damaged"):
        hs.load(cut)


@pytest.mark.parametrize("name", ["test_loading_image_saved_with_imageJ.tif", "test2.blo"])
def test_a_truncated_file_loaded_lazily_fails_at_load_not_at_compute(tmp_path, name):
    # these readers map the file without reading it: the end is checked at load
    full = _unpack(name, tmp_path)
    cut = tmp_path / f"cut{full.suffix}"
    cut.write_bytes(full.read_bytes()[: int(full.stat().st_size * 0.8)])
    with pytest.raises(OSError, match="damaged or truncated"):
        hs.load(cut, lazy=True)
    assert hs.load(full, lazy=True)._lazy  # the whole file passes the check


def test_a_file_that_is_not_in_its_format_is_reported_as_such(tmp_path):
    path = tmp_path / "fake.bcf"
    path.write_bytes(b"not a bruker file at all")
    with pytest.raises(OSError, match="Bruker reader: the file may be damaged"):
        hs.load(path)


def test_a_misspelt_reader_option_stays_a_type_error(tmp_path):
    path = _unpack("test2.blo", tmp_path)
    with pytest.raises(TypeError, match="Blockfile reader.*keyword"):
        hs.load(path, no_such_option=1)


# -- what HyperSpy's dict2signal does ------------------------------------------------------------

def _axes(*specs):
    return [{"name": n, "size": s, "navigate": nav, "scale": 1.0, "offset": 0.0}
            for n, s, nav in specs]


def test_navigation_axes_after_signal_axes_in_the_array_are_moved_first():
    data = np.arange(2 * 3 * 5).reshape(5, 2, 3)  # (E, y, x) with E the signal axis
    d = {"data": data, "axes": _axes(("E", 5, False), ("y", 2, True), ("x", 3, True)),
         "metadata": {"Signal": {"signal_type": "EELS"}}}
    s = dict_to_signal(d)
    assert type(s) is EELSSpectrum and s.axes_manager.navigation_shape == (3, 2)
    assert [a.name for a in s.axes_manager.signal_axes] == ["E"]
    np.testing.assert_array_equal(s.data, np.moveaxis(data, 0, -1))


def test_record_by_and_missing_navigate_flags_give_the_signal_dimension():
    d = {"data": np.zeros((4, 6)), "axes": [{"name": "a", "size": 4}, {"name": "b", "size": 6}],
         "metadata": {"Signal": {"record_by": "spectrum"}}}
    s = dict_to_signal(d)
    assert type(s) is Signal1D and s.axes_manager.signal_shape == (6,)
    assert not s.metadata.has_item("Signal.record_by")
    d["metadata"] = {}
    s = dict_to_signal(d)  # no flags, no record_by: every axis is a signal axis
    assert type(s) is Signal2D and s.axes_manager.navigation_dimension == 0


def test_unknown_signal_type_keeps_its_name_with_the_generic_class():
    d = {"data": np.zeros((3, 7)), "axes": _axes(("x", 3, True), ("w", 7, False)),
         "metadata": {"Signal": {"signal_type": "CL"}}}
    s = dict_to_signal(d)
    assert type(s) is Signal1D and s.metadata.Signal.signal_type == "CL"


def test_post_process_then_mapping_as_hyperspy():
    seen = []

    def to_spectra(s):
        seen.append(repr(s))
        return s.to_signal1D()

    d = {"data": np.arange(24.0).reshape(4, 2, 3),  # stack of 4 energy-filtered maps
         "axes": _axes(("E", 4, True), ("y", 2, False), ("x", 3, False)),
         "metadata": {"Signal": {"signal_type": "EELS"}},
         "original_metadata": {"Microscope Info": {"Voltage (V)": 200000.0}},
         "post_process": [to_spectra, lambda s: s.squeeze()],
         "mapping": {"Microscope_Info.Voltage_V": ("Acquisition_instrument.TEM.beam_energy",
                                                   lambda v: v / 1e3)}}
    s = dict_to_signal(d, reader="Test")
    assert seen == ["<Signal2D, title: , dimensions: (4|3, 2)>"]
    assert repr(s) == "<EELSSpectrum, title: , dimensions: (3, 2|4)>"
    np.testing.assert_array_equal(s.data[1, 2], np.arange(24.0).reshape(4, 2, 3)[:, 1, 2])
    assert s.metadata.Acquisition_instrument.TEM.beam_energy == 200.0
    assert s.metadata.General.FileIO["0"].io_plugin == "Test"


def test_lazy_loads_are_dask_backed_even_from_readers_returning_numpy(tmp_path):
    path = _unpack("16x16_12bit_packed_8bit.bcf", tmp_path)  # its image comes as numpy
    lazy, eager = hs.load(path, lazy=True), hs.load(path)
    for s, e in zip(lazy, eager):
        assert s._lazy and type(s.data).__module__.startswith("dask")
        np.testing.assert_array_equal(s.data.compute(), e.data)


def test_a_broken_lazy_path_of_a_reader_falls_back_to_memory_with_a_warning(tmp_path):
    import matplotlib.pyplot as plt

    path = tmp_path / "image.png"  # RosettaSciIO's lazy PNG read raises a TypeError
    plt.imsave(path, np.arange(12, dtype=float).reshape(3, 4), cmap="gray")
    with pytest.warns(UserWarning, match="failed to read .* lazily.*wrapped as a dask"):
        s = hs.load(path, lazy=True)
    assert s._lazy
    np.testing.assert_array_equal(np.asarray(s.data), hs.load(path).data)


def test_dm_spectrum_image_is_not_transposed_and_keeps_its_instrument(tmp_path):
    s = hs.load(_unpack("EELS_SI.dm4", tmp_path))
    assert repr(s) == "<EELSSpectrum, title: EELS_SI, dimensions: (2, 2|2048)>"
    tem = s.metadata.Acquisition_instrument.TEM
    assert (tem.beam_energy, tem.convergence_angle, tem.Detector.EELS.collection_angle) == \
        (200.0, 21.0, 62.0)
    assert s.original_metadata.ImageList.TagGroup0.ImageTags.EELS_Spectrometer.has_item(
        "Aperture_label")
    single = hs.load(_unpack("test-EELS_spectrum.dm3", tmp_path))
    assert repr(single) == "<EELSSpectrum, title: EELS Acquire, dimensions: (|2048)>"
