"""A small ONNX graph builder: named nodes, constants, and whole models inlined as sub-graphs.

Every part of an exported model (preprocessing, each member's model, the blend) adds
its nodes to one :class:`GraphBuilder`; converters from other libraries return
complete models that :meth:`GraphBuilder.inline` copies in under a fresh prefix, so
the result is one graph with one opset per domain.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError

#: The opset of each domain in an exported graph; converters are asked for these.
OPSETS: dict[str, int] = {"": 17, "ai.onnx.ml": 3}
#: ONNX element type of each floating numpy type the graph computes in.
ELEM_TYPES: dict[type, int] = {np.float32: 1, np.float64: 11}


def elem_type(dtype: Any) -> int:
    """The ONNX tensor element type of ``np.float32`` (FLOAT) or ``np.float64`` (DOUBLE)."""
    return ELEM_TYPES[np.dtype(dtype).type]


class GraphBuilder:
    """Collect nodes and constants of one ONNX graph, with unique names.

    Parameters
    ----------
    dtype : np.float32 or np.float64, default=np.float64
        The precision the graph computes in from its numeric inputs to the blend:
        preprocessing, converters that read double, the ensemble's weights.

    Attributes
    ----------
    dtype : numpy dtype
        As given.
    elem : int
        Its ONNX element type (``TensorProto.FLOAT`` or ``DOUBLE``).
    nodes : list of onnx.NodeProto
    initializers : list of onnx.TensorProto
    opsets : dict of str to int
        Domain to opset version; inlined models may add domains.
    """

    def __init__(self, dtype: Any = np.float64) -> None:
        self.dtype = np.dtype(dtype)
        self.elem = elem_type(self.dtype)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.opsets: dict[str, int] = dict(OPSETS)
        self._count = 0

    def name(self, hint: str) -> str:
        """A fresh value name starting with ``hint``."""
        self._count += 1
        return f"{hint}::{self._count}"  # "::" keeps them apart from column names

    def const(self, value: Any, hint: str = "const", dtype: Any = None) -> str:
        """Add a constant tensor and return its name."""
        from onnx import numpy_helper

        array = np.asarray(value, dtype=dtype)
        if array.dtype.kind in "OU":
            array = array.astype(object)
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(array, name=name))
        return name

    def real(self, value: Any, hint: str = "const") -> str:
        """Add a constant in the graph's working precision (:attr:`dtype`)."""
        return self.const(value, hint, dtype=self.dtype)

    def cast(self, x: str, dtype: Any) -> str:
        """``x`` cast to ``dtype`` (``np.float32`` or ``np.float64``); a no-op when it is."""
        return self.op("Cast", [x], to=elem_type(dtype))

    def op(
        self,
        op_type: str,
        inputs: list[str],
        hint: str | None = None,
        domain: str = "",
        **attrs: Any,
    ) -> str:
        """Add one node with a single output; return the output's name."""
        return self.op_multi(op_type, inputs, 1, hint, domain, **attrs)[0]

    def op_multi(
        self,
        op_type: str,
        inputs: list[str],
        n_outputs: int,
        hint: str | None = None,
        domain: str = "",
        **attrs: Any,
    ) -> list[str]:
        """Add one node with ``n_outputs`` outputs; return their names."""
        from onnx import helper

        outputs = [self.name(hint or op_type.lower()) for _ in range(n_outputs)]
        self.nodes.append(
            helper.make_node(
                op_type, inputs, outputs, name=self.name(f"n_{op_type}"), domain=domain, **attrs
            )
        )
        return outputs

    def inline(self, model: Any, inputs: dict[str, str], prefix: str) -> list[str]:
        """Copy ``model``'s graph in, its inputs wired to ``inputs``; return its output names.

        Every other name gets ``prefix``; the model's opsets must not exceed ours for
        a shared domain (the converters are asked for :data:`OPSETS`).
        """
        graph = model.graph
        prefix = self.name(prefix)

        def rename(value: str) -> str:
            if value == "":
                return value
            return inputs.get(value, f"{prefix}/{value}")

        for opset in model.opset_import:
            domain = "" if opset.domain == "ai.onnx" else opset.domain
            if domain in OPSETS and opset.version > OPSETS[domain]:
                raise ExportError(
                    f"A converter produced opset {opset.version} of domain {domain!r} "
                    f"for {prefix!r}; the exported graph uses {OPSETS[domain]}."
                )
            self.opsets[domain] = max(opset.version, self.opsets.get(domain, 0))
        for init in graph.initializer:
            copy = type(init)()
            copy.CopyFrom(init)
            copy.name = rename(init.name)
            self.initializers.append(copy)
        for index, node in enumerate(graph.node):
            copied = type(node)()
            copied.CopyFrom(node)
            copied.name = f"{prefix}/{index}_{node.name}"  # unique even when unnamed
            del copied.input[:]
            copied.input.extend(rename(v) for v in node.input)
            del copied.output[:]
            copied.output.extend(rename(v) for v in node.output)
            self.nodes.append(copied)
        return [rename(o.name) for o in graph.output]

    def model(self, inputs: list[Any], outputs: list[Any], name: str) -> Any:
        """The finished ``ModelProto``, checked by ``onnx.checker``."""
        import onnx
        from onnx import helper

        graph = helper.make_graph(self.nodes, name, inputs, outputs, self.initializers)
        opsets = [helper.make_opsetid(d, v) for d, v in self.opsets.items()]
        model = helper.make_model(graph, opset_imports=opsets, producer_name="automl")
        model.ir_version = min(model.ir_version, 9)
        onnx.checker.check_model(model)
        return model


def aligned(b: GraphBuilder, proba: str, seen: Any, n_classes: int, dtype: Any = np.float32) -> str:
    """Probabilities with one column per encoded class, from those of the ``seen`` ones.

    The graph form of :func:`automl.ensemble.aligned_proba`: a model trained on fewer
    classes than the fit saw gives the others probability 0. ``proba`` is of ``dtype``.
    """
    seen = np.asarray(seen).astype(int)
    if len(seen) == n_classes and np.array_equal(seen, np.arange(n_classes)):
        return proba
    spread = np.zeros((len(seen), n_classes), dtype=dtype)
    spread[np.arange(len(seen)), seen] = 1.0
    return b.op("MatMul", [proba, b.const(spread, "spread")])
