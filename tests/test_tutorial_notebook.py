"""docs/tutorial.ipynb: every code cell runs headless, and the notebook is current."""

import json
import runpy
from pathlib import Path

import matplotlib.pyplot as plt

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_notebook_matches_its_generator():
    gen = runpy.run_path(str(DOCS / "make_tutorial_notebook.py"))
    stored = json.loads((DOCS / "tutorial.ipynb").read_text())
    assert stored == gen["notebook"](), "run python docs/make_tutorial_notebook.py"


def test_notebook_code_cells_run_headless():
    nb = json.loads((DOCS / "tutorial.ipynb").read_text())
    namespace: dict = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = [ln for ln in "".join(cell["source"]).splitlines() if not ln.startswith("%")]
        exec(compile("\n".join(lines), "<tutorial cell>", "exec"), namespace)  # noqa: S102
        plt.close("all")
    assert namespace["s4"].learning_results.bss_factors.shape[1] == 4
    assert namespace["c"].mean() >= 0.998
