"""Poisson scree in units of the Marchenko-Pastur noise edge (not a test module).

An independent check for the alignment tests: numpy only, none of emunmix's kernels.
After Keenan-Kotula scaling of counts (divide by the square roots of the pixel and
channel sums) pure noise has singular values below ``(sqrt(m) + sqrt(n)) / sqrt(total)``;
components above that edge are signal.
"""

from __future__ import annotations

import numpy as np


def poisson_scree(data, float32: bool = False) -> np.ndarray:
    """Singular values (decreasing) of the Poisson-normalised data over the noise edge.

    ``float32=True`` forms the Gram matrix in float32: half the time, and ample
    precision for counting components above the edge.
    """
    d = np.asarray(data, dtype=np.float64).reshape(-1, np.shape(data)[-1])
    a, b = d.sum(1), d.sum(0)
    a[a == 0], b[b == 0] = 1, 1
    x = d / np.sqrt(a)[:, None] / np.sqrt(b)[None, :]
    if float32:
        x32 = np.ascontiguousarray(x, dtype=np.float32)
        G = (x32.T @ x32).astype(np.float64)
    else:
        G = x.T @ x
    sv = np.sqrt(np.clip(np.linalg.eigvalsh(G)[::-1], 0, None))  # faster than an SVD
    return sv / ((np.sqrt(d.shape[0]) + np.sqrt(d.shape[1])) / np.sqrt(d.sum()))


def components_above_noise(data, margin: float = 1.05) -> int:
    """How many singular values stand ``margin`` times above the noise edge."""
    return int((poisson_scree(data, float32=True) > margin).sum())
