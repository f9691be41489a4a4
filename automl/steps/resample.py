"""The resampling node: imbalanced-learn samplers made safe for small folds.

Samplers run only inside ``fit`` of an imbalanced-learn ``Pipeline``, so they
never touch validation or test rows. :class:`SafeResampler` adapts
``k_neighbors`` to the minority size of the fold it sees, skips itself (and
records why) when resampling is impossible, and turns SMOTE into SMOTENC or
SMOTEN when categorical codes are present.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator

from ..exceptions import ConfigError, unknown_name_message

SAMPLERS = (
    "none",
    "smote",
    "borderline_smote",
    "adasyn",
    "random_over",
    "random_under",
    "smote_tomek",
    "smote_enn",
)
_NEIGHBOR_BASED = {"smote", "borderline_smote", "adasyn", "smote_tomek", "smote_enn"}


class SafeResampler(BaseEstimator):
    """A named imbalanced-learn sampler that never crashes a fold.

    Parameters
    ----------
    method : str
        One of :data:`SAMPLERS`.
    sampling_strategy : float
        Binary: the wanted minority/majority ratio after resampling. Multiclass
        ignores it and balances every class (``"auto"``).
    k_neighbors : int
        Neighbours for SMOTE-like methods; lowered to the fold's minority size - 1.
    categorical_features : tuple of int
        Input columns holding category codes: SMOTE becomes SMOTENC (or SMOTEN
        when every column is categorical).
    random_state : int or None
        Seed.

    Attributes
    ----------
    notes_ : list of str
        What was adapted or skipped in the last ``fit_resample``.
    """

    def __init__(
        self,
        *,
        method: str = "smote",
        sampling_strategy: float = 1.0,
        k_neighbors: int = 5,
        categorical_features: tuple[int, ...] = (),
        random_state: int | None = None,
    ) -> None:
        self.method = method
        self.sampling_strategy = sampling_strategy
        self.k_neighbors = k_neighbors
        self.categorical_features = categorical_features
        self.random_state = random_state

    def _strategy(self, y: np.ndarray) -> Any:
        classes, counts = np.unique(y, return_counts=True)
        if len(classes) != 2:
            return "auto"
        current = counts.min() / counts.max()
        wanted = float(self.sampling_strategy)
        if wanted <= current:
            return None
        return wanted

    def _sampler(self, y: np.ndarray, n_features: int) -> Any:
        from imblearn import combine, over_sampling, under_sampling

        strategy = self._strategy(y)
        if strategy is None:
            self.notes_.append(
                f"{self.method} skipped: classes already at ratio >= {self.sampling_strategy}"
            )
            return None
        kwargs: dict[str, Any] = {"sampling_strategy": strategy, "random_state": self.random_state}
        if self.method in _NEIGHBOR_BASED:
            minority = int(np.unique(y, return_counts=True)[1].min())
            if minority < 2:
                self.notes_.append(
                    f"{self.method} skipped: only {minority} minority sample(s) in this fold"
                )
                return None
            k = min(int(self.k_neighbors), minority - 1)
            if k < int(self.k_neighbors):
                self.notes_.append(
                    f"{self.method}: k_neighbors lowered to {k} (minority has {minority})"
                )
            smote_kwargs = {**kwargs, "k_neighbors": k}
            cats = list(self.categorical_features)
            if cats:  # category codes must stay codes: only the SMOTE-NC family keeps them
                plain = self._categorical_smote(cats, n_features, smote_kwargs)
                if self.method in ("borderline_smote", "adasyn"):
                    self.notes_.append(
                        f"{self.method} replaced by SMOTENC: categorical columns present"
                    )
                    return plain
            else:
                plain = over_sampling.SMOTE(**smote_kwargs)
            if self.method == "smote":
                return plain
            if self.method == "borderline_smote":
                return over_sampling.BorderlineSMOTE(m_neighbors=min(10, max(k, 2)), **smote_kwargs)
            if self.method == "adasyn":
                return over_sampling.ADASYN(
                    sampling_strategy=strategy, random_state=self.random_state, n_neighbors=k
                )
            combiner = combine.SMOTETomek if self.method == "smote_tomek" else combine.SMOTEENN
            return combiner(sampling_strategy=strategy, smote=plain, random_state=self.random_state)
        if self.method == "random_over":
            return over_sampling.RandomOverSampler(**kwargs)
        if self.method == "random_under":
            return under_sampling.RandomUnderSampler(**kwargs)
        raise ConfigError(unknown_name_message("sampler", self.method, SAMPLERS))

    @staticmethod
    def _categorical_smote(cats: list[int], n_features: int, kwargs: dict[str, Any]) -> Any:
        from imblearn import over_sampling

        if len(cats) >= n_features:
            return over_sampling.SMOTEN(**kwargs)
        return over_sampling.SMOTENC(categorical_features=cats, **kwargs)

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Resample ``X, y``; on an impossible case return them unchanged and note why."""
        if self.method not in SAMPLERS or self.method == "none":
            if self.method != "none":
                raise ConfigError(unknown_name_message("sampler", self.method, SAMPLERS))
            self.notes_: list[str] = []
            return X, y
        self.notes_ = []
        y_arr = np.asarray(y)
        sampler = self._sampler(y_arr, np.shape(X)[1])
        if sampler is None:
            return X, y
        try:
            return sampler.fit_resample(X, y)
        except (ValueError, RuntimeError) as exc:  # e.g. ADASYN finding no neighbours to use
            self.notes_.append(f"{self.method} skipped: {exc}")
            return X, y
