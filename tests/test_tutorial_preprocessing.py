"""Section 3 of the seed tutorial ("Pre-processing for EELS signal separation"), line by
line with ``import emunmix.api as hs`` and the embedded datasets saved as data/*.hdf5.

The first test runs the pre-processing lines (alignment, spike removal) that this part
of the library owns; the second runs the whole section, decompositions and BSS
included, once the decomposition kernels are installed.
"""

import matplotlib
import pytest

import emunmix.api as hs
from _scree import components_above_noise

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tutorial_dir(tmp_path_factory):
    """A folder with data/CL1, CL3, CL4 and LL3 .hdf5 files, as the tutorial expects."""
    root = tmp_path_factory.mktemp("tutorial")
    (root / "data").mkdir()
    for name in ("CL1", "CL3", "CL4", "LL3"):
        getattr(hs.datasets, name)().save(root / "data" / f"{name}.hdf5")
    return root


@pytest.fixture
def in_tutorial_dir(tutorial_dir, monkeypatch):
    monkeypatch.chdir(tutorial_dir)
    yield tutorial_dir
    import matplotlib.pyplot as plt

    plt.close("all")


def test_section3_preprocessing_lines(in_tutorial_dir, capsys):
    # In [25]
    s3 = hs.load("data/CL3.hdf5")
    # In [29]
    ll3 = hs.load("data/LL3.hdf5")
    # In [31]
    assert repr(ll3) == "<EELSSpectrum, title: LL3, dimensions: (64, 64|1024)>"
    # In [32]
    ll3.align_zero_loss_peak(also_align=[s3])
    out = capsys.readouterr().out
    assert out.startswith("Initial ZLP position statistics\n-------------------------------\n"
                          "Summary statistics\n------------------\nmean:\t")
    for key in ("std:\t", "min:\t", "Q1:\t", "median:\t", "Q3:\t", "max:\t"):
        assert key in out
    assert s3.axes_manager.navigation_shape == ll3.axes_manager.navigation_shape
    assert components_above_noise(s3.data) == components_above_noise(hs.load("data/CL1.hdf5").data)
    # In [36]
    s4 = hs.load("data/CL4.hdf5")
    spikes = s4.find_spikes().data.sum()
    # In [40]: no GUI under pytest -> automatic, and said so
    with pytest.warns(UserWarning, match="automatically"):
        s4.spikes_removal_tool()
    assert f"Removed {spikes} spike(s)" in capsys.readouterr().out
    assert not s4.find_spikes().data.any()
    # In [41]
    ll4 = hs.load("data/LL3.hdf5")
    ll4.align_zero_loss_peak(also_align=[s4])
    assert "Initial ZLP position statistics" in capsys.readouterr().out
    assert components_above_noise(s4.data) == 4


def test_section3_line_by_line(in_tutorial_dir):
    pytest.importorskip("emunmix.learn.decomposition.pipeline")
    # In [25] - [28]
    s3 = hs.load("data/CL3.hdf5")
    s3.plot()
    s3.decomposition(True)
    _ = s3.plot_explained_variance_ratio()
    n_before = s3.learning_results.number_significant_components
    # In [29] - [32]
    ll3 = hs.load("data/LL3.hdf5")
    ll3.plot()
    assert repr(ll3).startswith("<EELSSpectrum")  # In [31]: ll3
    ll3.align_zero_loss_peak(also_align=[s3])
    # In [33] - [35]
    s3.decomposition(True)
    s3.plot_explained_variance_ratio()
    assert s3.learning_results.number_significant_components <= n_before
    s3.blind_source_separation(4, diff_order=2)
    _ = s3.plot_bss_loadings()
    _ = s3.plot_bss_factors()
    # In [36] - [39]
    s4 = hs.load("data/CL4.hdf5")
    s4.decomposition(True)
    _ = s4.plot_explained_variance_ratio()
    s4.blind_source_separation(4, diff_order=2)
    _ = s4.plot_bss_loadings()
    _ = s4.plot_bss_factors()
    # In [40]
    with pytest.warns(UserWarning, match="automatically"):
        s4.spikes_removal_tool()
    # In [41] - [44]
    ll4 = hs.load("data/LL3.hdf5")
    ll4.align_zero_loss_peak(also_align=[s4])
    s4.decomposition(True)
    _ = s4.plot_explained_variance_ratio()
    s4.blind_source_separation(4, diff_order=2)
    _ = s4.plot_bss_loadings()
    _ = s4.plot_bss_factors()
    assert s4.learning_results.bss_factors is not None
