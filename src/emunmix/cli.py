"""The ``emunmix`` command line: argument parsing that calls the library.

Run ``emunmix --help`` for the list of commands and ``emunmix COMMAND --help``
for each one's options.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .cli_guard import EXIT_INTERRUPTED, EXIT_OK, Outputs, run_command
from .cli_options import integer
from .cli_report import check_report_option

DEBUG_HELP = "show the full traceback of an error (default: a one-line message)"

DESCRIPTION = """\
emunmix: machine learning for electron-microscopy spectrum images (EELS, EDS, ...).

Decompose a spectrum image into components (SVD/PCA, NMF, robust PCA), denoise it
with a low-rank model, separate sources (ICA), align zero-loss peaks and remove
X-ray spikes, from the shell or from Python (`import emunmix.api as hs`).

Start with:
  emunmix demo                     run the tutorial workflow on built-in synthetic data
  emunmix datasets --out data/     write the synthetic datasets (CL1..CL4, LL3) as .hspy
  emunmix info data/CL1.hspy       show a file's shape, axes, dtype and metadata
"""


def _cmd_info(args: argparse.Namespace) -> int:
    from .io import load

    args.outputs.current_input = args.file
    try:
        signals = load(args.file, lazy=True)  # shape and metadata without reading data
    except NotImplementedError:  # this reader reads whole files only
        signals = load(args.file)
    for s in signals if isinstance(signals, list) else [signals]:
        print(describe(s))
    return 0


def describe(s) -> str:
    """Shape, axes, dtype and metadata tree of a signal, as ``emunmix info`` prints."""
    lines = [repr(s).replace("Lazy", ""), f"dtype: {s.data.dtype}",
             f"data shape (numpy order): {tuple(s.data.shape)}",
             f"size: {s.data.nbytes / 2**20:.1f} MiB", "", repr(s.axes_manager), "",
             "metadata:", repr(s.metadata)]
    lr = s.learning_results
    if lr is not None:
        lines += ["", "learning results:", lr.summary()]
        if lr.number_of_clusters is not None:
            sizes = ", ".join(str(int(v)) for v in lr.cluster_labels.sum(1))
            lines += ["", f"clusters: {lr.number_of_clusters} ({lr.cluster_algorithm}), "
                      f"pixels per cluster: {sizes}"]
        if lr.cluster_metric is not None:
            lines.append(f"estimated number of clusters ({lr.cluster_metric}): "
                         f"{lr.estimated_number_of_clusters}")
    return "\n".join(lines)


def _cmd_datasets(args: argparse.Namespace) -> int:
    from . import datasets

    out = Path(args.out)
    suffix = "_hard" if args.hard else ""
    paths = {name: out / f"{name}{suffix}.{args.format}" for name in datasets.DATASET_NAMES}
    args.outputs.check_folder(out, "datasets folder", "--out")
    if out.exists():  # every file checked before the first is written
        for path in paths.values():
            args.outputs.check_file(path, "dataset file", "--out")
    args.outputs.make_folder(out)
    for name in _progress(datasets.DATASET_NAMES, "datasets", args.quiet):
        s = getattr(datasets, name)(hard=args.hard)
        path = paths[name]
        args.outputs.save(s, path)
        if not args.quiet:
            from tqdm.auto import tqdm

            tqdm.write(f"wrote {path}  {s}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import OUTPUT_FILES, run_demo

    if args.out:
        args.outputs.check_folder(args.out, "figures folder", "--out")
        if Path(args.out).exists():
            for name in OUTPUT_FILES:
                args.outputs.check_file(Path(args.out) / name, "demo output", "--out",
                                        kind="figure" if name.endswith(".png") else "text")
    check_report_option(args)
    run_demo(out=Path(args.out) if args.out else None, hard=args.hard,
             random_state=args.random_state, quiet=args.quiet,
             report=Path(args.report) if args.report else None, overwrite=args.overwrite)
    return 0


def _progress(items, desc: str, quiet: bool):
    if quiet:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, leave=False)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and docs)."""
    parser = argparse.ArgumentParser(
        prog="emunmix", description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    from . import __version__

    parser.add_argument("--version", action="version", version=f"emunmix {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("info", help="show shape, axes, dtype and metadata of a file",
                       description="Print a file's signal(s): class, dimensions, dtype, "
                       "axes table and metadata tree. The data are not read into memory.")
    p.add_argument("file", help="any file RosettaSciIO reads (.hspy, .zspy, .dm4, .emd, ...)")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("datasets", help="write the built-in synthetic datasets to a folder",
                       description="Write CL1, CL2, CL3, CL4 (core loss) and LL3 (low loss) "
                       "synthetic EELS spectrum images, 64x64 pixels x 1024 channels each.")
    p.add_argument("--out", default="data", help="folder to write to (default: ./data)")
    p.add_argument("--hard", action="store_true",
                   help="the harder variants (6+ components, 10x fewer counts)")
    p.add_argument("--format", default="hspy", choices=["hspy", "zspy"],
                   help="file format (default: hspy)")
    p.add_argument("--overwrite", action="store_true", help="replace existing files")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing")
    p.set_defaults(func=_cmd_datasets)

    p = sub.add_parser("demo", help="run the tutorial workflow on the synthetic datasets",
                       description="Decomposition (SVD, Poisson-normalised SVD, NMF), "
                       "denoising, blind source separation, zero-loss-peak alignment and "
                       "spike removal on the built-in datasets, with accuracy against their "
                       "ground truth. Figures are written when --out is given.")
    p.add_argument("--out", default=None, help="folder for figures and the summary (optional)")
    p.add_argument("--hard", action="store_true", help="use the harder datasets")
    p.add_argument("--random-state", type=integer("--random-state"), default=0,
                   help="seed (default 0)")
    p.add_argument("-q", "--quiet", action="store_true", help="less output")
    from .cli_report import add_report_option

    add_report_option(p)
    p.add_argument("--overwrite", action="store_true", help="replace an existing report")
    p.set_defaults(func=_cmd_demo)

    from .cli_process import add_processing_commands
    from .cli_report import add_report_command

    add_processing_commands(sub)
    add_report_command(sub)
    from .cli_cluster import add_cluster_command

    add_cluster_command(sub)
    for p in sub.choices.values():  # --debug after the command name too
        p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                       help=DEBUG_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``emunmix`` command.

    Returns the exit status: 0 success, 1 a data or file error, 2 a usage error (bad
    options exit through argparse's ``SystemExit(2)``), 130 interrupted (Ctrl-C); see
    :mod:`emunmix.cli_guard`.
    """
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        args.argv = list(sys.argv[1:] if argv is None else argv)  # for a report's command
        if not getattr(args, "command", None):
            parser.print_help()
            return EXIT_OK
        args.outputs = Outputs(overwrite=getattr(args, "overwrite", False))
        return run_command(args)
    except KeyboardInterrupt:  # before the command ran (imports, parsing)
        print("emunmix: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def run() -> None:
    """The console script: :func:`main`, then exit with its code.

    After an interrupt (130, 143) the command has cleaned up; it then exits at once,
    because CPython remembers a KeyboardInterrupt that passed through some C code
    even when it was caught, and would otherwise end the process by SIGINT (-2)
    instead of with the code.
    """
    code = main()
    if code in (EXIT_INTERRUPTED, 143):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
