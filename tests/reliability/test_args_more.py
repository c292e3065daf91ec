"""More silent misuse (issue #13 follow-ups): repeated components or axes, factors of
another channel count, shifts off the axis, data a file format cannot hold. Each is
refused with a clear error (type, the problem and the fix), the signal unchanged."""

import numpy as np
import pytest
from _cli_helpers import assert_refused, assert_state_unchanged, signal_state, spectra


@pytest.fixture(scope="module")
def base():
    s = spectra()
    s.decomposition(print_info=False)
    s.blind_source_separation(2, print_info=False, random_state=0)
    return s


@pytest.fixture
def s(base):
    return base.deepcopy()


NAV = (4, 5)
# (call, error type, words the message holds)
CASES = {
    # a model adds each component once (HyperSpy 2.5 silently counts [1, 1] twice)
    "model([1, 1])": (lambda s: s.get_decomposition_model([1, 1]), ValueError,
                      ["[1, 1]", "more than once", "list each component once"]),
    "model([1, -19])": (lambda s: s.get_decomposition_model([1, -19]), ValueError,
                        ["[1]", "negative indices", "once"]),
    "bss model([0, 0])": (lambda s: s.get_bss_model([0, 0]), ValueError,
                          ["[0]", "more than once"]),
    # numpy refuses repeated axes; we used to drop the repeat silently
    "sum(axis=(0, 0))": (lambda s: s.sum(axis=(0, 0)), ValueError,
                         ["0 and 0", "same axis", "list each axis once"]),
    "mean(axis=[0, -3])": (lambda s: s.mean(axis=[0, -3]), ValueError, ["0 and -3"]),
    "max(axis=(2, 2))": (lambda s: s.max(axis=(2, 2)), ValueError, ["more than once"]),
    "std(axis=(1, 1))": (lambda s: s.std(axis=(1, 1)), ValueError, ["more than once"]),
    # shifts that move whole spectra off the axis (HyperSpy 2.5 refuses them too)
    "shift1D(1e6, crop=False)": (lambda s: s.shift1D(np.full(NAV, 1e6), crop=False),
                                 ValueError, ["20 of 20 spectra", "entirely off",
                                              "all NaN", "in axis units"]),
    "shift1D(1e6)": (lambda s: s.shift1D(np.full(NAV, 1e6)), ValueError, ["entirely off"]),
    "shift1D one of 40, crop=False": (lambda s: s.shift1D(_one(NAV, -40.0), crop=False),
                                      ValueError, ["40 axis units", "1 of 20 spectra",
                                                   "expand=True"]),
}


def _one(shape, value):
    out = np.zeros(shape)
    out.flat[0] = value
    return out


@pytest.mark.parametrize("name", CASES)
def test_misuse_is_refused_and_the_signal_unchanged(s, name):
    call, error, words = CASES[name]
    assert_refused(s, call, error, words)


def test_distinct_components_and_axes_still_work(s):
    lr = s.learning_results
    m = s.get_decomposition_model([1, 0])
    expected = (lr.loadings[:, :2] @ lr.factors[:, :2].T).reshape(s.data.shape)
    np.testing.assert_allclose(m.data, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(s.sum(axis=(0, 1)).data, s.data.sum(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_allclose(s.sum(axis=np.array([0, 1])).data, s.data.sum(axis=(0, 1)),
                               rtol=1e-6)


def _factors(s, channels=None, rows=None):
    F = s.get_decomposition_factors()
    return F.isig[:channels] if rows is None else F.data[:rows, :channels].T


BSS_FACTORS = {
    "a signal of 10 channels": lambda s: _factors(s, 10),
    "an array of 10 channels": lambda s: _factors(s, 10, rows=2),
    "an array of 3 channels": lambda s: _factors(s, 3, rows=2),
}


@pytest.mark.parametrize("name", BSS_FACTORS)
def test_bss_factors_over_other_channels_are_refused(s, name):
    factors = BSS_FACTORS[name](s)
    before = signal_state(s)
    with pytest.raises(ValueError) as info:
        s.blind_source_separation(2, factors=factors, print_info=False)
    message = str(info.value)
    for w in ["channels but this signal has 32", "same 32 channels", "crop the signal"]:
        assert w in message, (w, message)
    assert_state_unchanged(s, before)


def test_bss_factors_as_components_by_channels_name_the_transpose(s):
    before = signal_state(s)
    with pytest.raises(ValueError, match=r"components x channels.*factors\.T"):
        s.blind_source_separation(2, factors=s.get_decomposition_factors().data[:2],
                                  print_info=False)
    assert_state_unchanged(s, before)


def test_bss_on_all_the_decomposition_factors_is_bss_on_the_first_ones(s):
    # HyperSpy takes the components it unmixes from a longer factors signal
    ref = s.deepcopy()
    ref.blind_source_separation(2, print_info=False, random_state=0)
    s.blind_source_separation(2, factors=s.get_decomposition_factors(), print_info=False,
                              random_state=0)
    np.testing.assert_allclose(s.learning_results.bss_factors,
                               ref.learning_results.bss_factors, rtol=1e-6, atol=1e-8)


def _bss_too_few(kind):
    mask = np.ones(32, bool)
    mask[:2] = False
    if kind == "no mask":  # 3 channels cannot give 3 independent components
        s = spectra(channels=3)
        s.decomposition(print_info=False)
        return s, lambda s: s.blind_source_separation(3, print_info=False)
    s = spectra()
    if kind == "bss mask":
        s.decomposition(print_info=False)
        return s, lambda s: s.blind_source_separation(3, mask=mask, print_info=False)
    s.decomposition(print_info=False, signal_mask=mask)  # masked channels are NaN factors
    return s, lambda s: s.blind_source_separation(2, print_info=False)


TOO_FEW = {
    "no mask": (["only 3 of the 3 channels", "unmix at most 2 components"], ["mask"]),
    "bss mask": (["of the 32 channels", "31 excluded by the mask", "unmask more"], ["NaN"]),
    "decomposition mask": (["NaN or inf", "masked in the decomposition"], ["by the mask"]),
}


@pytest.mark.parametrize("kind", TOO_FEW)
def test_too_few_samples_for_bss_names_the_actual_cause(kind):
    s, call = _bss_too_few(kind)
    words, absent = TOO_FEW[kind]
    message = assert_refused(s, call, ValueError, words)
    for w in absent:  # no cause that does not apply (no "masking" without a mask)
        assert w not in message, (w, message)


def test_shifts_that_keep_a_channel_are_still_done_with_nan_fill(s):
    s.shift1D(_one(NAV, 31.0), crop=False)  # one channel of 32 left, as HyperSpy
    assert np.isnan(s.data[0, 0, :31]).all() and np.isfinite(s.data[0, 0, 31])
    assert np.isfinite(s.data.reshape(20, 32)[1:]).all()


def test_expand_still_takes_shifts_past_the_axis(s):
    s.shift1D(_one(NAV, 40.0), expand=True)
    assert s.data.shape == (4, 5, 72)


def _data(kind):
    from emunmix.signal import Signal1D, Signal2D

    rng = np.random.default_rng(0)
    if kind == "complex":
        return Signal1D(rng.normal(size=(3, 4, 16)) + 1j * rng.normal(size=(3, 4, 16)))
    if kind == "complex image":
        return Signal2D(rng.normal(size=(8, 8)) + 1j)
    if kind == "bool":
        return Signal1D(rng.normal(size=(16,)) > 0)
    if kind == "one spectrum":
        return Signal1D(rng.normal(size=(16,)))
    return Signal1D(rng.normal(size=(3, 4, 16)))  # a spectrum image


SAVES = {
    "complex to .msa": ("complex", "msa", TypeError, ["MSA", "complex", ".hspy or .zspy"]),
    "complex to .rpl": ("complex", "rpl", TypeError, ["Ripple", "complex", "s.real"]),
    "complex to .png": ("complex image", "png", TypeError, ["Image", "complex"]),
    "complex to .unf": ("complex", "unf", TypeError, ["Semper", "complex128"]),
    "complex to .blo": ("complex image", "blo", TypeError, ["Blockfile", "complex"]),
    "bool to .rpl": ("bool", "rpl", TypeError, ["boolean", "change_dtype('uint8')"]),
    "bool to .jpg": ("bool", "jpg", TypeError, ["Image", "boolean"]),
    "spectrum image to .msa": ("image", "msa", ValueError, ["one spectrum", "(4, 3|16)",
                                                            "s.inav[0, 0]"]),
    "one spectrum to .tif": ("one spectrum", "tif", ValueError, ["images or stacks", ".msa"]),
}


@pytest.mark.parametrize("name", SAVES)
def test_data_a_format_cannot_hold_are_refused_before_writing(tmp_path, name):
    kind, ext, error, words = SAVES[name]
    s = _data(kind)
    assert_refused(s, lambda sig: sig.save(tmp_path / f"out.{ext}"), error,
                   words + [f"out.{ext}"])
    assert list(tmp_path.iterdir()) == []  # nothing written, no temporary file left


@pytest.mark.parametrize("ext", ["hspy", "tif"])
def test_complex_data_still_save_where_the_format_keeps_them(tmp_path, ext):
    import emunmix.api as hs

    s = _data("complex")
    s.save(tmp_path / f"c.{ext}")
    back = hs.load(tmp_path / f"c.{ext}")
    np.testing.assert_array_equal(np.asarray(back.data).reshape(s.data.shape), s.data)
