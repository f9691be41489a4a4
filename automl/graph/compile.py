"""Compilation: one configuration of a pipeline graph turned into an unfitted Pipeline,
and a plain description of a fitted pipeline's steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imblearn.pipeline import Pipeline

from ..exceptions import ConfigError
from ..models import ModelContext, ModelFamily, get_family
from ..schema import Schema
from ..steps.preprocess import build_preprocessor
from ..steps.raw import RawInput
from ..steps.resample import SafeResampler
from ..steps.scale import build_scaler
from ..steps.target import with_target_transform

if TYPE_CHECKING:
    from .graph import PipelineGraph


def compile_pipeline(
    graph: PipelineGraph, config: dict[str, Any], schema: Schema, ctx: ModelContext
) -> Pipeline:
    """The unfitted imbalanced-learn ``Pipeline`` of ``config``: see ``PipelineGraph.compile``."""
    family = config.get("family")
    if family not in graph.families:
        raise ConfigError(
            f"Configuration family {family!r} is not in graph {graph.name!r} "
            f"(families: {list(graph.families)})."
        )
    fam = get_family(family)
    if fam.raw_input:
        return _compile_raw(fam, config, schema, ctx)
    mctx = graph.model_context(config, schema, ctx)
    steps: list[tuple[str, Any]] = [
        (
            "preprocess",
            build_preprocessor(
                schema,
                encoding=graph.encoding_for(config),
                numeric_impute=config.get("impute", "median"),
                random_state=ctx.random_state,
            ),
        )
    ]
    scaler = (
        build_scaler(config.get("scale", "none"), n_rows=ctx.n_rows, random_state=ctx.random_state)
        if fam.scale_sensitive
        else None
    )
    if scaler is not None:
        steps.append(("scale", scaler))
    if config.get("resample", "none") != "none":
        steps.append(
            (
                "resample",
                SafeResampler(
                    method=config["resample"],
                    sampling_strategy=float(config.get("resample.sampling_strategy", 1.0)),
                    k_neighbors=int(config.get("resample.k_neighbors", 5)),
                    categorical_features=mctx.categorical_features,
                    random_state=ctx.random_state,
                ),
            )
        )
    params = _model_params(fam, config)
    params["class_weight"] = config.get("class_weight", "none")
    model = fam.build(params, mctx)
    if ctx.is_regression:
        model = with_target_transform(model, config.get("target", "none"), ctx.n_rows)
    steps.append(("model", model))
    return Pipeline(steps)


def _model_params(fam: ModelFamily, config: dict[str, Any]) -> dict[str, Any]:
    """The family's hyperparameters of ``config`` (and its fidelity, when it reads one)."""
    params = {k[len("model.") :]: v for k, v in config.items() if k.startswith("model.")}
    if fam.reads_fidelity and "fidelity" in config:
        params["fidelity"] = config["fidelity"]
    return params


def _compile_raw(
    fam: ModelFamily, config: dict[str, Any], schema: Schema, ctx: ModelContext
) -> Pipeline:
    """A raw family's pipeline: its model alone, on the columns as the user gave them."""
    model = RawInput(
        fam.build(_model_params(fam, config), ctx),
        as_array=not schema.from_dataframe,
        fit_params=dict(fam.fit_params),
        warm=fam.warm_store,
    )
    return Pipeline([("model", model)])


def describe_steps(pipeline: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """``(name, class name, plain parameters)`` of each step of a fitted pipeline.

    Parameters
    ----------
    pipeline : Pipeline or estimator
        A pipeline with ``steps``; anything else has no steps to describe.

    Returns
    -------
    list of tuple
        Parameters are kept when they are plain values, else replaced by their type's name.
    """
    out = []
    for name, step in getattr(pipeline, "steps", []):
        try:
            params = step.get_params(deep=False)
        except Exception:
            params = {}
        plain = {
            k: v if isinstance(v, (int, float, str, bool, type(None))) else type(v).__name__
            for k, v in params.items()
            if not k.startswith("_") and k != "transformers"
        }
        out.append((name, type(step).__name__, plain))
    return out
