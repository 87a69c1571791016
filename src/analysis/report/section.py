"""A notebook's contribution to the summary document: its sentences, figures (with captions) and key
tables, written to reports/<Y>/sections/<NN>_<key>.json for the summary builder. In a notebook each
item is also displayed as it is added."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import formatting, safe_io
from analysis.charts import save as save_figure
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.labels import RATE_COLUMNS, SECTION_NAMES, TABLE_TITLES, column_names

SECTIONS_DIR = "sections"


def _display(obj: Any) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with the notebooks' dependencies
        return
    if get_ipython() is not None:
        display(obj)


def display_table(frame: pd.DataFrame, table: str | None = None) -> pd.DataFrame:
    """A catalogue table as shown to people: Chinese headers, rates as percentages, dates as days."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in RATE_COLUMNS:
            out[column] = values.map(formatting.percent)
        elif pd.api.types.is_datetime64_any_dtype(values):
            out[column] = values.map(formatting.day)
        elif pd.api.types.is_float_dtype(values):
            out[column] = values.map(formatting.number)
        elif column == "section":
            out[column] = values.map(lambda s: SECTION_NAMES.get(s, s))
        elif pd.api.types.is_bool_dtype(values):
            out[column] = values.map({True: "是", False: "否"})
    names = column_names(table)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


@dataclass
class Section:
    """Collects what a notebook shows, in order; ``save()`` writes it for the summary document."""

    reports_dir: Path
    key: str
    title: str
    order: int
    items: list[dict[str, Any]] = field(default_factory=list)

    def say(self, sentences: list[str]) -> None:
        """Add (and show) narrative sentences."""
        text = "".join(sentences)
        if not text:
            return
        self.items.append({"type": "text", "text": text})
        _display(formatting.note(text))

    def figure(self, fig: Figure | None, name: str, caption: str, appendix: bool = False) -> None:
        """Save a chart as figures/<name>.png/.svg, list it with its caption and show it.

        ``fig`` is None when the chart's data is absent (e.g. no check-in export): nothing is added.
        ``appendix``: the summary document places it in its appendix instead of this section."""
        if fig is None:
            return
        saved = save_figure(fig, self.reports_dir, name)
        item = {"type": "figure", "name": name, "caption": caption, "png": f"figures/{name}.png"}
        self.items.append(item | ({"appendix": True} if appendix else {}))
        _display(_Picture(Path(saved["png"]), caption))

    def table(
        self,
        cat: Catalogue,
        name: str,
        caption: str | None = None,
        columns: list[str] | None = None,
        max_rows: int = 20,
        in_document: bool = True,
    ) -> None:
        """Show a catalogue table (Chinese headers, formatted, no index) in full and list it for the
        summary document.

        ``in_document=False`` keeps lists of named people (e.g. members who never studied) out of the
        draft summary, which is shared more widely than the notebooks."""
        frame = cat.tables.get(name)
        if frame is None or frame.empty:
            return
        if columns:
            frame = frame[[c for c in columns if c in frame.columns]]
        shown = display_table(frame, name)
        _display(formatting.table(shown, kinds=_kinds(frame, shown)))
        if not in_document:
            return
        head = shown.head(max_rows)
        self.items.append(
            {
                "type": "table",
                "caption": caption or TABLE_TITLES.get(name, name),
                "columns": [str(c) for c in head.columns],
                "rows": [[_cell(v) for v in row] for row in head.itertuples(index=False)],
                "truncated": len(shown) > max_rows,
            }
        )

    def save(self) -> None:
        folder = Path(self.reports_dir) / SECTIONS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.order:02d}_{self.key}.json"
        doc = {"key": self.key, "title": self.title, "order": self.order, "items": self.items}
        safe_io.atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=1))


class _Picture:
    """A saved chart as a notebook shows it: the PNG at page width, its caption as the plain text."""

    def __init__(self, png: Path, caption: str) -> None:
        self.png, self.caption = png, caption

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        return self.png.read_bytes(), {"width": 720}

    def __repr__(self) -> str:
        return f"图：{self.caption}"


def _kinds(frame: pd.DataFrame, shown: pd.DataFrame) -> dict[str, str]:
    """Display kinds of the shown (Chinese) columns: numbers right-aligned, everything else text."""
    kinds = {}
    for original, column in zip(frame.columns, shown.columns, strict=True):
        kind = formatting.column_kind(frame[original], original in RATE_COLUMNS)
        if kind in formatting.NUMERIC_KINDS and not pd.api.types.is_numeric_dtype(shown[column].dtype):
            kind = formatting.FIGURE
        kinds[column] = kind if kind in formatting.RIGHT_ALIGNED else "text"
    return kinds


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if hasattr(value, "item"):
        return value.item()
    return value


def load_sections(reports_dir: Path) -> list[dict[str, Any]]:
    folder = Path(reports_dir) / SECTIONS_DIR
    if not folder.is_dir():
        return []
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(docs, key=lambda d: d["order"])
