"""Processing commands of the CLI: decompose, bss, denoise, align-zlp, despike.

Each loads file(s), calls the same signal methods a Python user would, and
saves the result next to the input (never overwriting without --overwrite),
with a progress bar over its steps (``-q`` hides it).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from .cli_guard import require_signal
from .cli_options import count_or_auto, decomposition_algorithm, integer, positive_or_auto
from .cli_report import add_report_option, check_report_option, command_report


def _output_path(path: str, suffix: str, out: str | None) -> Path:
    p = Path(path)
    return Path(out) if out else p.with_name(f"{p.stem}_{suffix}.hspy")


class _Steps:
    """A tqdm bar over a command's few long steps (load, compute, save); ``-q`` hides it."""

    def __init__(self, names, quiet: bool, outputs=None):
        from tqdm.auto import tqdm

        self._names = list(names)
        self._bar = tqdm(total=len(self._names), desc=self._names[0], leave=False,
                         disable=quiet)
        if outputs is not None:  # closed on an error, so the message starts its own line
            outputs.cleanups.append(self._bar.close)
        self.seconds = {}  # step name -> wall time, for --report
        self._t0 = time.perf_counter()

    def next(self) -> None:
        now = time.perf_counter()
        done = len(self.seconds)  # a disabled (-q) bar counts nothing: count here
        self.seconds[self._names[done]] = now - self._t0
        self._t0 = now
        self._bar.update(1)
        done += 1
        if done < len(self._names):
            self._bar.set_description(self._names[done])
        else:
            self._bar.close()


def check_outputs(args: argparse.Namespace, out: Path, figure=None) -> None:
    """Check the output file, the figure and the report of a command before any work."""
    args.outputs.check_file(out, "output file", "--out")
    paths = [(out, "output file")]
    if figure:
        args.outputs.check_file(figure, "figure", "--figure", kind="figure")
        paths.append((figure, "figure"))
    args.outputs.check_distinct(paths)
    check_report_option(args)


def _load(args: argparse.Namespace, path: str, **needs):
    """Load the one signal of ``path``, refused (naming the file) unless it has ``needs``
    (see :func:`~emunmix.cli_guard.require_signal`)."""
    from .io import load

    args.outputs.current_input = path
    s = load(path)
    if isinstance(s, list):
        raise ValueError(f"{path!r} holds {len(s)} signals; this command needs a file "
                         "with one (save the one to process on its own first)")
    require_signal(s, path, f"emunmix {args.command}", **needs)
    return s


def _cmd_decompose(args: argparse.Namespace) -> int:
    out = _output_path(args.file, "decomposed", args.out)
    check_outputs(args, out, args.figure)
    rep = command_report(args, f"emunmix decompose {Path(args.file).name}")
    steps = _Steps(["load", "decompose", "save"], args.quiet, args.outputs)
    s = _load(args, args.file)
    steps.next()
    rep.dataset(s, args.file)
    extra = {}
    if args.spatial_smoothness is not None:
        extra["spatial_smoothness"] = args.spatial_smoothness
    s.decomposition(normalize_poissonian_noise=not args.no_poisson, algorithm=args.algorithm,
                    output_dimension=args.components, random_state=args.random_state,
                    print_info=False, **extra)
    steps.next()
    args.outputs.save(s, out)
    steps.next()
    print(s.learning_results.summary())
    print(f"wrote {out} (data with its learning results)")
    if args.figure:
        ax = s.plot_explained_variance_ratio()
        args.outputs.savefig(ax.figure, args.figure)
        print(f"wrote {args.figure}")
    if rep.active:
        from .report.sections import decomposition_section

        rep.step("load", steps.seconds["load"], file=args.file)
        rep.add(decomposition_section, s.learning_results, s, steps.seconds["decompose"],
                rep.identity(s))
        rep.step("save", steps.seconds["save"], file=str(out), overwrite=args.overwrite)
        rep.write()
    return 0


def _cmd_bss(args: argparse.Namespace) -> int:
    out = _output_path(args.file, "bss", args.out)
    check_outputs(args, out, args.figure)
    rep = command_report(args, f"emunmix bss {Path(args.file).name}")
    steps = _Steps(["load", "decompose", "unmix", "save"], args.quiet, args.outputs)
    s = _load(args, args.file)
    steps.next()
    rep.dataset(s, args.file)
    lr = s.learning_results
    decomposed_here = lr is None or lr.n_components is None
    if decomposed_here:
        s.decomposition(normalize_poissonian_noise=not args.no_poisson, print_info=False)
        print("decomposed first: SVD"
              + (" with Poisson normalisation" if not args.no_poisson else ""))
    steps.next()
    n = args.components
    if n is None:
        n = (s.learning_results.estimated_number_of_components
             or s.learning_results.number_significant_components)
        if n is None:
            raise ValueError("the decomposition gives no estimate of the number of "
                             "components; say how many to unmix with --components N")
        print(f"unmixing {n} components (the scree plot's elbow)")
    s.blind_source_separation(int(n), diff_order=args.diff_order,
                              on_loadings=args.on_loadings,
                              random_state=args.random_state, print_info=False)
    steps.next()
    args.outputs.save(s, out)
    steps.next()
    print(s.learning_results.summary())
    print(f"wrote {out} (data with its decomposition and BSS results)")
    if args.figure:
        from .signal.learning_common import as_figure

        args.outputs.savefig(as_figure(s.plot_bss_loadings(with_factors=True)), args.figure)
        print(f"wrote {args.figure}")
    if rep.active:
        from .report.sections import bss_section, decomposition_section

        rep.step("load", steps.seconds["load"], file=args.file)
        # a decomposition read from the file was not timed by this run
        rep.add(decomposition_section, s.learning_results, s,
                steps.seconds["decompose"] if decomposed_here else None, rep.identity(s))
        rep.add(bss_section, s.learning_results, s, steps.seconds["unmix"], rep.identity(s))
        rep.step("save", steps.seconds["save"], file=str(out), overwrite=args.overwrite)
        rep.write()
    return 0


def _cmd_denoise(args: argparse.Namespace) -> int:
    if args.out is not None:  # the default name holds the number of components kept
        check_outputs(args, Path(args.out))
    else:
        check_report_option(args)
    rep = command_report(args, f"emunmix denoise {Path(args.file).name}")
    steps = _Steps(["load", "decompose", "save"], args.quiet, args.outputs)
    s = _load(args, args.file)
    steps.next()
    rep.dataset(s, args.file)
    s.decomposition(normalize_poissonian_noise=not args.no_poisson, print_info=False,
                    output_dimension="auto" if args.components == "auto" else None)
    lr = s.learning_results
    n = ((lr.estimated_number_of_components or lr.number_significant_components)
         if args.components == "auto" else args.components)
    model = s.get_decomposition_model(n)
    steps.next()
    out = _output_path(args.file, f"denoised{n}", args.out)
    if args.out is None:
        args.outputs.check_file(out, "output file", "--out")
    args.outputs.save(model, out)
    steps.next()
    print(f"kept {n} components; wrote {out}")
    if rep.active:
        from .report.sections import decomposition_section, denoising_section

        rep.step("load", steps.seconds["load"], file=args.file)
        rep.add(decomposition_section, s.learning_results, s, None, rep.identity(s))
        rep.report.sections[-1].timing_note = "timed with the denoising step"
        rep.add(denoising_section, s, model, n, steps.seconds["decompose"], rep.identity(s))
        rep.report.sections[-1].notes.append("The time includes the decomposition.")
        rep.step("save", steps.seconds["save"], file=str(out), overwrite=args.overwrite)
        rep.write()
    return 0


def _cmd_align(args: argparse.Namespace) -> int:
    from .report.sections import alignment_section, zlp_view

    sources = [args.lowloss, *args.also_align]
    outs = [_output_path(src, "aligned", None) for src in sources]
    args.outputs.check_distinct([(p, f"input {i + 1}") for i, p in enumerate(sources)])
    args.outputs.check_distinct([(p, f"output {i + 1}") for i, p in enumerate(outs)])
    for out in outs:
        args.outputs.check_file(out, "output file", "(no option: it is named after its input)")
    check_report_option(args)
    rep = command_report(args, f"emunmix align-zlp {Path(args.lowloss).name}")
    steps = _Steps(["load", "align", "save"], args.quiet, args.outputs)
    ll = _load(args, args.lowloss, signal_dimension=1, signal_type="EELS")
    others = [_load(args, f, signal_dimension=1) for f in args.also_align]
    args.outputs.current_input = args.lowloss
    steps.next()
    rep.dataset(ll, args.lowloss, "low loss, before alignment")
    for f, o in zip(args.also_align, others):
        rep.dataset(o, f, "also aligned, before")
    before = zlp_view(ll) if rep.active else None
    truth = rep.identity(ll) if rep.active else None  # checked on the data as loaded
    ll.align_zero_loss_peak(also_align=others, print_stats=True, crop=not args.no_crop,
                            signal_range=args.signal_range)
    steps.next()
    written = [args.outputs.save(sig, out) for sig, out in zip([ll, *others], outs)]
    steps.next()
    for out in written:
        print(f"wrote {out}")
    if rep.active:
        for f, sig in zip(written, [ll, *others]):  # the new calibration
            rep.dataset(sig, f, "aligned", overview=False)
        rep.step("load", steps.seconds["load"], files=[args.lowloss, *args.also_align])
        params = {"also_align": list(args.also_align), "crop": not args.no_crop,
                  "signal_range": args.signal_range,
                  "subpixel": True, "calibrate": True}
        rep.add(alignment_section, before, zlp_view(ll), ll, params, steps.seconds["align"],
                truth)
        rep.step("save", steps.seconds["save"], files=[str(w) for w in written],
                 overwrite=args.overwrite)
        rep.write()
    return 0


def _cmd_despike(args: argparse.Namespace) -> int:
    out = _output_path(args.file, "despiked", args.out)
    check_outputs(args, out)
    rep = command_report(args, f"emunmix despike {Path(args.file).name}")
    steps = _Steps(["load", "find and remove spikes", "save"], args.quiet, args.outputs)
    s = _load(args, args.file, signal_dimension=1)
    steps.next()
    rep.dataset(s, args.file)
    truth = rep.identity(s) if rep.active else None  # checked on the data as loaded
    before = s.data.copy() if rep.active else None
    removal = s.spikes_removal_tool(interactive=False, threshold=args.threshold,
                                    random_state=args.random_state)
    steps.next()
    args.outputs.save(s, out)
    steps.next()
    print(f"wrote {out}")
    if rep.active:
        from .report.sections import spikes_section

        rep.step("load", steps.seconds["load"], file=args.file)
        rep.add(spikes_section, before, s, removal, steps.seconds["find and remove spikes"],
                truth, {"threshold": args.threshold, "random_state": args.random_state,
                        "interactive": False})
        rep.step("save", steps.seconds["save"], file=str(out), overwrite=args.overwrite)
        rep.write()
    return 0


FILE_HELP = "spectrum image file (.hspy, .zspy, .hdf5, .dm4, ... any RosettaSciIO format)"
SEED_HELP = "seed of the random choices: the same seed, the same result (default 0)"


def add_processing_commands(sub) -> None:
    """Register the processing sub-commands on an argparse sub-parser set."""
    p = sub.add_parser("decompose", help="SVD/NMF/... decomposition, saved with the data",
                       description="Decompose a spectrum image and save it with its "
                       "learning results (open the result in emunmix or HyperSpy).")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--algorithm", default="SVD", type=decomposition_algorithm,
                   help="SVD, PCA, NMF, MLPCA, RPCA, sparse_pca, mini_batch_sparse_pca")
    p.add_argument("--components", default=None, type=count_or_auto("--components"),
                   help="number of components, or 'auto' (default: all for SVD)")
    p.add_argument("--no-poisson", action="store_true",
                   help="do not normalise Poisson noise (default: normalise)")
    p.add_argument("--spatial-smoothness", default=None, metavar="BETA",
                   type=positive_or_auto("--spatial-smoothness", allow_zero=True),
                   help="NMF only: spatial prior weight, a number or 'auto' (default: off)")
    p.add_argument("--figure", default=None, help="write the scree plot to this PNG")
    p.add_argument("--random-state", type=integer("--random-state"), default=0,
                   help=SEED_HELP)
    _common(p)
    p.set_defaults(func=_cmd_decompose)

    p = sub.add_parser("bss", help="blind source separation (FastICA) of the components",
                       description="Unmix the first N decomposition components of a file "
                       "into independent sources (FastICA on their derivatives, as "
                       "s.blind_source_separation). A file without decomposition results "
                       "is decomposed first (Poisson-normalised SVD).")
    p.add_argument("file", help=FILE_HELP + "; may hold decomposition results already")
    p.add_argument("--components", type=integer("--components", 2), default=None,
                   metavar="N", help="components to unmix (default: the scree plot's elbow)")
    p.add_argument("--diff-order", type=integer("--diff-order"), default=1,
                   help="derivative order before unmixing (default 1; 0: none)")
    p.add_argument("--on-loadings", action="store_true",
                   help="unmix the maps instead of the spectra")
    p.add_argument("--no-poisson", action="store_true",
                   help="when decomposing first: no Poisson normalisation")
    p.add_argument("--figure", default=None,
                   help="write the unmixed maps and spectra to this PNG")
    p.add_argument("--random-state", type=integer("--random-state"), default=0,
                   help=SEED_HELP)
    _common(p)
    p.set_defaults(func=_cmd_bss)

    p = sub.add_parser("denoise", help="low-rank (PCA) denoised copy of a spectrum image",
                       description="Poisson-normalised SVD, then the model rebuilt from the "
                       "first N components (N from the scree-plot elbow with 'auto').")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--components", default="auto", type=count_or_auto("--components"),
                   help="N, or 'auto' (default)")
    p.add_argument("--no-poisson", action="store_true", help="no Poisson normalisation")
    _common(p)
    p.set_defaults(func=_cmd_denoise)

    p = sub.add_parser("align-zlp", help="align zero-loss peaks and shift core-loss files too",
                       description="Align the zero-loss peak of a low-loss spectrum image at "
                       "0 eV and apply the same energy shifts to the other files.")
    p.add_argument("lowloss", help="low-loss spectrum image with the zero-loss peak")
    p.add_argument("--also-align", nargs="*", default=[], metavar="FILE",
                   help="core-loss file(s) acquired simultaneously (same navigation shape)")
    p.add_argument("--no-crop", action="store_true", help="keep channels made empty by shifts")
    p.add_argument("--signal-range", nargs=2, type=float, default=None,
                   metavar=("START", "END"),
                   help="energies (eV) between which to look for the zero-loss peak "
                   "(default: around the brightest channels)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace existing output files (and report)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_report_option(p)
    p.set_defaults(func=_cmd_align)

    p = sub.add_parser("despike", help="remove X-ray spikes automatically",
                       description="Find single-channel spikes (outliers in energy and in "
                       "space) and replace them by the expected signal plus noise.")
    p.add_argument("file", help=FILE_HELP)
    p.add_argument("--threshold", default="auto", type=positive_or_auto("--threshold"),
                   help="'auto' (default) or a number > 0")
    p.add_argument("--random-state", type=integer("--random-state"), default=0,
                   help=SEED_HELP)
    _common(p)
    p.set_defaults(func=_cmd_despike)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, help="output file (default: next to the input)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing output file (and report)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_report_option(p)
