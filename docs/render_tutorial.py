"""Write docs/_rendered/tutorial.ipynb: docs/tutorial.ipynb executed, outputs stored.

The documentation site shows this copy, so readers see the tutorial's figures and
printed results without the site build running anything. The interactive
``%matplotlib widget`` becomes ``%matplotlib inline`` (static PNG figures); every other
line is the tutorial's own. ``tests/test_docs.py`` checks that the copy's code is the
tutorial's, so a changed tutorial fails the tests until this is rerun:

    MPLBACKEND=Agg .venv/bin/python docs/render_tutorial.py
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "tutorial.ipynb"
TARGET = HERE / "_rendered" / "tutorial.ipynb"
MAGIC = ("%matplotlib widget", "%matplotlib inline")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def static_copy(nb: dict) -> dict:
    """The notebook with the widget backend replaced by inline figures."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            src = "".join(cell["source"]).replace(*MAGIC)
            cell["source"] = src.splitlines(keepends=True)
    return nb


def main() -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.reads(json.dumps(static_copy(json.loads(SOURCE.read_text()))), as_version=4)
    with tempfile.TemporaryDirectory() as work:  # datasets or files the cells write
        NotebookClient(nb, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": work}}).execute()
    # widget views need the live kernel (and JavaScript from the network): keep their text
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(WIDGET_MIME, None)
    TARGET.parent.mkdir(exist_ok=True)
    tmp = TARGET.with_suffix(".tmp")
    tmp.write_text(nbformat.writes(nb) + "\n")
    os.replace(tmp, TARGET)
    print(f"wrote {TARGET} ({TARGET.stat().st_size / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
