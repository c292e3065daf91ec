"""Shared input checks and their messages."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.linalg import MatrixView
from emunmix.validation import (
    check_2d,
    check_choice,
    check_data_stats,
    check_index,
    check_mask,
    check_output_dimension,
    check_random_state,
    working_dtype,
)


def _stats(X, rows=None, cols=None):
    return MatrixView(X, rows=rows, cols=cols).stats()


def test_data_checks_count_only_unmasked_values():
    X = np.ones((4, 3))
    X[0, 0] = np.nan
    X[2, 1] = np.inf
    with pytest.raises(ValueError, match=r"2 NaN/inf values \(out of 12 unmasked\).*nan_to_num"):
        check_data_stats(_stats(X), 12, False, "SVD", False)
    check_data_stats(_stats(X, rows=np.array([1, 3])), 6, False, "SVD", False)
    with pytest.raises(ValueError, match="1 NaN/inf"):
        check_data_stats(_stats(X, cols=np.array([1, 2])), 8, False, "SVD", False)


def test_negative_values_refused_only_where_they_matter():
    X = np.zeros((3, 3))
    X[1, 1] = -2
    with pytest.raises(ValueError, match="NMF needs non-negative.*1 negative.*clip"):
        check_data_stats(_stats(X), 9, False, "NMF", True)
    with pytest.raises(ValueError, match="Poisson noise normalisation needs non-negative"):
        check_data_stats(_stats(X), 9, True, "SVD", False)
    check_data_stats(_stats(X), 9, False, "SVD", False)
    check_data_stats(_stats(X, cols=np.array([0, 2])), 6, False, "NMF", True)


def test_choices_and_indices():
    check_choice("signal", (None, "signal"), "centre")
    with pytest.raises(ValueError, match=r"centre must be one of \(None, 'signal'\)"):
        check_choice("nav", (None, "signal"), "centre")
    assert check_index(-1, 3, "axis", "the signal axes") == 2
    with pytest.raises(ValueError, match=r"axis 3 is out of range .*\(valid: -3 to 2\)"):
        check_index(3, 3, "axis", "the signal axes")
    with pytest.raises(TypeError, match="axis must be an integer"):
        check_index(1.0, 3, "axis", "the signal axes")


def test_check_mask_shapes_and_values():
    assert check_mask(None, 5, "navigation_mask") is None
    assert check_mask(np.zeros(5, bool), 5, "navigation_mask") is None  # excludes nothing
    m = check_mask(np.array([[1, 0], [0, 0]]), 4, "navigation_mask", full_shape=(2, 2))
    np.testing.assert_array_equal(m, [True, False, False, False])
    with pytest.raises(ValueError, match=r"shape \(3,\) but the data need shape \(4,\) or "
                                         r"\(2, 2\)"):
        check_mask(np.zeros(3, bool), 4, "navigation_mask", full_shape=(2, 2))
    with pytest.raises(TypeError, match="boolean"):
        check_mask(np.array([0.5, 1.0]), 2, "signal_mask")
    with pytest.raises(ValueError, match="excludes all 2"):
        check_mask(np.ones(2, bool), 2, "signal_mask")


def test_check_output_dimension():
    assert check_output_dimension(None, (10, 5)) is None
    assert check_output_dimension("AUTO", (10, 5)) == "auto"
    assert check_output_dimension(np.int64(5), (10, 5)) == 5
    for bad in (0, 6, -1):
        with pytest.raises(ValueError, match="between 1 and 5"):
            check_output_dimension(bad, (10, 5))
    with pytest.raises(TypeError):
        check_output_dimension(True, (10, 5))
    with pytest.raises(ValueError, match="integer or None"):
        check_output_dimension("auto", (10, 5), allow_auto=False)


def test_dtypes_shapes_and_random_state():
    assert working_dtype(np.uint16) == np.float32
    assert working_dtype(np.float64) == np.float64
    assert working_dtype(bool) == np.float32
    with pytest.raises(TypeError, match="complex"):
        working_dtype(np.complex64)
    with pytest.raises(ValueError, match="2-D"):
        check_2d(np.zeros(3))
    with pytest.raises(ValueError, match="empty"):
        check_2d(np.zeros((3, 0)))
    a = check_random_state(np.random.default_rng(1)).uniform()
    b = check_random_state(np.random.default_rng(1)).uniform()
    assert a == b
    assert isinstance(check_random_state(None), np.random.RandomState)


# ---------------------------------------------------------------- one rule everywhere
def _half_mask(shape):
    return np.full(shape, 0.5)


def test_a_mask_holding_half_is_refused_the_same_way_by_every_method():
    import emunmix.api as hs
    from emunmix.exceptions import InvalidMaskError

    s = hs.datasets.CL1(random_state=0).isig[:64].inav[:8, :6]
    nav = _half_mask(s.data.shape[:2])
    sig = _half_mask(s.data.shape[2:])
    calls = {
        "decomposition navigation_mask": lambda: s.decomposition(navigation_mask=nav,
                                                                 print_info=False),
        "decomposition signal_mask": lambda: s.decomposition(signal_mask=sig,
                                                             print_info=False),
        "find_spikes signal_mask": lambda: s.find_spikes(signal_mask=sig),
        "find_spikes navigation_mask": lambda: s.find_spikes(navigation_mask=nav),
        "estimate_shift1D mask": lambda: s.estimate_shift1D(mask=nav),
    }
    for what, call in calls.items():
        with pytest.raises(InvalidMaskError, match="must be a boolean array") as err:
            call()
        assert isinstance(err.value, ValueError) and isinstance(err.value, TypeError), what
    s.decomposition(print_info=False)
    with pytest.raises(InvalidMaskError, match="mask must be a boolean array"):
        s.blind_source_separation(3, mask=sig, print_info=False)


def test_zero_one_numbers_are_a_mask():
    from emunmix.validation import bool_mask

    np.testing.assert_array_equal(bool_mask(np.array([0, 1, 1.0]), "m"), [False, True, True])
    with pytest.raises(ValueError, match="values other than 0 and 1"):
        bool_mask(np.array([0, 2]), "m")
    with pytest.raises(TypeError, match="got dtype <U1"):
        bool_mask(np.array(["a"]), "m")
