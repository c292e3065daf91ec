"""The per-block work of :class:`~emunmix.learn.matrix_view.MatrixView`.

The block kernels (``_transform``, ``_dot_block``) and the per-block tasks of the
reductions (``*_part``: each reads one row block or chunk and returns a small partial
result), which every backend of :mod:`~emunmix.learn.linalg.backends` runs: in a loop
(numpy, array-API arrays) or as a dask graph whose partials are summed in a tree of
:data:`SPLIT_EVERY`. Pure functions, generic over the array namespace of the block
(numpy, or any array-API library such as cupy): numpy blocks take numpy's own calls,
so in-memory results are unchanged bit for bit.
"""

from __future__ import annotations

import numpy as np

from emunmix.validation import numpy_dtype

#: Target size (bytes) of one float64 row block: large enough for BLAS to run near peak
#: (512-row blocks made the Gram 2x slower than 4096-row ones), small beside the data.
BLOCK_BYTES = 32 * 2**20

#: Partial results summed by one task of a lazy reduction's tree.
SPLIT_EVERY = 4


def namespace(a):
    """The array namespace of ``a``: numpy for numpy arrays (and anything without
    ``__array_namespace__``), else the array-API namespace the array declares."""
    if isinstance(a, np.ndarray):
        return np
    get = getattr(a, "__array_namespace__", None)
    return np if get is None else get()


def xp_dtype(xp, dtype):
    """The dtype of namespace ``xp`` named like numpy ``dtype``."""
    return np.dtype(dtype) if xp is np else getattr(xp, np.dtype(dtype).name)


def _astype(xp, a, dtype):
    if xp is np:
        return np.asarray(a, dtype=dtype)
    return xp.astype(a, xp_dtype(xp, dtype))


def _transform(raw, dtype, row_mean, row_scale, col_mean, col_scale):
    """One block of ``P`` from its raw rows (centring and scaling in float64)."""
    xp = namespace(raw)
    if row_mean is None and row_scale is None and col_mean is None and col_scale is None:
        return _astype(xp, raw, dtype)
    b = np.array(raw, dtype=np.float64) if xp is np else xp.astype(raw, xp.float64, copy=True)
    if row_mean is not None:
        b -= row_mean[:, None]
    if col_mean is not None:
        b -= col_mean
    if row_scale is not None:
        b /= row_scale[:, None]
    if col_scale is not None:
        b /= col_scale
    return b if np.dtype(dtype) == np.float64 else _astype(xp, b, dtype)


def _dot_block(raw, o, Vs, col_corr, row_corr, row_mean, row_scale):
    """``o = P_block @ V`` from the raw block; see :meth:`MatrixView.dot`."""
    xp = namespace(raw)
    dtype = o.dtype
    if xp is not np:
        o[...] = xp.matmul(raw if raw.dtype == dtype else xp.astype(raw, dtype), Vs)
    elif raw.dtype == dtype:
        np.matmul(raw, Vs, out=o)
    else:
        np.matmul(np.asarray(raw, dtype=dtype), Vs, out=o)
    if col_corr is None and row_corr is None and row_scale is None:
        return
    if col_corr is None and row_corr is None:
        # a pure row scaling is exact enough in the working dtype: no float64 copy
        o /= (row_scale[:, None].astype(dtype) if xp is np
              else xp.astype(row_scale[:, None], dtype))
        return
    o64 = o.astype(np.float64) if xp is np else xp.astype(o, xp.float64, copy=True)
    if col_corr is not None:
        o64 -= col_corr
    if row_corr is not None:
        o64 -= row_mean[:, None] * row_corr
    if row_scale is not None:
        o64 /= row_scale[:, None]
    o[...] = o64 if xp is np else xp.astype(o64, dtype)


# Tasks of the lazy reductions: ``(raw, start, stop, row_mean, row_scale, rows, *shared)``.
def _stats_part(raw, start, stop, row_mean, row_scale, _, check_finite, check_sign):
    xp = namespace(raw)
    raw = np.asarray(raw) if xp is np else raw
    size = int(np.prod(raw.shape))
    n_bad = size - int(xp.count_nonzero(xp.isfinite(raw))) if check_finite else 0
    n_neg = int(xp.count_nonzero(raw < 0)) if check_sign else 0
    f64 = xp_dtype(xp, np.float64)
    return ([(start, xp.sum(raw, axis=1, dtype=f64))], xp.sum(raw, axis=0, dtype=f64),
            n_bad, n_neg)


def _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale, rows=None):
    """``(start, stop, block, rows[start:stop])`` of ``P`` in float64 over row blocks of
    about ``BLOCK_BYTES`` of one chunk: a task never holds a float64 copy of its chunk."""
    step = max(1, BLOCK_BYTES // (8 * max(raw.shape[1], 1)))
    for a in range(0, raw.shape[0], step):
        b = min(raw.shape[0], a + step)
        rm = None if row_mean is None else row_mean[a:b]
        rs = None if row_scale is None else row_scale[a:b]
        yield (a, b, _transform(raw[a:b, ...], np.float64, rm, rs, col_mean, col_scale),
               None if rows is None else rows[a:b, ...])


def _transform_part(raw, start, stop, row_mean, row_scale, _, dtype, col_mean, col_scale):
    xp = namespace(raw)
    if row_mean is None and row_scale is None and col_mean is None and col_scale is None:
        return _astype(xp, raw, dtype)
    out = xp.empty(raw.shape, dtype=xp_dtype(xp, dtype))
    for a, b, block, _ in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale):
        out[a:b, ...] = block if xp is np else xp.astype(block, out.dtype)
    return out


def _gram_part(raw, start, stop, row_mean, row_scale, _, col_mean, col_scale):
    xp = namespace(raw)
    G = xp.zeros((raw.shape[1], raw.shape[1]), dtype=xp_dtype(xp, np.float64))
    for _, _, b, _ in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale):
        G += b.T @ b
    return G


def _sum_of_squares_part(raw, start, stop, row_mean, row_scale, _, col_mean, col_scale):
    xp = namespace(raw)
    blocks = _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale)
    if xp is np:
        return sum(float(np.einsum("ij,ij->", b, b)) for _, _, b, _ in blocks)
    return sum(float(xp.sum(b * b)) for _, _, b, _ in blocks)


def _centred_dot_part(raw, start, stop, row_mean, row_scale, _, V, col_mean, col_scale):
    xp = namespace(raw)
    out = xp.empty((raw.shape[0], V.shape[1]), dtype=xp_dtype(xp, np.float64))
    for a, b, block, _ in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale):
        out[a:b, ...] = block @ V
    return out


def _dot_part(raw, start, stop, row_mean, row_scale, _, Vs, col_corr, row_corr):
    xp = namespace(raw)
    o = xp.empty((stop - start, Vs.shape[1]), dtype=Vs.dtype)
    _dot_block(np.asarray(raw) if xp is np else raw, o, Vs, col_corr, row_corr, row_mean,
               row_scale)
    return o


def _tdot_part(raw, start, stop, row_mean, row_scale, U, col_mean, col_scale):
    xp = namespace(raw)
    out = xp.zeros((raw.shape[1], U.shape[1]), dtype=xp_dtype(xp, np.float64))
    for _, _, b, u in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale, U):
        out += b.T @ u
    return out


def _add(*parts):
    total = parts[0] + parts[1]
    for p in parts[2:]:
        total += p
    return total


def _combine_stats(*parts):
    rows = [r for p in parts for r in p[0]]
    return (rows, _add(*[p[1] for p in parts]), sum(p[2] for p in parts),
            sum(p[3] for p in parts))


def _blas_for(collection, n_tasks: int):
    """One BLAS thread while the local threaded scheduler runs ``n_tasks`` parallel
    tasks, at least two per thread: the threads then fill the cores, and BLAS threads
    on top of them only contend (a 256 MiB Gram: 1.0 s instead of 1.2 s on 2 cores).
    Nothing changes for other schedulers (a ``dask.distributed`` client, "sync")."""
    import contextlib

    import dask
    import dask.threaded
    from dask.base import get_scheduler

    if get_scheduler(collections=[collection]) is not dask.threaded.get:
        return contextlib.nullcontext()
    n_threads = dask.config.get("num_workers", None) or dask.system.CPU_COUNT
    if n_threads < 2 or n_tasks < 2 * n_threads:
        return contextlib.nullcontext()
    from emunmix.threads import single_blas_thread

    return single_blas_thread()


def _tree(parts, combine):
    """A delayed tree reduction: ``combine`` of ``SPLIT_EVERY`` parts per task, level by
    level, so that no task holds more than a few partial results."""
    from dask import delayed

    task = delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [task(*parts[i : i + SPLIT_EVERY]) if len(parts[i : i + SPLIT_EVERY]) > 1
                 else parts[i] for i in range(0, len(parts), SPLIT_EVERY)]
    return parts[0]


# Tasks of the pass-efficient randomized SVD (see emunmix.learn.linalg.randomized).
def _stats_sketch_part(raw, start, stop, row_mean, row_scale, _, check_finite, check_sign,
                       omega):
    """``_stats_part`` plus the raw block's sketch ``raw @ omega`` (float64), in one read."""
    rows, col_sums, n_bad, n_neg = _stats_part(raw, start, stop, row_mean, row_scale, _,
                                               check_finite, check_sign)
    sketch = _raw_product(namespace(raw), raw, omega)
    return [(start, rows[0][1], sketch)], col_sums, n_bad, n_neg


def _tdot_ss_part(raw, start, stop, row_mean, row_scale, U, col_mean, col_scale):
    """``(P_block' U_block, ||P_block||_F^2)`` in one read."""
    xp = namespace(raw)
    out = xp.zeros((raw.shape[1], U.shape[1]), dtype=xp_dtype(xp, np.float64))
    total = 0.0
    for _, _, b, u in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale, U):
        out += b.T @ u
        total += float(xp.sum(b * b))
    return out, total


def _power_part(raw, start, stop, row_mean, row_scale, _, Z, col_mean, col_scale):
    """``Y = P_block Z`` (rows, kept) and ``P_block' Y`` (summed) in one read."""
    xp = namespace(raw)
    Y = xp.empty((raw.shape[0], Z.shape[1]), dtype=xp_dtype(xp, np.float64))
    H = xp.zeros((raw.shape[1], Z.shape[1]), dtype=xp_dtype(xp, np.float64))
    for a, b, block, _ in _sub_blocks(raw, row_mean, row_scale, col_mean, col_scale):
        y = block @ Z
        Y[a:b, ...] = y
        H += block.T @ y
    return [(start, Y)], H


def _combine_rows_and_sums(*parts):
    """Combine partials ``(rows list, *summands)``: the lists joined, the rest added."""
    rows = [r for p in parts for r in p[0]]
    rest = [parts[0][i] + parts[1][i] for i in range(1, len(parts[0]))]
    for p in parts[2:]:
        for i in range(1, len(p)):
            rest[i - 1] = rest[i - 1] + p[i]
    return (rows, *rest)


def _tuple_add(*parts):
    """Element-wise sum of equal-length tuples of partials."""
    return tuple(_add(*[p[i] for p in parts]) for i in range(len(parts[0])))


# Uncentred views: products on the raw block in its own float dtype, the scales folded
# into the small operand (no float64 copy of the block: a pass runs at read speed).
def _raw_dtype(xp, raw):
    """float32 for float32/float16/small-integer blocks, else float64."""
    d = numpy_dtype(raw.dtype)
    small = (d.kind == "f" and d.itemsize <= 4) or (d.kind in "biu" and d.itemsize <= 2)
    return np.float32 if small else np.float64


def _raw_product(xp, raw, V):
    """``raw @ V`` in the block's float dtype, returned in float64."""
    dtype = _raw_dtype(xp, raw)
    out = _astype(xp, raw, dtype) @ _astype(xp, V, dtype)
    return _astype(xp, out, np.float64)


def _raw_tdot(xp, raw, U):
    """``raw' @ U`` in the block's float dtype, returned in float64."""
    dtype = _raw_dtype(xp, raw)
    return _astype(xp, _astype(xp, raw, dtype).T @ _astype(xp, U, dtype), np.float64)


def _raw_tdot_ss_part(raw, start, stop, row_mean, row_scale, U, inv_col_scale_sq):
    """``(raw' (U / r), sum_i sum_j raw_ij^2 / (r_i^2 c_j^2))``: the uncentred
    ``_tdot_ss_part`` before the final division by the column scales."""
    xp = namespace(raw)
    Ut = U if row_scale is None else U / row_scale[:, None]
    Z = _raw_tdot(xp, raw, Ut)
    dtype = _raw_dtype(xp, raw)
    block = _astype(xp, raw, dtype)
    sq = block * block
    per_row = _astype(xp, sq @ _astype(xp, inv_col_scale_sq, dtype), np.float64)
    if row_scale is not None:
        per_row = per_row / (row_scale * row_scale)
    return Z, float(xp.sum(per_row))


def _raw_power_part(raw, start, stop, row_mean, row_scale, _, Zc):
    """``Y = P_block Z`` and ``raw' (Y / r)`` for an uncentred view (``Zc = Z / c``)."""
    xp = namespace(raw)
    Y = _raw_product(xp, raw, Zc)
    if row_scale is not None:
        Y = Y / row_scale[:, None]
    Yr = Y if row_scale is None else Y / row_scale[:, None]
    return [(start, Y)], _raw_tdot(xp, raw, Yr)


# The fused first pass of the randomized SVD of an uncentred view: the sums, and the
# sketch of the row space ``X' D_r^-2 X G`` (``D_r`` the Poisson row weights, known
# within the block from its own row sums), so that one power iteration needs one pass.
def root_sums_squared(sums, xp=np):
    """The squares of the Poisson row/column weights: the sums, with non-positive or
    non-finite ones replaced by 1 (as :func:`~emunmix.learn.decomposition.poisson.
    weights_from_sums`)."""
    ok = (sums > 0) & xp.isfinite(sums)
    return xp.where(ok, sums, xp.ones_like(sums))


def _stats_gram_sketch_part(raw, start, stop, row_mean, row_scale, _, check_finite,
                            check_sign, G, poisson):
    """``_stats_part`` plus ``raw' D_r^-2 raw G`` and ``sum_i raw_ij^2 / r_i^2`` (float64),
    ``r_i^2`` the block's own row sums with ``poisson``, else 1."""
    xp = namespace(raw)
    raw = np.asarray(raw) if xp is np else raw
    f64 = xp_dtype(xp, np.float64)
    rows = xp.sum(raw, axis=1, dtype=f64)
    cols = xp.sum(raw, axis=0, dtype=f64)
    size = int(np.prod(raw.shape))
    # a NaN/inf makes its row's float64 sum non-finite, so the exact counts are only
    # needed then (float32 values cannot overflow a float64 sum of a row)
    n_bad = 0
    if check_finite and not bool(xp.all(xp.isfinite(rows))):
        n_bad = size - int(xp.count_nonzero(xp.isfinite(raw)))
    n_neg = 0
    if check_sign and size and (n_bad or float(xp.min(raw)) < 0):
        n_neg = int(xp.count_nonzero(raw < 0))
    Y = _raw_product(xp, raw, G)
    inv_r2 = 1.0 / root_sums_squared(rows, xp) if poisson else None
    if inv_r2 is not None:
        Y = Y * inv_r2[:, None]
    H = _raw_tdot(xp, raw, Y)
    dtype = _raw_dtype(xp, raw)
    colsq = xp.zeros(raw.shape[1], dtype=f64)
    w = None if inv_r2 is None else _astype(xp, inv_r2, dtype)
    step = 256  # squares of a few rows at a time: the temporary stays in cache
    for a in range(0, raw.shape[0], step):
        sub = _astype(xp, raw[a : a + step, ...], dtype)
        sq = sub * sub
        part = xp.sum(sq, axis=0) if w is None else w[a : a + step] @ sq
        colsq += _astype(xp, part, np.float64)
    return [(start, rows)], cols, n_bad, n_neg, H, colsq
