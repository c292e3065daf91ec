"""emunmix: machine learning for electron-microscopy spectrum images."""

__version__ = "0.1.0"

