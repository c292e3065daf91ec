"""Fixtures for the decomposition kernels: small low-rank Poisson data and CL1.

The small matrices are made here with numpy (fast, exact truths); the CL datasets come
from :mod:`emunmix.datasets` and are shared per session because they take ~0.4 s each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest


@dataclass
class LowRank:
    """``X ~ Poisson(W @ H)`` with non-negative, partly sparse ``W`` and ``H``."""

    X: np.ndarray  # (m, n) int64 counts
    W: np.ndarray  # (m, k)
    H: np.ndarray  # (k, n)

    @property
    def mean(self) -> np.ndarray:
        return self.W @ self.H


def make_low_rank(m=400, n=60, k=3, scale=200.0, seed=0) -> LowRank:
    """Low-rank Poisson counts whose maps and spectra each have zeros (identifiable)."""
    rng = np.random.default_rng(seed)
    W = rng.uniform(0, 1, (m, k))
    W[rng.uniform(size=(m, k)) < 0.3] = 0.0
    W[:, 0] += 0.5  # a background present everywhere
    x = np.linspace(0, 1, n)
    H = np.empty((k, n))
    H[0] = np.exp(-2 * x)
    for j in range(1, k):
        onset = j / (k + 1)
        H[j] = np.where(x > onset, np.exp(-(x - onset) * 3) * (1 + j), 0.0)
    W *= scale
    X = rng.poisson(W @ H)
    return LowRank(X.astype(np.int64), W, H)


@pytest.fixture
def low_rank():
    return make_low_rank()


@pytest.fixture
def low_rank_factory():
    """``make_low_rank`` itself, for tests that need other sizes or seeds."""
    return make_low_rank


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def cl1():
    from emunmix.datasets import make_dataset

    return make_dataset("CL1", hard=False)


@pytest.fixture(scope="session")
def cl1_hard():
    from emunmix.datasets import make_dataset

    return make_dataset("CL1", hard=True)


@pytest.fixture(scope="session")
def cl2():
    from emunmix.datasets import make_dataset

    return make_dataset("CL2", hard=False)
