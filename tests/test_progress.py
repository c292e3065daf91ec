"""Progress bars on lazy passes: shown by default (after a delay), off with show_progressbar."""

import dask.array as da
import numpy as np
import pytest

import emunmix.api as hs
from emunmix import progress


@pytest.fixture
def no_delay():
    old = progress.preferences.General.progressbar_delay
    progress.preferences.General.progressbar_delay = 0.0
    yield
    progress.preferences.General.progressbar_delay = old
    progress.preferences.General.show_progressbar = True


def _lazy_ll():
    ll = hs.datasets.LL3().inav[:8, :8]
    return ll._new_like(da.from_array(np.asarray(ll.data), chunks=(4, 4, 1024)))


def test_a_lazy_pass_shows_a_bar_unless_switched_off(no_delay, capsys):
    x = da.ones((40, 30), chunks=(10, 30))
    assert progress.compute(x.sum(), desc="a pass")[0] == 1200
    assert "a pass" in capsys.readouterr().err
    with progress.showing(False):
        progress.compute(x.sum(), desc="a pass")
    assert "a pass" not in capsys.readouterr().err
    hs.preferences.General.show_progressbar = False
    progress.compute(x.sum(), desc="a pass")
    assert "a pass" not in capsys.readouterr().err
    with progress.showing(True):  # the method's argument wins over the preference
        progress.compute(x.sum(), desc="a pass")
    assert "a pass" in capsys.readouterr().err


def test_lazy_alignment_and_decomposition_report_progress(no_delay, capsys):
    s = _lazy_ll()
    s.align_zero_loss_peak(print_stats=False, show_progressbar=False)
    assert "zero-loss" not in capsys.readouterr().err
    s = _lazy_ll()
    s.align_zero_loss_peak(print_stats=False)
    assert "zero-loss peak centres" in capsys.readouterr().err
    s.decomposition(output_dimension=2, print_info=False)
    assert "pass over the data" in capsys.readouterr().err


def test_short_work_prints_nothing_by_default(capsys):
    progress.compute(da.ones(10, chunks=5).sum())  # the default delay: 1 s
    assert capsys.readouterr().err == ""
