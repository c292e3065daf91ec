"""The module paths of emunmix 0.1 (flat ``emunmix.learn.svd`` ...), kept as aliases of
the modules that replaced them, so that scripts written against them keep working.
They will be removed in 0.3; new code imports from the subpackages.

The aliases are resolved on import only (a finder on ``sys.meta_path``), so they cost
nothing until an old path is used.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types

#: old module name (under emunmix.learn) -> the module that holds its contents now
MOVED = {
    "matrix_view": "emunmix.learn.linalg.matrix_view",
    "matrix_blocks": "emunmix.learn.linalg.matrix_blocks",
    "gram_eigen": "emunmix.learn.linalg.gram_eigen",
    "svd": "emunmix.learn.linalg.svd",
    "threads": "emunmix.threads",
    "decompose": "emunmix.learn.decomposition.pipeline",
    "decompose_output": "emunmix.learn.decomposition.output",
    "finish": "emunmix.learn.decomposition.finish",
    "algorithms": "emunmix.learn.decomposition.svd_pca",
    "mlpca": "emunmix.learn.decomposition.mlpca",
    "rpca": "emunmix.learn.decomposition.rpca",
    "poisson": "emunmix.learn.decomposition.poisson",
    "elbow": "emunmix.learn.decomposition.elbow",
    "reproject": "emunmix.learn.decomposition.reproject",
    "nmf_hals": "emunmix.learn.nmf.hals",
    "nmf_init": "emunmix.learn.nmf.init",
    "nmf_spatial": "emunmix.learn.nmf.spatial",
    "bss_steps": "emunmix.learn.bss.steps",
    "ica": "emunmix.learn.bss.ica",
    "whiten": "emunmix.learn.bss.whiten",
    "validation": "emunmix.validation",
}
_PREFIX = "emunmix.learn."


class _Alias(types.ModuleType):
    """An old module path: every attribute is read from the module that replaced it."""

    def __init__(self, name: str, target: str):
        super().__init__(name, f"Moved: use {target} (this alias goes in emunmix 0.3).")
        self.__dict__["_target"] = target

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self.__dict__["_target"]), attr)

    def __dir__(self):
        return dir(importlib.import_module(self.__dict__["_target"]))


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith(_PREFIX) and fullname[len(_PREFIX):] in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return _Alias(spec.name, MOVED[spec.name[len(_PREFIX):]])

    def exec_module(self, module):
        pass


def install() -> None:
    """Resolve the old module paths from now on (idempotent)."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.append(_AliasFinder())
