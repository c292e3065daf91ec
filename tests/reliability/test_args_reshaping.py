"""Bad arguments to indexing, transpose, rebin, crop, dtype and arithmetic: a clear
error (type, the problem and the fix in the message), and the signal unchanged."""

import numpy as np
import pytest
from _cli_helpers import assert_refused, spectra

from emunmix.exceptions import InvalidIndexError


@pytest.fixture
def s():
    s = spectra()
    s.axes_manager[-1].scale = 0.5
    s.axes_manager[-1].offset = 10.0
    s.axes_manager[-1].name = "E"
    s.decomposition(print_info=False)
    return s


NAN = float("nan")

# (call, error type, words the message holds)
CASES = {
    "isig[nan]": (lambda s: s.isig[NAN], InvalidIndexError, ["nan", "not a number", "axis"]),
    "inav[nan]": (lambda s: s.inav[NAN], InvalidIndexError, ["not a number", "give"]),
    "isig[nan:]": (lambda s: s.isig[NAN:], InvalidIndexError, ["slice bound", "give"]),
    "isig[:nan]": (lambda s: s.isig[:NAN], InvalidIndexError, ["slice bound"]),
    "isig[::nan]": (lambda s: s.isig[::NAN], InvalidIndexError, ["slice step", "NaN"]),
    "isig[::inf]": (lambda s: s.isig[::np.inf], InvalidIndexError, ["infinite", "step"]),
    "isig[::0]": (lambda s: s.isig[::0], InvalidIndexError, ["step 0", "non-zero"]),
    "isig[::0.1]": (lambda s: s.isig[::0.1], InvalidIndexError,
                    ["less than half a channel", "at least 0.5"]),
    "isig[::'a']": (lambda s: s.isig[::"a"], TypeError, ["step", "int", "float"]),
    "isig[inf]": (lambda s: s.isig[np.inf], IndexError, ["out of the range", "E"]),
    "isig[100]": (lambda s: s.isig[100], IndexError, ["out of range", "valid"]),
    "inav[-100]": (lambda s: s.inav[-100], IndexError, ["out of range", "valid"]),
    "isig[True]": (lambda s: s.isig[True], TypeError, ["bool"]),
    "isig['a']": (lambda s: s.isig["a"], TypeError, ["int, float", "slice"]),
    "isig[20.:12.]": (lambda s: s.isig[20.0:12.0], IndexError, ["selects nothing"]),
    "inav[0, 0, 0]": (lambda s: s.inav[0, 0, 0], IndexError, ["too many", "2 navigation"]),
    "transpose(signal_axes=5)": (lambda s: s.transpose(signal_axes=5), ValueError,
                                 ["signal_axes=5", "3 axes", "from 0 to 3"]),
    "transpose(signal_axes=-1)": (lambda s: s.transpose(signal_axes=-1), ValueError,
                                  ["from 0 to 3"]),
    "transpose(navigation_axes=4)": (lambda s: s.transpose(navigation_axes=4), ValueError,
                                     ["navigation_axes=4", "from 0 to 3"]),
    "transpose(signal_axes=1.5)": (lambda s: s.transpose(signal_axes=1.5), TypeError,
                                   ["signal_axes", "an int or a list"]),
    "transpose(2, navigation_axes=1)": (lambda s: s.transpose(signal_axes=2, navigation_axes=1),
                                        ValueError, ["not both"]),
    "transpose([E, E])": (lambda s: s.transpose(signal_axes=["E", "E"]), ValueError,
                          ["twice", "once"]),
    "transpose([E], [E])": (lambda s: s.transpose(signal_axes=["E"], navigation_axes=["E"]),
                            ValueError, ["both", "one of them"]),
    "transpose([E], [0])": (lambda s: s.transpose(signal_axes=["E"], navigation_axes=[0]),
                            ValueError, ["neither", "every axis"]),
    "transpose(['nope'])": (lambda s: s.transpose(signal_axes=["nope"]), ValueError,
                            ["no axis named 'nope'"]),
    "as_signal2D((0, 0))": (lambda s: s.as_signal2D((0, 0)), ValueError, ["twice"]),
    "rebin(new_shape=(0, 4, 32))": (lambda s: s.rebin(new_shape=(0, 4, 32)), ValueError,
                                    ["new_shape", "positive"]),
    "rebin(new_shape=(3, 4, 32))": (lambda s: s.rebin(new_shape=(3, 4, 32)), ValueError,
                                    ["not an integer binning", "[1, 5]"]),
    "rebin(scale=(-1, 1, 1))": (lambda s: s.rebin(scale=(-1, 1, 1)), ValueError,
                                ["scale", "positive"]),
    "rebin(scale=(nan, 1, 1))": (lambda s: s.rebin(scale=(NAN, 1, 1)), ValueError,
                                 ["nan", "positive"]),
    "rebin(scale=(1, 1, 3))": (lambda s: s.rebin(scale=(1, 1, 3)), ValueError,
                               ["size 32", "1, 2, 4, 8, 16, 32"]),
    "rebin(scale=(1, 1))": (lambda s: s.rebin(scale=(1, 1)), ValueError, ["needs 3 numbers"]),
    "rebin(scale=2)": (lambda s: s.rebin(scale=2), TypeError, ["sequence of 3"]),
    "rebin(scale=('a', 1, 1))": (lambda s: s.rebin(scale=("a", 1, 1)), TypeError,
                                 ["give numbers"]),
    "rebin()": (lambda s: s.rebin(), ValueError, ["exactly one of", "new_shape=("]),
    "crop(0, nan)": (lambda s: s.crop(0, NAN), InvalidIndexError, ["not a number"]),
    "crop(0, 3, 1)": (lambda s: s.crop(0, 3, 1), ValueError, ["empty"]),
    "crop(7)": (lambda s: s.crop(7), IndexError, ["out of range", "3 axes"]),
    "crop('nope')": (lambda s: s.crop("nope"), ValueError, ["no axis named"]),
    "crop_signal1D(nan)": (lambda s: s.crop_signal1D(NAN), InvalidIndexError, ["NaN"]),
    "crop_signal1D(20., 10.)": (lambda s: s.crop_signal1D(20.0, 10.0), ValueError, ["empty"]),
    "change_dtype('foo')": (lambda s: s.change_dtype("foo"), TypeError,
                            ["not a data type", "float32"]),
    "change_dtype('rgb8')": (lambda s: s.change_dtype("rgb8"), ValueError, ["3 channels"]),
    "set_signal_type(5)": (lambda s: s.set_signal_type(5), TypeError, ["string", "'EELS'"]),
    "set_signal_type('nope')": (lambda s: s.set_signal_type("nope"), ValueError,
                                ["unknown signal_type", "known types"]),
    "s + 'a'": (lambda s: s + "a", TypeError, ["str", "a number, an array or a signal"]),
    "s += None": (lambda s: s.__iadd__(None), TypeError, ["NoneType", "give a number"]),
    "s + ones(7)": (lambda s: s + np.ones(7), ValueError, ["shape (7,)", "broadcast"]),
    "s += s.isig[:10]": (lambda s: s.__iadd__(s.isig[:10]), ValueError, ["must match"]),
    "s.data = zeros(3)": (lambda s: setattr(s, "data", np.zeros(3)), ValueError,
                          ["differs", "new signal"]),
    "sum(axis=7)": (lambda s: s.sum(axis=7), IndexError, ["out of range"]),
    "sum(axis=1.5)": (lambda s: s.sum(axis=1.5), TypeError, ["name or index"]),
    "isig[1.:2.] on a zero scale": (None, ValueError, ["scale 0", "integers"]),
}


@pytest.mark.parametrize("name", CASES)
def test_bad_argument_is_refused_and_the_signal_unchanged(s, name):
    call, error, words = CASES[name]
    if call is None:  # set up the zero scale first: that is the state to keep
        s.axes_manager[-1].scale = 0.0

        def call(sig):
            return sig.isig[1.0:2.0]
    assert_refused(s, call, error, words)


def test_a_negative_calibrated_step_reverses_as_in_hyperspy(s):
    r = s.isig[::-1.0]  # scale 0.5: two channels back, HyperSpy 2.5's (5, 4|16)
    assert r.axes_manager.signal_shape == (16,)
    np.testing.assert_array_equal(r.data, s.data[..., ::-2])
    np.testing.assert_allclose(r.axes_manager[-1].axis, s.axes_manager[-1].axis[::-2])
    assert np.array_equal(s.isig[::-1].data, s.data[..., ::-1])
    assert s.isig[::0.5].axes_manager.signal_shape == (32,)  # one channel
    assert s.isig[::2.0].axes_manager.signal_shape == (8,)  # four channels


def test_infinite_slice_bounds_clip_to_the_ends(s):
    assert s.isig[:np.inf].axes_manager.signal_shape == (32,)
    assert s.isig[-np.inf:12.0].axes_manager.signal_shape == (4,)


def test_transpose_counts_axes_as_hyperspy():
    from emunmix.signal import Signal1D

    s = Signal1D(np.zeros((2, 3, 4, 5)))
    # HyperSpy 2.5 prints these for transpose(signal_axes=k), k = 0..4
    expected = ["(5, 4, 3, 2|)", "(4, 3, 2|5)", "(3, 2|5, 4)", "(2|5, 4, 3)", "(|5, 4, 3, 2)"]
    for k, sig in enumerate(expected):
        assert s.transpose(signal_axes=k).axes_manager._signature() == sig
        assert s.transpose(navigation_axes=4 - k).axes_manager._signature() == sig
