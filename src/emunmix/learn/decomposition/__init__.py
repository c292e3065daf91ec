"""Decomposition of (pixels, channels) matrices: the pipeline (masks, centring, Poisson
scaling, reprojection) and its registered kernels (SVD, PCA, MLPCA, RPCA, sparse PCA,
online robust PCA and NMF, estimators),
the dimension estimates and the deferred components."""

# isort: off
# the built-in kernels register themselves, in the order the docs list them (NMF, in
# emunmix.learn.nmf, comes between PCA and MLPCA)
from emunmix.learn.decomposition import svd_pca as _svd_pca  # noqa: F401
from emunmix.learn import nmf as _nmf  # noqa: F401
from emunmix.learn.decomposition import mlpca as _mlpca  # noqa: F401
from emunmix.learn.decomposition import rpca as _rpca  # noqa: F401
from emunmix.learn.decomposition import sparse_pca as _sparse_pca  # noqa: F401
from emunmix.learn.decomposition import orpca as _orpca  # noqa: F401
from emunmix.learn.decomposition import ornmf as _ornmf  # noqa: F401
# isort: on
from emunmix.learn.decomposition.elbow import auto_output_dimension, estimate_elbow_position
from emunmix.learn.decomposition.estimator import estimator_kernel, is_estimator
from emunmix.learn.decomposition.finish import DeferredComponents
from emunmix.learn.decomposition.mlpca import MLPCAResult, mlpca
from emunmix.learn.decomposition.output import DecompositionOutput
from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.decomposition.poisson import PoissonWeights, poisson_weights
from emunmix.learn.decomposition.rpca import RPCAResult, rpca
from emunmix.learn.registry import DECOMPOSITION, KernelContext, KernelOutput

__all__ = [
    "DECOMPOSITION",
    "DecompositionOutput",
    "DeferredComponents",
    "KernelContext",
    "KernelOutput",
    "MLPCAResult",
    "PoissonWeights",
    "RPCAResult",
    "auto_output_dimension",
    "decompose",
    "estimate_elbow_position",
    "estimator_kernel",
    "is_estimator",
    "mlpca",
    "poisson_weights",
    "rpca",
]
