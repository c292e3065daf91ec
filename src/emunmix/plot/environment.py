"""Which matplotlib environment we are in: the backend (static, interactive, the Jupyter
widget backend) and whether a Jupyter kernel runs us. No figures are made here."""

from __future__ import annotations

import matplotlib

_STATIC_BACKENDS = {"agg", "cairo", "pdf", "pgf", "ps", "svg", "template"}


def backend_name() -> str:
    """The current matplotlib backend name, lower case (``"agg"``, ``"qtagg"``...)."""
    return str(matplotlib.get_backend()).lower()


def is_interactive_backend() -> bool:
    """True when figures receive mouse and key events (Qt, Tk, ipympl, WebAgg...).

    ``inline`` (static PNGs in a notebook) and file backends (Agg, PDF, SVG) are
    not interactive.
    """
    name = backend_name()
    return name not in _STATIC_BACKENDS and "inline" not in name


def is_widget_backend() -> bool:
    """True for the Jupyter widget backend (``%matplotlib widget`` / ipympl)."""
    name = backend_name()
    return "ipympl" in name or name in ("widget", "ipympl")


def in_jupyter() -> bool:
    """True inside a Jupyter kernel (where ipywidgets can be displayed)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is optional
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def have_ipywidgets() -> bool:
    """True when ipywidgets can be imported."""
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True
