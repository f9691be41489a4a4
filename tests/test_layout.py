"""The installed package stands alone: no benchmark harness, peers or source checkout in it.

Every module of ``automl/`` is read with :mod:`ast` (nothing is imported), and
each import is resolved to its absolute module name, relative ones included.
The rules:

- no import of ``benchmarks`` (the harness of the source checkout, not installed)
  nor of a peer system it benchmarks against (``flaml``);
- scikit-optimize (``skopt``) only in ``automl/search/``, the one place that wraps it;
- the optional extras stay at the edge: ``mlflow`` only in ``automl/tracking/``,
  ``shap`` only in ``automl/explain/``;
- no ``automl.bench`` package any more, and no git call (a string ``"git"``
  passed to a call or listed in a command) anywhere in the package;
- no path climbs from ``__file__`` above the ``automl`` folder (the repository
  root is not there once the package is installed).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "automl"
#: Top-level modules the package must never import.
FORBIDDEN = ("benchmarks", "flaml")
#: scikit-optimize, allowed only in the folder below.
SKOPT, SKOPT_HOME = "skopt", PACKAGE / "search"
#: Optional extras and the one folder each may be imported from.
EXTRAS = {"mlflow": PACKAGE / "tracking", "shap": PACKAGE / "explain"}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, package_dir: Path = PACKAGE) -> Iterator[tuple[int, str]]:
    """``(line, absolute module name)`` of every import in the file at ``path``.

    ``from a import b`` yields both ``a`` and ``a.b`` (``b`` may be a module);
    relative imports are resolved against the file's own package, whose top
    folder is ``package_dir``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = _module_name(path, package_dir)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _top(name: str) -> str:
    return name.partition(".")[0]


def test_the_walk_sees_the_package_and_resolves_relative_imports():
    assert len(_modules()) > 20 and (PACKAGE / "cli.py") in _modules()
    assert not (PACKAGE / "bench").exists(), "the harness lives in benchmarks/, not automl/bench/"
    names = {n for _, n in imported_modules(PACKAGE / "report" / "results.py")}
    assert {"automl.report.records", "automl.metrics", "numpy"} <= names


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_harness_or_peer_import(path):
    bad = [
        f"{path.name}:{line}: import {name}"
        for line, name in imported_modules(path)
        if _top(name) in FORBIDDEN or name == "automl.bench" or name.startswith("automl.bench.")
    ]
    assert not bad, "the installed package must not import: " + "; ".join(bad)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_skopt_only_in_search(path):
    if path.is_relative_to(SKOPT_HOME):
        return
    bad = [f"{path.name}:{line}" for line, name in imported_modules(path) if _top(name) == SKOPT]
    assert not bad, f"scikit-optimize is imported outside automl/search/ at {bad}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_optional_extras_only_at_the_edge(path):
    bad = [
        f"{path.name}:{line}: import {name}"
        for line, name in imported_modules(path)
        if _top(name) in EXTRAS and not path.is_relative_to(EXTRAS[_top(name)])
    ]
    assert not bad, "an optional extra is imported outside its folder: " + "; ".join(bad)


def _git_calls(tree: ast.AST) -> list[int]:
    """Lines where ``"git"`` is a call argument or an element of a command list/tuple."""
    lines = []
    for node in ast.walk(tree):
        values = []
        if isinstance(node, ast.Call):
            values = node.args
        elif isinstance(node, (ast.List, ast.Tuple)) and node.elts:
            values = node.elts[:1]
        lines += [v.lineno for v in values if isinstance(v, ast.Constant) and v.value == "git"]
    return lines


def _levels_above_folder(node: ast.AST) -> int | None:
    """How many folders above the file's own an expression rooted at ``__file__`` climbs.

    Counts ``.parent`` (the first one is the file's folder) and ``.parents[k]``
    (``k + 1`` up from the file); None when the expression does not start at ``__file__``.
    """
    climbed = 0
    while True:
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            climbed, node = climbed + 1, node.value
        elif (
            isinstance(node, ast.Subscript)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "parents"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.slice.value, int)
        ):
            climbed, node = climbed + node.slice.value + 1, node.value.value
        elif isinstance(node, ast.Attribute) and node.attr in ("resolve", "absolute"):
            node = node.value
        elif isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "Path" and node.args:
                node = node.args[0]
            else:
                node = node.func
        elif isinstance(node, ast.Name):
            return climbed - 1 if node.id == "__file__" else None
        else:
            return None


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_source_checkout_assumed(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not _git_calls(tree), f"{path.name} calls git at lines {_git_calls(tree)}"
    depth = len(path.relative_to(PACKAGE).parts) - 1  # folders between the file and automl/
    for node in ast.walk(tree):
        climbed = _levels_above_folder(node)
        assert climbed is None or climbed <= depth, (
            f"{path.name}:{node.lineno} climbs {climbed} folder(s) from __file__, "
            "out of the automl package (to the repository root?)"
        )


def test_the_checks_catch_what_they_forbid(tmp_path):
    """The rules fail on a module that breaks them (the walk is not vacuous)."""
    pkg = tmp_path / "automl" / "report"
    pkg.mkdir(parents=True)
    bad = pkg / "bad.py"
    bad.write_text(
        "import subprocess\nfrom pathlib import Path\n"
        "from ...benchmarks import runner\nfrom flaml import AutoML\nfrom skopt import gp\n"
        "ROOT = Path(__file__).resolve().parents[2]\n"
        "subprocess.run(['git', 'rev-parse', 'HEAD'])\n",
        encoding="utf-8",
    )
    bad.write_text(bad.read_text() + "import mlflow\n", encoding="utf-8")
    names = {n for _, n in imported_modules(bad, tmp_path / "automl")}
    assert {"benchmarks", "benchmarks.runner", "flaml", "skopt", "mlflow"} <= names
    tree = ast.parse(bad.read_text())
    assert _git_calls(tree) == [7]
    climbs = [c for n in ast.walk(tree) if (c := _levels_above_folder(n)) is not None]
    assert max(climbs) == 2  # parents[2] of automl/report/bad.py: above automl/
