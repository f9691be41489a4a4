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
from ..models import ModelContext, get_family
from ..models.base import TaskKind
from ..schema import Schema
from ..space import (
    Categorical,
    Dimension,
    Space,
    describe_dimension,
)
from ..steps.preprocess import Encoding, n_leading_categorical
from .compile import compile_pipeline
from .portfolio import clip_into, overlay_entry, portfolio_entries
from .preset import check_families, graph_fields, load_preset


@dataclass(frozen=True)
class PipelineGraph:
    """A preset turned into a searchable graph.

    Build one with :meth:`from_preset`; the fields below are its nodes.

    Parameters
    ----------
    name : str
        The preset's name.
    families : tuple of str
        Model families at the model node.
    impute, encode, scale, resample, class_weight : tuple of str
        Choices at each node; the first is the default.
    resample_space : dict
        Dimensions of the sampler's parameters (``sampling_strategy``, ``k_neighbors``).
    overrides : dict
        Per-family replacement dimensions, ``{family: {param: Dimension}}``.
    portfolio : bool or str
        Whether a portfolio of known-good configurations runs after the defaults:
        True, each family's hand-written one; ``"learned"``, the one learned offline
        (``pipelines/portfolio_<task>.json``; the hand-written ones while it does not
        exist) or a path to such a ``.json`` file (see :mod:`automl.graph.portfolio`).
    description : str
        One line on what the preset is for.
    target : tuple of str
        Choices of the target node (regression): a transform of the target inside
        each training fold; the first is the default.
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
    portfolio: bool | str = True
    description: str = ""
    target: tuple[str, ...] = ("none",)
    task: TaskKind = "classification"

    @classmethod
    def from_preset(cls, name_or_path: str) -> PipelineGraph:
        """Load a preset by name or path and validate every choice.

        Parameters
        ----------
        name_or_path : str
            A preset shipped with automl (``"default"``, ...) or a ``.toml`` file.

        Returns
        -------
        PipelineGraph
            The validated graph.
        """
        return cls(**graph_fields(load_preset(name_or_path)))

    def with_families(self, families: list[str] | tuple[str, ...]) -> PipelineGraph:
        """A copy restricted to ``families`` (each must be known and support the task).

        Parameters
        ----------
        families : list or tuple of str
            Model families to keep, in order; duplicates are dropped.

        Returns
        -------
        PipelineGraph
            The restricted copy.
        """
        check_families(families, self.task, self.name)
        return replace(self, families=tuple(dict.fromkeys(families)))

    def without_target_transform(self, transform: str) -> PipelineGraph:
        """A copy that does not offer the target transform ``transform``.

        Parameters
        ----------
        transform : str
            The target transform to leave out; ``"none"`` remains when nothing else does.

        Returns
        -------
        PipelineGraph
            The copy.
        """
        kept = tuple(t for t in self.target if t != transform) or ("none",)
        return replace(self, target=kept)

    # --- spaces -------------------------------------------------------------
    def space(self, family: str, ctx: ModelContext) -> Space:
        """Every searchable dimension for ``family`` (single-choice nodes left out).

        Parameters
        ----------
        family : str
            A model family of this graph.
        ctx : ModelContext
            The fit's context (rows, classes, device, seed) the family's space depends on.

        Returns
        -------
        Space
            ``{name: Dimension}``: the node choices and the family's hyperparameters.
        """
        fam = get_family(family)
        space: Space = {}
        if fam.raw_input:  # the model alone: no node in front of it is searched
            model_space = {**fam.space(ctx), **self.overrides.get(family, {})}
            return {f"model.{k}": v for k, v in model_space.items()}
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

        Parameters
        ----------
        family : str
            A model family of this graph.
        ctx : ModelContext
            The fit's context (rows, classes, device, seed) the family's space depends on.

        Returns
        -------
        dict
            A complete configuration, ``{"family": family, ...}``.
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
        if fam.raw_input:  # nothing in front of the model: no node choice to record
            config = {"family": family}
        elif fam.scale_sensitive and "standard" in self.scale:
            config["scale"] = "standard"
        space = self.space(family, ctx)
        for name, value in fam.default(ctx).items():
            dim = space.get(f"model.{name}")
            if dim is not None:
                value = clip_into(dim, value)
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
        nearest end of the range; an entry choosing a model value the graph does
        not offer is left out (a preprocessing choice not offered falls back to the
        default's), as is one that ends up equal to the default or to an earlier
        entry. Entries come from the graph's ``portfolio`` source: the
        family's hand-written list or a learned portfolio file.

        Parameters
        ----------
        family : str
            A model family of this graph.
        ctx : ModelContext
            The fit's context (rows, classes, device, seed) the family's space depends on.

        Returns
        -------
        list of dict
            Complete configurations, in the portfolio's order.

        Raises
        ------
        ConfigError
            If an entry names a parameter that is not in the family's space, or a
            learned portfolio file is malformed or for another task.
        """
        return [config for _, config in self._ranked_portfolio(family, ctx)]

    def _ranked_portfolio(self, family: str, ctx: ModelContext) -> list[tuple[int, dict[str, Any]]]:
        base = self.default_config(family, ctx)
        configs = [base]
        ranked = []
        for entry in portfolio_entries(self, family, ctx):
            config = overlay_entry(self, family, entry, ctx)
            if config is not None and config not in configs:
                configs.append(config)
                ranked.append((int(entry["_rank"]), config))
        return ranked

    def portfolio_queue(self, families: list[str], ctx: ModelContext) -> list[dict[str, Any]]:
        """The portfolio configurations of ``families``, in the order they run.

        A learned portfolio runs in its file's order (the order it was selected
        in); hand-written ones take one entry of each family in turn, in the
        order of ``families``.

        Parameters
        ----------
        families : list of str
            Families of this graph, in the order the defaults ran.
        ctx : ModelContext
            The fit's context.

        Returns
        -------
        list of dict
            Complete configurations, defaults excluded.
        """
        ranked = [
            (rank, i, config)
            for i, fam in enumerate(families)
            for rank, config in self._ranked_portfolio(fam, ctx)
        ]
        return [config for _, _, config in sorted(ranked, key=lambda t: (t[0], t[1]))]

    # --- compile ------------------------------------------------------------
    def encoding_for(self, config: dict[str, Any]) -> Encoding:
        """The categorical encoding a configuration uses.

        Parameters
        ----------
        config : dict
            A configuration of this graph.

        Returns
        -------
        {"onehot", "ordinal"}
            The configuration's choice, ``"auto"`` resolved by the family.
        """
        enc = config.get("encode", "auto")
        if enc == "auto":
            return get_family(config["family"]).categorical_encoding
        if enc == "onehot":
            return "onehot"
        if enc == "ordinal":
            return "ordinal"
        raise ConfigError(f"Unknown encoding {enc!r}: the choices are 'auto', 'onehot', 'ordinal'.")

    def model_context(
        self, config: dict[str, Any], schema: Schema, ctx: ModelContext
    ) -> ModelContext:
        """``ctx`` with the positions of ordinal category codes filled in.

        Parameters
        ----------
        config : dict
            A configuration of this graph.
        schema : Schema
            The column kinds of the training data.
        ctx : ModelContext
            The fit's context.

        Returns
        -------
        ModelContext
            A copy of ``ctx`` with ``categorical_features`` set.
        """
        n_cat = n_leading_categorical(schema, self.encoding_for(config))
        return replace(ctx, categorical_features=tuple(range(n_cat)))

    def compile(self, config: dict[str, Any], schema: Schema, ctx: ModelContext) -> Pipeline:
        """Build the unfitted imbalanced-learn ``Pipeline`` of one configuration.

        Parameters
        ----------
        config : dict
            A configuration of this graph.
        schema : Schema
            The column kinds of the training data.
        ctx : ModelContext
            The fit's context.

        Returns
        -------
        imblearn.pipeline.Pipeline
            Preprocessing, optional scaling and resampling, then the model.
        """
        return compile_pipeline(self, config, schema, ctx)

    # --- description ----------------------------------------------------------
    def describe(self, ctx: ModelContext | None = None) -> dict[str, Any]:
        """Nodes, their choices and the ranges searched, as plain data for reports.

        Parameters
        ----------
        ctx : ModelContext or None
            The context the families' spaces are drawn for; None: a default one.

        Returns
        -------
        dict
            ``name``, ``description`` and per node its choices and searched ranges.
        """
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
