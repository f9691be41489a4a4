"""Multi-fidelity search on a user's estimator: the fidelity mapped onto one parameter.

A multi-fidelity strategy (Hyperband, BOHB) asks for a configuration at a fidelity
in (0, 1]; the resource is the estimator parameter that grows with it (epochs,
trees), as scikit-learn's ``HalvingRandomSearchCV`` names it.
"""

from __future__ import annotations

from dataclasses import dataclass


def resource_value(fidelity: float | None, min_resources: int, max_resources: int) -> int:
    """The value of the resource parameter at ``fidelity``.

    Parameters
    ----------
    fidelity : float in (0, 1] or None
        Share of ``max_resources`` a multi-fidelity strategy asks for; None: all.
    min_resources, max_resources : int
        The resource's range.

    Returns
    -------
    int
        ``round(max_resources * fidelity)`` clipped to ``[min_resources, max_resources]``.
    """
    if fidelity is None:
        return int(max_resources)
    value = int(round(max_resources * float(fidelity)))
    return int(min(max(value, min_resources), max_resources))


@dataclass(frozen=True)
class Resource:
    """The estimator parameter a multi-fidelity search grows (epochs, trees).

    Attributes
    ----------
    name : str
        The parameter, e.g. ``"max_epochs"`` or ``"n_estimators"``.
    min_resources, max_resources : int
        Its value at the lowest and at full fidelity.
    """

    name: str
    min_resources: int
    max_resources: int

    @property
    def min_fidelity(self) -> float:
        """The lowest fidelity worth asking for: ``min_resources / max_resources``."""
        return self.min_resources / self.max_resources
