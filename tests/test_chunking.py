"""Rechunking lazy data: by tasks, to whole spectra, split to fit memory, or refused."""

import logging

import dask
import dask.array as da
import numpy as np
import pytest

from emunmix.chunking import rechunk, whole_spectra


def test_whole_spectra_joins_the_signal_axis_and_says_so(caplog):
    x = da.zeros((8, 6, 100), chunks=(4, 3, 30))
    with caplog.at_level(logging.INFO, logger="emunmix"):
        y = whole_spectra(x, "a step")
    assert y.chunks == ((4, 4), (3, 3), (100,))
    assert "a step: rechunked" in caplog.text
    ok = da.zeros((8, 6, 100), chunks=(4, 3, 100))
    assert whole_spectra(ok) is ok


def test_chunks_too_big_for_memory_are_split_along_navigation(caplog):
    x = da.zeros((64, 64, 1000), chunks=(64, 64, 1000))  # 32 MiB per chunk in float64
    with caplog.at_level(logging.INFO, logger="emunmix"):
        y = whole_spectra(x, "a step", limit=4 * 2**20)
    assert y.chunks[-1] == (1000,)
    assert 8 * 1000 * np.prod(y.chunksize[:-1]) <= 4 * 2**20
    assert "a step: rechunked" in caplog.text
    np.testing.assert_array_equal(y[:2, :2].compute(), 0.0)


def test_a_spectrum_over_the_memory_limit_is_refused():
    x = da.zeros((4, 10**6), chunks=(1, 10**5))
    with pytest.raises(MemoryError, match="one spectrum of 1000000 channels"):
        whole_spectra(x, "a step", limit=2**20)


def test_rechunk_uses_tasks_even_where_p2p_is_the_default():
    x = da.ones((40, 40), chunks=(10, 40))
    with dask.config.set({"array.rechunk.method": "p2p"}):
        y = rechunk(x, (40, 10))
    names = [str(k) for k in dict(y.__dask_graph__())]
    assert not any("p2p" in n for n in names) and any("rechunk" in n for n in names)
    assert float(y.sum().compute()) == 1600.0


def test_lazy_passes_split_chunks_that_do_not_fit_memory(monkeypatch, caplog):
    import emunmix.chunking as chunking
    from emunmix.learn.decomposition import decompose

    rng = np.random.default_rng(0)
    X = rng.poisson(5.0, (400, 64)).astype(np.float64)
    expected = decompose(X, output_dimension=3, svd_solver="gram")
    monkeypatch.setattr(chunking, "available_memory", lambda: 16 * 8 * 64 * 50)
    with caplog.at_level(logging.INFO, logger="emunmix"):
        got = decompose(da.from_array(X, chunks=(400, 64)), output_dimension=3,
                        svd_solver="gram")
    assert "to (50, 64) (whole rows, to fit memory)" in caplog.text
    np.testing.assert_allclose(got.explained_variance, expected.explained_variance,
                               rtol=1e-9)
