"""Name -> function registries for algorithms.

Adding an algorithm is adding a function and one ``register`` line; the
signal layer looks algorithms up by name instead of branching on strings.
"""

from __future__ import annotations

from typing import Callable


class Registry:
    """A case-insensitive mapping from algorithm names to callables.

    Parameters
    ----------
    kind : str
        What the registry holds, used in error messages ("decomposition").

    Examples
    --------
    >>> reg = Registry("demo")
    >>> @reg.register("Twice")
    ... def twice(x):
    ...     return 2 * x
    >>> reg.get("twice")(3)
    6
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._items: dict[str, Callable] = {}
        self._display: dict[str, str] = {}

    def register(self, name: str, *aliases: str):
        """Decorator registering ``func`` under ``name`` and ``aliases``."""

        def deco(func: Callable) -> Callable:
            for n in (name, *aliases):
                self._items[n.lower()] = func
                self._display[n.lower()] = name
            return func

        return deco

    def names(self) -> list[str]:
        """Canonical names, in registration order, without aliases."""
        return list(dict.fromkeys(self._display.values()))

    def canonical(self, name: str) -> str:
        """The canonical spelling of ``name`` (raises like :meth:`get`)."""
        self.get(name)
        return self._display[name.lower()]

    def get(self, name: str) -> Callable:
        """Return the callable for ``name`` (case-insensitive).

        Raises
        ------
        ValueError
            If the name is unknown; the message lists the known names.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind} algorithm name must be a string, got {type(name)!r}")
        try:
            return self._items[name.lower()]
        except KeyError:
            known = ", ".join(repr(n) for n in self.names())
            raise ValueError(
                f"Unknown {self.kind} algorithm {name!r}. Known algorithms: {known}; "
                "or pass an object with fit/transform and a components_ attribute."
            ) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items
