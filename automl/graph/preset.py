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

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
_KNOWN_NODES = {"impute", "encode", "scale", "resample", "class_weight", "target", "model"}


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
