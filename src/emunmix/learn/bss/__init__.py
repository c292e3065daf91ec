"""Blind source separation of decomposition components: the separation pipeline, the
whitening and the registered unmixing algorithms (FastICA, orthomax, estimators)."""

from emunmix.exceptions import reexported_warnings
from emunmix.learn.bss.ica import (
    UnmixingResult,
    estimator_unmixing,
    fastica_unmixing,
    orthomax,
    orthomax_unmixing,
)
from emunmix.learn.bss.separate import BSS, BSSOutput, separate
from emunmix.learn.bss.whiten import whiten

__all__ = [
    "BSS",
    "BSSConvergenceWarning",
    "BSSOutput",
    "UnmixingResult",
    "estimator_unmixing",
    "fastica_unmixing",
    "orthomax",
    "orthomax_unmixing",
    "separate",
    "whiten",
]

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("BSSConvergenceWarning")
