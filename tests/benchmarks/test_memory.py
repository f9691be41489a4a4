"""The process-tree PSS helper the scale benchmark samples with."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np
import pytest

from benchmarks.memory import PeakTreePss, children, pss_mb, tree_pss_mb

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
