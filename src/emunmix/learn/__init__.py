"""Pure array kernels of machine learning on spectrum images, in four families:
``linalg`` (matrix view, backends, SVD), ``decomposition``, ``nmf`` and ``bss``, with the
algorithm ``registry``, the ``results`` a signal keeps and the ``metrics`` that score them.

The signal layer calls :func:`decompose` and :func:`separate`; algorithms are found by
name in :data:`DECOMPOSITION` and :data:`BSS`. No signals, plotting or printing here.
"""

from emunmix.exceptions import StaleDataError
from emunmix.learn import _compat
from emunmix.learn.bss import BSS, BSSOutput, separate
from emunmix.learn.decomposition import DECOMPOSITION, DecompositionOutput, decompose
from emunmix.learn.results import LearningResults

_compat.install()

__all__ = [
    "BSS",
    "BSSOutput",
    "DECOMPOSITION",
    "DecompositionOutput",
    "LearningResults",
    "StaleDataError",
    "decompose",
    "separate",
]
