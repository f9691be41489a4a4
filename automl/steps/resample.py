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
from sklearn.base import BaseEstimator, OneToOneFeatureMixin

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
#: Samplers that only keep or copy rows, so each row out carries the weight of its row in.
#: The others make synthetic rows (or clean by neighbours), which have no weight to carry.
WEIGHT_SAFE_SAMPLERS = ("none", "random_over", "random_under")


class SafeResampler(OneToOneFeatureMixin, BaseEstimator):
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
    sampling_strategy_ : dict
        Class label to the number of rows the sampler aimed at; empty when skipped.
    sample_indices_ : ndarray of int or None
        The input row behind each output row (every row when nothing was resampled);
        None for samplers that make synthetic rows.
    n_features_in_ : int
        Columns seen in the last ``fit_resample``.
    feature_names_in_ : ndarray of str
        Their names, when ``X`` was a DataFrame.
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

    def fit(self, X: Any, y: Any) -> SafeResampler:
        """Fit as :meth:`fit_resample` does, for the scikit-learn API; pipelines never call it.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            The rows of one training fold.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels, or their one-vs-all indicator matrix.

        Returns
        -------
        SafeResampler
            This step, fitted.
        """
        self.fit_resample(X, y)
        return self

    def fit_resample(self, X: Any, y: Any) -> tuple[Any, Any]:
        """Resample ``X, y``; on an impossible case return them unchanged and note why.

        Parameters
        ----------
        X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
            The rows of one training fold.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Class labels, or their one-vs-all indicator matrix (returned in the same form).

        Returns
        -------
        X_resampled : same type as ``X``
            The resampled rows, or ``X`` itself when resampling was skipped.
        y_resampled : same type as ``y``
            Their labels.

        Raises
        ------
        ValueError
            For a continuous or multilabel target (only the ``"none"`` method takes any).
        """
        from imblearn.utils import check_target_type
        from sklearn.preprocessing import label_binarize
        from sklearn.utils.multiclass import check_classification_targets

        if self.method not in SAMPLERS:
            raise ConfigError(unknown_name_message("sampler", self.method, SAMPLERS))
        self.notes_: list[str] = []
        self.sampling_strategy_: dict[Any, int] = {}
        self.sample_indices_: np.ndarray | None = np.arange(np.shape(X)[0])
        self._remember_features(X)
        if self.method == "none":
            return X, y
        labels, one_vs_all = check_target_type(y, indicate_one_vs_all=True)
        check_classification_targets(labels)
        sampler = self._sampler(np.asarray(labels), np.shape(X)[1])
        if sampler is None:
            return X, y
        try:
            X_res, y_res = sampler.fit_resample(X, labels if one_vs_all else y)
        except (ValueError, RuntimeError) as exc:  # e.g. ADASYN finding no neighbours to use
            self.notes_.append(f"{self.method} skipped: {exc}")
            return X, y
        self.sample_indices_ = getattr(sampler, "sample_indices_", None)
        # SMOTETomek and SMOTEENN keep the raw ratio; their SMOTE holds the class counts.
        over = getattr(sampler, "smote_", sampler)
        self.sampling_strategy_ = dict(getattr(over, "sampling_strategy_", {}))
        if one_vs_all:
            y_res = label_binarize(y_res, classes=np.unique(labels))
        return X_res, y_res

    def fit_resample_weighted(
        self, X: Any, y: Any, sample_weight: np.ndarray
    ) -> tuple[Any, Any, np.ndarray]:
        """Resample ``X, y`` as :meth:`fit_resample` does, and carry each row's weight.

        The random over- and under-samplers pick rows by count (the weights do not
        change which rows); each row they keep or copy carries its own weight, so a
        copied row adds its weight again.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The rows of one training fold.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : ndarray of shape (n_samples,)
            Row weights.

        Returns
        -------
        X_resampled, y_resampled, sample_weight_resampled

        Raises
        ------
        ConfigError
            For a sampler that makes synthetic rows (SMOTE family, ADASYN, cleaning
            combinations): their rows have no weight, so ``fit`` leaves them out of
            the search when weights are given.
        """
        if self.method not in WEIGHT_SAFE_SAMPLERS:
            raise ConfigError(
                f"The {self.method!r} sampler makes synthetic rows, which carry no sample "
                f"weight; with sample_weight use one of {list(WEIGHT_SAFE_SAMPLERS)}."
            )
        X_res, y_res = self.fit_resample(X, y)
        assert self.sample_indices_ is not None  # the weight-safe samplers all set them
        return X_res, y_res, np.asarray(sample_weight)[self.sample_indices_]

    def _remember_features(self, X: Any) -> None:
        """``n_features_in_`` and, for a DataFrame, ``feature_names_in_`` of this fit."""
        self.n_features_in_ = int(np.shape(X)[1])
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_

    def __sklearn_tags__(self) -> Any:
        # imbalanced-learn's sampler tags (estimator type "sampler"), so that its
        # common checks and is_sampler recognise this step. It always records which
        # input row each output row came from (None for synthetic rows), which is how
        # sample weights follow the rows a random sampler keeps or copies.
        from imblearn.base import BaseSampler

        tags = BaseSampler.__sklearn_tags__(self)
        tags.sampler_tags.sample_indices = True
        return tags
