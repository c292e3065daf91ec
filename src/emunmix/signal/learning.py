"""Decomposition and blind-source-separation methods of signals.

Thin methods: validate arguments, unfold the data to (pixels, channels), call
the kernels in :mod:`emunmix.learn`, fold and store the results.
"""

from __future__ import annotations


class LearningMixin:
    """Methods mixed into :class:`~emunmix.signal.base.BaseSignal`."""
