"""Model families (one module each) and the registry that collects them."""

from .base import ModelContext, ModelFamily
from .registry import family_names, get_family, is_builtin, register

__all__ = ["ModelContext", "ModelFamily", "family_names", "get_family", "is_builtin", "register"]
