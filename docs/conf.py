"""Sphinx configuration of the emunmix documentation site (``make docs``).

The site is built from the Markdown guides in this folder (MyST), the tutorial
notebook (rendered, not executed) and the docstrings of the public surface
(``api.md``). ``tests/test_docs.py`` builds it with warnings as errors.
"""

import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(0, os.path.join(HERE, "_ext"))
# the generated notebook has no cell ids (nbformat < 4.5 style); rendering is unaffected
warnings.filterwarnings("ignore", message="Cell is missing an id field")

import emunmix  # noqa: E402

project = "emunmix"
author = "the emunmix developers"
copyright = "the emunmix developers, GPL-3.0-or-later"
version = release = emunmix.__version__

extensions = [
    "myst_nb",  # Markdown pages (MyST) and the tutorial notebook
    "sphinx.ext.autodoc",
    "numpydoc",
    "cli_help",  # docs/_ext: the CLI page from the argument parser
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
# the site shows _rendered/tutorial.ipynb, the tutorial executed (docs/render_tutorial.py)
exclude_patterns = ["_build", "_ext", "**.ipynb_checkpoints", "make_tutorial_notebook.py",
                    "render_tutorial.py", "tutorial.ipynb"]

# the notebook's cells need data and widgets: render it as stored, never execute
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_default_options = {"members": True, "undoc-members": False, "show-inheritance": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections say the types
autodoc_mock_imports = []
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

html_theme = "furo"
html_title = f"emunmix {release}"
html_static_path = []
html_show_sourcelink = False


def _benchmark_links(app, doctree):
    """The guides link ``../benchmarks/README.md`` (right on GitHub); on the site that
    README is the ``benchmarks`` page."""
    from sphinx import addnodes

    readme = os.path.normpath(os.path.join(HERE, "..", "benchmarks", "README"))
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("refdomain") == "doc" and node.get("reftarget") == readme:
            node["reftarget"] = "benchmarks"  # MyST's doc targets: docnames, no suffix


def setup(app):
    app.connect("doctree-read", _benchmark_links)
