"""The seed tutorial's sections 1 (PCA via SVD) and 2 (BSS), line by line.

The tutorial's own lines run unchanged with ``import emunmix.api as hs``: the embedded
CL1/CL2 datasets are written to ``data/CL1.hdf5`` and ``data/CL2.hdf5`` in a temporary
working directory first, so ``hs.load("data/CL1.hdf5")`` works as written. Plots use the
Agg backend; each step is followed by checks of what it should have produced.
"""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from emunmix.datasets import CL1, CL2  # noqa: E402


@pytest.fixture
def tutorial_dir(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    CL1().save(tmp_path / "data" / "CL1.hdf5")
    CL2().save(tmp_path / "data" / "CL2.hdf5")
    monkeypatch.chdir(tmp_path)
    yield tmp_path
    plt.close("all")


def _figures():
    return len(plt.get_fignums())


def test_section_1_pca_via_svd(tutorial_dir, capsys):
    # In [1]
    import emunmix.api as hs

    # In [2]
    s = hs.load("data/CL1.hdf5")
    assert s.axes_manager.navigation_shape == (64, 64)
    assert s.axes_manager.signal_shape == (1024,)

    # In [3]
    s.plot()
    assert _figures() >= 1

    # In [4]
    s.decomposition()
    assert "Decomposition info:" in capsys.readouterr().out
    assert s.learning_results.factors.shape[0] == 1024

    # In [5]
    text = s.learning_results.summary()
    assert "Decomposition parameters:" in text
    # HyperSpy 1.5 printed the name as given ("svd"), 2.x as canonical ("SVD")
    assert re.search(r"Decomposition algorithm : \t(?i:svd)\n", text)
    assert "Poissonian noise normalization : False" in text
    assert "Output dimension : None" in text
    assert "Centre : None" in text

    # In [6]
    n_before = _figures()
    _ = s.plot_explained_variance_ratio()
    assert _figures() == n_before + 1
    assert _.get_yscale() == "log"

    # In [7]
    with pytest.warns(UserWarning, match="deprecated since HyperSpy 2.5"):  # as in 2.5
        scree_plot = s.get_explained_variance_ratio()
    assert scree_plot.axes_manager.signal_axes[0].name == "Component index"
    assert scree_plot.data.shape == (1024,)

    # In [8]
    s.decomposition(normalize_poissonian_noise=True)
    assert s.learning_results.poissonian_noise_normalized
    assert s.learning_results.number_significant_components == 5  # HyperSpy: elbow + 1
    assert s.learning_results.estimated_number_of_components == 4

    # In [9]
    ax = hs.plot.plot_spectra([scree_plot.isig[:20],
                              s.get_explained_variance_ratio().isig[:20]],
                              legend=("Std", "Normalized"))
    assert len(ax.lines) == 2
    assert len(ax.lines[0].get_ydata()) == 20

    # In [10]
    ax = hs.plot.plot_spectra([scree_plot.isig[:20],
                              s.get_explained_variance_ratio().isig[:20]],
                              legend=("Std", "Normalized"))

    ax.set_yscale('log')
    ax.lines[0].set_marker("o")
    ax.lines[1].set_marker("o")
    # the normalised scree separates the 4 components from the noise better
    std, norm = scree_plot.data, s.get_explained_variance_ratio().data
    assert norm[3] / norm[4] > std[3] / std[4]

    # In [11]
    n_before = _figures()
    _ = s.plot_decomposition_loadings(4)
    _ = s.plot_decomposition_factors(4)
    assert _figures() > n_before

    # In [12]
    s.plot_decomposition_results()

    # In [13]
    sc = s.get_decomposition_model(4)
    assert sc.data.shape == s.data.shape
    assert type(sc) is type(s)

    # In [14]
    (s + sc * 1j).plot()

    # In [15]
    (s - sc).inav[30,30].plot()  # noqa: E231

    # In [16]
    (s - sc).plot()
    # the residual is noise: about sqrt(counts) everywhere
    resid = (s - sc).data
    assert np.abs(resid.mean()) < 0.05 * resid.std()


def test_section_2_blind_source_separation(tutorial_dir, capsys):
    import emunmix.api as hs

    s = hs.load("data/CL1.hdf5")
    s.decomposition(normalize_poissonian_noise=True)

    # In [17]
    s.blind_source_separation(4, diff_order=1)
    assert "Blind source separation info:" in capsys.readouterr().out
    assert s.learning_results.bss_factors.shape == (1024, 4)

    # In [18]
    text = s.learning_results.summary()
    assert re.search(r"Decomposition algorithm : \t(?i:svd)\n", text)
    assert "Poissonian noise normalization : True" in text
    assert "Demixing parameters" in text
    assert "sklearn_fastica" in text
    assert "Number of components : 4" in text

    # In [19]
    n_before = _figures()
    _ = s.plot_bss_loadings()
    _ = s.plot_bss_factors()
    assert _figures() > n_before

    # In [20]
    s.plot_bss_results()

    # In [21]
    s.decomposition(True, algorithm="nmf", output_dimension=4)
    assert s.learning_results.factors.shape == (1024, 4)
    assert (s.learning_results.factors >= 0).all()

    # In [22]
    _ = s.plot_decomposition_loadings()
    _ = s.plot_decomposition_factors()

    # In [ ]
    s2 = hs.load("data/CL2.hdf5")

    # In [ ]
    s2.decomposition(True)

    # In [ ]
    s2.blind_source_separation(4, diff_order=2)
    assert s2.learning_results.bss_loadings.shape == (4096, 4)

    # In [23]
    _ = s2.plot_bss_loadings()
    _ = s2.plot_bss_factors()

    # In [ ]
    s2.decomposition(True, algorithm="nmf", output_dimension=4)

    # In [24]
    _ = s2.plot_decomposition_loadings()
    _ = s2.plot_decomposition_factors()
    assert s2.learning_results.loadings.shape == (4096, 4)
