"""Decomposition and blind-source-separation methods of signals.

Thin methods: validate arguments, unfold the data to (pixels, channels), call
the kernels in :mod:`emunmix.learn`, fold and store the results. The methods
live in :mod:`.learning_decomposition` (the results' readers in
:mod:`.learning_decomposition_results`) and :mod:`.learning_bss`; the shared
folding helpers in :mod:`.learning_common`.
"""

from __future__ import annotations

from .learning_bss import BSSMethods
from .learning_cluster import ClusterMethods
from .learning_decomposition import DecompositionMethods


class LearningMixin(DecompositionMethods, BSSMethods, ClusterMethods):
    """Methods mixed into :class:`~emunmix.signal.base.BaseSignal`.

    ``s.decomposition()``, ``s.blind_source_separation()`` and the methods
    that read, plot, export and edit ``s.learning_results`` (HyperSpy names).
    """
