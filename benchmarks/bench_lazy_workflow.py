"""The tutorial workflow, lazily, on a synthetic EELS pair of any size (see make_big_pair.py).

    MPLBACKEND=Agg nice .venv/bin/python benchmarks/bench_lazy_workflow.py --size 256 512
                                          [--channels 4096] [--data /work/bench-data]

For each size (pixels per side; the core loss is ``size**2 * channels * 4`` bytes) the
pair is written once by ``make_big_pair.py``, then one fresh process runs, on
``hs.load(..., lazy=True)``: a read pass over the core loss (the unit of time), the
zero-loss-peak alignment with ``also_align=[core_loss]``, the automatic spike removal
(``method="derivative"``, blockwise), the Poisson SVD (``output_dimension=8``), BSS of
4, the denoised model of 8 components saved to .zspy (written chunk by chunk) and NMF
of 4. Each step's time is printed in seconds and in read passes, with its peak memory:
the largest resident set sampled every 20 ms during the step minus the resident set
when it started. The later steps read the aligned, despiked core loss, i.e. they redo
the shift and the spike replacement of each chunk they read (nothing is persisted).
A last table gives the decomposition (the Poisson SVD) per size: time should grow
linearly with the data, memory stay flat.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import print_table, run_emunmix  # noqa: E402
from make_big_pair import write_pair  # noqa: E402

RUN = r"""
import json, os, sys, threading, time, warnings
sys.path.insert(0, {src!r})  # this checkout's emunmix, whichever venv runs it
warnings.simplefilter("ignore")
import emunmix.api as hs
hs.preferences.General.show_progressbar = False

def rss():
    return [int(ln.split()[1]) for ln in open("/proc/self/status")
            if ln.startswith("VmRSS")][0] / 2**10

class Peak:
    def __enter__(self):
        self.base, self.peak, self.stop = rss(), 0.0, False
        self.t = threading.Thread(target=self._poll, daemon=True); self.t.start()
        self.t0 = time.perf_counter(); return self
    def _poll(self):
        while not self.stop:
            self.peak = max(self.peak, rss()); time.sleep(0.02)
    def __exit__(self, *exc):
        self.dt = time.perf_counter() - self.t0; self.stop = True; self.t.join()
        self.peak = max(self.peak, rss()) - self.base

steps = {{}}
def done(name, p):  # keep the step, and log it at once (a long run's partial results)
    steps[name] = p
    if {log!r}:
        with open({log!r}, "a") as f:
            f.write(json.dumps([name, p.dt, p.peak, os.getloadavg()[0]]) + "\n")
ll = hs.load({ll!r}, lazy=True)
cl = hs.load({cl!r}, lazy=True)
with Peak() as p:
    cl.data.sum(axis=(0, 1)).compute()
done("read pass", p)
with Peak() as p:
    ll.align_zero_loss_peak(also_align=[cl], print_stats=False)
done("align_zero_loss_peak(also_align=[cl])", p)
with Peak() as p:
    rep = cl.spikes_removal_tool(interactive=False, method="derivative", random_state=0)
done("spikes_removal_tool (derivative)", p)
with Peak() as p:
    cl.decomposition(True, output_dimension=8, print_info=False, random_state=0)
done("decomposition(True, 8) (Poisson SVD)", p)
with Peak() as p:
    cl.blind_source_separation(4, print_info=False)
done("blind_source_separation(4)", p)
with Peak() as p:
    cl.get_decomposition_model(8).save({model!r}, overwrite=True)
done("get_decomposition_model(8).save(.zspy)", p)
with Peak() as p:
    cl.decomposition(True, algorithm="NMF", output_dimension=4, print_info=False,
                     random_state=0)
done("decomposition(NMF, 4)", p)
print(json.dumps({{"steps": [[k, v.dt, v.peak] for k, v in steps.items()],
                   "spikes": rep.n_spikes, "load": os.getloadavg()}}))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="/work/bench-data")
    p.add_argument("--size", type=int, nargs="+", default=[256, 512])
    p.add_argument("--channels", type=int, default=4096)
    p.add_argument("--log", default="", help="append each step (JSON line) to this file "
                   "as soon as it ends")
    args = p.parse_args(argv)
    folder = Path(args.data)
    folder.mkdir(parents=True, exist_ok=True)
    scaling = []
    for size in args.size:
        paths = write_pair(folder, size, args.channels)
        gib = size * size * args.channels * 4 / 2**30
        model = str(folder / f"model_{size}.zspy")
        r = run_emunmix(RUN.format(ll=paths["low_loss"], cl=paths["core_loss"], model=model,
                                   log=args.log,
                                   src=str(Path(__file__).resolve().parents[1] / "src")),
                        timeout=6 * 3600)
        read = r["steps"][0][1]
        rows = [{"step": k, "s": dt, "read passes": dt / read, "peak MiB": peak}
                for k, dt, peak in r["steps"]]
        print_table(rows, ["step", "s", "read passes", "peak MiB"],
                    title=f"lazy workflow, core loss {size}x{size}x{args.channels} float32 "
                    f"({gib:.0f} GiB in memory), low loss {size}x{size}x512; "
                    f"{r['spikes']} spikes removed; load average at the end "
                    f"{r['load'][0]:.1f} (1 min), {os.cpu_count()} CPUs")
        svd = r["steps"][3]
        scaling.append({"GiB": gib, "read pass s": read, "SVD s": svd[1],
                        "SVD read passes": svd[1] / read, "SVD peak MiB": svd[2]})
    print_table(scaling, ["GiB", "read pass s", "SVD s", "SVD read passes", "SVD peak MiB"],
                title="scaling of the lazy Poisson SVD (after alignment and spike removal)")


if __name__ == "__main__":
    main()
