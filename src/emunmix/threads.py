"""BLAS thread control for small dense problems (used by the kernels of learn/ and
preprocess/)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def single_blas_thread():
    """Context manager: one BLAS/LAPACK thread.

    For small dense problems (the tridiagonal reduction of a Gram matrix, the thin
    products of NMF) threads buy little: LAPACK's ``dsytrd`` makes thousands of small
    level-2 BLAS calls, and waking the thread pool for each made it, and the
    matrix products that followed it, 1.3-1.7x slower on a 2-core machine.
    """
    return _blas_controller().limit(limits=1, user_api="blas")


__all__ = ["single_blas_thread"]
