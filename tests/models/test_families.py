"""Conformance of every registered model family, and the registry's rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from automl.data import infer_schema, validate_fit_data
from automl.exceptions import ConfigError
from automl.graph import PipelineGraph
from automl.models import ModelContext, ModelFamily, family_names, get_family, register
from automl.search.base import sample_uniform
from automl.space import Categorical, Integer, Real

FAMILIES = family_names()
CLASSIFIERS = [f for f in FAMILIES if get_family(f).supports("classification")]
REGRESSORS = [f for f in FAMILIES if get_family(f).supports("regression")]
# Keep fits small: these keys, when a family has them, are capped for the toy data.
_CAPS = {"n_estimators": 40, "max_iter": 60}


@pytest.fixture(autouse=True)
def _one_thread():
    """Single-threaded native code: OpenMP threads crawl on a busy 2-core machine."""
    with threadpool_limits(limits=1):
        yield


def _toy(n_classes: int, n=90, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], size=n),
        }
    )
    X.loc[rng.random(n) < 0.05, "b"] = np.nan
    y = np.arange(n) % n_classes
    X["a"] += y
    X, y = validate_fit_data(X, y)
    return X, np.asarray(y), infer_schema(X)


def _ctx(n_classes: int, n_rows: int = 90) -> ModelContext:
    return ModelContext(
        task="binary" if n_classes == 2 else "multiclass",
        n_classes=n_classes,
        n_rows=n_rows,
        n_features=3,
        n_threads=1,
        random_state=0,
        time_limit=5.0,
        device="cpu",
    )


def _graph(family: str) -> PipelineGraph:
    graph = PipelineGraph.from_preset("default")
    return graph if family in graph.families else graph.with_families([*graph.families, family])


def _capped(config: dict) -> dict:
    out = dict(config)
    for key, cap in _CAPS.items():
        if f"model.{key}" in out:
            out[f"model.{key}"] = min(out[f"model.{key}"], cap)
    return out


def test_builtin_families_are_registered():
    builtin = {"logreg", "random_forest", "extra_trees", "hist_gb", "xgboost", "mlp"}
    assert builtin | {"lightgbm", "catboost"} <= set(FAMILIES)


@pytest.mark.parametrize("family", CLASSIFIERS)
def test_family_conformance(family):
    fam = get_family(family)
    assert isinstance(fam, ModelFamily) and fam.name == family
    assert fam.cost > 0 and fam.description
    assert fam.categorical_encoding in ("onehot", "ordinal")

    # each space(ctx) dimension is valid, and a fresh dict each time
    for n_classes in (2, 3):
        ctx = _ctx(n_classes)
        space = fam.space(ctx)
        assert space and space is not fam.space(ctx)
        for name, dim in space.items():
            assert isinstance(name, str) and "." not in name, name
            assert isinstance(dim, (Real, Integer, Categorical)), name
            if not isinstance(dim, Categorical):
                assert dim.low < dim.high and (not dim.log or dim.low > 0), name
        default = fam.default(ctx)
        assert set(default) <= set(space), "default keys outside the space"
        for key, value in default.items():
            assert space[key].contains(value), (key, value)

    # the default configuration builds and fits through graph.compile, binary and multiclass
    for n_classes in (2, 3):
        X, y, schema = _toy(n_classes)
        ctx = _ctx(n_classes)
        graph = _graph(family)
        config = _capped(graph.default_config(family, ctx))
        pipe = graph.compile(config, schema, ctx)
        pipe.fit(X.iloc[:70], y[:70])
        proba = pipe.predict_proba(X.iloc[70:])
        assert proba.shape == (20, n_classes), (family, n_classes)
        assert np.all(np.isfinite(proba)) and np.all(proba >= 0) and np.all(proba <= 1)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-5)
        assert list(pipe.classes_) == list(range(n_classes))
        assert set(pipe.predict(X.iloc[70:])) <= set(range(n_classes))

    # sampled points of the space build valid (cloneable) estimators
    ctx = _ctx(2)
    rng = np.random.default_rng(0)
    space = fam.space(ctx)
    for _ in range(5):
        params = sample_uniform(space, rng)
        for key, value in params.items():
            assert space[key].contains(value), (key, value)
        model = fam.build({**params, "class_weight": "none"}, ctx)
        assert hasattr(model, "fit") and hasattr(model, "predict_proba")
        clone(model)
    # the grid corners build too
    corner = {k: d.grid(3)[-1] for k, d in space.items()}
    clone(fam.build({**corner, "class_weight": "none"}, ctx))


@pytest.mark.parametrize("family", [f for f in CLASSIFIERS if get_family(f).supports_class_weight])
def test_class_weight_balanced_accepted(family):
    fam = get_family(family)
    X, y, schema = _toy(2)
    y = (np.arange(len(y)) % 5 == 0).astype(int)  # 20 % minority
    ctx = _ctx(2)
    graph = _graph(family)
    config = _capped({**graph.default_config(family, ctx), "class_weight": "balanced"})
    pipe = graph.compile(config, schema, ctx)
    pipe.fit(X, y)
    assert np.all(np.isfinite(pipe.predict_proba(X)))
    model = fam.build({**fam.default(ctx), "class_weight": "balanced"}, ctx)
    clone(model)


def test_registry_rejects_duplicate_names():
    fam = get_family("logreg")
    with pytest.raises(ConfigError, match="already registered"):
        register(ModelFamily(name="logreg", build=fam.build, space=fam.space, default=fam.default))
    assert get_family("logreg") is fam


@pytest.mark.parametrize(
    "typo, suggestion",
    [("xgbost", "xgboost"), ("logreq", "logreg"), ("random_forrest", "random_forest")],
)
def test_registry_suggests_close_matches(typo, suggestion):
    with pytest.raises(ConfigError) as info:
        get_family(typo)
    message = str(info.value)
    assert f"Unknown model family {typo!r}" in message
    assert f"Did you mean {suggestion!r}" in message
    assert all(name in message for name in FAMILIES)


def test_registry_rejects_non_string_names():
    with pytest.raises(ConfigError):
        get_family(None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        get_family(["logreg"])  # type: ignore[arg-type]


@pytest.mark.parametrize("family", FAMILIES)
def test_portfolio_entries_lie_in_the_family_space_and_differ(family):
    fam = get_family(family)
    ctx = _ctx(2)
    space, default = fam.space(ctx), fam.default(ctx)
    entries = fam.portfolio(ctx)
    configs = [{**default, **entry} for entry in entries]
    for entry, config in zip(entries, configs, strict=True):
        assert set(entry) <= set(space), family
        assert all(space[k].contains(v) for k, v in entry.items()), (family, entry)
        assert config != default
    assert len({repr(sorted(c.items())) for c in configs}) == len(configs)


def test_every_family_does_classification_or_regression():
    assert set(CLASSIFIERS) | set(REGRESSORS) == set(FAMILIES)
    assert {"linear", "random_forest", "extra_trees", "hist_gb", "xgboost"} <= set(REGRESSORS)
    assert {"lightgbm", "catboost"} <= set(REGRESSORS) & set(CLASSIFIERS)
    assert "logreg" not in REGRESSORS and "linear" not in CLASSIFIERS


@pytest.mark.parametrize("family", REGRESSORS)
@pytest.mark.parametrize("transform", ["none", "log1p"])
def test_regression_family_conformance(family, transform):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    X["c"] = rng.choice(["x", "y", "z"], size=120)
    y = np.exp(1 + X["a"] + 0.5 * (X["c"] == "x")) + rng.normal(scale=0.1, size=120).clip(0)
    X, _ = validate_fit_data(X, np.arange(120) % 2)
    schema = infer_schema(X)
    ctx = ModelContext(task="regression", n_classes=1, n_rows=120, n_features=3, random_state=0)
    graph = PipelineGraph.from_preset("regression")
    graph = graph if family in graph.families else graph.with_families([*graph.families, family])
    config = _capped({**graph.default_config(family, ctx), "target": transform})
    pipe = graph.compile(config, schema, ctx).fit(X.iloc[:90], y[:90])
    pred = pipe.predict(X.iloc[90:])
    assert pred.shape == (30,) and np.all(np.isfinite(pred))
    # better than predicting the training mean on held-out rows
    assert np.mean((pred - y[90:]) ** 2) < np.mean((y[:90].mean() - y[90:]) ** 2)
    space = get_family(family).space(ctx)
    assert set(get_family(family).default(ctx)) <= set(space)
    for entry in get_family(family).portfolio(ctx):
        assert all(space[k].contains(v) for k, v in entry.items()), (family, entry)


def test_hist_gb_early_stopping_survives_a_class_of_one_row():
    X, y, schema = _toy(3, n=90)
    y = y.copy()
    y[y == 2] = 1
    y[0] = 2  # a single training row of class 2: no stratified validation split exists
    ctx = _ctx(3)
    graph = _graph("hist_gb")
    pipe = graph.compile(_capped(graph.default_config("hist_gb", ctx)), schema, ctx)
    pipe.fit(X, y)
    assert pipe.named_steps["model"].early_stopping is True  # the setting is left as given
    assert pipe.predict_proba(X).shape == (90, 3)
