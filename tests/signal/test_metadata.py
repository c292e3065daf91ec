"""Metadata trees: attribute access, dotted paths, dict conversion, tree printing."""

import copy

import numpy as np
import pytest

from emunmix.signal import DictionaryTreeBrowser


@pytest.fixture
def md():
    return DictionaryTreeBrowser({
        "General": {"title": "CL1", "original_filename": "CL1.hspy"},
        "Signal": {"signal_type": "EELS"},
        "Acquisition_instrument": {"TEM": {"beam_energy": 200.0, "Detector": {"EELS": {
            "collection_angle": 20.0}}}},
    })


def test_attribute_access(md):
    assert md.General.title == "CL1"
    assert md.Acquisition_instrument.TEM.beam_energy == 200.0
    assert isinstance(md.General, DictionaryTreeBrowser)
    assert md["General"]["title"] == "CL1"


def test_signal_metadata_title(eels):
    assert eels.metadata.General.title == "CL1"
    eels.metadata.General.title = "renamed"
    assert repr(eels).startswith("<EELSSpectrum, title: renamed,")


def test_new_signal_has_title_and_signal_type(signal1d):
    assert signal1d.metadata.General.title == ""
    assert signal1d.metadata.Signal.signal_type == ""


def test_missing_attribute_lists_what_exists(md):
    with pytest.raises(AttributeError, match=r"'Nope'.*'Acquisition_instrument'.*'General'"):
        _ = md.Nope
    assert not hasattr(md, "Nope")


def test_set_item_creates_intermediate_nodes(md):
    md.set_item("Sample.elements", ["Ti", "Mn"])
    assert md.Sample.elements == ["Ti", "Mn"]
    md.set_item("General.title", "new")
    assert md.General.title == "new"
    assert md.General.original_filename == "CL1.hspy"  # siblings untouched
    md.set_item("General.title.sub", 1)  # a leaf replaced by a node
    assert md.General.title.sub == 1


def test_set_item_with_a_dict_makes_a_node(md):
    md.set_item("Extra", {"a": {"b": 2}})
    assert md.Extra.a.b == 2
    md.Other = {"c": 3}
    assert isinstance(md.Other, DictionaryTreeBrowser) and md.Other.c == 3


def test_get_item(md):
    assert md.get_item("Acquisition_instrument.TEM.Detector.EELS.collection_angle") == 20.0
    assert md.get_item("General.nothing", "default") == "default"
    assert md.get_item("General.title.deeper", None) is None
    with pytest.raises(AttributeError, match="General.nothing"):
        md.get_item("General.nothing")


def test_has_item(md):
    assert md.has_item("General.title")
    assert md.has_item("Acquisition_instrument.TEM")
    assert not md.has_item("General.nothing")
    assert not md.has_item("General.title.deeper")
    assert "Signal.signal_type" in md
    assert "Signal.nothing" not in md


def test_has_item_with_a_none_value():
    md = DictionaryTreeBrowser({"a": None})
    assert md.has_item("a") and md.get_item("a") is None


def test_as_dictionary_round_trip(md):
    d = md.as_dictionary()
    assert type(d) is dict and type(d["General"]) is dict
    assert d["Acquisition_instrument"]["TEM"]["Detector"]["EELS"]["collection_angle"] == 20.0
    assert DictionaryTreeBrowser(d) == md
    d["General"]["title"] = "changed"  # a copy, not a view
    assert md.General.title == "CL1"


def test_add_dictionary_merges(md):
    md.add_dictionary({"General": {"date": "2024-01-01"}, "New": {"x": 1}})
    assert md.General.title == "CL1" and md.General.date == "2024-01-01"
    assert md.New.x == 1


def test_input_dict_is_not_shared():
    src = {"a": {"b": [1, 2]}}
    md = DictionaryTreeBrowser(src)
    md.a.b.append(3)
    assert src["a"]["b"] == [1, 2]


def test_deepcopy_and_copy_are_independent(md):
    for c in (md.copy(), copy.deepcopy(md)):
        c.General.title = "other"
        c.set_item("Acquisition_instrument.TEM.beam_energy", 300.0)
        assert md.General.title == "CL1"
        assert md.Acquisition_instrument.TEM.beam_energy == 200.0


def test_delete_items(md):
    del md.General.original_filename
    assert not md.has_item("General.original_filename")
    del md["Signal"]
    assert "Signal" not in md


def test_equality_handles_arrays():
    a = DictionaryTreeBrowser({"x": np.arange(3), "y": 1})
    b = DictionaryTreeBrowser({"x": np.arange(3), "y": 1})
    c = DictionaryTreeBrowser({"x": np.arange(4), "y": 1})
    assert a == b and a != c


def test_prints_as_a_tree(md):
    text = repr(md)
    assert text == str(md)
    assert text.splitlines() == [
        "├── Acquisition_instrument",
        "│   └── TEM",
        "│       ├── Detector",
        "│       │   └── EELS",
        "│       │       └── collection_angle = 20.0",
        "│       └── beam_energy = 200.0",
        "├── General",
        "│   ├── original_filename = CL1.hspy",
        "│   └── title = CL1",
        "└── Signal",
        "    └── signal_type = EELS",
    ]


def test_printing_shortens_large_values():
    md = DictionaryTreeBrowser({"big": np.zeros((100, 3)), "long": "x" * 200,
                                "scalar": np.float32(1.5)})
    lines = repr(md).splitlines()
    assert lines[0] == "├── big = <array shape=(100, 3) dtype=float64>"
    assert len(lines[1]) < 100 and lines[1].endswith("...")
    assert lines[2] == "└── scalar = 1.5"


def test_keys_len_iter_dir(md):
    assert set(md.keys()) == {"General", "Signal", "Acquisition_instrument"}
    assert len(md) == 3
    assert [k for k, _ in md] == ["Acquisition_instrument", "General", "Signal"]
    assert "General" in dir(md) and "set_item" in dir(md)


def test_original_metadata_is_a_tree_too(eels):
    assert eels.original_metadata.Instrument.serial == "A-1"
    assert eels.original_metadata.as_dictionary() == {"Instrument": {"serial": "A-1",
                                                                      "gain": 2}}
