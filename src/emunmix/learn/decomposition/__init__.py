"""Decomposition of (pixels, channels) matrices: the pipeline (masks, centring, Poisson
scaling, reprojection), its registered kernels (SVD, PCA, MLPCA, RPCA, estimators), the
dimension estimates and the deferred components."""

from emunmix.learn.decomposition.elbow import auto_output_dimension, estimate_elbow_position
from emunmix.learn.decomposition.finish import DeferredComponents, StaleDataError
from emunmix.learn.decomposition.kernels import DECOMPOSITION, KernelOutput
from emunmix.learn.decomposition.mlpca import MLPCAConvergenceWarning, MLPCAResult, mlpca
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.decomposition.poisson import (
    PoissonWeights,
    poisson_denormalise,
    poisson_normalise,
    poisson_weights,
)
from emunmix.learn.decomposition.rpca import RPCAConvergenceWarning, RPCAResult, rpca

__all__ = [
    "DECOMPOSITION",
    "DecompositionOutput",
    "DeferredComponents",
    "KernelOutput",
    "MLPCAConvergenceWarning",
    "MLPCAResult",
    "PoissonWeights",
    "RPCAConvergenceWarning",
    "RPCAResult",
    "StaleDataError",
    "auto_output_dimension",
    "decompose",
    "estimate_elbow_position",
    "mlpca",
    "poisson_denormalise",
    "poisson_normalise",
    "poisson_weights",
    "rpca",
]
