"""Both reports render in headless Chromium: headings present, every figure decoded, not blank.

Skipped when no Chromium binary is installed (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import matplotlib.image as mpimg
import pytest

from automl.report import write_batch_report, write_run_report

CHROMIUM = next(
    (
        p
        for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
        if p and os.access(p, os.X_OK)
    ),
    None,
)
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"),
    pytest.mark.filterwarnings("ignore:Skipping malformed line"),
]


def _chromium(tmp: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={tmp / 'profile'}",
        *extra,
        url,
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=True)


@pytest.fixture(scope="module")
def pages(binary_run, shared_results_dir, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    run = write_run_report(binary_run, tmp / "run.html")
    batch = write_batch_report(shared_results_dir, tmp / "batch.html")
    return tmp, {"run": run, "batch": batch}


@pytest.mark.parametrize(
    "name, headings, n_images",
    [
        (
            "run",
            [
                "Summary",
                "Data",
                "Performance of the final model",
                "Leaderboard",
                "Search",
                "Time",
                "Winning pipeline",
            ],
            8,
        ),
        (
            "batch",
            [
                "Overview",
                "roc_auc (higher is better)",
                "f1 (higher is better)",
                "Budget adherence",
                "Failures",
            ],
            5,
        ),
    ],
)
def test_dom_loads_with_every_image_decoded(pages, name, headings, n_images):
    tmp, paths = pages
    dom = _chromium(tmp, paths[name].as_uri(), "--virtual-time-budget=5000", "--dump-dom").stdout
    for h in headings:
        assert f"<h2>{h}</h2>" in dom
    # Set by the page's own script once every <img> has loaded with naturalWidth > 0.
    assert f'data-images-loaded="{n_images}/{n_images}"' in dom
    assert 'data-report-ready="yes"' in dom
    sources = re.findall(r'<img src="([^"]*)"', dom)
    assert len(sources) == n_images
    assert all(s.startswith("data:image/png;base64,") and len(s) > 1000 for s in sources)


@pytest.mark.parametrize("name", ["run", "batch"])
def test_screenshot_is_not_blank(pages, name):
    tmp, paths = pages
    shot = tmp / f"{name}.png"
    _chromium(tmp, paths[name].as_uri(), f"--screenshot={shot}", "--window-size=1280,4000")
    pixels = mpimg.imread(io.BytesIO(shot.read_bytes()), format="png")[..., :3]
    assert pixels.shape[:2] == (4000, 1280)
    assert pixels.std() > 0.05
    # The header band is dark and the page body light: the stylesheet was applied.
    assert pixels[20:60].mean() < 0.3 and pixels[2000:3000].mean() > 0.7
