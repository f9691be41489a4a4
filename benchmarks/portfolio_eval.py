"""Evaluating portfolio candidates: drawing them, preparing datasets, caching CV scores.

Every candidate is scored as the search scores a configuration: laid over the
family's default in the dataset's graph (:func:`automl.graph.portfolio.overlay_entry`,
the same function that reads a learned portfolio), compiled by the graph and
cross-validated by :func:`automl.evaluate.run_trial` on folds shared by all
candidates of the dataset.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl import metrics as M
from automl.data import encode_target, validate_features
from automl.evaluate import DataRef, TrialTask, run_trial
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.graph.portfolio import overlay_entry
from automl.models import ModelContext, get_family
from automl.regression_target import regression_folds, validate_regression_target
from automl.run_context import RunContext, positive_index
from automl.schema import infer_schema
from automl.search.base import config_key, sample_uniform

#: Per task: the metric scored (the task's default).
METRICS = {"classification": "roc_auc", "regression": "rmse"}


@dataclass(frozen=True)
class Candidate:
    """A configuration tried on every dataset: a partial entry laid over the family default.

    Attributes
    ----------
    id : str
        ``"<family>:default"``, ``"<family>:hand<i>"`` or ``"<family>:rand<i>"``.
    entry : dict
        ``"family"``, node choices and ``"model.<param>"`` values (plain JSON data).
    """

    id: str
    entry: dict[str, Any]

    @property
    def is_default(self) -> bool:
        """Whether this is a family's default (always run; never selected)."""
        return self.id.endswith(":default")


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def make_candidates(
    graph: PipelineGraph, n_random: int, seed: int, ctx: ModelContext
) -> list[Candidate]:
    """Each family's default, hand-written portfolio and ``n_random`` seeded draws.

    Parameters
    ----------
    graph : PipelineGraph
        The graph (its families and spaces).
    n_random : int
        Draws per family from the graph's space for it (node choices included).
    seed : int
        Seed of the draws; each family has its own stream, so adding a family
        leaves the others' draws unchanged.
    ctx : ModelContext
        The reference context the spaces are drawn in (values are moved into each
        dataset's own ranges when evaluated).

    Returns
    -------
    list of Candidate
    """
    out = []
    for fam in graph.families:
        out.append(Candidate(f"{fam}:default", {"family": fam}))
        for i, e in enumerate(get_family(fam).portfolio(ctx)):
            entry = {"family": fam, **{f"model.{k}": _plain(v) for k, v in e.items()}}
            out.append(Candidate(f"{fam}:hand{i}", entry))
        rng = np.random.default_rng([seed, zlib.crc32(fam.encode())])
        space = graph.space(fam, ctx)
        for i in range(n_random):
            values = {k: _plain(v) for k, v in sample_uniform(space, rng).items()}
            out.append(Candidate(f"{fam}:rand{i}", {"family": fam, **values}))
    return out


@dataclass(frozen=True)
class Prepared:
    """One dataset ready for trials: its graph, run context (folds, metric) and rows."""

    name: str
    run: RunContext
    data: DataRef


def subsample(X: pd.DataFrame, y: pd.Series, task: str, max_rows: int | None, seed: int) -> Any:
    """At most ``max_rows`` rows of ``X, y`` (stratified for classes), drawn with ``seed``."""
    if max_rows is None or len(y) <= max_rows:
        return X, y
    from sklearn.model_selection import train_test_split

    strat = None if task == "regression" else y
    X_s, _, y_s, _ = train_test_split(X, y, train_size=max_rows, stratify=strat, random_state=seed)
    return X_s, y_s


def prepare(
    name: str, X: Any, y: Any, task: str, graph: PipelineGraph, n_folds: int, seed: int
) -> Prepared:
    """Validate the rows as a fit does and make the folds every candidate shares.

    Returns
    -------
    Prepared
    """
    X_df = validate_features(X)
    schema = infer_schema(X_df)
    if task == "regression":
        y_fit = validate_regression_target(y, len(X_df))
        if y_fit.min() < 0:  # as AutoMLRegressor: log1p is left out on negative targets
            graph = graph.without_target_transform("log1p")
        folds, _ = regression_folds(n_folds, X_df, y_fit, random_state=seed)
        ctx = ModelContext(task="regression", n_classes=1, n_rows=len(y_fit))
        pos = 1
    else:
        y_fit, classes = encode_target(np.asarray(y))
        folds, _ = make_folds(n_folds, X_df, y_fit, random_state=seed, classes=classes)
        k = len(classes)
        ctx = ModelContext(task="binary" if k == 2 else "multiclass", n_classes=k, n_rows=len(y))
        pos = positive_index(classes, y_fit, None)
    ctx = replace(ctx, n_features=schema.n_features_in, n_threads=1, random_state=seed)
    run = RunContext(graph, schema, folds, ctx, metric=METRICS[task], pos_index=pos, seed=seed)
    return Prepared(name, run, DataRef(X=X_df, y=y_fit))


class ResultCache:
    """Raw CV scores, one JSON line per (dataset, configuration), appended as they finish.

    Parameters
    ----------
    path : str or Path or None
        The JSONL file; None keeps results in memory only.
    """

    def __init__(self, path: str | Path | None) -> None:
        self.path = Path(path) if path is not None else None
        self.records: dict[str, dict[str, Any]] = {}
        if self.path is not None and self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    rec = json.loads(line)
                    self.records[rec["key"]] = rec

    @staticmethod
    def key(dataset: str, setting: str, config: dict[str, Any]) -> str:
        """A stable key: the dataset, the run's setting and a hash of the configuration."""
        digest = hashlib.sha1(config_key(config).encode()).hexdigest()[:16]
        return f"{dataset}|{setting}|{digest}"

    def add(self, record: dict[str, Any]) -> None:
        """Keep ``record`` and append it to the file at once."""
        self.records[record["key"]] = record
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, default=str) + "\n")


def _evaluate(prep: Prepared, config: dict[str, Any], trial_time: float | None) -> dict[str, Any]:
    deadline = time.time() + trial_time if trial_time else None
    task = TrialTask(0, config, prep.run, prep.data, time_limit=trial_time, deadline=deadline)
    res = run_trial(task)
    metric = prep.run.metric
    score = res["mean"].get(metric) if res["status"] == "ok" else None
    return {
        "status": res["status"],
        "error": res["error"],
        "score": score,
        "loss": None if score is None else M.to_loss(metric, float(score)),
        "duration": res["duration"],
    }


def loss_matrix(
    preps: list[Prepared],
    candidates: list[Candidate],
    cache: ResultCache,
    setting: str,
    trial_time: float | None = None,
    n_jobs: int = 1,
    verbose: bool = False,
) -> np.ndarray:
    """CV losses (datasets x candidates), running only what the cache does not hold.

    A candidate that does not apply on a dataset (it chooses what that dataset's
    graph leaves out), a failed one and a timed-out one get NaN.

    Returns
    -------
    ndarray of shape (len(preps), len(candidates))
    """
    from joblib import Parallel, delayed

    losses = np.full((len(preps), len(candidates)), np.nan)
    for d, prep in enumerate(preps):
        configs: dict[str, dict[str, Any]] = {}
        cols: dict[str, list[int]] = {}
        for c, cand in enumerate(candidates):
            fam = cand.entry["family"]
            config = overlay_entry(
                prep.run.graph, fam, cand.entry, prep.run.model, node_fallback=False
            )
            if config is None:
                continue
            key = ResultCache.key(prep.name, setting, config)
            configs[key] = config
            cols.setdefault(key, []).append(c)
        todo = [k for k in configs if k not in cache.records]
        jobs = (delayed(_evaluate)(prep, configs[k], trial_time) for k in todo)
        for key, res in zip(
            todo, Parallel(n_jobs=n_jobs, return_as="generator")(jobs), strict=True
        ):
            ids = [candidates[c].id for c in cols[key]]
            cache.add(
                {"key": key, "dataset": prep.name, "candidates": ids, **res, "config": configs[key]}
            )
            if verbose:
                print(f"  {prep.name:<24} {ids[0]:<22} {res['status']:<8} {res['score']}")
        for key, columns in cols.items():
            loss = cache.records[key].get("loss")
            losses[d, columns] = np.nan if loss is None else float(loss)
    return losses
