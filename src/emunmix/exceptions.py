"""Every exception and warning emunmix defines, in one place.

Errors keep the built-in type a user would catch (``ValueError``, ``TypeError``,
``RuntimeError``) and add :class:`EmunmixError`, so ``except ValueError`` and
``except EmunmixError`` both work. Warnings derive from :class:`EmunmixWarning`;
the iterative solvers share :class:`ConvergenceWarning`, so one filter silences them all::

    import warnings
    from emunmix.exceptions import ConvergenceWarning
    warnings.simplefilter("ignore", ConvergenceWarning)
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


class EmunmixWarning(UserWarning):
    """Base class of the warnings emunmix issues."""


class VisibleDeprecationWarning(EmunmixWarning):
    """A name kept for HyperSpy compatibility that HyperSpy 2.5 deprecates (shown by
    default, as HyperSpy's own VisibleDeprecationWarning)."""


class AlignmentWarning(EmunmixWarning):
    """An alignment left some spectra unshifted (no peak found, or an implausible shift)."""


class SlowComputationWarning(EmunmixWarning):
    """A call whose estimated cost runs to minutes (the message gives the estimate and how
    to make it cheaper)."""


class ConvergenceWarning(EmunmixWarning):
    """An iterative solver stopped at its iteration limit before meeting its tolerance."""


class NMFConvergenceWarning(ConvergenceWarning):
    """NMF stopped at ``max_iter`` before meeting ``tol``."""


class MLPCAConvergenceWarning(ConvergenceWarning):
    """MLPCA stopped at ``max_iter`` before meeting ``tol``."""


class RPCAConvergenceWarning(ConvergenceWarning):
    """Robust PCA stopped at ``max_iter`` before meeting ``tol``."""


class BSSConvergenceWarning(ConvergenceWarning):
    """An unmixing algorithm stopped before meeting its tolerance."""


__all__ = [
    "AlignmentWarning",
    "BSSConvergenceWarning",
    "ConvergenceWarning",
    "EmunmixError",
    "EmunmixWarning",
    "InvalidIndexError",
    "InvalidMaskError",
    "MLPCAConvergenceWarning",
    "NMFConvergenceWarning",
    "NonUniformAxisError",
    "RPCAConvergenceWarning",
    "ReaderUnavailableError",
    "SlowComputationWarning",
    "StaleDataError",
    "UnknownAlgorithmError",
    "VisibleDeprecationWarning",
]
