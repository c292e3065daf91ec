"""hs.data against HyperSpy 2.5's hyperspy.data: the same calls and seeds, values compared.

Run the reference side in HyperSpy's environment, then ours:

    /work/main/.venv-hyperspy/bin/python benchmarks/compare_hs_data.py hs
    PYTHONPATH=src /work/main/.venv/bin/python benchmarks/compare_hs_data.py emunmix
"""

import pickle
import sys

import numpy as np

REFERENCE = "/tmp/compare_hs_data.pkl"
CALLS = {  # name: (generator, kwargs)
    "two_gaussians": ("two_gaussians", {}),
    "luminescence": ("luminescence_signal", {"random_state": 3}),
    "luminescence 2d uniform baseline": (
        "luminescence_signal",
        {"navigation_dimension": 2, "uniform": True, "add_baseline": True, "random_state": 3}),
    "wave_image": ("wave_image", {"shape": (100, 50), "random_state": 2}),
    "wave_image noiseless": ("wave_image", {"angle": 30, "wavelength": 7, "add_noise": False}),
    "atomic_resolution_image": ("atomic_resolution_image", {}),
    "atomic noisy": ("atomic_resolution_image",
                     {"size": (120, 90), "add_noise": True, "random_state": 4}),
    "atomic rotated": ("atomic_resolution_image",
                       {"size": (200, 100), "rotation_angle": 15, "add_noise": True,
                        "random_state": 0}),
    "atomic rotated 30": ("atomic_resolution_image",
                          {"rotation_angle": 30, "spacing": (0.2, 0.3)}),
}


def main(side):
    if side == "hs":
        import hyperspy.api as hs
    else:
        import emunmix.api as hs
    out = {k: np.asarray(getattr(hs.data, f)(**kw).data) for k, (f, kw) in CALLS.items()}
    if side == "hs":
        with open(REFERENCE, "wb") as fh:
            pickle.dump(out, fh)
        return
    with open(REFERENCE, "rb") as fh:
        ref = pickle.load(fh)
    print(f"{'call':34s} {'shape':>14s} {'same':>5s} {'mean ours':>10s} {'mean hs':>10s}")
    for k, a in out.items():
        b = ref[k]
        same = a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-4)
        print(f"{k:34s} {str(a.shape):>14s} {str(same):>5s} {a.mean():10.4f} {b.mean():10.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "emunmix")
