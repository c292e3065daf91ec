"""The navigation pointer: current indices, and the mouse/key controls that move it.

:class:`Pointer` is the model (indices in natural order x, y, ...; listeners are
told when they change). :class:`PointerControls` turns matplotlib events on
the navigator into pointer moves: click or drag on the navigator, arrow keys
anywhere in the plot's figures (shift + arrow moves ten steps, page up/down
move along a third axis).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .backend import Connections

# key -> (natural-order axis, step); "up" moves up the image, i.e. to smaller y
_KEY_STEPS = {
    "right": (0, 1), "left": (0, -1),
    "down": (1, 1), "up": (1, -1),
    "pagedown": (2, 1), "pageup": (2, -1),
}
_SHIFT_FACTOR = 10


class Pointer:
    """Current navigation indices, clipped to the navigation shape.

    Parameters
    ----------
    shape : sequence of int
        Navigation shape in natural order (x, y, ...).
    indices : sequence of int, optional
        Start position (default: the origin).
    axes_manager : AxesManager, optional
        Kept in sync: its ``indices`` follow the pointer, as in HyperSpy.

    Examples
    --------
    >>> p = Pointer((4, 3))
    >>> p.set_indices((9, 1))
    True
    >>> p.indices
    (3, 1)
    """

    def __init__(self, shape: Sequence[int], indices: Sequence[int] | None = None,
                 axes_manager=None):
        self.shape = tuple(int(n) for n in shape)
        self.axes_manager = axes_manager
        self._listeners: list[Callable[[tuple[int, ...]], None]] = []
        self._indices = self._clip(indices if indices is not None else (0,) * len(self.shape))
        self._sync_axes_manager()

    def _clip(self, indices) -> tuple[int, ...]:
        indices = tuple(int(i) for i in indices)
        if len(indices) != len(self.shape):
            raise ValueError(f"expected {len(self.shape)} navigation indices, got {indices}")
        return tuple(min(max(i, 0), n - 1) for i, n in zip(indices, self.shape))

    def _sync_axes_manager(self) -> None:
        if self.axes_manager is not None:
            self.axes_manager.indices = self._indices

    @property
    def indices(self) -> tuple[int, ...]:
        """Current indices, natural order (x, y, ...)."""
        return self._indices

    @indices.setter
    def indices(self, value) -> None:
        self.set_indices(value)

    def set_indices(self, indices) -> bool:
        """Move to ``indices`` (clipped); tell listeners. Returns whether it moved."""
        new = self._clip(indices)
        if new == self._indices:
            return False
        self._indices = new
        self._sync_axes_manager()
        for listener in list(self._listeners):
            listener(new)
        return True

    def move(self, axis: int, step: int) -> bool:
        """Move ``step`` along natural-order ``axis``; out-of-range axes are ignored."""
        if not 0 <= axis < len(self.shape):
            return False
        indices = list(self._indices)
        indices[axis] += step
        return self.set_indices(indices)

    def add_listener(self, func: Callable[[tuple[int, ...]], None]) -> None:
        """Call ``func(indices)`` after every move."""
        self._listeners.append(func)


def _nearest_index(axis, value: float) -> int:
    """Index nearest to a calibrated value, clipped to the axis (never raises)."""
    if not getattr(axis, "is_uniform", True):
        return int(np.abs(axis.axis - value).argmin())
    if axis.scale == 0:
        return 0
    index = int(round((value - axis.offset) / axis.scale))
    return min(max(index, 0), axis.size - 1)


class PointerControls:
    """Connect matplotlib events to a :class:`Pointer`.

    Parameters
    ----------
    pointer : Pointer
    navigator_ax : matplotlib Axes or None
        Clicks and drags inside it move the pointer (an image for two navigation
        axes: x and y; a line for one: x only).
    nav_axes : sequence of DataAxis
        Navigation axes in natural order, to turn calibrated clicks into indices.
    figures : sequence of Figure
        Figures whose key presses move the pointer.
    """

    def __init__(self, pointer: Pointer, navigator_ax, nav_axes, figures):
        self.pointer = pointer
        self.navigator_ax = navigator_ax
        self.nav_axes = tuple(nav_axes)
        self._dragging = False
        self._connections = Connections()
        for fig in figures:
            for name, handler in (("button_press_event", self.on_press),
                                  ("motion_notify_event", self.on_motion),
                                  ("button_release_event", self.on_release),
                                  ("key_press_event", self.on_key)):
                self._connections.connect(fig.canvas, name, handler)

    def disconnect(self) -> None:
        """Stop listening to events."""
        self._connections.disconnect()

    # -- mouse ---------------------------------------------------------------------
    def _in_navigator(self, event) -> bool:
        if self.navigator_ax is None or event.inaxes is not self.navigator_ax:
            return False
        if event.xdata is None:
            return False
        toolbar = getattr(event.canvas, "toolbar", None)
        # while zooming or panning the clicks belong to the toolbar
        return not (toolbar is not None and getattr(toolbar, "mode", ""))

    def _move_to_event(self, event) -> None:
        indices = list(self.pointer.indices)
        indices[0] = _nearest_index(self.nav_axes[0], event.xdata)
        if len(self.nav_axes) > 1 and event.ydata is not None:
            indices[1] = _nearest_index(self.nav_axes[1], event.ydata)
        self.pointer.set_indices(indices)

    def on_press(self, event) -> None:
        if event.button == 1 and self._in_navigator(event):
            self._dragging = True
            self._move_to_event(event)

    def on_motion(self, event) -> None:
        if self._dragging and self._in_navigator(event):
            self._move_to_event(event)

    def on_release(self, event) -> None:
        self._dragging = False

    # -- keys ----------------------------------------------------------------------
    def on_key(self, event) -> None:
        key = event.key or ""
        factor = 1
        if key.startswith("shift+"):
            key, factor = key[len("shift+"):], _SHIFT_FACTOR
        if key in _KEY_STEPS:
            axis, step = _KEY_STEPS[key]
            self.pointer.move(axis, step * factor)
