"""The registry of model families: one name, one family; typos get suggestions."""

from __future__ import annotations

from importlib import import_module

from ..exceptions import ConfigError, unknown_name_message
from .base import ModelFamily

_FAMILIES: dict[str, ModelFamily] = {}
_BUILTIN_MODULES = ("logreg", "forests", "hist_gb", "xgboost", "mlp")
_loaded = False


def register(family: ModelFamily) -> ModelFamily:
    """Add a family to the registry.

    Raises
    ------
    ConfigError
        If a family of the same name is already registered.
    """
    if family.name in _FAMILIES:
        raise ConfigError(f"A model family named {family.name!r} is already registered.")
    _FAMILIES[family.name] = family
    return family


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN_MODULES:
            import_module(f"{__package__}.{module}")


def get_family(name: str) -> ModelFamily:
    """Return the family registered as ``name``.

    Raises
    ------
    ConfigError
        For an unknown name, listing the valid names and close matches.
    """
    _load_builtins()
    try:
        return _FAMILIES[name]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("model family", name, _FAMILIES)) from None


def family_names() -> list[str]:
    """Names of every registered family, in registration order."""
    _load_builtins()
    return list(_FAMILIES)
