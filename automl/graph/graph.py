"""The pipeline graph: nodes with choices, compiled into one imbalanced-learn Pipeline.

A configuration is a flat dict such as ``{"family": "xgboost", "scale": "none",
"resample": "smote", "resample.k_neighbors": 5, "class_weight": "none",
"model.max_depth": 6}``. Node choices that cannot matter for a family (scaling
for trees, class weights for a family without them) are left out of its space.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from imblearn.pipeline import Pipeline

from ..exceptions import ConfigError
from ..models import ModelContext, family_names, get_family
from ..models.base import TaskKind
from ..schema import Schema
from ..space import (
    Categorical,
    Dimension,
    Integer,
    Real,
    Space,
    describe_dimension,
    dimension_from_spec,
)
from ..steps.preprocess import build_preprocessor, n_leading_categorical
from ..steps.resample import SAMPLERS, SafeResampler
from ..steps.scale import SCALERS, build_scaler
from ..steps.target import TARGET_TRANSFORMS, with_target_transform
from .preset import load_preset

_ENCODINGS = ("auto", "onehot", "ordinal")
_IMPUTERS = ("median", "mean")
_WEIGHTS = ("none", "balanced")


def _into(dim: Dimension, value: Any) -> Any:
    """``value`` moved into ``dim``'s range, or None for a choice ``dim`` does not hold."""
    if isinstance(dim, Categorical):
        return value if dim.contains(value) else None
    clipped = min(max(value, dim.low), dim.high)
    return int(round(clipped)) if isinstance(dim, Integer) else float(clipped)


def _check_families(families: tuple[str, ...] | list[str], task: str, graph: str) -> None:
    """Every family must be registered (typos get suggestions) and support ``task``."""
    for name in families:
        if not get_family(name).supports(task):
            able = [f for f in family_names() if get_family(f).supports(task)]
            raise ConfigError(
                f"Model family {name!r} cannot do {task} (graph {graph!r}); families that "
                f"can: {able}."
            )


def _choices(
    node: dict[str, Any], key: str, default: list[str], valid: tuple[str, ...], what: str
) -> tuple[str, ...]:
    values = tuple(node.get(key, default))
    bad = [v for v in values if v not in valid]
    if bad or not values:
        raise ConfigError(
            f"The {what} choices must be a non-empty subset of {list(valid)}; got {list(values)}."
        )
    return values


@dataclass(frozen=True)
class PipelineGraph:
    """A preset turned into a searchable graph.

    Attributes
    ----------
    name : str
    families : tuple of str
        Model families at the model node.
    impute, encode, scale, resample, class_weight, target : tuple of str
        Choices at each node; the first is the default. ``target`` (regression)
        transforms the target inside each training fold.
    resample_space : dict
        Dimensions of the sampler's parameters (``sampling_strategy``, ``k_neighbors``).
    overrides : dict
        Per-family replacement dimensions, ``{family: {param: Dimension}}``.
    portfolio : bool
        Whether each family's portfolio of known-good configurations runs after
        the defaults (see :meth:`portfolio_configs`).
    task : {"classification", "regression"}
        What the graph's pipelines predict; every family must support it.
    """

    name: str
    families: tuple[str, ...]
    impute: tuple[str, ...] = ("median",)
    encode: tuple[str, ...] = ("auto",)
    scale: tuple[str, ...] = ("none",)
    resample: tuple[str, ...] = ("none",)
    class_weight: tuple[str, ...] = ("none",)
    resample_space: dict[str, Dimension] = field(default_factory=dict)
    overrides: dict[str, dict[str, Dimension]] = field(default_factory=dict)
    portfolio: bool = True
    description: str = ""
    target: tuple[str, ...] = ("none",)
    task: TaskKind = "classification"

    @classmethod
    def from_preset(cls, name_or_path: str) -> PipelineGraph:
        """Load a preset by name or path and validate every choice."""
        data = load_preset(name_or_path)
        nodes = data["nodes"]
        families = tuple(nodes["model"]["families"])
        task = data["task"]
        _check_families(families, task, str(data["name"]))
        resample_node = nodes.get("resample", {})
        resample_space = {
            key: dimension_from_spec(resample_node[key])
            for key in ("sampling_strategy", "k_neighbors")
            if key in resample_node
        }
        resample_space.setdefault("sampling_strategy", Real(0.2, 1.0))
        resample_space.setdefault("k_neighbors", Integer(1, 10))
        overrides = {
            fam: {p: dimension_from_spec(spec) for p, spec in params.items()}
            for fam, params in nodes["model"].get("overrides", {}).items()
        }
        portfolio = nodes["model"].get("portfolio", True)
        if not isinstance(portfolio, bool):
            raise ConfigError(
                f"The model node's 'portfolio' must be true or false; got {portfolio!r}."
            )
        return cls(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            families=families,
            impute=_choices(nodes.get("impute", {}), "numeric", ["median"], _IMPUTERS, "impute"),
            encode=_choices(nodes.get("encode", {}), "choices", ["auto"], _ENCODINGS, "encode"),
            scale=_choices(nodes.get("scale", {}), "choices", ["none"], SCALERS, "scale"),
            resample=_choices(resample_node, "choices", ["none"], SAMPLERS, "resample"),
            class_weight=_choices(
                nodes.get("class_weight", {}), "choices", ["none"], _WEIGHTS, "class_weight"
            ),
            target=_choices(
                nodes.get("target", {}), "choices", ["none"], TARGET_TRANSFORMS, "target"
            ),
            resample_space=resample_space,
            overrides=overrides,
            portfolio=portfolio,
            task=task,
        )

    def with_families(self, families: list[str] | tuple[str, ...]) -> PipelineGraph:
        """A copy restricted to ``families`` (each must be known and support the task)."""
        _check_families(families, self.task, self.name)
        return replace(self, families=tuple(dict.fromkeys(families)))

    def without_target_transform(self, transform: str) -> PipelineGraph:
        """A copy that does not offer the target transform ``transform``."""
        kept = tuple(t for t in self.target if t != transform) or ("none",)
        return replace(self, target=kept)

    # --- spaces -------------------------------------------------------------
    def space(self, family: str, ctx: ModelContext) -> Space:
        """Every searchable dimension for ``family`` (single-choice nodes left out)."""
        fam = get_family(family)
        space: Space = {}
        nodes = {
            "impute": self.impute,
            "encode": self.encode,
            "resample": self.resample,
            "target": self.target,
        }
        if fam.scale_sensitive:
            nodes["scale"] = self.scale
        if fam.supports_class_weight:
            nodes["class_weight"] = self.class_weight
        for key, choices in nodes.items():
            if len(choices) > 1:
                space[key] = Categorical(choices)
        if any(s != "none" for s in self.resample):
            if ctx.task == "binary":
                space["resample.sampling_strategy"] = self.resample_space["sampling_strategy"]
            if any(s not in ("none", "random_over", "random_under") for s in self.resample):
                space["resample.k_neighbors"] = self.resample_space["k_neighbors"]
        model_space = {**fam.space(ctx), **self.overrides.get(family, {})}
        space.update({f"model.{k}": v for k, v in model_space.items()})
        return space

    def default_config(self, family: str, ctx: ModelContext) -> dict[str, Any]:
        """The known-good starting configuration of ``family``: first choice at every node.

        A default hyperparameter outside a range this graph narrows is moved to the
        nearest end of it; a default choice the graph does not offer becomes the
        first one it does.
        """
        fam = get_family(family)
        config: dict[str, Any] = {
            "family": family,
            "impute": self.impute[0],
            "encode": self.encode[0],
            "scale": self.scale[0] if fam.scale_sensitive else "none",
            "resample": self.resample[0],
            "class_weight": self.class_weight[0] if fam.supports_class_weight else "none",
        }
        if self.task == "regression":
            config["target"] = self.target[0]
        if fam.scale_sensitive and "standard" in self.scale:
            config["scale"] = "standard"
        space = self.space(family, ctx)
        for name, value in fam.default(ctx).items():
            dim = space.get(f"model.{name}")
            if dim is not None:
                value = _into(dim, value)
                if value is None and isinstance(dim, Categorical):  # not offered here
                    value = dim.choices[0]
            config[f"model.{name}"] = value
        for key, dim in space.items():
            if key.startswith("resample.") and key not in config:
                config[key] = (
                    5 if key.endswith("k_neighbors") and dim.contains(5) else dim.grid(3)[1]
                )
        return config

    def portfolio_configs(self, family: str, ctx: ModelContext) -> list[dict[str, Any]]:
        """The family's portfolio as complete configurations of this graph, default excluded.

        Each entry overlays :meth:`default_config`. A value outside this graph's
        range for its parameter (a preset may narrow ranges) is moved to the
        nearest end of the range; an entry choosing what the graph does not offer
        is left out, as is one that ends up equal to the default or to an
        earlier entry.

        Raises
        ------
        ConfigError
            If an entry names a parameter that is not in the family's space.
        """
        if not self.portfolio:
            return []
        base = self.default_config(family, ctx)
        space = self.space(family, ctx)
        configs = [base]
        for entry in get_family(family).portfolio(ctx):
            config = dict(base)
            for name, value in entry.items():
                dim = space.get(f"model.{name}")
                if dim is None:
                    params = sorted(
                        k.removeprefix("model.") for k in space if k.startswith("model.")
                    )
                    raise ConfigError(
                        f"The portfolio of family {family!r} sets {name!r}, which is not in "
                        f"its search space ({params})."
                    )
                value = _into(dim, value)
                if value is None:
                    break
                config[f"model.{name}"] = value
            else:
                if config not in configs:
                    configs.append(config)
        return configs[1:]

    # --- compile ------------------------------------------------------------
    def encoding_for(self, config: dict[str, Any]) -> str:
        """The categorical encoding a configuration uses."""
        enc = config.get("encode", "auto")
        return get_family(config["family"]).categorical_encoding if enc == "auto" else enc

    def model_context(
        self, config: dict[str, Any], schema: Schema, ctx: ModelContext
    ) -> ModelContext:
        """``ctx`` with the positions of ordinal category codes filled in."""
        n_cat = n_leading_categorical(schema, self.encoding_for(config))  # type: ignore[arg-type]
        return replace(ctx, categorical_features=tuple(range(n_cat)))

    def compile(self, config: dict[str, Any], schema: Schema, ctx: ModelContext) -> Pipeline:
        """Build the unfitted imbalanced-learn ``Pipeline`` of one configuration."""
        family = config.get("family")
        if family not in self.families:
            raise ConfigError(
                f"Configuration family {family!r} is not in graph {self.name!r} "
                f"(families: {list(self.families)})."
            )
        fam = get_family(family)
        mctx = self.model_context(config, schema, ctx)
        steps: list[tuple[str, Any]] = [
            (
                "preprocess",
                build_preprocessor(
                    schema,
                    encoding=self.encoding_for(config),  # type: ignore[arg-type]
                    numeric_impute=config.get("impute", "median"),
                    random_state=ctx.random_state,
                ),
            )
        ]
        scaler = (
            build_scaler(
                config.get("scale", "none"), n_rows=ctx.n_rows, random_state=ctx.random_state
            )
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
        params = {k[len("model.") :]: v for k, v in config.items() if k.startswith("model.")}
        params["class_weight"] = config.get("class_weight", "none")
        model = fam.build(params, mctx)
        if ctx.is_regression:
            model = with_target_transform(model, config.get("target", "none"), ctx.n_rows)
        steps.append(("model", model))
        return Pipeline(steps)

    # --- description ----------------------------------------------------------
    def describe(self, ctx: ModelContext | None = None) -> dict[str, Any]:
        """Nodes, their choices and the ranges searched, as plain data for reports."""
        ctx = ctx or ModelContext()
        model_choices = {}
        for fam in self.families:
            space = {**get_family(fam).space(ctx), **self.overrides.get(fam, {})}
            model_choices[fam] = {k: describe_dimension(v) for k, v in space.items()}
        resample_params = {k: describe_dimension(v) for k, v in self.resample_space.items()}
        return {
            "name": self.name,
            "description": self.description,
            "nodes": [
                {"name": "impute", "choices": {c: {} for c in self.impute}},
                {"name": "encode", "choices": {c: {} for c in self.encode}},
                {"name": "scale", "choices": {c: {} for c in self.scale}},
                {
                    "name": "resample",
                    "choices": {c: ({} if c == "none" else resample_params) for c in self.resample},
                },
                {"name": "class_weight", "choices": {c: {} for c in self.class_weight}},
                *(
                    [{"name": "target", "choices": {c: {} for c in self.target}}]
                    if self.task == "regression"
                    else []
                ),
                {"name": "model", "choices": model_choices},
            ],
        }
