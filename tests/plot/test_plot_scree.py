"""Scree plot: significant components, thresholds, lines and axes."""

import numpy as np
import pytest
from matplotlib.colors import to_rgba

import emunmix.api as hs
from emunmix.plot.scree import NOISE_FMT, SIGNAL_FMT, elbow_index
from emunmix.signal import Signal1D

# four strong components, then a slowly decaying noise floor
RATIO = np.concatenate([[0.5, 0.25, 0.12, 0.06], 1e-3 * np.geomspace(1, 0.5, 60)])


def points(ax, label):
    return [line for line in ax.lines if line.get_label() == label]


def test_threshold_float_splits_and_draws_hline():
    ax = hs.plot.plot_scree(RATIO, threshold=0.01)
    (sig,) = points(ax, "signal")
    (noise,) = points(ax, "noise")
    np.testing.assert_array_equal(sig.get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(noise.get_ydata(), RATIO[4:30])
    assert to_rgba(sig.get_color()) == to_rgba(SIGNAL_FMT["color"])
    assert to_rgba(noise.get_color()) == to_rgba(NOISE_FMT["color"])
    assert ax.get_yscale() == "log"
    hlines = [ln for ln in ax.lines if ln.get_label().startswith("_")]
    assert len(hlines) == 1 and hlines[0].get_ydata()[0] == 0.01


def test_threshold_int_is_a_number_of_components_without_line():
    ax = hs.plot.plot_scree(RATIO, threshold=2, n=10)
    assert len(points(ax, "signal")[0].get_xdata()) == 2
    assert len(points(ax, "noise")[0].get_xdata()) == 8
    assert len(ax.lines) == 2


def test_no_threshold_all_noise_and_n_significant_overrides():
    ax = hs.plot.plot_scree(RATIO)
    assert [ln.get_label() for ln in ax.lines] == ["noise"]
    ax = hs.plot.plot_scree(RATIO, threshold=0.01, n_significant=3, hline=True)
    assert len(points(ax, "signal")[0].get_xdata()) == 3
    assert len(ax.lines) == 3  # hline between the 3rd and the 4th component


def test_vline_at_elbow_number_axis_and_custom_fmt():
    # HyperSpy's rule: the point farthest from the chord, here the first past the drop
    assert elbow_index(RATIO) == 4
    ax = hs.plot.plot_scree(RATIO, vline=True, xaxis_type="number", log=False,
                            noise_fmt={"color": "green", "marker": "s"})
    (vline,) = [ln for ln in ax.lines if ln.get_label().startswith("_")]
    assert vline.get_xdata()[0] == 5  # index 4 counted from 1
    assert points(ax, "noise")[0].get_xdata()[0] == 1
    assert points(ax, "noise")[0].get_marker() == "s"
    assert ax.get_yscale() == "linear"
    assert ax.get_xlabel() == "Principal component number"


def test_signal_input_ordinal_labels_and_existing_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    s = Signal1D(RATIO, metadata={"General": {"title": "CL1"}})
    out = hs.plot.plot_scree(s, n=5, xaxis_type="number", xaxis_labeling="ordinal", ax=ax)
    assert out is ax and "CL1" in ax.get_title()
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "1st" in labels and "2nd" in labels


def test_cumulative():
    ax = hs.plot.plot_cumulative_explained_variance_ratio(RATIO, n=10)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), np.cumsum(RATIO[:10]))
    assert "Cumulative" in ax.get_ylabel()


def test_bad_arguments():
    with pytest.raises(ValueError, match="xaxis_type"):
        hs.plot.plot_scree(RATIO, xaxis_type="ordinal")
    with pytest.raises(ValueError, match="no explained variance"):
        hs.plot.plot_scree([])
