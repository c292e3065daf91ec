"""``emunmix cluster``: segment a spectrum image into clusters (phases).

Loads the file, decomposes it first when it holds no decomposition (SVD with
Poisson normalisation), estimates the number of clusters when asked (``auto``),
clusters and saves the data with all results next to the input.
"""

from __future__ import annotations

import argparse

from .cli_options import integer
from .cli_process import (
    FILE_HELP,
    SEED_HELP,
    _common,
    _load,
    _output_path,
    _Steps,
    check_outputs,
)
from .cli_report import command_report


def _clusters(value: str):
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--clusters takes a number >= 2 or 'auto', got "
                                         f"{value!r}") from None
    if n < 2:
        raise argparse.ArgumentTypeError(f"--clusters must be at least 2, got {n}")
    return n


def _cmd_cluster(args: argparse.Namespace) -> int:
    from pathlib import Path

    out = _output_path(args.file, "clustered", args.out)
    check_outputs(args, out, args.figure)
    rep = command_report(args, f"emunmix cluster {Path(args.file).name}")
    steps = _Steps(["load", "decompose", "estimate", "cluster", "save"], args.quiet,
                   args.outputs)
    s = _load(args, args.file)
    rep.dataset(s, args.file)
    steps.next()
    decomposed_here = False
    source = args.source
    lr = s.learning_results
    if source == "decomposition" and (lr is None or lr.n_components is None):
        s.decomposition(normalize_poissonian_noise=not args.no_poisson, print_info=False,
                        output_dimension=max(args.components or 0, 20))
        print("decomposed first: SVD" + ("" if args.no_poisson else
                                         " with Poisson normalisation"))
        decomposed_here = True
    steps.next()
    ncomp = args.components
    if source == "decomposition" and ncomp is None:
        ncomp = (s.learning_results.estimated_number_of_components
                 or s.learning_results.number_significant_components)
        print(f"clustering the loadings of {ncomp} components (the decomposition's estimate)")
    common = dict(number_of_components=ncomp if source == "decomposition" else None,
                  preprocessing=None if args.preprocessing == "none" else args.preprocessing,
                  algorithm=args.algorithm, random_state=args.random_state)
    n = args.clusters
    if n == "auto":
        best = s.estimate_number_of_clusters(source, max_clusters=args.max_clusters,
                                             metric=args.metric,
                                             show_progressbar=not args.quiet, **common)
        if isinstance(best, list):  # silhouette peaks: the highest
            lr = s.learning_results
            scores = dict(zip(lr.cluster_metric_index, lr.cluster_metric_data))
            best = max(best, key=lambda k: scores[k])
        n = int(best)
        print(f"estimated number of clusters ({args.metric}): {n}")
    steps.next()
    s.cluster_analysis(source, n_clusters=n, **common)
    steps.next()
    args.outputs.save(s, out)
    steps.next()
    sizes = s.learning_results.cluster_labels.sum(1)
    print(f"{n} clusters, pixels per cluster: {', '.join(str(int(v)) for v in sizes)}")
    print(f"wrote {out} (data with its learning and cluster results)")
    if args.figure:
        ax = s.plot_cluster_map()
        args.outputs.savefig(ax.figure, args.figure)
        print(f"wrote {args.figure}")
    if rep.active:
        from .report.cluster_section import cluster_section
        from .report.sections import decomposition_section

        seconds = steps.seconds
        rep.step("load", seconds.get("load"), file=args.file)
        if source == "decomposition":
            rep.add(decomposition_section, s.learning_results, s,
                    seconds.get("decompose") if decomposed_here else None, rep.identity(s))
        rep.add(cluster_section, s.learning_results, s, seconds.get("cluster"))
        rep.step("save", seconds.get("save"), file=str(out), overwrite=args.overwrite)
        rep.write()
    return 0


def add_cluster_command(sub) -> None:
    """Register ``emunmix cluster`` on an argparse sub-parser set."""
    p = sub.add_parser(
        "cluster", help="segment pixels into clusters (phases), saved with the data",
        description="Cluster the pixels of a spectrum image (HyperSpy's cluster_analysis): "
        "by default k-means on the loadings of a Poisson-normalised SVD (computed first "
        "when the file holds none). --clusters auto estimates the number of clusters "
        "(gap statistic by default). Writes FILE_clustered.hspy with the labels, cluster "
        "signals and metric.")
    p.add_argument("file", help=FILE_HELP + "; may hold decomposition results already")
    p.add_argument("--clusters", required=True, type=_clusters, metavar="N|auto",
                   help="number of clusters, or 'auto' to estimate it")
    p.add_argument("--source", default="decomposition", choices=["decomposition", "signal"],
                   help="cluster the decomposition loadings (default) or the data itself")
    p.add_argument("--components", type=integer("--components", 1), default=None,
                   metavar="N",
                   help="decomposition components clustered (default: its estimate)")
    p.add_argument("--preprocessing", default="norm",
                   choices=["norm", "standard", "minmax", "none"],
                   help="feature scaling before clustering (default: norm, unit length "
                   "per pixel: clusters by spectral shape, not intensity)")
    p.add_argument("--algorithm", default="kmeans",
                   choices=["kmeans", "agglomerative", "minibatchkmeans",
                            "spectralclustering"], help="clustering algorithm")
    p.add_argument("--metric", default="gap", choices=["gap", "silhouette", "elbow"],
                   help="how 'auto' estimates the number of clusters (default: gap)")
    p.add_argument("--max-clusters", type=integer("--max-clusters", 2), default=10,
                   help="largest number tried by 'auto' (default 10)")
    p.add_argument("--no-poisson", action="store_true",
                   help="decompose without Poisson normalisation (when decomposing)")
    p.add_argument("--figure", default=None, help="write the cluster map to this PNG")
    p.add_argument("--random-state", type=integer("--random-state"), default=0,
                   help=SEED_HELP)
    _common(p)
    p.set_defaults(func=_cmd_cluster)
