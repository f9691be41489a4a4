"""TabularNetRegressor: a PyTorch MLP for tabular data as a scikit-learn regressor.

The training plumbing lives in :mod:`automl.nets.base`; this module adds the target
standardization, one output and the squared-error or Huber loss. torch is imported
inside ``fit`` and ``predict`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import RegressorMixin

from .base import _TabularNetBase

if TYPE_CHECKING:
    import torch

    from .training import TrainConfig, Trainer


def target_statistics(y: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a finite target, safe from overflow.

    The statistics are computed on ``y / max(|y|)``, so targets near the float64
    limits do not overflow; a constant target gets a scale of 1.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Finite float targets.

    Returns
    -------
    mean : float
        Mean of ``y``.
    scale : float
        Standard deviation of ``y``, or 1 where it is below ``1e-12 * max(|y|)``.

    Examples
    --------
    >>> target_statistics(np.array([1.0, 3.0]))
    (2.0, 1.0)
    >>> target_statistics(np.array([5.0, 5.0]))
    (5.0, 1.0)
    """
    peak = float(np.max(np.abs(y), initial=0.0))
    if peak == 0.0:
        return 0.0, 1.0
    unit = y / peak
    mean, std = peak * float(unit.mean()), peak * float(unit.std())
    return mean, (std if std > 1e-12 * peak else 1.0)


class TabularNetRegressor(RegressorMixin, _TabularNetBase):
    """Multi-layer perceptron with categorical embeddings for regression, trained with PyTorch.

    Numeric columns are imputed with their training mean and standardized inside the
    estimator; categorical columns (integer codes) go through embeddings. The target
    is standardized too, with the mean and standard deviation of the rows given to
    ``fit``, and predictions are mapped back, so targets of any magnitude (1e9 or
    1e-6) train as unit-scale ones do. Training uses AdamW, a one-cycle or warm-up
    cosine learning-rate schedule, gradient clipping and early stopping on an inner
    random validation split of the rows given to ``fit``, keeping the weights of the
    best epoch. The net has one output, trained with squared error or Huber loss.

    Parameters
    ----------
    categorical_features : sequence of int or None, default=None
        Indices of the columns of X that hold integer category codes. A code of -1,
        any negative code or NaN means unknown; codes above the largest seen in
        ``fit`` are treated as unknown at predict time.
    hidden_width : int, default=256
        Width of the hidden layers.
    depth : int, default=2
        Number of hidden layers, or residual blocks when ``residual=True``.
    dropout : float, default=0.1
        Dropout probability in ``[0, 1)``.
    residual : bool, default=True
        Use pre-norm residual blocks instead of a plain stack.
    norm : {"batch", "layer", "none"}, default="batch"
        Normalization layer inside each hidden layer or block.
    embedding_scale : float, default=1.0
        Multiplies the width of every categorical embedding.
    numeric_scaling : {"standard", "robust_clip"}, default="standard"
        Numeric columns standardized (mean, standard deviation), or centred on the
        median, divided by the interquartile range and smoothly clipped to ±3
        (RealMLP's robust scaling), so heavy tails and extreme rows do not swamp
        the first layer. Missing values become the centre either way.
    numeric_embedding : {"none", "periodic"}, default="none"
        Feed numeric columns as they are, or each through trainable periodic
        features beside its value (PLR embeddings, Gorishniy et al. 2022), which
        let the net bend a column's effect without extra depth.
    ensemble_size : int, default=1
        Members trained at once in one net (TabM-mini, Gorishniy et al. 2025): they
        share the hidden layers, each scales the inputs by its own vector and has its
        own output layer, and their predictions are averaged. ``k`` members cost about
        ``k`` times the compute of one net per epoch.
    learning_rate : float, default=1e-3
        Peak learning rate of AdamW.
    weight_decay : float, default=1e-5
        Decoupled weight decay of AdamW.
    batch_size : int, default=256
        Rows per optimizer step.
    max_epochs : int, default=100
        Upper bound on passes over the training rows; also the horizon of the
        learning-rate schedule (shortened when ``max_time`` shows it unreachable).
    patience : int, default=10
        Epochs without a better validation loss before training stops.
    validation_fraction : float, default=0.1
        Share of the rows given to ``fit`` held out (at random) for early
        stopping. ``0`` trains on every row for ``max_epochs`` epochs. Data with
        fewer than 30 rows is never split and trains for ``min(max_epochs, 50)``.
    loss : {"mse", "huber"}, default="mse"
        Training loss on the standardized target: squared error, or the Huber loss
        with ``delta=1`` (one standard deviation of the training target), which is
        less swayed by outliers. Early stopping monitors the same loss on the
        validation rows.
    max_time : float or None, default=None
        Seconds after which training stops (checked after every batch), keeping
        the best weights so far.
    lr_schedule : {"onecycle", "cosine"}, default="onecycle"
        Learning-rate schedule (see :func:`automl.nets.training.schedule_factor`).
    grad_clip : float or None, default=1.0
        Maximum gradient norm; None or 0 disables clipping.
    device : str, default="auto"
        ``"auto"`` (CUDA when available), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        On CUDA training uses bf16 autocast, or fp16 with loss scaling where bf16
        is not supported.
    n_threads : int or None, default=None
        Number of torch CPU threads during fit and predict (restored afterwards); None keeps
        torch's setting.
    random_state : int, RandomState or None, default=None
        Seeds the split, the initial weights, dropout and the batch order. Seeded
        fits on the CPU are reproducible; torch's global RNG state is left as found.
    verbose : int, default=0
        Print one line per epoch when > 0.

    Attributes
    ----------
    target_mean_ : float
        Mean of the training target.
    target_scale_ : float
        Standard deviation of the training target (1 for a constant target);
        ``sqrt(val_loss) * target_scale_`` is the validation RMSE with ``loss="mse"``.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.
    encoder_ : TabularEncoder
        Imputation, standardization and category-code statistics of the training rows.
    module_ : torch.nn.Module
        The trained :class:`~automl.nets.module.TabularMLP` (one output), in eval mode.
    device_ : str
        Device the net was trained on, e.g. ``"cpu"`` or ``"cuda:0"``.
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        0-based epoch whose weights were kept (the last epoch without validation).
    history_ : list of dict
        One ``{"epoch", "train_loss", "val_loss"}`` per epoch, losses on the
        standardized target (``val_loss`` None without validation).
    stop_reason_ : str
        ``"max_epochs"``, ``"patience"`` or ``"max_time"``.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    >>> reg = TabularNetRegressor(max_epochs=5, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        categorical_features: Sequence[int] | None = None,
        hidden_width: int = 256,
        depth: int = 2,
        dropout: float = 0.1,
        residual: bool = True,
        norm: str = "batch",
        embedding_scale: float = 1.0,
        numeric_scaling: str = "standard",
        numeric_embedding: str = "none",
        ensemble_size: int = 1,
        learning_rate: float = 1e-3,
        weight_decay: float = 1e-5,
        batch_size: int = 256,
        max_epochs: int = 100,
        patience: int = 10,
        validation_fraction: float = 0.1,
        loss: str = "mse",
        max_time: float | None = None,
        lr_schedule: str = "onecycle",
        grad_clip: float | None = 1.0,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: int | np.random.RandomState | None = None,
        verbose: int = 0,
    ) -> None:
        self.categorical_features = categorical_features
        self.hidden_width = hidden_width
        self.depth = depth
        self.dropout = dropout
        self.residual = residual
        self.norm = norm
        self.embedding_scale = embedding_scale
        self.numeric_scaling = numeric_scaling
        self.numeric_embedding = numeric_embedding
        self.ensemble_size = ensemble_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.loss = loss
        self.max_time = max_time
        self.lr_schedule = lr_schedule
        self.grad_clip = grad_clip
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    _y_numeric = True
    _member_average = "value"

    # -- the head ---------------------------------------------------------------------
    def _fit_target(self, y: np.ndarray) -> np.ndarray:
        """Set ``target_mean_`` and ``target_scale_``; return the standardized target."""
        y = np.asarray(y, dtype=np.float64)
        self.target_mean_, self.target_scale_ = target_statistics(y)
        return ((y - self.target_mean_) / self.target_scale_).astype(np.float32)

    def _n_outputs(self) -> int:
        return 1

    def _make_trainer(
        self,
        module: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        from .regression_training import RegressionTrainer

        return RegressionTrainer(module, config, device, generator, loss=self.loss)

    # -- predict ----------------------------------------------------------------------
    def predict(self, X: Any) -> np.ndarray:
        """Predicted target of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict; NaN allowed.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predictions in the units of the ``y`` given to ``fit`` (float64).
        """
        outputs = self._raw_predict(X)[:, 0]
        return outputs * self.target_scale_ + self.target_mean_
