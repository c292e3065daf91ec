"""Sparse PCA ("sparse_pca", "mini_batch_sparse_pca"), registered like every algorithm:
checked here against scikit-learn run directly on the same data (the contract test
covers masks, dtype, seeding, lazy input and bad input)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.decomposition import MiniBatchSparsePCA, SparsePCA

from emunmix.learn.decomposition import decompose
from emunmix.learn.registry import DECOMPOSITION


@pytest.fixture(scope="module")
def peaks():
    """Three spectra with separate peaks, mixed over 120 pixels, with noise."""
    rng = np.random.default_rng(3)
    x = np.arange(60)
    spectra = np.stack([np.exp(-0.5 * ((x - c) / 2.0) ** 2) for c in (12, 30, 47)])
    maps = rng.gamma(2.0, 1.0, (120, 3))
    return maps @ spectra * 50 + rng.normal(0, 0.5, (120, 60))


@pytest.mark.parametrize("name, cls", [("sparse_pca", SparsePCA),
                                       ("mini_batch_sparse_pca", MiniBatchSparsePCA)])
def test_equals_scikit_learn_on_the_same_data(peaks, name, cls):
    out = decompose(peaks, name, output_dimension=3, random_state=0, alpha=0.5, max_iter=60)
    ref = cls(n_components=3, random_state=0, alpha=0.5, max_iter=60).fit(peaks)
    model = ref.transform(peaks) @ ref.components_ + ref.mean_
    assert out.algorithm == name and out.centre == "navigation"
    np.testing.assert_allclose(out.mean, peaks.mean(axis=0), rtol=1e-12)
    # same model of the data (signs and order of components may differ)
    np.testing.assert_allclose(out.model(), model, atol=1e-6 * np.abs(peaks).max())


def test_components_are_sparse_and_find_the_peaks(peaks):
    out = decompose(peaks, "sparse_pca", output_dimension=3, random_state=0, alpha=5)
    F = np.abs(out.factors)
    assert (F < 1e-12 * F.max()).mean() > 0.5  # most channels exactly zero
    assert sorted(np.argmax(F, axis=0).tolist()) == [12, 30, 47]


def test_registered_with_hyperspy_names_and_options():
    assert DECOMPOSITION.canonical("SparsePCA") == "sparse_pca"
    spec = DECOMPOSITION.spec("mini_batch_sparse_pca")
    assert "batch_size" in spec.options and spec.capabilities.centre_by_default
    with pytest.raises(TypeError, match="unexpected keyword arguments: gamma"):
        decompose(np.ones((10, 5)), "sparse_pca", output_dimension=2, gamma=1)
