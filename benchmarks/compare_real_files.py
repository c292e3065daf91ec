"""Load every file of a folder with emunmix and with HyperSpy 2.5; print where they differ.

Two steps, because HyperSpy is never imported by emunmix's interpreter:

    # 1. HyperSpy's view of each file (its own venv), into a JSON file
    .venv-hyperspy/bin/python benchmarks/compare_real_files.py --hyperspy DIR hs.json
    # 2. emunmix's view, compared with it: one row per format, then each difference
    .venv/bin/python benchmarks/compare_real_files.py DIR hs.json

DIR is, for instance, RosettaSciIO's ``rsciio/tests/data`` (git clone
github.com/hyperspy/rosettasciio). A file "matches" when class, navigation and signal
shapes, dtype, axes (calibration or values), the key metadata of
tests/data/make_real_expected.py and the data sum are the same. Ambiguous extensions
that HyperSpy refuses without ``reader=`` are retried there with the reader emunmix
picks by content (column "HyperSpy needs reader=" counts them, whatever the outcome).
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "data"))
from make_real_expected import describe  # noqa: E402

SKIP_SUFFIXES = {".npy", ".json", ".txt", ".zip", ".gz", ".py", ".md", ".zattrs",
                 ".zgroup", ".zarray", ".rst", ".yaml", ".log", ".xlsx"}


def candidates(folder: Path) -> list[Path]:
    files = []
    for p in sorted(folder.rglob("*")):
        if ".zspy" in p.parts[:-1] or any(part.endswith(".zspy") for part in p.parts[:-1]):
            continue
        if (p.is_file() or p.suffix == ".zspy") and p.suffix.lower() not in SKIP_SUFFIXES:
            files.append(p)
    return files


def _describe_all(load, path: Path, **kwds):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            signals = load(path, **kwds)
    except Exception as err:  # noqa: BLE001 - the survey records every failure
        return {"error": f"{type(err).__name__}: {str(err)[:200]}"}
    signals = signals if isinstance(signals, list) else [signals]
    try:
        return {"signals": [describe(s) for s in signals]}
    except Exception as err:  # noqa: BLE001
        return {"error": f"describe: {type(err).__name__}: {err}"}


def _hyperspy_main(folder: Path, out: Path) -> None:
    import logging

    import hyperspy.api as hs

    for name in ("hyperspy", "rsciio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    result = {}
    for path in candidates(folder):
        entry = _describe_all(hs.load, path)
        if "error" in entry and "multiple file readers" in entry["error"]:
            # the reader emunmix picks by content (io_readers needs only rsciio)
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
            from emunmix.io_readers import candidate_readers

            try:
                reader = candidate_readers(path, None)[0]["name"]
            except Exception as err:  # noqa: BLE001
                reader = None
                entry["error"] += f" (no reader chosen by content: {err})"
            if reader is not None:
                entry = _describe_all(hs.load, path, reader=reader)
                entry["reader"] = reader
            entry["ambiguous"] = True
        result[str(path.relative_to(folder))] = entry
        print(path.relative_to(folder), "error" if "error" in entry else "ok", file=sys.stderr)
    out.write_text(json.dumps(result))


def _close(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)
        except (TypeError, ValueError):
            return False
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    return a == b


def differences(mine: dict, theirs: dict) -> list[str]:
    if len(mine) != len(theirs):
        return [f"{len(mine)} signals, HyperSpy {len(theirs)}"]
    out = []
    for m, t in zip(mine, theirs):
        for key in ("class", "navigation_shape", "signal_shape", "dtype", "axes", "data_sum"):
            if key == "axes":  # names only differ in "" vs <undefined> conventions
                if not _close(m[key], t[key]):
                    out.append("axes")
            elif not _close(m[key], t[key]):
                out.append(f"{key}: {m[key]} vs {t[key]}")
        missing = [k for k in t["metadata"] if k not in m["metadata"]
                   and k != "General.title"]
        if missing:
            out.append(f"metadata missing: {missing}")
    return out


def _emunmix_main(folder: Path, hs_json: Path) -> None:
    import emunmix.api as em

    theirs = json.loads(hs_json.read_text())
    rows = defaultdict(Counter)
    notes = []
    for rel, t in sorted(theirs.items()):
        fmt = Path(rel).suffix.lower() or "(folder)"
        m = _describe_all(em.load, folder / rel)
        if "error" in t:
            kind = "both fail" if "error" in m else "only emunmix reads"
            rows[fmt][kind] += 1
            if "error" not in m:
                notes.append(f"{rel}: HyperSpy: {t['error'][:100]}")
            continue
        if t.get("ambiguous"):
            rows[fmt]["HyperSpy needs reader="] += 1
        if "error" in m:
            rows[fmt]["only HyperSpy reads"] += 1
            notes.append(f"{rel}: emunmix: {m['error'][:160]}")
            continue
        diff = differences(m["signals"], t["signals"])
        rows[fmt]["same" if not diff else "differ"] += 1
        if diff:
            notes.append(f"{rel}: {'; '.join(diff)[:300]}")
    kinds = ["same", "differ", "only HyperSpy reads", "only emunmix reads",
             "both fail", "HyperSpy needs reader="]
    print("| format | " + " | ".join(kinds) + " |")
    print("|---" * (len(kinds) + 1) + "|")
    total = Counter()
    for fmt, counts in sorted(rows.items()):
        total.update(counts)
        print(f"| {fmt} | " + " | ".join(str(counts.get(k, 0)) for k in kinds) + " |")
    print("| **all** | " + " | ".join(str(total.get(k, 0)) for k in kinds) + " |")
    print()
    for line in notes:
        print("-", line)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--hyperspy":
        _hyperspy_main(Path(args[1]), Path(args[2]))
    elif len(args) == 2:
        _emunmix_main(Path(args[0]), Path(args[1]))
    else:
        sys.exit(__doc__)
