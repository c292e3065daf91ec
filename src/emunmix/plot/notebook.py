"""Figures that behave in a notebook: no stray reprs, no accumulation on re-runs.

Three rules, as matplotlib and HyperSpy arrange it for their own objects:

- A plot object (``SignalPlot``, the component browser, the spikes tool) that
  is the value of a cell's last line shows nothing more: the figure (and its
  widgets) already show themselves, and a text repr under them would go stale
  as soon as the pointer moves. Shown again in a later cell (``p`` alone on a
  line), it displays its figures again. ``repr()`` is unchanged.
- Re-running a cell closes the figures its previous run opened: their output
  was cleared by the notebook, so they can never be seen again (JupyterLab and
  Notebook 7 send the cell's id with each execution).
- Plotting the same view of the same object again (``s.plot()`` twice, the
  spikes tool on the same signal) replaces the earlier figure, as HyperSpy
  closes an earlier ``s.plot()``.
- With ``%matplotlib widget``, once a cell has shown its figures pyplot lets
  go of them, as ipympl itself does for figures shown outside interactive
  mode: they stay live in the notebook (their widgets hold them) but no longer
  count towards matplotlib's "more than 20 figures" warning, which exists to
  catch figures that pile up unseen. Ours cannot pile up: the two rules above
  close them, and :func:`live_figures` lists those still open.
"""

from __future__ import annotations

import weakref

import matplotlib.pyplot as plt

from ..display_text import execution_count
from .environment import in_jupyter, is_widget_backend

# (id(owner), role) -> (weakref to the owner, the plot object holding the figures)
_VIEWS: dict = {}
_HOOKS: dict = {"installed": False, "before": set(), "cell": None}
# cell id -> weak references to the figures its last run opened
_CELL_FIGURES: dict[str, list] = {}
# every figure emunmix opened and has not closed
_LIVE: weakref.WeakSet = weakref.WeakSet()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is optional
        return None
    return get_ipython()


def figures_of(obj) -> list:
    """The matplotlib figures a plot object holds (``figures`` or ``figure``)."""
    figures = getattr(obj, "figures", None)
    if figures is None:
        fig = getattr(obj, "figure", None)
        figures = [fig] if fig is not None else []
    return [f for f in figures if f is not None]


def made_figure(fig) -> None:
    """Note a figure that emunmix opened (``new_figure`` calls this)."""
    _LIVE.add(fig)
    fig.canvas.mpl_connect("close_event", lambda _e: _LIVE.discard(fig))


def live_figures() -> list:
    """The figures emunmix opened that are still open (shown or not)."""
    return list(_LIVE)


def close_figures(figures) -> None:
    """Close figures, whether pyplot still holds them or has let go of them (closing
    twice is harmless)."""
    for fig in figures:
        plt.close(fig)
        if getattr(fig, "_emunmix_released", False):
            manager = getattr(fig.canvas, "manager", None)
            if manager is not None:
                manager.destroy()  # ipympl: closes the canvas widget
            fig._emunmix_released = False
        _LIVE.discard(fig)


def _pyplot_figures() -> list:
    from matplotlib._pylab_helpers import Gcf

    return [m.canvas.figure for m in Gcf.get_all_fig_managers()]


def _release(figures) -> None:
    """Let pyplot forget shown widget figures (they stay live in the notebook)."""
    from matplotlib._pylab_helpers import Gcf

    for fig in figures:
        manager = getattr(fig.canvas, "manager", None)
        if fig in _LIVE and manager is not None and Gcf.figs.get(manager.num) is manager:
            del Gcf.figs[manager.num]
            fig._emunmix_released = True


def replace_view(owner, role: str, view) -> None:
    """Register ``view`` as ``owner``'s ``role`` plot, closing the one it replaces."""
    key = (id(owner), role)
    old = _VIEWS.get(key)
    if old is not None and old[0]() is owner and old[1] is not view:
        closer = getattr(old[1], "close", None)
        if callable(closer):
            closer()
        else:
            close_figures(figures_of(old[1]))
    _VIEWS[key] = (weakref.ref(owner), view)
    for k in [k for k, (ref, _) in _VIEWS.items() if ref() is None]:
        del _VIEWS[k]  # owners that are gone


def view_of(owner, role: str = "plot"):
    """The open plot of ``owner`` for ``role`` (``"plot"``, ``"decomposition_results"``,
    ``"bss_results"``, ``"spikes_tool"``), or None.

    A cell whose last line is ``s.plot()`` keeps no name for the plot; this
    finds it (``view_of(s).pointer.indices``).
    """
    entry = _VIEWS.get((id(owner), role))
    return entry[1] if entry is not None and entry[0]() is owner else None


class NotebookDisplay:
    """Mixin: echo nothing when the object is a cell's value in the cell that made it.

    Subclasses set ``self._made_in = execution_count()`` when they open their
    figures (done by :meth:`_note_creation`).
    """

    _made_in: int | None = None

    def _note_creation(self) -> None:
        self._made_in = execution_count()
        install_cell_hooks()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        if self._made_in is not None and self._made_in == execution_count():
            return  # the figures and widgets are on their way to this cell's output
        widget = getattr(self, "widget", None)
        if widget is not None:
            display(widget)
            return
        for fig in figures_of(self):
            canvas = fig.canvas
            display(canvas if _is_widget(canvas) else fig)


def _is_widget(obj) -> bool:
    try:
        import ipywidgets
    except ImportError:
        return False
    return isinstance(obj, ipywidgets.DOMWidget)


# -- closing what a re-run cell opened -------------------------------------------------
def _cell_id(info) -> str | None:
    cell_id = getattr(info, "cell_id", None)
    return str(cell_id) if cell_id else None


def _pre_run_cell(info) -> None:
    cell = _cell_id(info)
    _HOOKS["cell"] = cell
    if cell is not None:
        close_figures([f for f in (r() for r in _CELL_FIGURES.pop(cell, [])) if f is not None])
    _HOOKS["before"] = set(id(f) for f in _pyplot_figures())


def _post_run_cell(_result) -> None:
    opened = [f for f in _pyplot_figures() if id(f) not in _HOOKS["before"]]
    cell = _HOOKS["cell"]
    if cell is not None and opened:
        _CELL_FIGURES[cell] = [weakref.ref(f) for f in opened]
    if is_widget_backend():  # ipympl has displayed them (its post_execute hook ran)
        _release(opened)


def install_cell_hooks() -> bool:
    """Register the re-run rule with the running Jupyter kernel (once); True if active."""
    if _HOOKS["installed"]:
        return True
    if not in_jupyter():
        return False
    shell = _shell()
    shell.events.register("pre_run_cell", _pre_run_cell)
    shell.events.register("post_run_cell", _post_run_cell)
    _HOOKS["installed"] = True
    # the cell running now (the first plot call) counts from here
    _HOOKS["before"] = set(id(f) for f in _pyplot_figures())
    parent = getattr(getattr(shell, "kernel", None), "get_parent", lambda *a: {})()
    _HOOKS["cell"] = (parent or {}).get("metadata", {}).get("cellId")
    return True
