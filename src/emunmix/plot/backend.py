"""Which matplotlib environment we are in, and making figures that suit it.

Three environments matter: a static one (Agg, PDF, SVG, Jupyter ``inline``: just
draw, never block), an interactive desktop or widget backend (Qt, Tk, ipympl:
mouse and key events reach the figure) and a Jupyter kernel (ipywidgets may be
displayed next to the figure).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt

from .environment import (  # noqa: F401 (part of this module's face)
    backend_name,
    have_ipywidgets,
    in_jupyter,
    is_interactive_backend,
    is_widget_backend,
)


def free_arrow_keys() -> None:
    """Stop matplotlib's toolbar from also reacting to the arrow keys we navigate with.

    By default left/right step back/forward in the zoom history; in a pointer
    plot they move the pointer instead (as in HyperSpy).
    """
    for key, arrow in (("keymap.back", "left"), ("keymap.forward", "right")):
        keys = list(plt.rcParams[key])
        if arrow in keys:
            keys.remove(arrow)
            plt.rcParams[key] = keys


def new_figure(figsize=None, **kwargs) -> matplotlib.figure.Figure:
    """A pyplot figure (so notebooks and GUIs show it) laid out without overlaps.

    Nothing is shown or blocked here: notebooks display pyplot figures at the
    end of the cell, GUI sessions in interactive mode at once, and scripts when
    they call ``plt.show()`` themselves.
    """
    from .notebook import install_cell_hooks

    install_cell_hooks()  # a re-run notebook cell closes the figures it opened before
    kwargs.setdefault("layout", "constrained")
    if is_interactive_backend():
        free_arrow_keys()
    fig = plt.figure(figsize=figsize, **kwargs)
    from .notebook import made_figure

    made_figure(fig)
    return fig


def redraw(fig) -> None:
    """Ask the canvas for a redraw when it next can (cheap, never blocks)."""
    fig.canvas.draw_idle()


class Connections:
    """Matplotlib event connections made by one plot object, to undo together.

    Matplotlib holds handlers weakly, so the owner must stay referenced (our
    plots hang themselves on their figure).
    """

    def __init__(self):
        self._items = []

    def connect(self, canvas, name: str, handler) -> None:
        """``canvas.mpl_connect(name, handler)``, remembered."""
        self._items.append((canvas, canvas.mpl_connect(name, handler)))

    def disconnect(self) -> None:
        """Disconnect everything connected so far."""
        for canvas, cid in self._items:
            canvas.mpl_disconnect(cid)
        self._items = []
