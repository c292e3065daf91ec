"""Run HyperSpy 2.5 user-guide machine-learning calls in emunmix and in HyperSpy.

Each call runs on a fresh copy of the same small EELS map (tests/data/hs_parity.npz,
decomposed with Poisson normalisation and unmixed into 3 BSS components) in both
libraries (HyperSpy in a subprocess of its own interpreter), and the table says whether
the results agree (``same``), disagree (``differs``: both fingerprints shown) or one
raised (``raises``). A result's fingerprint is its kind and shape, and for numbers
their sum of magnitudes (4 significant digits); for figures the number of axes; for
exports the names of the files written.

    PYTHONPATH=src MPLBACKEND=Agg .venv/bin/python benchmarks/compare_ml_calls.py
    HYPERSPY_PYTHON=/path/to/python ...   # if HyperSpy's venv is not .venv-hyperspy

Not a test: it needs HyperSpy, and some differences are on purpose (see
docs/coming-from-hyperspy.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HYPERSPY_PYTHON = os.environ.get("HYPERSPY_PYTHON",
                                 str(ROOT / ".venv-hyperspy" / "bin" / "python"))

# (label, code): ``s`` is the decomposed and unmixed signal, ``lr`` its learning results,
# ``tmp`` an empty folder; the value of ``result`` (or of the last line) is compared.
CALLS = [
    ("get_decomposition_factors()", "result = s.get_decomposition_factors()"),
    ("get_decomposition_loadings()", "result = s.get_decomposition_loadings()"),
    ("get_bss_factors()", "result = s.get_bss_factors()"),
    ("get_bss_loadings()", "result = s.get_bss_loadings()"),
    ("get_decomposition_model(2)", "result = s.get_decomposition_model(2)"),
    ("get_decomposition_model([0, 2])", "result = s.get_decomposition_model([0, 2])"),
    ("get_bss_model(2)", "result = s.get_bss_model(2)"),
    ("get_scree_plot_data()", "result = s.get_scree_plot_data()"),
    ("estimate_elbow_position()", "result = s.estimate_elbow_position()"),
    ("estimate_elbow_position(log=False)",
     "result = s.estimate_elbow_position(log=False)"),
    ("number_significant_components", "result = lr.number_significant_components"),
    ("explained_variance_ratio", "result = lr.explained_variance_ratio"),
    ("unmixing_matrix", "result = lr.unmixing_matrix"),
    ("reverse_decomposition_component(1)",
     "s.reverse_decomposition_component(1); result = lr.factors[:, :3]"),
    ("reverse_bss_component([0, 1])",
     "s.reverse_bss_component([0, 1]); result = (lr.bss_factors, lr.unmixing_matrix)"),
    ("crop_decomposition_dimension(2)",
     "lr.crop_decomposition_dimension(2); result = (lr.factors, lr.loadings)"),
    ("normalize_decomposition_components(function=np.max)",
     "s.normalize_decomposition_components(function=np.max); result = lr.factors[:, :3]"),
    ("normalize_bss_components('loadings')",
     "s.normalize_bss_components(target='loadings'); result = lr.bss_loadings"),
    ("decomposition(copy=True)",
     "s.decomposition(True, copy=True, print_info=False); result = lr.factors[:, :3]"),
    ("decomposition(output_dimension=3, navigation_mask)",
     "m = np.zeros(s.axes_manager.navigation_shape, bool)\n"
     "m[0, :3] = True\ns.decomposition(True, output_dimension=3, navigation_mask=m, "
     "print_info=False)\nresult = lr.loadings"),
    ("decomposition(algorithm='sklearn_pca', output_dimension=3)",
     "s.decomposition(algorithm='sklearn_pca', output_dimension=3, print_info=False)\n"
     "result = (lr.factors, lr.explained_variance)"),
    ("blind_source_separation(comp_list=[0, 1])",
     "s.blind_source_separation(comp_list=[0, 1], print_info=False, random_state=0)\n"
     "result = lr.bss_factors"),
    ("blind_source_separation(3, diff_order=2)",
     "s.blind_source_separation(3, diff_order=2, print_info=False, random_state=0)\n"
     "result = lr.bss_factors"),
    ("blind_source_separation(3, algorithm='orthomax')",
     "s.blind_source_separation(3, algorithm='orthomax', print_info=False)\n"
     "result = lr.bss_factors"),
    ("blind_source_separation(3, whiten_method='ZCA')",
     "s.blind_source_separation(3, whiten_method='ZCA', print_info=False, random_state=0)"
     "\nresult = lr.bss_factors"),
    ("blind_source_separation(3, return_info=True)",
     "result = type(s.blind_source_separation(3, return_info=True, print_info=False, "
     "random_state=0)).__name__"),
    ("learning_results.summary()", "result = ('str', 'Decomposition parameters' in "
     "lr.summary(), 'Independent component analysis' in lr.summary())"),
    ("learning_results.save()/load()",
     "lr.save(os.path.join(tmp, 'lr.npz'))\ns.learning_results.load(os.path.join(tmp, "
     "'lr.npz'))\nresult = (lr.factors, lr.bss_factors)"),
    ("plot_decomposition_results()", "result = s.plot_decomposition_results()"),
    ("plot_bss_results()", "result = s.plot_bss_results()"),
    ("plot_decomposition_factors(comp_ids=3)",
     "result = s.plot_decomposition_factors(comp_ids=3)"),
    ("plot_decomposition_loadings([0, 2], per_row=2)",
     "result = s.plot_decomposition_loadings(comp_ids=[0, 2], per_row=2)"),
    ("plot_decomposition_loadings(2, calibrate=False, same_window=False)",
     "result = s.plot_decomposition_loadings(comp_ids=2, calibrate=False, "
     "same_window=False)"),
    ("plot_bss_factors(comp_ids=2)", "result = s.plot_bss_factors(comp_ids=2)"),
    ("plot_bss_loadings(comp_ids=[1], per_row=1)",
     "result = s.plot_bss_loadings(comp_ids=[1], per_row=1)"),
    ("plot_explained_variance_ratio(n=10, threshold=1e-3, vline=True)",
     "result = s.plot_explained_variance_ratio(n=10, threshold=1e-3, vline=True)"),
    ("plot_explained_variance_ratio(xaxis_type='number')",
     "result = s.plot_explained_variance_ratio(xaxis_type='number')"),
    ("plot_scree_plot(log=False, hline=True)",
     "result = s.plot_scree_plot(log=False, hline=True)"),
    ("plot_cumulative_explained_variance_ratio()",
     "result = s.plot_cumulative_explained_variance_ratio()"),
    ("export_decomposition_results(comp_ids=2)",
     "s.export_decomposition_results(folder=tmp, comp_ids=2)\nresult = files(tmp)"),
    ("export_decomposition_results(multiple_files=False)",
     "s.export_decomposition_results(folder=tmp, comp_ids=2, multiple_files=False)\n"
     "result = files(tmp)"),
    ("export_decomposition_results(factor_format='msa', loading_format='tif')",
     "s.export_decomposition_results(folder=tmp, comp_ids=[0, 1], factor_format='msa', "
     "loading_format='tif')\nresult = files(tmp)"),
    ("export_bss_results(comp_ids=2)",
     "s.export_bss_results(folder=tmp, comp_ids=2)\nresult = files(tmp)"),
    ("export_bss_results(multiple_files=False, factor_format='hspy')",
     "s.export_bss_results(folder=tmp, multiple_files=False, factor_format='hspy', "
     "loading_format='hspy')\nresult = files(tmp)"),
]


def fingerprint(value):
    """A small JSON-able description of a result, for comparison."""
    import numpy as np

    if value is None:
        return None
    if isinstance(value, (bool, int, str)) or value.__class__.__name__.startswith("bool"):
        return value if not isinstance(value, np.generic) else value.item()
    if isinstance(value, (float, np.floating)):
        return float(f"{float(value):.4g}")
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (tuple, list)):
        return [fingerprint(v) for v in value]
    if hasattr(value, "axes_manager") and hasattr(value, "data"):
        am = value.axes_manager
        return {"signal": [list(am.navigation_shape), list(am.signal_shape)],
                "data": fingerprint(np.asarray(value.data))}
    if hasattr(value, "get_axes") or hasattr(value, "savefig"):
        return {"figure": len(value.get_axes())}
    if hasattr(value, "figure") and hasattr(value, "plot"):
        return {"axes": 1}
    arr = np.asarray(value)
    if arr.dtype.kind in "fciub":
        finite = arr[np.isfinite(arr)] if arr.dtype.kind in "fc" else arr
        return {"shape": list(arr.shape),
                "abs_sum": float(f"{float(np.abs(finite).sum()):.4g}"),
                "nan": int(arr.size - finite.size)}
    return type(value).__name__


def run_all(library: str) -> list:
    """Run every call in ``library`` ("emunmix" or "hyperspy"); one record per call."""
    import contextlib
    import importlib
    import io
    import shutil
    import traceback
    import warnings

    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hs = importlib.import_module("emunmix.api" if library == "emunmix" else "hyperspy.api")
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    import make_parity_fixture as fx

    with np.load(ROOT / "tests" / "data" / "hs_parity.npz") as f:
        data = fx.case_data(f["data"], "map")
    base = hs.signals.Signal1D(data)
    for ax in base.axes_manager.navigation_axes:
        ax.scale, ax.units = 2.0, "nm"
    sig = base.axes_manager.signal_axes[0]
    sig.scale, sig.offset, sig.units = 0.02, 0.1, "keV"

    def files(folder):
        return sorted(os.listdir(folder))

    records = []
    for label, code in CALLS:
        s = base.deepcopy()
        s.decomposition(True, print_info=False)
        s.blind_source_separation(3, print_info=False, random_state=0)
        tmp = tempfile.mkdtemp()
        env = {"s": s, "lr": s.learning_results, "tmp": tmp, "files": files, "os": os,
               "np": np, "hs": hs}
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                exec(code, env)
            rec = {"label": label, "ok": True, "value": fingerprint(env.get("result"))}
        except Exception as exc:  # noqa: BLE001 - the table reports it
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            rec = {"label": label, "ok": False, "value": last[:160]}
        finally:
            plt.close("all")
            shutil.rmtree(tmp, ignore_errors=True)
        records.append(rec)
    return records


def _close(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 2e-3 * max(abs(a), abs(b), 1e-12)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def main() -> None:
    if len(sys.argv) > 3 and sys.argv[1] == "--run":
        records = run_all(sys.argv[2])
        Path(sys.argv[3]).write_text(json.dumps(records))
        return
    env = {**os.environ, "MPLBACKEND": "Agg"}
    ours = run_all("emunmix")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "hyperspy.json"
        subprocess.run([HYPERSPY_PYTHON, __file__, "--run", "hyperspy", str(path)], env=env,
                       capture_output=True, text=True, check=True)
        theirs = json.loads(path.read_text())
    counts = {"same": 0, "differs": 0, "raises": 0}
    print(f"{'call':<72} result")
    for a, b in zip(ours, theirs):
        if not (a["ok"] and b["ok"]):
            verdict = "raises"
            detail = f"emunmix: {a['value'] if not a['ok'] else 'ok'} | " \
                     f"hyperspy: {b['value'] if not b['ok'] else 'ok'}"
        elif _close(a["value"], b["value"]):
            verdict, detail = "same", ""
        else:
            verdict = "differs"
            detail = f"emunmix: {json.dumps(a['value'])} | hyperspy: {json.dumps(b['value'])}"
        counts[verdict] += 1
        print(f"{a['label']:<72} {verdict}")
        if detail:
            print(f"    {detail[:400]}")
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
