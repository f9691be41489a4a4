"""TorchRegressor: any ``torch.nn.Module`` the user writes, trained as a scikit-learn regressor.

The plumbing lives in :mod:`automl.nets.torch_estimator`; this module adds the target
standardization (inverted at predict), one output per target and the squared-error
or Huber loss. torch is imported inside ``fit`` and ``predict``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import RegressorMixin

from .regressor import target_statistics
from .torch_estimator import _TorchEstimatorBase

if TYPE_CHECKING:
    import torch

    from .training import TrainConfig, Trainer


class TorchRegressor(RegressorMixin, _TorchEstimatorBase):
    """Train the user's PyTorch module as a scikit-learn regressor.

    The module is built during ``fit`` as ``module(n_features, n_outputs,
    **module__params)`` and called as ``module(x)`` on float32 batches of shape
    ``(batch_size, n_features)``; it returns shape ``(batch_size, n_outputs)``. The
    target is standardized inside (each column by the mean and standard deviation of
    the rows given to ``fit``) and predictions are mapped back, so targets of any
    scale train alike. Training uses the project's fit loop: the chosen optimizer and
    learning-rate schedule, squared error or Huber loss (sample-weighted), and early
    stopping on a random inner validation split, keeping the best epoch's weights.

    Inputs must be finite numbers: NaN is an error (impute first) and categorical
    columns are the job of a preprocessing step in front of the net (a pipeline).

    Parameters
    ----------
    module : type or callable
        A ``torch.nn.Module`` subclass, or a function returning a module, called as
        ``module(n_features, n_outputs, **module__params)``; ``n_outputs`` is 1 for a
        1-D target, the number of targets for a 2-D one.
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
        Hold out ``validation_fraction`` of the rows (at random), stop after
        ``patience`` epochs without a better validation loss and restore the best
        epoch's weights. False trains on every row for ``max_epochs`` epochs.
        Data under 30 rows is never split.
    validation_fraction : float, default=0.1
        Share of the rows held out for early stopping, in ``(0, 1)``.
    patience : int, default=5
        Epochs without a better validation loss before training stops.
    loss : {"mse", "huber"}, default="mse"
        Loss on the standardized target: squared error, or Huber with ``delta=1``
        (one standard deviation of the training target).
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
    target_mean_ : ndarray of shape (n_outputs,)
        Mean of each training target column.
    target_scale_ : ndarray of shape (n_outputs,)
        Standard deviation of each training target column (1 for a constant one).
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
        One ``{"epoch", "train_loss", "val_loss"}`` per epoch, on the standardized target.
    stop_reason_ : str
        ``"max_epochs"``, ``"patience"`` or ``"max_time"``.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn.datasets import make_regression
    >>> def mlp(n_features, n_outputs, hidden=16):
    ...     return nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(),
    ...                          nn.Linear(hidden, n_outputs))
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = TorchRegressor(mlp, module__hidden=8, max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    _y_numeric = True
    _multi_output = True

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
        loss: str = "mse",
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
        self.loss = loss
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
        """Set the target statistics; return the standardized target (1-D or 2-D float32)."""
        y = np.asarray(y, dtype=np.float64)
        self._y_ndim = y.ndim
        columns = y.reshape(len(y), -1)
        stats = [target_statistics(columns[:, j]) for j in range(columns.shape[1])]
        self.target_mean_ = np.array([m for m, _ in stats])
        self.target_scale_ = np.array([s for _, s in stats])
        return (
            (y - self.target_mean_.reshape(y.shape[1:])) / self.target_scale_.reshape(y.shape[1:])
        ).astype(np.float32)

    def _n_outputs(self) -> int:
        return len(self.target_mean_)

    def _make_trainer(
        self,
        net: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        from .regression_training import RegressionTrainer

        return RegressionTrainer(net, config, device, generator, loss=self.loss)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # -- predict --------------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """Predicted target of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict (finite numbers).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predictions in the units of the ``y`` given to ``fit`` (float64), 1-D
            where that ``y`` was.
        """
        outputs = self._raw_predict(X) * self.target_scale_ + self.target_mean_
        return outputs[:, 0] if self._y_ndim == 1 else outputs
