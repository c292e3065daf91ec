"""Lazily loaded files indexed as users index them (integers, steps, arrays, Ellipsis):
the checked chunk reader gives numpy's values; a damaged chunk is still refused."""

import numpy as np
import pytest

import emunmix.api as hs
from emunmix.exceptions import DamagedFileError
from emunmix.io_integrity import _bounding_key

X = np.arange(6 * 5 * 8, dtype="float32").reshape(6, 5, 8)
KEYS = [
    (0, 0, slice(None)),
    (slice(None, None, 2), 1),
    (-1,),
    (Ellipsis, 3),
    (slice(None, None, -1), slice(1, 4), slice(2, 7, 2)),
    ([0, 3, 5], slice(None), 1),
    (np.array([True, False, True, False, False, True]),),
    (slice(4, 2),),
]


@pytest.fixture(scope="module", params=["hspy", "zspy"])
def lazy(request, tmp_path_factory):
    path = tmp_path_factory.mktemp("lazyidx") / f"a.{request.param}"
    hs.signals.Signal1D(X).save(path, chunks=(2, 2, 8))
    return hs.load(path, lazy=True), path


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_lazy_indexing_gives_numpy_values(lazy, key):
    s, _ = lazy
    np.testing.assert_array_equal(np.asarray(s.data[key].compute()), X[key])


def test_bounding_key_covers_each_index_and_refuses_out_of_range():
    for key in KEYS:
        bounding, post = _bounding_key(key, X.shape)
        region = X[bounding]
        for axis in reversed(range(len(post))):
            if post[axis] is not None:
                region = np.take(region, post[axis], axis=axis)
        np.testing.assert_array_equal(region, X[key])
    with pytest.raises(IndexError, match="out of bounds"):
        _bounding_key((7,), X.shape)


def test_integer_index_of_a_damaged_zspy_chunk_is_refused(tmp_path):
    path = tmp_path / "d.zspy"
    hs.signals.Signal1D(X).save(path, chunks=(2, 2, 8))
    s = hs.load(path, lazy=True)
    (path / "Experiments" / "__unnamed__" / "data" / "0" / "0" / "0").unlink()  # chunk 0,0
    with pytest.raises(DamagedFileError):
        s.data[0, 0, :].compute()
