"""The CLI's exit codes and messages: 0 success, 1 a data or file error, 2 a usage
error, a one-line message naming the file and the fix, no traceback unless --debug;
nothing is written when a command fails."""

import numpy as np
import pytest
from _cli_helpers import assert_one_line_error, run, snapshot, write

from emunmix.io import load


@pytest.fixture
def files(tmp_path):
    for kind in ("spectra", "line", "eels", "lowloss", "noise_eels", "split", "image",
                 "complex"):
        write(tmp_path / f"{kind}.hspy", kind)
    (tmp_path / "garbage.hspy").write_text("not an HDF5 file")
    return tmp_path


# (command line after `emunmix`, words the message must hold)
USAGE_ERRORS = [
    (["decompose", "{spectra}", "--components", "0"], ["--components", ">= 1"]),
    (["decompose", "{spectra}", "--components", "many"], ["--components", "'auto'"]),
    (["decompose", "{spectra}", "--algorithm", "foo"], ["--algorithm", "SVD", "NMF"]),
    (["decompose", "{spectra}", "--random-state", "-1"], ["--random-state", ">= 0"]),
    (["decompose", "{spectra}", "--spatial-smoothness", "nan"], ["--spatial-smoothness"]),
    (["decompose", "{spectra}", "--spatial-smoothness", "-1"], ["--spatial-smoothness"]),
    (["decompose", "{spectra}", "--no-such-option"], ["--no-such-option"]),
    (["decompose"], ["file"]),
    (["bss", "{spectra}", "--components", "1"], ["--components", ">= 2"]),
    (["bss", "{spectra}", "--diff-order", "-1"], ["--diff-order", ">= 0"]),
    (["denoise", "{spectra}", "--components", "0"], ["--components"]),
    (["despike", "{spectra}", "--threshold", "0"], ["--threshold", "> 0"]),
    (["despike", "{spectra}", "--threshold", "inf"], ["--threshold"]),
    (["despike", "{spectra}", "--threshold", "high"], ["--threshold", "'auto'"]),
    (["cluster", "{spectra}", "--clusters", "3", "--max-clusters", "1"], ["--max-clusters"]),
    (["cluster", "{spectra}", "--clusters", "3", "--components", "0"], ["--components"]),
    (["cluster", "{spectra}"], ["--clusters"]),
    (["datasets", "--format", "tiff"], ["--format", "hspy"]),
    (["align-zlp"], ["lowloss"]),
    (["align-zlp", "{lowloss}", "--signal-range", "1"], ["--signal-range", "2 arguments"]),
    (["align-zlp", "{lowloss}", "--signal-range", "a", "b"], ["--signal-range", "float"]),
    (["no-such-command"], ["no-such-command"]),
    (["decompose", "{spectra}", "--out", "{tmp}/out.txt"], [".txt", ".hspy"]),
    (["decompose", "{spectra}", "--figure", "{tmp}/scree.foo"], [".foo", ".png"]),
    (["decompose", "{spectra}", "--out", "{tmp}/same.png", "--figure", "{tmp}/same.png"],
     ["same.png", "different paths"]),
    (["align-zlp", "{lowloss}", "--also-align", "{eels}", "{eels}"],
     ["eels.hspy", "different paths"]),
]

DATA_ERRORS = [
    (["info", "{tmp}/nothere.hspy"], ["nothere.hspy", "no such file", "check the file"]),
    (["decompose", "{tmp}/nothere.hspy"], ["nothere.hspy", "check the file"]),
    (["decompose", "{garbage}"], ["garbage.hspy", "damaged"]),
    (["decompose", "{complex}"], ["complex.hspy", "complex", "amplitude"]),
    (["bss", "{complex}"], ["complex.hspy", "complex"]),
    (["decompose", "{spectra}", "--components", "1000"],
     ["spectra.hspy", "--components", "between 1 and 20"]),
    (["decompose", "{spectra}", "--algorithm", "NMF", "--components", "1000"],
     ["spectra.hspy", "--components"]),
    (["bss", "{spectra}", "--components", "30"],
     ["spectra.hspy", "--components 30", "emunmix decompose --components"]),
    (["denoise", "{spectra}", "--components", "100"],
     ["spectra.hspy", "--components 100", "from 1 to 20"]),
    (["align-zlp", "{spectra}"], ["spectra.hspy", "not EELS", "set_signal_type('EELS')"]),
    (["align-zlp", "{image}"], ["image.hspy", "2 signal axes", "one signal axis"]),
    (["align-zlp", "{lowloss}", "--also-align", "{image}"], ["image.hspy", "one signal axis"]),
    (["align-zlp", "{lowloss}", "--also-align", "{complex}"], ["complex.hspy", "complex"]),
    (["align-zlp", "{lowloss}", "--also-align", "{line}"], ["--also-align", "navigation"]),
    (["despike", "{image}"], ["image.hspy", "one signal axis"]),
    (["align-zlp", "{noise_eels}"], ["noise_eels.hspy", "no zero-loss peak found in 64 of 64",
                                     "nothing was changed", "--signal-range START END"]),
    (["align-zlp", "{split}"], ["split.hspy", "would keep only", "--no-crop"]),
    (["align-zlp", "{lowloss}", "--signal-range", "5", "1"],
     ["lowloss.hspy", "no zero-loss peak inside", "Widen --signal-range"]),
    (["cluster", "{complex}", "--clusters", "2"], ["complex.hspy", "complex"]),
    (["cluster", "{spectra}", "--clusters", "50"], ["spectra.hspy", "--clusters"]),
    (["report", "{tmp}/nothere.hspy", "--out", "{tmp}/rep"], ["nothere.hspy"]),
]


def _argv(template, files):
    names = {p.stem: str(p) for p in files.glob("*.hspy")}
    return [a.format(tmp=files, **names) for a in template]


@pytest.mark.parametrize("template,words", USAGE_ERRORS,
                         ids=[" ".join(t) for t, _ in USAGE_ERRORS])
def test_usage_errors_exit_2_before_any_work(files, capsys, template, words):
    before = snapshot(files)
    code, out, err = run(_argv(template, files), capsys)
    assert code == 2, err
    assert_one_line_error(err, *words)
    assert snapshot(files) == before  # nothing written, the inputs untouched


@pytest.mark.parametrize("template,words", DATA_ERRORS,
                         ids=[" ".join(t) for t, _ in DATA_ERRORS])
def test_data_and_file_errors_exit_1_naming_the_file(files, capsys, template, words):
    before = snapshot(files)
    code, out, err = run(_argv(template, files), capsys)
    assert code == 1, err
    line = assert_one_line_error(err, *words)
    assert line.startswith("emunmix: error: ")
    assert "overwrite=True" not in line and "output_dimension" not in line
    assert "signal_range" not in line and "crop=" not in line
    assert snapshot(files) == before


def test_success_exits_0(files, capsys):
    code, out, err = run(["decompose", files / "spectra.hspy", "-q"], capsys)
    assert code == 0, err
    assert load(files / "spectra_decomposed.hspy").learning_results.factors.shape[0] == 32


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_shows_the_traceback(files, capsys, where):
    argv = ["decompose", str(files / "complex.hspy")]
    argv = ["--debug", *argv] if where == "before" else [*argv, "--debug"]
    from emunmix import cli

    with pytest.raises(TypeError, match="complex"):
        cli.main(argv)
    assert not (files / "complex_decomposed.hspy").exists()


def test_an_unexpected_error_is_one_line_that_asks_for_debug(files, capsys, monkeypatch):
    from emunmix.signal.base import BaseSignal

    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(BaseSignal, "decomposition", broken)
    code, out, err = run(["decompose", files / "spectra.hspy", "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "spectra.hspy", "ZeroDivisionError", "--debug")
    assert not (files / "spectra_decomposed.hspy").exists()


def test_a_closed_pipe_is_not_an_error(files, capsys, monkeypatch):
    import emunmix.cli as cli_module

    def closed(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli_module, "describe", lambda s: closed(None))
    code, out, err = run(["info", files / "spectra.hspy"], capsys)
    assert code == 0 and "error" not in err


def test_warnings_are_one_line_in_the_cli_words(files, capsys, monkeypatch):
    import warnings

    from emunmix.signal.base import BaseSignal

    def warn_then_fail(self, *args, **kwargs):
        warnings.warn("number_of_components=30 may take minutes", UserWarning, stacklevel=2)
        raise ValueError("number_of_components=30 is too many")

    monkeypatch.setattr(BaseSignal, "blind_source_separation", warn_then_fail)
    code, out, err = run(["bss", files / "spectra.hspy", "--components", "30", "-q"], capsys)
    assert code == 1
    lines = [ln.rsplit("\r", 1)[-1] for ln in err.split("\n") if "emunmix:" in ln]
    assert lines[0] == "emunmix: warning: --components 30 may take minutes"
    assert lines[1].startswith("emunmix: error: ") and "--components 30" in lines[1]
    assert warnings.showwarning.__module__ == "warnings"  # restored afterwards


def test_align_zlp_with_a_signal_range(files, capsys):
    code, out, err = run(["align-zlp", files / "lowloss.hspy", "--signal-range", "-2", "2",
                          "-q"], capsys)
    assert code == 0, err
    s = load(files / "lowloss_aligned.hspy")
    assert abs(s.axes_manager[-1].axis[np.argmax(s.data.mean((0, 1)))]) < 0.15  # at 0 eV
