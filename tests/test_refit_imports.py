"""Refit threads never import a library for the first time (automl/refit.py).

Two refit threads importing a library at once race: catboost imports polars at
import time, and scikit-learn's input checks on another thread read the
half-initialised module from ``sys.modules``, so a member failed to refit. The
refit imports each member family's declared ``libraries`` first; this checks
that the declarations are complete: once a family's libraries are imported,
fitting its default pipeline imports none of the heavy libraries.
"""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import importlib, json, sys
import numpy as np
import pandas as pd
from automl.data import infer_schema
from automl.graph import PipelineGraph
from automl.models import ModelContext, get_family

WATCH = {"xgboost", "lightgbm", "catboost", "torch", "polars"}
rng = np.random.default_rng(0)
X = pd.DataFrame(rng.normal(size=(120, 4)), columns=list("abcd"))
y = (X["a"] + rng.normal(size=120) > 0).astype(int).to_numpy()
schema = infer_schema(X)
graph = PipelineGraph.from_preset("default")
ctx = ModelContext(task="binary", n_classes=2, n_rows=120, random_state=0, n_threads=1)
# families that declare nothing first, so none of them is masked by another's imports
order = sorted(graph.families, key=lambda f: len(get_family(f).libraries))
found = {}
for family in order:
    for lib in get_family(family).libraries:
        importlib.import_module(lib)
    before = {m.split(".")[0] for m in sys.modules}
    config = graph.default_config(family, ctx)
    for key in ("model.n_estimators", "model.max_iter", "model.max_epochs"):
        if key in config:
            config[key] = min(int(config[key]), 5)
    graph.compile(config, schema, ctx).fit(X, y)
    after = {m.split(".")[0] for m in sys.modules}
    found[family] = sorted((after - before) & WATCH)
print(json.dumps(found))
"""


def test_each_family_declares_the_libraries_its_fit_imports():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300, check=True
    )
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found, "no family was checked"
    undeclared = {family: libs for family, libs in found.items() if libs}
    assert not undeclared, f"fits imported undeclared libraries: {undeclared}"
