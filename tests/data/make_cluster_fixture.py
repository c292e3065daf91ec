"""Write ``hs_cluster.hspy``: a HyperSpy 2.5 signal saved with cluster-analysis results.

Runs in the HyperSpy venv, NOT the emunmix one (emunmix never imports HyperSpy):

    .venv-hyperspy/bin/python tests/data/make_cluster_fixture.py

The file (a few KB) is committed; ``tests/signal/test_learning_cluster_io.py`` checks
that emunmix restores HyperSpy's decomposition, cluster and cluster-metric results. The
data are three deterministic noise-free phases in blocks (see ``phases()``), so every
correct clustering gives the same labels.
"""

from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def phases() -> tuple[np.ndarray, np.ndarray]:
    """(y=6, x=8, E=24) float64 data of three pure phases in vertical bands, and the
    (6, 8) phase index (0: x < 4, 1: 4 <= x < 6, 2: x >= 6)."""
    e = np.arange(24)
    spectra = np.stack([100.0 * np.exp(-((e - 4) ** 2) / 6.0) + 5.0,
                        80.0 * np.exp(-((e - 12) ** 2) / 4.0) + 5.0,
                        60.0 * np.exp(-((e - 19) ** 2) / 3.0) + 5.0])
    x = np.arange(8)
    band = np.where(x < 4, 0, np.where(x < 6, 1, 2))
    labels = np.broadcast_to(band, (6, 8)).copy()
    # a small deterministic intensity variation so that the data are not degenerate
    y = np.arange(6)[:, None]
    scale = 1.0 + 0.05 * np.cos(y + x[None, :])
    return spectra[labels] * scale[..., None], labels


def main() -> None:
    import hyperspy.api as hs

    data, _ = phases()
    s = hs.signals.Signal1D(data)
    s.metadata.General.title = "HS cluster"
    for ax, (name, units, scale, offset) in zip(
        s.axes_manager._axes,
        [("y", "nm", 0.5, 0.0), ("x", "nm", 0.5, 0.0), ("Energy", "eV", 1.0, 100.0)],
    ):
        ax.name, ax.units, ax.scale, ax.offset = name, units, scale, offset
    s.decomposition(output_dimension=3, print_info=False)
    s.estimate_number_of_clusters("decomposition", number_of_components=3,
                                  max_clusters=5, metric="elbow",
                                  show_progressbar=False, random_state=0)
    s.cluster_analysis("decomposition", number_of_components=3, n_clusters=3,
                       preprocessing="norm", random_state=0, n_init=10)
    s.save(HERE / "hs_cluster.hspy", overwrite=True, compression=None)


if __name__ == "__main__":
    main()
