"""Noise methods: Poisson/Gaussian noise in place, the noise variance metadata."""

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.signal import Signal1D


def _cube(dtype=float):
    return Signal1D((np.arange(2 * 3 * 40).reshape(2, 3, 40) % 17 + 5).astype(dtype))


@pytest.mark.parametrize("lazy", [False, True])
def test_poissonian_noise_mean_variance_and_dtype(lazy):
    s = Signal1D(np.full((40, 500), 30.0, dtype=np.float32))
    s = s.as_lazy() if lazy else s
    s.add_poissonian_noise(random_state=1)
    assert s._lazy is lazy
    d = np.asarray(s.data.compute() if lazy else s.data)
    assert d.dtype == np.float32
    assert np.all(d == np.round(d))  # integer counts
    # 20000 draws of Poisson(30): mean and variance within ~5 standard errors
    assert abs(d.mean() - 30) < 0.2
    assert abs(d.var() - 30) < 1.5


def test_poissonian_noise_in_place_seeded_and_zero_stays_zero():
    s = _cube(np.int64)
    s.data[0, 0, :5] = 0
    view = s.data
    shallow = s.copy()
    s.add_poissonian_noise(random_state=3)
    assert s.data is view and shallow.data is view  # written into the array itself
    assert s.data.dtype == np.int64
    assert np.all(s.data[0, 0, :5] == 0)
    again = _cube(np.int64)
    again.data[0, 0, :5] = 0
    again.add_poissonian_noise(random_state=3)
    np.testing.assert_array_equal(s.data, again.data)


def test_poissonian_noise_refuses_negative_and_leaves_data():
    s = _cube()
    s.data[1, 2, 3] = -1
    before = s.data.copy()
    with pytest.raises(ValueError, match="negative or NaN"):
        s.add_poissonian_noise()
    np.testing.assert_array_equal(s.data, before)


@pytest.mark.parametrize("lazy", [False, True])
def test_gaussian_noise_std(lazy):
    s = Signal1D(np.zeros((50, 400)))
    s = s.as_lazy() if lazy else s
    s.add_gaussian_noise(2.0, random_state=0)
    d = np.asarray(s.data.compute() if lazy else s.data)
    assert abs(d.mean()) < 0.1 and abs(d.std() - 2.0) < 0.05


def test_gaussian_noise_errors():
    with pytest.raises(TypeError, match="change_dtype"):
        _cube(np.int32).add_gaussian_noise(1.0)
    with pytest.raises(ValueError, match="std"):
        _cube().add_gaussian_noise(-1.0)


def test_estimate_poissonian_noise_variance_formula_and_metadata():
    s = _cube()
    s.estimate_poissonian_noise_variance(gain_factor=2.0, gain_offset=3.0,
                                         correlation_factor=0.5)
    var = s.get_noise_variance()
    expected = np.clip((s.data * 2.0 + 3.0) * 0.5, 1.5, np.inf)
    np.testing.assert_allclose(var.data, expected)
    assert var.axes_manager.navigation_shape == s.axes_manager.navigation_shape
    vlm = s.metadata.Signal.Noise_properties.Variance_linear_model
    assert (vlm.gain_factor, vlm.gain_offset, vlm.correlation_factor) == (2.0, 3.0, 0.5)
    # None takes the stored model (HyperSpy): only the gain changes here
    s.estimate_poissonian_noise_variance(gain_factor=1.0)
    np.testing.assert_allclose(s.get_noise_variance().data,
                               np.clip((s.data + 3.0) * 0.5, 1.5, np.inf))


def test_estimate_variance_default_is_the_data_and_expected_value():
    s = _cube()
    s.estimate_poissonian_noise_variance()
    np.testing.assert_allclose(s.get_noise_variance().data, s.data)
    model = Signal1D(np.full(s.data.shape, 4.0))
    s.estimate_poissonian_noise_variance(expected_value=model)
    np.testing.assert_allclose(s.get_noise_variance().data, 4.0)


def test_estimate_variance_bad_arguments_change_nothing():
    s = _cube()
    with pytest.raises(ValueError, match="gain_offset"):
        s.estimate_poissonian_noise_variance(gain_factor=5.0, gain_offset=-1)
    assert s.get_noise_variance() is None
    assert not s.metadata.has_item("Signal.Noise_properties")
    with pytest.raises(ValueError, match="data shape"):
        s.estimate_poissonian_noise_variance(expected_value=Signal1D(np.ones(40)))


def test_set_get_noise_variance():
    s = _cube()
    assert s.get_noise_variance() is None
    s.set_noise_variance(2.5)
    assert s.get_noise_variance() == 2.5
    assert s.metadata.Signal.Noise_properties.variance == 2.5
    with pytest.raises(ValueError, match="navigation shape"):
        s.set_noise_variance(Signal1D(np.ones((4, 40))))
    with pytest.raises(ValueError, match="a number or a signal"):
        s.set_noise_variance("big")
    s.set_noise_variance(None)
    assert s.get_noise_variance() is None


@pytest.mark.parametrize("lazy", [False, True])
def test_noise_variance_round_trips_through_hspy(tmp_path, lazy):
    s = _cube()
    s.estimate_poissonian_noise_variance(gain_offset=1.0)
    path = tmp_path / "v.hspy"
    s.save(path)
    t = hs.load(path, lazy=lazy)
    var = t.get_noise_variance()
    assert var.axes_manager.signal_shape == (40,)
    np.testing.assert_allclose(np.asarray(var.data), s.data + 1.0)
    assert var.metadata.General.title.startswith("Variance of")
    assert t.metadata.Signal.Noise_properties.Variance_linear_model.gain_offset == 1.0
    s.set_noise_variance(0.75)  # a number too
    s.save(path, overwrite=True)
    assert hs.load(path).get_noise_variance() == 0.75
