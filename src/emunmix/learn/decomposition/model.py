"""The model ``loadings @ factors.T (+ mean)`` of chosen components, as a lazy array.

For data read lazily the model is as large as the data: it is built as a dask array
whose chunks are the data's own navigation chunks (all channels each), so that it is
computed, plotted or saved chunk by chunk and never held in memory whole.
"""

from __future__ import annotations

import numpy as np


def lazy_model(loadings, factors, ids, nav_shape, sig_shape, nav_chunks, dtype,
               mean=None, centre=None):
    """``loadings[:, ids] @ factors[:, ids].T`` (+ the removed mean) shaped
    ``nav_shape + sig_shape``, as a dask array chunked ``nav_chunks`` along the
    navigation axes.

    Parameters
    ----------
    loadings : ndarray or dask array, shape (pixels, K)
    factors : ndarray, shape (channels, K)
    ids : sequence of int
        The components of the model.
    nav_shape, sig_shape : tuple of int
        Array-order shapes of the navigation and signal spaces.
    nav_chunks : tuple of tuples
        The data's chunks along the navigation axes.
    dtype : numpy dtype
    mean : ndarray, optional
        (channels,) for ``centre="navigation"``, (pixels,) for ``centre="signal"``.
    centre : {None, "navigation", "signal"}

    Examples
    --------
    >>> L, F = np.ones((6, 2)), np.arange(8.0).reshape(4, 2)
    >>> m = lazy_model(L, F, [0, 1], (2, 3), (4,), ((1, 1), (3,)), np.float64)
    >>> m.chunks, float(m.sum().compute())
    (((1, 1), (3,), (4,)), 168.0)
    """
    import dask.array as da

    from emunmix.chunking import rechunk

    ids = list(ids)
    k = len(ids)
    L = loadings[:, ids]
    if hasattr(L, "compute"):
        L = rechunk(L.reshape(tuple(nav_shape) + (k,)), tuple(nav_chunks) + (-1,))
    else:
        L = da.from_array(np.asarray(L).reshape(tuple(nav_shape) + (k,)),
                          chunks=tuple(nav_chunks) + (-1,))
    Ft = np.ascontiguousarray(np.asarray(factors)[:, ids].T).astype(dtype)
    model = (L.astype(dtype) @ Ft) if k else da.zeros(
        tuple(nav_shape) + (Ft.shape[1],), dtype=dtype, chunks=tuple(nav_chunks) + (-1,))
    if mean is not None and centre == "navigation":
        model = model + np.asarray(mean).astype(dtype)
    elif mean is not None and centre == "signal":
        m = da.from_array(np.asarray(mean).astype(dtype).reshape(nav_shape),
                          chunks=tuple(nav_chunks))
        model = model + m[..., None]
    if len(sig_shape) != 1:
        model = model.reshape(tuple(nav_shape) + tuple(sig_shape))
    return model


__all__ = ["lazy_model"]
