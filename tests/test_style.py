"""The style is checked, not hoped for: types, public docstrings and module size.

- ``mypy`` over ``automl/`` with the ``[tool.mypy]`` settings of pyproject.toml.
- numpydoc validation of every name in ``automl.__all__`` and its public methods.
- No module of the package is longer than :data:`MAX_MODULE_LINES` lines.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import automl

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "automl"

#: A module longer than this holds more than one concept: split it.
MAX_MODULE_LINES = 400

#: numpydoc checks not required of the public API: extended summary, See Also,
#: Examples (wanted on the classes and ``load``, not on every method).
IGNORED_CHECKS = frozenset({"ES01", "SA01", "EX01"})


@pytest.mark.slow  # a cold cache takes 30-60 s; warm, a few seconds
def test_mypy_passes():
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e .[test])")
    stdout, stderr, status = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            str(PACKAGE),
        ]
    )
    assert status == 0, f"mypy found errors:\n{stdout}{stderr}"


def _public_api() -> list[str]:
    """Dotted names of ``automl.__all__`` and of the public methods its classes define.

    A method inherited from a class of this package is named where it is defined,
    once; methods inherited from scikit-learn and others are theirs to document.
    """
    names: list[str] = []
    for name in automl.__all__:
        obj = getattr(automl, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue  # __version__
        names.append(f"{obj.__module__}.{obj.__qualname__}")
        if not inspect.isclass(obj):
            continue
        for cls in obj.__mro__:
            if not cls.__module__.startswith("automl."):
                continue
            names += [
                f"{cls.__module__}.{cls.__qualname__}.{attr}"
                for attr, member in vars(cls).items()
                if not attr.startswith("_")
                and (inspect.isfunction(member) or isinstance(member, (classmethod, staticmethod)))
            ]
    return list(dict.fromkeys(names))


@pytest.mark.parametrize("name", _public_api())
def test_public_docstring(name):
    validate = pytest.importorskip(
        "numpydoc.validate", reason="numpydoc is not installed (pip install -e .[test])"
    ).validate
    errors = [
        f"{code}: {msg}" for code, msg in validate(name)["errors"] if code not in IGNORED_CHECKS
    ]
    assert not errors, f"{name}:\n" + "\n".join(errors)


def test_no_module_over_max_lines():
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them): {too_long}"
