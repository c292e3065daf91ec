"""A worker process killed in the middle of lazy work on a 2-worker LocalCluster: the
computation finishes on the survivor (and the restarted worker) with the right result,
and an output written by the workers is whole."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
da = pytest.importorskip("dask.array")

import dask  # noqa: E402

import emunmix.api as hs  # noqa: E402

K = 3
ROWS, CHANNELS, CHUNK = 1800, 256, 60


def _block(block_id=None):
    """Poisson counts of chunk ``block_id`` (made on the worker, a little slowly)."""
    time.sleep(0.02)
    i, j = block_id
    r = np.random.default_rng(i)
    F = np.abs(np.random.default_rng(99).normal(size=(K, 2 * CHANNELS))) + 0.2
    x = r.poisson(r.uniform(0, 20, (CHUNK, K)) @ F).astype(np.float32)
    return x[:, j * (CHANNELS // 2):(j + 1) * (CHANNELS // 2)]


def _data():
    # the signal axis is split: the passes rechunk it (by tasks) inside the graph
    return da.map_blocks(_block, dtype=np.float32,
                         chunks=((CHUNK,) * (ROWS // CHUNK), (CHANNELS // 2,) * 2))


def _kill_one_worker_soon(client, delay):
    client.wait_for_workers(2, timeout=60)  # the nanny restarts a killed one
    pids = sorted(client.run(os.getpid).values())
    killer = threading.Timer(delay, os.kill, (pids[0], signal.SIGKILL))
    killer.start()
    return killer, pids[0]


def _still_running(pid) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_does_not_fail_a_decomposition(client):
    with dask.config.set(scheduler="threads"):
        local = hs.signals.Signal1D(_data())
        local.decomposition(True, output_dimension=K, svd_solver="randomized",
                            random_state=0, print_info=False)
    s = hs.signals.Signal1D(_data())
    killer, pid = _kill_one_worker_soon(client, 0.8)
    start = time.monotonic()
    try:
        s.decomposition(True, output_dimension=K, svd_solver="randomized", random_state=0,
                        print_info=False)
    finally:
        killer.join()
    assert time.monotonic() - start > 0.8 and not _still_running(pid)  # killed mid-way
    a, b = s.learning_results, local.learning_results
    np.testing.assert_allclose(a.explained_variance[:K], b.explained_variance[:K], rtol=1e-6)
    np.testing.assert_allclose(np.abs(a.factors[:, :K]), np.abs(b.factors[:, :K]),
                               rtol=1e-5, atol=1e-6)


def test_a_killed_worker_does_not_corrupt_what_the_workers_save(client, tmp_path):
    s = hs.signals.Signal1D(_data().reshape(20, ROWS // 20, CHANNELS))
    s.decomposition(True, output_dimension=K, print_info=False, random_state=0)
    model = s.get_decomposition_model(K)
    assert model._lazy
    model.save(tmp_path / "model.zspy")
    # the data themselves: made by the workers, rechunked and written by them
    path = tmp_path / "data.zspy"
    killer, pid = _kill_one_worker_soon(client, 0.5)
    start = time.monotonic()
    try:
        s.save(path)
    finally:
        killer.join()
    assert time.monotonic() - start > 0.5 and not _still_running(pid)
    with dask.config.set(scheduler="threads"):
        np.testing.assert_array_equal(hs.load(path).data, np.asarray(s.data.compute()))
    back = hs.load(tmp_path / "model.zspy")
    lr = s.learning_results
    want = (lr.loadings[:, :K] @ lr.factors[:, :K].T).reshape(back.data.shape)
    np.testing.assert_allclose(back.data, want, rtol=1e-4, atol=1e-3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.zspy", "model.zspy"]
