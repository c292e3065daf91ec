"""Processing commands of the CLI: decompose, denoise, align-zlp, despike.

Each loads file(s), calls the same signal methods a Python user would, and
saves the result next to the input (never overwriting without --overwrite).
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _output_path(path: str, suffix: str, out: str | None) -> Path:
    p = Path(path)
    return Path(out) if out else p.with_name(f"{p.stem}_{suffix}.hspy")


def _load(path: str):
    from .io import load

    s = load(path)
    if isinstance(s, list):
        raise ValueError(f"{path!r} holds {len(s)} signals; this command needs one")
    return s


def _cmd_decompose(args: argparse.Namespace) -> int:
    s = _load(args.file)
    dim = args.components
    s.decomposition(normalize_poissonian_noise=not args.no_poisson, algorithm=args.algorithm,
                    output_dimension=("auto" if dim == "auto" else int(dim)) if dim else None,
                    random_state=args.random_state, print_info=False)
    print(s.learning_results.summary())
    out = _output_path(args.file, "decomposed", args.out)
    s.save(out, overwrite=args.overwrite)
    print(f"wrote {out} (data with its learning results)")
    if args.figure:
        ax = s.plot_explained_variance_ratio()
        ax.figure.savefig(args.figure, dpi=100)
        print(f"wrote {args.figure}")
    return 0


def _cmd_denoise(args: argparse.Namespace) -> int:
    s = _load(args.file)
    s.decomposition(normalize_poissonian_noise=not args.no_poisson, print_info=False,
                    output_dimension="auto" if args.components == "auto" else None)
    n = (s.learning_results.number_significant_components if args.components == "auto"
         else int(args.components))
    model = s.get_decomposition_model(n)
    out = _output_path(args.file, f"denoised{n}", args.out)
    model.save(out, overwrite=args.overwrite)
    print(f"kept {n} components; wrote {out}")
    return 0


def _cmd_align(args: argparse.Namespace) -> int:
    ll = _load(args.lowloss)
    others = [_load(f) for f in args.also_align]
    ll.align_zero_loss_peak(also_align=others, print_stats=True, crop=not args.no_crop)
    for src, sig in [(args.lowloss, ll), *zip(args.also_align, others)]:
        out = _output_path(src, "aligned", None)
        sig.save(out, overwrite=args.overwrite)
        print(f"wrote {out}")
    return 0


def _cmd_despike(args: argparse.Namespace) -> int:
    s = _load(args.file)
    threshold = args.threshold if args.threshold == "auto" else float(args.threshold)
    s.spikes_removal_tool(interactive=False, threshold=threshold,
                          random_state=args.random_state)
    out = _output_path(args.file, "despiked", args.out)
    s.save(out, overwrite=args.overwrite)
    print(f"wrote {out}")
    return 0


def add_processing_commands(sub) -> None:
    """Register the processing sub-commands on an argparse sub-parser set."""
    p = sub.add_parser("decompose", help="SVD/NMF/... decomposition, saved with the data",
                       description="Decompose a spectrum image and save it with its "
                       "learning results (open the result in emunmix or HyperSpy).")
    p.add_argument("file")
    p.add_argument("--algorithm", default="SVD", help="SVD, PCA, NMF, MLPCA, RPCA")
    p.add_argument("--components", default=None,
                   help="number of components, or 'auto' (default: all for SVD)")
    p.add_argument("--no-poisson", action="store_true",
                   help="do not normalise Poisson noise (default: normalise)")
    p.add_argument("--figure", default=None, help="write the scree plot to this PNG")
    p.add_argument("--random-state", type=int, default=0)
    _common(p)
    p.set_defaults(func=_cmd_decompose)

    p = sub.add_parser("denoise", help="low-rank (PCA) denoised copy of a spectrum image",
                       description="Poisson-normalised SVD, then the model rebuilt from the "
                       "first N components (N from the scree-plot elbow with 'auto').")
    p.add_argument("file")
    p.add_argument("--components", default="auto", help="N, or 'auto' (default)")
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
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.set_defaults(func=_cmd_align)

    p = sub.add_parser("despike", help="remove X-ray spikes automatically",
                       description="Find single-channel spikes (outliers in energy and in "
                       "space) and replace them by the expected signal plus noise.")
    p.add_argument("file")
    p.add_argument("--threshold", default="auto", help="'auto' (default) or a number")
    p.add_argument("--random-state", type=int, default=0)
    _common(p)
    p.set_defaults(func=_cmd_despike)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default=None, help="output file (default: next to the input)")
    p.add_argument("--overwrite", action="store_true", help="replace an existing output file")
