"""CLI processing commands on the built-in datasets: decompose, denoise, align-zlp, despike."""

import numpy as np
import pytest

from emunmix import cli
from emunmix.datasets import make_dataset
from emunmix.io import load


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
    assert cli.main(["decompose", str(data_dir / "CL1.hspy"), "--out", str(out)]) == 2


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
