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
"""

from __future__ import annotations

import weakref

import matplotlib.pyplot as plt

from .backend import in_jupyter

# (id(owner), role) -> (weakref to the owner, the plot object holding the figures)
_VIEWS: dict = {}
_HOOKS: dict = {"installed": False, "before": set(), "cell": None}
# cell id -> numbers of the pyplot figures its last run opened
_CELL_FIGURES: dict[str, set] = {}


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is optional
        return None
    return get_ipython()


def execution_count() -> int | None:
    """The current IPython execution count (None outside IPython)."""
    shell = _shell()
    return None if shell is None else shell.execution_count


def figures_of(obj) -> list:
    """The matplotlib figures a plot object holds (``figures`` or ``figure``)."""
    figures = getattr(obj, "figures", None)
    if figures is None:
        fig = getattr(obj, "figure", None)
        figures = [fig] if fig is not None else []
    return [f for f in figures if f is not None]


def close_figures(figures) -> None:
    """Close figures that pyplot still manages (closing twice is harmless)."""
    for fig in figures:
        plt.close(fig)


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
        for num in _CELL_FIGURES.pop(cell, set()):
            if plt.fignum_exists(num):
                plt.close(num)
    _HOOKS["before"] = set(plt.get_fignums())


def _post_run_cell(_result) -> None:
    cell = _HOOKS["cell"]
    if cell is None:
        return
    opened = set(plt.get_fignums()) - _HOOKS["before"]
    if opened:
        _CELL_FIGURES[cell] = opened


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
    _HOOKS["before"] = set(plt.get_fignums())
    parent = getattr(getattr(shell, "kernel", None), "get_parent", lambda *a: {})()
    _HOOKS["cell"] = (parent or {}).get("metadata", {}).get("cellId")
    return True
