"""``emunmix demo``: the tutorial workflow end to end, with its figures of merit."""

import re

from emunmix import cli


def test_demo_runs_the_whole_workflow_and_meets_the_accuracy_targets(tmp_path, capsys):
    assert cli.main(["demo", "--out", str(tmp_path), "-q"]) == 0
    out = capsys.readouterr().out
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
