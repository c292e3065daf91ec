"""LearningResults: summary text, save/load, dict round trip, copy and crop."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.decomposition.pipeline import decompose
from emunmix.learn.results import LearningResults


@pytest.fixture
def results(low_rank):
    out = decompose(low_rank.X, normalize_poissonian_noise=True, output_dimension=5,
                    navigation_mask=np.arange(400) < 3)
    lr = LearningResults.from_decomposition(out, original_shape=(20, 20, 60))
    lr.unmixing_matrix = np.eye(3)
    lr.bss_factors = np.ones((60, 3))
    lr.bss_loadings = np.ones((400, 3))
    lr.bss_algorithm = "sklearn_fastica"
    lr.on_loadings = False
    lr.bss_parameters = {"diff_order": 1, "random_state": 0, "mask": None, "tol": 1e-10}
    return lr


def test_summary_matches_tutorial_format():
    lr = LearningResults(decomposition_algorithm="svd", poissonian_noise_normalized=False)
    assert lr.summary() == (
        "Decomposition parameters:\n-------------------------\n\n"
        "Decomposition algorithm : \tsvd\nPoissonian noise normalization : False\n"
        "Output dimension : None\nCentre : None"
    )


def test_summary_with_bss(results):
    text = results.summary()
    assert text.startswith("Decomposition parameters:\n")
    assert "Decomposition algorithm : \tSVD\n" in text
    assert "Poissonian noise normalization : True\n" in text
    assert "Output dimension : 5\n" in text
    assert text.endswith(
        "\n\nDemixing parameters:\n------------------------\n"
        "BSS algorithm : sklearn_fastica\nNumber of components : 3"
    )


def test_from_decomposition_fields(results):
    assert results.factors.shape == (60, 5) and results.loadings.shape == (400, 5)
    assert results.decomposition_algorithm == "SVD"
    assert results.poissonian_noise_normalized is True
    assert results.original_shape == (20, 20, 60)
    assert results.navigation_mask.sum() == 3 and results.signal_mask is None
    # HyperSpy's elbow + 1 of the stored ratios; emunmix's own estimate beside it
    from emunmix.learn.decomposition.elbow import estimate_elbow_position

    elbow = estimate_elbow_position(results.explained_variance_ratio)
    assert results.number_significant_components == elbow + 1 == 4
    assert results.estimated_number_of_components == 3
    assert results.decomposition_parameters["normalize_poissonian_noise"] is True


def test_to_dict_is_plain_and_round_trips(results):
    d = results.to_dict()
    assert all(v is not None for v in d.values())
    for v in d.values():
        assert isinstance(v, (np.ndarray, str, bool, int, float, np.generic))
    assert "bss_parameters__mask" not in d  # None omitted
    back = LearningResults.from_dict(d)
    _assert_same(results, back)


def _assert_same(a, b):
    for name in ("factors", "loadings", "explained_variance", "explained_variance_ratio",
                 "navigation_mask", "unmixing_matrix", "bss_factors", "bss_loadings"):
        x, y = getattr(a, name), getattr(b, name)
        if x is None:
            assert y is None
        else:
            np.testing.assert_array_equal(x, y)
    for name in ("number_significant_components", "decomposition_algorithm",
                 "poissonian_noise_normalized", "output_dimension", "centre",
                 "original_shape", "bss_algorithm", "on_loadings"):
        assert getattr(a, name) == getattr(b, name), name
    assert b.bss_parameters == {"diff_order": 1, "random_state": 0, "tol": 1e-10}
    assert b.decomposition_parameters["svd_solver"] == "auto"


def test_save_load_round_trip(results, tmp_path):
    path = results.save(tmp_path / "lr")
    assert path.name == "lr.npz"
    _assert_same(results, LearningResults.load(tmp_path / "lr"))
    assert [p.name for p in tmp_path.iterdir()] == ["lr.npz"]  # no temporary left


def test_save_refuses_to_overwrite(results, tmp_path):
    path = results.save(tmp_path / "lr.npz")
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        LearningResults().save(path)
    assert path.read_bytes() == before
    LearningResults(decomposition_algorithm="NMF").save(path, overwrite=True)
    assert LearningResults.load(path).decomposition_algorithm == "NMF"


def test_failed_save_leaves_nothing(results, tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        results.save(tmp_path / "lr.npz")
    assert list(tmp_path.iterdir()) == []


def test_copy_is_independent(results):
    c = results.copy()
    c.factors[0, 0] = 1e9
    c.decomposition_parameters["centre"] = "x"
    assert results.factors[0, 0] != 1e9
    assert results.decomposition_parameters["centre"] is None


def test_crop_decomposition_dimension(results):
    ratio = results.explained_variance_ratio.copy()
    results.crop_decomposition_dimension(2)
    assert results.factors.shape == (60, 2) and results.loadings.shape == (400, 2)
    np.testing.assert_array_equal(results.explained_variance_ratio, ratio[:2])
    assert results.output_dimension == 2
    with pytest.raises(ValueError, match="between 1 and 2"):
        results.crop_decomposition_dimension(3)
    with pytest.raises(ValueError, match="no decomposition"):
        LearningResults().crop_decomposition_dimension(1)
