"""The plumbing shared by :class:`~automl.nets.TorchClassifier` and ``TorchRegressor``.

:class:`_TorchEstimatorBase` exposes the ``module__*`` / ``optimizer__*`` parameters
through ``get_params`` / ``set_params``, checks the inputs (finite numbers only),
carves the inner validation split, builds the user's module and trains it with the
project's fit loop (:class:`~automl.nets.training.Trainer`) on the chosen device,
and pickles the net with CPU weights. A subclass supplies the target encoding
(:meth:`_fit_target`), the split's stratification (:meth:`_stratify`), the output
width (:meth:`_n_outputs`) and the trainer with its loss (:meth:`_make_trainer`).

torch is imported inside ``fit`` and the predict methods only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ..exceptions import ConfigError, DataError
from .base import _MIN_ROWS_FOR_VALIDATION
from .device import amp_dtype, resolve_device, torch_threads
from .pickling import cpu_state, restore_device
from .torch_inputs import check_numeric_columns, finite_float32
from .torch_params import (
    PREFIXES,
    check_prefixed,
    module_defaults,
    validate_torch_params,
    with_prefix,
)

if TYPE_CHECKING:
    import torch

    from .checkpoint import Checkpoint
    from .training import TrainConfig, Trainer


class _TorchEstimatorBase(BaseEstimator):
    """Fit and predict plumbing of a user's torch module (not an estimator itself)."""

    module: Any
    lr: float
    batch_size: int
    max_epochs: int
    optimizer: Any
    weight_decay: float
    lr_schedule: str
    early_stopping: bool
    validation_fraction: float
    patience: int
    grad_clip: float | None
    max_time: float | None
    warm_start: bool
    device: str
    amp: Any
    n_threads: int | None
    random_state: int | np.random.RandomState | None
    verbose: int
    _prefixed_params: dict[str, Any]
    module_: torch.nn.Module

    #: The resource a warm-started fit continues up to (see :mod:`automl.warm_store`).
    _warm_start_resources = ("max_epochs",)
    _y_numeric = False
    _multi_output = False
    #: What the module's second argument counts, for messages.
    _out_name = "n_outputs"

    # -- module__* and optimizer__* parameters --------------------------------------------
    def _store_prefixed(self, params: dict[str, Any]) -> None:
        self._prefixed_params = check_prefixed(type(self).__name__, params)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Get the parameters, the ``module__*`` and ``optimizer__*`` ones included.

        Parameters
        ----------
        deep : bool, default=True
            Also list the module's keyword arguments with their defaults
            (``module__<name>``) where they were not set, as a pipeline lists its
            steps' parameters; ``clone`` uses ``deep=False``, the explicit ones only.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        if deep:
            params.update(module_defaults(params.get("module")))
        params.update(self.__dict__.get("_prefixed_params", {}))
        return params

    def set_params(self, **params: Any) -> Self:
        """Set parameters, ``module__<name>`` and ``optimizer__<name>`` ones included.

        Parameters
        ----------
        **params : dict
            Estimator parameters.

        Returns
        -------
        object
            This estimator.
        """
        prefixed = {k: v for k, v in params.items() if k.startswith(PREFIXES)}
        if prefixed:
            merged = {**self.__dict__.get("_prefixed_params", {}), **prefixed}
            self._prefixed_params = check_prefixed(type(self).__name__, merged)
        rest = {k: v for k, v in params.items() if k not in prefixed}
        if rest:
            super().set_params(**rest)
        return self

    # -- hooks ------------------------------------------------------------------------------
    def _fit_target(self, y: np.ndarray) -> np.ndarray:
        """Check ``y``, set the target's fitted attributes, return the training target."""
        raise NotImplementedError

    def _stratify(self, target: np.ndarray, n_val: int) -> np.ndarray | None:
        """Labels to stratify the validation split by, or None for a plain random split."""
        return None

    def _n_outputs(self) -> int:
        """Width of the module's output."""
        raise NotImplementedError

    def _make_trainer(
        self,
        net: torch.nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        target: np.ndarray,
    ) -> Trainer:
        """The :class:`~automl.nets.training.Trainer` with this estimator's loss."""
        raise NotImplementedError

    def _adapt(self, net: torch.nn.Module, width: int) -> torch.nn.Module:
        """The net to train, given the module's output width (the module itself by default)."""
        return net

    # -- fit --------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Build the module and train it.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Finite numbers (no NaN: impute first).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels of any type (classifier) or numbers (regressor; 2-D for
            several targets).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights of the training and validation losses.

        Returns
        -------
        object
            The fitted estimator (``self``).
        """
        owner = type(self).__name__
        validate_torch_params(self.get_params(deep=False), owner)
        device = resolve_device(self.device)
        if self.amp is True and device.type != "cuda":
            raise ConfigError(
                f"The 'amp' parameter of {owner} is True but the net trains on {device}; mixed "
                "precision needs CUDA. Use amp='auto' (on for CUDA, off on the CPU)."
            )
        check_numeric_columns(X, owner)
        X, y = validate_data(
            self,
            X,
            y,
            dtype=(np.float64, np.float32),
            ensure_all_finite=False,
            y_numeric=self._y_numeric,
            multi_output=self._multi_output,
        )
        X = finite_float32(X, owner)
        target = self._fit_target(y)
        weights = self._row_weights(sample_weight, X)
        rng = check_random_state(self.random_state)
        torch_seed, split_seed = rng.randint(np.iinfo(np.int32).max, size=2)
        resume = self._resume_point(X.shape[1])
        if resume is not None:  # the same validation rows, also without an int random_state
            split_seed = self.__dict__.get("_split_seed", split_seed)
        self._split_seed = int(split_seed)
        train_idx, val_idx = self._split(target, int(split_seed))
        dtype = amp_dtype(device) if self.amp is not False else None
        with torch_threads(self.n_threads):
            self._train(
                X, target, weights, (train_idx, val_idx), device, dtype, int(torch_seed), resume
            )
        return self

    def _resume_point(self, n_features: int) -> Checkpoint | None:
        """The checkpoint to continue from: with warm_start, when the net to train is the same.

        The same net: same module, module__* parameters, optimizer and its parameters,
        number of features and outputs (classes). Anything else starts over.
        """
        outputs = getattr(self, "classes_", None)
        key = (
            self.module,
            repr(sorted(self._prefixed_params.items())),
            repr(self.optimizer),
            n_features,
            repr(outputs.tolist()) if outputs is not None else self._n_outputs(),
        )
        previous = self.__dict__.get("_warm_key")
        self._warm_key = key
        if not self.warm_start or previous != key:
            return None
        return self.__dict__.get("_checkpoint")

    def _row_weights(self, sample_weight: Any, X: np.ndarray) -> np.ndarray | None:
        """float32 sample weights, or None where they are absent or all equal (no effect)."""
        if sample_weight is None:
            return None
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64, ensure_non_negative=True)
        if weights.sum() <= 0:
            raise DataError(
                f"sample_weight of {type(self).__name__} sums to 0; give some row a weight above 0."
            )
        if np.all(weights == weights[0]):  # a weighted mean with equal weights is the plain mean
            return None
        return (weights / weights.mean()).astype(np.float32)

    def _split(self, target: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Training and validation rows; no validation without early stopping or for tiny data."""
        rows = np.arange(len(target))
        if not self.early_stopping or len(target) < _MIN_ROWS_FOR_VALIDATION:
            return rows, None
        n_val = max(1, int(round(self.validation_fraction * len(target))))
        train_idx, val_idx = train_test_split(
            rows, test_size=n_val, random_state=seed, stratify=self._stratify(target, n_val)
        )
        return np.sort(train_idx), np.sort(val_idx)

    def _train_config(self, dtype: torch.dtype | None) -> TrainConfig:
        from .training import TrainConfig

        return TrainConfig(
            learning_rate=float(self.lr),
            weight_decay=float(self.weight_decay),
            batch_size=int(self.batch_size),
            max_epochs=int(self.max_epochs),
            patience=int(self.patience),
            lr_schedule=self.lr_schedule,
            grad_clip=self.grad_clip or None,
            max_time=self.max_time,
            amp_dtype=dtype,
            verbose=self.verbose,
            optimizer=self.optimizer,
            optimizer_params=with_prefix(self._prefixed_params, "optimizer__"),
            keep_checkpoint=bool(self.warm_start),
        )

    def _train(
        self,
        X: np.ndarray,
        target: np.ndarray,
        weights: np.ndarray | None,
        split: tuple[np.ndarray, np.ndarray | None],
        device: torch.device,
        dtype: torch.dtype | None,
        seed: int,
        resume: Checkpoint | None,
    ) -> None:
        import torch

        from .optim import check_optimizer_params, optimizer_class
        from .torch_module import build_module, probe_output
        from .training import TensorData

        owner, n_out = type(self).__name__, self._n_outputs()
        config = self._train_config(dtype)
        check_optimizer_params(
            optimizer_class(self.optimizer, owner), config.optimizer_params, owner
        )
        data = TensorData(
            torch.from_numpy(X).to(device),
            None,
            torch.from_numpy(target).to(device),
            None if weights is None else torch.from_numpy(weights).to(device),
        )
        train_idx, val_idx = split
        train = data.take(torch.as_tensor(train_idx, device=device))
        valid = None if val_idx is None else data.take(torch.as_tensor(val_idx, device=device))
        module_params = with_prefix(self._prefixed_params, "module__")
        cuda_devices = [device] if device.type == "cuda" else []
        with torch.random.fork_rng(devices=cuda_devices):
            torch.random.default_generator.manual_seed(seed)
            if device.type == "cuda":
                with torch.cuda.device(device):
                    torch.cuda.manual_seed(seed)
            if resume is None:
                module = build_module(
                    self.module, X.shape[1], n_out, module_params, self._out_name, owner
                )
            else:  # warm start: the fitted net; the checkpoint sets its last epoch's state
                module = self.module_  # (load_state_dict moves the saved state to the device)
            module = module.to(device)
            width = probe_output(
                module, train.x_num[:2], n_out, self._out_name, owner, self._single_ok()
            )
            net = self._adapt(module, width)
            generator = torch.Generator(device=device).manual_seed(seed)
            trainer = self._make_trainer(net, config, device, generator, target)
            result = trainer.fit(train, valid, resume)
        self.__dict__.pop("_checkpoint", None)
        if trainer.checkpoint is not None:
            self._checkpoint = trainer.checkpoint
        self.module_ = module.eval()
        self.device_ = str(device)
        self.amp_dtype_ = dtype
        self.n_epochs_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        self.history_ = result.history
        self.stop_reason_ = result.stop_reason

    def _single_ok(self) -> bool:
        """Whether a one-column output is accepted in place of ``_n_outputs()`` columns."""
        return False

    # -- predict ----------------------------------------------------------------------------
    def _raw_predict(self, X: Any) -> np.ndarray:
        """The module's outputs on ``X``, float64 of shape (n_samples, width)."""
        check_is_fitted(self, "module_")
        check_numeric_columns(X, type(self).__name__)
        X = validate_data(
            self, X, dtype=(np.float64, np.float32), ensure_all_finite=False, reset=False
        )
        X = finite_float32(X, type(self).__name__)
        import torch

        from .training import TensorData, predict_logits

        device = next(self.module_.parameters()).device
        dtype = self.amp_dtype_ if device.type == "cuda" else None
        with torch_threads(self.n_threads):
            data = TensorData(torch.from_numpy(X).to(device), None)
            outputs = predict_logits(self.module_, data, dtype)
        return outputs.numpy().astype(np.float64)

    # -- pickling and tags --------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = cpu_state(super().__getstate__())
        if state.get("_checkpoint") is not None:
            state["_checkpoint"] = state["_checkpoint"].to("cpu")
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore a pickled net; back onto its CUDA device where this machine has one.

        Pickles hold CPU weights, so a net trained on a GPU loads anywhere.
        """
        super().__setstate__(state)
        restore_device(self)
