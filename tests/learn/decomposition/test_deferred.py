"""decompose(eager_components=...): trailing SVD components computed on demand."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from emunmix.learn.decomposition.finish import StaleDataError
from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.results import LearningResults


@pytest.mark.parametrize("poisson", [False, True])
@pytest.mark.parametrize("algorithm", ["SVD", "PCA"])
def test_deferred_components_equal_eager_ones(low_rank, poisson, algorithm):
    X = low_rank.X
    nav = np.zeros(X.shape[0], bool)
    nav[::7] = True  # masked pixels stay NaN in the deferred part too
    eager = decompose(X, algorithm, normalize_poissonian_noise=poisson, navigation_mask=nav)
    lazy = decompose(X, algorithm, normalize_poissonian_noise=poisson, navigation_mask=nav,
                     eager_components=5)
    assert lazy.factors.shape == (X.shape[1], 5)
    assert lazy.output_dimension == eager.output_dimension == X.shape[1]
    np.testing.assert_allclose(lazy.explained_variance, eager.explained_variance, rtol=1e-10)
    assert lazy.number_significant_components == eager.number_significant_components
    lazy.complete()
    assert lazy.pending is None
    np.testing.assert_allclose(lazy.factors, eager.factors, atol=1e-8)
    # float32 loadings: agree to a few float32 steps of their largest value (the
    # trailing noise components are computed by a second back-transform)
    scale = np.nanmax(np.abs(eager.loadings))
    np.testing.assert_allclose(lazy.loadings, eager.loadings, rtol=0, atol=1e-5 * scale,
                               equal_nan=True)
    assert np.isnan(lazy.loadings[nav]).all()


def test_model_of_first_components_does_not_compute_the_rest(low_rank):
    out = decompose(low_rank.X, eager_components=4)
    m3 = out.model(3)
    assert out.pending is not None
    full = out.model()  # all components: computes them, rebuilds the data
    assert out.pending is None
    np.testing.assert_allclose(full, low_rank.X, rtol=1e-5)  # float32 results
    np.testing.assert_allclose(out.model(3), m3)


def test_no_deferral_when_components_are_asked_for_or_reprojected(low_rank):
    X = low_rank.X
    assert decompose(X, output_dimension=10, eager_components=3).pending is None
    assert decompose(X, "NMF", output_dimension=3, eager_components=1).pending is None
    nav = np.zeros(X.shape[0], bool)
    nav[0] = True
    out = decompose(X, navigation_mask=nav, reproject="navigation", eager_components=3)
    assert out.pending is None and np.isfinite(out.loadings).all()


def test_changed_data_are_refused(low_rank):
    X = low_rank.X.astype(float)
    out = decompose(X, eager_components=3)
    X[10, 5] += 1.0
    with pytest.raises(StaleDataError, match="data changed after the decomposition"):
        out.complete()


def test_learning_results_complete_on_read_and_copies_do_not_share_pending_work(low_rank):
    X = low_rank.X.copy()
    reference = decompose(X)
    lr = LearningResults.from_decomposition(decompose(X, eager_components=4))
    assert lr.n_components == X.shape[1]
    assert "components=60" in repr(lr) and lr.components.pending is not None
    f, l_ = lr.first_components(3)
    assert f.shape == (60, 3) and lr.components.pending is not None
    twin = copy.deepcopy(lr)  # settles: the copy owns all its components
    assert twin.components.pending is None and twin.components is not lr.components
    X[:] += 1  # the original's data change: the copy is not affected
    np.testing.assert_allclose(twin.factors, reference.factors, atol=1e-8)
    assert twin.loadings.shape == reference.loadings.shape
    np.testing.assert_array_equal(lr.factors, twin.factors)  # settled by the copy
    again = LearningResults.from_decomposition(decompose(X, eager_components=4))
    X[:] += 1
    with pytest.raises(StaleDataError):
        _ = again.factors
    restored = pickle.loads(pickle.dumps(LearningResults.from_decomposition(
        decompose(X, eager_components=4))))
    assert restored.factors.shape == (60, 60)


def test_crop_and_reverse_within_the_first_components_compute_nothing(low_rank):
    lr = LearningResults.from_decomposition(decompose(low_rank.X, eager_components=4))
    before = lr.first_components(4)[0].copy()
    lr.reverse_components([1])
    f, _ = lr.first_components(4)
    np.testing.assert_array_equal(f[:, 1], -before[:, 1])
    assert lr.components.pending is not None
    lr.crop_decomposition_dimension(3)
    assert lr.components.pending is None and lr.factors.shape == (60, 3)
    assert lr.n_components == 3 and lr.explained_variance.shape == (3,)
