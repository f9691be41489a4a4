"""The offline portfolio: normalisation, greedy selection, leave-one-out, cache, output."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, make_classification

import benchmarks.portfolio_eval as PE
from automl.exceptions import ConfigError
from automl.graph import PipelineGraph
from automl.graph.portfolio import PORTFOLIO_FORMAT
from automl.models import ModelContext
from benchmarks.portfolio import learn_portfolio, main, write_portfolio
from benchmarks.portfolio_eval import Candidate, ResultCache, loss_matrix, prepare
from benchmarks.portfolio_select import (
    greedy_select,
    normalise,
    select_with_left_out,
)


def test_normalise_maps_best_to_one_and_median_or_worse_to_zero():
    losses = np.array(
        [
            [1.0, 2.0, 3.0, 4.0, 5.0],
            [0.3, np.nan, 0.3, 0.3, 0.3],  # all equal: nothing to gain; NaN (failed) is worst
            [np.nan] * 5,
            [-0.9, -0.8, -0.7, -0.5, -0.1],  # a negated AUC: higher AUC, lower loss
        ]
    )
    np.testing.assert_allclose(
        normalise(losses),
        [
            [1.0, 0.5, 0.0, 0.0, 0.0],
            [1.0, 0.0, 1.0, 1.0, 1.0],
            [0.0] * 5,
            [1.0, 0.5, 0.0, 0.0, 0.0],
        ],
    )


def test_greedy_picks_the_candidate_that_helps_most_datasets_first():
    # column 0 is the default; 1 is best on one dataset; 2 is good on two; 3 adds nothing
    scores = np.array(
        [
            [0.5, 1.0, 0.9, 0.5],
            [0.5, 0.5, 0.9, 0.2],
            [0.5, 0.5, 0.4, 0.5],
        ]
    )
    assert greedy_select(scores, start=[0], size=1) == [2]
    # then the one that lifts dataset 0 further; then nothing gains, so it stops
    assert greedy_select(scores, start=[0], size=5) == [2, 1]


def test_left_out_selection_never_sees_the_left_out_dataset():
    # candidate 1 helps dataset 0 only: chosen in sample, never without dataset 0
    scores = np.array(
        [
            [0.2, 1.0, 0.2],
            [0.5, 0.5, 0.8],
            [0.5, 0.5, 0.7],
        ]
    )
    sel = select_with_left_out(scores, start=[0], size=2)
    assert sel.added == [1, 2]
    assert 1 not in sel.left_out[0] and sel.left_out[0] == [2]
    np.testing.assert_allclose(sel.in_sample_gain, [0.8, 0.3, 0.2])
    np.testing.assert_allclose(sel.left_out_gain, [0.0, 0.3, 0.2])


def _tiny_datasets():
    Xb, yb = load_breast_cancer(return_X_y=True, as_frame=True)
    rows = np.random.default_rng(0).choice(len(yb), 120, replace=False)
    Xs, ys = make_classification(n_samples=120, n_features=6, random_state=1)
    return [("cancer", Xb.iloc[rows], yb.iloc[rows]), ("synth", Xs, ys)]


def _logreg_candidates():
    return [
        Candidate("logreg:default", {"family": "logreg"}),
        Candidate("logreg:c", {"family": "logreg", "model.C": 0.01, "scale": "robust"}),
    ]


def test_the_result_cache_resumes_without_rerunning_finished_cells(tmp_path, monkeypatch):
    graph = PipelineGraph.from_preset("default").with_families(["logreg"])
    preps = [prepare(n, X, y, "classification", graph, 2, 0) for n, X, y in _tiny_datasets()]
    path = tmp_path / "cells.jsonl"
    first = loss_matrix(preps, _logreg_candidates(), ResultCache(path), "s")
    assert np.all(np.isfinite(first)) and np.all(first < -0.8)  # AUC above 0.8 on both
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and {json.loads(x)["dataset"] for x in lines} == {"cancer", "synth"}
    # a run killed after three cells: only the fourth runs again
    path.write_text("\n".join(lines[:3]) + "\n")
    calls = []
    real = PE._evaluate
    monkeypatch.setattr(PE, "_evaluate", lambda *a: calls.append(a) or real(*a))
    again = loss_matrix(preps, _logreg_candidates(), ResultCache(path), "s")
    assert len(calls) == 1
    np.testing.assert_allclose(again, first)
    calls.clear()
    loss_matrix(preps, _logreg_candidates(), ResultCache(path), "s")
    assert calls == []
    # another setting (folds, rows, seed) is another cell
    loss_matrix(preps[:1], _logreg_candidates()[:1], ResultCache(path), "other")
    assert len(calls) == 1


def test_learned_portfolio_end_to_end_is_data_the_graph_reads(tmp_path):
    result = learn_portfolio(
        _tiny_datasets(),
        task="classification",
        candidates_per_family=1,
        size=3,
        n_folds=2,
        families=["logreg", "hist_gb"],
        results=tmp_path / "cells.jsonl",
        max_rows=120,
        command="python -m benchmarks.portfolio --test",
    )
    out = tmp_path / "portfolio_classification.json"
    write_portfolio(result, out)
    data = json.loads(out.read_text())
    assert set(data) == {"format", "task", "configs", "provenance"}
    assert data["format"] == PORTFOLIO_FORMAT and data["task"] == "classification"
    prov = data["provenance"]
    for key in ("command", "date", "git_revision", "datasets", "candidates_per_family", "folds"):
        assert prov[key], key
    assert prov["datasets"] == ["cancer", "synth"] and prov["max_rows"] == 120
    assert (
        prov["n_candidates"] == 2 * 2 + 1 + 2
    )  # default + 1 draw each, + hand: logreg 1, hist_gb 2
    assert prov["in_sample_gain"] >= prov["left_out_gain"] - 1e-12
    assert 0 <= prov["in_sample_gain"] <= 1
    assert 1 <= len(data["configs"]) <= 3  # something beats the two defaults somewhere
    for entry in data["configs"]:
        assert entry["family"] in ("logreg", "hist_gb")
        assert not entry["_id"].endswith(":default")
    # 2 datasets x 7 candidates, each a line of the cache (none shared by clipping here)
    assert len((tmp_path / "cells.jsonl").read_text().splitlines()) == 14
    preset = tmp_path / "learned.toml"
    preset.write_text(
        f"[nodes.model]\nfamilies = ['logreg', 'hist_gb']\nportfolio = '{out}'\n"
        "[nodes.scale]\nchoices = ['standard', 'robust', 'quantile', 'minmax', 'none']\n"
        "[nodes.impute]\nnumeric = ['median', 'mean']\n"
    )
    graph = PipelineGraph.from_preset(str(preset))
    queue = graph.portfolio_queue(["logreg", "hist_gb"], ModelContext())
    assert [c["family"] for c in queue] == [e["family"] for e in data["configs"]]


def test_the_command_line_runs_on_bundled_data(tmp_path, capsys):
    out = tmp_path / "p.json"
    args = "--task classification --suite sklearn --datasets breast_cancer wine "
    args += "--families logreg --candidates-per-family 1 --size 1 --max-rows 1000 --folds 2 "
    args += f"--results {tmp_path / 'c.jsonl'} --out {out}"
    assert main(args.split()) == 0
    printed = capsys.readouterr().out
    assert "left-out gain" in printed and "breast_cancer" in printed and "wine" in printed
    prov = json.loads(out.read_text())["provenance"]
    assert prov["command"].startswith("python -m benchmarks.portfolio --task classification")
    assert prov["datasets"] == ["breast_cancer", "wine"]
    # the training parts only: 75 % of 569 and of 178 rows (the test rows never come in)
    assert prov["per_dataset"]["breast_cancer"]["n_rows"] == 569 - 143
    assert prov["per_dataset"]["wine"]["n_rows"] == 178 - 45


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_candidates_draw_node_choices_and_stay_fixed_by_seed(task):
    graph = PipelineGraph.from_preset("default" if task == "classification" else "regression")
    graph = graph.with_families(["hist_gb"])
    ctx = ModelContext(task="regression" if task == "regression" else "binary")
    a = PE.make_candidates(graph, 3, 0, ctx)
    # the regression portfolio adds a start from the ridge base line
    n_hand = 3 if task == "regression" else 2
    assert [c.id for c in a] == ["hist_gb:default"] + [
        f"hist_gb:hand{i}" for i in range(n_hand)
    ] + [f"hist_gb:rand{i}" for i in range(3)]
    assert a[1].entry.get("model.base") == ("linear" if task == "regression" else None)
    assert a == PE.make_candidates(graph, 3, 0, ctx)
    assert a != PE.make_candidates(graph, 3, 1, ctx)
    drawn = a[-1].entry
    assert "impute" in drawn and "model.learning_rate" in drawn
    assert ("target" in drawn) == (task == "regression")


def test_regression_portfolio_scores_rmse_and_skips_log1p_on_negative_targets(tmp_path):
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=100, n_features=4, noise=5.0, random_state=0)
    graph = PipelineGraph.from_preset("regression").with_families(["linear"])
    prep = prepare("neg", X, y, "regression", graph, 2, 0)
    assert y.min() < 0 and "log1p" not in prep.run.graph.target
    cands = [
        Candidate("linear:default", {"family": "linear"}),
        Candidate("linear:log", {"family": "linear", "target": "log1p"}),
        Candidate("linear:yj", {"family": "linear", "target": "yeo_johnson"}),
    ]
    losses = loss_matrix([prep], cands, ResultCache(None), "s")
    assert np.isfinite(losses[0, 0]) and np.isnan(losses[0, 1]) and np.isfinite(losses[0, 2])
    assert 0 < losses[0, 0] < np.std(y)  # an RMSE (a loss), well below predicting the mean
    result = learn_portfolio(
        [("neg", X, y)], task="regression", candidates_per_family=1, size=1, n_folds=2,
        families=["linear"],
    )  # fmt: skip
    assert result["provenance"]["metric"] == "rmse" and result["task"] == "regression"


def test_subsample_keeps_the_class_balance_and_is_seeded():
    import pandas as pd

    from benchmarks.portfolio_eval import subsample

    y = pd.Series([1] * 200 + [0] * 800)
    X = pd.DataFrame({"a": range(1000)})
    Xs, ys = subsample(X, y, "classification", 100, seed=0)
    assert len(ys) == 100 and int(ys.sum()) == 20 and list(Xs.index) == list(ys.index)
    assert list(subsample(X, y, "classification", 100, seed=0)[1].index) == list(ys.index)
    assert subsample(X, y, "regression", 2000, seed=0)[0] is X  # under the cap: unchanged


def _learn_logreg(tmp_path, draws, **kw):
    return learn_portfolio(
        _tiny_datasets(),
        task="classification",
        candidates_per_family=draws,
        size=2,
        n_folds=2,
        families=["logreg"],
        results=tmp_path / "cells.jsonl",
        max_rows=120,
        **kw,
    )


def test_a_preset_other_than_the_tasks_default_draws_from_its_own_space(tmp_path):
    result = _learn_logreg(tmp_path, 4, preset="imbalanced")
    assert result["provenance"]["preset"] == "imbalanced"
    drawn = [c.entry for c in result["candidates"] if ":rand" in c.id]
    # the imbalanced graph searches resampling and class weights; the default one does not
    assert all("resample" in e and "class_weight" in e for e in drawn)
    assert {e["resample"] for e in drawn} - {"none"}
    default = _learn_logreg(tmp_path, 1)
    assert default["provenance"]["preset"] == "default"
    assert "resample" not in next(c.entry for c in default["candidates"] if ":rand" in c.id)


def test_a_preset_of_the_other_task_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="'regression' is a regression graph"):
        _learn_logreg(tmp_path, 1, preset="regression")
