"""Hash the outputs of every learning path, to show a refactor changes no result.

Runs decomposition (every registered algorithm, every SVD solver, masks, centring,
reprojection, "auto", deferred components, lazy input), BSS (every algorithm and
option) and the pre-processing steps on fixed seeded data, and prints one SHA-256
(first 16 hex digits) per output array. Run it before and after a change and diff::

    MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/output_hashes.py > before.txt
    ... change ...
    MPLBACKEND=Agg OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/output_hashes.py > after.txt
    diff before.txt after.txt

One BLAS thread makes the sums' order, hence the bits, repeatable.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
from sklearn.decomposition import PCA, FastICA

import emunmix.api as hs


def digest(value) -> str:
    if value is None:
        return "None"
    a = np.ascontiguousarray(np.asarray(value))
    h = hashlib.sha256(a.tobytes())
    h.update(str(a.dtype).encode() + str(a.shape).encode())
    return h.hexdigest()[:16]


def show(label, lr, fields=("factors", "loadings", "explained_variance", "mean")):
    for f in fields:
        print(f"{label:48s} {f:22s} {digest(getattr(lr, f, None))}")


def small_signal():
    s = hs.datasets.CL1(random_state=0)
    return s.isig[:128].inav[:24, :20]


def decomposition_cases():
    base = small_signal()
    nav = np.zeros(base.axes_manager.navigation_shape[::-1], bool)
    nav[:3, :4] = True
    sig = np.zeros(base.axes_manager.signal_shape[::-1], bool)
    sig[:10] = True
    cases = {
        "svd": {},
        "svd poisson": dict(normalize_poissonian_noise=True),
        "svd gram k4": dict(svd_solver="gram", output_dimension=4),
        "svd full k4": dict(svd_solver="full", output_dimension=4),
        "svd randomized k4": dict(svd_solver="randomized", output_dimension=4, random_state=1),
        "svd arpack k4": dict(svd_solver="arpack", output_dimension=4, random_state=1),
        "svd auto-dim": dict(normalize_poissonian_noise=True, output_dimension="auto"),
        "svd masks": dict(navigation_mask=nav, signal_mask=sig, output_dimension=5),
        "svd masks reproject": dict(navigation_mask=nav, signal_mask=sig, output_dimension=5,
                                    reproject="both", normalize_poissonian_noise=True),
        "svd centre nav": dict(centre="navigation", output_dimension=5),
        "svd centre sig": dict(centre="signal", output_dimension=5),
        "pca": dict(algorithm="PCA", output_dimension=5),
        "nmf": dict(algorithm="NMF", output_dimension=3, random_state=0),
        "nmf poisson": dict(algorithm="NMF", output_dimension=3, random_state=0,
                            normalize_poissonian_noise=True),
        "nmf kl": dict(algorithm="NMF", output_dimension=3, random_state=0, loss="kl"),
        "nmf spatial": dict(algorithm="NMF", output_dimension=3, random_state=0,
                            spatial_smoothness="auto"),
        "mlpca": dict(algorithm="MLPCA", output_dimension=3,
                      var_func=lambda x: np.maximum(x, 1.0)),
        "rpca": dict(algorithm="RPCA", output_dimension=3, random_state=0),
        "sklearn PCA": dict(algorithm=PCA(n_components=3)),
    }
    for label, kw in cases.items():
        s = base.deepcopy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s.decomposition(print_info=False, **kw)
        lr = s.learning_results
        show(label, lr)
        print(f"{label:48s} {'nsc':22s} {lr.number_significant_components}")
        if getattr(lr, "sparse", None) is not None:
            print(f"{label:48s} {'sparse':22s} {digest(lr.sparse)}")
        k = min(3, lr.n_components)
        print(f"{label:48s} {'model':22s} {digest(s.get_decomposition_model(k).data)}")


def deferred_and_lazy_cases():
    s = small_signal()
    s.decomposition(True, print_info=False)
    print(f"{'deferred first':48s} {'model2':22s} {digest(s.get_decomposition_model(2).data)}")
    show("deferred all", s.learning_results)
    for solver in ("auto", "randomized"):
        lz = small_signal().as_lazy()
        lz.decomposition(True, output_dimension=4, svd_solver=solver, random_state=0,
                         print_info=False)
        show(f"lazy svd {solver}", lz.learning_results, ("factors", "loadings"))
    lz = small_signal().as_lazy()
    lz.decomposition(algorithm="NMF", output_dimension=3, random_state=0, print_info=False)
    show("lazy nmf", lz.learning_results, ("factors", "loadings"))


def bss_cases():
    base = small_signal()
    base.decomposition(True, print_info=False)
    cases = {
        "bss fastica": dict(number_of_components=4, random_state=0),
        "bss fastica diff2": dict(number_of_components=4, diff_order=2, random_state=0),
        "bss orthomax": dict(number_of_components=4, algorithm="orthomax"),
        "bss on_loadings": dict(number_of_components=3, on_loadings=True, random_state=0),
        "bss comp_list": dict(comp_list=[0, 1, 3], random_state=0),
        "bss sklearn FastICA": dict(number_of_components=3,
                                    algorithm=FastICA(random_state=0, whiten=False)),
    }
    for label, kw in cases.items():
        s = base.deepcopy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s.blind_source_separation(print_info=False, **kw)
        show(label, s.learning_results, ("bss_factors", "bss_loadings", "unmixing_matrix"))


def preprocess_cases():
    ll, s3 = hs.datasets.LL3(random_state=0), hs.datasets.CL3(random_state=0)
    ll.align_zero_loss_peak(also_align=[s3], print_stats=False)
    print(f"{'align_zero_loss_peak':48s} {'ll':22s} {digest(ll.data)}")
    print(f"{'align_zero_loss_peak':48s} {'cl':22s} {digest(s3.data)}")
    s4 = hs.datasets.CL4(random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s4.spikes_removal_tool(interactive=False, random_state=0)
    print(f"{'spikes_removal_tool':48s} {'data':22s} {digest(s4.data)}")


if __name__ == "__main__":
    decomposition_cases()
    deferred_and_lazy_cases()
    bss_cases()
    preprocess_cases()
