"""Every output of a CLI command is checked before any work (existing without
--overwrite, a missing or unwritable folder), and a run that fails after writing some
outputs removes the ones it created."""

import pytest
from _cli_helpers import assert_one_line_error, read_only_folder, run, snapshot, write

from emunmix.io import load

# command line of each command writing FILE_<suffix>.hspy next to its input
COMMANDS = {
    "decompose": (["decompose", "{file}"], "decomposed"),
    "bss": (["bss", "{file}", "--components", "2"], "bss"),
    "denoise": (["denoise", "{file}", "--components", "2"], "denoised2"),
    "despike": (["despike", "{file}"], "despiked"),
    "cluster": (["cluster", "{file}", "--clusters", "2"], "clustered"),
    "align-zlp": (["align-zlp", "{file}"], "aligned"),
}


@pytest.fixture
def folder(tmp_path):
    write(tmp_path / "spectra.hspy", "spectra")
    write(tmp_path / "lowloss.hspy", "lowloss")
    write(tmp_path / "eels.hspy", "eels")
    return tmp_path


def _file(folder, command):
    return folder / ("lowloss.hspy" if command == "align-zlp" else "spectra.hspy")


def _argv(command, folder, *extra):
    template, _ = COMMANDS[command]
    return [a.format(file=_file(folder, command)) for a in template] + ["-q", *extra]


@pytest.mark.parametrize("command", COMMANDS)
def test_an_existing_output_is_refused_without_overwrite(folder, capsys, command):
    out = folder / f"{_file(folder, command).stem}_{COMMANDS[command][1]}.hspy"
    out.write_text("keep me")
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder), capsys)
    assert code == 1
    assert_one_line_error(err, out.name, "already exists", "--overwrite")
    assert "overwrite=True" not in err
    assert snapshot(folder) == before and out.read_text() == "keep me"


@pytest.mark.parametrize("command", COMMANDS)
def test_overwrite_replaces_the_output(folder, capsys, command):
    out = folder / f"{_file(folder, command).stem}_{COMMANDS[command][1]}.hspy"
    out.write_text("old")
    code, _, err = run(_argv(command, folder, "--overwrite"), capsys)
    assert code == 0, err
    assert load(out).data.shape == load(_file(folder, command)).data.shape[:2] + (
        load(out).data.shape[-1],)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]  # no temporaries


@pytest.mark.parametrize("command", ["decompose", "bss", "denoise", "despike", "cluster"])
def test_a_missing_output_folder_is_refused_before_any_work(folder, capsys, command):
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder, "--out", folder / "no" / "out.hspy"), capsys)
    assert code == 1
    assert_one_line_error(err, "does not exist", "mkdir -p", "--out")
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", ["decompose", "despike", "cluster"])
def test_an_unwritable_output_folder_is_refused(folder, tmp_path, capsys, command):
    ro = read_only_folder(tmp_path)
    if ro is None:
        pytest.skip("no folder on this machine refuses new files to this user")
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder, "--out", ro / "out.hspy"), capsys)
    assert code == 1
    assert_one_line_error(err, "cannot write in folder", str(ro), "--out")
    assert snapshot(folder) == before


@pytest.mark.parametrize("overwrite", [[], ["--overwrite"]])
@pytest.mark.parametrize("option", ["--out", "--figure"])
def test_an_output_that_is_a_folder_is_refused(folder, capsys, option, overwrite):
    (folder / "dir.png").mkdir()
    before = snapshot(folder)
    code, _, err = run(_argv("decompose", folder, option, folder / "dir.png", *overwrite),
                       capsys)
    assert code == 1
    assert_one_line_error(err, "dir.png", "is a folder", option)
    assert snapshot(folder) == before


def test_an_input_that_is_a_folder_is_refused(folder, capsys):
    (folder / "adir").mkdir()
    code, _, err = run(["decompose", folder / "adir", "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "adir", "folder", "give the path of a file")


@pytest.mark.parametrize("command", ["decompose", "bss", "cluster"])
def test_an_existing_figure_stops_the_command_before_the_data_are_written(
        folder, capsys, command):
    fig = folder / "figure.png"
    fig.write_bytes(b"old")
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder, "--figure", fig), capsys)
    assert code == 1
    assert_one_line_error(err, "figure.png", "already exists", "--overwrite")
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", ["decompose", "bss", "cluster"])
def test_a_missing_figure_folder_stops_the_command_before_the_data_are_written(
        folder, capsys, command):
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder, "--figure", folder / "figs" / "f.png"), capsys)
    assert code == 1
    assert_one_line_error(err, "figs", "does not exist", "--figure")
    assert snapshot(folder) == before


@pytest.mark.parametrize("command", ["decompose", "despike", "align-zlp"])
def test_a_report_path_that_is_a_file_is_refused(folder, capsys, command):
    (folder / "rep").write_text("a file")
    before = snapshot(folder)
    code, _, err = run(_argv(command, folder, "--report", folder / "rep"), capsys)
    assert code == 1
    assert_one_line_error(err, "rep", "is a file")
    assert snapshot(folder) == before


def test_align_zlp_checks_every_output_before_writing_the_first(folder, capsys):
    (folder / "eels_aligned.hspy").write_text("keep me")
    before = snapshot(folder)
    code, _, err = run(["align-zlp", folder / "lowloss.hspy", "--also-align",
                        folder / "eels.hspy", "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "eels_aligned.hspy", "already exists", "--overwrite")
    assert snapshot(folder) == before  # lowloss_aligned.hspy was not written either


def test_a_failure_after_the_first_output_removes_it(folder, capsys, monkeypatch):
    from emunmix.signal.base import BaseSignal

    real_save = BaseSignal.save

    def full_disk_on_second(self, filename, *args, **kwargs):
        if "eels" in str(filename):
            raise OSError(28, "No space left on device", str(filename))
        return real_save(self, filename, *args, **kwargs)

    monkeypatch.setattr(BaseSignal, "save", full_disk_on_second)
    before = snapshot(folder)
    code, _, err = run(["align-zlp", folder / "lowloss.hspy", "--also-align",
                        folder / "eels.hspy", "-q"], capsys)
    assert code == 1
    line = assert_one_line_error(err, "eels_aligned.hspy", "No space left")
    assert "removed the 1 output" in line
    assert snapshot(folder) == before  # lowloss_aligned.hspy is gone again


def test_datasets_checks_all_five_files_first(tmp_path, capsys):
    out = tmp_path / "data"
    out.mkdir()
    (out / "LL3.hspy").write_text("keep me")
    code, _, err = run(["datasets", "--out", out, "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "LL3.hspy", "already exists", "--overwrite")
    assert sorted(p.name for p in out.iterdir()) == ["LL3.hspy"]


def test_datasets_in_an_unwritable_folder(tmp_path, capsys):
    ro = read_only_folder(tmp_path)
    if ro is None:
        pytest.skip("no folder on this machine refuses new files to this user")
    code, _, err = run(["datasets", "--out", ro / "data", "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "cannot write in folder", "--out")


def test_datasets_out_that_is_a_file(tmp_path, capsys):
    (tmp_path / "data").write_text("a file")
    code, _, err = run(["datasets", "--out", tmp_path / "data", "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "data", "is a file", "--out")


def test_demo_refuses_a_folder_holding_its_outputs(tmp_path, capsys):
    (tmp_path / "summary.txt").write_text("keep me")
    before = snapshot(tmp_path)
    code, _, err = run(["demo", "--out", tmp_path, "-q"], capsys)
    assert code == 1
    assert_one_line_error(err, "summary.txt", "already exists", "--overwrite")
    assert snapshot(tmp_path) == before


def test_report_command_refuses_an_unwritable_folder(folder, tmp_path, capsys):
    ro = read_only_folder(tmp_path)
    if ro is None:
        pytest.skip("no folder on this machine refuses new files to this user")
    code, _, err = run(["report", folder / "spectra.hspy", "--out", ro / "rep"], capsys)
    assert code == 1
    assert_one_line_error(err, "cannot write in folder", "--out")
