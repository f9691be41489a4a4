"""Pipeline graphs: presets as data, a searchable space, compilation to a Pipeline."""

from .graph import PipelineGraph
from .preset import load_preset, preset_names

__all__ = ["PipelineGraph", "load_preset", "preset_names"]
