"""TabularNetClassifier: a PyTorch MLP for tabular data as a scikit-learn classifier.

The training plumbing lives in :mod:`automl.nets.base`; this module adds the labels,
the stratified split, one logit per class and the (class-weighted) cross-entropy.
torch is imported inside ``fit`` and ``predict_proba`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets

from ..exceptions import DataError
from .base import _TabularNetBase

if TYPE_CHECKING:
    import torch

    from .training import TrainConfig, Trainer


class TabularNetClassifier(ClassifierMixin, _TabularNetBase):
    """Multi-layer perceptron with categorical embeddings, trained with PyTorch.

    Numeric columns are imputed with their training mean and standardized inside the
    estimator; categorical columns (integer codes) go through embeddings. Training
    uses AdamW, a one-cycle or warm-up cosine learning-rate schedule, gradient
    clipping and early stopping on an internal stratified validation split, keeping
    the weights of the best epoch. The net has one logit per class (binary included)
    and is trained with (optionally class-weighted) cross-entropy.

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
        Share of rows held out (stratified when every class allows it) for early
        stopping. ``0`` trains on every row for ``max_epochs`` epochs. Data with
        fewer than 30 rows is never split and trains for ``min(max_epochs, 50)``.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes in the loss: ``"balanced"`` uses
        ``n_samples / (n_classes * count)``; a dict maps labels to weights (missing
        labels weigh 1).
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
    classes_ : ndarray of shape (n_classes,)
        Class labels, sorted.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when X was a DataFrame with string column names.
    encoder_ : TabularEncoder
        Imputation, standardization and category-code statistics of the training rows.
    module_ : torch.nn.Module
        The trained :class:`~automl.nets.module.TabularMLP`, in eval mode.
    device_ : str
        Device the net was trained on, e.g. ``"cpu"`` or ``"cuda:0"``.
    n_epochs_ : int
        Epochs run.
    best_epoch_ : int
        0-based epoch whose weights were kept (the last epoch without validation).
    history_ : list of dict
        One ``{"epoch", "train_loss", "val_loss"}`` per epoch (``val_loss`` None
        without validation).
    stop_reason_ : str
        ``"max_epochs"``, ``"patience"`` or ``"max_time"``.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> X, y = make_classification(n_samples=200, random_state=0)
    >>> clf = TabularNetClassifier(max_epochs=5, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
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
        class_weight: str | None = None,
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
        self.class_weight = class_weight
        self.max_time = max_time
        self.lr_schedule = lr_schedule
        self.grad_clip = grad_clip
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose

    # -- the head ---------------------------------------------------------------------
    def _fit_target(self, y: np.ndarray) -> np.ndarray:
        """Set ``classes_``; return the class index of each row."""
        check_classification_targets(y)
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise DataError(
                f"y holds only one class ({self.classes_[0]!r}); TabularNetClassifier "
                "needs at least two classes."
            )
        return y_codes.astype(np.int64)

    def _stratify(self, target: np.ndarray, n_val: int) -> np.ndarray | None:
        """Stratify by class where every class has two rows and fits both sides."""
        n_classes = int(target.max()) + 1
        fits = np.bincount(target).min() >= 2 and min(n_val, len(target) - n_val) >= n_classes
        return target if fits else None

    def _n_outputs(self) -> int:
        return len(self.classes_)

    def _make_trainer(
        self,
        module: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        import torch

        from .training import Trainer

        class_weight = None
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[target]
            )
            class_weight = torch.as_tensor(weights, dtype=torch.float32, device=device)
        return Trainer(module, config, device, generator, class_weight)

    # -- predict ----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict; NaN allowed.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Probabilities in the order of ``classes_``, rows summing to 1.
        """
        z = self._raw_predict(X)
        z -= z.max(axis=1, keepdims=True)
        proba = np.exp(z)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict; NaN allowed.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
