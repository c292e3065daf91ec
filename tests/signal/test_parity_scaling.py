"""HyperSpy 2.5's scaling conventions of decomposition and BSS results.

``tests/data/hs_parity.npz`` holds small EELS data (from ``hs.datasets.CL1``) and what
HyperSpy 2.5 computed from them (``tests/data/make_parity_fixture.py``): factors and
loadings of an SVD with more and with fewer pixels than channels (HyperSpy's
``auto_transpose`` gives the singular values to the factors then), and BSS results on
axes of several scales (HyperSpy differentiates in calibrated units). emunmix must give
the same arrays: same order, same signs, same scale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import emunmix.api as hs

DATA = Path(__file__).resolve().parents[1] / "data"
sys.path.insert(0, str(DATA))
import make_parity_fixture as fixture  # noqa: E402

# Relative to each column's largest entry: the SVDs agree to float32 rounding (the
# fixture is stored as float32); FastICA stops at tol=1e-10 in both, from the same seed.
RTOL = {"factors": 1e-5, "loadings": 1e-5, "bss_factors": 1e-4, "bss_loadings": 1e-4}


@pytest.fixture(scope="module")
def expected():
    with np.load(DATA / "hs_parity.npz") as f:
        return {k: f[k] for k in f.files}


def _signal(data, name):
    _, scale, offset, nav_scale, _, _ = fixture.CASES[name]
    s = hs.signals.Signal1D(fixture.case_data(data, name))
    for ax in s.axes_manager.navigation_axes:
        ax.scale, ax.units = nav_scale, "nm"
    sig = s.axes_manager.signal_axes[0]
    sig.scale, sig.offset, sig.units = scale, offset, "keV"
    return s


def _assert_columns_equal(got, ref, rtol, what):
    got = np.asarray(got, dtype=np.float64)
    assert got.shape == ref.shape, what
    peak = np.max(np.abs(ref), axis=0)
    err = np.max(np.abs(got - ref), axis=0) / peak
    assert np.all(err < rtol), f"{what}: largest column error {err} (relative to its peak)"


@pytest.mark.parametrize("name", list(fixture.CASES))
def test_decomposition_and_bss_as_hyperspy(expected, name):
    _, _, _, _, dec, bss = fixture.CASES[name]
    s = _signal(expected["data"], name)
    s.decomposition(print_info=False, **dec)
    lr = s.learning_results
    k = bss["number_of_components"] if bss else dec["output_dimension"]
    _assert_columns_equal(lr.factors[:, :k], expected[f"{name}/factors"], RTOL["factors"],
                          f"{name} factors")
    _assert_columns_equal(lr.loadings[:, :k], expected[f"{name}/loadings"],
                          RTOL["loadings"], f"{name} loadings")
    np.testing.assert_allclose(lr.explained_variance[:k],
                               expected[f"{name}/explained_variance"], rtol=1e-5)
    if bss:
        s.blind_source_separation(print_info=False, random_state=fixture.SEED, **bss)
        for key in ("bss_factors", "bss_loadings"):
            _assert_columns_equal(getattr(lr, key), expected[f"{name}/{key}"], RTOL[key],
                                  f"{name} {key}")
        np.testing.assert_allclose(lr.unmixing_matrix, expected[f"{name}/unmixing_matrix"],
                                   rtol=1e-3, atol=1e-4 * np.abs(lr.unmixing_matrix).max())


def test_auto_transpose_false_and_lazy_keep_unit_norm_factors(expected):
    """HyperSpy transposes only in memory with auto_transpose=True; otherwise the
    factors have unit norm and the loadings carry the singular values."""
    s = _signal(expected["data"], "scan_plain")
    ref = expected["scan_plain/factors"]
    S = np.linalg.norm(ref, axis=0)  # HyperSpy's transposed factors are U * S
    eager, lazy = s.deepcopy(), s.as_lazy()
    eager.decomposition(output_dimension=4, print_info=False, auto_transpose=False)
    lazy.decomposition(output_dimension=4, print_info=False)
    for t in (eager, lazy):
        F = np.asarray(t.learning_results.factors)
        np.testing.assert_allclose(np.linalg.norm(F, axis=0), 1, rtol=1e-5)
        np.testing.assert_allclose(np.abs(F.T @ ref), np.diag(S), atol=1e-3 * S.max())

def test_decomposition_updates_learning_results_in_place(expected):
    s = _signal(expected["data"], "map")
    s.decomposition(True, print_info=False)
    s.blind_source_separation(2, print_info=False, random_state=0)
    lr = s.learning_results
    s.decomposition(algorithm="sklearn_pca", output_dimension=3, print_info=False)
    assert s.learning_results is lr  # as HyperSpy: names bound before see the new results
    assert lr.factors.shape == (120, 3) and lr.decomposition_algorithm != "SVD"
    assert lr.bss_factors is None  # the BSS of the previous decomposition is gone
