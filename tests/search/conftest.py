"""A fake clock for the budget, so search tests never depend on the wall clock."""

from __future__ import annotations

import pytest

from automl.search import budget as budget_module


class FakeClock:
    """Stands in for the ``time`` module in :mod:`automl.search.budget`."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """A :class:`FakeClock` that the budget reads; move it on with ``clock.now += s``."""
    fake = FakeClock()
    monkeypatch.setattr(budget_module, "time", fake)
    return fake
