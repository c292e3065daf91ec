"""Real instrument files load as HyperSpy 2.5 loads them.

The files are small RosettaSciIO test files (GPL-3.0) shipped gzip-compressed in
tests/data/real/; expected.json holds what HyperSpy 2.5 gives for each (written by
tests/data/make_real_expected.py with HyperSpy's interpreter; HyperSpy is not imported
here). Class, shapes, dtype, axes (values of non-uniform axes point by point), key
metadata and the data are compared.
"""

import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

import emunmix.api as hs

sys.path.insert(0, str(Path(__file__).parent / "data"))
from make_real_expected import FILES, describe, unpacked  # noqa: E402

EXPECTED = json.loads((Path(__file__).parent / "data" / "real" / "expected.json").read_text())
REL = 1e-9  # calibrations are the file's float64/float32 values: equal up to rounding


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=REL, abs_tol=1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


@pytest.fixture(scope="module")
def real_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("real")
    for name in FILES:
        unpacked(name, folder)
    return folder


def _load(real_dir, name, **kwds):
    s = hs.load(real_dir / name, **kwds)
    return s if isinstance(s, list) else [s]


@pytest.mark.parametrize("name", sorted(FILES))
def test_loads_as_hyperspy(real_dir, name):
    got = [describe(s) for s in _load(real_dir, name)]
    want = EXPECTED[name]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for key in ("class", "navigation_shape", "signal_shape", "data_shape", "dtype"):
            assert g[key] == w[key], (key, g[key], w[key])
        assert len(g["axes"]) == len(w["axes"])
        for ga, wa in zip(g["axes"], w["axes"]):
            assert set(ga) == set(wa), (ga, wa)
            for k in wa:
                assert _close(ga[k], wa[k]), (k, ga[k], wa[k])
        for k, v in w["metadata"].items():
            assert k in g["metadata"], f"metadata {k} missing"
            if k == "General.title" and v == "" and g["metadata"][k] == Path(name).stem:
                continue  # emunmix titles a file that gives no title by its name
            assert _close(g["metadata"][k], v), (k, g["metadata"][k], v)
        assert _close(g["data_sum"], w["data_sum"])
        assert _close(g["data_first"], w["data_first"])
        assert g["has_original_metadata"] == w["has_original_metadata"]


@pytest.mark.parametrize("name", sorted(FILES))
def test_lazy_as_hyperspy(real_dir, name):
    want = EXPECTED[name]
    if want[0]["lazy"] is None:
        with pytest.raises(NotImplementedError, match="cannot load lazily"):
            hs.load(real_dir / name, lazy=True)
        return
    signals = _load(real_dir, name, lazy=True)
    for s, w in zip(signals, want):
        assert s._lazy is w["lazy"]
        assert list(s.data.shape) == w["data_shape"]
        assert list(s.axes_manager.navigation_shape) == w["navigation_shape"]
    eager = _load(real_dir, name)
    for s, e in zip(signals, eager):
        np.testing.assert_array_equal(np.asarray(s.data), e.data)
