"""Decomposition methods of signals (``s.decomposition()`` and its results).

Each method validates its arguments in signal terms (shapes as the user sees
them), unfolds the data to (pixels, channels), calls
:func:`emunmix.learn.decompose.decompose` and folds the results back. A
call that fails leaves ``s.data`` and ``s.learning_results`` untouched: the
results are built in locals and assigned at the very end. The methods that
read, plot, export and edit the results come from
:mod:`.learning_decomposition_results`.
"""

from __future__ import annotations

import numpy as np

from emunmix.learn.linalg.unfold import needs_merge, unfold_by_chunks

from .learning_common import as_array, flat_mask, navigation_array_shape
from .learning_decomposition_results import DecompositionResultsMethods

#: With ``output_dimension=None`` (all components), :meth:`decomposition` computes every
#: singular value but the factors and loadings of only this many components; the others
#: are computed the first time anything reads them (``learning_results.factors``,
#: ``get_decomposition_model()``, saving...). The scree plot, the first components and
#: models, BSS and NMF never need them.
EAGER_COMPONENTS = 32


class DecompositionMethods(DecompositionResultsMethods):
    """``decomposition`` and the methods reading its results (HyperSpy names)."""

    def decomposition(
        self,
        normalize_poissonian_noise=False,
        algorithm="SVD",
        output_dimension=None,
        centre=None,
        auto_transpose=True,
        navigation_mask=None,
        signal_mask=None,
        var_array=None,
        var_func=None,
        reproject=None,
        return_info=False,
        print_info=True,
        svd_solver="auto",
        copy=True,
        random_state=None,
        **kwargs,
    ):
        """Decompose the data into factors (spectra) and loadings (maps).

        The data are unfolded to a (pixels x channels) matrix ``D`` and factored
        as ``D ~ loadings @ factors.T``; the results are stored in
        ``s.learning_results``. The signal's data are never modified.

        Parameters
        ----------
        normalize_poissonian_noise : bool, default False
            Scale the data by the square roots of the pixel and channel sums
            before decomposing (Keenan and Kotula), which equalises Poisson noise;
            the scaling is undone on the results. Needs non-negative data.
        algorithm : str or estimator, default "SVD"
            "SVD", "PCA" (centred), "NMF", "MLPCA", "RPCA", "sparse_pca",
            "mini_batch_sparse_pca", "ORPCA", "ORNMF" (online robust PCA / NMF,
            streamed over the pixels, out of core on lazy data) (case-insensitive;
            ``emunmix.learn.DECOMPOSITION`` lists them with what each needs), or an
            object with ``fit``, ``transform`` and ``components_`` (a scikit-learn
            estimator). Complex signals: "SVD" and "PCA" keep the complex dtype (the
            others refuse complex data).
        output_dimension : int, "auto" or None
            Number of components to keep (None: all). "auto" estimates it and
            ``print_info`` says how.
        centre : {None, "navigation", "signal"}
            Subtract the mean spectrum ("navigation") or each pixel's mean
            ("signal") first; the model adds it back.
        auto_transpose : bool
            Let the SVD work on the smaller of the two dimensions (default).
        navigation_mask, signal_mask : bool array or signal, optional
            True excludes a pixel / channel (shape of the navigation / signal
            space, array order as in ``s.data``). Excluded loadings / factors
            are NaN unless ``reproject`` fills them.
        var_array, var_func : optional
            Noise variance for "MLPCA": an array of the data's shape, or a
            function of the data.
        reproject : {None, "navigation", "signal", "both"}
            Project masked pixels and/or channels onto the components.
        return_info : bool
            Return the kernel's output (factors, loadings, estimator, ...), with
            all its components computed.
        print_info : bool, default True
            Print a short "Decomposition info" summary.
        svd_solver : {"auto", "gram", "full", "randomized", "arpack", "incremental"}
            None is "auto". "incremental" (HyperSpy 2.5's, for lazy data) updates the
            SVD batch by batch of ``num_chunks`` chunks (a keyword argument, default 1;
            accepted by every algorithm, used by this solver only).
        copy : bool
            Accepted for HyperSpy compatibility; the data are never changed in
            place.
        random_state : int, Generator or None
            Seed for randomized solvers and NMF initialisation.
        **kwargs
            Passed to the algorithm.

        Returns
        -------
        None, or the kernel's ``DecompositionOutput`` when ``return_info``.

        Raises
        ------
        ValueError
            Empty signal, NaN/inf values, negative values with Poisson
            normalisation or NMF, a bad ``output_dimension``, masks of the
            wrong shape, an unknown algorithm.

        Examples
        --------
        >>> import emunmix.api as hs
        >>> s = hs.datasets.CL1()
        >>> s.decomposition(True, print_info=False)
        >>> s.learning_results.number_significant_components
        4
        """
        from emunmix.learn.decomposition.pipeline import decompose

        if self.data.size == 0:
            raise ValueError(
                f"the signal is empty (data shape {self.data.shape}): nothing to decompose"
            )
        nav_mask = flat_mask(navigation_mask, self, "navigation", "navigation_mask")
        sig_mask = flat_mask(signal_mask, self, "signal", "signal_mask")
        X, order = self._unfolded(), None
        nav_ndim = self.axes_manager.navigation_dimension
        if output_dimension is not None and needs_merge(self.data, nav_ndim):
            # lazy data: one row chunk per navigation chunk, no rechunk (the loadings
            # of all components, output_dimension=None, are as large as the data: kept
            # in the natural order there)
            X, order = unfold_by_chunks(self.data, nav_ndim)
        _hyperspy_options(algorithm, return_info, kwargs)
        if var_array is not None:
            var_array = as_array(var_array)
            if tuple(np.shape(var_array)) == tuple(self.data.shape):
                var_array = var_array.reshape(X.shape)
        out = decompose(
            X,
            algorithm=algorithm,
            output_dimension=output_dimension,
            normalize_poissonian_noise=normalize_poissonian_noise,
            centre=centre,
            navigation_mask=nav_mask,
            signal_mask=sig_mask,
            var_array=var_array,
            var_func=var_func,
            reproject=reproject,
            svd_solver=svd_solver,
            random_state=random_state,
            auto_transpose=auto_transpose,
            navigation_shape=navigation_array_shape(self),
            eager_components=EAGER_COMPONENTS,
            row_order=order,
            **kwargs,
        )
        # Everything computed: store (nothing can fail from here on).
        if return_info:
            out.complete()  # what is handed out must not depend on the live data
        _store(self, _results_from_output(out, self.data.shape))
        if print_info:
            print(_decomposition_info(out, normalize_poissonian_noise, output_dimension,
                                      centre, None if isinstance(algorithm, str) else algorithm))
        if not return_info:
            return None
        if not isinstance(algorithm, str):  # HyperSpy: the fitted estimator
            return out.info["fitted_estimator"]
        if out.sparse is not None:  # HyperSpy: robust PCA's low-rank and sparse parts
            return out.model(), out.sparse
        return out

    def normalize_poissonian_noise(self, navigation_mask=None, signal_mask=None):
        """Scale the data for Poisson noise in place (Keenan and Kotula, 2004), as
        HyperSpy does: ``D_ij / (sqrt(aG_i) sqrt(bH_j))`` with ``aG`` and ``bH`` the
        pixel and channel sums over the unmasked data; masked entries are left as they
        are. :meth:`decomposition` with ``normalize_poissonian_noise=True`` does this on
        the fly and undoes it on the results: use this only to look at the scaled data.

        Raises
        ------
        ValueError
            Negative or NaN values in the unmasked data, or everything masked.
        """
        from emunmix.learn.decomposition.poisson import poisson_weights

        nav = flat_mask(navigation_mask, self, "navigation", "navigation_mask")
        sig = flat_mask(signal_mask, self, "signal", "signal_mask")
        X = self._unfolded()
        w = poisson_weights(X, navigation_mask=nav, signal_mask=sig)
        rows = np.ones(X.shape[0], bool) if nav is None else ~nav
        cols = np.ones(X.shape[1], bool) if sig is None else ~sig
        root_aG = np.ones(X.shape[0])
        root_aG[rows] = w.root_aG
        root_bH = np.ones(X.shape[1])
        root_bH[cols] = w.root_bH
        dtype = np.result_type(X.dtype, np.float32)
        if self._lazy:  # broadcast vectors: no (pixels x channels) array in memory
            import dask.array as da

            keep = da.from_array(rows[:, None], chunks=(X.chunks[0], 1)) & cols[None, :]
            scaled = da.where(keep, X.astype(dtype) / root_aG[:, None] / root_bH[None, :], X)
        else:
            scaled = X.astype(dtype, copy=True)
            block = max(1, 2**22 // max(X.shape[1], 1))
            for s in range(0, X.shape[0], block):  # row blocks: no data-sized temporaries
                r = slice(s, s + block)
                keep = rows[r, None] & cols[None, :]
                scaled[r] = np.where(keep, scaled[r] / (root_aG[r, None] * root_bH), scaled[r])
        self.data = scaled.astype(dtype).reshape(self.data.shape)


def _hyperspy_options(algorithm, return_info, kwargs) -> None:
    """HyperSpy's meaning of two options, in ``kwargs`` (changed in place).

    ``return_info=True`` returns robust PCA's sparse part: the online algorithms keep it
    only when asked (``store_error``) on lazy data, so ask (as HyperSpy does).
    ``num_chunks`` (HyperSpy's lazy decomposition takes it for every algorithm) sets the
    batches of ``svd_solver="incremental"``; the other algorithms read lazy data chunk by
    chunk without it, so it is checked and dropped for them.
    """
    from emunmix.learn.linalg.incremental import check_num_chunks
    from emunmix.learn.registry import DECOMPOSITION

    if not (isinstance(algorithm, str) and algorithm in DECOMPOSITION):
        return
    options = DECOMPOSITION.spec(algorithm).options
    if return_info and options is not None and "store_error" in options:
        kwargs.setdefault("store_error", True)
    if "num_chunks" in kwargs and (options is None or "num_chunks" not in options):
        check_num_chunks(kwargs.pop("num_chunks"))


def _results_from_output(out, shape):
    """A new LearningResults holding the kernel's output (nothing shared with
    the previous results)."""
    from emunmix.learn.results import LearningResults

    return LearningResults.from_decomposition(out, original_shape=shape)


def _store(signal, results) -> None:
    """Put ``results`` in ``signal.learning_results`` in place, as HyperSpy does, so that
    a name bound to ``s.learning_results`` before the call sees the new results (all of
    the previous ones, BSS and clusters included, are replaced)."""
    from .learning_common import axes_record

    results.axes = axes_record(signal)
    current = signal.__dict__.get("_learning_results")
    if current is None:
        signal.learning_results = results
    else:
        current.__dict__.clear()
        current.__dict__.update(results.__dict__)


def _decomposition_info(out, poisson, output_dimension, centre, estimator=None) -> str:
    lines = [
        "Decomposition info:",
        f"  normalize_poissonian_noise={bool(poisson)}",
        f"  algorithm={out.algorithm}",
        f"  output_dimension={output_dimension}",
        f"  centre={centre}",
    ]
    method = getattr(out, "auto_dimension_method", None)
    if isinstance(output_dimension, str) and method:
        lines.append(f"  output_dimension chosen: {out.output_dimension} ({method})")
    if estimator is not None:
        lines += ["scikit-learn estimator:", repr(estimator)]
    return "\n".join(lines)
