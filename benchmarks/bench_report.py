"""What a run report costs: building and writing the demo's report, per figure, page size.

HyperSpy has no run report, so there is no HyperSpy column. Run:
``MPLBACKEND=Agg .venv/bin/python benchmarks/bench_report.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import matplotlib  # noqa: E402

matplotlib.use("Agg")

from _common import print_table, time_call  # noqa: E402


def main() -> None:
    import emunmix.api as hs
    from emunmix.demo import run_demo
    from emunmix.report import write_report

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        def demo(**kw):
            with contextlib.redirect_stdout(io.StringIO()):  # the demo prints its table
                run_demo(quiet=True, **kw)

        t_plain = time_call(demo, repeat=2)
        t_report = time_call(lambda: demo(report=Path(tmp) / "demo", overwrite=True),
                             repeat=2)
        page = Path(tmp) / "demo" / "report.html"
        import json

        summary = json.loads((Path(tmp) / "demo" / "summary.json").read_text())
        n_fig = len(summary["figures"]) + sum(len(s["figures"]) for s in summary["steps"])
        rows.append(["emunmix demo, no report (s)", f"{t_plain:.2f}"])
        rows.append(["emunmix demo --report (s)", f"{t_report:.2f}"])
        rows.append(["  report overhead per figure (s)",
                     f"{(t_report - t_plain) / n_fig:.3f} ({n_fig} figures)"])
        rows.append(["  report.html size (MiB)", f"{page.stat().st_size / 2**20:.2f}"])

        s = hs.datasets.CL1()
        s.decomposition(True, print_info=False)
        s.blind_source_separation(4, print_info=False, random_state=0)
        t0 = time.perf_counter()
        rep = hs.report(s)
        t_build = time.perf_counter() - t0
        t_write = time_call(lambda: write_report(rep, Path(tmp) / "cl1", overwrite=True))
        rows.append(["hs.report(CL1 with SVD + BSS): build (s)", f"{t_build:.2f}"])
        rows.append(["  write report.html + summary.json (s)", f"{t_write:.3f}"])
    rows = [{"step": a, "value": b} for a, b in rows]
    print_table(rows, ["step", "value"], title=f"Run reports ({os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
