"""What cluster analysis clusters and sums: features and cluster signals of a source.

A source is "decomposition" or "bss" (their loadings), "signal" (the data) or another
signal with the same navigation shape. Helpers of :mod:`.learning_cluster`.
"""

from __future__ import annotations

import numbers

import numpy as np

from .learning_common import as_array, flat_mask, is_dask, navigation_array_shape

SOURCES = ("decomposition", "bss", "signal")


class ClusterSourcesMethods:
    """Reading the clustered features and the cluster signals from a source."""

    def _cluster_features(self, source, number_of_components, navigation_mask, signal_mask):
        """(kept pixels x features) float array, the kept-pixel mask and the number of
        components used (None for signal sources)."""
        n_pixels = int(np.prod(navigation_array_shape(self))) if navigation_array_shape(
            self) else 1
        nav = flat_mask(navigation_mask, self, "navigation", "navigation_mask")
        keep = np.ones(n_pixels, bool) if nav is None else ~nav
        n_comp = None
        if isinstance(source, str) and source in ("decomposition", "bss"):
            if signal_mask is not None:
                raise ValueError(
                    f"signal_mask applies to signal sources only; with cluster_source="
                    f"{source!r} choose the components with number_of_components")
            L, n_comp = self._cluster_loadings(source, number_of_components)
            X = L
        else:
            src = self._cluster_source_signal(source)
            sig = flat_mask(signal_mask, src, "signal", "signal_mask")
            D = src.data.reshape(n_pixels, -1)
            if sig is not None:
                if sig.all():
                    raise ValueError("signal_mask excludes every channel; keep at least one")
                D = D[:, ~sig]
            X = D
        bad = None
        if not is_dask(X):
            X = np.asarray(X)
            bad = ~np.isfinite(X).all(1) if X.dtype.kind in "fc" else None
        if bad is not None and isinstance(source, str) and source in ("decomposition", "bss"):
            excluded = self.learning_results.navigation_mask
            if excluded is not None:  # pixels the decomposition excluded have NaN loadings
                excluded = np.asarray(excluded).ravel().astype(bool)
                if excluded.size == keep.size:
                    keep = keep & ~(bad & excluded)
        if not keep.any():
            raise ValueError("navigation_mask excludes every pixel; keep at least two")
        X = X[np.flatnonzero(keep)] if not keep.all() else X
        if is_dask(X):
            X = X.compute()
        X = np.asarray(X, dtype=float)
        if not np.isfinite(X).all():
            rows = int((~np.isfinite(X).all(1)).sum())
            raise ValueError(
                f"the clustered data hold NaN or infinite values in {rows} pixel(s); "
                "exclude them with navigation_mask or repair the data")
        if X.shape[0] < 2:
            raise ValueError(f"only {X.shape[0]} pixel left to cluster; keep at least two")
        return X, keep, n_comp

    def _cluster_loadings(self, source, number_of_components):
        lr = self.learning_results
        if source == "decomposition":
            if lr is None or lr.n_components is None:
                raise ValueError(
                    "cluster_source='decomposition' needs decomposition results, but this "
                    "signal has none: run s.decomposition() first (or cluster 'signal')")
            k = lr.n_components
            # emunmix's estimate (HyperSpy takes its elbow + 1, one noise component
            # more on CL1/CL2, which splits a phase)
            default = lr.estimated_number_of_components or lr.number_significant_components
        else:
            if lr is None or lr.bss_loadings is None:
                raise ValueError(
                    "cluster_source='bss' needs blind source separation results, but this "
                    "signal has none: run s.blind_source_separation() first")
            k = lr.bss_loadings.shape[1]
            default = k
        n = number_of_components if number_of_components is not None else default
        if n is None:
            raise ValueError(
                "the decomposition has no number_significant_components estimate: give "
                "number_of_components (how many components to cluster)")
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) \
                or not 1 <= n <= k:
            raise ValueError(f"number_of_components must be an integer from 1 to {k} "
                             f"(the {source} components available), got {n!r}")
        n = int(n)
        L = lr.first_components(n)[1] if source == "decomposition" else lr.bss_loadings[:, :n]
        if L is None:
            raise ValueError(f"the {source} results hold no loadings to cluster")
        return as_array(L), n

    def _cluster_source_signal(self, source):
        if isinstance(source, str):
            if source == "signal":
                return self
            raise ValueError(f"unknown cluster source {source!r}; use one of "
                             f"{', '.join(map(repr, SOURCES))} or a signal with the same "
                             "navigation shape")
        if not hasattr(source, "axes_manager"):
            raise ValueError(f"cluster source must be one of {', '.join(map(repr, SOURCES))} "
                             f"or a signal, got {type(source).__name__}")
        if navigation_array_shape(source) != navigation_array_shape(self):
            raise ValueError(
                f"the cluster source has navigation shape "
                f"{source.axes_manager.navigation_shape}, this signal "
                f"{self.axes_manager.navigation_shape}: they must be equal")
        return source

    def _cluster_signals(self, source, n_comp, summary):
        """Sum and centroid signals (n_clusters x channels) from ``source``."""
        labels = summary.labels
        if isinstance(source, str) and source in ("decomposition", "bss"):
            lr = self.learning_results
            if source == "decomposition":
                if n_comp is None:
                    _, n_comp = self._cluster_loadings("decomposition", None)
                F, L = lr.first_components(n_comp)
                mean, centre = lr.mean, lr.centre
            else:
                if n_comp is None:
                    n_comp = lr.bss_loadings.shape[1]
                F, L = lr.bss_factors[:, :n_comp], lr.bss_loadings[:, :n_comp]
                mean, centre = lr.mean, lr.centre
            L = np.nan_to_num(np.asarray(as_array(L), dtype=float))  # excluded rows: 0
            F = np.asarray(as_array(F), dtype=float)
            sums = (labels.astype(float) @ L) @ F.T
            cents = L[summary.closest] @ F.T
            if mean is not None and centre is not None:
                m = np.asarray(mean, dtype=float)
                if centre == "signal":  # one mean per pixel
                    sums += (labels.astype(float) @ np.nan_to_num(m.reshape(-1, 1)))
                    cents += m.reshape(-1, 1)[summary.closest]
                else:
                    sums += labels.sum(1, keepdims=True) * m.reshape(1, -1)
                    cents += m.reshape(1, -1)
            return sums, cents
        src = self._cluster_source_signal(source)
        D = src.data.reshape(labels.shape[1], -1)
        if is_dask(D):  # one pass over the data for all the sums
            import dask.array as da

            sums = da.dot(labels.astype(D.dtype if D.dtype.kind == "f" else float), D)
            sums, cents = da.compute(sums, D[summary.closest])
        else:
            w = labels.astype(D.dtype if D.dtype.kind == "f" else float)
            sums, cents = w @ D, D[summary.closest]
        return np.asarray(sums, dtype=float), np.asarray(cents)
