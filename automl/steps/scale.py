"""The scaling node: one named choice of feature scaler."""

from __future__ import annotations

from sklearn.base import TransformerMixin
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler

from ..exceptions import ConfigError, unknown_name_message

SCALERS = ("none", "standard", "robust", "minmax", "quantile")


def build_scaler(
    name: str, *, n_rows: int = 1000, random_state: int | None = None
) -> TransformerMixin | None:
    """Return the scaler called ``name``, or ``None`` for ``"none"``.

    ``quantile`` maps each feature to a normal distribution with at most
    ``n_rows`` quantiles, so small folds do not warn.
    """
    if name == "none":
        return None
    if name == "standard":
        return StandardScaler()
    if name == "robust":
        return RobustScaler()
    if name == "minmax":
        return MinMaxScaler()
    if name == "quantile":
        return QuantileTransformer(
            n_quantiles=max(10, min(1000, n_rows // 2)),
            output_distribution="normal",
            random_state=random_state,
        )
    raise ConfigError(unknown_name_message("scaler", name, SCALERS))
