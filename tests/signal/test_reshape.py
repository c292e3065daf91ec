"""unfold/fold, split, rollaxis, map and the value statistics against numpy.

Expected shapes follow HyperSpy 2.5 (checked in its venv on the same data).
"""

import dask.array as da
import numpy as np
import pytest

from emunmix.signal import BaseSignal, Signal1D, Signal2D


def _cube():
    s = Signal1D(np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5))
    s.axes_manager[0].name, s.axes_manager[0].scale = "x", 2.0
    s.axes_manager[-1].name, s.axes_manager[-1].offset = "E", 100.0
    return s


def test_unfold_fold_round_trip_restores_axes_exactly():
    s = _cube()
    before = s.axes_manager.as_dictionaries()
    assert s.unfold() is True
    assert s.data.shape == (24, 5)
    np.testing.assert_array_equal(s.data, np.arange(120.).reshape(24, 5))
    assert s.axes_manager[0].scale == 2.0  # x keeps its calibration, as in HyperSpy
    assert s.unfold() is False  # nothing left to unfold
    s.fold()
    assert s.data.shape == (2, 3, 4, 5)
    assert s.axes_manager.as_dictionaries() == before
    s.fold()  # folding a folded signal does nothing
    assert s.data.shape == (2, 3, 4, 5)


def test_unfold_signal2d_changes_class_and_back():
    s = Signal2D(np.arange(120.).reshape(2, 3, 4, 5))
    assert s.unfold_signal_space() is True
    assert type(s) is Signal1D and s.data.shape == (2, 3, 20)
    assert s.unfold_navigation_space() is True
    assert s.data.shape == (6, 20)
    s.fold()  # one fold undoes both, to the first original
    assert type(s) is Signal2D and s.data.shape == (2, 3, 4, 5)


def test_unfolded_context_folds_even_on_error():
    s = _cube()
    with pytest.raises(RuntimeError):
        with s.unfolded() as done:
            assert done and s.axes_manager.navigation_shape == (24,)
            raise RuntimeError
    assert s.axes_manager.navigation_shape == (4, 3, 2)
    with s.unfolded(unfold_navigation=False) as done:  # one signal axis: nothing
        assert done is False


def test_decomposition_on_unfolded_signal_stays_valid_after_fold():
    rng = np.random.default_rng(0)
    s = Signal1D(rng.random((3, 4, 2)) @ rng.random((2, 16)))
    s.unfold()
    s.decomposition(output_dimension=2, print_info=False)
    s.fold()
    lr = s.learning_results
    assert lr.loadings.shape == (12, 2) and lr.factors.shape == (16, 2)
    model = s.get_decomposition_model(2)
    assert model.data.shape == s.data.shape
    np.testing.assert_allclose(model.data, s.data, atol=1e-10)


def test_fold_refuses_data_of_another_size():
    s = _cube()
    s.unfold()
    s._data = s.data[:10]
    with pytest.raises(ValueError, match="cannot fold"):
        s.fold()


def test_split_defaults_and_parts_like_hyperspy():
    s = _cube()
    parts = s.split()  # the last navigation axis, one part per index, axis dropped
    assert [p.data.shape for p in parts] == [(3, 4, 5)] * 2
    np.testing.assert_array_equal(parts[1].data, s.data[1])
    parts = s.split(axis=0, number_of_parts=2)
    assert [p.axes_manager.navigation_shape for p in parts] == [(2, 3, 2)] * 2
    assert [p.axes_manager[0].offset for p in parts] == [0.0, 4.0]  # scale 2
    np.testing.assert_array_equal(parts[1].data, s.data[:, :, 2:])
    parts = s.split(axis="E", step_sizes=[2, 3])
    assert [p.axes_manager.signal_shape for p in parts] == [(2,), (3,)]
    assert parts[1].axes_manager[-1].offset == 102.0
    assert len(s.split(axis=0, number_of_parts=3)) == 3  # 4 // 3: last point left out
    with pytest.raises(ValueError, match="greater than the axis size"):
        s.split(axis=0, number_of_parts=5)
    with pytest.raises(ValueError, match="sum to at most"):
        s.split(axis=0, step_sizes=[3, 3])


def test_rollaxis_within_and_across_spaces():
    s = _cube()  # (4, 3, 2|5); array (2, 3, 4, 5)
    r = s.rollaxis(2, 0)  # HyperSpy: (2, 4, 3|5)
    assert r.axes_manager.navigation_shape == (2, 4, 3)
    np.testing.assert_array_equal(r.data, np.moveaxis(s.data, 0, 2))
    assert r.axes_manager.navigation_axes[1].name == "x"
    r = s.rollaxis("E", 0, optimize=True)  # a signal axis keeps its role
    assert r.axes_manager.shape == s.axes_manager.shape
    np.testing.assert_array_equal(r.data, s.data)


def test_map_shapes_and_axes():
    s = _cube()
    out = s.map(np.sum, inplace=False)
    assert type(out) is BaseSignal and out.axes_manager.navigation_shape == (4, 3, 2)
    np.testing.assert_allclose(out.data, s.data.sum(-1))
    small = s.map(lambda x: x[:3], inplace=False)
    assert small.axes_manager.signal_shape == (3,)
    assert small.axes_manager[-1].name == "E" and small.axes_manager[-1].offset == 100.0
    image = s.map(np.outer, b=np.ones(2), inplace=False)
    assert type(image) is Signal2D and image.data.shape == (2, 3, 4, 5, 2)
    assert s.map(lambda x: x, output_dtype="float32", inplace=False).data.dtype == "float32"
    t = s.deepcopy()
    assert t.map(lambda x: x * 2) is None
    np.testing.assert_allclose(t.data, 2 * s.data)


def test_map_iterates_signal_kwargs_and_passes_others():
    s = _cube()
    k = BaseSignal(np.arange(24.).reshape(2, 3, 4)).T  # one value per pixel
    out = s.map(lambda x, k, c: x + k + c, k=k, c=10.0, inplace=False)
    np.testing.assert_allclose(out.data, s.data + k.data[..., None] + 10)
    single = Signal1D(np.ones(5))  # no navigation: passed whole
    out = s.map(lambda x, w: x * w, w=single, inplace=False)
    np.testing.assert_allclose(out.data, s.data)
    with pytest.raises(ValueError, match="navigation shape"):
        s.map(lambda x, k: x, k=BaseSignal(np.zeros((2, 2))).T)


def test_map_lazy_matches_eager():
    s = _cube()
    lazy = Signal1D(da.from_array(s.data, chunks=(1, 2, 4, 5)), axes=s.axes_manager._axes)
    k = BaseSignal(np.arange(24.).reshape(2, 3, 4)).T
    out = lazy.map(lambda x, k: x[:2] * k, k=k, inplace=False)
    assert out._lazy and out.axes_manager.signal_shape == (2,)
    np.testing.assert_allclose(out.data.compute(), s.data[..., :2] * k.data[..., None])
    total = s.map(np.sum, inplace=False, lazy_output=True)
    assert total._lazy
    np.testing.assert_allclose(total.data.compute(), s.data.sum(-1))
    lazy.map(lambda x: x - 1)  # in place, stays lazy
    assert lazy._lazy
    np.testing.assert_allclose(lazy.data.compute(), s.data - 1)


def test_map_refuses_ragged_and_changing_shapes_leaving_signal_unchanged():
    s = _cube()
    with pytest.raises(NotImplementedError, match="ragged"):
        s.map(np.sum, ragged=True)
    with pytest.raises(ValueError, match="different shapes"):
        s.map(lambda x: np.zeros(int(x[0]) % 3 + 1))
    assert s.data.shape == (2, 3, 4, 5)
    np.testing.assert_array_equal(s.data, np.arange(120.).reshape(2, 3, 4, 5))


def test_get_histogram_matches_numpy():
    s = _cube()
    s.metadata.set_item("General.title", "cube")
    h = s.get_histogram()
    counts, edges = np.histogram(s.data, bins="fd")
    assert type(h) is Signal1D and h.metadata.get_item("General.title") == "cube histogram"
    np.testing.assert_array_equal(h.data, counts)
    ax = h.axes_manager[-1]
    assert ax.name == "value" and ax.offset == edges[0]
    assert ax.scale == pytest.approx(edges[1] - edges[0])
    h = s.get_histogram(bins=10, range_bins=(0, 50))
    np.testing.assert_array_equal(h.data, np.histogram(s.data, 10, range=(0, 50))[0])
    s.data[0, 0, 0, 0] = np.nan  # a NaN is left out, not an error
    assert s.get_histogram(bins=4).data.sum() == 119
    with pytest.warns(UserWarning, match="capped"):
        assert s.get_histogram(bins="sqrt", max_num_bins=3).data.size == 3


def test_print_summary_statistics(capsys):
    s = _cube()
    s.data[0, 0, 0, 0] = np.inf
    s.print_summary_statistics(formatter="%.4g")
    text = capsys.readouterr().out
    v = np.arange(1, 120.)
    for name, value in [("mean", v.mean()), ("std", v.std()), ("min", 1.0),
                        ("Q1", np.percentile(v, 25)), ("median", np.median(v)),
                        ("max", 119.0)]:
        assert f"| {name:>12} | {'%.4g' % value:>10} |" in text
