"""Pickling a fitted net: CPU weights in the pickle, back onto its GPU on load where there is one.

Shared by the net estimators' ``__getstate__`` / ``__setstate__``; torch is imported
only when a CUDA net is restored.
"""

from __future__ import annotations

import copy
from typing import Any


def cpu_state(state: dict[str, Any]) -> dict[str, Any]:
    """A copy of an estimator's ``__dict__`` whose ``module_`` holds CPU weights.

    A copy: on Python >= 3.11 ``object.__getstate__`` returns the instance's own
    ``__dict__``, and replacing ``module_`` in it would move the fitted net off the GPU.
    """
    state = dict(state)
    module = state.get("module_")
    if module is not None:
        first = next(module.parameters(), None)
        if first is not None and first.device.type != "cpu":
            state["module_"] = copy.deepcopy(module).cpu()
    return state


def restore_device(estimator: Any) -> None:
    """Move an unpickled estimator's ``module_`` back to ``device_`` when that is CUDA and present.

    Without CUDA (or without that device, e.g. fitted on cuda:1 and loaded with one
    GPU) the net stays on the CPU and predicts in float32.
    """
    module = estimator.__dict__.get("module_")
    device = str(estimator.__dict__.get("device_", "cpu"))
    if module is None or not device.startswith("cuda"):
        return
    import torch

    if torch.cuda.is_available():
        try:
            estimator.module_ = module.to(torch.device(device))
        except (RuntimeError, AssertionError):
            pass
