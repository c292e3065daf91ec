"""Loading damaged, truncated, unreadable files and odd stored learning results."""

import os
import re
import shutil

import h5py
import numpy as np
import pytest
from _files_helpers import assert_message

import emunmix.api as hs
from emunmix.exceptions import LearningResultsWarning
from emunmix.learn.results import LearningResults

LR = "Experiments/sample/learning_results"


def _written(tmp_path, spectrum, ext):
    s = spectrum if ext in ("hspy", "zspy", "rpl") else spectrum.inav[0, 0]
    if ext == "tif":
        s = spectrum.inav[0].as_signal2D((0, 1))
    path = tmp_path / f"a.{ext}"
    s.save(path)
    return path


def _main_file(path):
    if path.suffix == ".rpl":
        return path.with_suffix(".raw")
    if path.is_dir():
        return path / "Experiments/sample/data/.zarray"
    return path


CASES = [(ext, lazy) for ext in ("hspy", "zspy", "msa", "rpl", "tif")
         for lazy in (False, True) if not (lazy and ext == "msa")]  # MSA: never lazy


@pytest.mark.parametrize("ext, lazy", CASES)
@pytest.mark.parametrize("cut", [0.5, 0.02], ids=["half", "head"])
def test_truncated_file_is_an_error_naming_it(tmp_path, spectrum, ext, cut, lazy):
    path = _written(tmp_path, spectrum, ext)
    target = _main_file(path)
    os.truncate(target, int(target.stat().st_size * cut))
    with pytest.raises(OSError) as info:
        s = hs.load(path, lazy=lazy)
        if lazy:
            s.data.compute()
    assert_message(info.value, f"a\\.{ext}", "damaged|truncated|could not",
                   "backup|copy it again|write it again|load it again")
    assert info.value.__cause__ is not None or re.search("no data found|states", str(
        info.value))


@pytest.mark.parametrize("ext", ["hspy", "msa", "tif", "rpl"])
def test_garbage_file_is_an_error_naming_it(tmp_path, ext):
    path = tmp_path / f"junk.{ext}"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)
                     .tobytes())
    with pytest.raises(OSError) as info:
        hs.load(path)
    assert_message(info.value, f"junk\\.{ext}", "damaged|not in that format|not a valid")
    assert info.value.__cause__ is not None or "no data found" in str(info.value)


@pytest.mark.parametrize("ext", ["hspy", "msa", "tif"])
def test_empty_file_is_an_error_naming_it(tmp_path, ext):
    path = tmp_path / f"empty.{ext}"
    path.write_bytes(b"")
    with pytest.raises(OSError) as info:
        hs.load(path)
    assert_message(info.value, f"empty\\.{ext}", "damaged|truncated|not a valid|no data")


def test_garbage_zspy_folder_names_it(tmp_path):
    path = tmp_path / "junk.zspy"
    path.mkdir()
    (path / ".zgroup").write_text("{not json")
    with pytest.raises(OSError) as info:
        hs.load(path)
    assert_message(info.value, "junk\\.zspy", "damaged|not in that format")
    assert info.value.__cause__ is not None


def test_damaged_learning_results_file_names_it(tmp_path, spectrum):
    path = spectrum.learning_results.save(tmp_path / "lr.npz")
    os.truncate(path, path.stat().st_size // 2)
    with pytest.raises(OSError) as info:
        LearningResults.load(path)
    assert_message(info.value, "lr\\.npz", "damaged|truncated", "save the results again")
    assert info.value.__cause__ is not None


PERMISSION_CHILD = """
import sys, emunmix.api as hs
from emunmix.learn.results import LearningResults
for p in sys.argv[1:]:
    try:
        LearningResults.load(p) if p.endswith(".npz") else hs.load(p)
        print("loaded", p)
    except PermissionError as err:
        print("PermissionError", err)
    except Exception as err:
        print("OTHER", type(err).__name__, err)
"""


def test_permission_denied_is_reported_as_such(tmp_path, spectrum):
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to drop the right to read any file")
    folder = tmp_path / "shared"
    folder.mkdir()
    paths = [folder / "a.hspy", folder / "b.zspy", folder / "c.msa"]
    spectrum.save(paths[0])
    spectrum.save(paths[1])
    spectrum.inav[0, 0].save(paths[2])
    paths.append(spectrum.learning_results.save(folder / "d.npz"))
    for p in paths:
        os.chmod(p, 0o000)
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.fspath(__import__("_files_helpers").SRC),
               PYTHONWARNINGS="ignore")
    # root without CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH obeys the permission bits
    r = subprocess.run(["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--",
                        sys.executable, "-c", PERMISSION_CHILD, *map(os.fspath, paths)],
                       capture_output=True, text=True, timeout=120, env=env)
    lines = [ln for ln in r.stdout.splitlines() if ln.strip()]
    assert len(lines) == len(paths), r.stderr[-2000:]
    for line, p in zip(lines, paths):
        assert line.startswith("PermissionError"), line
        assert_message(line, p.name, "permission denied", "read access")


# -- learning results with one odd value --------------------------------------------------

def _tamper(path, name, value):
    with h5py.File(path, "r+") as f:
        if name in f[LR].attrs:
            del f[LR].attrs[name]
        elif name in f[LR]:
            del f[LR][name]
        if isinstance(value, np.ndarray):
            f[LR].create_dataset(name, data=value)
        else:
            f[LR].attrs[name] = value
        del f["_emunmix_integrity"]  # as a file written elsewhere (no digests)


ODD = {
    "nan_count": ("number_significant_components", np.nan, "not a whole number"),
    "negative_count": ("number_significant_components", -3, ">= 0"),
    "text_dimension": ("output_dimension", "many", "not a whole number"),
    "short_factors": ("factors", np.ones((5, 3)), "expected 32 rows"),
    "flat_loadings": ("loadings", np.ones(48), "expected 2 dimensions"),
    "loadings_k": ("loadings", np.ones((48, 2)), "2 components"),
    "mask_size": ("navigation_mask", np.zeros(7, bool), "48 pixels"),
    "ragged_variance": ("explained_variance", np.ones((2, 2)), "expected 1 dimensions"),
    "text_factors": ("factors", np.array([b"x"] * 32), "dtype"),
}


@pytest.mark.parametrize("case", sorted(ODD))
def test_one_odd_learning_result_drops_only_that_part(tmp_path, spectrum, case):
    name, value, reason = ODD[case]
    path = tmp_path / "a.hspy"
    spectrum.save(path)
    _tamper(path, name, value)
    with pytest.warns(LearningResultsWarning) as record:
        t = hs.load(path)
    message = str(record[0].message)
    assert_message(message, "a\\.hspy", f"without {name}", reason, "decompose again")
    np.testing.assert_array_equal(t.data, spectrum.data)
    lr, ref = t.learning_results, spectrum.learning_results
    assert getattr(lr, name) is None
    for kept in ("factors", "loadings", "explained_variance"):
        if kept != name:
            np.testing.assert_allclose(getattr(lr, kept), getattr(ref, kept))
    assert lr.decomposition_algorithm == ref.decomposition_algorithm


def test_intact_learning_results_load_without_warning(tmp_path, spectrum):
    import warnings

    spectrum.save(tmp_path / "a.hspy")
    with warnings.catch_warnings():
        warnings.simplefilter("error", LearningResultsWarning)
        t = hs.load(tmp_path / "a.hspy")
    assert t.learning_results.number_significant_components == \
        spectrum.learning_results.number_significant_components
