"""Turn a float matrix into net inputs: scaled numerics and embedding indices.

Pure numpy, so the statistics are fitted on the training rows only and travel with
the estimator.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..exceptions import DataError

#: Where the smooth clip of ``"robust_clip"`` bends: ``x / sqrt(1 + (x / 3) ** 2)``.
CLIP_BEND = 3.0

# Inputs of the smooth clip are first cut to ±1e6, where it is already 3 in float32.
CLIP_INPUT = 1e6

# The interquartile range of a normal distribution in standard deviations, so that
# robust scaling gives normal data unit variance, as standard scaling does.
_NORMAL_IQR = 1.3489795


def smooth_clip(values: np.ndarray) -> np.ndarray:
    """``x / sqrt(1 + (x / 3) ** 2)`` in place: about ``x`` near 0, bounded by ±3.

    The smooth clipping of RealMLP (Holzmüller et al., 2024): outliers keep their
    order but cannot dominate a layer's input. NaN stays NaN.
    """
    np.clip(values, -CLIP_INPUT, CLIP_INPUT, out=values)  # (x / 3) ** 2 stays finite
    values /= np.sqrt(1.0 + (values / CLIP_BEND) ** 2)
    return values


class TabularEncoder:
    """Impute and scale numeric columns; map category codes to indices.

    ``scaling="standard"`` centres each numeric column on its training mean and
    divides by its standard deviation. ``"robust_clip"`` centres on the median,
    divides by the interquartile range (over 1.349, so normal data keeps unit
    variance; the standard deviation where the range is 0) and then applies
    :func:`smooth_clip`, so a heavy tail or an extreme row does not swamp the net's
    first layer. Missing values become the centre (0 after scaling).

    Category code ``c >= 0`` becomes index ``c + 1``; NaN, negative codes and codes
    above the largest one seen in ``fit`` become index 0 ("unknown").

    Parameters
    ----------
    categorical_features : sequence of int
        Column indices holding integer category codes.
    scaling : {"standard", "robust_clip"}, default="standard"
        How numeric columns are scaled (see above).

    Attributes
    ----------
    numeric_features_ : ndarray of int
        Indices of the numeric columns.
    mean_ : ndarray of shape (n_numeric,)
        Centre of each numeric column: its training mean, or median for
        ``"robust_clip"`` (0 for an all-NaN column).
    scale_ : ndarray of shape (n_numeric,)
        Divisor of each numeric column: its training standard deviation, or scaled
        interquartile range for ``"robust_clip"`` (1 where it is 0).
    cardinalities_ : list of int
        Embedding rows of each categorical column: largest code + 2.

    Examples
    --------
    >>> X = np.array([[1.0, 0], [3.0, 2], [np.nan, -1]])
    >>> x_num, x_cat = TabularEncoder([1]).fit(X).transform(X)
    >>> x_num.ravel().tolist(), x_cat.ravel().tolist()
    ([-1.0, 1.0, 0.0], [1, 3, 0])
    """

    #: Class-level default, so an encoder pickled before ``scaling`` existed reads "standard".
    scaling: str = "standard"

    def __init__(self, categorical_features: Sequence[int] = (), scaling: str = "standard") -> None:
        self.categorical_features = tuple(categorical_features)
        self.scaling = scaling

    def fit(self, X: np.ndarray) -> TabularEncoder:
        """Learn column statistics from ``X`` (float, NaN allowed)."""
        cats = list(self.categorical_features)
        self.numeric_features_ = np.setdiff1d(np.arange(X.shape[1]), cats)
        numeric = self._numeric(X)
        with np.errstate(all="ignore"):
            n_rows = max(numeric.shape[0], 1)
            sums = numeric.sum(axis=0)
            if np.isfinite(sums).all():  # no NaN: the fast two-pass statistics
                mean = sums / n_rows
                std = numeric.std(axis=0)
            else:
                finite_rows = ~np.isnan(numeric)
                counts = np.maximum(finite_rows.sum(axis=0), 1)
                mean = np.where(finite_rows, numeric, 0.0).sum(axis=0) / counts
                centered = np.where(finite_rows, numeric - mean, 0.0)
                std = np.sqrt((centered**2).sum(axis=0) / counts)
        if self.scaling == "robust_clip":
            mean, std = _robust_centre_and_scale(numeric, std)
        self.mean_ = mean
        self.scale_ = np.where(std > 1e-12 * np.maximum(1.0, np.abs(mean)), std, 1.0)
        self.cardinalities_ = []
        for col in cats:
            codes = self._codes(X[:, col], col)
            self.cardinalities_.append(int(max(codes.max(initial=-1), -1)) + 2)
        return self

    def transform(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Return ``(x_num float32 (n, n_numeric), x_cat int64 (n, n_cat) or None)``."""
        x_num = self._numeric(X).astype(np.float32)  # a fresh array, scaled in place
        x_num -= self.mean_.astype(np.float32)
        x_num /= self.scale_.astype(np.float32)
        if self.scaling == "robust_clip":
            smooth_clip(x_num)
        np.nan_to_num(x_num, copy=False, nan=0.0)
        if not self.categorical_features:
            return x_num, None
        x_cat = np.empty((X.shape[0], len(self.categorical_features)), dtype=np.int64)
        for j, (col, card) in enumerate(
            zip(self.categorical_features, self.cardinalities_, strict=True)
        ):
            index = self._codes(X[:, col], col) + 1
            index[(index < 0) | (index >= card)] = 0
            x_cat[:, j] = index
        return x_num, x_cat

    def _numeric(self, X: np.ndarray) -> np.ndarray:
        """The numeric columns of ``X`` (``X`` itself when all columns are numeric)."""
        if len(self.numeric_features_) == X.shape[1]:
            return X
        return X[:, self.numeric_features_]

    @staticmethod
    def _codes(values: np.ndarray, col: int) -> np.ndarray:
        """Integer codes of one column; NaN and negatives become -1."""
        missing = np.isnan(values) | (values < 0)
        filled = np.where(missing, -1.0, values)
        if np.any(filled != np.floor(filled)):
            bad = filled[filled != np.floor(filled)][0]
            raise DataError(
                f"Column {col} is listed in categorical_features but holds the non-integer "
                f"value {bad!r}; categorical columns must hold integer codes (-1 or NaN for "
                "unknown)."
            )
        return filled.astype(np.int64)


def _robust_centre_and_scale(numeric: np.ndarray, std: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Median and interquartile range / 1.349 of each column (``std`` where that is 0)."""
    if numeric.shape[0] == 0 or numeric.shape[1] == 0:
        return np.zeros(numeric.shape[1]), std
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column is centred on 0
        quartiles = np.nanpercentile(numeric, [25.0, 50.0, 75.0], axis=0)
    median = np.nan_to_num(quartiles[1], nan=0.0)
    iqr = (quartiles[2] - quartiles[0]) / _NORMAL_IQR
    return median, np.where(np.isfinite(iqr) & (iqr > 0), iqr, std)
