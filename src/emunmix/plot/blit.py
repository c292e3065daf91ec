"""Fast redraws for interactive figures: blit what moves, lay out once per window size.

A full matplotlib draw of a navigator image plus a noisy 1024-channel spectrum
takes a few hundred milliseconds, mostly text and constrained layout. When the
pointer moves only the spectrum line, the marker and the position title change,
so they are drawn as *animated* artists over a cached background ("blitting").
Animated artists are still drawn when saving, so ``savefig`` output is complete.

On static backends (Agg, inline) nothing is drawn until the figure is saved or
shown, so redraw requests are ignored there.
"""

from __future__ import annotations

from .backend import Connections, is_interactive_backend


class FastRedraw:
    """Redraw a figure's moving artists cheaply.

    Parameters
    ----------
    figure : Figure
    artists : list of Artist
        The artists that change at each pointer move.
    blit : bool, optional
        Force blitting on or off (default: on for interactive backends whose
        canvas supports it).
    interactive : bool, optional
        Force the interactive behaviour (default: from the backend).
    """

    def __init__(self, figure, artists, blit=None, interactive=None):
        self.figure = figure
        self.artists = list(artists)
        self.interactive = is_interactive_backend() if interactive is None else interactive
        if blit is None:
            blit = self.interactive and bool(getattr(figure.canvas, "supports_blit", False))
        self.blit = bool(blit)
        self.background = None
        self.n_blits = 0
        self.n_full_draws = 0
        self._frozen_layout = None
        self._connections = Connections()
        canvas = figure.canvas
        if self.blit:
            for artist in self.artists:
                artist.set_animated(True)
            self._connections.connect(canvas, "draw_event", self._on_draw)
        if self.interactive:
            self._connections.connect(canvas, "draw_event", self._freeze_layout)
            self._connections.connect(canvas, "resize_event", self._thaw_layout)

    def disconnect(self) -> None:
        """Stop listening to draw and resize events."""
        self._connections.disconnect()

    # -- blitting --------------------------------------------------------------------
    def _on_draw(self, _event) -> None:
        canvas = self.figure.canvas
        self.background = canvas.copy_from_bbox(self.figure.bbox)
        self.n_full_draws += 1
        self._draw_artists()

    def _draw_artists(self) -> None:
        for artist in self.artists:
            if artist.get_visible():
                self.figure.draw_artist(artist)

    # -- layout: constrained layout costs more than the rest of a draw ----------------
    def _freeze_layout(self, _event) -> None:
        engine = self.figure.get_layout_engine()
        if engine is not None and type(engine).__name__ == "ConstrainedLayoutEngine":
            self._frozen_layout = engine
            self.figure.set_layout_engine("none")

    def _thaw_layout(self, _event) -> None:
        if self._frozen_layout is not None:
            self.figure.set_layout_engine(self._frozen_layout)
            self._frozen_layout = None

    # -- public ----------------------------------------------------------------------
    def redraw(self, full: bool = False) -> None:
        """Show the artists' new state: blit them, or ask for a full draw if needed.

        ``full`` is needed when something outside the moving artists changed
        (axis limits, colour limits).
        """
        if not self.interactive:
            return
        canvas = self.figure.canvas
        if full or not self.blit or self.background is None:
            canvas.draw_idle()
            return
        canvas.restore_region(self.background)
        self._draw_artists()
        canvas.blit(self.figure.bbox)
        self.n_blits += 1
