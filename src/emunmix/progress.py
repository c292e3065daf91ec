"""Progress bars on long lazy work, and HyperSpy's ``show_progressbar`` preference.

Every pass over lazy data that emunmix starts goes through :func:`compute`.
On the local (threaded or processes) scheduler it shows a tqdm bar over the
graph's tasks; with a ``dask.distributed`` client active it shows
distributed's own progress bar over the futures. The bar waits
``preferences.General.progressbar_delay`` seconds (1 by default) before it
appears, so short computations print nothing.

Whether bars are shown: a method's ``show_progressbar=True/False`` (through
:func:`showing`), else the global preference
``hs.preferences.General.show_progressbar`` (True, as in HyperSpy).

>>> import emunmix.api as hs
>>> hs.preferences.General.show_progressbar = False  # no bars anywhere
>>> hs.preferences.General.show_progressbar = True
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass

__all__ = ["compute", "preferences", "showing", "progress_enabled", "active_client"]


@dataclass
class _General:
    #: Show progress bars on long lazy work (HyperSpy's preference of that name).
    show_progressbar: bool = True
    #: Seconds of work before a bar appears.
    progressbar_delay: float = 1.0


@dataclass
class _Preferences:
    General: _General


#: The global preferences (``hs.preferences``).
preferences = _Preferences(General=_General())

_SHOW: contextvars.ContextVar = contextvars.ContextVar("emunmix_show_progressbar",
                                                       default=None)


@contextlib.contextmanager
def showing(show_progressbar):
    """Within the block, bars follow ``show_progressbar`` (None: the global preference)."""
    token = _SHOW.set(show_progressbar)
    try:
        yield
    finally:
        _SHOW.reset(token)


def progress_enabled() -> bool:
    """True when a bar should be shown now."""
    value = _SHOW.get()
    return bool(preferences.General.show_progressbar if value is None else value)


def active_client():
    """The current ``dask.distributed`` client, or None (never starts one)."""
    try:
        from distributed import get_client
    except ImportError:  # pragma: no cover - distributed is a dependency
        return None
    try:
        return get_client()
    except ValueError:
        return None


def _tqdm_callback(desc: str):
    from dask.callbacks import Callback
    from tqdm.auto import tqdm

    class _Bar(Callback):
        def _start_state(self, dsk, state):
            total = sum(len(state[k]) for k in ("ready", "waiting", "running", "finished"))
            self._bar = tqdm(total=total, desc=desc, leave=False,
                             delay=preferences.General.progressbar_delay)

        def _posttask(self, key, result, dsk, state, worker_id):
            self._bar.update(1)

        def _finish(self, dsk, state, errored):
            self._bar.close()

    return _Bar()


def compute(*collections, desc: str = "emunmix"):
    """``dask.compute(*collections)``, with a progress bar when enabled.

    Under a ``dask.distributed`` client the collections are submitted as
    futures, distributed's bar follows them, and the results are gathered;
    no future outlives the call, so a lost worker's tasks are simply rerun
    by the scheduler on the others.
    """
    import dask

    if not progress_enabled():
        return dask.compute(*collections)
    client = active_client()
    if client is None:
        with _tqdm_callback(desc):
            return dask.compute(*collections)
    if getattr(client, "asynchronous", False):
        return dask.compute(*collections)
    from distributed import progress

    futures = client.compute(list(collections))
    try:
        progress(futures, notebook=False)
        return tuple(client.gather(futures))
    finally:
        del futures
