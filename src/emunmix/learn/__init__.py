"""Pure array kernels of machine learning on spectrum images, in five families:
``linalg`` (matrix view, backends, SVD), ``decomposition``, ``nmf``, ``bss`` and
``cluster``, with the algorithm ``registry``, the ``results`` a signal keeps and the
``metrics`` that score them.

The signal layer calls :func:`decompose` and :func:`separate`; algorithms are found by
name in :data:`DECOMPOSITION` and :data:`BSS`. No signals, plotting or printing here.
The names below are imported on first use, so ``import emunmix`` stays fast.
"""

import importlib

from emunmix.learn import _compat

_compat.install()

#: public name -> the module that defines it (imported on first use)
_PUBLIC = {
    "BSS": "emunmix.learn.bss",
    "BSSOutput": "emunmix.learn.bss",
    "separate": "emunmix.learn.bss",
    "DECOMPOSITION": "emunmix.learn.decomposition",
    "DecompositionOutput": "emunmix.learn.decomposition",
    "decompose": "emunmix.learn.decomposition",
    "LearningResults": "emunmix.learn.results",
    "StaleDataError": "emunmix.exceptions",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'emunmix.learn' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
