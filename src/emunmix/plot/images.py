"""``plot_images``: several images in a grid, HyperSpy's names and options."""

from __future__ import annotations

import itertools
import math

import numpy as np

from .access import as_signal_list, to_numpy
from .backend import new_figure
from .drawing import draw_image, panel_size
from .labels import signal_title, wrap

COLORBARS = ("multi", "single", None)


def _images(images) -> list:
    """Single images from a list of Signal2D (stacks expanded), a stack or 2-D arrays."""
    out = []
    for item in as_signal_list(images):
        am = getattr(item, "axes_manager", None)
        if am is None:
            array = np.asarray(item)
            if array.ndim != 2:
                raise ValueError(f"an image array must be 2-D, got shape {array.shape}")
            out.append(item)
        elif am.signal_dimension != 2:
            raise ValueError(
                f"plot_images draws images (two signal axes); got {am._signature()}")
        elif am.navigation_dimension:
            out.extend(as_signal_list(item))
        else:
            out.append(item)
    if not out:
        raise ValueError("plot_images needs at least one image")
    return out


def _labels(label, images) -> tuple[list[str], str | None]:
    """Per-image labels and a suggested suptitle (HyperSpy's ``label`` semantics)."""
    titles = [signal_title(im) if hasattr(im, "metadata") else "" for im in images]
    n = len(images)
    if label is None:
        return [""] * n, None
    if label == "auto":
        if n > 1 and len(set(titles)) == 1:
            # identical titles (a stack): number the images, title the figure
            return [f"#{i}" if titles[0] else f"Image {i}" for i in range(n)], titles[0] or None
        return [t or f"Image {i}" for i, t in enumerate(titles)], None
    if label == "titles":
        return titles, None
    if isinstance(label, str):
        return [f"{label} {i}" for i in range(n)] if n > 1 else [label], None
    labels = [str(item) for item in label]
    if len(labels) != n:
        raise ValueError(f"label has {len(labels)} entries for {n} images")
    return labels, None


def _per_image(value, i):
    """A per-image option given as one value or a list."""
    if isinstance(value, (list, tuple)):
        return value[i % len(value)]
    return value


def plot_images(images, cmap=None, no_nans=False, per_row=3, label="auto", labelwrap=30,
                suptitle=None, colorbar="multi", axes_decor="all", padding=None,
                tight_layout=False, fig=None, **kwargs):
    """Plot images in a grid with calibrated axes.

    Parameters
    ----------
    images : list of Signal2D (or 2-D arrays), or one Signal2D stack
        Stacks are expanded along their navigation axes.
    cmap : str, Colormap or list of them, optional
        A list is cycled over the images.
    no_nans : bool
        Show NaNs as zeros.
    per_row : int
        Images per row.
    label : "auto", "titles", None, str or list of str
        Panel titles: "auto" uses the titles (numbered when they are all equal,
        which then titles the figure); a str is numbered; a list gives each one.
    labelwrap : int
        Wrap labels longer than this many characters.
    suptitle : str, optional
        Figure title.
    colorbar : {"multi", "single", None}
        One colorbar per image, one shared (common colour limits), or none.
    axes_decor : {"all", "ticks", "off", None}
        Axis labels and ticks, ticks only, or no axes.
    padding : dict, optional
        ``subplots_adjust`` arguments (switches off the automatic layout).
    tight_layout : bool
        Use matplotlib's tight layout instead of the constrained one.
    fig : Figure, optional
        Draw into this figure.
    **kwargs
        Passed to ``imshow`` (``vmin``/``vmax`` may be lists, one per image).

    Returns
    -------
    list of Axes
    """
    if colorbar not in COLORBARS:
        raise ValueError(f"colorbar must be one of {COLORBARS}, got {colorbar!r}")
    images = _images(images)
    labels, auto_suptitle = _labels(label, images)
    n = len(images)
    per_row = max(1, min(int(per_row), n))
    rows = math.ceil(n / per_row)
    if fig is None:
        layout = None if (padding is not None or tight_layout) else "constrained"
        first = images[0].axes_manager.signal_axes if hasattr(images[0], "axes_manager") \
            else (None, None)
        width, height = panel_size(*first)
        fig = new_figure(figsize=(width * per_row + (0.8 if colorbar == "single" else 0.2),
                                  height * rows + 0.4), layout=layout)
    grid = fig.add_gridspec(rows, per_row)
    arrays = []
    for im in images:
        data = np.real(to_numpy(getattr(im, "data", im))).astype(float)
        arrays.append(np.nan_to_num(data) if no_nans else data)
    cmaps = itertools.cycle(cmap if isinstance(cmap, (list, tuple)) else [cmap])
    if colorbar == "single":
        finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
        kwargs.setdefault("vmin", float(finite.min()) if finite.size else None)
        kwargs.setdefault("vmax", float(finite.max()) if finite.size else None)
    axes, mappables = [], []
    for i, (im, data) in enumerate(zip(images, arrays)):
        ax = fig.add_subplot(grid[i // per_row, i % per_row])
        sig_axes = im.axes_manager.signal_axes if hasattr(im, "axes_manager") else (None, None)
        options = {k: _per_image(v, i) for k, v in kwargs.items()}
        image, _ = draw_image(ax, data, sig_axes[0], sig_axes[1], cmap=next(cmaps),
                              colorbar=colorbar == "multi", axes_decor=axes_decor,
                              title=wrap(labels[i], labelwrap) or None, **options)
        axes.append(ax)
        mappables.append(image)
    if colorbar == "single":
        fig.colorbar(mappables[0], ax=axes)
    title = suptitle if suptitle is not None else auto_suptitle
    if title:
        fig.suptitle(title)
    if padding is not None:
        fig.subplots_adjust(**padding)
    elif tight_layout:
        fig.tight_layout()
    return axes
