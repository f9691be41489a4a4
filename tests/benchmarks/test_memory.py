"""The process-tree PSS helper the scale benchmark samples with."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from benchmarks.memory import (
    PeakTreePss,
    _kind,
    children,
    pss_kinds_mb,
    pss_mb,
    tree_pss_kinds_mb,
    tree_pss_mb,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_the_tree_includes_a_child_and_its_memory():
    child = subprocess.Popen(
        [sys.executable, "-c", "import numpy; a = numpy.ones(40 * 2**20 // 8); input()"],
        stdin=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while (pss_mb(child.pid) or 0) < 40 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert child.pid in children(os.getpid())
        alone = pss_mb(os.getpid())
        assert tree_pss_mb() >= alone + 40  # the child's 40 MB array is counted
    finally:
        child.communicate(b"\n", timeout=30)


def test_the_peak_sees_memory_freed_before_the_end():
    with PeakTreePss(interval=0.05) as memory:
        block = np.ones(80 * 2**20 // 8)  # 80 MB, touched
        time.sleep(0.5)
        del block
    assert memory.peak_mb is not None and memory.start_mb is not None
    assert memory.peak_mb >= memory.start_mb + 60


def test_the_breakdown_adds_up_and_tells_arrays_from_libraries():
    block = np.ones(60 * 2**20 // 8)  # 60 MB of anonymous memory, touched
    kinds = pss_kinds_mb(os.getpid())
    total = pss_mb(os.getpid())
    assert kinds is not None and total is not None
    assert kinds["anonymous"] >= 60 and kinds["libraries"] > 1  # numpy's own .so at least
    assert sum(kinds.values()) == pytest.approx(total, rel=0.05)
    del block


def test_the_mapped_worker_data_is_its_own_kind():
    assert _kind("/tmp/automl-x1y2/data.joblib") == "data file"
    assert _kind("/venv/lib/python3.11/site-packages/torch/lib/libtorch_cpu.so") == "libraries"
    assert _kind("/usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0") == "libraries"
    assert _kind("[heap]") == "anonymous" and _kind("") == "anonymous"
    assert _kind("/usr/lib/locale/locale-archive") == "other files"


def test_the_peak_breakdown_is_taken_only_when_asked():
    with PeakTreePss(interval=0.05) as plain:
        time.sleep(0.2)
    assert plain.peak_kinds_mb is None
    with PeakTreePss(interval=0.05, kinds=True) as broken_down:
        time.sleep(0.2)
    assert broken_down.peak_kinds_mb is not None
    assert broken_down.peak_kinds_mb["main"]["anonymous"] > 0
    assert tree_pss_kinds_mb() is not None
