"""Preprocessing steps: scikit-learn transformers that the pipeline graph assembles.

Each module holds one step, e.g. :mod:`automl.steps.datetime_features`.
"""
