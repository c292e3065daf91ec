"""Shared fixtures of the reliability (fault) suite. Helpers are in _files_helpers.py
(snapshot/assert_unchanged for "the signal is unchanged", listing for "no file left")."""

import numpy as np
import pytest

import emunmix.api as hs


@pytest.fixture
def spectrum():
    """A small spectrum image with metadata and decomposition results."""
    rng = np.random.default_rng(0)
    s = hs.signals.Signal1D(rng.poisson(20, (6, 8, 32)).astype(float))
    s.metadata.General.title = "sample"
    s.metadata.set_item("Acquisition_instrument.TEM.beam_energy", 200.0)
    s.axes_manager[-1].scale = 0.5
    s.decomposition(print_info=False)
    return s
