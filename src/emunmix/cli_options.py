"""argparse types of the CLI's options: a bad value is a usage error (exit code 2),
found while parsing, before any file is read."""

from __future__ import annotations

import argparse
import math


def _number(value: str, option: str, what: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{option} takes {what}, got {value!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{option} takes {what}, got {value!r}")
    return x


def integer(option: str, minimum: int = 0):
    """An integer option of at least ``minimum``."""

    def parse(value: str) -> int:
        what = f"an integer >= {minimum}"
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} takes {what}, got {value!r}") from None
        if n < minimum:
            raise argparse.ArgumentTypeError(f"{option} takes {what}, got {n}")
        return n

    parse.__name__ = option  # argparse names the type in its messages
    return parse


def count_or_auto(option: str, minimum: int = 1):
    """An integer of at least ``minimum``, or 'auto'."""
    as_int = integer(option, minimum)

    def parse(value: str):
        if value.lower() == "auto":
            return "auto"
        try:
            return as_int(value)
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(
                f"{option} takes an integer >= {minimum} or 'auto', got {value!r}") from None

    parse.__name__ = option
    return parse


def positive_or_auto(option: str, allow_zero: bool = False):
    """A finite number > 0 (>= 0 with ``allow_zero``), or 'auto'."""
    what = ("a number >= 0" if allow_zero else "a number > 0") + " or 'auto'"

    def parse(value: str):
        if value.lower() == "auto":
            return "auto"
        x = _number(value, option, what)
        if x < 0 or (x == 0 and not allow_zero):
            raise argparse.ArgumentTypeError(f"{option} takes {what}, got {value!r}")
        return x

    parse.__name__ = option
    return parse


def decomposition_algorithm(value: str) -> str:
    """A registered decomposition algorithm (case-insensitive; aliases too)."""
    from .learn.registry import DECOMPOSITION

    if value not in DECOMPOSITION:
        raise argparse.ArgumentTypeError(
            f"unknown algorithm {value!r}; choose one of {', '.join(DECOMPOSITION.names())}")
    return DECOMPOSITION.canonical(value)


decomposition_algorithm.__name__ = "--algorithm"
