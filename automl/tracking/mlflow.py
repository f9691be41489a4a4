"""Log a fitted AutoML run to MLflow: parameters, the trial leaderboard, the report and the model.

MLflow is an optional extra (``pip install automl-tabular[mlflow]``, which brings
``mlflow-skinny``) imported only here, when :func:`log_run` is called. The run is
logged through an :class:`mlflow.tracking.MlflowClient` for the given URI, so no
global MLflow state (active run, tracking URI) of the caller changes.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError, MissingDependencyError

#: Longest parameter value logged (MLflow's own limit is larger on recent servers).
MAX_PARAM_CHARS = 500
#: Metrics sent per request (MLflow accepts at most 1000 per batch).
BATCH = 1000
DEFAULT_EXPERIMENT = "automl"


def _client(tracking_uri: str | None) -> Any:
    try:
        from mlflow.tracking import MlflowClient
    except ImportError:
        raise MissingDependencyError(
            "Logging to MLflow needs the mlflow package, which is not installed. "
            "Hint: pip install automl-tabular[mlflow] (or mlflow-skinny)."
        ) from None
    try:
        return MlflowClient(tracking_uri=tracking_uri)
    except Exception as exc:  # MLflow refuses the URI (unknown scheme, file store disabled, ...)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"MLflow cannot use tracking_uri={tracking_uri!r}: {first} Hint: pass the URI of "
            "a tracking server (http://...) or a store MLflow accepts here."
        ) from None


def _params(estimator: Any) -> dict[str, str]:
    params = {
        k: str(v if isinstance(v, (str, int, float, bool, type(None))) else repr(v))
        for k, v in estimator.get_params(deep=False).items()
    }
    params["metric_name"] = str(estimator.metric_)
    best = getattr(estimator, "best_config_", None) or {}
    params.update({f"best.{k}": str(v) for k, v in best.items()})
    return {k[:250]: v[:MAX_PARAM_CHARS] for k, v in params.items()}


def _trial_metrics(estimator: Any, now: int) -> list[Any]:
    """Every reported metric of every successful trial (step = trial id), and its duration."""
    from mlflow.entities import Metric

    out = []
    for record in estimator.trials_:
        step = int(record.get("trial", 0))
        values = dict(record.get("mean") or {}) if record.get("status") == "ok" else {}
        values["duration"] = record.get("duration")
        for name, value in values.items():
            if value is not None and math.isfinite(float(value)):
                out.append(Metric(f"trial_{name}", float(value), now, step))
    score = getattr(estimator, "cv_score_", None)
    if score is not None and math.isfinite(float(score)):
        out.append(Metric(f"cv_{estimator.metric_}", float(score), now, 0))
    return out


def log_run(
    estimator: Any,
    *,
    experiment: str | None = None,
    tracking_uri: str | None = None,
    run_name: str | None = None,
) -> str:
    """Log a fitted run to MLflow and return the MLflow run id.

    Logged: the estimator's parameters and the best configuration (``best.*``)
    as parameters; every reported metric of every successful trial as
    ``trial_<metric>`` with the trial id as step, each trial's ``trial_duration``,
    and the final model's ``cv_<metric>``; as artifacts the run report
    (``report/report.html``), the leaderboard (``leaderboard.csv``), the saved model
    (``model/model.joblib``, a joblib pickle: load it with :func:`automl.load`) and,
    for a run with ``log_dir``, the trial log folder (``trial_log/``).

    Parameters
    ----------
    estimator : AutoMLClassifier or AutoMLRegressor
        A fitted run.
    experiment : str or None, default=None
        MLflow experiment name, created when missing; None: ``"automl"``.
    tracking_uri : str or None, default=None
        Where MLflow stores runs; None: MLflow's default (``MLFLOW_TRACKING_URI``).
    run_name : str or None, default=None
        Name of the MLflow run; None: MLflow picks one.

    Returns
    -------
    str
        The MLflow run id.

    Raises
    ------
    MissingDependencyError
        When mlflow is not installed.
    ConfigError
        When MLflow refuses ``tracking_uri``.
    NotFittedError
        When ``estimator`` is not fitted.

    Examples
    --------
    >>> from automl.tracking.mlflow import log_run
    >>> log_run(clf, experiment="churn", tracking_uri="http://mlflow:5000")  # doctest: +SKIP
    """
    estimator._check_fitted()
    client = _client(tracking_uri)
    name = experiment or DEFAULT_EXPERIMENT
    found = client.get_experiment_by_name(name)
    experiment_id = found.experiment_id if found is not None else client.create_experiment(name)
    tags = {"automl.estimator": type(estimator).__name__, "automl.metric": str(estimator.metric_)}
    run_id = client.create_run(experiment_id, run_name=run_name, tags=tags).info.run_id
    try:
        _log(client, run_id, estimator)
    except BaseException:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
    return str(run_id)


def _log(client: Any, run_id: str, estimator: Any) -> None:
    from mlflow.entities import Param

    params = [Param(k, v) for k, v in _params(estimator).items()]
    for i in range(0, len(params), 100):  # MLflow takes at most 100 parameters per batch
        client.log_batch(run_id, params=params[i : i + 100])
    metrics = _trial_metrics(estimator, int(time.time() * 1000))
    for i in range(0, len(metrics), BATCH):
        client.log_batch(run_id, metrics=metrics[i : i + BATCH])
    with tempfile.TemporaryDirectory(prefix="automl-mlflow-") as tmp:
        folder = Path(tmp)
        estimator.report(str(folder / "report.html"))
        client.log_artifact(run_id, str(folder / "report.html"), "report")
        estimator.leaderboard_.to_csv(folder / "leaderboard.csv", index=False)
        client.log_artifact(run_id, str(folder / "leaderboard.csv"))
        client.log_artifact(run_id, estimator.save(str(folder / "model.joblib")), "model")
    log_dir = getattr(estimator, "log_dir", None)
    if log_dir and Path(log_dir).is_dir():
        client.log_artifacts(run_id, str(log_dir), "trial_log")
