"""The documentation site builds with warnings as errors, so it cannot rot: a renamed
function, a broken docstring, a missing page or a dead link between pages fails here."""

import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(out)],
        capture_output=True, text=True, env={"MPLBACKEND": "Agg", "PATH": ""}, timeout=300)
    assert result.returncode == 0, result.stderr[-5000:]
    pages = {p.name for p in out.glob("*.html")}
    for page in ("index.html", "getting-started.html", "tutorial.html", "api.html",
                 "coming-from-hyperspy.html", "benchmarks.html", "cluster.html",
                 "reports.html", "cli.html", "decomposition.html"):
        assert page in pages
    api = (out / "api.html").read_text()
    for name in ("emunmix.api.load", "emunmix.signal.BaseSignal.decomposition",
                 "emunmix.signal.Signal1D.spikes_removal_tool",
                 "emunmix.signal.EELSSpectrum.align_zero_loss_peak",
                 "emunmix.preprocess.find_spikes", "emunmix.report.report"):
        assert f'id="{name}"' in api, name
    assert "usage: emunmix decompose" in (out / "cli.html").read_text()
    tutorial = (out / "tutorial.html").read_text()
    assert "Machine learning on spectrum images" in tutorial
    assert tutorial.count("blind_source_separation") >= 2  # the code cells are rendered
