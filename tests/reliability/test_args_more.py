"""More silent misuse (issue #13 follow-ups): repeated components or axes, factors of
another channel count, shifts off the axis, data a file format cannot hold. Each is
refused with a clear error (type, the problem and the fix), the signal unchanged."""

import numpy as np
import pytest
from _cli_helpers import assert_state_unchanged, signal_state, spectra


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
}


@pytest.mark.parametrize("name", CASES)
def test_misuse_is_refused_and_the_signal_unchanged(s, name):
    call, error, words = CASES[name]
    before = signal_state(s)
    with pytest.raises(error) as info:
        call(s)
    message = str(info.value)
    for w in words:
        assert w in message, (w, message)
    assert_state_unchanged(s, before)


def test_distinct_components_and_axes_still_work(s):
    lr = s.learning_results
    m = s.get_decomposition_model([1, 0])
    expected = (lr.loadings[:, :2] @ lr.factors[:, :2].T).reshape(s.data.shape)
    np.testing.assert_allclose(m.data, expected, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(s.sum(axis=(0, 1)).data, s.data.sum(axis=(0, 1)), rtol=1e-6)
    np.testing.assert_allclose(s.sum(axis=np.array([0, 1])).data, s.data.sum(axis=(0, 1)),
                               rtol=1e-6)
