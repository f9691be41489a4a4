"""Checks that a user's estimator and the space over its parameters can be searched."""

from __future__ import annotations

from collections.abc import Mapping
from difflib import get_close_matches
from typing import Any

from sklearn.base import is_classifier, is_regressor

from .exceptions import ConfigError
from .models.base import BOTH_TASKS, TaskKind
from .space import Categorical, Dimension, Integer, Real, Space


def _as_dimension(family: str, key: str, dim: Any) -> Dimension:
    if isinstance(dim, (Real, Integer, Categorical)):
        return dim
    if isinstance(dim, (list, tuple)) and len(dim) > 0:
        return Categorical(dim)
    raise ConfigError(
        f"The space of family {family!r} gives {key!r} the value {dim!r}, which is not a "
        "search dimension. Use Real(low, high), Integer(low, high), Categorical([...]) "
        "or a non-empty list of choices."
    )


def check_space(name: str, estimator: Any, space: Any) -> Space:
    """The space with lists turned into :class:`Categorical`, every key checked.

    Parameters
    ----------
    name : str
        The family's (or search's) name, for messages.
    estimator : estimator
        The estimator whose ``get_params(deep=True)`` names the valid keys.
    space : dict
        ``{parameter: Real | Integer | Categorical | list}``.

    Returns
    -------
    Space

    Raises
    ------
    ConfigError
        An empty space, a key the estimator does not have, or a value that is not a dimension.
    """
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(
            f"The space of {name!r} must be a non-empty dict of parameter name to dimension "
            f"(Real, Integer, Categorical or a list of choices); got {space!r}."
        )
    valid = estimator.get_params(deep=True)
    out: Space = {}
    for key, dim in space.items():
        if key not in valid:
            close = get_close_matches(str(key), [str(k) for k in valid], n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise ConfigError(
                f"The space of {name!r} names {key!r}, which is not a parameter of "
                f"{type(estimator).__name__} (its parameters: {', '.join(sorted(valid))}).{hint}"
            )
        out[str(key)] = _as_dimension(name, str(key), dim)
    return out


def check_estimator_api(owner: str, estimator: Any) -> None:
    """An unfitted scikit-learn estimator instance with ``fit``, ``get_params``, ``set_params``.

    Raises
    ------
    ConfigError
        Naming ``owner`` and what is missing.
    """
    if isinstance(estimator, type):
        raise ConfigError(
            f"{owner} needs an estimator instance, got the class {estimator.__name__}. "
            f"Hint: pass {estimator.__name__}()."
        )
    missing = [
        m for m in ("fit", "get_params", "set_params") if not callable(getattr(estimator, m, None))
    ]
    if missing:
        raise ConfigError(
            f"{owner} needs a scikit-learn estimator (with fit, get_params and set_params); "
            f"{type(estimator).__name__} has no {', '.join(missing)}."
        )


def estimator_tasks(estimator: Any) -> frozenset[TaskKind]:
    """The tasks an estimator can do, as scikit-learn's tags say (both when they do not)."""
    try:
        if is_classifier(estimator):
            return frozenset({"classification"})
        if is_regressor(estimator):
            return frozenset({"regression"})
    except Exception:  # an estimator without tags: either task
        pass
    return BOTH_TASKS
