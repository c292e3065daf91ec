"""hs.data against HyperSpy 2.5's hyperspy.data: the same calls, same seeds, values compared.

Run: /work/main/.venv-hyperspy/bin/python benchmarks/compare_hs_data.py hs  (writes the
reference), then PYTHONPATH=src .venv/bin/python benchmarks/compare_hs_data.py me.
"""
import numpy as np, sys, pickle
mode = sys.argv[1]
if mode == "hs":
    import hyperspy.api as hs
    out = {"tg": hs.data.two_gaussians().data,
           "lum0": hs.data.luminescence_signal(random_state=3).data,
           "lum2u": hs.data.luminescence_signal(navigation_dimension=2, uniform=True, add_baseline=True, random_state=3).data,
           "lum1x": hs.data.luminescence_signal(navigation_dimension=1, random_state=3).axes_manager.signal_axes[0].axis,
           "wave": hs.data.wave_image(shape=(100, 50), random_state=2).data,
           "wave0": hs.data.wave_image(angle=30, wavelength=7, add_noise=False).data,
           "atom": hs.data.atomic_resolution_image().data,
           "atomn": hs.data.atomic_resolution_image(size=(120, 90), add_noise=True, random_state=4).data,
           "atomr": hs.data.atomic_resolution_image(size=(200, 100), rotation_angle=15, add_noise=True, random_state=0).data,
           "atomr2": hs.data.atomic_resolution_image(rotation_angle=30, spacing=(0.2, 0.3)).data}
    pickle.dump(out, open("/tmp/h4_hsref.pkl", "wb"))
else:
    import emunmix.api as hs
    ref = pickle.load(open("/tmp/h4_hsref.pkl", "rb"))
    mine = {"tg": lambda: hs.data.two_gaussians().data,
            "lum0": lambda: hs.data.luminescence_signal(random_state=3).data,
            "lum2u": lambda: hs.data.luminescence_signal(navigation_dimension=2, uniform=True, add_baseline=True, random_state=3).data,
            "lum1x": lambda: hs.data.luminescence_signal(navigation_dimension=1, random_state=3).axes_manager.signal_axes[0].axis,
            "wave": lambda: hs.data.wave_image(shape=(100, 50), random_state=2).data,
            "wave0": lambda: hs.data.wave_image(angle=30, wavelength=7, add_noise=False).data,
            "atom": lambda: hs.data.atomic_resolution_image().data,
            "atomn": lambda: hs.data.atomic_resolution_image(size=(120, 90), add_noise=True, random_state=4).data,
            "atomr": lambda: hs.data.atomic_resolution_image(size=(200, 100), rotation_angle=15, add_noise=True, random_state=0).data,
            "atomr2": lambda: hs.data.atomic_resolution_image(rotation_angle=30, spacing=(0.2, 0.3)).data}
    for k, f in mine.items():
        try:
            a = np.asarray(f())
        except Exception as e:
            print(k, "ERR", type(e).__name__, e); continue
        b = ref[k]
        same = a.shape == b.shape and np.allclose(a, b, rtol=1e-5, atol=1e-4)
        print(k, a.shape, b.shape, a.dtype, b.dtype, "identical" if same else "DIFFER",
              "mean", round(float(a.mean()), 4), round(float(b.mean()), 4), "std", round(float(a.std()), 4), round(float(b.std()), 4))
