"""Ctrl-C (SIGINT) stops a CLI command with exit code 130, a one-line message, no
traceback and no output or temporary file left behind."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from _cli_helpers import snapshot

from emunmix.signal import Signal1D

SRC = Path(__file__).resolve().parents[2] / "src"


def _start(argv, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get(
        "PYTHONPATH", "")]), MPLBACKEND="Agg", PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-m", "emunmix.cli", *map(str, argv)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)


def _wait_for(proc, word: bytes, timeout: float = 60.0) -> bytes:
    """Read stderr until ``word`` appears (the command reached that step)."""
    seen = b""
    deadline = time.monotonic() + timeout
    os.set_blocking(proc.stderr.fileno(), False)
    while word not in seen:
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.fail(f"the command never reached {word!r}: {seen[-500:]!r}")
        chunk = proc.stderr.read()
        seen += chunk or b""
        time.sleep(0.02)
    return seen


@pytest.fixture
def big_file(tmp_path):
    rng = np.random.default_rng(0)
    s = Signal1D(rng.poisson(5, (48, 48, 256)).astype("float32"))
    path = tmp_path / "big.hspy"
    s.save(path)
    return path


@pytest.mark.parametrize("argv", [
    ["decompose", "{file}", "--algorithm", "NMF", "--components", "30"],
    ["bss", "{file}", "--components", "40"],
])
def test_ctrl_c_mid_computation_exits_130_and_leaves_nothing(big_file, argv):
    folder = big_file.parent
    before = snapshot(folder)
    proc = _start([a.format(file=big_file) for a in argv], folder)
    seen = _wait_for(proc, b"decompose")  # the progress bar reached the long step
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the command did not stop within 60 s of Ctrl-C")
    err = (seen + err).decode(errors="replace")
    assert proc.returncode == 130, err[-2000:]
    assert "emunmix: interrupted" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert snapshot(folder) == before  # no output, no temporary


def test_sigterm_mid_computation_exits_143_and_leaves_nothing(big_file):
    folder = big_file.parent
    before = snapshot(folder)
    proc = _start(["decompose", big_file, "--algorithm", "NMF", "--components", "30"],
                  folder)
    seen = _wait_for(proc, b"decompose")
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    err = (seen + err).decode(errors="replace")
    assert proc.returncode == 143, err[-2000:]
    assert "emunmix: terminated (SIGTERM)" in err and "Traceback" not in err
    assert snapshot(folder) == before


def test_ctrl_c_while_writing_datasets_removes_what_this_run_wrote(tmp_path):
    proc = _start(["datasets", "--out", tmp_path / "data"], tmp_path)
    seen = _wait_for(proc, b"1/5")  # the first file is written
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    err = (seen + err).decode(errors="replace")
    assert proc.returncode == 130, err[-2000:]
    assert "emunmix: interrupted" in err and "Traceback" not in err
    assert not (tmp_path / "data").exists()  # the folder this run created is gone


def _interrupted_then(outcome):
    """A command that gets SIGINT, and whose library turns the KeyboardInterrupt into
    ``outcome``: another error (as ARPACK's callbacks do) or nothing (a finaliser)."""

    def command(args):
        args.outputs.current_input = "x.hspy"
        # never interrupt the test run itself: only under the CLI's own handler
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)  # the handler raises here
        except KeyboardInterrupt:
            if outcome == "error":
                raise RuntimeError("initialization failed") from None
        return 0

    return command


@pytest.mark.parametrize("outcome", ["error", "swallowed"])
def test_an_interrupt_turned_into_another_error_or_lost_still_exits_130(outcome, capsys):
    import argparse

    from emunmix.cli_guard import Outputs, run_command

    args = argparse.Namespace(command="decompose", func=_interrupted_then(outcome),
                              outputs=Outputs())
    assert run_command(args) == 130
    err = capsys.readouterr().err
    assert "emunmix: interrupted" in err and "initialization failed" not in err
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored
