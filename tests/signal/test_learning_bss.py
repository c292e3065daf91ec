"""Signal layer of blind source separation: arguments, results as signals, errors."""

from __future__ import annotations

import numpy as np
import pytest
from _learning_data import make_signal, truth

from emunmix.learn.metrics import match_components
from emunmix.signal import EELSSpectrum, Signal2D


@pytest.fixture
def decomposed():
    s = make_signal(noise=False)
    s.decomposition(output_dimension=3, print_info=False)
    return s


def test_bss_before_decomposition():
    with pytest.raises(ValueError, match=r"decomposition\(\) first"):
        make_signal().blind_source_separation(3)


def test_bss_stores_results_and_prints_info(decomposed, capsys):
    s = decomposed
    assert s.blind_source_separation(3, diff_order=1, random_state=0) is None
    out = capsys.readouterr().out
    assert out.startswith("Blind source separation info:")
    assert "number_of_components=3" in out and "algorithm=sklearn_fastica" in out
    lr = s.learning_results
    assert lr.bss_factors.shape == (40, 3) and lr.bss_loadings.shape == (48, 3)
    assert lr.unmixing_matrix.shape == (3, 3)
    assert lr.bss_algorithm == "sklearn_fastica"
    assert lr.on_loadings is False
    # the decomposition is kept
    assert lr.factors.shape == (40, 3)


def test_bss_recovers_the_sources_of_a_noiseless_mixture(decomposed):
    s = decomposed
    s.blind_source_separation(3, diff_order=1, random_state=0, print_info=False)
    maps, spectra = truth()
    _, cm = match_components(s.learning_results.bss_loadings.T, maps.reshape(3, -1))
    _, cs = match_components(s.learning_results.bss_factors.T, spectra)
    assert cm.mean() > 0.99 and cs.mean() > 0.99


def test_bss_model_equals_decomposition_model(decomposed):
    s = decomposed
    s.blind_source_separation(3, random_state=0, print_info=False)
    np.testing.assert_allclose(s.get_bss_model().data, s.get_decomposition_model().data,
                               rtol=1e-6, atol=1e-6 * s.data.max())
    m = s.get_bss_model(2)
    assert m.metadata.General.title == "mix model from bss with 2 components"
    assert m.data.shape == s.data.shape


def test_bss_signals(decomposed):
    s = decomposed
    s.blind_source_separation(3, random_state=0, print_info=False)
    L = s.get_bss_loadings()
    F = s.get_bss_factors()
    assert isinstance(L, Signal2D) and isinstance(F, EELSSpectrum)
    assert L.axes_manager.navigation_axes[0].name == "BSS component index"
    assert F.axes_manager.navigation_axes[0].name == "BSS component index"
    assert L.metadata.General.title == "BSS loadings of mix"
    np.testing.assert_array_equal(F.data[1], s.learning_results.bss_factors[:, 1])


def test_bss_reproducible_with_random_state(decomposed):
    s = decomposed
    s.blind_source_separation(3, random_state=5, print_info=False)
    a = s.learning_results.bss_factors.copy()
    s.blind_source_separation(3, random_state=5, print_info=False)
    np.testing.assert_array_equal(s.learning_results.bss_factors, a)


def test_number_of_components_defaults_to_output_dimension(decomposed):
    decomposed.blind_source_separation(print_info=False, random_state=0)
    assert decomposed.learning_results.bss_factors.shape[1] == 3


def test_number_of_components_required_without_output_dimension():
    s = make_signal()
    s.decomposition(True, print_info=False)
    with pytest.raises(ValueError, match="number_of_components"):
        s.blind_source_separation(print_info=False)


def test_comp_list_and_orthomax(decomposed):
    s = decomposed
    s.blind_source_separation(comp_list=[0, 2], print_info=False, random_state=0)
    assert s.learning_results.bss_factors.shape == (40, 2)
    s.blind_source_separation(3, algorithm="orthomax", print_info=False)
    assert s.learning_results.bss_algorithm == "orthomax"


# x-derivatives of 6 x 8 noiseless maps are few samples: FastICA may stop at max_iter
@pytest.mark.filterwarnings("ignore:FastICA did not converge")
def test_on_loadings_with_diff_axes_by_name(decomposed):
    s = decomposed
    s.blind_source_separation(3, on_loadings=True, diff_axes=["x"], diff_order=1,
                              print_info=False, random_state=0)
    assert s.learning_results.on_loadings is True
    np.testing.assert_allclose(s.get_bss_model().data, s.get_decomposition_model().data,
                               rtol=1e-6, atol=1e-6 * s.data.max())
    with pytest.raises(ValueError, match="no navigation axis"):
        s.blind_source_separation(3, on_loadings=True, diff_axes=["z"], print_info=False)


def test_mask_on_signal_and_navigation(decomposed):
    s = decomposed
    mask = np.zeros(40, bool)
    mask[:4] = True
    s.blind_source_separation(3, mask=mask, print_info=False, random_state=0)
    nav = np.zeros((6, 8), bool)
    nav[0] = True
    s.blind_source_separation(3, mask=nav, on_loadings=True, print_info=False,
                              random_state=0)


def test_custom_factors_for_the_estimation(decomposed):
    s = decomposed
    F = s.get_decomposition_factors()
    s.blind_source_separation(3, factors=F, print_info=False, random_state=0)
    a = s.learning_results.bss_factors.copy()
    s.blind_source_separation(3, print_info=False, random_state=0)
    np.testing.assert_allclose(np.abs(a), np.abs(s.learning_results.bss_factors),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kwargs,match", [
    ({"number_of_components": 5}, "more than the 3 components"),
    ({"number_of_components": 3, "mask": np.zeros(39, bool)}, "shape"),
    ({"number_of_components": 3, "on_loadings": True, "mask": np.zeros((5, 8), bool)},
     "shape"),
    ({"number_of_components": 3, "diff_order": 40}, "diff_order"),
    ({"number_of_components": 3, "reverse_component_criterion": "maps"},
     "reverse_component_criterion"),
    ({"number_of_components": 3, "algorithm": "nope"}, "(?i)known"),
])
def test_bad_bss_arguments_leave_previous_results(decomposed, kwargs, match):
    s = decomposed
    s.blind_source_separation(3, print_info=False, random_state=0)
    lr = s.learning_results
    before = {k: np.array(getattr(lr, k)) for k in
              ("bss_factors", "bss_loadings", "unmixing_matrix", "factors", "loadings")}
    with pytest.raises(ValueError, match=match):
        s.blind_source_separation(print_info=False, **kwargs)
    assert s.learning_results is lr
    for k, v in before.items():
        np.testing.assert_array_equal(getattr(lr, k), v)
    assert lr.bss_algorithm == "sklearn_fastica"


def test_non_converged_run_warns_and_says_what_to_try():
    from emunmix.learn.bss.ica import BSSConvergenceWarning

    s = make_signal()
    s.decomposition(True, output_dimension=3, print_info=False)
    with pytest.warns(BSSConvergenceWarning, match="max_iter"):
        s.blind_source_separation(3, max_iter=1, print_info=False, random_state=0)


def test_reverse_bss_component(decomposed):
    s = decomposed
    s.blind_source_separation(3, print_info=False, random_state=0)
    f = s.learning_results.bss_factors.copy()
    w = s.learning_results.unmixing_matrix.copy()
    s.reverse_bss_component(1)
    np.testing.assert_array_equal(s.learning_results.bss_factors[:, 1], -f[:, 1])
    np.testing.assert_array_equal(s.learning_results.unmixing_matrix[1], -w[1])
    np.testing.assert_allclose(s.get_bss_model().data, s.get_decomposition_model().data,
                               rtol=1e-6, atol=1e-6 * s.data.max())


def test_bss_methods_before_bss(decomposed):
    with pytest.raises(ValueError, match="blind_source_separation"):
        decomposed.get_bss_loadings()


def test_export_bss_results(tmp_path, decomposed):
    import emunmix.api as hs

    s = decomposed
    s.blind_source_separation(3, print_info=False, random_state=0)
    paths = s.export_bss_results(tmp_path, multiple_files=False)
    assert sorted(p.name for p in paths) == ["bss_factors.hspy", "bss_loadings.hspy"]
    L = hs.load(tmp_path / "bss_loadings.hspy")
    assert L.data.shape == (3, 6, 8)
    np.testing.assert_allclose(L.data[2], s.learning_results.bss_loadings[:, 2].reshape(6, 8))


def test_images_as_signals_are_differentiated_along_the_image_axes():
    # a stack of 12 images of 6 x 8 pixels: three sources
    maps, spectra = truth()
    rng = np.random.default_rng(1)
    weights = rng.random((12, 3)) + 0.1
    data = np.einsum("nk,kyx->nyx", weights, maps * spectra[:, 12:13, None] / 100 + maps)
    s = Signal2D(data)
    s.decomposition(output_dimension=3, print_info=False)
    s.blind_source_separation(3, diff_order=1, print_info=False, random_state=0)
    assert s.learning_results.bss_factors.shape == (48, 3)
    np.testing.assert_allclose(s.get_bss_model().data, s.get_decomposition_model().data,
                               rtol=1e-6, atol=1e-6 * data.max())
