"""A masked, centred and noise-scaled view of a (pixels, channels) matrix, read in row blocks.

Decomposition works on ``P = diag(1/r) (X[rows][:, cols] - centring) diag(1/c)``: the
unmasked part of the data, optionally centred and divided by Poisson weights. Building
``P`` as an array costs a full copy; :class:`MatrixView` instead reads it one row block at
a time (in float64, so scaling by tiny weights can neither overflow nor lose precision),
which is all the Gram-matrix SVD and the projections need.

Where the data live is the business of the view's backend
(:mod:`~emunmix.learn.linalg.backends`): numpy row blocks in memory, a dask graph of one
task per row chunk with partials summed in a tree (a threaded or ``dask.distributed``
scheduler reads chunks in parallel and only small results travel), or blocks of any
array-API array (cupy on a GPU). Every method below is written once, over the backend's
``reduce`` and ``fill_rows`` and the per-block tasks of
:mod:`~emunmix.learn.linalg.matrix_blocks`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from emunmix.learn.linalg.backends import GATHER_BYTES, Backend, backend_for
from emunmix.learn.linalg.matrix_blocks import (  # noqa: F401 (BLOCK_BYTES, SPLIT_EVERY: public here)
    BLOCK_BYTES,
    SPLIT_EVERY,
    _centred_dot_part,
    _combine_rows_and_sums,
    _combine_stats,
    _dot_part,
    _gram_part,
    _power_part,
    _raw_power_part,
    _raw_tdot_ss_part,
    _stats_gram_sketch_part,
    _stats_part,
    _stats_sketch_part,
    _sum_of_squares_part,
    _tdot_part,
    _tdot_ss_part,
    _transform,
    _transform_part,
    _tuple_add,
)
from emunmix.validation import numpy_dtype, working_dtype

__all__ = ["BLOCK_BYTES", "GATHER_BYTES", "SPLIT_EVERY", "MatrixStats", "MatrixView"]


@dataclass(frozen=True)
class MatrixStats:
    """What one pass over a view learns about the raw (untransformed) data.

    Attributes
    ----------
    row_sums : ndarray, shape (m,)
        float64 sums of each selected row over the selected columns.
    col_sums : ndarray, shape (n,)
        float64 sums of each selected column over the selected rows.
    n_non_finite : int
        NaN/inf values (sums are then meaningless).
    n_negative : int
        Values below zero.
    """

    row_sums: np.ndarray
    col_sums: np.ndarray
    n_non_finite: int
    n_negative: int


@dataclass(frozen=True, eq=False)
class MatrixView:
    """``P = diag(1/row_scale) (X[rows][:, cols] - row_mean 1' - 1 col_mean') diag(1/col_scale)``.

    Parameters
    ----------
    X : ndarray or dask array, shape (M, N)
        The data, never modified.
    rows, cols : ndarray of int, optional
        Selected (unmasked) rows and columns; None selects all.
    row_scale, col_scale : ndarray of float64, optional
        Divisors of the selected rows / columns (e.g. Poisson weights).
    row_mean, col_mean : ndarray of float64, optional
        Subtracted from each selected row / column before scaling (centring).

    Examples
    --------
    >>> X = np.arange(12.0).reshape(4, 3)
    >>> v = MatrixView(X, rows=np.array([0, 2]), col_mean=np.array([3.0, 4.0, 5.0]))
    >>> v.materialise()
    array([[-3., -3., -3.],
           [ 3.,  3.,  3.]])
    """

    X: object
    rows: np.ndarray | None = None
    cols: np.ndarray | None = None
    row_scale: np.ndarray | None = None
    col_scale: np.ndarray | None = None
    row_mean: np.ndarray | None = None
    col_mean: np.ndarray | None = None

    # ----------------------------------------------------------------- basics
    @property
    def shape(self) -> tuple[int, int]:
        m = self.X.shape[0] if self.rows is None else len(self.rows)
        n = self.X.shape[1] if self.cols is None else len(self.cols)
        return int(m), int(n)

    @property
    def dtype(self) -> np.dtype:
        """The working float dtype (float32 unless the data are float64)."""
        return working_dtype(self.X.dtype)

    @property
    def backend(self) -> Backend:
        """The array backend serving ``X`` (see :mod:`~emunmix.learn.linalg.backends`)."""
        return backend_for(self.X)

    @property
    def is_lazy(self) -> bool:
        """True for data read chunk by chunk (dask)."""
        return self.backend.lazy

    @property
    def is_plain(self) -> bool:
        """True when no centring or scaling is applied."""
        return all(
            a is None for a in (self.row_scale, self.col_scale, self.row_mean, self.col_mean)
        )

    def with_transform(self, **changes) -> MatrixView:
        """A copy with some of rows/cols/scales/means replaced."""
        return replace(self, **changes)

    # ----------------------------------------------------------------- blocks
    def raw_blocks(self):
        """Yield ``(start, stop, block)`` of the untransformed selection (may be views)."""
        return self.backend.raw_blocks(self)

    def blocks(self, dtype=np.float64):
        """Yield ``(start, stop, block)`` of ``P`` in ``dtype``.

        Centring and scaling happen in float64; blocks of an untransformed float view
        of the right dtype may be read-only views of ``X``.
        """
        dtype = np.dtype(dtype)
        backend = self.backend
        for start, stop, raw in backend.raw_blocks(self):
            row_mean, row_scale = backend._row_vectors(self, start, stop)
            yield start, stop, _transform(raw, dtype, row_mean, row_scale,
                                          *backend._shared((self.col_mean, self.col_scale)))

    # ------------------------------------------------------------ reductions
    def stats(self, sketch=None):
        """One pass over the raw selection: row/column sums and bad-value counts.

        With ``sketch`` (an (n, l) array), the same pass also returns the raw
        selection's product with it (``(stats, X_sel @ sketch)``), so that a randomized
        SVD's first pass is the one that reads the sums.
        """
        m, n = self.shape
        kind = numpy_dtype(self.X.dtype).kind
        check_finite, check_sign = kind == "f", kind in "if"
        if sketch is not None:
            rows, col_sums, n_bad, n_neg = self.backend.reduce(
                self, _stats_sketch_part, check_finite, check_sign,
                np.asarray(sketch, dtype=np.float64), combine=_combine_rows_and_sums)
            Y = np.empty((m, sketch.shape[1]))
        else:
            rows, col_sums, n_bad, n_neg = self.backend.reduce(
                self, _stats_part, check_finite, check_sign, combine=_combine_stats)
        row_sums = np.zeros(m)
        for start, part, *block in rows:
            row_sums[start : start + part.size] = part
            if block:
                Y[start : start + part.size] = self.backend.to_host(block[0])
        stats = MatrixStats(row_sums, np.asarray(col_sums), int(n_bad), int(n_neg))
        return stats if sketch is None else (stats, Y)

    def stats_and_gram_sketch(self, G, poisson: bool):
        """One pass: :meth:`stats`, ``H = X' D_r^-2 X G`` and ``q_j = sum_i X_ij^2 / r_i^2``.

        ``X`` is the raw selection and ``r_i^2`` its row sums (zero sums replaced by 1:
        the squared Poisson row weights) with ``poisson``, else 1: the uncentred view
        ``P = D_r^-1 X D_c^-1`` (column weights ``D_c`` from the column sums) then has
        ``P'P (D_c G) = D_c^-1 H`` and ``||P||_F^2 = sum_j q_j / c_j^2``, i.e. a
        randomized SVD's first power iteration is read with the sums.

        Returns
        -------
        stats : MatrixStats
        H : ndarray of float64, shape (n, l)
        q : ndarray of float64, shape (n,)
        """
        kind = numpy_dtype(self.X.dtype).kind
        G = np.asarray(G, dtype=np.float64)
        rows, col_sums, n_bad, n_neg, H, q = self.backend.reduce(
            self, _stats_gram_sketch_part, kind == "f", kind in "if", G, bool(poisson),
            combine=_combine_rows_and_sums)
        row_sums = np.zeros(self.shape[0])
        for start, part in rows:
            part = self.backend.to_host(part)
            row_sums[start : start + part.size] = part
        stats = MatrixStats(row_sums, np.asarray(col_sums), int(n_bad), int(n_neg))
        return stats, np.asarray(H), np.asarray(q)

    def materialise(self, dtype=None, copy: bool = False) -> np.ndarray:
        """``P`` as one in-memory numpy array (in the working dtype by default).

        With ``copy=False`` an untransformed, unmasked numpy view of the right dtype is
        returned without copying (do not modify it then).
        """
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        if (not copy and isinstance(self.X, np.ndarray) and self.is_plain
                and self.rows is None and self.cols is None):
            return np.asarray(self.X, dtype=dtype)
        out = np.empty(self.shape, dtype=dtype)
        return self.backend.fill_rows(self, _transform_part, dtype, self.col_mean,
                                      self.col_scale, out=out)

    def to_dask(self):
        """``P`` as a lazy dask expression (for dask's own SVD solvers)."""
        P = self.backend.as_dask(self).astype(np.float64)
        if self.row_mean is not None:
            P = P - self.row_mean[:, None]
        if self.col_mean is not None:
            P = P - self.col_mean[None, :]
        if self.row_scale is not None:
            P = P / self.row_scale[:, None]
        if self.col_scale is not None:
            P = P / self.col_scale[None, :]
        return P.astype(self.dtype)

    def gram(self) -> np.ndarray:
        """``P' P`` (columns x columns), accumulated in float64 over row blocks."""
        uncentred = self.row_mean is None and self.col_mean is None
        # uncentred: scale the columns once at the end, one pass less over every block
        G = self.backend.reduce(self, _gram_part, self.col_mean,
                                None if uncentred else self.col_scale)
        if uncentred and self.col_scale is not None:
            G /= self.col_scale[:, None]
            G /= self.col_scale[None, :]
        return G

    def without_col_scale(self) -> MatrixView:
        return replace(self, col_scale=None)

    def dot(self, V, dtype=None, out=None) -> np.ndarray:
        """``P @ V`` (rows x k), block by block, in the working dtype by default.

        The product is taken on the raw blocks (views of the data when no row or column
        is excluded), with the scales folded into ``V`` and the output (and, in float64,
        the means as rank-one corrections), so no transformed copy of a block is made.
        ``out`` (shape (rows, k), any strides) receives the result instead of a new
        array; its dtype sets the working dtype.
        """
        dtype = self.dtype if dtype is None else np.dtype(dtype)
        V = np.asarray(V, dtype=np.float64)
        shape = (self.shape[0], V.shape[1])
        if out is not None:
            if out.shape != shape:
                raise ValueError(f"out has shape {out.shape}, the product has shape {shape}")
            dtype = out.dtype
        out = np.empty(shape, dtype=dtype) if out is None else out
        centred = self.row_mean is not None or self.col_mean is not None
        if centred and dtype != np.float64:
            # subtracting a large mean after a float32 product would cancel digits
            return self.backend.fill_rows(self, _centred_dot_part, V, self.col_mean,
                                          self.col_scale, out=out)
        Vs = V / self.col_scale[:, None] if self.col_scale is not None else V
        # (X - r 1' - 1 c') Vs = X Vs - r (1' Vs) - 1 (c' Vs)
        col_corr = self.col_mean @ Vs if self.col_mean is not None else None
        row_corr = Vs.sum(axis=0) if self.row_mean is not None else None
        return self.backend.fill_rows(self, _dot_part, Vs.astype(dtype), col_corr, row_corr,
                                      out=out)

    def tdot(self, U) -> np.ndarray:
        """``P' @ U`` (columns x k), accumulated in float64 over row blocks."""
        U = np.asarray(U, dtype=np.float64)
        # each block (task) gets its own rows of U, not all of U
        return self.backend.reduce(self, _tdot_part, self.col_mean, self.col_scale, rows=U)

    @property
    def is_centred(self) -> bool:
        return self.row_mean is not None or self.col_mean is not None

    def tdot_and_sum_of_squares(self, U):
        """``(P' @ U, ||P||_F^2)`` in one pass (float64 results).

        Uncentred views multiply the raw blocks in their own float dtype with the scales
        folded into ``U`` (no float64 copy of a block); centred ones transform each block
        in float64 first, since subtracting the means afterwards would cancel digits.
        """
        U = np.asarray(U, dtype=np.float64)
        if self.is_centred:
            Z, total = self.backend.reduce(self, _tdot_ss_part, self.col_mean,
                                           self.col_scale, rows=U, combine=_tuple_add)
            return np.asarray(Z), float(total)
        inv_sq = np.ones(self.shape[1]) if self.col_scale is None else self.col_scale**-2.0
        Z, total = self.backend.reduce(self, _raw_tdot_ss_part, inv_sq, rows=U,
                                       combine=_tuple_add)
        Z = np.asarray(Z)
        return (Z if self.col_scale is None else Z / self.col_scale[:, None]), float(total)

    def power_step(self, Z):
        """``(Y, H)`` with ``Y = P @ Z`` (rows x k) and ``H = P' @ Y`` (columns x k), both
        in one pass over the data (float64 results): a power iteration that reads once."""
        Z = np.asarray(Z, dtype=np.float64)
        if self.is_centred:
            rows, H = self.backend.reduce(self, _power_part, Z, self.col_mean,
                                          self.col_scale, combine=_combine_rows_and_sums)
        else:
            Zc = Z if self.col_scale is None else Z / self.col_scale[:, None]
            rows, H = self.backend.reduce(self, _raw_power_part, Zc,
                                          combine=_combine_rows_and_sums)
            H = np.asarray(H)
            H = H if self.col_scale is None else H / self.col_scale[:, None]
        Y = np.empty((self.shape[0], Z.shape[1]))
        for start, part in rows:
            part = self.backend.to_host(part)
            Y[start : start + part.shape[0]] = part
        return Y, np.asarray(H)

    def sum_of_squares(self) -> float:
        """``||P||_F^2`` in float64 (total variation, for explained variance ratios)."""
        return float(self.backend.reduce(self, _sum_of_squares_part, self.col_mean,
                                         self.col_scale))
