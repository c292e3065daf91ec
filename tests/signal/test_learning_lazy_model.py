"""Models of lazy signals are lazy: chunked like the data, equal to the in-memory model,
saved chunk by chunk."""

from __future__ import annotations

import numpy as np
import pytest

import emunmix.api as hs

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def lazy():
    s = hs.datasets.CL1(random_state=0).isig[:200].inav[:24, :16].as_lazy()
    s.data = s.data.rechunk((8, 12, -1))
    s.decomposition(True, output_dimension=6, print_info=False)
    return s


@pytest.mark.parametrize("centre", [None, "navigation", "signal"])
def test_decomposition_model_is_lazy_and_equals_the_eager_one(lazy, centre):
    s = lazy.deepcopy()
    if centre is not None:
        s.decomposition(output_dimension=4, centre=centre, print_info=False)
    model = s.get_decomposition_model(3)
    assert model._lazy and model.data.chunks[:2] == s.data.chunks[:2]
    lr = s.learning_results
    want = lr.loadings[:, :3] @ lr.factors[:, :3].T
    if lr.mean is not None:
        want = want + lr.mean  # HyperSpy's shapes: (1, channels) or (pixels, 1)
    np.testing.assert_allclose(model.data.compute().reshape(want.shape), want,
                               rtol=1e-5, atol=1e-4)


def test_bss_model_is_lazy(lazy):
    s = lazy.deepcopy()
    s.blind_source_separation(3, random_state=0, print_info=False)
    model = s.get_bss_model()
    assert model._lazy
    lr = s.learning_results
    want = np.asarray(lr.bss_loadings) @ np.asarray(lr.bss_factors).T
    np.testing.assert_allclose(model.data.compute().reshape(want.shape), want,
                               rtol=1e-5, atol=1e-4)


def test_lazy_model_saves_chunk_by_chunk_and_loads_back(lazy, tmp_path):
    model = lazy.get_decomposition_model(4)
    path = tmp_path / "model.zspy"
    model.save(path)
    back = hs.load(path)
    np.testing.assert_allclose(back.data, model.data.compute(), rtol=1e-6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.zspy"]  # no temporary left
