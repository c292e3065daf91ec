"""``{cli-help}`` directive: the ``--help`` text of an ``emunmix`` command, taken from the
argument parser when the docs are built, so the CLI page cannot drift from the code."""

from __future__ import annotations

import os

from docutils import nodes
from docutils.parsers.rst import Directive


def help_text(command: str | None) -> str:
    """``emunmix [COMMAND] --help`` as argparse prints it at 88 columns."""
    from emunmix.cli import build_parser

    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "88"
    try:
        parser = build_parser()
        if command:
            sub = next(a for a in parser._actions if a.dest == "command")
            parser = sub.choices[command]
        return parser.format_help()
    finally:
        if old is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = old


class CliHelp(Directive):
    optional_arguments = 1

    def run(self):
        command = self.arguments[0] if self.arguments else None
        text = help_text(command)
        block = nodes.literal_block(text, text)
        block["language"] = "text"
        return [block]


def setup(app):
    app.add_directive("cli-help", CliHelp)
    return {"parallel_read_safe": True}
