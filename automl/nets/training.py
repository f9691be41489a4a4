"""The fit loop of a tabular net: fit loop -> epoch -> train step.

Data lives on the device as tensors and is batched by index (``torch.randperm`` and
slicing), so an epoch makes no host round-trips: the running loss is accumulated on
the device and read once per epoch.

The loss is a pair of :class:`Trainer` methods: cross-entropy here, for the
classifier; squared error or Huber loss in
:class:`~automl.nets.regression_training.RegressionTrainer`, for the regressor.

This module imports torch at import time; the estimators (:mod:`automl.nets.base`)
import it lazily, inside ``fit``.
"""

from __future__ import annotations

import math
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .checkpoint import Checkpoint
from .members import member_rows
from .optim import build_optimizer
from .schedule import Horizon
from .schedule import schedule_factor as schedule_factor  # re-exported: its old home

_EVAL_CHUNK = 16384


@dataclass
class TensorData:
    """Rows of a data set as device tensors: numeric, categorical indices, labels, row weights."""

    x_num: torch.Tensor
    x_cat: torch.Tensor | None
    y: torch.Tensor | None = None
    w: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.x_num.shape[0])

    def labels(self) -> torch.Tensor:
        """The labels; a ValueError for rows that carry none (data to predict)."""
        if self.y is None:
            raise ValueError("These rows carry no labels: they are data to predict.")
        return self.y

    def rows(self, begin: int, end: int) -> TensorData:
        """Rows ``begin:end`` (a view, no copy)."""
        x_cat = None if self.x_cat is None else self.x_cat[begin:end]
        y = None if self.y is None else self.y[begin:end]
        w = None if self.w is None else self.w[begin:end]
        return TensorData(self.x_num[begin:end], x_cat, y, w)

    def take(self, index: torch.Tensor) -> TensorData:
        """Rows at ``index`` (a long tensor on the same device)."""
        x_cat = None if self.x_cat is None else self.x_cat[index]
        y = None if self.y is None else self.y[index]
        w = None if self.w is None else self.w[index]
        return TensorData(self.x_num[index], x_cat, y, w)

    def inputs(self) -> tuple[torch.Tensor, ...]:
        """The module's arguments: ``(x_num,)``, or ``(x_num, x_cat)`` with categorical codes."""
        return (self.x_num,) if self.x_cat is None else (self.x_num, self.x_cat)


@dataclass
class TrainConfig:
    """Optimization settings of one fit (see :class:`~automl.nets.TabularNetClassifier`)."""

    learning_rate: float = 1e-3
    weight_decay: float = 1e-5
    batch_size: int = 256
    max_epochs: int = 100
    patience: int = 10
    lr_schedule: str = "onecycle"
    optimizer: Any = "adamw"
    optimizer_params: dict[str, Any] = field(default_factory=dict)
    keep_checkpoint: bool = False
    grad_clip: float | None = 1.0
    max_time: float | None = None
    amp_dtype: torch.dtype | None = None
    verbose: int = 0


@dataclass
class TrainResult:
    """What a fit loop did.

    ``history`` holds one dict per epoch (``epoch``, ``train_loss``, ``val_loss``;
    ``val_loss`` is None without a validation set); ``best_epoch`` is the epoch whose
    weights were kept (0-based); ``stop_reason`` is ``"max_epochs"``, ``"patience"``
    or ``"max_time"``.
    """

    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    n_epochs: int = 0
    stop_reason: str = "max_epochs"


def _autocast(device: torch.device, dtype: torch.dtype | None) -> AbstractContextManager[Any]:
    if dtype is None:
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def _has_batch_norm(module: nn.Module) -> bool:
    return any(isinstance(m, nn.BatchNorm1d) for m in module.modules())


def _snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


class Trainer:
    """Trains one module on device tensors; each step is a method to override.

    Parameters
    ----------
    module : torch.nn.Module
        Called as ``module(x_num)``, or ``module(x_num, x_cat)`` where the data has
        categorical codes (see :meth:`forward`); already on ``device``.
    config : TrainConfig
    device : torch.device
    generator : torch.Generator
        Source of the batch order (on ``device``).
    class_weight : torch.Tensor or None
        Per-class weights of the cross-entropy, on ``device``.
    """

    def __init__(
        self,
        module: nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        class_weight: torch.Tensor | None = None,
    ) -> None:
        self.module, self.config, self.device = module, config, device
        self.generator, self.class_weight = generator, class_weight
        self.skip_single = _has_batch_norm(module)
        self.deadline: float | None = None
        self.checkpoint: Checkpoint | None = None

    # -- the fit loop ---------------------------------------------------------------
    def fit(
        self, train: TensorData, valid: TensorData | None = None, resume: Checkpoint | None = None
    ) -> TrainResult:
        """Train for up to ``max_epochs``; restore the best weights when validating.

        ``resume`` continues a loop from its :class:`~automl.nets.checkpoint.Checkpoint`
        up to the (larger) ``max_epochs``; a loop stopped by patience stays stopped. With
        ``config.keep_checkpoint``, :attr:`checkpoint` holds the state after the last epoch.
        """
        cfg, start = self.config, time.monotonic()
        if cfg.max_time is not None:
            self.deadline = start + cfg.max_time
        steps = math.ceil(len(train) / cfg.batch_size)
        optimizer = build_optimizer(
            self.module,
            cfg.optimizer,
            cfg.learning_rate,
            cfg.weight_decay,
            cfg.optimizer_params,
            self.device,
        )
        horizon = Horizon(optimizer, cfg.lr_schedule, cfg.max_epochs * steps)
        scaler = torch.amp.GradScaler("cuda") if cfg.amp_dtype == torch.float16 else None
        result, best_loss = TrainResult(), math.inf
        best_state: dict[str, torch.Tensor] | None = None
        if resume is not None:
            args = (self.module, optimizer, horizon, self.generator, self.device)
            result, best_loss, best_state = resume.restore(*args)
        first = cfg.max_epochs if result.stop_reason == "patience" else result.n_epochs
        if first < cfg.max_epochs:
            result.stop_reason = "max_epochs"
        for epoch in range(first, cfg.max_epochs):
            epoch_start = time.monotonic()
            train_loss, timed_out = self.run_epoch(train, optimizer, horizon, scaler)
            val_loss = None if valid is None else self.evaluate_loss(valid)
            result.history.append({"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss})
            result.n_epochs = epoch + 1
            if cfg.verbose:
                print(f"epoch {epoch:4d}  train_loss {train_loss:.5f}  val_loss {val_loss}")
            if val_loss is None or val_loss < best_loss:
                best_loss = math.inf if val_loss is None else val_loss
                result.best_epoch = epoch
                if valid is not None:
                    best_state = _snapshot(self.module)
            elif epoch - result.best_epoch >= cfg.patience:
                result.stop_reason = "patience"
                break
            if timed_out or self._past_deadline():
                result.stop_reason = "max_time"
                break
            if epoch == 1 and cfg.max_time is not None:
                # the first epoch pays one-off costs (lazy init, allocation), so plan from the
                # second: a schedule planned on a slow first epoch collapses to a few steps
                self._fit_horizon(horizon, steps, time.monotonic() - epoch_start, epoch + 1)
        if cfg.keep_checkpoint:
            self.checkpoint = Checkpoint.capture(
                self.module,
                optimizer,
                horizon,
                best_loss,
                best_state,
                result,
                self.generator,
                self.device,
            )
        if best_state is not None:
            self.module.load_state_dict(best_state)
        return result

    def _fit_horizon(self, horizon: Horizon, steps: int, epoch_seconds: float, done: int) -> None:
        """Plan the LR schedule over the epochs the time limit allows, not max_epochs."""
        left = (self.deadline - time.monotonic()) if self.deadline is not None else math.inf
        more = int(min(max(left, 0.0) / max(epoch_seconds, 1e-9), 1e9))
        horizon.total = max(done + 1, min(self.config.max_epochs, done + more)) * steps

    def _past_deadline(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    # -- one epoch ------------------------------------------------------------------
    def run_epoch(
        self,
        train: TensorData,
        optimizer: torch.optim.Optimizer,
        horizon: Horizon,
        scaler: torch.amp.GradScaler | None,
    ) -> tuple[float, bool]:
        """One pass over ``train`` in random batches; returns (mean loss, timed out)."""
        self.module.train()
        n, batch_size = len(train), self.config.batch_size
        order = torch.randperm(n, generator=self.generator, device=self.device)
        total = torch.zeros((), device=self.device)
        seen, timed_out = 0, False
        for begin in range(0, n, batch_size):
            index = order[begin : begin + batch_size]
            size = int(index.shape[0])
            if size < 2 and self.skip_single:
                continue  # batch norm cannot train on one row
            loss = self.train_step(train.take(index), optimizer, scaler)
            horizon.step()
            total.add_(loss, alpha=size)
            seen += size
            if self._past_deadline():  # a clock read, no device sync
                timed_out = True
                break
        return (total / max(seen, 1)).item(), timed_out

    def train_step(
        self,
        batch: TensorData,
        optimizer: torch.optim.Optimizer,
        scaler: torch.amp.GradScaler | None,
    ) -> torch.Tensor:
        """Forward, backward, clip and step on one batch; returns the detached loss.

        A module training several members at once (``(n, k, n_outputs)`` outputs) is
        trained on the mean of its members' losses.
        """
        with _autocast(self.device, self.config.amp_dtype):
            output = self.forward(batch)
        loss = self.batch_loss(*member_rows(output.float(), batch.labels(), batch.w))
        optimizer.zero_grad(set_to_none=True)
        clip = self.config.grad_clip
        if scaler is not None:
            scaler.scale(loss).backward()
            if clip:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(self.module.parameters(), clip)
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            if clip:
                nn.utils.clip_grad_norm_(self.module.parameters(), clip)
            optimizer.step()
        return loss.detach()

    # -- the loss -------------------------------------------------------------------
    def forward(self, batch: TensorData) -> torch.Tensor:
        """The module's output on one batch: ``module(*batch.inputs())``."""
        return self.module(*batch.inputs())

    def batch_loss(
        self, output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Training loss of one batch: the (class- and row-weighted) mean cross-entropy.

        Parameters
        ----------
        output : torch.Tensor
            The module's float32 output on the batch, shape ``(n, n_outputs)``.
        target : torch.Tensor
            The batch's labels (class indices for the classifier).
        weight : torch.Tensor or None, default=None
            Per-row weights (sample weights), or None.

        Returns
        -------
        torch.Tensor
            A scalar to call ``backward`` on.
        """
        if weight is None:
            return F.cross_entropy(output, target, weight=self.class_weight)
        total, weights = self.loss_terms(output, target, weight)
        return total / torch.as_tensor(weights).clamp_min(1e-12)

    def loss_terms(
        self, output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | int]:
        """Sum of the row losses and of the row weights of a chunk, for a weighted mean.

        Parameters
        ----------
        output : torch.Tensor
            The module's float32 output on the chunk, shape ``(n, n_outputs)``.
        target : torch.Tensor
            The chunk's labels.
        weight : torch.Tensor or None, default=None
            Per-row weights (sample weights), or None; multiplied by the class weights.

        Returns
        -------
        losses : torch.Tensor
            Weighted sum of the row losses (a scalar).
        weights : torch.Tensor or int
            Sum of the row weights (the number of rows when unweighted).
        """
        losses = F.cross_entropy(output, target, reduction="none")
        if self.class_weight is not None:
            class_weight = self.class_weight[target]
            weight = class_weight if weight is None else weight * class_weight
        if weight is None:
            return losses.sum(), losses.numel()
        return (losses * weight).sum(), weight.sum()

    # -- evaluation -----------------------------------------------------------------
    def evaluate_loss(self, data: TensorData) -> float:
        """Mean validation loss on ``data`` in eval mode (weighted as in :meth:`loss_terms`)."""
        self.module.eval()
        num = torch.zeros((), device=self.device)
        den = torch.zeros((), device=self.device)
        with torch.inference_mode():
            for begin in range(0, len(data), _EVAL_CHUNK):
                chunk = data.rows(begin, begin + _EVAL_CHUNK)
                with _autocast(self.device, self.config.amp_dtype):
                    output = self.forward(chunk)
                total, weight = self.loss_terms(output.float(), chunk.labels(), chunk.w)
                num += total
                den += weight
        return (num / den.clamp_min(1e-12)).item()


def predict_logits(
    module: nn.Module, data: TensorData, amp_dtype: torch.dtype | None = None
) -> torch.Tensor:
    """Logits of ``module`` on ``data`` in eval mode, as float32 on the CPU."""
    device = data.x_num.device
    module.eval()
    out = []
    with torch.inference_mode():
        for begin in range(0, len(data), _EVAL_CHUNK):
            chunk = data.rows(begin, begin + _EVAL_CHUNK)
            with _autocast(device, amp_dtype):
                logits = module(*chunk.inputs())
            out.append(logits.float())
    if not out:
        return torch.zeros((0, 0))
    return torch.cat(out).cpu()
