"""Logging fitted runs to experiment trackers (optional extras, never imported by the core).

:func:`automl.tracking.mlflow.log_run` logs a run to MLflow
(``pip install automl-tabular[mlflow]``).
"""
