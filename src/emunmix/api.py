"""The HyperSpy-style namespace: ``import emunmix.api as hs``.

``hs.load``, ``hs.signals``, ``hs.plot``, ``hs.data`` (HyperSpy's example-data
generators), ``hs.datasets``, ``hs.stack`` and
``hs.report`` (an HTML report of a signal and its learning results).
``plot`` (matplotlib) and ``datasets`` (scipy) are imported on first use, so
that ``import emunmix.api`` stays fast.

>>> import emunmix.api as hs
>>> s = hs.datasets.CL1()
>>> s.decomposition(True)  # doctest: +SKIP
"""

from __future__ import annotations

import importlib

from . import signal as signals
from .io import load, stack_signals
from .progress import preferences

__all__ = ["load", "signals", "plot", "data", "datasets", "stack", "report", "preferences"]  # noqa: F822 (lazy, see __getattr__)

_LAZY_MODULES = {"plot": "emunmix.plot", "datasets": "emunmix.datasets", "data": "emunmix.data"}


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        module = importlib.import_module(_LAZY_MODULES[name])
        globals()[name] = module
        return module
    raise AttributeError(f"module 'emunmix.api' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)


def stack(signal_list):
    """Stack signals of equal shape along a new navigation axis."""
    return stack_signals(list(signal_list))


def report(signal, path=None, **kwargs):
    """Write an HTML report of ``signal`` and its learning results (see
    :func:`emunmix.report.report`); returns the page's path, or the Report if no path."""
    from .report import report as _report

    return _report(signal, path, **kwargs)
