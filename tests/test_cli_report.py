"""``emunmix report FILE`` and ``--report DIR`` on the processing commands."""

import json

import numpy as np
import pytest

from _report_page import PageParts, decode_png, figure_titles, missing_numbers
from emunmix import cli


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    assert cli.main(["datasets", "--out", str(out), "-q"]) == 0
    return out


def _read(folder):
    page = (folder / "report.html").read_text()
    summary = json.loads((folder / "summary.json").read_text())
    parts = PageParts(page)
    assert missing_numbers(summary, " ".join(parts.text)) == []
    assert len(parts.images) == len(figure_titles(summary))
    for src in parts.images:
        decode_png(src)
    return summary, {s["name"]: s for s in summary["steps"]}


def test_decompose_and_bss_reports(data_dir, tmp_path, capsys):
    dec, bss = tmp_path / "dec.hspy", tmp_path / "bss.hspy"
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--out", str(dec), "-q",
                     "--report", str(tmp_path / "r1")]) == 0
    assert str(tmp_path / "r1" / "report.html") in capsys.readouterr().out
    summary, steps = _read(tmp_path / "r1")
    assert list(steps) == ["load", "decomposition", "save"]
    assert all(s["seconds"] > 0 for s in steps.values())
    assert summary["command"].startswith("emunmix decompose ")
    assert steps["decomposition"]["parameters"]["normalize_poissonian_noise"] is True
    assert steps["decomposition"]["ground_truth"]["true components"] == 4
    # bss of the decomposed file: the decomposition was read, not run, so it is not timed
    assert cli.main(["bss", str(dec), "--out", str(bss), "-q",
                     "--report", str(tmp_path / "r2")]) == 0
    _, steps = _read(tmp_path / "r2")
    assert steps["decomposition"]["seconds"] is None
    assert steps["blind source separation"]["ground_truth"]["maps mean |corr|"] > 0.99
    # the file alone: the same stored results, the elbow and the scree table
    assert cli.main(["report", str(bss), "--out", str(tmp_path / "r3")]) == 0
    _, steps = _read(tmp_path / "r3")
    assert list(steps) == ["decomposition", "blind source separation"]
    assert len(steps["decomposition"]["tables"]["scree"]) == 20


def test_denoise_report_scores_the_model_against_the_noiseless_truth(data_dir, tmp_path):
    assert cli.main(["denoise", str(data_dir / "CL1.hspy"), "--out", str(tmp_path / "d.hspy"),
                     "-q", "--report", str(tmp_path / "r")]) == 0
    _, steps = _read(tmp_path / "r")
    gt = steps["denoising"]["ground_truth"]
    assert gt["error reduction factor"] > 5
    assert steps["denoising"]["seconds"] > 0 and steps["decomposition"]["seconds"] is None
    assert "Before / after denoising" in steps["denoising"]["figures"]


def test_align_zlp_report_compares_centres_with_the_true_shifts(data_dir, tmp_path):
    assert cli.main(["align-zlp", str(data_dir / "LL3.hspy"), "--also-align",
                     str(data_dir / "CL3.hspy"), "--overwrite", "-q",
                     "--report", str(tmp_path / "r")]) == 0
    summary, steps = _read(tmp_path / "r")
    step = steps["zero-loss-peak alignment"]
    assert step["ground_truth"]["centre error RMS (eV)"] < 0.05  # half an LL channel
    assert step["results"]["ZLP centre after"]["std"] < 0.1 * step["results"][
        "ZLP centre before"]["std"]
    labels = [d["label"] for d in summary["datasets"]]
    assert labels == ["low loss, before alignment", "also aligned, before", "aligned", "aligned"]
    # the new calibration: the zero-loss peak at 0 eV
    ll_after = summary["datasets"][2]["axes"][2]
    assert ll_after["low"] < 0 < ll_after["high"] and ll_after["size"] < 1024


def test_despike_report_finds_every_injected_spike(data_dir, tmp_path):
    from emunmix.datasets import make_dataset

    assert cli.main(["despike", str(data_dir / "CL4.hspy"), "--out", str(tmp_path / "s.hspy"),
                     "-q", "--report", str(tmp_path / "r")]) == 0
    _, steps = _read(tmp_path / "r")
    gt = steps["spike removal"]["ground_truth"]
    assert gt["injected spike channels"] == int(make_dataset("CL4").truth.spike_mask.sum())
    assert gt["recall"] >= 0.95 and gt["precision"] >= 0.95


def test_an_existing_report_stops_the_command_before_any_work(data_dir, tmp_path, capsys):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "summary.json").write_text("{}")
    out = tmp_path / "dec.hspy"
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--out", str(out), "-q",
                     "--report", str(tmp_path / "r")]) == 1
    assert "already exists" in capsys.readouterr().err
    assert not out.exists()  # nothing was computed or written
    assert (tmp_path / "r" / "summary.json").read_text() == "{}"


def test_report_of_a_file_without_results(data_dir, tmp_path):
    assert cli.main(["report", str(data_dir / "LL3.hspy"), "--out", str(tmp_path)]) == 0
    summary, steps = _read(tmp_path)
    assert steps == {} and summary["datasets"][0]["title"] == "LL3"
    stats = summary["datasets"][0]["statistics"]
    from emunmix.io import load

    data = load(data_dir / "LL3.hspy").data
    assert stats["max"] == pytest.approx(float(data.max()))
    assert stats["mean"] == pytest.approx(float(np.mean(data, dtype=np.float64)), rel=1e-5)


def test_report_of_a_file_whose_reader_has_no_lazy_mode(tmp_path):
    from pathlib import Path

    msa = Path(__file__).parent / "data" / "hs_spectrum.msa"  # one spectrum, MSA reader
    assert cli.main(["report", str(msa), "--out", str(tmp_path)]) == 0
    summary, _ = _read(tmp_path)
    assert summary["datasets"][0]["navigation_shape"] == []
