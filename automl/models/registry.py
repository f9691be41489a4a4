"""The registry of model families: one name, one family; typos get suggestions.

The built-in families are plain data, one :class:`~automl.models.base.ModelFamily`
per family module, collected here in a fixed order. :func:`register` adds others.
"""

from __future__ import annotations

from ..exceptions import ConfigError, unknown_name_message
from . import catboost, forests, hist_gb, lightgbm, linear, logreg, mlp, xgboost
from .base import ModelFamily

#: The built-in families, in the order they are listed and tried.
BUILTIN_FAMILIES: tuple[ModelFamily, ...] = (
    logreg.FAMILY,
    linear.FAMILY,
    forests.RANDOM_FOREST,
    forests.EXTRA_TREES,
    hist_gb.FAMILY,
    xgboost.FAMILY,
    lightgbm.FAMILY,
    catboost.FAMILY,
    mlp.MLP,
)

_FAMILIES: dict[str, ModelFamily] = {family.name: family for family in BUILTIN_FAMILIES}


def register(family: ModelFamily, *, replace: bool = False) -> ModelFamily:
    """Add a family to the registry.

    Parameters
    ----------
    family : ModelFamily
        The family to add.
    replace : bool, default=False
        Replace a family registered earlier under the same name (never a built-in
        one): a user's :class:`~automl.Family` redefined between two fits.

    Returns
    -------
    ModelFamily
        ``family`` itself.

    Raises
    ------
    ConfigError
        If a family of the same name is already registered (a built-in one, or
        any without ``replace``).
    """
    if family.name in _FAMILIES and (not replace or is_builtin(family.name)):
        raise ConfigError(f"A model family named {family.name!r} is already registered.")
    _FAMILIES[family.name] = family
    return family


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of the families that ship with automl.

    Parameters
    ----------
    name : str

    Returns
    -------
    bool
    """
    return any(family.name == name for family in BUILTIN_FAMILIES)


def get_family(name: str) -> ModelFamily:
    """Return the family registered as ``name``.

    Parameters
    ----------
    name : str
        A registered family's name.

    Returns
    -------
    ModelFamily

    Raises
    ------
    ConfigError
        For an unknown name, listing the valid names and close matches.
    """
    try:
        return _FAMILIES[name]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("model family", name, _FAMILIES)) from None


def family_names() -> list[str]:
    """Names of every registered family, in registration order.

    Returns
    -------
    list of str
    """
    return list(_FAMILIES)
