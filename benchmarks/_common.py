"""Shared helpers for the benchmark scripts.

Stable API (other benchmark scripts import these):

- ``REPO``, ``EMUNMIX_PYTHON``: repository root and the project's interpreter.
- ``hyperspy_python() -> str | None``: the HyperSpy venv's interpreter, or None.
- ``run_python(python, code, timeout=600) -> dict``: run ``code`` in a fresh process of
  ``python``; the snippet prints a JSON dict as its last stdout line, which is returned.
- ``run_hyperspy(code, timeout=600) -> dict``: ``run_python`` in the HyperSpy venv
  (RuntimeError when it does not exist).
- ``run_emunmix(code, timeout=600) -> dict``: ``run_python`` with the project's interpreter.
- ``time_call(fn, repeat=3, warmup=0) -> float``: best wall time of ``fn()`` in seconds.
- ``time_subprocess(python, code, repeat=3) -> float``: best wall time of a fresh process.
- ``peak_memory_subprocess(code, python=None, timeout=600) -> float``: peak resident
  memory in MiB of a fresh process running ``code``.
- ``print_table(rows, columns, title=None)``: aligned plain-text table.

Benchmarks never run as tests; they print tables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

REPO = Path(__file__).resolve().parents[1]
EMUNMIX_PYTHON = sys.executable
_HYPERSPY_VENV = REPO / ".venv-hyperspy"

__all__ = [
    "REPO",
    "EMUNMIX_PYTHON",
    "hyperspy_python",
    "run_python",
    "run_hyperspy",
    "run_emunmix",
    "time_call",
    "time_subprocess",
    "peak_memory_subprocess",
    "print_table",
]


def hyperspy_python() -> str | None:
    """Path of the HyperSpy venv's interpreter (env ``EMUNMIX_HYPERSPY_PYTHON`` first),
    or None when HyperSpy is not installed beside emunmix."""
    candidates = [os.environ.get("EMUNMIX_HYPERSPY_PYTHON"), _HYPERSPY_VENV / "bin" / "python"]
    for c in candidates:
        if c and Path(c).exists():
            return str(c)
    return None


def _env() -> dict:
    env = dict(os.environ)
    env.setdefault("MPLBACKEND", "Agg")
    # Keep the child's imports its own: no leakage of this venv's packages.
    env.pop("PYTHONPATH", None)
    return env


def run_python(python: str, code: str, timeout: float = 600, env: dict | None = None) -> dict:
    """Run ``code`` with ``python`` in a fresh process and return the JSON dict printed
    as its last stdout line (``env``: extra environment variables). Raises RuntimeError
    with stderr when the process fails."""
    proc = subprocess.run(
        [python, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**_env(), **(env or {})},
        cwd=str(REPO),
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"snippet failed in {python} (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
        )
    lines = [ln for ln in proc.stdout.strip().splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError(f"snippet printed nothing in {python}; stderr:\n{proc.stderr[-2000:]}")
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"last line is not JSON: {lines[-1]!r}") from exc


def run_hyperspy(code: str, timeout: float = 600) -> dict:
    """``run_python`` in the HyperSpy venv; RuntimeError when that venv is missing."""
    py = hyperspy_python()
    if py is None:
        raise RuntimeError("HyperSpy venv not found (.venv-hyperspy or EMUNMIX_HYPERSPY_PYTHON)")
    return run_python(py, code, timeout=timeout)


def run_emunmix(code: str, timeout: float = 600) -> dict:
    """``run_python`` with the interpreter running this script (the emunmix venv)."""
    return run_python(EMUNMIX_PYTHON, code, timeout=timeout)


def time_call(fn: Callable[[], object], repeat: int = 3, warmup: int = 0) -> float:
    """Best wall-clock seconds of ``fn()`` over ``repeat`` calls (after ``warmup`` calls)."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def time_subprocess(python: str, code: str, repeat: int = 3, timeout: float = 600) -> float:
    """Best wall-clock seconds of a fresh ``python -c code`` process (start-up included)."""

    def once():
        subprocess.run(
            [python, "-c", code], check=True, capture_output=True, timeout=timeout,
            env=_env(), cwd=str(REPO),
        )

    return time_call(once, repeat=repeat)


_PEAK_WRAPPER = """
import json, resource, sys
_code = {code!r}
exec(compile(_code, "<benchmark>", "exec"), {{"__name__": "__main__"}})
_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if sys.platform == "darwin":
    _kb = _kb / 1024
print()
print(json.dumps({{"peak_mib": _kb / 1024}}))
"""


def peak_memory_subprocess(code: str, python: str | None = None, timeout: float = 600) -> float:
    """Peak resident memory (MiB) of a fresh process of ``python`` (default: this one)
    running ``code``; includes the interpreter and its imports."""
    wrapped = _PEAK_WRAPPER.format(code=code)
    return float(run_python(python or EMUNMIX_PYTHON, wrapped, timeout=timeout)["peak_mib"])


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 100:
            return f"{value:.1f}"
        if abs(value) >= 0.01:
            return f"{value:.3f}"
        return f"{value:.2e}"
    return str(value)


def print_table(
    rows: Iterable[dict], columns: Sequence[str], title: str | None = None, file=None
) -> str:
    """Print ``rows`` (dicts) as an aligned table with the given ``columns``; missing
    values show as '-'. Numbers are right-aligned. Returns the printed text."""
    rows = list(rows)
    cells = [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(r.get(c), (int, float)) or r.get(c) is None for r in rows)
        for c in columns
    ]

    def line(values):
        out = []
        for v, w, num in zip(values, widths, numeric):
            out.append(v.rjust(w) if num else v.ljust(w))
        return "  ".join(out).rstrip()

    parts = []
    if title:
        parts.append(title)
    parts.append(line(list(columns)))
    parts.append("  ".join("-" * w for w in widths))
    parts.extend(line(row) for row in cells)
    text = "\n".join(parts)
    print(text, file=file or sys.stdout)
    return text
