"""Presets: named pipeline graphs kept as TOML data in the ``pipelines/`` folder.

The folder ships inside the package as ``automl.presets``. A preset may also be
read from any ``.toml`` path.

``automl/presets`` is a link to the repository's ``pipelines/`` folder, so the
presets are edited in one place and installed with the package.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..exceptions import ConfigError, unknown_name_message
from ..models import family_names, get_family
from ..space import Integer, Real, dimension_from_spec
from ..steps.resample import SAMPLERS
from ..steps.scale import SCALERS
from ..steps.target import TARGET_TRANSFORMS
from .portfolio import check_portfolio_setting

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
_KNOWN_NODES = {"impute", "encode", "scale", "resample", "class_weight", "target", "model"}

_ENCODINGS = ("auto", "onehot", "ordinal")
_IMPUTERS = ("median", "mean")
_WEIGHTS = ("none", "balanced")


def preset_names() -> list[str]:
    """Names of the presets that ship with the package."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.toml"))


def load_preset(name_or_path: str | Path) -> dict[str, Any]:
    """Read a preset by name (``"default"``) or from a ``.toml`` file path.

    Raises
    ------
    ConfigError
        For an unknown name (with suggestions), a missing file, invalid TOML or
        an unknown node.
    """
    text: str
    source = str(name_or_path)
    if source.endswith(".toml") or Path(source).suffix == ".toml":
        path = Path(source)
        if not path.is_file():
            raise ConfigError(f"Pipeline file {source!r} does not exist.")
        text = path.read_text(encoding="utf-8")
    else:
        names = preset_names()
        if source not in names:
            raise ConfigError(unknown_name_message("pipeline preset", source, names))
        text = (PRESET_DIR / f"{source}.toml").read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Pipeline preset {source!r} is not valid TOML: {exc}") from None
    nodes = data.get("nodes", {})
    unknown = set(nodes) - _KNOWN_NODES
    if unknown:
        raise ConfigError(
            f"Pipeline preset {source!r} has unknown node(s) {sorted(unknown)}; "
            f"valid nodes: {sorted(_KNOWN_NODES)}."
        )
    if "model" not in nodes or not nodes["model"].get("families"):
        raise ConfigError(f"Pipeline preset {source!r} needs [nodes.model] with a 'families' list.")
    data.setdefault("name", Path(source).stem)
    task = data.setdefault("task", "classification")
    if task not in ("classification", "regression"):
        raise ConfigError(
            f"Pipeline preset {source!r} has task {task!r}; valid: 'classification', 'regression'."
        )
    return data


def check_families(families: tuple[str, ...] | list[str], task: str, graph: str) -> None:
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


def graph_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a :class:`~automl.graph.PipelineGraph` from preset data, every choice checked.

    Raises
    ------
    ConfigError
        For an unknown family, one that cannot do the preset's task, or a choice
        a node does not offer.
    """
    nodes = data["nodes"]
    families = tuple(nodes["model"]["families"])
    task = data["task"]
    check_families(families, task, str(data["name"]))
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
    portfolio = check_portfolio_setting(nodes["model"].get("portfolio", True), str(data["name"]))
    return dict(
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
        target=_choices(nodes.get("target", {}), "choices", ["none"], TARGET_TRANSFORMS, "target"),
        resample_space=resample_space,
        overrides=overrides,
        portfolio=portfolio,
        task=task,
    )
