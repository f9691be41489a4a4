"""The scikit-optimize adapter: plain values in and out, out-of-space points refused."""

from __future__ import annotations

import numpy as np

from automl.search.skopt_adapter import SkoptOptimizer, _to_skopt
from automl.space import Categorical, Integer, Real

SPACE = {
    "lr": Real(1e-3, 1.0, log=True),
    "frac": Real(0.1, 0.9),
    "depth": Integer(2, 10),
    "trees": Integer(10, 1000, log=True),
    "features": Categorical(["sqrt", 0.5, None, True]),
}


def test_translation_to_skopt():
    from skopt import space as sk

    cat = _to_skopt("features", SPACE["features"])
    assert isinstance(cat, sk.Categorical) and list(cat.categories) == ["0", "1", "2", "3"]
    real = _to_skopt("lr", SPACE["lr"])
    assert isinstance(real, sk.Real) and real.prior == "log-uniform"
    assert (real.low, real.high) == (1e-3, 1.0)
    integer = _to_skopt("depth", SPACE["depth"])
    assert isinstance(integer, sk.Integer) and integer.prior == "uniform"
    assert _to_skopt("trees", SPACE["trees"]).prior == "log-uniform"


def _check_point(point):
    assert set(point) == set(SPACE)
    for name, value in point.items():
        assert SPACE[name].contains(value), (name, value)
    assert type(point["lr"]) is float and type(point["frac"]) is float
    assert type(point["depth"]) is int and type(point["trees"]) is int
    assert point["features"] in SPACE["features"].choices
    if point["features"] is not None:  # original objects, not their string indices
        assert type(point["features"]) in (str, float, bool)


def test_ask_gives_plain_values_in_the_space():
    opt = SkoptOptimizer(SPACE, random_state=0, n_initial_points=3)
    for _ in range(6):
        [point] = opt.ask()
        _check_point(point)
        assert opt.tell(point, float(point["frac"]))
    batch = opt.ask(3)
    assert len(batch) == 3
    for point in batch:
        _check_point(point)
    assert opt.n_told == 6


def test_same_seed_same_points():
    a, b = SkoptOptimizer(SPACE, random_state=3), SkoptOptimizer(SPACE, random_state=3)
    for _ in range(3):
        pa, pb = a.ask()[0], b.ask()[0]
        assert pa == pb
        a.tell(pa, 1.0)
        b.tell(pb, 1.0)


def test_tell_refuses_points_outside_the_space_and_bad_losses():
    opt = SkoptOptimizer(SPACE, random_state=0)
    good = {"lr": 0.01, "frac": 0.5, "depth": 3, "trees": 100, "features": "sqrt"}
    assert opt.tell({**good, "features": "log2"}, 1.0) is False
    assert opt.tell({**good, "depth": 11}, 1.0) is False
    assert opt.tell({**good, "depth": 3.5}, 1.0) is False
    assert opt.tell({k: v for k, v in good.items() if k != "lr"}, 1.0) is False
    assert opt.tell(good, float("nan")) is False
    assert opt.tell(good, float("inf")) is False
    assert opt.n_told == 0
    assert opt.tell(good, 0.3) is True
    assert opt.tell({**good, "frac": 1 - 0.5, "lr": 1}, 0.2) is True  # an int on a Real is fine
    assert opt.n_told == 2


def test_mixed_type_categorical_round_trip():
    opt = SkoptOptimizer({"features": SPACE["features"]}, random_state=0, n_initial_points=2)
    for choice in SPACE["features"].choices:
        assert opt.tell({"features": choice}, 0.5) is True
    seen = {repr(opt.ask()[0]["features"]) for _ in range(10)}
    assert seen <= {repr(c) for c in SPACE["features"].choices}


def test_empty_space():
    opt = SkoptOptimizer({}, random_state=0)
    assert opt.ask() == [{}]
    assert opt.ask(2) == [{}, {}]
    assert opt.tell({}, 1.0) is False


def test_minimises_a_simple_loss():
    space = {"x": Real(-5.0, 5.0)}
    opt = SkoptOptimizer(space, random_state=0, n_initial_points=4)
    xs = []
    for _ in range(16):
        x = opt.ask()[0]["x"]
        xs.append(x)
        opt.tell({"x": x}, (x - 2.0) ** 2)
    assert min(abs(x - 2.0) for x in xs[4:]) < 0.5
    assert np.mean([abs(x - 2.0) for x in xs[-6:]]) < np.mean([abs(x - 2.0) for x in xs[:4]])


def test_tell_many_records_the_valid_points_with_one_refit():
    opt = SkoptOptimizer(SPACE, random_state=0, n_initial_points=2)
    good = {"lr": 0.01, "frac": 0.5, "depth": 3, "trees": 100, "features": "sqrt"}
    batch = [
        (good, 0.3),
        ({**good, "depth": 11}, 0.1),
        ({**good, "frac": 0.2}, float("nan")),
        ({**good, "depth": 5}, 0.2),
    ]
    assert opt.tell_many(batch) == 2 and opt.n_told == 2
    assert opt.tell_many([]) == 0
    point = opt.ask()[0]  # the surrogate, fitted on the two points, proposes
    assert set(point) == set(SPACE)


NUMERIC = {"lr": Real(1e-3, 1.0, log=True), "depth": Integer(2, 10)}


def test_auto_surrogate_is_a_gaussian_process_on_a_few_numeric_ranges_only():
    from automl.search.skopt_adapter import GP_MAX_DIMS, choose_surrogate

    assert choose_surrogate(NUMERIC) == "GP"
    assert choose_surrogate(SPACE) == "ET"  # a categorical choice: trees
    many = {f"x{i}": Real(0.0, 1.0) for i in range(GP_MAX_DIMS + 1)}
    assert choose_surrogate(many) == "ET"
    assert choose_surrogate({}) == "ET"
    assert SkoptOptimizer(NUMERIC, base_estimator="auto").surrogate == "GP"
    assert SkoptOptimizer(NUMERIC).surrogate == "ET"  # the AutoML graph's default


def _bowl(point):
    """A smooth loss with its minimum 0 at lr=0.03, depth=6."""
    return (np.log10(point["lr"]) - np.log10(0.03)) ** 2 + 0.01 * (point["depth"] - 6) ** 2


def test_gaussian_process_finds_the_bottom_of_a_smooth_loss_in_few_trials():
    opt = SkoptOptimizer(NUMERIC, random_state=0, n_initial_points=5, base_estimator="auto")
    losses = []
    for _ in range(25):
        point = opt.ask()[0]
        losses.append(_bowl(point))
        opt.tell(point, losses[-1])
    assert min(losses) < 0.01  # lr within a factor 1.26 of the optimum, depth 6 give or take 1


def test_gaussian_process_hands_its_observations_over_to_trees(monkeypatch):
    import automl.search.skopt_adapter as adapter

    monkeypatch.setattr(adapter, "GP_MAX_POINTS", 8)
    opt = SkoptOptimizer(NUMERIC, random_state=0, n_initial_points=3, base_estimator="auto")
    points = [opt.ask()[0] for _ in range(7)]
    assert opt.tell_many([(p, _bowl(p)) for p in points]) == 7
    assert opt.surrogate == "GP"
    extra = opt.ask()[0]
    opt.tell(extra, _bowl(extra))
    assert opt.surrogate == "ET" and opt.n_told == 8
    assert len(opt._opt.Xi) == 8  # every observation went over, none lost
    for point in opt.ask(2):
        assert all(NUMERIC[k].contains(v) for k, v in point.items())
