"""Thin benchmark entry points over :mod:`automl.bench`."""
