"""Presets: every shipped preset loads; bad names, files and choices give ConfigError."""

from __future__ import annotations

import pytest

from automl.exceptions import ConfigError
from automl.graph import PipelineGraph, load_preset, preset_names
from automl.graph.preset import PRESET_DIR
from automl.models import family_names
from automl.space import Integer


def test_the_documented_presets_ship():
    assert {"default", "fast", "imbalanced"} <= set(preset_names())
    assert PRESET_DIR.is_dir()


@pytest.mark.parametrize("name", preset_names())
def test_every_shipped_preset_loads(name):
    data = load_preset(name)
    assert data["name"] == name
    assert data["nodes"]["model"]["families"]
    graph = PipelineGraph.from_preset(name)
    assert graph.name == name
    assert graph.families and set(graph.families) <= set(family_names())
    for choices in (graph.impute, graph.encode, graph.scale, graph.resample, graph.class_weight):
        assert choices and len(set(choices)) == len(choices)


def test_preset_loads_from_a_path_too():
    path = PRESET_DIR / "fast.toml"
    assert load_preset(path) == load_preset("fast")
    assert (
        PipelineGraph.from_preset(str(path)).families == PipelineGraph.from_preset("fast").families
    )


def test_fast_preset_overrides_reach_the_graph():
    graph = PipelineGraph.from_preset("fast")
    assert graph.overrides["xgboost"]["n_estimators"] == Integer(50, 400, log=True)


def test_unknown_preset_name_suggests():
    with pytest.raises(ConfigError) as info:
        load_preset("defualt")
    message = str(info.value)
    assert "Unknown pipeline preset 'defualt'" in message
    assert "Did you mean 'default'" in message
    with pytest.raises(ConfigError, match="imbalanced"):
        PipelineGraph.from_preset("imbalance")


def test_missing_preset_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_preset(tmp_path / "nope.toml")


def _write(tmp_path, text, name="custom.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


GOOD = """
[nodes.scale]
choices = ["standard"]

[nodes.model]
families = ["logreg"]
"""


def test_name_defaults_to_the_file_stem(tmp_path):
    graph = PipelineGraph.from_preset(str(_write(tmp_path, GOOD, "my_graph.toml")))
    assert graph.name == "my_graph" and graph.families == ("logreg",)
    assert graph.scale == ("standard",) and graph.resample == ("none",)


def test_invalid_toml(tmp_path):
    path = _write(tmp_path, "[nodes.model\nfamilies = [logreg")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_preset(path)


def test_unknown_node(tmp_path):
    path = _write(tmp_path, GOOD + "\n[nodes.feature_selection]\nchoices = ['pca']\n")
    with pytest.raises(ConfigError, match="feature_selection"):
        load_preset(path)


def test_missing_model_node(tmp_path):
    with pytest.raises(ConfigError, match=r"nodes\.model"):
        load_preset(_write(tmp_path, "[nodes.scale]\nchoices = ['standard']\n"))
    with pytest.raises(ConfigError, match="families"):
        load_preset(_write(tmp_path, "[nodes.model]\nfamilies = []\n"))


@pytest.mark.parametrize(
    "node, key, value",
    [
        ("scale", "choices", '["standard", "zscore"]'),
        ("encode", "choices", '["target"]'),
        ("impute", "numeric", '["most_frequent"]'),
        ("resample", "choices", '["smoote"]'),
        ("class_weight", "choices", '["heavy"]'),
        ("scale", "choices", "[]"),
    ],
)
def test_bad_choice(tmp_path, node, key, value):
    path = _write(
        tmp_path, f"[nodes.{node}]\n{key} = {value}\n\n[nodes.model]\nfamilies = ['logreg']\n"
    )
    with pytest.raises(ConfigError, match=node):
        PipelineGraph.from_preset(str(path))


def test_unknown_family_suggests(tmp_path):
    path = _write(tmp_path, "[nodes.model]\nfamilies = ['logreg', 'xgbost']\n")
    with pytest.raises(ConfigError, match="Did you mean 'xgboost'"):
        PipelineGraph.from_preset(str(path))


@pytest.mark.parametrize(
    "spec", ['"five"', "{ low = 5, high = 1 }", "{ low = 0.0, high = 1.0, log = true }"]
)
def test_bad_resample_range(tmp_path, spec):
    path = _write(
        tmp_path,
        f"[nodes.resample]\nchoices = ['none', 'smote']\nk_neighbors = {spec}\n\n"
        "[nodes.model]\nfamilies = ['logreg']\n",
    )
    with pytest.raises(ConfigError):
        PipelineGraph.from_preset(str(path))


def test_bad_override(tmp_path):
    path = _write(
        tmp_path,
        "[nodes.model]\nfamilies = ['logreg']\n\n"
        "[nodes.model.overrides.logreg]\nC = { low = 10.0, high = 1.0 }\n",
    )
    with pytest.raises(ConfigError, match="low < high"):
        PipelineGraph.from_preset(str(path))


def test_portfolio_switch_must_be_a_boolean_learned_or_a_json_path(tmp_path):
    path = _write(tmp_path, "[nodes.model]\nfamilies = ['logreg']\nportfolio = 'yes'\n")
    with pytest.raises(ConfigError, match="'portfolio' of graph .* must be true, false, 'learned'"):
        PipelineGraph.from_preset(str(path))
