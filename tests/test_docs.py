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
    for page in ("index.html", "getting-started.html", "api.html",
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
    tutorial = (out / "_rendered" / "tutorial.html").read_text()
    assert "Machine learning on spectrum images" in tutorial
    assert tutorial.count("blind_source_separation") >= 2  # the code cells are rendered
    assert tutorial.count('src="data:image/png') + tutorial.count("<img") >= 10  # figures
    assert "widget-view" not in tutorial


def test_rendered_tutorial_is_the_tutorial():
    """The site's executed copy has the tutorial's code, cell for cell, and its outputs."""
    import json
    import runpy

    render = runpy.run_path(str(DOCS / "render_tutorial.py"))
    source = render["static_copy"](json.loads((DOCS / "tutorial.ipynb").read_text()))
    rendered = json.loads((DOCS / "_rendered" / "tutorial.ipynb").read_text())

    def code(nb):
        return [("".join(c["source"]), c["cell_type"]) for c in nb["cells"]]

    assert code(rendered) == code(source), "run python docs/render_tutorial.py"
    outputs = [o for c in rendered["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 10
