"""A numpy array that counts what dask reads from it (a stand-in for a chunked file)."""

from __future__ import annotations

import numpy as np


class CountingArray:
    """Array-like for ``da.from_array``: records the size of every read.

    ``reads`` lists the number of elements of each ``__getitem__``; a whole-array
    compute would show as one read of ``size`` elements.
    """

    def __init__(self, data):
        self._a = np.asarray(data)
        self.shape, self.dtype, self.ndim = self._a.shape, self._a.dtype, self._a.ndim
        self.size = self._a.size
        self.reads: list[int] = []

    def __getitem__(self, key):
        out = self._a[key]
        if np.size(out):  # dask's empty probes of the dtype are not reads
            self.reads.append(int(np.size(out)))
        return out

    def passes(self) -> float:
        """Elements read, in whole-array passes."""
        return sum(self.reads) / self.size


def counted_lazy(signal, chunks):
    """A lazy copy of ``signal`` whose data are read through a :class:`CountingArray`."""
    import dask.array as da

    source = CountingArray(signal.data)
    lazy = signal._new_like(da.from_array(source, chunks=chunks, asarray=True))
    return lazy, source
