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

_EVAL_CHUNK = 16384


@dataclass
class TensorData:
    """Rows of a data set as device tensors: numeric, categorical indices, labels."""

    x_num: torch.Tensor
    x_cat: torch.Tensor | None
    y: torch.Tensor | None = None

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
        return TensorData(self.x_num[begin:end], x_cat, y)

    def take(self, index: torch.Tensor) -> TensorData:
        """Rows at ``index`` (a long tensor on the same device)."""
        x_cat = None if self.x_cat is None else self.x_cat[index]
        y = None if self.y is None else self.y[index]
        return TensorData(self.x_num[index], x_cat, y)


@dataclass
class TrainConfig:
    """Optimization settings of one fit (see :class:`~automl.nets.TabularNetClassifier`)."""

    learning_rate: float = 1e-3
    weight_decay: float = 1e-5
    batch_size: int = 256
    max_epochs: int = 100
    patience: int = 10
    lr_schedule: str = "onecycle"
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


def schedule_factor(kind: str, step: int, total: int) -> float:
    """Learning-rate multiplier at optimizer step ``step`` of ``total``.

    ``"onecycle"``: cosine warm-up from lr/25 to lr over the first 30% of steps, then
    cosine annealing to about lr/25e4. ``"cosine"``: linear warm-up over the first 5%
    of steps, then cosine annealing to 0. Steps past ``total`` keep the final value.
    """
    total = max(total, 2)
    step = min(step, total)
    if kind == "onecycle":
        warm = max(1, int(0.3 * total))
        start, end = 1 / 25, 1 / 25e4
        if step < warm:
            return start + (1 - start) * (1 - math.cos(math.pi * step / warm)) / 2
        progress = (step - warm) / max(1, total - warm)
        return end + (1 - end) * (1 + math.cos(math.pi * progress)) / 2
    warm = max(1, int(0.05 * total))
    if step < warm:
        return (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    return 0.5 * (1 + math.cos(math.pi * progress))


class _Horizon:
    """The learning-rate schedule of one fit, applied to an optimizer step by step.

    ``total`` is the planned number of optimizer steps; it is shrunk once a time limit
    shows it unreachable. Setting the rate directly costs less per step than a
    ``torch.optim.lr_scheduler`` object, which matters where steps are launch-bound (GPU).
    """

    def __init__(self, optimizer: torch.optim.Optimizer, kind: str, total: int) -> None:
        self.optimizer, self.kind, self.total, self.step_count = optimizer, kind, total, 0
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self._apply()

    def __call__(self, step: int) -> float:
        return schedule_factor(self.kind, step, self.total)

    def step(self) -> None:
        """Advance one optimizer step and set the learning rate for the next."""
        self.step_count += 1
        self._apply()

    def _apply(self) -> None:
        factor = self(self.step_count)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * factor


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
        Called as ``module(x_num, x_cat)``; already on ``device``.
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

    # -- the fit loop ---------------------------------------------------------------
    def fit(self, train: TensorData, valid: TensorData | None = None) -> TrainResult:
        """Train for up to ``max_epochs``; restore the best weights when validating."""
        cfg, start = self.config, time.monotonic()
        if cfg.max_time is not None:
            self.deadline = start + cfg.max_time
        steps = math.ceil(len(train) / cfg.batch_size)
        optimizer = torch.optim.AdamW(
            self.module.parameters(),
            lr=cfg.learning_rate,
            weight_decay=cfg.weight_decay,
            # one fused kernel per step instead of a few per parameter: small tabular nets
            # are launch-bound on a GPU, where this is most of a step's cost
            fused=self.device.type == "cuda",
        )
        horizon = _Horizon(optimizer, cfg.lr_schedule, cfg.max_epochs * steps)
        scaler = torch.amp.GradScaler("cuda") if cfg.amp_dtype == torch.float16 else None
        result, best_loss = TrainResult(), math.inf
        best_state: dict[str, torch.Tensor] | None = None
        for epoch in range(cfg.max_epochs):
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
        if best_state is not None:
            self.module.load_state_dict(best_state)
        return result

    def _fit_horizon(self, horizon: _Horizon, steps: int, epoch_seconds: float, done: int) -> None:
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
        horizon: _Horizon,
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
        """Forward, backward, clip and step on one batch; returns the detached loss."""
        with _autocast(self.device, self.config.amp_dtype):
            output = self.module(batch.x_num, batch.x_cat)
        loss = self.batch_loss(output.float(), batch.labels())
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
    def batch_loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Training loss of one batch: (class-weighted) mean cross-entropy.

        Parameters
        ----------
        output : torch.Tensor
            The module's float32 output on the batch, shape ``(n, n_outputs)``.
        target : torch.Tensor
            The batch's labels (class indices for the classifier).

        Returns
        -------
        torch.Tensor
            A scalar to call ``backward`` on.
        """
        return F.cross_entropy(output, target, weight=self.class_weight)

    def loss_terms(
        self, output: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | int]:
        """Sum of the row losses and of the row weights of a chunk, for a validation mean.

        Parameters
        ----------
        output : torch.Tensor
            The module's float32 output on the chunk, shape ``(n, n_outputs)``.
        target : torch.Tensor
            The chunk's labels.

        Returns
        -------
        losses : torch.Tensor
            Weighted sum of the row losses (a scalar).
        weights : torch.Tensor or int
            Sum of the row weights (the number of rows when unweighted).
        """
        losses = F.cross_entropy(output, target, reduction="none")
        if self.class_weight is None:
            return losses.sum(), losses.numel()
        weights = self.class_weight[target]
        return (losses * weights).sum(), weights.sum()

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
                    output = self.module(chunk.x_num, chunk.x_cat)
                total, weight = self.loss_terms(output.float(), chunk.labels())
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
                logits = module(chunk.x_num, chunk.x_cat)
            out.append(logits.float())
    if not out:
        return torch.zeros((0, 0))
    return torch.cat(out).cpu()
