"""The training plumbing shared by the net estimators (classifier and regressor).

:class:`_TabularNetBase` validates the inputs, fits the encoder, carves the inner
validation split out of the rows given to ``fit``, builds and trains the module on the
chosen device and predicts its raw outputs; it also pickles the net with CPU weights.
A subclass supplies what differs: how the target is encoded (:meth:`_fit_target`),
how the split is stratified (:meth:`_stratify`), the number of outputs and the loss
(:meth:`_make_trainer`), and turns the raw outputs into predictions.

torch is imported inside ``fit`` and the predict methods only, so importing this
module (and :mod:`automl.models.mlp`) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from .device import amp_dtype, resolve_device, torch_threads
from .encoding import TabularEncoder
from .params import categorical_indices, validate_params
from .pickling import cpu_state, restore_device

if TYPE_CHECKING:
    import torch

    from .training import TensorData, TrainConfig, Trainer

_MIN_ROWS_FOR_VALIDATION = 30
_TINY_DATA_EPOCHS = 50


class _TabularNetBase(BaseEstimator):
    """Fit and predict plumbing of a PyTorch MLP on tabular data (not an estimator itself).

    Subclasses declare the hyperparameters in their ``__init__`` (the scikit-learn
    way) and implement the hooks below. The shared parameters are documented on
    :class:`~automl.nets.TabularNetClassifier` and
    :class:`~automl.nets.TabularNetRegressor`.
    """

    # hyperparameters every subclass declares in its __init__
    categorical_features: Any
    hidden_width: int
    depth: int
    dropout: float
    residual: bool
    norm: str
    embedding_scale: float
    numeric_scaling: str
    numeric_embedding: str
    ensemble_size: int
    learning_rate: float
    weight_decay: float
    batch_size: int
    max_epochs: int
    patience: int
    validation_fraction: float
    max_time: float | None
    lr_schedule: str
    grad_clip: float | None
    device: str
    n_threads: int | None
    random_state: int | np.random.RandomState | None
    verbose: int

    #: Ask ``validate_data`` for a numeric y (regression) rather than labels of any type.
    _y_numeric = False
    #: How the members of ``ensemble_size > 1`` are averaged (:mod:`automl.nets.members`).
    _member_average = "probability"

    # -- hooks --------------------------------------------------------------------------
    def _fit_target(self, y: np.ndarray) -> np.ndarray:
        """Check ``y``, set the target's fitted attributes, return the training target."""
        raise NotImplementedError

    def _stratify(self, target: np.ndarray, n_val: int) -> np.ndarray | None:
        """Labels to stratify the validation split by, or None for a plain random split."""
        return None

    def _n_outputs(self) -> int:
        """Width of the module's output layer."""
        raise NotImplementedError

    def _make_trainer(
        self,
        module: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        """The :class:`~automl.nets.training.Trainer` with this estimator's loss."""
        raise NotImplementedError

    # -- fit ----------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Train the net.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numbers; NaN allowed (numeric columns are mean-imputed).
        y : array-like of shape (n_samples,)
            Class labels of any type (classifier) or numbers (regressor).
        sample_weight : array-like of shape (n_samples,), optional
            Row weights of the loss (training and validation), multiplied by the
            class weights where those are set.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        owner = type(self).__name__
        validate_params(self.get_params(), owner)
        device = resolve_device(self.device)
        X, y = validate_data(  # float32 stays float32: the net reads float32 anyway
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            ensure_all_finite="allow-nan",
            y_numeric=self._y_numeric,
        )
        target = self._fit_target(y)
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, X, dtype=np.float32)
        cat_index = categorical_indices(self.categorical_features, X.shape[1], owner)
        self.encoder_ = TabularEncoder(cat_index, self.numeric_scaling).fit(X)
        rng = check_random_state(self.random_state)
        torch_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        train_idx, val_idx = self._split(target, int(split_seed))
        with torch_threads(self.n_threads):
            self._train(X, target, train_idx, val_idx, device, int(torch_seed), weights)
        return self

    def _split(self, target: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Training and validation row indices; no validation for tiny data or fraction 0."""
        n = len(target)
        rows = np.arange(n)
        if self.validation_fraction == 0 or n < _MIN_ROWS_FOR_VALIDATION:
            return rows, None
        n_val = max(1, int(round(self.validation_fraction * n)))
        train_idx, val_idx = train_test_split(
            rows, test_size=n_val, random_state=seed, stratify=self._stratify(target, n_val)
        )
        return np.sort(train_idx), np.sort(val_idx)

    def _train_config(self, n_rows: int, device: torch.device) -> TrainConfig:
        from .training import TrainConfig

        max_epochs = self.max_epochs
        if n_rows < _MIN_ROWS_FOR_VALIDATION and self.validation_fraction > 0:
            max_epochs = min(max_epochs, _TINY_DATA_EPOCHS)
        return TrainConfig(
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            batch_size=int(self.batch_size),
            max_epochs=max_epochs,
            patience=self.patience,
            lr_schedule=self.lr_schedule,
            grad_clip=self.grad_clip or None,
            max_time=self.max_time,
            amp_dtype=amp_dtype(device),
            verbose=self.verbose,
        )

    def _train(
        self,
        X: np.ndarray,
        target: np.ndarray,
        train_idx: np.ndarray,
        val_idx: np.ndarray | None,
        device: torch.device,
        seed: int,
        weights: np.ndarray | None = None,
    ) -> None:
        import torch

        from .module import TabularMLP

        data = self._tensors(X, device, target, weights)
        train = data.take(torch.as_tensor(train_idx, device=device))
        valid = None if val_idx is None else data.take(torch.as_tensor(val_idx, device=device))
        del data  # the split holds its own copies: the whole set need not stay in memory
        config = self._train_config(len(target), device)
        cuda_devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda_devices):
            torch.random.default_generator.manual_seed(seed)
            if device.type == "cuda":
                with torch.cuda.device(device):
                    torch.cuda.manual_seed(seed)
            module = TabularMLP(
                len(self.encoder_.numeric_features_),
                self.encoder_.cardinalities_,
                self._n_outputs(),
                hidden_width=int(self.hidden_width),
                depth=int(self.depth),
                dropout=float(self.dropout),
                residual=bool(self.residual),
                norm=str(self.norm),
                embedding_scale=float(self.embedding_scale),
                numeric_embedding=str(self.numeric_embedding),
                ensemble_size=int(self.ensemble_size),
                average=self._member_average,
            ).to(device)
            generator = torch.Generator(device=device).manual_seed(seed)
            trainer = self._make_trainer(module, config, device, generator, target)
            result = trainer.fit(train, valid)
        self.module_ = module.eval()
        self.device_ = str(device)
        self.amp_dtype_ = config.amp_dtype
        self.n_epochs_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason

    def _tensors(
        self,
        X: np.ndarray,
        device: torch.device,
        target: np.ndarray | None = None,
        weights: np.ndarray | None = None,
    ) -> TensorData:
        """``X`` encoded, the training target as is and the row weights, as tensors on
        ``device``."""
        import torch

        from .training import TensorData

        x_num, x_cat = self.encoder_.transform(X)
        return TensorData(
            torch.from_numpy(x_num).to(device),
            None if x_cat is None else torch.from_numpy(x_cat).to(device),
            None if target is None else torch.from_numpy(target).to(device),
            None if weights is None else torch.from_numpy(weights).to(device),
        )

    # -- predict --------------------------------------------------------------------------
    def _raw_predict(self, X: Any) -> np.ndarray:
        """The module's outputs on ``X``, float64 of shape (n_samples, n_outputs)."""
        check_is_fitted(self, "module_")
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), ensure_all_finite="allow-nan", reset=False
        )
        from .training import predict_logits

        device = next(self.module_.parameters()).device
        dtype = self.amp_dtype_ if device.type == "cuda" else None
        with torch_threads(self.n_threads):
            outputs = predict_logits(self.module_, self._tensors(X, device), dtype)
        return outputs.numpy().astype(np.float64)

    # -- pickling and tags ----------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return cpu_state(super().__getstate__())

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled net; back onto its CUDA device where this machine has one.

        Pickles always hold CPU weights, so a model trained on a GPU loads anywhere; on
        a machine with CUDA it goes back to the device it was fitted on, so predictions
        match those made before pickling. Without CUDA it predicts on the CPU in float32.
        """
        super().__setstate__(state)
        restore_device(self)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
