"""Learning results travel with the signal through .hspy files (ours and HyperSpy's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
from _learning_data import make_signal

import emunmix.api as hs

DATA = Path(__file__).resolve().parents[1] / "data"


def _load_fixture_module():
    spec = importlib.util.spec_from_file_location("make_learning_fixture",
                                                  DATA / "make_learning_fixture.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_decomposition_and_bss_results_round_trip(tmp_path):
    s = make_signal()
    mask = np.zeros((6, 8), bool)
    mask[0, 0] = True
    s.decomposition(True, output_dimension=3, navigation_mask=mask, print_info=False)
    s.blind_source_separation(3, print_info=False, random_state=0)
    s.save(tmp_path / "s.hspy")
    t = hs.load(tmp_path / "s.hspy")
    a, b = s.learning_results, t.learning_results
    assert b is not None
    for name in ("factors", "loadings", "explained_variance_ratio", "bss_factors",
                 "bss_loadings", "unmixing_matrix"):
        np.testing.assert_allclose(np.asarray(getattr(b, name)), np.asarray(getattr(a, name)),
                                   equal_nan=True, err_msg=name)
    assert b.poissonian_noise_normalized is True or b.poissonian_noise_normalized == 1
    assert b.output_dimension == 3
    assert str(b.decomposition_algorithm).lower() == "svd"
    assert b.bss_algorithm == "sklearn_fastica"
    np.testing.assert_array_equal(np.asarray(b.navigation_mask).ravel(), mask.ravel())
    # the loaded signal's methods work on the restored results
    np.testing.assert_allclose(t.get_bss_model().data, s.get_bss_model().data,
                               equal_nan=True)
    assert "Demixing parameters" in b.summary()


def test_hyperspy_written_results_load():
    t = hs.load(DATA / "hs_decomposition.hspy")
    lr = t.learning_results
    assert lr is not None
    assert lr.factors.shape == (20, 3) and lr.loadings.shape == (24, 3)
    assert lr.bss_factors.shape == (20, 3) and lr.unmixing_matrix.shape == (3, 3)
    assert lr.output_dimension == 3
    assert str(lr.decomposition_algorithm).lower() == "svd"
    # HyperSpy's results rebuild its (exactly rank-3) data
    data = _load_fixture_module().mixture()
    np.testing.assert_allclose(t.get_decomposition_model().data, data, rtol=1e-6,
                               atol=1e-8 * data.max())
    np.testing.assert_allclose(t.get_bss_model().data, data, rtol=1e-6,
                               atol=1e-8 * data.max())
    L = t.get_decomposition_loadings()
    assert L.axes_manager.signal_shape == (6, 4)
    text = lr.summary()
    assert "Decomposition" in text
