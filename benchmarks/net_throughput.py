"""Training throughput of TabularNetClassifier against a bare PyTorch loop.

Acceptance check of GitHub issue 4: on a seeded synthetic data set the estimator
(validation, early stopping and time checks included, but no validation split)
must train at least 0.9 times as many samples per second as a hand-written loop
over the same :class:`~automl.nets.module.TabularMLP`, batch size and optimizer.

Run::

    python -m benchmarks.net_throughput --rows 100000 --cols 50 --epochs 3 \
        --batch-size 512 --device auto
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification

from automl.nets import TabularNetClassifier
from automl.nets.device import amp_dtype, resolve_device, torch_threads
from automl.nets.module import TabularMLP

NET = dict(hidden_width=256, depth=2, dropout=0.1, residual=True, norm="batch")
LEARNING_RATE, WEIGHT_DECAY = 1e-3, 1e-5


def make_data(rows: int, cols: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A seeded synthetic classification problem."""
    X, y = make_classification(
        n_samples=rows, n_features=cols, n_informative=max(2, cols // 2), random_state=seed
    )
    return X.astype(np.float32), y


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_family(X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> float:
    """Seconds for ``TabularNetClassifier.fit`` over ``args.epochs`` epochs."""
    clf = TabularNetClassifier(
        **NET,
        learning_rate=LEARNING_RATE,
        weight_decay=WEIGHT_DECAY,
        batch_size=args.batch_size,
        max_epochs=args.epochs,
        validation_fraction=0.0,
        device=args.device,
        n_threads=args.threads,
        random_state=0,
    )
    start = time.perf_counter()
    clf.fit(X, y)
    _sync(torch.device(clf.device_))
    elapsed = time.perf_counter() - start
    if clf.n_epochs_ != args.epochs:
        raise RuntimeError(f"family ran {clf.n_epochs_} epochs, expected {args.epochs}")
    return elapsed


def time_bare(X: np.ndarray, y: np.ndarray, args: argparse.Namespace) -> float:
    """Seconds for a hand-written loop: same module, batch size, optimizer and AMP."""
    device = resolve_device(args.device)
    dtype = amp_dtype(device)
    with torch_threads(args.threads):
        start = time.perf_counter()
        Xs = (X - X.mean(axis=0)) / X.std(axis=0)
        x = torch.from_numpy(np.ascontiguousarray(Xs, dtype=np.float32)).to(device)
        t = torch.from_numpy(y.astype(np.int64)).to(device)
        torch.manual_seed(0)
        net = TabularMLP(X.shape[1], [], int(y.max()) + 1, **NET).to(device)
        optimizer = torch.optim.AdamW(
            net.parameters(),
            lr=LEARNING_RATE,
            weight_decay=WEIGHT_DECAY,
            fused=bool(args.fused_bare and device.type == "cuda"),
        )
        net.train()
        for _ in range(args.epochs):
            order = torch.randperm(len(t), device=device)
            for begin in range(0, len(t), args.batch_size):
                index = order[begin : begin + args.batch_size]
                with torch.autocast(device.type, dtype=dtype, enabled=dtype is not None):
                    logits = net(x[index])
                loss = F.cross_entropy(logits.float(), t[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
        _sync(device)
        return time.perf_counter() - start


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument(
        "--fused-bare",
        action="store_true",
        help="give the bare loop the fused AdamW kernel the family uses on CUDA",
    )
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of each; best kept")
    args = parser.parse_args(argv)

    X, y = make_data(args.rows, args.cols)
    warm = argparse.Namespace(**{**vars(args), "epochs": 1})
    time_bare(X[:5000], y[:5000], warm)  # thread pools, allocator, kernels
    time_family(X[:5000], y[:5000], warm)

    family_s, bare_s = [], []
    for _ in range(args.repeats):  # interleaved, so drift in machine load hits both
        bare_s.append(time_bare(X, y, args))
        family_s.append(time_family(X, y, args))
    samples = args.rows * args.epochs
    family_rate, bare_rate = samples / min(family_s), samples / min(bare_s)
    ratio = family_rate / bare_rate
    device = resolve_device(args.device)
    print(
        f"device={device} threads={args.threads or torch.get_num_threads()} "
        f"rows={args.rows} cols={args.cols} epochs={args.epochs} batch={args.batch_size}"
    )
    for name, rate, runs in (("family", family_rate, family_s), ("bare", bare_rate, bare_s)):
        runs_text = ", ".join(f"{s:.2f}s" for s in runs)
        print(f"{name:8s}{rate:12,.0f} samples/s  (runs: {runs_text})")
    verdict = "PASS" if ratio >= 0.9 else "FAIL"
    print(f"ratio family/bare = {ratio:.3f}  (target >= 0.9: {verdict})")
    return ratio


if __name__ == "__main__":
    main()
