"""The pipeline graph: spaces per family, default configurations, compilation, description."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from automl.data import infer_schema, validate_fit_data
from automl.exceptions import ConfigError
from automl.graph import PipelineGraph
from automl.models import ModelContext, get_family
from automl.space import Categorical
from automl.steps.resample import SafeResampler

CTX = ModelContext(
    task="binary", n_classes=2, n_rows=160, n_features=7, random_state=0, time_limit=10.0
)


@pytest.fixture(autouse=True)
def _one_thread():
    """Single-threaded native code: OpenMP threads crawl on a busy 2-core machine."""
    with threadpool_limits(limits=1):
        yield


def _mixed(n=160, seed=0):
    rng = np.random.default_rng(seed)
    num = rng.normal(size=n)
    num[rng.random(n) < 0.1] = np.nan
    cat = rng.choice(["red", "green", "blue", "amber"], size=n).astype(object)
    cat[rng.random(n) < 0.1] = None
    X = pd.DataFrame(
        {
            "num": num,
            "count": rng.integers(0, 50, n),
            "colour": cat,
            "size": pd.Categorical(rng.choice(["S", "M", "L"], size=n)),
            "flag": rng.random(n) < 0.5,
            "when": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "city": [f"city_{i}" for i in rng.integers(0, 120, n)],
        }
    )
    logit = np.nan_to_num(num) + (X["colour"] == "red") - (X["size"] == "S").astype(float)
    y = (logit + rng.normal(scale=0.5, size=n) > 0.3).astype(int)
    X, y = validate_fit_data(X, y)
    return X, np.asarray(y), infer_schema(X)


@pytest.fixture(scope="module")
def mixed():
    return _mixed()


def test_mixed_fixture_has_every_column_kind(mixed):
    _, _, schema = mixed
    assert schema.numeric == ("num", "count")
    assert set(schema.categorical) == {"colour", "size"}
    assert schema.boolean == ("flag",) and schema.datetime == ("when",)
    assert schema.high_cardinality == ("city",)


@pytest.mark.parametrize("preset", ["default", "imbalanced"])
def test_space_excludes_scale_for_scale_insensitive_families(preset):
    graph = PipelineGraph.from_preset(preset)
    assert len(graph.scale) > 1
    for family in graph.families:
        space = graph.space(family, CTX)
        assert ("scale" in space) == get_family(family).scale_sensitive, family
        assert all(
            k.startswith(("model.", "impute", "encode", "scale", "resample", "class_weight"))
            for k in space
        )
    for tree in ("random_forest", "extra_trees", "hist_gb", "xgboost"):
        assert "scale" not in graph.space(tree, CTX)
        assert graph.default_config(tree, CTX)["scale"] == "none"
    assert "scale" in graph.space("logreg", CTX)
    assert graph.default_config("logreg", CTX)["scale"] == "standard"


def test_single_choice_nodes_are_left_out_of_the_space():
    graph = PipelineGraph.from_preset("default")
    space = graph.space("logreg", CTX)
    assert "impute" in space  # median / mean
    assert "encode" not in space and "resample" not in space and "class_weight" not in space


def test_class_weight_searched_only_where_supported():
    graph = PipelineGraph.from_preset("imbalanced")
    for family in graph.families:
        space = graph.space(family, CTX)
        assert ("class_weight" in space) == get_family(family).supports_class_weight


def test_resample_params_present_only_when_resampling_is_searched(tmp_path):
    default, imbalanced = (
        PipelineGraph.from_preset("default"),
        PipelineGraph.from_preset("imbalanced"),
    )
    for family in default.families:
        assert not any(k.startswith("resample") for k in default.space(family, CTX))
        assert not any(k.startswith("resample.") for k in default.default_config(family, CTX))
    space = imbalanced.space("logreg", CTX)
    assert space["resample"] == Categorical(imbalanced.resample)
    assert "resample.sampling_strategy" in space and "resample.k_neighbors" in space
    config = imbalanced.default_config("logreg", CTX)
    assert config["resample"] == "none" and config["resample.k_neighbors"] == 5
    assert space["resample.sampling_strategy"].contains(config["resample.sampling_strategy"])
    # multiclass: every class is balanced, so there is no ratio to search
    multi = ModelContext(task="multiclass", n_classes=3, n_rows=160, random_state=0)
    space = imbalanced.space("logreg", multi)
    assert "resample.sampling_strategy" not in space and "resample.k_neighbors" in space
    # random over/under-sampling has no neighbours
    path = tmp_path / "random_only.toml"
    path.write_text(
        "[nodes.resample]\nchoices = ['none', 'random_over', 'random_under']\n\n"
        "[nodes.model]\nfamilies = ['logreg']\n",
        encoding="utf-8",
    )
    space = PipelineGraph.from_preset(str(path)).space("logreg", CTX)
    assert "resample.sampling_strategy" in space and "resample.k_neighbors" not in space


def test_default_config_values_lie_in_the_space():
    for preset in ("default", "fast", "imbalanced"):
        graph = PipelineGraph.from_preset(preset)
        for family in graph.families:
            config = graph.default_config(family, CTX)
            assert config["family"] == family
            for key, dim in graph.space(family, CTX).items():
                assert dim.contains(config[key]), (preset, family, key, config[key])


def test_portfolio_configs_are_new_points_of_the_graph_space():
    for preset in ("default", "fast", "imbalanced"):
        graph = PipelineGraph.from_preset(preset)
        for family in graph.families:
            default = graph.default_config(family, CTX)
            configs = graph.portfolio_configs(family, CTX)
            seen = [default]
            for config in configs:
                assert set(config) == set(default) and config not in seen, (preset, family)
                seen.append(config)
                for key, dim in graph.space(family, CTX).items():
                    assert dim.contains(config[key]), (preset, family, key, config[key])
    assert PipelineGraph.from_preset("default").portfolio_configs("xgboost", CTX)


def test_portfolio_values_move_into_a_narrowed_range_or_drop_out(tmp_path):
    path = tmp_path / "narrow.toml"
    path.write_text(
        "[nodes.model]\nfamilies = ['hist_gb', 'extra_trees']\n\n"
        "[nodes.model.overrides.hist_gb]\nmax_iter = { low = 50, high = 200 }\n\n"
        "[nodes.model.overrides.extra_trees]\nmax_features = ['sqrt', 'log2']\n",
        encoding="utf-8",
    )
    graph = PipelineGraph.from_preset(str(path))
    iters = [c["model.max_iter"] for c in graph.portfolio_configs("hist_gb", CTX)]
    assert iters and max(iters) <= 200  # the 500 of the slow entry is clipped to the range
    # the only extra-trees entry asks for max_features=0.5, which this graph does not offer
    assert graph.portfolio_configs("extra_trees", CTX) == []
    off = tmp_path / "off.toml"
    off.write_text("[nodes.model]\nfamilies = ['xgboost']\nportfolio = false\n", encoding="utf-8")
    assert PipelineGraph.from_preset(str(off)).portfolio_configs("xgboost", CTX) == []


@pytest.mark.parametrize("family", ["logreg", "hist_gb", "random_forest", "xgboost"])
def test_default_config_compiles_and_fits_on_mixed_data(mixed, family):
    X, y, schema = mixed
    graph = PipelineGraph.from_preset("default")
    config = graph.default_config(family, CTX)
    if family in ("random_forest", "xgboost"):
        config["model.n_estimators"] = 50  # keep the test fast
    pipe = graph.compile(config, schema, CTX)
    assert isinstance(pipe, Pipeline)
    assert [name for name, _ in pipe.steps][0] == "preprocess"
    assert pipe.steps[-1][0] == "model"
    assert ("scale" in dict(pipe.steps)) == get_family(family).scale_sensitive
    pipe.fit(X.iloc[:120], y[:120])
    proba = pipe.predict_proba(X.iloc[120:])
    assert proba.shape == (40, 2) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(pipe.predict(X.iloc[120:])) <= {0, 1}
    # unseen categories and missing values at predict time
    odd = X.iloc[120:125].copy()
    odd["colour"] = ["violet", None, "red", "teal", None]
    odd.loc[odd.index[0], "num"] = np.nan
    odd["city"] = "atlantis"
    assert np.all(np.isfinite(pipe.predict_proba(odd)))


def test_ordinal_encoded_categoricals_come_first(mixed):
    X, y, schema = mixed
    graph = PipelineGraph.from_preset("default")
    config = graph.default_config("hist_gb", CTX)
    assert graph.encoding_for(config) == "ordinal"
    mctx = graph.model_context(config, schema, CTX)
    assert mctx.categorical_features == (0, 1)
    pipe = graph.compile(config, schema, CTX)
    model = dict(pipe.steps)["model"]
    assert list(model.categorical_features) == [0, 1]
    pre = dict(pipe.steps)["preprocess"].fit(X, y)
    names = list(pre.get_feature_names_out())
    assert names[:2] == list(schema.categorical)
    out = pre.transform(X)
    for j, column in enumerate(schema.categorical):
        codes = out[:, j]
        assert np.all(codes == np.round(codes)) and codes.min() >= -1
        n_levels = X[column].nunique()
        assert set(codes[X[column].notna().to_numpy()]) == set(range(n_levels))
        assert np.all(codes[X[column].isna().to_numpy()] == -1)
    assert not np.any(np.isnan(out))


def test_onehot_encoding_gives_no_categorical_positions(mixed):
    _, _, schema = mixed
    graph = PipelineGraph.from_preset("default")
    config = graph.default_config("logreg", CTX)
    assert graph.encoding_for(config) == "onehot"
    assert graph.model_context(config, schema, CTX).categorical_features == ()
    config["encode"] = "ordinal"
    assert graph.model_context(config, schema, CTX).categorical_features == (0, 1)


def test_resampling_step_only_when_configured(mixed):
    X, y, schema = mixed
    graph = PipelineGraph.from_preset("imbalanced")
    config = graph.default_config("hist_gb", CTX)
    assert "resample" not in dict(graph.compile(config, schema, CTX).steps)
    config.update(
        {"resample": "smote", "resample.k_neighbors": 3, "resample.sampling_strategy": 0.8}
    )
    pipe = graph.compile(config, schema, CTX)
    sampler = dict(pipe.steps)["resample"]
    assert isinstance(sampler, SafeResampler)
    assert (sampler.method, sampler.k_neighbors, sampler.sampling_strategy) == ("smote", 3, 0.8)
    assert sampler.categorical_features == (0, 1)  # ordinal codes for hist_gb
    names = [n for n, _ in pipe.steps]
    assert names.index("preprocess") < names.index("resample") < names.index("model")
    pipe.fit(X, y)
    assert pipe.predict_proba(X).shape == (len(y), 2)


def test_class_weight_reaches_the_model(mixed):
    _, _, schema = mixed
    graph = PipelineGraph.from_preset("imbalanced")
    config = {**graph.default_config("logreg", CTX), "class_weight": "balanced"}
    assert dict(graph.compile(config, schema, CTX).steps)["model"].class_weight == "balanced"


def test_compile_refuses_a_family_outside_the_graph(mixed):
    _, _, schema = mixed
    graph = PipelineGraph.from_preset("fast")
    config = PipelineGraph.from_preset("default").default_config("random_forest", CTX)
    with pytest.raises(ConfigError, match="random_forest"):
        graph.compile(config, schema, CTX)


def test_with_families():
    graph = PipelineGraph.from_preset("default").with_families(["xgboost", "logreg", "xgboost"])
    assert graph.families == ("xgboost", "logreg")
    with pytest.raises(ConfigError, match="Did you mean 'logreg'"):
        graph.with_families(["logreg", "logreq"])


@pytest.mark.parametrize("preset", ["default", "fast", "imbalanced"])
def test_describe_is_plain_data(preset):
    graph = PipelineGraph.from_preset(preset)
    description = graph.describe(CTX)
    assert json.loads(json.dumps(description)) == description  # only dicts, lists, str, numbers
    assert description["name"] == preset
    nodes = {node["name"]: node["choices"] for node in description["nodes"]}
    assert list(nodes) == ["impute", "encode", "scale", "resample", "class_weight", "model"]
    assert list(nodes["model"]) == list(graph.families)
    assert list(nodes["scale"]) == list(graph.scale)
    for family, params in nodes["model"].items():
        assert set(params) >= set(get_family(family).space(CTX))
        assert all(isinstance(v, str) for v in params.values())
    assert graph.describe() == graph.describe(ModelContext())
