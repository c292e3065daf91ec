"""Every exception and warning emunmix defines, in one place.

Errors keep the built-in type a user would catch (``ValueError``, ``TypeError``,
``RuntimeError``) and add :class:`EmunmixError`, so ``except ValueError`` and
``except EmunmixError`` both work. Warnings derive from :class:`EmunmixWarning`;
the iterative solvers share :class:`ConvergenceWarning`, so one filter silences them all::

    import warnings
    from emunmix.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)

Their own classes (``NMFConvergenceWarning``, ``BSSConvergenceWarning``, ...) also derive
from :class:`sklearn.exceptions.ConvergenceWarning`, so a filter written for
scikit-learn catches them too; they are made on first use, so that importing emunmix
does not import scikit-learn.
"""

from __future__ import annotations


class EmunmixError(Exception):
    """Base class of the errors emunmix raises itself."""


class UnknownAlgorithmError(EmunmixError, ValueError):
    """An algorithm name that no registry knows (the message lists the known ones)."""


class InvalidMaskError(EmunmixError, TypeError, ValueError):
    """A mask whose values are not booleans (or 0/1); both a TypeError and a ValueError,
    so code written for either keeps working."""


class InvalidIndexError(EmunmixError, IndexError, ValueError):
    """An index, slice bound or step that selects nothing meaningful (NaN, a step of zero
    channels); both an IndexError and a ValueError, so code written for either works."""


class StaleDataError(EmunmixError, RuntimeError):
    """The data changed after a decomposition whose trailing components were deferred."""


class NonUniformAxisError(EmunmixError, AttributeError, ValueError):
    """An operation needs a uniform axis (``offset + scale * index``) and got one given by
    its values; an AttributeError too, as HyperSpy's missing ``scale`` is."""


class ReaderUnavailableError(EmunmixError, ImportError):
    """The RosettaSciIO reader of a file needs a package that is not installed."""


class DamagedFileError(EmunmixError, OSError):
    """A file's stored digest does not match what is read back (flipped bytes, a missing
    or changed chunk): the data would be silently wrong, so nothing is returned."""


class FileChangedError(EmunmixError, OSError):
    """A file loaded lazily was deleted, replaced or modified before its data were read."""


class UnwritableMetadataError(EmunmixError, TypeError):
    """A metadata item whose value the file format cannot store (nothing was written)."""


class SaveInterrupted(BaseException):
    """A save stopped by SIGTERM; its temporary files are removed and nothing is replaced.
    A BaseException (as KeyboardInterrupt), so no ``except Exception`` swallows it."""


class EmunmixWarning(UserWarning):
    """Base class of the warnings emunmix issues."""


class VisibleDeprecationWarning(EmunmixWarning):
    """A name kept for HyperSpy compatibility that HyperSpy 2.5 deprecates (shown by
    default, as HyperSpy's own VisibleDeprecationWarning)."""


class LearningResultsWarning(EmunmixWarning):
    """Part of the learning results stored in a file was dropped on load (the warning says
    which part and why); the data and the rest of the results are loaded."""


class AlignmentWarning(EmunmixWarning):
    """An alignment left some spectra unshifted (no peak found, or an implausible shift)."""


class SlowComputationWarning(EmunmixWarning):
    """A call whose estimated cost runs to minutes (the message gives the estimate and how
    to make it cheaper)."""


class ConvergenceWarning(EmunmixWarning):
    """An iterative solver stopped at its iteration limit before meeting its tolerance."""


# The solvers' own warnings derive from scikit-learn's ConvergenceWarning as well, so the
# filters users already write for scikit-learn catch them. Importing scikit-learn costs
# far more than ``import emunmix.api`` (0.3 s or more), so these classes are made on
# first use by the module ``__getattr__`` below: a kernel looks its warning up when it
# warns (see :func:`convergence_warning`).
_CONVERGENCE_WARNINGS = {
    "NMFConvergenceWarning": "NMF stopped at ``max_iter`` before meeting ``tol``.",
    "MLPCAConvergenceWarning": "MLPCA stopped at ``max_iter`` before meeting ``tol``.",
    "RPCAConvergenceWarning": "Robust PCA stopped at ``max_iter`` before meeting ``tol``.",
    "BSSConvergenceWarning": "An unmixing algorithm stopped before meeting its tolerance.",
    "DecompositionConvergenceWarning": (
        "A scikit-learn decomposition estimator (sparse PCA, an estimator object) "
        "stopped before meeting its tolerance."),
}


def _make_convergence_warning(name: str) -> type:
    try:
        from sklearn.exceptions import ConvergenceWarning as _SklearnConvergenceWarning
    except ImportError:  # pragma: no cover - scikit-learn is a dependency
        bases: tuple = (ConvergenceWarning,)
    else:
        bases = (ConvergenceWarning, _SklearnConvergenceWarning)
    doc = (_CONVERGENCE_WARNINGS[name] + "\n\nA subclass of :class:`ConvergenceWarning` "
           "and of :class:`sklearn.exceptions.ConvergenceWarning`.")
    return type(name, bases, {"__doc__": doc, "__module__": __name__})


def __getattr__(name: str):
    if name in _CONVERGENCE_WARNINGS:
        cls = globals()[name] = _make_convergence_warning(name)
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def convergence_warning(name: str) -> type:
    """The warning class ``name`` (e.g. ``"NMFConvergenceWarning"``), made on first use.

    Examples
    --------
    >>> import warnings
    >>> from sklearn.exceptions import ConvergenceWarning as SklearnConvergenceWarning
    >>> cls = convergence_warning("BSSConvergenceWarning")
    >>> issubclass(cls, ConvergenceWarning), issubclass(cls, SklearnConvergenceWarning)
    (True, True)
    """
    return globals()[name] if name in globals() else __getattr__(name)


def reexported_warnings(*names: str):
    """A module ``__getattr__`` that gives these warning classes on first use, for a
    module that re-exports them (``__getattr__ = reexported_warnings("...")``)."""
    def module_getattr(name: str):
        if name in names:
            return convergence_warning(name)
        raise AttributeError(f"module has no attribute {name!r}")
    return module_getattr


__all__ = [
    "AlignmentWarning",
    "ConvergenceWarning",
    "DamagedFileError",
    "EmunmixError",
    "EmunmixWarning",
    "FileChangedError",
    "InvalidIndexError",
    "InvalidMaskError",
    "LearningResultsWarning",
    "NonUniformAxisError",
    "ReaderUnavailableError",
    "SaveInterrupted",
    "SlowComputationWarning",
    "StaleDataError",
    "UnknownAlgorithmError",
    "UnwritableMetadataError",
    "VisibleDeprecationWarning",
    *_CONVERGENCE_WARNINGS,  # made on first use (see __getattr__)
]
