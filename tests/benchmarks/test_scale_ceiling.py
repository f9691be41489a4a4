"""The Bayes-ceiling estimate of the scale benchmark's synthetic data."""

from __future__ import annotations

from benchmarks.scale_ceiling import ceiling, main


def test_the_generators_own_form_beats_the_default_booster_at_50_columns():
    # a Gaussian mixture per class has make_classification's form: at the benchmark's
    # 50 columns it must outrank a tree ensemble, or it estimates no ceiling there
    results = ceiling(20_000, cols=50, seed=0)
    assert set(results) == {"default HGB", "QDA", "mixture per class"}
    top = results["mixture per class"][0]
    assert 0.9 < top <= 1.0
    assert top > results["default HGB"][0] + 0.005


def test_the_command_prints_each_model_and_the_gap(capsys):
    main(["--rows", "4000", "--cols", "8"])
    out = capsys.readouterr().out
    assert "mixture per class" in out and "ceiling - default HGB" in out
