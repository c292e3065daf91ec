"""The ipywidgets controls of the spikes tool in Jupyter (HyperSpy's, plus the finder).

Buttons: previous / next spike, remove spike, don't remove, remove all, close.
Settings: finder, threshold (a number, or "auto"; Enter applies it, and the
line on the histogram follows, as dragging the line fills this field),
replacement, interpolation, spike width, add noise, show the removed spike.
A status line says where the tool is and shows what was wrong with a bad value.
"""

from __future__ import annotations

from ..signal.spikes_search import FINDERS, INTERPOLATORS, REPLACEMENTS
from .backend import is_widget_backend

BUTTONS = (("Previous", "previous", "arrow-left"), ("Next", "next", "arrow-right"),
           ("Remove spike", "remove_current", "eraser"),
           ("Don't remove", "skip", "forward"), ("Remove all", "remove_all", "check-double"))


class SpikesToolControls:
    """The widgets of one :class:`~emunmix.plot.spikes_tool.SpikesRemovalTool`.

    Attributes
    ----------
    buttons : dict of str -> ipywidgets.Button
        By description (``"Next"``, ``"Remove spike"``...), plus ``"Close"``.
    threshold, finder, replacement, interpolator, width, add_noise, show_removed, status
        The setting widgets and the status line.
    """

    def __init__(self, tool):
        import ipywidgets as w

        self.tool = tool
        self._syncing = False
        self.buttons = {}
        for label, action, icon in BUTTONS:
            b = w.Button(description=label, icon=icon, tooltip=label)
            b.on_click(lambda _b, a=action: tool._guarded(getattr(tool, a)))
            self.buttons[label] = b
        close = w.Button(description="Close", icon="times", button_style="warning")
        close.on_click(lambda _b: tool.close())
        self.buttons["Close"] = close
        style = {"description_width": "initial"}
        search = tool.search
        self.finder = w.Dropdown(options=FINDERS, value=search.method, description="Finder",
                                 style=style, layout=w.Layout(width="180px"))
        self.threshold = w.Text(value=self._threshold_value(), description="Threshold",
                                continuous_update=False, style=style,
                                layout=w.Layout(width="200px"))
        self.replacement = w.Dropdown(options=REPLACEMENTS, value=search.replacement,
                                      description="Replacement", style=style,
                                      layout=w.Layout(width="200px"))
        self.interpolator = w.Dropdown(options=INTERPOLATORS, value=search.interpolator_kind,
                                       description="Interpolator", style=style,
                                       layout=w.Layout(width="180px"))
        self.width = w.BoundedIntText(value=search.default_spike_width, min=0, max=100,
                                      description="Spike width", style=style,
                                      layout=w.Layout(width="150px"))
        self.add_noise = w.Checkbox(value=search.add_noise, description="Add noise",
                                    indent=False, layout=w.Layout(width="110px"))
        self.show_removed = w.Checkbox(value=tool.show_removed_spike, indent=False,
                                       description="Show the removed spike",
                                       layout=w.Layout(width="190px"))
        self.status = w.Label(value=tool.status_text())
        self.message = w.HTML(value="")
        self.finder.observe(self._on_finder, names="value")
        self.threshold.observe(self._on_threshold, names="value")
        for widget, option in ((self.replacement, "replacement"),
                               (self.interpolator, "interpolator_kind"),
                               (self.width, "default_spike_width"),
                               (self.add_noise, "add_noise")):
            widget.observe(lambda change, o=option: self._on_option(o, change), names="value")
        self.show_removed.observe(self._on_show_removed, names="value")
        self.box = w.VBox([
            w.HBox(list(self.buttons.values())),
            w.HBox([self.finder, self.threshold, self.replacement]),
            w.HBox([self.interpolator, self.width, self.add_noise, self.show_removed]),
            self.status, self.message])
        self.box.add_class("emunmix-spikes-tool")
        self.status.add_class("emunmix-spikes-status")
        self.message.add_class("emunmix-spikes-message")

    def _threshold_value(self) -> str:
        t = self.tool.threshold
        return "auto" if t == "auto" else f"{t:.6g}"

    # -- widget -> tool ---------------------------------------------------------------
    def _on_finder(self, change) -> None:
        if not self._syncing:
            self.tool._guarded(self.tool.set_method, change["new"])

    def _on_threshold(self, change) -> None:
        if not self._syncing:
            self.tool._guarded(self.tool.set_threshold, change["new"])

    def _on_option(self, option, change) -> None:
        if not self._syncing:
            self.tool._guarded(self.tool.set_options, **{option: change["new"]})

    def _on_show_removed(self, change) -> None:
        if not self._syncing and bool(change["new"]) != self.tool.show_removed_spike:
            self.tool.toggle_removed_spike()

    # -- tool -> widgets --------------------------------------------------------------
    def sync(self) -> None:
        """Show the tool's state (after an action, a drag, or a refused value)."""
        tool, search = self.tool, self.tool.search
        self._syncing = True
        try:
            self.finder.value = search.method
            self.threshold.value = self._threshold_value()
            self.replacement.value = search.replacement
            self.interpolator.value = search.interpolator_kind
            self.width.value = search.default_spike_width
            self.add_noise.value = search.add_noise
            self.show_removed.value = tool.show_removed_spike
        finally:
            self._syncing = False
        self.status.value = tool.status_text()
        self.message.value = (f"<span style='color:#b00'>{_escape(tool.message)}</span>"
                              if tool.message else "")

    def show(self):
        """Display the figure (ipympl: inside the box) and the controls; returns the box."""
        import ipywidgets as w
        from IPython.display import display

        canvas = self.tool.figure.canvas
        if is_widget_backend() and isinstance(canvas, w.DOMWidget):
            shown = w.VBox([canvas, self.box])
        else:
            shown = self.box
        display(shown)
        self.shown = shown
        return shown

    def close(self) -> None:
        """Close every widget."""
        for widget in (*self.buttons.values(), self.finder, self.threshold, self.replacement,
                       self.interpolator, self.width, self.add_noise, self.show_removed,
                       self.status, self.message, self.box):
            widget.close()
        if getattr(self, "shown", None) is not None and self.shown is not self.box:
            self.shown.close()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
