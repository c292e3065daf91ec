"""HyperSpy's broadcasting of signals with different spaces, and comparison operators."""

from __future__ import annotations

import numpy as np
import pytest

import emunmix.api as hs


def test_signal_only_times_navigation_only():
    spectrum = hs.signals.Signal1D(np.arange(100.0))           # (|100)
    maps = hs.signals.BaseSignal(np.arange(20.0).reshape(4, 5)).T  # (5, 4|)
    for r in (spectrum * maps, maps * spectrum):
        assert r.axes_manager._signature() == "(5, 4|100)"
        assert isinstance(r, hs.signals.Signal1D)
        np.testing.assert_array_equal(
            r.data, np.arange(20.0).reshape(4, 5, 1) * np.arange(100.0))
    r = maps - spectrum
    np.testing.assert_array_equal(r.data, np.arange(20.0).reshape(4, 5, 1) - np.arange(100.0))


def test_shapes_that_do_not_broadcast_are_refused():
    a = hs.signals.Signal1D(np.zeros((3, 10)))
    b = hs.signals.Signal1D(np.zeros((4, 10)))
    with pytest.raises(ValueError, match="cannot add signals of shapes"):
        a + b


@pytest.mark.parametrize("op, f", [("<", np.less), ("<=", np.less_equal),
                                   (">", np.greater), (">=", np.greater_equal),
                                   ("==", np.equal), ("!=", np.not_equal)])
def test_comparisons_give_boolean_signals(op, f):
    s = hs.datasets.CL1(random_state=0).isig[:30].inav[:6, :5]
    total = s.sum(-1)
    threshold = float(np.median(total.data))
    mask = eval(f"total {op} threshold")
    assert mask.data.dtype == bool and mask.axes_manager._signature() == "(6, 5|)"
    np.testing.assert_array_equal(mask.data, f(total.data, threshold))
    both = eval(f"s {op} s")
    np.testing.assert_array_equal(both.data, f(s.data, s.data))


def test_a_comparison_is_a_navigation_mask():
    s = hs.datasets.CL1(random_state=0).isig[:100].inav[:8, :6]
    mask = s.sum(-1) < float(np.percentile(s.sum(-1).data, 25))
    s.decomposition(navigation_mask=mask, output_dimension=3, print_info=False)
    excluded = np.isnan(s.learning_results.loadings[:, 0])
    np.testing.assert_array_equal(excluded, mask.data.ravel())
    assert {s: 1}[s] == 1  # still hashable
