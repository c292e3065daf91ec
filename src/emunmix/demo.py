"""``emunmix demo``: the tutorial's whole workflow on the built-in datasets.

Each step reports a figure of merit against the datasets' ground truth, so the
demo doubles as an end-to-end check that the pieces fit together.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class Step:
    """One line of the demo report."""

    name: str
    result: str
    seconds: float


def _correlations(signal, truth, which: str) -> tuple[float, float]:
    """Mean |corr| of maps and spectra after best matching ("decomposition"/"bss")."""
    from .learn.metrics import match_components

    lr = signal.learning_results
    factors = lr.bss_factors if which == "bss" else lr.factors
    loadings = lr.bss_loadings if which == "bss" else lr.loadings
    k = truth.spectra.shape[0]
    # alignment crops and recalibrates the energy axis: compare on the signal's own axis
    spectra = truth.spectra_on(signal.axes_manager.signal_axes[0].axis)
    _, c_spec = match_components(factors[:, :k].T, spectra)
    _, c_map = match_components(loadings[:, :k].T, truth.maps.reshape(k, -1))
    return float(np.mean(c_map)), float(np.mean(c_spec))


# what the demo writes to its --out folder (the CLI checks them before the run)
OUTPUT_FILES = ("scree_poisson.png", "bss_factors_CL1.png", "nmf_factors_CL1.png",
                "summary.txt")


def _save_figure(fig_or_ax, out: Path | None, name: str) -> None:
    if f"{name}.png" not in OUTPUT_FILES:  # the CLI checks only the names listed there
        raise RuntimeError(f"demo figure {name!r} is missing from OUTPUT_FILES")
    if out is None or fig_or_ax is None:
        return
    fig = getattr(fig_or_ax, "figure", fig_or_ax)
    if isinstance(fig_or_ax, (list, tuple)):
        fig = getattr(fig_or_ax[0], "figure", fig_or_ax[0])
    fig.savefig(out / f"{name}.png", dpi=80)
    import matplotlib.pyplot as plt

    plt.close(fig)


def run_demo(out: Path | None = None, hard: bool = False, random_state: int = 0,
             quiet: bool = False, report: Path | None = None,
             overwrite: bool = False) -> list[Step]:
    """Run the tutorial workflow; print and return the report.

    Parameters
    ----------
    out : Path, optional
        Folder for figures (PNG) and ``summary.txt``; nothing is written if None.
    hard : bool
        Use the harder datasets (more components, fewer counts).
    random_state : int
        Seed for the randomised steps (FastICA, NMF, spike noise).
    quiet : bool
        Print only the final report.
    report : Path, optional
        Folder for the HTML report (``report.html``, ``summary.json``) of the run.
    overwrite : bool
        Replace an existing report in ``report``.
    """
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
        matplotlib.use("Agg")
    run = _DemoRun(out, hard, random_state, quiet, report, overwrite)
    run.datasets()
    run.svd()
    run.denoise()
    run.bss_cl1()
    run.nmf()
    run.bss_cl2()
    run.alignment()
    run.spikes()
    return run.finish()


class _DemoRun:
    """The demo's state and its steps, one method each (in the tutorial's order)."""

    def __init__(self, out, hard, random_state, quiet, report, overwrite):
        from tqdm.auto import tqdm

        from .report import command_line
        from .report.run import RunReport

        argv = (["demo"] + (["--hard"] if hard else []) + ["--random-state", str(random_state)]
                + (["--report", str(report)] if report is not None else []))
        self.rep = RunReport(report, f"emunmix demo ({'hard' if hard else 'easy'} datasets)",
                             command=command_line(argv), overwrite=overwrite)
        self.out, self.hard, self.random_state = out, hard, random_state
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
        self.steps: list[Step] = []
        self.bar = tqdm(total=8, desc="demo", disable=quiet)

    def record(self, name: str, result: str, t0: float) -> None:
        self.steps.append(Step(name, result, time.perf_counter() - t0))
        self.bar.set_postfix_str(name)
        self.bar.update(1)

    @property
    def seconds(self) -> float:
        return self.steps[-1].seconds

    def datasets(self) -> None:
        from . import datasets

        t0 = time.perf_counter()
        hard = self.hard
        self.s, self.truth = datasets.CL1(hard=hard, return_truth=True)
        self.s2, self.truth2 = datasets.CL2(hard=hard, return_truth=True)
        self.s3, self.truth3 = datasets.CL3(hard=hard, return_truth=True)
        self.s4, self.truth4 = datasets.CL4(hard=hard, return_truth=True)
        self.ll3 = datasets.LL3(hard=hard)
        self.ll4 = self.ll3.deepcopy()
        self.k = self.truth.spectra.shape[0]
        self.record("datasets", f"{self.s} and CL2-CL4, LL3 ({self.k} true components)", t0)
        for sig in (self.s, self.s2, self.s3, self.s4, self.ll3):
            self.rep.dataset(sig, label="built-in synthetic dataset")
        self.rep.step("datasets", self.seconds, hard=hard, random_state=None)

    def svd(self) -> None:
        from .report import sections

        s, k, rep = self.s, self.k, self.rep
        t0 = time.perf_counter()
        s.decomposition(print_info=False)
        scree = s.get_scree_plot_data()
        s.decomposition(True, print_info=False)
        n_sig = s.learning_results.estimated_number_of_components
        ax = s.plot_explained_variance_ratio()
        _save_figure(ax, self.out, "scree_poisson")
        self.record("SVD, Poisson SVD", f"{n_sig} significant components (truth {k}); "
                    f"first ratios {np.round(scree.data[:k + 1], 4).tolist()}", t0)
        rep.add(sections.decomposition_section, s.learning_results, s, self.seconds,
                rep.identity(s), name="SVD, Poisson SVD (CL1)")

    def denoise(self) -> None:
        from .report import sections

        s, k = self.s, self.k
        t0 = time.perf_counter()
        sc = s.get_decomposition_model(k)
        noiseless = self.truth.noiseless
        rms_raw = float(np.sqrt(np.mean((s.data - noiseless) ** 2)))
        rms_model = float(np.sqrt(np.mean((sc.data - noiseless) ** 2)))
        _ = s + sc * 1j  # the tutorial's complex comparison signal
        self.record("denoised model", f"RMS error vs noiseless {rms_raw:.2f} -> "
                    f"{rms_model:.2f} ({rms_raw / rms_model:.1f}x lower)", t0)
        self.rep.add(sections.denoising_section, s, sc, k, self.seconds, self.rep.identity(s))

    def bss_cl1(self) -> None:
        from .report import sections

        s, k, rep = self.s, self.k, self.rep
        t0 = time.perf_counter()
        s.blind_source_separation(k, diff_order=1, random_state=self.random_state,
                                  print_info=False)
        cm, cs = _correlations(s, self.truth, "bss")
        _save_figure(s.plot_bss_factors(), self.out, "bss_factors_CL1")
        self.record("BSS CL1 (FastICA, d1)", f"mean |corr| maps {cm:.4f}, spectra {cs:.4f}", t0)
        rep.add(sections.bss_section, s.learning_results, s, self.seconds, rep.identity(s),
                name="BSS (CL1, FastICA, diff_order=1)")

    def nmf(self) -> None:
        from .report import sections

        s, k, rep = self.s, self.k, self.rep
        t0 = time.perf_counter()
        s.decomposition(True, algorithm="nmf", output_dimension=k,
                        random_state=self.random_state, print_info=False)
        cm, cs = _correlations(s, self.truth, "decomposition")
        _save_figure(s.plot_decomposition_factors(), self.out, "nmf_factors_CL1")
        self.record(f"NMF({k}) CL1", f"mean |corr| maps {cm:.4f}, spectra {cs:.4f}", t0)
        rep.add(sections.decomposition_section, s.learning_results, s, self.seconds,
                rep.identity(s), name=f"NMF({k}) (CL1)")

    def bss_cl2(self) -> None:
        from .report import sections

        s2, k, rep = self.s2, self.k, self.rep
        t0 = time.perf_counter()
        s2.decomposition(True, print_info=False)
        s2.blind_source_separation(k, diff_order=2, random_state=self.random_state,
                                   print_info=False)
        cm, cs = _correlations(s2, self.truth2, "bss")
        self.record("BSS CL2 (noiseless, d2)", f"mean |corr| maps {cm:.4f}, spectra {cs:.4f}",
                    t0)
        rep.add(sections.bss_section, s2.learning_results, s2, self.seconds,
                rep.identity(s2), name="BSS (CL2, noiseless, diff_order=2)")

    def alignment(self) -> None:
        from .report import sections

        s3, ll3, k, rep = self.s3, self.ll3, self.k, self.rep
        ll3_before = sections.zlp_view(ll3) if rep.active else None
        truth_ll3 = rep.identity(ll3)
        t0 = time.perf_counter()
        s3.decomposition(True, print_info=False)
        before = s3.learning_results.estimated_number_of_components
        ll3.align_zero_loss_peak(also_align=[s3], print_stats=False)
        s3.decomposition(True, print_info=False)
        after = s3.learning_results.estimated_number_of_components
        s3.blind_source_separation(k, diff_order=2, random_state=self.random_state,
                                   print_info=False)
        cm, cs = _correlations(s3, self.truth3, "bss")
        self.record("ZLP alignment CL3", f"significant components {before} -> {after}; BSS "
                    f"maps {cm:.4f}, spectra {cs:.4f}", t0)
        if rep.active:
            rep.add(sections.alignment_section, ll3_before, sections.zlp_view(ll3), ll3,
                    {"also_align": ["CL3"]}, self.seconds, truth_ll3)
            rep.report.sections[-1].results["CL3 significant components before, after"] = [
                before, after]
            rep.report.sections[-1].notes.append(
                "The time includes both Poisson SVDs of CL3 and its BSS.")
            rep.add(sections.bss_section, s3.learning_results, s3, None, rep.identity(s3),
                    name="BSS (CL3 aligned, diff_order=2)")
            rep.report.sections[-1].timing_note = "timed with the alignment step"

    def spikes(self) -> None:
        from .report import sections

        s4, k, rep = self.s4, self.k, self.rep
        truth_s4 = rep.identity(s4)
        s4_before = s4.data.copy() if rep.active else None
        t0 = time.perf_counter()
        report = s4.spikes_removal_tool(interactive=False, random_state=self.random_state)
        s4_despiked = s4.deepcopy() if rep.active else None  # before alignment changes the axis
        self.ll4.align_zero_loss_peak(also_align=[s4], print_stats=False)
        s4.decomposition(True, print_info=False)
        s4.blind_source_separation(k, diff_order=2, random_state=self.random_state,
                                   print_info=False)
        cm, cs = _correlations(s4, self.truth4, "bss")
        n_spikes = int(self.truth4.spike_mask.sum())
        found = getattr(report, "n_spikes", None)
        self.record("spikes + alignment CL4", f"{found} spikes removed ({n_spikes} injected); "
                    f"BSS maps {cm:.4f}, spectra {cs:.4f}", t0)
        self.bar.close()
        if rep.active:
            rep.add(sections.spikes_section, s4_before, s4_despiked, report, self.seconds,
                    truth_s4, {"random_state": self.random_state})
            rep.report.sections[-1].notes.append(
                "The time includes the alignment, Poisson SVD and BSS of CL4.")
            rep.add(sections.bss_section, s4.learning_results, s4, None, rep.identity(s4),
                    name="BSS (CL4 despiked and aligned, diff_order=2)")
            rep.report.sections[-1].timing_note = "timed with the spike removal step"

    def finish(self) -> list[Step]:
        steps = self.steps
        width = max(len(st.name) for st in steps)
        lines = [f"emunmix demo ({'hard' if self.hard else 'easy'} datasets)", ""]
        lines += [f"{st.name:<{width}}  {st.seconds:6.2f} s  {st.result}" for st in steps]
        text = "\n".join(lines)
        print(text)
        if self.out is not None:
            (self.out / "summary.txt").write_text(text + "\n")
        self.rep.write()
        return steps
