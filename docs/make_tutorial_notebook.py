"""Write docs/tutorial.ipynb: the machine-learning tutorial with emunmix.

The notebook is generated from the cells below so that it stays reviewable as
text; ``tests/test_tutorial_notebook.py`` executes its code cells headless.
Run: ``python docs/make_tutorial_notebook.py``.
"""

import json
from pathlib import Path

CELLS = [
    ("md", "# Machine learning on spectrum images with emunmix\n\n"
           "The workflow of HyperSpy's machine-learning tutorial with `import emunmix.api as hs`. "
           "The data are emunmix's built-in synthetic EELS spectrum images, whose true maps and "
           "spectra are known (see `docs/datasets.md`)."),
    ("code", "%matplotlib widget\nimport emunmix.api as hs"),
    ("md", "## 1. PCA via SVD\n\nLoad a synthetic core-loss spectrum image "
           "(`emunmix datasets --out data` writes the same data as files)."),
    ("code", "s, truth = hs.datasets.CL1(return_truth=True)\ns"),
    ("code", "s.plot()"),
    ("code", "s.decomposition()\ns.learning_results.summary()"),
    ("code", "_ = s.plot_explained_variance_ratio()\n"
             "scree_plot = s.get_explained_variance_ratio()"),
    ("md", "### Shot noise\n\nNormalise the Poisson noise before the SVD (Keenan and Kotula)."),
    ("code", "s.decomposition(normalize_poissonian_noise=True)\n"
             "ax = hs.plot.plot_spectra([scree_plot.isig[:20],\n"
             "                           s.get_explained_variance_ratio().isig[:20]],\n"
             "                          legend=(\"Std\", \"Normalized\"))\n"
             "ax.set_yscale('log')\nax.lines[0].set_marker('o')\nax.lines[1].set_marker('o')"),
    ("md", "The number of components is also estimated for you: HyperSpy's rule (the "
           "scree plot's elbow + 1) and emunmix's own estimate (the noise edge of the "
           "Poisson-normalised data), which gives the four components used below:"),
    ("code", "(s.learning_results.number_significant_components,\n"
             " s.learning_results.estimated_number_of_components)"),
    ("code", "_ = s.plot_decomposition_loadings(4)\n_ = s.plot_decomposition_factors(4)"),
    ("code", "s.plot_decomposition_results()"),
    ("md", "### Noise reduction"),
    ("code", "sc = s.get_decomposition_model(4)\n(s + sc * 1j).plot()"),
    ("code", "(s - sc).inav[30, 30].plot()\n(s - sc).plot()"),
    ("md", "## 2. Blind source separation\n\nFastICA on the first derivative of the first "
           "four components. `random_state` makes the result reproducible."),
    ("code", "s.blind_source_separation(4, diff_order=1, random_state=0)\n"
             "s.learning_results.summary()"),
    ("code", "_ = s.plot_bss_loadings()\n_ = s.plot_bss_factors()"),
    ("code", "s.plot_bss_results()"),
    ("md", "How close are the sources to the truth? (mean |correlation| after matching)"),
    ("code", "from emunmix.learn.metrics import match_components\n"
             "_, c = match_components(s.learning_results.bss_factors.T, truth.spectra)\n"
             "c.mean()"),
    ("md", "### Non-negative matrix factorisation"),
    ("code", "s.decomposition(True, algorithm=\"nmf\", output_dimension=4)\n"
             "_ = s.plot_decomposition_loadings()\n_ = s.plot_decomposition_factors()"),
    ("md", "### Effect of noise: the noiseless CL2"),
    ("code", "s2 = hs.datasets.CL2()\ns2.decomposition(True)\n"
             "s2.blind_source_separation(4, diff_order=2, random_state=0)\n"
             "_ = s2.plot_bss_loadings()\n_ = s2.plot_bss_factors()"),
    ("md", "## 3. Pre-processing: energy instability and spikes"),
    ("code", "s3 = hs.datasets.CL3()\ns3.decomposition(True)\n"
             "_ = s3.plot_explained_variance_ratio()"),
    ("code", "ll3 = hs.datasets.LL3()\nll3.align_zero_loss_peak(also_align=[s3])"),
    ("code", "s3.decomposition(True)\n_ = s3.plot_explained_variance_ratio()\n"
             "s3.blind_source_separation(4, diff_order=2, random_state=0)\n"
             "_ = s3.plot_bss_loadings()\n_ = s3.plot_bss_factors()"),
    ("md", "Spikes: in JupyterLab (`%matplotlib widget`) the tool is interactive: step "
           "through the spikes with their proposed replacements, change the threshold (type it, "
           "or drag the red line on the derivative histogram), or press *Remove all*. Elsewhere "
           "it removes them automatically (`interactive=False` does so everywhere)."),
    ("code", "s4 = hs.datasets.CL4()\ns4.spikes_removal_tool(random_state=0)"),
    ("code", "ll4 = hs.datasets.LL3()\nll4.align_zero_loss_peak(also_align=[s4])\n"
             "s4.decomposition(True)\ns4.blind_source_separation(4, diff_order=2, random_state=0)\n"
             "_ = s4.plot_bss_loadings()\n_ = s4.plot_bss_factors()"),
]


def notebook() -> dict:
    cells = []
    for i, (kind, text) in enumerate(CELLS):
        # fixed ids (nbformat 4.5): a notebook re-run cell by cell is told apart by them
        cell = {"id": f"cell-{i:02d}", "cell_type": "markdown" if kind == "md" else "code",
                "metadata": {}, "source": text.splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3",
                                                        "language": "python",
                                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}


if __name__ == "__main__":
    out = Path(__file__).with_name("tutorial.ipynb")
    out.write_text(json.dumps(notebook(), indent=1) + "\n")
    print(f"wrote {out}")
