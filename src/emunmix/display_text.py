"""Text that IPython and Jupyter show as text, not as a quoted repr.

``s.learning_results.summary()`` returns its text (as HyperSpy's does) so that
it can be kept or written to a file; as the last line of a cell it should read
like printed text, not as one quoted line full of ``\\n`` and ``\\t``.
"""

from __future__ import annotations


def execution_count() -> int | None:
    """The running IPython's execution count (None outside IPython): an object made in
    the cell now running can tell that it is that cell's value."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is optional
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


class DisplayText(str):
    """A ``str`` shown as its text by IPython's pretty printer (and so in Jupyter).

    Everything else (comparison, formatting, ``repr()`` in plain Python) is
    that of ``str``.

    Examples
    --------
    >>> t = DisplayText("a\\tb")
    >>> t == "a\\tb", isinstance(t, str)
    (True, True)
    """

    def _repr_pretty_(self, printer, cycle) -> None:
        printer.text(str(self))
