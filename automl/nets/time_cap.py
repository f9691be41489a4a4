"""A time cap for the project's nets inside any estimator a search builds.

A trial of a user's estimator has a time limit. A net that trains past it is killed
with its worker, and the trial is lost; the project's nets (:class:`TabularNetClassifier`,
:class:`TorchClassifier` and their regressors) can instead stop themselves at
``max_time`` with the best weights so far, as the built-in ``mlp`` family does. The
search fills in ``max_time`` where the user left it at None, also for a net that
is a step of a pipeline; a value the user set is kept.
"""

from __future__ import annotations

from typing import Any


def _is_net(obj: Any) -> bool:
    from .base import _TabularNetBase
    from .torch_estimator import _TorchEstimatorBase

    return isinstance(obj, _TabularNetBase | _TorchEstimatorBase)


def cap_training_time(estimator: Any, seconds: float | None) -> Any:
    """Set ``max_time=seconds`` on every project net in ``estimator`` whose ``max_time`` is None.

    Parameters
    ----------
    estimator : estimator
        An unfitted estimator: a net, a pipeline or meta-estimator holding nets, or
        anything else (returned unchanged).
    seconds : float or None
        Training seconds a net may use; None leaves the estimator as it is.

    Returns
    -------
    estimator
        ``estimator`` itself, its parameters set in place.
    """
    if seconds is None or not hasattr(estimator, "get_params"):
        return estimator
    caps: dict[str, float] = {}
    if _is_net(estimator) and estimator.max_time is None:
        caps["max_time"] = float(seconds)
    for name, value in estimator.get_params(deep=True).items():
        if _is_net(value) and value.max_time is None:
            caps[f"{name}__max_time"] = float(seconds)
    return estimator.set_params(**caps) if caps else estimator
