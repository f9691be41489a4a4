"""Rendering plumbing shared by the run and batch reports.

The output format follows the file suffix: ``.html``/``.htm`` gives one
self-contained HTML file (figures inlined as base64 PNG data URIs);
``.md``/``.markdown`` gives Markdown whose figures are PNG files written to a
``<stem>_files/`` folder beside it and linked relatively (data URIs are not
shown by most Markdown viewers, GitHub included).
"""

from __future__ import annotations

import base64
import datetime as _dt
import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import jinja2
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..exceptions import ConfigError
from .plots import figure_to_png

Format = Literal["html", "md"]
_SUFFIXES: dict[str, Format] = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
_TEMPLATES = Path(__file__).with_name("templates")


def output_format(path: str | Path) -> Format:
    """``"html"`` or ``"md"`` from the suffix of ``path``.

    Raises
    ------
    ConfigError
        For any other suffix.
    """
    suffix = Path(path).suffix.lower()
    try:
        return _SUFFIXES[suffix]
    except KeyError:
        raise ConfigError(
            f"Report path must end with .html or .md, got {str(path)!r} "
            f"(suffix {suffix or 'none'!r})."
        ) from None


@dataclass
class ImageSink:
    """Turns figures into ``<img>`` sources: data URIs (HTML) or PNG files (Markdown)."""

    out_path: Path
    fmt: Format
    written: list[Path] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.out_path.with_name(f"{self.out_path.stem}_files")

    def add(self, name: str, fig: Figure, alt: str) -> dict[str, str]:
        """Encode ``fig``; return ``{"src", "alt", "name"}`` for the template."""
        png = figure_to_png(fig)
        if self.fmt == "html":
            src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / f"{name}.png"
            target.write_bytes(png)
            self.written.append(target)
            src = f"{self.folder.name}/{target.name}"
        return {"src": src, "alt": alt, "name": name}

    def try_add(self, name: str, draw: Callable[[], Figure], alt: str) -> dict[str, str] | None:
        """Like :meth:`add`, but a figure that cannot be drawn is left out (``None``)."""
        try:
            fig = draw()
        except (ValueError, KeyError, TypeError, IndexError):
            return None
        return self.add(name, fig, alt)


@dataclass
class Table:
    """A table of preformatted cells; ``strong`` marks cells to emphasise."""

    columns: list[str]
    rows: list[list[tuple[str, bool]]]
    numeric: list[bool] = field(default_factory=list)

    @classmethod
    def from_rows(
        cls, columns: Sequence[str], rows: Iterable[Sequence[Any]], fmt: str = ".4g"
    ) -> Table:
        body = [[(fmt_value(v, fmt), False) for v in row] for row in rows]
        return cls(list(columns), body, _numeric_columns(body, len(columns)))

    @classmethod
    def from_frame(
        cls,
        frame: pd.DataFrame,
        fmt: str = ".4g",
        *,
        index: bool = True,
        strong: pd.DataFrame | None = None,
    ) -> Table:
        columns = ([str(frame.index.name or "")] if index else []) + [str(c) for c in frame.columns]
        body = []
        rows = frame.itertuples(index=False, name=None)  # keeps each column's dtype
        for i, (label, row) in enumerate(zip(frame.index, rows, strict=True)):
            cells = [(fmt_value(label, fmt), False)] if index else []
            for j, value in enumerate(row):
                mark = bool(strong.iat[i, j]) if strong is not None else False
                cells.append((fmt_value(value, fmt), mark))
            body.append(cells)
        return cls(columns, body, _numeric_columns(body, len(columns)))


def _numeric_columns(body: list[list[tuple[str, bool]]], n: int) -> list[bool]:
    def is_num(text: str) -> bool:
        try:
            float(text.rstrip("%").split()[0])
            return True
        except (ValueError, IndexError):
            return text == "—"

    return [bool(body) and all(is_num(row[j][0]) for row in body) for j in range(n)]


def fmt_value(value: Any, fmt: str = ".4g") -> str:
    """Format one cell: floats with ``fmt``, NaN/None as an em dash, the rest as text."""
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (float, np.floating)):
        return "—" if math.isnan(value) else format(float(value), fmt)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value)


def fmt_pm(mean: Any, std: Any, fmt: str = ".4f") -> str:
    """``mean ± std`` formatted with ``fmt``; an em dash without a mean, no ``±`` without a std."""
    if mean is None or pd.isna(mean):
        return "—"
    return fmt_value(float(mean), fmt) + (
        "" if std is None or pd.isna(std) else f" ± {fmt_value(float(std), fmt)}"
    )


def fmt_share(value: Any) -> str | None:
    """A fraction as a percentage with one decimal; None stays None (the row is left out)."""
    return None if value is None else f"{float(value):.1%}"


def compact(value: Any, limit: int = 300) -> str:
    """One cell of at most ``limit`` characters: containers as JSON, empty ones as "none"."""
    if isinstance(value, (dict, list, tuple)):
        if not value:
            return "none"
        text = json.dumps(value, default=str)
    else:
        text = fmt_value(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown(table: Table) -> str:
    """``table`` as GitHub-flavoured Markdown (strong cells in bold, numbers right-aligned)."""
    if not table.rows:
        return "_Nothing to show._\n"

    def line(cells: Iterable[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    align = ["---:" if num else "---" for num in table.numeric] or ["---"] * len(table.columns)
    out = [line(_md_cell(c) for c in table.columns), "|" + "|".join(align) + "|"]
    out += [
        line(f"**{_md_cell(t)}**" if strong and t else _md_cell(t) for t, strong in row)
        for row in table.rows
    ]
    return "\n".join(out) + "\n"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["mdtable"] = markdown
    return env


def render(template: str, context: dict[str, Any], path: str | Path) -> Path:
    """Render ``<template>.<fmt>`` from the templates folder into ``path``.

    The format comes from the suffix of ``path`` (see :func:`output_format`).
    """
    path = Path(path)
    fmt = output_format(path)
    context = {
        "generated": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "version": _version(),
        **context,
    }
    text = _environment().get_template(f"{template}.{fmt}").render(**context)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("automl-tabular")
    except PackageNotFoundError:
        return "dev"
