"""s.decomposition() of all components: the tutorial's reads never compute the
components after EAGER_COMPONENTS; anything that needs them gets them exactly."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from _learning_data import make_signal  # noqa: E402

import emunmix.api as hs  # noqa: E402
from emunmix.learn.decomposition.finish import StaleDataError  # noqa: E402
from emunmix.signal.learning_decomposition import EAGER_COMPONENTS  # noqa: E402


def _pending(s):
    return s.learning_results.components.pending


@pytest.fixture
def s():
    sig = make_signal()  # 40 channels > EAGER_COMPONENTS
    assert sig.data.shape[-1] > EAGER_COMPONENTS
    sig.decomposition(True, print_info=False)
    yield sig
    plt.close("all")


def test_tutorial_reads_compute_nothing_more(s):
    lr = s.learning_results
    assert lr.n_components == 40 and _pending(s) is not None
    assert s.get_explained_variance_ratio().data.shape == (40,)
    s.plot_explained_variance_ratio()
    lr.summary()
    s.plot_decomposition_loadings(3)
    s.plot_decomposition_factors(3)
    s.plot_decomposition_results()
    s.get_decomposition_model(3)
    s.get_decomposition_model([0, 2])
    s.reverse_decomposition_component(1)
    s.blind_source_separation(3, print_info=False, random_state=0)
    s.blind_source_separation(comp_list=[0, 1, 2], print_info=False, random_state=0)
    assert _pending(s) is not None


def test_export_of_the_first_components_computes_nothing_more(s, tmp_path):
    paths = s.export_decomposition_results(tmp_path, comp_ids=3)
    assert len(paths) == 6 and all(Path(p).exists() for p in paths)
    assert _pending(s) is not None
    back = hs.load(sorted(tmp_path.glob("factor-2.*"))[0])
    np.testing.assert_allclose(back.data, s.learning_results.factors[:, 2], rtol=1e-6)


def test_reads_beyond_them_are_exact(s):
    full = s.get_decomposition_model()  # all 40 components: the data back
    assert _pending(s) is None
    np.testing.assert_allclose(full.data, s.data, rtol=1e-9, atol=1e-9)
    eager = make_signal()
    eager.decomposition(True, output_dimension=40, print_info=False)
    np.testing.assert_allclose(s.learning_results.factors, eager.learning_results.factors,
                               atol=1e-8)
    assert s.get_decomposition_factors().data.shape == (40, 40)


def test_inplace_operator_computes_them_first(s):
    reference = make_signal()
    reference.decomposition(True, output_dimension=40, print_info=False)
    s += 1.0
    assert _pending(s) is None
    np.testing.assert_allclose(s.learning_results.loadings,
                               reference.learning_results.loadings, rtol=1e-9, atol=1e-9)


def test_direct_write_to_data_is_detected(s):
    s.data[0, 0, 0] += 3.0
    with pytest.raises(StaleDataError, match="decomposition\\(\\) again"):
        s.get_decomposition_model()
    s.get_decomposition_model(3)  # the computed components stay usable


def test_saved_file_holds_all_components(s, tmp_path):
    s.save(tmp_path / "s.hspy")
    back = hs.load(tmp_path / "s.hspy")
    assert back.learning_results.factors.shape == (40, 40)
    assert back.learning_results.loadings.shape == (48, 40)


def test_signal_copy_keeps_deferred_results(s):
    c = s.deepcopy()
    assert c.learning_results.n_components == 40
    np.testing.assert_allclose(c.learning_results.factors, s.learning_results.factors)


def test_deep_copy_survives_the_original_changing_in_place():
    sig = make_signal()
    sig.decomposition(True, print_info=False)
    reference = sig.learning_results.first_components(2)[0].copy()
    c = sig.deepcopy()
    sig.data[:] = sig.data[::-1]  # the original's data change in place
    assert c.learning_results.factors.shape == (40, 40)  # no StaleDataError
    np.testing.assert_allclose(np.abs(c.learning_results.factors[:, :2]), np.abs(reference))


def test_return_info_hands_out_all_components():
    sig = make_signal()
    out = sig.decomposition(True, print_info=False, return_info=True)
    assert out.factors.shape == (40, 40) and out.pending is None
    assert _pending(sig) is None
    np.testing.assert_allclose(out.model(), sig.data.reshape(48, 40), rtol=1e-9, atol=1e-9)


def test_saving_after_a_direct_write_keeps_the_computed_components(s, tmp_path):
    s.data[0, 0, 0] += 3.0  # the remaining components can no longer be computed
    with pytest.warns(UserWarning, match=f"first {EAGER_COMPONENTS} decomposition"):
        s.save(tmp_path / "s.hspy")
    back = hs.load(tmp_path / "s.hspy")
    lr = back.learning_results
    assert lr.factors.shape == (40, EAGER_COMPONENTS)
    assert lr.explained_variance_ratio.shape == (40,)  # the scree stays whole
    np.testing.assert_allclose(back.data, s.data)
