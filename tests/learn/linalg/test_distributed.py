"""The lazy passes on a dask.distributed cluster (2 worker processes on 127.0.0.1): the
same results as the threaded scheduler, only small results back to the client."""

from __future__ import annotations

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

from emunmix.learn.decomposition import decompose  # noqa: E402


@pytest.fixture(scope="module")
def counts():
    rng = np.random.default_rng(2)
    maps = rng.gamma(1.5, 1.0, (1500, 4))
    spectra = np.abs(rng.normal(size=(4, 300))).cumsum(axis=1) / 30 + 0.2
    return rng.poisson(maps @ spectra * 20).astype(np.float32)


@pytest.mark.parametrize("svd_solver", ["gram", "randomized"])
def test_cluster_equals_threads(client, counts, svd_solver):
    lazy = da.from_array(counts, chunks=(250, -1))
    kw = dict(normalize_poissonian_noise=True, output_dimension=4, svd_solver=svd_solver,
              random_state=0)
    on_cluster = decompose(lazy, **kw)
    import dask

    with dask.config.set(scheduler="threads"):  # the client is the default otherwise
        local = decompose(lazy, **kw)
    np.testing.assert_allclose(on_cluster.factors, local.factors, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(on_cluster.explained_variance, local.explained_variance,
                               rtol=1e-6)


def test_lazy_model_is_computed_by_the_workers(client, counts, tmp_path):
    import emunmix.api as hs

    s = hs.signals.Signal1D(counts.reshape(30, 50, 300)).as_lazy()
    s.data = s.data.rechunk((10, 50, -1))
    s.decomposition(True, output_dimension=4, print_info=False)
    model = s.get_decomposition_model(4)
    path = tmp_path / "model.zspy"
    model.save(path)
    back = hs.load(path)
    lr = s.learning_results
    want = (lr.loadings @ lr.factors.T).reshape(back.data.shape)
    np.testing.assert_allclose(back.data, want, rtol=1e-4, atol=1e-3)
