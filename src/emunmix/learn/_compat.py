"""The module paths of emunmix 0.1 (flat ``emunmix.learn.svd`` ...), kept as aliases of
the modules that replaced them, so that scripts written against them keep working.
They will be removed in 0.3; new code imports from the subpackages."""

from __future__ import annotations

import importlib
import sys

#: old module name (under emunmix.learn) -> the module that holds its contents now
MOVED = {
    "matrix_view": "linalg.matrix_view",
    "matrix_blocks": "linalg.matrix_blocks",
    "gram_eigen": "linalg.gram_eigen",
    "svd": "linalg.svd",
    "threads": "linalg.threads",
    "decompose": "decomposition.pipeline",
    "decompose_output": "decomposition.output",
    "finish": "decomposition.finish",
    "algorithms": "decomposition.svd_pca",
    "mlpca": "decomposition.mlpca",
    "rpca": "decomposition.rpca",
    "poisson": "decomposition.poisson",
    "elbow": "decomposition.elbow",
    "reproject": "decomposition.reproject",
    "nmf_hals": "nmf.hals",
    "nmf_init": "nmf.init",
    "nmf_spatial": "nmf.spatial",
    "bss_steps": "bss.steps",
    "ica": "bss.ica",
    "whiten": "bss.whiten",
    "validation": "emunmix.validation",
}


def install() -> None:
    """Make each old module path name the module that replaced it."""
    for old, new in MOVED.items():
        sys.modules.setdefault(f"emunmix.learn.{old}", importlib.import_module(
            new if new.startswith("emunmix.") else f"emunmix.learn.{new}"))
