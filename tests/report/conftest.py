"""Fake fitted runs and benchmark results for the report tests.

A fake run is a ``SimpleNamespace`` carrying the fitted attributes that
``AutoMLClassifier`` documents, with out-of-fold probabilities from two
quickly cross-validated scikit-learn models, so the curves are realistic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from automl.metrics import REPORTED, score_all
from automl.thresholds import tune_threshold

FAMILIES = ("logreg", "random_forest", "hist_gb", "xgboost")


@dataclass(frozen=True)
class FakeSchema:
    numeric: tuple[str, ...]
    categorical: tuple[str, ...] = ()
    high_cardinality: tuple[str, ...] = ()
    boolean: tuple[str, ...] = ()
    datetime: tuple[str, ...] = ()
    dropped: tuple[str, ...] = ()


@lru_cache(maxsize=2)
def _oof(kind: str):
    X, y = (load_breast_cancer if kind == "binary" else load_wine)(return_X_y=True, as_frame=True)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    rf = RandomForestClassifier(n_estimators=25, max_depth=5, random_state=0)
    p_lr = cross_val_predict(lr, X, y, cv=3, method="predict_proba")
    p_rf = cross_val_predict(rf, X, y, cv=3, method="predict_proba")
    return X, y.to_numpy(), p_lr, p_rf


def make_fake_run(kind: str = "binary", metric: str = "f1", n_trials: int = 12) -> SimpleNamespace:
    """A fitted-looking run on breast_cancer (``"binary"``) or wine (``"multiclass"``)."""
    X, y, p_lr, p_rf = _oof(kind)
    rng = np.random.default_rng(0)
    binary = kind == "binary"
    classes = np.array(["benign", "malignant"] if binary else ["class_0", "class_1", "class_2"])
    pos = 1
    proba = 0.6 * p_lr + 0.4 * p_rf
    threshold = tune_threshold(y, proba[:, pos], metric) if binary else None
    trials, rows, clock = [], [], 0.0
    for i in range(n_trials):
        family = FAMILIES[i % len(FAMILIES)]
        base = p_lr if family == "logreg" else p_rf
        scores = score_all(y, base, pos_index=pos)
        mean = {
            m: v + (1 if m == "log_loss" else -1) * rng.uniform(0, 0.03) for m, v in scores.items()
        }
        std = {m: rng.uniform(0.002, 0.02) for m in REPORTED}
        status, error = "ok", None
        if i == 5:
            status, error, mean, std = "failed", "ValueError: Input X contains NaN.", {}, {}
        if i == 8:
            status, error, mean, std = "timeout", "trial exceeded its 4.0 s budget", {}, {}
        steps = {
            "impute": rng.uniform(0.01, 0.05),
            "encode": rng.uniform(0.01, 0.08),
            "scale": rng.uniform(0.005, 0.02),
            "model": rng.uniform(0.2, 2.5),
        }
        duration = sum(steps.values()) * 3 + 0.05
        config = {
            "model": family,
            "impute__strategy": "median",
            "model__C": float(rng.uniform(0.01, 10)),
        }
        trial = {
            "trial": i,
            "family": family,
            "config": config,
            "status": status,
            "error": error,
            "mean": mean,
            "std": std,
            "fit_time": duration * 0.9,
            "duration": duration,
            "started": clock,
            "finished": clock + duration,
            "step_times": steps,
            "notes": ["stopped after 2 of 3 folds: cannot beat the best"] if i == 10 else [],
        }
        clock += duration
        trials.append(trial)
        row = {"trial": i, "family": family, "status": status}
        for m in REPORTED:
            row[f"{m}_mean"], row[f"{m}_std"] = mean.get(m, np.nan), std.get(m, np.nan)
        tuned = binary and status == "ok"
        row.update(
            threshold_mean=(threshold + rng.normal(0, 0.02)) if tuned else np.nan,
            threshold_std=0.03 if tuned else np.nan,
            fit_time=trial["fit_time"],
            duration=duration,
            started=trial["started"],
            error=error,
            config=config,
        )
        rows.append(row)
    board = pd.DataFrame(rows)
    board["_failed"] = board["status"] != "ok"
    board = board.sort_values(["_failed", f"{metric}_mean"], ascending=[True, False])
    board = board.drop(columns="_failed").reset_index(drop=True)
    ok_trials = board.loc[board["status"] == "ok", "trial"].tolist()
    counts = np.bincount(y)
    return SimpleNamespace(
        classes_=classes,
        metric_=metric,
        pos_index_=pos,
        schema_=FakeSchema(
            numeric=tuple(X.columns[:-2]), categorical=(X.columns[-2],), dropped=("row_id",)
        ),
        profile_={
            "n_rows": len(y),
            "n_columns": X.shape[1] + 1,
            "class_balance": [
                {"label": str(c), "count": int(n), "share": n / len(y)}
                for c, n in zip(classes, counts, strict=False)
            ],
            "minority_share": float(counts.min() / len(y)),
            "imbalance_ratio": float(counts.max() / counts.min()),
            "missing": {
                "total_cells": 42,
                "share": 42 / (len(y) * X.shape[1]),
                "per_column": {X.columns[0]: 30, X.columns[3]: 12},
            },
            "dropped": [{"column": "row_id", "reason": "unique identifier"}],
            "notes": ["column 'row_id' dropped: unique identifier"],
        },
        leaderboard_=board,
        trials_=trials,
        best_config_=trials[ok_trials[0]]["config"],
        ensemble_=[{"trial": ok_trials[0], "weight": 0.6}, {"trial": ok_trials[1], "weight": 0.4}],
        threshold_=threshold,
        threshold_std_=0.03 if binary else None,
        oof_proba_=proba,
        oof_y_=y,
        cv_score_=score_all(y, proba, threshold=threshold)[metric],
        timings_={
            "budget": 60.0,
            "search": clock,
            "refit": 2.1,
            "total": clock + 2.4,
            "predicted_refit": 1.8,
        },
        refit_step_times_={"impute": 0.02, "encode": 0.04, "scale": 0.01, "model": 1.9},
        best_pipeline_steps_=[
            ("impute", "SimpleImputer", {"strategy": "median"}),
            ("encode", "OneHotEncoder", {"handle_unknown": "ignore", "min_frequency": 0.01}),
            ("scale", "StandardScaler", {}),
            (
                "model",
                "LogisticRegression",
                {
                    "C": 0.8123456,
                    "class_weight": "balanced",
                    "max_iter": 500,
                    "penalty": "l2",
                    "solver": "lbfgs",
                },
            ),
        ],
        graph_description_={
            "name": "default",
            "nodes": [
                {"name": "impute", "choices": {"median": {}, "mean": {}}},
                {"name": "encode", "choices": {"onehot": {"min_frequency": "[0.0, 0.05]"}}},
                {
                    "name": "model",
                    "choices": {
                        "logreg": {"C": "log-uniform [1e-3, 1e2]"},
                        "random_forest": {
                            "n_estimators": "[50, 500]",
                            "max_depth": "[2, 20] or None",
                        },
                    },
                },
            ],
        },
    )


SYSTEMS = ("automl", "flaml", "random_forest", "constant")


def write_fake_results(root: Path, n_datasets: int = 6, seeds: int = 2) -> Path:
    """Benchmark JSONL cells in two files (one nested), with failures and a truncated line."""
    rng = np.random.default_rng(1)
    strength = {"automl": 0.92, "flaml": 0.91, "random_forest": 0.88, "constant": 0.5}
    lines: dict[str, list[str]] = {"automl": [], "others": []}
    for d in range(n_datasets):
        for system in SYSTEMS:
            for seed in range(seeds):
                status, error = "ok", None
                if system == "flaml" and d == 2 and seed == 0:
                    status, error = "failed", "MemoryError: unable to allocate 3.1 GiB"
                if system == "random_forest" and d == 4:
                    status, error = "timeout", "exceeded budget by more than 50%"
                base = strength[system] + rng.normal(0, 0.02)
                scores = (
                    None
                    if status != "ok"
                    else {
                        "roc_auc": min(base, 1.0),
                        "average_precision": base - 0.05,
                        "log_loss": 1.1 - base,
                        "f1": base - 0.1,
                        "balanced_accuracy": base - 0.08,
                        "accuracy": base - 0.05,
                        "mcc": base - 0.3,
                        "precision": base - 0.1,
                        "recall": base - 0.12,
                    }
                )
                ratio = rng.uniform(0.6, 1.0) if system != "flaml" else rng.uniform(0.9, 1.15)
                cell = {
                    "dataset": f"dataset_{d}",
                    "suite": "small",
                    "system": system,
                    "system_version": "0.1.0",
                    "seed": seed,
                    "budget": 60.0,
                    "metric": "roc_auc",
                    "status": status,
                    "error": error,
                    "scores": scores,
                    "cv_score": None if scores is None else base,
                    "fit_time": 60 * ratio,
                    "predict_time": 0.1,
                    "peak_memory_mb": 300 + 50 * d,
                    "budget_ratio": ratio * (1.6 if status == "timeout" else 1.0),
                    "n_rows": 1000 * (d + 1),
                    "n_features": 10 + d,
                    "n_classes": 2 + d % 2,
                    "minority_share": 0.2,
                    "timestamp": "2025-01-01T00:00:00",
                }
                lines["automl" if system == "automl" else "others"].append(json.dumps(cell))
    (root / "nested").mkdir(parents=True, exist_ok=True)
    (root / "automl.jsonl").write_text("\n".join(lines["automl"]) + "\n")
    (root / "nested" / "baselines.jsonl").write_text(
        "\n".join(lines["others"]) + '\n{"dataset": "trunc\n'
    )
    return root


@pytest.fixture(scope="session")
def binary_run() -> SimpleNamespace:
    return make_fake_run("binary")


@pytest.fixture(scope="session")
def multiclass_run() -> SimpleNamespace:
    return make_fake_run("multiclass", metric="balanced_accuracy")


@pytest.fixture()
def results_dir(tmp_path: Path) -> Path:
    return write_fake_results(tmp_path / "results")


@pytest.fixture(scope="session")
def shared_results_dir(tmp_path_factory) -> Path:
    """Like ``results_dir``, shared by a session's tests: do not modify it."""
    return write_fake_results(tmp_path_factory.mktemp("shared") / "results")
