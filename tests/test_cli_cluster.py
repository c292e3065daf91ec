"""``emunmix cluster FILE --clusters N|auto``."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

import emunmix.api as hs
from emunmix import cli

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def phase_file(tmp_path_factory):
    s, truth = hs.datasets.PHASES(return_truth=True)
    path = tmp_path_factory.mktemp("cluster") / "phases.hspy"
    s.save(path)
    return path, truth


def test_auto_estimates_the_phases_and_saves_the_labels(phase_file, tmp_path, capsys):
    path, truth = phase_file
    out, fig = tmp_path / "c.hspy", tmp_path / "map.png"
    assert cli.main(["cluster", str(path), "--clusters", "auto", "--out", str(out),
                     "--figure", str(fig), "-q"]) == 0
    text = capsys.readouterr().out
    assert "estimated number of clusters (gap): 4" in text
    assert fig.stat().st_size > 0
    s = hs.load(out)
    lr = s.learning_results
    assert lr.number_of_clusters == 4 and lr.estimated_number_of_clusters == 4
    assert lr.decomposition_algorithm is not None  # decomposed first
    labels = s.get_cluster_labels(merged=True).data.ravel()
    assert adjusted_rand_score(truth.labels.ravel(), labels) >= 0.95
    # never overwrites without --overwrite
    assert cli.main(["cluster", str(path), "--clusters", "3", "--out", str(out), "-q"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert hs.load(out).learning_results.number_of_clusters == 4


def test_fixed_number_on_the_signal_itself(phase_file, tmp_path):
    path, truth = phase_file
    out = tmp_path / "s.hspy"
    assert cli.main(["cluster", str(path), "--clusters", "4", "--source", "signal",
                     "--out", str(out), "-q"]) == 0
    s = hs.load(out)
    assert s.learning_results.cluster_sum_signals.shape == (4, 512)
    assert np.isclose(s.learning_results.cluster_sum_signals.sum(), s.data.sum(), rtol=1e-5)


@pytest.mark.parametrize("value", ["1", "many"])
def test_bad_cluster_numbers_are_refused(phase_file, value, capsys):
    path, _ = phase_file
    with pytest.raises(SystemExit):
        cli.main(["cluster", str(path), "--clusters", value])
    assert "--clusters" in capsys.readouterr().err


def test_info_shows_the_clusters(phase_file, tmp_path, capsys):
    path, _ = phase_file
    out = tmp_path / "c.hspy"
    assert cli.main(["cluster", str(path), "--clusters", "3", "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    assert cli.main(["info", str(out)]) == 0
    text = capsys.readouterr().out
    assert "clusters: 3 (kmeans), pixels per cluster:" in text


def test_cluster_report_has_the_map_the_means_and_the_sizes(tmp_path):
    import json

    import emunmix.api as hs
    from emunmix import cli

    src = tmp_path / "phases.hspy"
    hs.datasets.PHASES(shape=(24, 24)).save(src)
    out = tmp_path / "rep"
    assert cli.main(["cluster", str(src), "--clusters", "3", "--report", str(out), "-q"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    page = (out / "report.html").read_text()
    section = next(s for s in summary["steps"] if s["name"] == "cluster analysis")
    assert section["results"]["clusters"] == 3
    assert section["results"]["clustered pixels"] == 24 * 24
    sizes = [row["pixels"] for row in section["tables"]["clusters"]]
    assert sum(sizes) == 24 * 24 and sizes == sorted(sizes, reverse=True)
    assert page.count("data:image/png;base64,") >= 3  # overview, scree, map, means
    assert "Cluster map" in page and "Cluster mean signals" in page
