"""Non-negative matrix factorisation: HALS and KL solvers, their starts (NNDSVD, BSS)
and the spatial-smoothness prior; registered as the "NMF" decomposition algorithm."""

from emunmix.exceptions import reexported_warnings
from emunmix.learn.nmf.algorithm import nmf_kernel
from emunmix.learn.nmf.core import (
    NMFResult,
    kl_divergence,
    nmf,
    scale_factors,
)
from emunmix.learn.nmf.init import bss_init, nndsvda
from emunmix.learn.nmf.spatial import SpatialPrior, auto_smoothness, pixel_graph

__all__ = [
    "NMFConvergenceWarning",
    "NMFResult",
    "SpatialPrior",
    "auto_smoothness",
    "bss_init",
    "kl_divergence",
    "nmf",
    "nmf_kernel",
    "nndsvda",
    "pixel_graph",
    "scale_factors",
]

# the warning class is made on first use, so that importing this does not import sklearn
__getattr__ = reexported_warnings("NMFConvergenceWarning")
