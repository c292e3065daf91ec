"""Lazy MatrixView reductions as dask graphs: equal to numpy, parallel, tree-reduced."""

from __future__ import annotations

import numpy as np
import pytest

from emunmix.learn.linalg import backends, matrix_view
from emunmix.learn.linalg.matrix_view import MatrixView

da = pytest.importorskip("dask.array")

M, N = 300, 40


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    return rng.poisson(rng.uniform(1, 50, (M, 1)) * rng.uniform(0.2, 2, (1, N))).astype(
        np.float32)


def _views(X):
    """(name, view kwargs) covering masks, centring and Poisson-like scaling."""
    rng = np.random.default_rng(4)
    rows = np.flatnonzero(rng.uniform(size=M) > 0.2)
    cols = np.flatnonzero(rng.uniform(size=N) > 0.1)
    m, n = rows.size, cols.size
    rs, cs = rng.uniform(0.5, 3, m), rng.uniform(0.5, 3, n)
    rm, cm = rng.uniform(0, 20, m), rng.uniform(0, 20, n)
    return {
        "plain": {},
        "masked": dict(rows=rows, cols=cols),
        "poisson": dict(rows=rows, cols=cols, row_scale=rs, col_scale=cs),
        "row scale": dict(rows=rows, cols=cols, row_scale=rs),
        "centred nav": dict(rows=rows, cols=cols, col_mean=cm),
        "centred sig, scaled": dict(rows=rows, cols=cols, row_mean=rm, row_scale=rs,
                                    col_scale=cs),
    }


CHUNKS = {"rows": (64, -1), "rows and channels": (70, 16), "one chunk": (-1, -1)}


@pytest.mark.parametrize("chunks", list(CHUNKS))
@pytest.mark.parametrize("kind", list(_views(None)))
def test_lazy_reductions_equal_numpy(data, kind, chunks):
    kw = _views(data)[kind]
    eager = MatrixView(data, **kw)
    lazy = MatrixView(da.from_array(data, chunks=CHUNKS[chunks]), **kw)
    assert lazy.is_lazy and lazy.shape == eager.shape
    m, n = eager.shape
    a, b = lazy.stats(), eager.stats()
    np.testing.assert_allclose(a.row_sums, b.row_sums, rtol=1e-12)
    np.testing.assert_allclose(a.col_sums, b.col_sums, rtol=1e-12)
    assert (a.n_non_finite, a.n_negative) == (b.n_non_finite, b.n_negative)
    G = eager.gram()
    np.testing.assert_allclose(lazy.gram(), G, rtol=1e-12, atol=1e-12 * np.abs(G).max())
    np.testing.assert_allclose(lazy.sum_of_squares(), eager.sum_of_squares(), rtol=1e-12)
    V = np.random.default_rng(5).normal(size=(n, 3))
    for dtype in (None, np.float64):
        ref = eager.dot(V, dtype=dtype)
        got = lazy.dot(V, dtype=dtype)
        assert got.dtype == ref.dtype and got.shape == (m, 3)
        tol = 1e-12 if ref.dtype == np.float64 else 1e-5
        np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * np.abs(ref).max())
    out = np.full((m, 3), np.nan, dtype=np.float32)
    assert lazy.dot(V, out=out) is out and np.isfinite(out).all()
    U = np.random.default_rng(6).normal(size=(m, 2))
    ref = eager.tdot(U)
    np.testing.assert_allclose(lazy.tdot(U), ref, rtol=1e-12, atol=1e-12 * np.abs(ref).max())
    for dtype in (None, np.float64):
        ref = eager.materialise(dtype, copy=True)
        got = lazy.materialise(dtype)
        assert got.dtype == ref.dtype
        np.testing.assert_allclose(got, ref, rtol=1e-6 if ref.dtype == np.float32 else 1e-15)


def test_bad_values_counted_lazily(data):
    X = data.astype(np.float64)
    X[3, 5], X[200, 7], X[100, 1] = np.nan, -np.inf, -2.0
    st = MatrixView(da.from_array(X, chunks=(50, 13))).stats()
    assert (st.n_non_finite, st.n_negative) == (2, 2)


def test_gathered_rows_come_in_batches(data, monkeypatch):
    """``dot``/``materialise`` fill the output batch by batch, not all at once."""
    monkeypatch.setattr(backends, "GATHER_BYTES", 64 * N * 4)  # 64 rows per batch
    calls = []
    import dask

    real = dask.compute

    def counting(*args, **kw):
        calls.append(len(args))
        return real(*args, **kw)

    monkeypatch.setattr(dask, "compute", counting)
    lazy = MatrixView(da.from_array(data, chunks=(32, -1)))
    np.testing.assert_array_equal(lazy.materialise(), data)
    assert len(calls) == -(-M // 64) and max(calls) == 2


def _max_in_degree(collection):
    from dask.core import get_dependencies

    graph = dict(collection.__dask_graph__())
    return max(len(get_dependencies(graph, k)) for k in graph)


def test_gram_is_a_tree_reduction(data, monkeypatch):
    """No task of the Gram graph sums more than SPLIT_EVERY partials, however many
    chunks there are: the partial n x n matrices are reduced in a tree."""
    import dask

    captured = []
    real = dask.compute
    monkeypatch.setattr(dask, "compute", lambda *a, **k: captured.append(a) or real(*a, **k))
    lazy = MatrixView(da.from_array(data, chunks=(5, -1)))  # 60 chunks
    lazy.gram()
    (root,) = captured[0]
    assert _max_in_degree(root) <= matrix_view.SPLIT_EVERY
    graph = dict(root.__dask_graph__())
    n_sums = sum(1 for k in graph if str(k).startswith("_add"))
    # 60 partials -> 15 -> 4 -> 1: 20 summing tasks in 3 levels
    assert n_sums == 20


# ----------------------------------------------------------------- dask.distributed
@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    c = distributed.Client(cluster)
    yield c
    c.close()
    cluster.close()


def test_distributed_decomposition_equals_eager(client, low_rank):
    """``s.as_lazy().decomposition(True)`` on a cluster: the workers read and reduce
    the chunks; the result equals the in-memory one."""
    import distributed

    from emunmix.signal import Signal1D

    X = low_rank.X.astype(np.float32).reshape(20, 20, -1)
    eager = Signal1D(X)
    eager.decomposition(True, print_info=False)
    lazy = Signal1D(X).as_lazy()
    lazy.data = lazy.data.rechunk((5, 20, 20))  # row and channel chunks
    with distributed.get_task_stream(client) as stream:
        lazy.decomposition(True, print_info=False)
    ran = {str(t["key"]).split("-")[0].strip("('") for t in stream.data}
    assert {"_stats_part", "_gram_part", "_add", "_dot_part"} <= ran  # on the workers
    a, b = lazy.learning_results, eager.learning_results
    np.testing.assert_allclose(a.explained_variance, b.explained_variance, rtol=1e-8,
                               atol=1e-12 * b.explained_variance[0])
    k = 3
    np.testing.assert_allclose(np.asarray(a.factors[:, :k]), b.factors[:, :k], rtol=1e-4,
                               atol=1e-5)
    np.testing.assert_allclose(np.asarray(a.loadings[:, :k]), b.loadings[:, :k], rtol=1e-4,
                               atol=1e-4 * np.abs(b.loadings[:, :k]).max())
