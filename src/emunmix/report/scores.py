"""Scores against the ground truth of the synthetic datasets (pure array functions)."""

from __future__ import annotations

import numpy as np


def component_scores(factors, loadings, truth, energy) -> dict:
    """Mean and per-component |correlation| of spectra and maps after best matching.

    Parameters
    ----------
    factors : ndarray, shape (channels, k)
    loadings : ndarray, shape (pixels, k)
    truth : GroundTruth
    energy : ndarray, shape (channels,)
        The signal's energy axis (alignment may have cropped and recalibrated it).
    """
    from emunmix.learn.metrics import match_components

    k = truth.spectra.shape[0]
    spectra = truth.spectra_on(energy)
    maps = truth.maps.reshape(k, -1)
    _, c_spec = match_components(np.asarray(factors).T, spectra)
    order, c_map = match_components(np.asarray(loadings).T, maps)
    return {
        "true components": k,
        "maps mean |corr|": float(np.mean(c_map)),
        "spectra mean |corr|": float(np.mean(c_spec)),
        "maps |corr| per true component": [float(c) for c in c_map],
        "spectra |corr| per true component": [float(c) for c in c_spec],
    }


def rms(a, b) -> float:
    """Root-mean-square difference, in float64."""
    d = np.asarray(a, np.float64) - np.asarray(b, np.float64)
    return float(np.sqrt(np.mean(d * d)))


def denoising_scores(noisy, model, noiseless) -> dict:
    """RMS error against the noiseless data before and after denoising."""
    before, after = rms(noisy, noiseless), rms(model, noiseless)
    return {"RMS error vs noiseless, data": before, "RMS error vs noiseless, model": after,
            "error reduction factor": before / after if after > 0 else None}


def shift_scores(centres, true_shifts) -> dict:
    """How well the zero-loss-peak centres follow the true energy shifts (eV).

    Both are compared about their means (alignment moves every peak to the mean centre).
    """
    c = np.asarray(centres, float).ravel()
    t = np.asarray(true_shifts, float).ravel()
    ok = np.isfinite(c)
    err = (c[ok] - c[ok].mean()) - (t[ok] - t[ok].mean())
    return {"true shift std (eV)": float(t.std()),
            "centre error RMS (eV)": float(np.sqrt(np.mean(err * err))),
            "centre error max (eV)": float(np.abs(err).max())}


def spike_scores(found_mask, true_mask) -> dict:
    """Channels flagged against channels where spikes were injected."""
    found = np.asarray(found_mask, bool)
    true = np.asarray(true_mask, bool)
    hit = int(np.count_nonzero(found & true))
    n_true, n_found = int(np.count_nonzero(true)), int(np.count_nonzero(found))
    return {"injected spike channels": n_true, "flagged channels": n_found,
            "injected channels flagged": hit,
            "recall": hit / n_true if n_true else None,
            "precision": hit / n_found if n_found else None}
