"""Notebook behaviour: no stray reprs, re-run cells and re-plots close what they replace,
zoom kept by pointer moves, the browser offers every component, summary() reads as text."""

from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pytest

from emunmix.display_text import DisplayText
from emunmix.plot import notebook
from emunmix.plot.browser import ComponentsBrowser


class _Shell:
    """Just enough of an IPython shell: an execution count."""

    execution_count = 7
    events = SimpleNamespace(register=lambda *a: None, unregister=lambda *a: None)


@pytest.fixture
def shell(monkeypatch):
    import IPython

    sh = _Shell()
    monkeypatch.setattr(IPython, "get_ipython", lambda: sh)
    return sh


def _displayed(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    return shown


def test_plot_as_last_line_of_its_cell_echoes_nothing(si, shell, monkeypatch):
    shown = _displayed(monkeypatch)
    p = si.plot()
    p._ipython_display_()  # what IPython's display hook calls for the cell's value
    assert shown == []
    shell.execution_count += 1  # a later cell showing `p` shows the figure again
    p._ipython_display_()
    assert shown == [p.figure]
    assert "pointer at (0, 0)" in repr(p)  # repr itself is unchanged and current
    p.pointer.set_indices((3, 2))
    assert "pointer at (3, 2)" in repr(p)


def test_plotting_the_same_signal_again_replaces_its_plot(si, line_scan):
    first = si.plot()
    other = line_scan.plot()
    second = si.plot()
    open_figs = set(plt.get_fignums())
    assert first.figure.number not in open_figs
    assert {second.figure.number, other.figure.number} <= open_figs


def test_rerun_cell_closes_the_figures_its_last_run_opened(monkeypatch):
    run = SimpleNamespace(cell_id="cell-A")
    keep = plt.figure()  # opened by another cell
    notebook._pre_run_cell(run)
    a1, a2 = plt.figure(), plt.figure()
    notebook._post_run_cell(None)
    assert [r() for r in notebook._CELL_FIGURES["cell-A"]] == [a1, a2]
    notebook._pre_run_cell(SimpleNamespace(cell_id="cell-B"))
    b = plt.figure()
    notebook._post_run_cell(None)
    notebook._pre_run_cell(run)  # cell A again: its old output is gone
    assert not plt.fignum_exists(a1.number) and not plt.fignum_exists(a2.number)
    assert plt.fignum_exists(b.number) and plt.fignum_exists(keep.number)
    notebook._post_run_cell(None)
    notebook._pre_run_cell(SimpleNamespace(cell_id=None))  # no id: nothing is closed
    notebook._post_run_cell(None)
    assert plt.fignum_exists(b.number)
    notebook._CELL_FIGURES.clear()


def test_zoom_into_an_edge_survives_pointer_moves(si):
    si.data[..., 40:] += 5000.0  # a strong edge outside the zoomed window
    p = si.plot()
    ax = p.signal_ax
    ax.set_xlim(305.0, 315.0)  # what the toolbar's zoom does: channels 10 to 30
    x = si.axes_manager.signal_axes[0].axis
    for indices in ((8, 5), (0, 0), (4, 3)):
        p.pointer.set_indices(indices)
        assert ax.get_xlim() == (305.0, 315.0)
        window = si.data[indices[1], indices[0]][(x >= 304.5) & (x <= 315.5)]
        lo, hi = ax.get_ylim()
        assert lo <= window.min() and window.max() <= hi
        # fitted to what is visible, not to the edge (5000 counts higher)
        assert hi - lo <= (window.max() - window.min()) / 0.6 * 1.1


def test_browser_offers_every_component_of_a_full_svd():
    import emunmix.api as hs

    s = hs.datasets.CL1()
    s.decomposition(print_info=False)
    n = s.learning_results.n_components
    assert n == s.axes_manager.signal_axes[0].size  # a full SVD: one per channel
    b = ComponentsBrowser(*_stacks(s))
    assert b.n_components == n
    b.set_component(n - 1)
    np.testing.assert_allclose(b.factor_artist.get_ydata(),
                               s.learning_results.factors[:, n - 1])


def _stacks(s):
    from emunmix.signal.learning_common import factors_signal, loadings_signal

    lr = s.learning_results
    return (factors_signal(s, lr.factors, "decomposition"),
            loadings_signal(s, lr.loadings, "decomposition"))


def test_summary_reads_as_text_in_ipython():
    from IPython.lib.pretty import pretty

    text = DisplayText("Decomposition parameters:\n---\n\nalgorithm : \tSVD")
    assert pretty(text) == str(text)  # not "'Decomposition parameters:\\n...'"
    assert text == "Decomposition parameters:\n---\n\nalgorithm : \tSVD"


def test_view_of_finds_the_open_plot(si, line_scan):
    assert notebook.view_of(si) is None
    p = si.plot()
    assert notebook.view_of(si) is p and notebook.view_of(line_scan) is None


def test_widget_figures_leave_pyplot_once_shown_and_still_close(monkeypatch):
    from emunmix.plot.backend import new_figure

    monkeypatch.setattr(notebook, "is_widget_backend", lambda: True)
    notebook._pre_run_cell(SimpleNamespace(cell_id="cell-W"))
    ours, theirs = new_figure(), plt.figure()
    notebook._post_run_cell(None)
    # ours no longer counts towards matplotlib's 20-figure warning, but is still open
    assert ours.number not in plt.get_fignums() and ours in notebook.live_figures()
    assert theirs.number in plt.get_fignums() and theirs not in notebook.live_figures()
    destroyed = []
    monkeypatch.setattr(ours.canvas.manager, "destroy", lambda: destroyed.append(True))
    notebook._pre_run_cell(SimpleNamespace(cell_id="cell-W"))  # re-run: both close
    assert destroyed == [True] and ours not in notebook.live_figures()
    assert theirs.number not in plt.get_fignums()
    notebook._post_run_cell(None)
    notebook._CELL_FIGURES.clear()


def test_automatic_spike_report_echoes_only_later(shell, capsys):
    import emunmix.api as hs

    s = hs.datasets.CL4().inav[:16, :16]
    report = s.spikes_removal_tool(interactive=False, random_state=0)
    printed = capsys.readouterr().out
    assert printed.startswith("Removed ")
    report._ipython_display_()  # the cell's value: its line was printed already
    assert capsys.readouterr().out == ""
    shell.execution_count += 1
    report._ipython_display_()
    assert capsys.readouterr().out == printed


def test_results_browser_computes_deferred_components_only_when_shown(monkeypatch):
    import emunmix.api as hs
    from emunmix.plot import browser as browser_mod

    monkeypatch.setattr(browser_mod, "browser_mode", lambda: "keys")
    s = hs.datasets.CL1()
    s.decomposition(print_info=False)
    lr = s.learning_results
    assert lr.components.pending is not None  # a full SVD defers most components
    b = s.plot_decomposition_results()
    assert b.n_components == lr.n_components
    assert lr.components.pending is not None  # opening it computed nothing more
    b.set_component(lr.n_components - 1)  # browsing there does
    assert lr.components.pending is None
    np.testing.assert_allclose(b.factor_artist.get_ydata(), lr.factors[:, -1])
