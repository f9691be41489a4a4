"""TorchClassifier: any ``torch.nn.Module`` the user writes, trained as a scikit-learn classifier.

The plumbing lives in :mod:`automl.nets.torch_estimator`; this module adds the labels,
the stratified split, the logits (one per class, or one for a binary task) and the
(class-weighted) cross-entropy. torch is imported inside ``fit`` and ``predict_proba``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from ..exceptions import DataError
from .torch_estimator import _TorchEstimatorBase

if TYPE_CHECKING:
    import torch

    from .training import TrainConfig, Trainer


class TorchClassifier(ClassifierMixin, _TorchEstimatorBase):
    """Train the user's PyTorch module as a scikit-learn classifier.

    The module is built during ``fit`` as ``module(n_features, n_classes,
    **module__params)`` and called as ``module(x)`` on float32 batches of shape
    ``(batch_size, n_features)``; it returns logits of shape ``(batch_size,
    n_classes)`` (for two classes it may return one logit, that of the second class).
    Training uses the project's fit loop: the chosen optimizer and learning-rate
    schedule, the (class- and sample-weighted) cross-entropy, and early stopping on a
    stratified inner validation split of the rows given to ``fit``, keeping the
    weights of the best epoch.

    Inputs must be finite numbers: NaN is an error (impute first) and categorical
    columns are the job of a preprocessing step in front of the net (a pipeline).

    Parameters
    ----------
    module : type or callable
        A ``torch.nn.Module`` subclass, or a function returning a module, called as
        ``module(n_features, n_classes, **module__params)``.
    lr : float, default=1e-3
        Learning rate (the peak of the schedule).
    batch_size : int, default=128
        Rows per optimizer step.
    max_epochs : int, default=50
        Upper bound on passes over the training rows (and the horizon of a decaying
        schedule); a multi-fidelity search can use it as its resource.
    optimizer : {"adamw", "adam", "sgd", "rmsprop"} or Optimizer subclass, default="adamw"
        The optimizer; further arguments are given as ``optimizer__<name>``
        (``optimizer__momentum=0.9``).
    weight_decay : float, default=1e-4
        Weight decay of the optimizer (decoupled for AdamW).
    lr_schedule : {"constant", "cosine", "onecycle"}, default="constant"
        Learning-rate schedule over ``max_epochs`` (see
        :func:`automl.nets.schedule.schedule_factor`).
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows (stratified where every class
        allows it), stop after ``patience`` epochs without a better validation loss
        and restore the best epoch's weights. False trains on every row for
        ``max_epochs`` epochs. Data under 30 rows is never split.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping, in ``(0, 1)``.
    patience : int, default=5
        Epochs without a better validation loss before training stops.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the loss: ``"balanced"`` uses
        ``n_samples / (n_classes * count)``; a dict maps labels to weights.
    grad_clip : float or None, default=None
        Maximum gradient norm; None or 0 disables clipping.
    max_time : float or None, default=None
        Seconds after which training stops, keeping the best weights so far.
    warm_start : bool, default=False
        When True and the estimator was fitted with the same module, ``module__*`` and
        optimizer settings on data of the same shape, ``fit`` continues training from
        the last epoch (weights, optimizer state, learning-rate step, early-stopping
        record, random streams) up to the new ``max_epochs`` instead of starting over:
        ``r`` epochs then ``R`` gives the net ``R`` epochs give at once (with the
        constant schedule, the same data and an int ``random_state``). A fit stopped by
        patience stays stopped, and the continuation validates on the rows the first
        fit held out. :class:`~automl.SearchCV`'s Hyperband and BOHB over ``max_epochs``
        promote a configuration this way (:mod:`automl.warm_store`). The state (about
        three copies of the weights) is kept, and pickled, only when True.
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    amp : {"auto", True, False}, default="auto"
        Mixed precision (bf16, or fp16 with loss scaling) on CUDA; ``"auto"`` turns it
        on for CUDA and off on the CPU, True on the CPU is an error.
    n_threads : int or None, default=None
        Number of torch CPU threads during fit and predict (restored afterwards).
    random_state : int, RandomState or None, default=None
        Seeds the split, the initial weights, dropout and the batch order. Seeded
        fits on the CPU are reproducible; torch's global RNG state is left as found.
    verbose : int, default=0
        Print one line per epoch when > 0.
    **kwargs : dict
        ``module__<name>`` parameters, passed to ``module``, and ``optimizer__<name>``
        parameters, passed to the optimizer. ``get_params``, ``set_params`` and
        ``clone`` handle them like the others.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.
    module_ : torch.nn.Module
        The trained module, in eval mode.
    device_ : str
        Device the net was trained on.
    amp_dtype_ : torch.dtype or None
        The autocast dtype used on CUDA, None without mixed precision.
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        0-based epoch whose weights were kept (the last without early stopping).
    history_ : list of dict
        One ``{"epoch", "train_loss", "val_loss"}`` per epoch.
    stop_reason_ : str
        ``"max_epochs"``, ``"patience"`` or ``"max_time"``.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn.datasets import make_classification
    >>> class Net(nn.Module):
    ...     def __init__(self, n_features, n_classes, hidden=16):
    ...         super().__init__()
    ...         self.body = nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(),
    ...                                   nn.Linear(hidden, n_classes))
    ...     def forward(self, x):
    ...         return self.body(x)
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = TorchClassifier(Net, module__hidden=8, max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    _out_name = "n_classes"

    def __init__(
        self,
        module: Any,
        *,
        lr: float = 1e-3,
        batch_size: int = 128,
        max_epochs: int = 50,
        optimizer: Any = "adamw",
        weight_decay: float = 1e-4,
        lr_schedule: str = "constant",
        early_stopping: bool = True,
        validation_fraction: float = 0.1,
        patience: int = 5,
        class_weight: Any = None,
        grad_clip: float | None = None,
        max_time: float | None = None,
        warm_start: bool = False,
        device: str = "auto",
        amp: Any = "auto",
        n_threads: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
        **kwargs: Any,
    ) -> None:
        self.module = module
        self.lr = lr
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.class_weight = class_weight
        self.grad_clip = grad_clip
        self.max_time = max_time
        self.warm_start = warm_start
        self.device = device
        self.amp = amp
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self._store_prefixed(kwargs)

    # -- the head -------------------------------------------------------------------------
    def _fit_target(self, y: np.ndarray) -> np.ndarray:
        """Set ``classes_``; return the class index of each row."""
        check_classification_targets(y)
        self.classes_, codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise DataError(
                f"y holds only one class ({self.classes_[0]!r}); TorchClassifier needs at "
                "least two classes."
            )
        return codes.astype(np.int64)

    def _stratify(self, target: np.ndarray, n_val: int) -> np.ndarray | None:
        """Stratify by class where every class has two rows and fits both sides."""
        n_classes = int(target.max()) + 1
        fits = np.bincount(target).min() >= 2 and min(n_val, len(target) - n_val) >= n_classes
        return target if fits else None

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def _single_ok(self) -> bool:
        return len(self.classes_) == 2

    def _adapt(self, net: torch.nn.Module, width: int) -> torch.nn.Module:
        if width == 1 and len(self.classes_) == 2:
            from .torch_module import TwoLogits

            return TwoLogits(net)
        return net

    def _make_trainer(
        self,
        net: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        import torch

        from .training import Trainer

        weights = None
        if self.class_weight is not None:
            values = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[target]
            )
            weights = torch.as_tensor(values, dtype=torch.float32, device=device)
        return Trainer(net, config, device, generator, weights)

    # -- predict --------------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (finite numbers).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``, rows summing to 1.
        """
        z = self._raw_predict(X)
        if z.shape[1] == 1:  # one logit: that of the second class
            z = np.hstack([np.zeros_like(z), z])
        z -= z.max(axis=1, keepdims=True)
        proba = np.exp(z)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (finite numbers).

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # first: it checks that the net is fitted
        return self.classes_[np.argmax(proba, axis=1)]
