"""A graph's portfolio read from a learned file: order, validation, fallback, strategies."""

from __future__ import annotations

import dataclasses
import json

import pytest

import automl.graph.portfolio as P
from automl.exceptions import ConfigError
from automl.graph import PipelineGraph
from automl.models import ModelContext, get_family
from automl.search import make_strategy

CTX = ModelContext(task="binary", n_classes=2, n_rows=300, n_features=5, random_state=0)

ENTRIES = [
    {"family": "hist_gb", "model.max_leaf_nodes": 7, "impute": "mean", "_id": "hist_gb:rand3"},
    {"family": "xgboost", "model.max_depth": 3},  # not in the graph: skipped
    {"family": "logreg", "model.C": 1e6, "scale": "robust"},  # C above the range: clipped
    {"family": "logreg", "model.penalty": "elasticnet"},  # a choice not offered: skipped
    {"family": "logreg", "scale": "standard"},  # equal to the default: skipped
    {"family": "hist_gb", "model.learning_rate": 0.02},
]


def _file(tmp_path, configs=ENTRIES, task="classification", name="p.json"):
    path = tmp_path / name
    data = {"format": P.PORTFOLIO_FORMAT, "task": task, "configs": configs, "provenance": {}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _graph(tmp_path, portfolio):
    preset = tmp_path / "g.toml"
    preset.write_text(
        f"[nodes.model]\nfamilies = ['logreg', 'hist_gb']\nportfolio = {portfolio}\n"
        "[nodes.impute]\nnumeric = ['median', 'mean']\n"
        "[nodes.scale]\nchoices = ['standard', 'robust', 'none']\n",
        encoding="utf-8",
    )
    return PipelineGraph.from_preset(str(preset))


def test_a_learned_file_gives_each_family_its_entries_over_its_default(tmp_path):
    graph = _graph(tmp_path, f"'{_file(tmp_path)}'")
    logreg = graph.portfolio_configs("logreg", CTX)
    assert logreg == [{**graph.default_config("logreg", CTX), "model.C": 100.0, "scale": "robust"}]
    hist = graph.portfolio_configs("hist_gb", CTX)
    default = graph.default_config("hist_gb", CTX)
    assert hist == [
        {**default, "model.max_leaf_nodes": 7, "impute": "mean"},
        {**default, "model.learning_rate": 0.02},
    ]


def test_learned_entries_run_in_the_file_order_across_families(tmp_path):
    graph = _graph(tmp_path, f"'{_file(tmp_path)}'")
    queue = graph.portfolio_queue(["logreg", "hist_gb"], CTX)
    assert [(c["family"], c.get("model.learning_rate")) for c in queue] == [
        ("hist_gb", 0.1),
        ("logreg", None),
        ("hist_gb", 0.02),
    ]
    strategy = make_strategy("random", graph, CTX, random_state=0)
    fams = sorted(graph.families, key=lambda f: get_family(f).cost)
    asked = [strategy.ask(set(fams), []) for _ in range(len(fams) + len(queue))]
    assert asked == [graph.default_config(f, CTX) for f in fams] + queue
    # a fit restricted to models=["logreg"] keeps only logreg's entries
    assert graph.with_families(["logreg"]).portfolio_queue(["logreg"], CTX) == [queue[1]]


def test_an_unknown_parameter_or_a_malformed_file_is_a_clear_error(tmp_path):
    bad = _file(tmp_path, [{"family": "logreg", "model.alpha": 1.0}])
    with pytest.raises(ConfigError, match="family 'logreg' sets 'alpha'.*C"):
        _graph(tmp_path, f"'{bad}'").portfolio_configs("logreg", CTX)
    other = _file(tmp_path, task="regression", name="r.json")
    with pytest.raises(ConfigError, match="for task 'regression', not 'classification'"):
        _graph(tmp_path, f"'{other}'").portfolio_configs("logreg", CTX)
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError, match="not an automl portfolio"):
        _graph(tmp_path, f"'{junk}'").portfolio_configs("logreg", CTX)
    with pytest.raises(ConfigError, match="does not exist.*benchmarks.portfolio"):
        _graph(tmp_path, f"'{tmp_path / 'missing.json'}'")


def test_learned_uses_the_shipped_file_and_falls_back_to_the_hand_written(tmp_path, monkeypatch):
    graph = _graph(tmp_path, "'learned'")
    hand = _graph(tmp_path, "true")
    monkeypatch.setattr(P, "learned_path", lambda task: tmp_path / f"portfolio_{task}.json")
    assert graph.portfolio_configs("hist_gb", CTX) == hand.portfolio_configs("hist_gb", CTX)
    assert len(hand.portfolio_configs("hist_gb", CTX)) == 2
    _file(tmp_path, name="portfolio_classification.json")
    assert len(graph.portfolio_configs("hist_gb", CTX)) == 2
    assert graph.portfolio_configs("hist_gb", CTX)[1]["model.learning_rate"] == 0.02


def test_a_preprocessing_choice_the_graph_lacks_keeps_the_entry_with_the_graph_default(tmp_path):
    # a portfolio learned on the default graph asks for mean imputation and min-max
    # scaling; the imbalanced preset offers neither, yet the hyperparameters still run
    entries = [
        {"family": "hist_gb", "model.max_leaf_nodes": 7, "impute": "mean"},
        {"family": "logreg", "model.C": 3.0, "scale": "minmax"},
        {"family": "logreg", "model.penalty": "elasticnet", "scale": "robust"},
    ]
    imbalanced = PipelineGraph.from_preset("imbalanced").with_families(["hist_gb", "logreg"])
    graph = dataclasses.replace(imbalanced, portfolio=str(_file(tmp_path, entries)))
    hist_default = graph.default_config("hist_gb", CTX)
    assert graph.portfolio_configs("hist_gb", CTX) == [{**hist_default, "model.max_leaf_nodes": 7}]
    assert hist_default["impute"] == "median"
    logreg = graph.portfolio_configs("logreg", CTX)  # the elasticnet entry is another model
    assert logreg == [{**graph.default_config("logreg", CTX), "model.C": 3.0}]


@pytest.mark.parametrize("preset", ["default", "imbalanced"])
def test_the_shipped_learned_portfolio_runs_whole_in_the_classification_presets(preset):
    path = P.learned_path("classification")
    shipped = P.read_learned(path, "classification")
    provenance = json.loads(path.read_text(encoding="utf-8"))["provenance"]
    assert "test never read" in provenance["split"]
    assert provenance["left_out_gain"] > 0
    graph = PipelineGraph.from_preset(preset)
    assert graph.portfolio == P.LEARNED
    queue = graph.portfolio_queue(graph.families, CTX)
    # every entry survives the overlay (none dropped for a preprocessing choice)
    assert [c["family"] for c in queue] == [e["family"] for e in shipped]
