"""The README's first command runs the demo; it must print a leaderboard and test scores."""

from __future__ import annotations

import pytest

from automl import demo


@pytest.mark.slow
def test_demo_prints_leaderboard_and_test_scores(capsys):
    assert demo.main(["--budget", "8", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Leaderboard" in out and "Test scores: roc_auc=" in out and "Fit wall time" in out
