"""Fixtures of the linear-algebra tests."""

import pytest


@pytest.fixture(scope="module")
def client():
    """A 2-process dask.distributed cluster on 127.0.0.1, one per test module (a module
    may kill its workers)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
