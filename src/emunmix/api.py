"""The HyperSpy-style namespace: ``import emunmix.api as hs``.

>>> import emunmix.api as hs
>>> s = hs.datasets.CL1()
>>> s.decomposition(True)  # doctest: +SKIP
"""

from __future__ import annotations

from . import datasets, plot
from . import signal as signals
from .io import load, stack_signals

__all__ = ["load", "signals", "plot", "datasets", "stack"]


def stack(signal_list):
    """Stack signals of equal shape along a new navigation axis."""
    return stack_signals(list(signal_list))
