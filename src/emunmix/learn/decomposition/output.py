"""The result of :func:`emunmix.learn.decompose.decompose`.

Full-size factors and loadings (masked entries NaN) with the explained
variance, the removed mean and the record of the call; deferred components
are computed on demand (:meth:`DecompositionOutput.complete`). Importable from
:mod:`emunmix.learn.decomposition.pipeline` too.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from emunmix.learn.decomposition.components import Components


@dataclass
class DecompositionOutput:
    """The result of :func:`decompose` (full-size arrays; masked entries NaN).

    Attributes
    ----------
    components : Components
        The one owner of the factors (channels, k) and loadings (pixels, k), deferred
        ones included; ``factors``, ``loadings`` and ``pending`` read it.
    explained_variance : ndarray, shape (k,), or None
        ``S^2 / N`` (N unmasked pixels; ``N - 1`` for PCA); None for NMF.
    explained_variance_ratio : ndarray, shape (k,), or None
        Over the components computed, as HyperSpy.
    mean : ndarray or None
        (channels,) for ``centre="navigation"``, (pixels,) for ``centre="signal"``.
    centre : str or None
    algorithm : str
        Canonical algorithm name, or the estimator's class name.
    parameters : dict
        The arguments of the call (for the learning results' record).
    output_dimension : int
        Number of components ``k`` computed.
    auto_dimension_method : str or None
        How ``output_dimension="auto"`` chose ``k`` ("marchenko-pastur", "elbow").
    number_significant_components : int or None
        Estimated number of signal components among those computed (same rule as
        "auto"; None without explained variances or with fewer than 3 components).
    poissonian_noise_normalized : bool
    navigation_mask, signal_mask : ndarray of bool or None
        Flat masks used (True = excluded).
    sparse : ndarray, shape (pixels, channels), or None
        Robust PCA's sparse part, data units.
    info : dict
        Solver details: iterations, convergence, the SVD solver used, and for
        ``output_dimension="auto"`` the full scree (``"auto_explained_variance_ratio"``).
    """

    components: Components
    explained_variance: np.ndarray | None
    explained_variance_ratio: np.ndarray | None
    mean: np.ndarray | None
    centre: str | None
    algorithm: str
    parameters: dict
    output_dimension: int
    auto_dimension_method: str | None = None
    number_significant_components: int | None = None
    poissonian_noise_normalized: bool = False
    navigation_mask: np.ndarray | None = None
    signal_mask: np.ndarray | None = None
    sparse: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def factors(self) -> np.ndarray:
        """The factors computed so far (all of them after :meth:`complete`)."""
        return self.components.computed()[0]

    @property
    def loadings(self) -> np.ndarray:
        """The loadings computed so far (all of them after :meth:`complete`)."""
        return self.components.computed()[1]

    @property
    def pending(self):
        """The deferred components (None when all are computed)."""
        return self.components.pending

    def complete(self) -> None:
        """Compute the deferred components (if any) and append them."""
        self.components.settle()

    def model(self, components=None) -> np.ndarray:
        """``loadings @ factors.T (+ mean)`` for all, the first n, or listed components."""
        if components is None:
            idx = np.arange(self.output_dimension)
        elif isinstance(components, numbers.Integral):
            idx = np.arange(int(components))
        else:
            idx = np.asarray(components, dtype=int)
        if idx.size and idx.max() >= self.factors.shape[1]:
            self.complete()
        out = self.loadings[:, idx] @ self.factors[:, idx].T
        if self.mean is not None:
            out = out + (self.mean[None, :] if self.centre == "navigation" else self.mean[:, None])
        return out
