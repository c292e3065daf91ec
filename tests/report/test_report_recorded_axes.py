"""A report of learning results alone (no ``signal=``) draws the axes the results came
from: ``LearningResults.axes``, recorded by decomposition, BSS and clustering and kept by
``save``/``load`` and .hspy files."""

from __future__ import annotations

import numpy as np
import pytest

import emunmix.api as hs
import emunmix.plot.report_figures as figures
from emunmix.learn.results import LearningResults


@pytest.fixture
def drawn(monkeypatch):
    """The factor and loading axes of every components figure drawn, as
    (factor xlabel, factor x values, loading xlabel, loading ylabel)."""
    seen = []
    original = figures.components_figure

    def spy(*args, **kwargs):
        fig = original(*args, **kwargs)
        ax_f, ax_l = fig.axes[0], fig.axes[1]
        seen.append((ax_f.get_xlabel(), np.asarray(ax_f.lines[0].get_xdata(), float),
                     ax_l.get_xlabel(), ax_l.get_ylabel()))
        return fig

    monkeypatch.setattr(figures, "components_figure", spy)
    return seen


def _energy(eels):
    ax = eels.axes_manager.signal_axes[0]
    return ax.offset + ax.scale * np.arange(ax.size)  # independent of axis.axis


def _decomposed(eels):
    rng = np.random.default_rng(0)
    eels.data = rng.poisson(20.0, eels.data.shape).astype(np.float32)
    eels.decomposition(print_info=False)
    return eels


def test_report_of_results_alone_has_the_energy_axis(eels, drawn):
    lr = _decomposed(eels).learning_results
    lr.report()  # no signal
    xlabel, x, map_x, map_y = drawn[0]
    assert "Energy loss" in xlabel and "eV" in xlabel
    np.testing.assert_allclose(x, _energy(eels))  # 400, 400.5, ... 404.5
    assert "x" in map_x and "nm" in map_x and "y" in map_y and "nm" in map_y


@pytest.mark.parametrize("suffix", [".npz", ".hspy"])
def test_recorded_axes_survive_save_and_load(eels, tmp_path, drawn, suffix):
    s = _decomposed(eels)
    expected = [dict(a) for a in s.learning_results.axes]
    assert [a["name"] for a in expected] == ["y", "x", "Energy loss"]  # array order
    assert [a["size"] for a in expected] == [3, 5, 10]
    if suffix == ".npz":
        lr = LearningResults.load(s.learning_results.save(tmp_path / "r"))
    else:
        s.save(tmp_path / "r.hspy")
        lr = hs.load(tmp_path / "r.hspy").learning_results
    assert lr.axes == expected
    lr.report()
    np.testing.assert_allclose(drawn[0][1], _energy(eels))


def test_results_from_a_hyperspy_file_take_the_axes_of_its_signal(data_dir, drawn):
    """HyperSpy's files hold no recorded axes: the results, stored with their signal,
    take that signal's axes when loaded."""
    s = hs.load(data_dir / "hs_decomposition.hspy")
    lr = s.learning_results
    assert lr.axes == [a.get_axis_dictionary() for a in s.axes_manager._array_axes]
    lr.report()
    ax = s.axes_manager.signal_axes[0]
    assert ax.units in drawn[0][0] and ax.name in drawn[0][0]
    np.testing.assert_allclose(drawn[0][1], ax.offset + ax.scale * np.arange(ax.size))


def test_results_without_recorded_axes_report_channels(eels, drawn):
    """Results with no axes (a HyperSpy ``learning_results.save()`` file, results built
    by hand) show channel indices, as before."""
    lr = _decomposed(eels).learning_results
    lr.axes = []
    lr.report()
    assert drawn[0][0] == "channel"
    np.testing.assert_array_equal(drawn[0][1], np.arange(eels.data.shape[-1]))


def test_axes_that_do_not_fit_the_factors_are_not_used(eels, drawn):
    lr = _decomposed(eels).learning_results
    lr.axes[-1]["size"] = 11  # edited by hand: no longer the factors' length
    lr.report()
    assert drawn[0][0] == "channel"


def test_bss_and_clustering_record_the_axes(eels):
    s = _decomposed(eels)
    s.learning_results.axes = []
    s.blind_source_separation(2, print_info=False, random_state=0)
    assert [a["name"] for a in s.learning_results.axes] == ["y", "x", "Energy loss"]
    s.learning_results.axes = []
    s.cluster_analysis("decomposition", n_clusters=2, source_for_centers="signal",
                       random_state=0)
    assert s.learning_results.axes[-1]["units"] == "eV"


def test_a_non_uniform_energy_axis_is_recorded_by_its_values(tmp_path, drawn):
    E = np.geomspace(1.0, 10.0, 30)
    rng = np.random.default_rng(1)
    s = hs.signals.Signal1D(rng.poisson(5.0, (4, 5, 30)).astype(float), axes=[
        {"name": "y", "size": 4}, {"name": "x", "size": 5},
        {"name": "E", "units": "eV", "axis": E, "navigate": False}])
    s.decomposition(print_info=False)
    s.save(tmp_path / "n.hspy")
    lr = hs.load(tmp_path / "n.hspy").learning_results
    np.testing.assert_array_equal(lr.axes[-1]["axis"], E)
    lr.report()
    assert drawn[0][0] == "E (eV)"
    np.testing.assert_allclose(drawn[0][1], E)
