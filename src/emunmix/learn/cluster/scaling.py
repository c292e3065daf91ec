"""Feature scaling before clustering (HyperSpy's ``preprocessing`` argument)."""

from __future__ import annotations

import numpy as np

#: HyperSpy's preprocessing names and the scikit-learn scalers they stand for.
PREPROCESSING = {
    "standard": "StandardScaler",  # each feature: zero mean, unit variance
    "norm": "Normalizer",  # each sample (pixel): unit Euclidean length
    "minmax": "MinMaxScaler",  # each feature: range 0-1
}


def make_scaler(preprocessing, **kwargs):
    """The scaler for ``preprocessing``: None (no scaling), a name, or an object
    with ``fit_transform`` (used as given).

    Raises
    ------
    ValueError
        For an unknown name or an object without ``fit_transform``.

    Examples
    --------
    >>> type(make_scaler("norm")).__name__
    'Normalizer'
    """
    if preprocessing is None:
        return None
    if isinstance(preprocessing, str):
        key = preprocessing.lower()
        if key not in PREPROCESSING:
            raise ValueError(
                f"unknown preprocessing {preprocessing!r}; use one of "
                f"{', '.join(map(repr, PREPROCESSING))}, None, or a scikit-learn scaler "
                "(an object with fit_transform)"
            )
        import sklearn.preprocessing

        return getattr(sklearn.preprocessing, PREPROCESSING[key])(**kwargs)
    if hasattr(preprocessing, "fit_transform"):
        return preprocessing
    raise ValueError(
        f"preprocessing must be None, one of {', '.join(map(repr, PREPROCESSING))} or an "
        f"object with fit_transform (a scikit-learn scaler), got {preprocessing!r}"
    )


def scale_features(features, preprocessing=None, preprocessing_kwargs=None) -> np.ndarray:
    """Scale a (samples x features) array as ``preprocessing`` says (a float copy).

    Examples
    --------
    >>> scale_features(np.array([[3.0, 4.0], [1.0, 0.0]]), "norm").tolist()
    [[0.6, 0.8], [1.0, 0.0]]
    """
    X = np.asarray(features, dtype=float)
    scaler = make_scaler(preprocessing, **(preprocessing_kwargs or {}))
    if scaler is None:
        return X.copy()
    return np.asarray(scaler.fit_transform(X), dtype=float)
