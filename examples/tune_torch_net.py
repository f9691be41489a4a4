"""Tune a small PyTorch net on a bundled dataset: learning rate, batch size, epochs and width.

The net is an ordinary ``torch.nn.Module``; :class:`automl.nets.TorchClassifier`
builds it as ``MLP(n_features, n_classes, **module__params)`` and trains it with
early stopping, so any scikit-learn tool takes it: here ``cross_val_score`` on the
untuned net, inside a pipeline that scales the features within each fold.

``SPACE`` is the search space over the pipeline's parameters (nested names, as
``set_params`` takes them): ``lr``, ``batch_size``, ``max_epochs`` (the resource of a
multi-fidelity search) and the module's own ``hidden`` width.

Run from the repository root: ``python examples/tune_torch_net.py`` (a few seconds on a
CPU).
"""

from __future__ import annotations

import time

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from automl.nets import TorchClassifier
from automl.space import Categorical, Integer, Real


class MLP(nn.Module):
    """Two hidden layers of ``hidden`` units with dropout; one logit per class."""

    def __init__(self, n_features: int, n_classes: int, hidden: int = 64, dropout: float = 0.1):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.layers(x)


#: What a search tunes, by the pipeline's nested parameter names.
SPACE = {
    "torchclassifier__lr": Real(1e-4, 1e-1, log=True),
    "torchclassifier__batch_size": Categorical([32, 64, 128]),
    "torchclassifier__max_epochs": Integer(2, 50),
    "torchclassifier__module__hidden": Integer(16, 512, log=True),
}


def make_net(random_state: int = 0) -> Pipeline:
    """Scaling, then the net (the scaler is fitted inside each training fold).

    One torch thread: a net this small trains faster on one core than split across
    several, and parallel trials or folds each get their own.
    """
    net = TorchClassifier(MLP, n_threads=1, random_state=random_state)
    return make_pipeline(StandardScaler(), net)


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    start = time.perf_counter()
    scores = cross_val_score(make_net(), X, y, cv=cv, scoring="roc_auc")
    seconds = time.perf_counter() - start
    print(f"breast cancer, {len(y)} rows, {X.shape[1]} features; 5-fold CV ROC AUC")
    print(f"{'configuration':<14} {'mean':>6} {'std':>6} {'seconds':>8}")
    print(f"{'untuned':<14} {scores.mean():6.4f} {scores.std():6.4f} {seconds:8.1f}")
    print("search space:", ", ".join(f"{k.split('__', 1)[1]}={v}" for k, v in SPACE.items()))


if __name__ == "__main__":
    main()
