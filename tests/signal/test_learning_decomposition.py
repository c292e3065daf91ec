"""Signal layer of decomposition: arguments, results as signals, models, editing."""

from __future__ import annotations

import numpy as np
import pytest
from _learning_data import SHAPE, make_signal, noiseless

from emunmix.signal import EELSSpectrum, Signal1D, Signal2D


def _snapshot(lr):
    return {k: (np.array(v, copy=True) if isinstance(v, np.ndarray) else v)
            for k, v in vars(lr).items()}


def _same(snap, lr):
    now = vars(lr)
    assert set(now) == set(snap)
    for k, v in snap.items():
        if isinstance(v, np.ndarray):
            np.testing.assert_array_equal(now[k], v)
        else:
            assert now[k] == v or (now[k] is None and v is None), k


# -- storing results ---------------------------------------------------------------------
def test_decomposition_stores_results_and_prints_info(capsys):
    s = make_signal()
    assert s.learning_results.n_components is None  # always there, empty (HyperSpy)
    assert s.decomposition() is None
    out = capsys.readouterr().out
    assert out.startswith("Decomposition info:")
    assert "normalize_poissonian_noise=False" in out and "algorithm=SVD" in out
    lr = s.learning_results
    assert lr.factors.shape == (40, 40)
    assert lr.loadings.shape == (48, 40)
    assert lr.poissonian_noise_normalized is False
    assert str(lr.decomposition_algorithm).lower() == "svd"
    assert tuple(lr.original_shape) == SHAPE


def test_first_argument_is_poisson_normalisation_and_print_info_false_is_silent(capsys):
    s = make_signal()
    s.decomposition(True, print_info=False)
    assert capsys.readouterr().out == ""
    assert s.learning_results.poissonian_noise_normalized is True


def test_algorithm_names_are_case_insensitive_and_return_info():
    s = make_signal()
    info = s.decomposition(algorithm="svd", output_dimension=3, return_info=True,
                           print_info=False)
    assert info is not None and info.factors.shape == (40, 3)
    assert s.learning_results.output_dimension == 3


def test_full_model_reproduces_the_data_and_partial_models_have_the_signal_shape():
    s = make_signal()
    s.decomposition(True, print_info=False)
    full = s.get_decomposition_model()
    assert isinstance(full, EELSSpectrum)
    np.testing.assert_allclose(full.data, s.data, atol=1e-6 * s.data.max())
    m3 = s.get_decomposition_model(3)
    assert m3.data.shape == SHAPE
    assert m3.axes_manager.as_dictionaries() == s.axes_manager.as_dictionaries()
    assert m3.metadata.General.title == "mix model from decomposition with 3 components"
    # a list selects exactly those components
    lr = s.learning_results
    m = s.get_decomposition_model([0, 2])
    expected = lr.loadings[:, [0, 2]] @ lr.factors[:, [0, 2]].T
    np.testing.assert_allclose(m.data.reshape(48, 40), expected, rtol=1e-10)
    # rank-3 data: three components explain it to the noise level
    assert np.sqrt(np.mean((m3.data - noiseless()) ** 2)) < np.sqrt(
        np.mean((s.data - noiseless()) ** 2))


@pytest.mark.parametrize("centre", ["navigation", "signal"])
def test_centred_model_adds_the_mean_back(centre):
    s = make_signal()
    s.decomposition(centre=centre, print_info=False)
    np.testing.assert_allclose(s.get_decomposition_model().data, s.data,
                               atol=1e-6 * s.data.max())


def test_model_components_out_of_range():
    s = make_signal()
    s.decomposition(output_dimension=3, print_info=False)
    with pytest.raises(ValueError, match="components"):
        s.get_decomposition_model(4)
    with pytest.raises(ValueError, match="component"):
        s.get_decomposition_model([0, 5])


# -- results as signals ---------------------------------------------------------------
def test_loadings_are_calibrated_image_stacks():
    s = make_signal()
    s.decomposition(output_dimension=3, print_info=False)
    L = s.get_decomposition_loadings()
    assert isinstance(L, Signal2D)
    assert L.axes_manager.navigation_shape == (3,)
    assert L.axes_manager.navigation_axes[0].name == "Decomposition component index"
    x, y = L.axes_manager.signal_axes
    assert (x.name, x.scale, x.offset, x.units) == ("x", 0.5, -1.0, "nm")
    assert (y.name, y.scale, y.offset) == ("y", 2.0, 1.0)
    assert L.axes_manager.signal_shape == (8, 6)
    np.testing.assert_array_equal(L.data[1], s.learning_results.loadings[:, 1].reshape(6, 8))
    assert L.metadata.General.title == "Decomposition loadings of mix"
    assert L.metadata.Signal.signal_type == ""


def test_factors_keep_the_signal_axis_and_type():
    s = make_signal()
    s.decomposition(output_dimension=3, print_info=False)
    F = s.get_decomposition_factors()
    assert isinstance(F, EELSSpectrum)
    assert F.axes_manager.navigation_shape == (3,)
    e = F.axes_manager.signal_axes[0]
    assert (e.name, e.scale, e.offset, e.size) == ("Energy loss", 0.5, 400.0, 40)
    np.testing.assert_array_equal(F.data[2], s.learning_results.factors[:, 2])


def test_line_scan_loadings_are_signal1d():
    s = make_signal().inav[:, 2]  # one row: a line scan along x
    s.decomposition(output_dimension=2, print_info=False)
    L = s.get_decomposition_loadings()
    assert isinstance(L, Signal1D)
    assert L.axes_manager.signal_shape == (8,)
    assert L.axes_manager.signal_axes[0].name == "x"


def test_explained_variance_ratio_signal():
    s = make_signal()
    s.decomposition(print_info=False)
    r = s.get_scree_plot_data()
    assert isinstance(r, Signal1D)
    # HyperSpy 2.5: "Component index" for an uncentred SVD, "Principal ..." when centred
    assert r.axes_manager.signal_axes[0].name == "Component index"
    assert r.metadata.General.title.endswith("\nSVD Scree Plot")
    from emunmix.exceptions import VisibleDeprecationWarning

    with pytest.warns(VisibleDeprecationWarning, match="get_scree_plot_data"):
        old = s.get_explained_variance_ratio()
    np.testing.assert_array_equal(old.data, r.data)
    s.decomposition(algorithm="PCA", output_dimension=5, print_info=False)
    assert s.get_scree_plot_data().axes_manager[-1].name == "Principal component index"
    assert r.data.shape == (40,)
    assert np.all(np.diff(r.data) <= 1e-12)
    assert r.isig[:20].data.shape == (20,)


def test_explained_variance_ratio_missing_for_nmf_says_why():
    s = make_signal()
    s.decomposition(algorithm="NMF", output_dimension=3, print_info=False, random_state=0)
    if s.learning_results.explained_variance_ratio is None:
        with pytest.raises(ValueError, match="explained_variance_ratio"):
            s.get_explained_variance_ratio()


def test_estimate_elbow_position_uses_the_stored_ratio_or_a_given_one():
    from emunmix.learn.decomposition.elbow import estimate_elbow_position

    s = make_signal()
    s.decomposition(True, print_info=False)
    ratio = s.learning_results.explained_variance_ratio
    elbow = s.estimate_elbow_position()
    # HyperSpy's rule: the corner of the log scree; rank-3 data put it at 2 or 3
    assert elbow in (2, 3)
    assert elbow == estimate_elbow_position(ratio)
    assert s.learning_results.number_significant_components in (3, 4)
    assert s.estimate_elbow_position(s.get_explained_variance_ratio()) == elbow
    assert s.estimate_elbow_position(ratio, max_points=10) == estimate_elbow_position(
        ratio, max_points=10)


# -- masks ------------------------------------------------------------------------------
def test_navigation_mask_array_signal_and_natural_order():
    s = make_signal()
    mask = np.zeros((6, 8), bool)
    mask[0, :3] = True
    s.decomposition(True, navigation_mask=mask, print_info=False)
    L = s.learning_results.loadings.reshape(6, 8, -1)
    assert np.isnan(L[0, :3]).all() and np.isfinite(L[1:]).all()
    from emunmix.signal import BaseSignal

    s2 = make_signal()
    s2.decomposition(True, navigation_mask=BaseSignal(mask), print_info=False)
    np.testing.assert_allclose(np.abs(s2.learning_results.loadings[:, :3]),
                               np.abs(s.learning_results.loadings[:, :3]), equal_nan=True)
    s3 = make_signal()
    s3.decomposition(True, navigation_mask=mask.T, print_info=False)  # (x, y) order
    np.testing.assert_allclose(np.abs(s3.learning_results.loadings[:, :3]),
                               np.abs(s.learning_results.loadings[:, :3]), equal_nan=True)


def test_signal_mask_sets_masked_factor_rows_to_nan():
    s = make_signal()
    mask = np.zeros(40, bool)
    mask[-5:] = True
    s.decomposition(signal_mask=mask, output_dimension=3, print_info=False)
    F = s.learning_results.factors
    assert np.isnan(F[-5:]).all() and np.isfinite(F[:-5]).all()


@pytest.mark.parametrize("kw,shape", [("navigation_mask", (5, 8)),
                                      ("signal_mask", (41,)),
                                      ("navigation_mask", (40,))])
def test_masks_of_the_wrong_shape(kw, shape):
    s = make_signal()
    with pytest.raises(ValueError, match="shape"):
        s.decomposition(**{kw: np.zeros(shape, bool)}, print_info=False)


# -- bad input and failed calls --------------------------------------------------------
def test_nan_data_error_counts_values_and_suggests_masks():
    s = make_signal()
    s.data[0, 0, :2] = np.nan
    s.data[1, 0, 0] = np.inf
    with pytest.raises(ValueError, match=r"3 NaN/inf.*mask"):
        s.decomposition(print_info=False)
    # excluded by a mask, they do no harm
    mask = np.zeros((6, 8), bool)
    mask[0, 0] = mask[1, 0] = True
    s.decomposition(navigation_mask=mask, print_info=False)


def test_negative_values_with_poisson_or_nmf():
    s = make_signal()
    s.data[1, 1, 1] = -5
    with pytest.raises(ValueError, match="[Pp]oisson.*negative"):
        s.decomposition(True, print_info=False)
    with pytest.raises(ValueError, match="negative"):
        s.decomposition(algorithm="NMF", output_dimension=2, print_info=False)


@pytest.mark.parametrize("k", [0, -1, 41])
def test_output_dimension_out_of_range(k):
    with pytest.raises(ValueError, match="output_dimension"):
        make_signal().decomposition(output_dimension=k, print_info=False)


def test_unknown_algorithm_lists_the_known_ones():
    with pytest.raises(ValueError, match="(?i)known.*svd"):
        make_signal().decomposition(algorithm="magic", print_info=False)


def test_empty_signal():
    s = EELSSpectrum(np.zeros((0, 4, 10)))
    with pytest.raises(ValueError, match="empty"):
        s.decomposition(print_info=False)


def test_failed_call_leaves_data_and_previous_results_untouched():
    s = make_signal()
    s.decomposition(True, output_dimension=3, print_info=False)
    lr = s.learning_results
    snap = _snapshot(lr)
    data = s.data.copy()
    s.data[0, 0, 0] = -1.0
    data[0, 0, 0] = -1.0
    for kwargs in ({"normalize_poissonian_noise": True}, {"output_dimension": 100},
                   {"algorithm": "nope"}, {"navigation_mask": np.ones(3, bool)}):
        with pytest.raises(ValueError):
            s.decomposition(print_info=False, **kwargs)
        assert s.learning_results is lr
        _same(snap, lr)
        np.testing.assert_array_equal(s.data, data)


def test_integer_data_is_decomposed_and_left_unchanged():
    s = make_signal(dtype=np.int64)
    before = s.data.copy()
    s.decomposition(True, print_info=False)
    assert s.data.dtype == np.int64
    np.testing.assert_array_equal(s.data, before)
    f = make_signal()
    f.decomposition(True, print_info=False)
    np.testing.assert_allclose(s.learning_results.explained_variance_ratio[:3],
                               f.learning_results.explained_variance_ratio[:3], rtol=1e-4)
    m = s.get_decomposition_model(3)
    assert m.data.dtype.kind == "f"


def test_random_state_makes_runs_reproducible():
    a, b = make_signal(), make_signal()
    for s in (a, b):
        s.decomposition(algorithm="NMF", output_dimension=3, random_state=7, print_info=False)
    np.testing.assert_array_equal(a.learning_results.factors, b.learning_results.factors)
    for s in (a, b):
        s.decomposition(output_dimension=3, svd_solver="randomized", random_state=3,
                        print_info=False)
    np.testing.assert_array_equal(a.learning_results.loadings, b.learning_results.loadings)


def test_lazy_signal_matches_eager_with_many_chunks_poisson_and_masks():
    # HyperSpy regressions: lazy Poisson normalisation skipped (#3607), masks applied in
    # the wrong order (#3609), only the first chunk read (#3610)
    import dask.array as da

    mask = np.zeros((6, 8), bool)
    mask[2, 3:6] = True
    sig_mask = np.zeros(40, bool)
    sig_mask[:2] = True
    s = make_signal()
    s.decomposition(True, output_dimension=3, navigation_mask=mask, signal_mask=sig_mask,
                    print_info=False)
    lz = make_signal()
    lz = lz._new_like(da.from_array(lz.data, chunks=(2, 4, 40)))
    assert lz._lazy and lz.data.numblocks == (3, 2, 1)
    lz.decomposition(True, output_dimension=3, navigation_mask=mask, signal_mask=sig_mask,
                     print_info=False)
    assert lz._lazy
    model = lz.get_decomposition_model(3)
    data = model.data.compute() if hasattr(model.data, "compute") else model.data
    np.testing.assert_allclose(data, s.get_decomposition_model(3).data,
                               rtol=1e-4, atol=1e-4 * s.data.max(), equal_nan=True)
    np.testing.assert_allclose(np.asarray(lz.learning_results.explained_variance_ratio),
                               s.learning_results.explained_variance_ratio, rtol=1e-4)


def test_output_dimension_auto_says_what_it_chose(capsys):
    s = make_signal()
    s.decomposition(True, output_dimension="auto")
    out = capsys.readouterr().out
    assert "output_dimension=auto" in out
    assert s.learning_results.factors.shape[1] == 3
    assert "chosen: 3" in out


def test_estimator_object_as_algorithm():
    from sklearn.decomposition import PCA

    s = make_signal()
    s.decomposition(algorithm=PCA(n_components=3), print_info=False)
    assert s.learning_results.factors.shape == (40, 3)
    model = s.get_decomposition_model()
    assert np.sqrt(np.mean((model.data - noiseless()) ** 2)) < np.sqrt(
        np.mean((s.data - noiseless()) ** 2))


# -- editing results -----------------------------------------------------------------------
def test_reverse_component_keeps_the_model():
    s = make_signal()
    s.decomposition(True, output_dimension=3, print_info=False)
    f0 = s.learning_results.factors.copy()
    model = s.get_decomposition_model().data
    s.reverse_decomposition_component(1)
    s.reverse_decomposition_component([0, 2])
    np.testing.assert_allclose(s.learning_results.factors, -f0)
    np.testing.assert_allclose(s.get_decomposition_model().data, model, rtol=1e-10)
    with pytest.raises(ValueError):
        s.reverse_decomposition_component(3)


@pytest.mark.parametrize("target", ["factors", "loadings"])
def test_normalize_components_keeps_the_model(target):
    s = make_signal()
    s.decomposition(algorithm="NMF", output_dimension=3, print_info=False, random_state=0)
    model = s.get_decomposition_model().data
    s.normalize_decomposition_components(target=target)
    np.testing.assert_allclose(getattr(s.learning_results, target).sum(axis=0), 1.0)
    np.testing.assert_allclose(s.get_decomposition_model().data, model, rtol=1e-8)
    with pytest.raises(ValueError, match="target"):
        s.normalize_decomposition_components(target="maps")


def test_crop_decomposition_dimension():
    s = make_signal()
    s.decomposition(print_info=False)
    s.crop_decomposition_dimension(5)
    lr = s.learning_results
    assert lr.factors.shape == (40, 5) and lr.loadings.shape == (48, 5)
    with pytest.raises(ValueError):
        s.crop_decomposition_dimension(6)
    with pytest.raises(ValueError):
        s.crop_decomposition_dimension(0)


def test_methods_before_decomposition_say_what_to_run():
    s = make_signal()
    for call in (s.get_decomposition_model, s.get_decomposition_loadings,
                 s.get_explained_variance_ratio, s.plot_explained_variance_ratio):
        with pytest.raises(ValueError, match=r"decomposition\(\)"):
            call()


def test_undo_treatments_is_a_no_op():
    s = make_signal()
    before = s.data.copy()
    s.decomposition(True, print_info=False)
    s.undo_treatments()
    np.testing.assert_array_equal(s.data, before)


# -- export ---------------------------------------------------------------------------------
def test_export_decomposition_results(tmp_path):
    import emunmix.api as hs

    s = make_signal()
    s.decomposition(True, output_dimension=3, print_info=False)
    paths = s.export_decomposition_results(tmp_path, comp_ids=2)
    names = sorted(p.name for p in paths)
    assert names == ["factor-0.hspy", "factor-1.hspy", "loading-0.hspy", "loading-1.hspy"]
    f1 = hs.load(tmp_path / "factor-1.hspy")
    np.testing.assert_allclose(f1.data, s.learning_results.factors[:, 1])
    l0 = hs.load(tmp_path / "loading-0.hspy")
    np.testing.assert_allclose(l0.data, s.learning_results.loadings[:, 0].reshape(6, 8))
    with pytest.raises(FileExistsError, match="overwrite"):
        s.export_decomposition_results(tmp_path, comp_ids=2)
    s.export_decomposition_results(tmp_path, multiple_files=False, overwrite=True)
    stack = hs.load(tmp_path / "factors.hspy")
    assert stack.data.shape == (3, 40)
