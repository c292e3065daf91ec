"""CLI processing commands on the built-in datasets: decompose, denoise, align-zlp, despike."""

import numpy as np
import pytest

from emunmix import cli
from emunmix.datasets import make_dataset
from emunmix.io import load
from emunmix.learn.metrics import match_components


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("data")
    assert cli.main(["datasets", "--out", str(out), "-q"]) == 0
    return out


def test_decompose_saves_data_with_results_and_a_scree_figure(data_dir, tmp_path, capsys):
    out, fig = tmp_path / "dec.hspy", tmp_path / "scree.png"
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--components", "auto",
                     "--out", str(out), "--figure", str(fig)]) == 0
    assert "Poissonian noise normalization : True" in capsys.readouterr().out
    s = load(out)
    assert s.learning_results.factors.shape == (1024, 4)  # 'auto' found the 4 phases
    assert fig.stat().st_size > 1000
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--out", str(out)]) == 1


def test_denoise_keeps_the_significant_components(data_dir, tmp_path):
    out = tmp_path / "den.hspy"
    assert cli.main(["denoise", str(data_dir / "CL1.hspy"), "--out", str(out)]) == 0
    truth = make_dataset("CL1").truth.noiseless
    raw, den = load(data_dir / "CL1.hspy").data, load(out).data
    assert np.sqrt(np.mean((den - truth) ** 2)) * 5 < np.sqrt(np.mean((raw - truth) ** 2))


def test_align_zlp_aligns_both_files(data_dir, capsys):
    assert cli.main(["align-zlp", str(data_dir / "LL3.hspy"), "--also-align",
                     str(data_dir / "CL3.hspy"), "--overwrite"]) == 0
    assert "Initial ZLP position statistics" in capsys.readouterr().out
    ll = load(data_dir / "LL3_aligned.hspy")
    ax = ll.axes_manager.signal_axes[0]
    peaks = ax.axis[np.argmax(ll.data, axis=-1)]
    assert abs(np.median(peaks)) <= ax.scale and peaks.std() < 0.5 * ax.scale
    cl = load(data_dir / "CL3_aligned.hspy")
    assert cl.axes_manager.navigation_shape == (64, 64)


def test_despike_removes_the_injected_spikes(data_dir, tmp_path):
    out = tmp_path / "clean.hspy"
    assert cli.main(["despike", str(data_dir / "CL4.hspy"), "--out", str(out)]) == 0
    truth = make_dataset("CL4").truth
    clean = load(out).data
    spikes = truth.spike_mask
    assert np.all(clean[spikes] < load(data_dir / "CL4.hspy").data[spikes])
    assert np.count_nonzero(clean != truth.spike_free) - spikes.sum() <= 10


def test_bss_decomposes_first_and_unmixes_the_elbow_components(data_dir, tmp_path, capsys):
    out, fig = tmp_path / "bss.hspy", tmp_path / "bss.png"
    assert cli.main(["bss", str(data_dir / "CL1.hspy"), "--out", str(out),
                     "--figure", str(fig), "-q"]) == 0
    text = capsys.readouterr().out
    assert "decomposed first" in text and "unmixing 4 components" in text
    lr = load(out).learning_results
    truth = make_dataset("CL1").truth
    maps = match_components(lr.bss_loadings.T, truth.maps.reshape(4, -1))[1]
    spectra = match_components(lr.bss_factors.T, truth.spectra)[1]
    assert maps.mean() > 0.998 and spectra.mean() > 0.998
    assert fig.stat().st_size > 1000


def test_bss_on_a_decomposed_file_uses_its_results(data_dir, tmp_path, capsys):
    dec, out = tmp_path / "dec.hspy", tmp_path / "bss.hspy"
    assert cli.main(["decompose", str(data_dir / "CL2.hspy"), "--no-poisson",
                     "--out", str(dec), "-q"]) == 0
    capsys.readouterr()
    assert cli.main(["bss", str(dec), "--components", "4", "--diff-order", "2",
                     "--out", str(out), "-q"]) == 0
    assert "decomposed first" not in capsys.readouterr().out
    lr = load(out).learning_results
    assert lr.poissonian_noise_normalized is False and lr.bss_factors.shape == (1024, 4)


def test_decompose_nmf_with_the_spatial_prior(data_dir, tmp_path):
    out = tmp_path / "nmf.hspy"
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--algorithm", "NMF",
                     "--components", "4", "--spatial-smoothness", "auto", "--out", str(out),
                     "-q"]) == 0
    lr = load(out).learning_results
    truth = make_dataset("CL1").truth
    maps = match_components(lr.loadings.T, truth.maps.reshape(4, -1))[1]
    assert maps.mean() > 0.999
    assert lr.decomposition_parameters.get("spatial_smoothness") == "auto"
