"""``emunmix demo``: the tutorial workflow end to end, with its figures of merit."""

import json
import re

from _report_page import PageParts, decode_png, figure_titles, missing_numbers
from emunmix import cli


def test_demo_runs_the_whole_workflow_and_meets_the_accuracy_targets(tmp_path, capsys):
    report = tmp_path / "report"
    assert cli.main(["demo", "--out", str(tmp_path), "-q", "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {report / 'report.html'}" in out
    summary = (tmp_path / "summary.txt").read_text()
    assert summary.strip() in out
    assert "4 significant components (truth 4)" in summary
    # every BSS/NMF line reports mean |corr| of maps and spectra
    scores = [float(x) for x in re.findall(r"(?:maps|spectra) (\d\.\d+)", summary)]
    assert len(scores) == 10
    assert min(scores) >= 0.99
    lowered = float(re.search(r"\(([\d.]+)x lower\)", summary).group(1))
    assert lowered >= 5
    for png in ("scree_poisson.png", "bss_factors_CL1.png", "nmf_factors_CL1.png"):
        assert (tmp_path / png).stat().st_size > 1000

    _check_report(report)


def _check_report(folder):
    """The demo's page: every step, its ground-truth scores, figures and numbers."""
    summary = json.loads((folder / "summary.json").read_text())
    parts = PageParts((folder / "report.html").read_text())
    assert missing_numbers(summary, " ".join(parts.text)) == []
    assert len(parts.images) == len(figure_titles(summary)) >= 15
    for src in parts.images:
        decode_png(src)
    assert summary["command"] == f"emunmix demo --random-state 0 --report {folder}"
    steps = {s["name"]: s for s in summary["steps"]}
    assert len(summary["datasets"]) == 5
    assert steps["spike removal"]["ground_truth"]["recall"] == 1.0
    assert steps["denoising"]["ground_truth"]["error reduction factor"] > 5
    assert steps["zero-loss-peak alignment"]["ground_truth"]["centre error RMS (eV)"] < 0.05
    bss = [s for name, s in steps.items() if name.startswith("BSS")]
    assert len(bss) == 4 and all(s["ground_truth"]["maps mean |corr|"] > 0.99 for s in bss)
    assert steps["NMF(4) (CL1)"]["ground_truth"]["spectra mean |corr|"] > 0.99
