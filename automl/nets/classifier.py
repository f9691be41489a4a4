"""TabularNetClassifier: a PyTorch MLP for tabular data as a scikit-learn classifier.

torch is imported inside ``fit`` and ``predict_proba`` only, so importing this
module (and :mod:`automl.models.mlp`) stays cheap.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..exceptions import DataError
from .device import amp_dtype, resolve_device, torch_threads
from .encoding import TabularEncoder
from .params import categorical_indices, validate_params

if TYPE_CHECKING:
    import torch

_MIN_ROWS_FOR_VALIDATION = 30
_TINY_DATA_EPOCHS = 50


class TabularNetClassifier(ClassifierMixin, BaseEstimator):
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
        torch CPU threads during fit and predict (restored afterwards); None keeps
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

    # -- parameters -------------------------------------------------------------------
    # -- fit --------------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> TabularNetClassifier:
        """Train the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numbers; NaN allowed (numeric columns are mean-imputed).
        y : array-like of shape (n_samples,)
            Class labels of any type.

        Returns
        -------
        self : TabularNetClassifier
        """
        validate_params(self.get_params())
        device = resolve_device(self.device)
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan")
        check_classification_targets(y)
        self.classes_, y_codes = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise DataError(
                f"y holds only one class ({self.classes_[0]!r}); TabularNetClassifier "
                "needs at least two classes."
            )
        cat_index = categorical_indices(self.categorical_features, X.shape[1])
        self.encoder_ = TabularEncoder(cat_index).fit(X)
        rng = check_random_state(self.random_state)
        torch_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        train_idx, val_idx = self._split(y_codes, int(split_seed))
        with torch_threads(self.n_threads):
            self._train(X, y_codes, train_idx, val_idx, device, int(torch_seed))
        return self

    def _split(self, y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Training and validation row indices; no validation for tiny data or fraction 0."""
        n = len(y)
        rows = np.arange(n)
        if self.validation_fraction == 0 or n < _MIN_ROWS_FOR_VALIDATION:
            return rows, None
        n_val = max(1, int(round(self.validation_fraction * n)))
        n_classes = int(y.max()) + 1
        stratify = y if np.bincount(y).min() >= 2 and min(n_val, n - n_val) >= n_classes else None
        train_idx, val_idx = train_test_split(
            rows, test_size=n_val, random_state=seed, stratify=stratify
        )
        return np.sort(train_idx), np.sort(val_idx)

    def _train(
        self,
        X: np.ndarray,
        y: np.ndarray,
        train_idx: np.ndarray,
        val_idx: np.ndarray | None,
        device: torch.device,
        seed: int,
    ) -> None:
        import torch

        from .module import TabularMLP
        from .training import TrainConfig, Trainer

        n_classes = len(self.classes_)
        data = self._tensors(X, device, y)
        train = data.take(torch.as_tensor(train_idx, device=device))
        valid = None if val_idx is None else data.take(torch.as_tensor(val_idx, device=device))
        class_weight = None
        if self.class_weight is not None:
            weights = compute_class_weight(
                self.class_weight, classes=self.classes_, y=self.classes_[y]
            )
            class_weight = torch.as_tensor(weights, dtype=torch.float32, device=device)
        max_epochs = self.max_epochs
        if len(y) < _MIN_ROWS_FOR_VALIDATION and self.validation_fraction > 0:
            max_epochs = min(max_epochs, _TINY_DATA_EPOCHS)
        dtype = amp_dtype(device)
        config = TrainConfig(
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            batch_size=int(self.batch_size),
            max_epochs=max_epochs,
            patience=self.patience,
            lr_schedule=self.lr_schedule,
            grad_clip=self.grad_clip or None,
            max_time=self.max_time,
            amp_dtype=dtype,
            verbose=self.verbose,
        )
        cuda_devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda_devices):
            torch.random.default_generator.manual_seed(seed)
            if device.type == "cuda":
                with torch.cuda.device(device):
                    torch.cuda.manual_seed(seed)
            module = TabularMLP(
                len(self.encoder_.numeric_features_),
                self.encoder_.cardinalities_,
                n_classes,
                hidden_width=int(self.hidden_width),
                depth=int(self.depth),
                dropout=float(self.dropout),
                residual=bool(self.residual),
                norm=str(self.norm),
                embedding_scale=float(self.embedding_scale),
            ).to(device)
            generator = torch.Generator(device=device).manual_seed(seed)
            trainer = Trainer(module, config, device, generator, class_weight)
            result = trainer.fit(train, valid)
        self.module_ = module.eval()
        self.device_ = str(device)
        self.amp_dtype_ = dtype
        self.n_epochs_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason

    def _tensors(self, X: np.ndarray, device: torch.device, y: np.ndarray | None = None) -> Any:
        import torch

        from .training import TensorData

        x_num, x_cat = self.encoder_.transform(X)
        return TensorData(
            torch.from_numpy(x_num).to(device),
            None if x_cat is None else torch.from_numpy(x_cat).to(device),
            None if y is None else torch.from_numpy(y.astype(np.int64)).to(device),
        )

    # -- predict ----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), rows summing to 1."""
        check_is_fitted(self, "module_")
        X = validate_data(self, X, dtype=np.float64, ensure_all_finite="allow-nan", reset=False)
        from .training import predict_logits

        device = next(self.module_.parameters()).device
        dtype = self.amp_dtype_ if device.type == "cuda" else None
        with torch_threads(self.n_threads):
            logits = predict_logits(self.module_, self._tensors(X, device), dtype)
        z = logits.numpy().astype(np.float64)
        z -= z.max(axis=1, keepdims=True)
        proba = np.exp(z)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    # -- pickling and tags --------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        # a copy: on Python >= 3.11 object.__getstate__ returns the instance's own __dict__,
        # and replacing module_ in it would move the fitted net off the GPU
        state = dict(super().__getstate__())
        module = state.get("module_")
        if module is not None and next(module.parameters()).device.type != "cpu":
            state["module_"] = copy.deepcopy(module).cpu()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled net; back onto its CUDA device where this machine has one.

        Pickles always hold CPU weights, so a model trained on a GPU loads anywhere; on
        a machine with CUDA it goes back to the device it was fitted on, so predictions
        match those made before pickling. Without CUDA it predicts on the CPU in float32.
        """
        super().__setstate__(state)
        module = self.__dict__.get("module_")
        device = str(self.__dict__.get("device_", "cpu"))
        if module is None or not device.startswith("cuda"):
            return
        import torch

        if torch.cuda.is_available():
            try:
                self.module_ = module.to(torch.device(device))
            except (RuntimeError, AssertionError):  # e.g. fitted on cuda:1, loaded with one GPU
                pass

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
