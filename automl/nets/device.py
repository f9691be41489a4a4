"""Where a net runs: device resolution, CPU thread budgets and mixed-precision dtype."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..exceptions import ConfigError

if TYPE_CHECKING:
    import torch

_DEVICE_PATTERN = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def resolve_device(device: str) -> torch.device:
    """Turn a device name into a :class:`torch.device`.

    Parameters
    ----------
    device : str
        ``"auto"`` (CUDA when ``torch.cuda.is_available()``, else CPU), ``"cpu"``,
        ``"cuda"`` or ``"cuda:N"``.

    Returns
    -------
    torch.device

    Raises
    ------
    ConfigError
        For an unknown name, or a CUDA device on a machine without CUDA.
    """
    import torch

    if not isinstance(device, str) or not _DEVICE_PATTERN.match(device):
        raise ConfigError(
            "The 'device' parameter must be one of 'auto', 'cpu', 'cuda' or 'cuda:N'. "
            f"Got {device!r} instead."
        )
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(
            f"The 'device' parameter is {device!r} but torch.cuda.is_available() is False. "
            "Use device='auto' to fall back to the CPU."
        )
    return torch.device(device)


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """Autocast dtype for ``device``: bf16 where supported, else fp16 on CUDA; None on CPU."""
    import torch

    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


@contextlib.contextmanager
def torch_threads(n_threads: int | None) -> Iterator[None]:
    """Run a block with ``torch.set_num_threads(n_threads)``, restoring the old value.

    ``None`` leaves torch's setting as it is.
    """
    import torch

    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
