"""A notebook's contribution to the summary document: its sentences, figures (with captions) and key
tables, written to reports/<Y>/sections/<NN>_<key>.json for the summary builder. In a notebook each
item is also displayed as it is added."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis.charts import save as save_figure
from analysis.charts import title_of
from analysis.common import formatting
from analysis.common.paths import FIGURES_DIR, SECTIONS_DIR
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.labels import RATE_COLUMNS, TABLE_TITLES, column_names, section_names
from analysis.report.workbook import DETAIL_COLUMN, PEOPLE_FIRST, PEOPLE_TABLES, people_sheet
from analysis.safety import safe_io

TOTAL_LABEL = "合计"


@dataclass(frozen=True)
class Layout:
    """How a reader expects a catalogue table laid out in the document: its order (``order`` columns,
    ``descending`` for each) and a 合计 row (``total``: the column holding the label; the other count
    columns are summed, rates and ranks left empty)."""

    order: tuple[str, ...] = ()
    descending: tuple[bool, ...] = ()
    total: str | None = None


LAYOUTS: dict[str, Layout] = {
    "org_by_branch": Layout(order=("members", "branch"), descending=(True, False), total="branch"),
    "act_by_section": Layout(total="section"),
}
# A volunteer-hours column next to a volunteers column: "no volunteers" shows both cells empty (never
# 0 hours beside an empty count).
VOLUNTEER_PAIR = ("volunteers", "volunteer_hours")


def show(obj: Any) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with the notebooks' dependencies
        return
    if get_ipython() is not None:
        display(obj)


def display_table(
    frame: pd.DataFrame, table: str | None = None, sections: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """A catalogue table as shown to people: Chinese headers, rates as percentages, dates as days,
    sections by their labels (``sections``: the town's)."""
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
            out[column] = section_names(values, sections)
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
    members: pd.DataFrame | None = None  # the roster: tells namesakes apart in lists of people

    def say(self, sentences: list[str], appendix: bool = False) -> None:
        """Add (and show) narrative sentences, set by the typography rule (`formatting.typeset`).
        ``appendix``: the summary document places them in its appendix instead of this section."""
        text = formatting.typeset("".join(sentences))
        if not text:
            return
        self.items.append({"type": "text", "text": text} | ({"appendix": True} if appendix else {}))
        show(formatting.note(text))

    def figure(
        self, fig: Figure | None, name: str, caption: str | None = None, appendix: bool = False
    ) -> None:
        """Save a chart as figures/<name>.png/.svg, list it with its caption and show it.

        The caption is the chart's own title (`charts.title_of`), so the picture and the document say
        one text; ``caption`` is used only for a chart drawn without a title. Both are set by the
        typography rule, in the picture too. ``fig`` is None when the chart's data is absent (e.g. no
        check-in export): nothing is added. ``appendix``: the summary document places it in its
        appendix instead of this section."""
        if fig is None:
            return
        title = title_of(fig)
        caption = formatting.typeset(title.get_text() if title is not None else (caption or ""))
        if title is not None:
            title.set_text(caption)
        saved = save_figure(fig, self.reports_dir, name)
        item = {"type": "figure", "name": name, "caption": caption, "png": f"{FIGURES_DIR}/{name}.png"}
        self.items.append(item | ({"appendix": True} if appendix else {}))
        show(_Picture(Path(saved["png"]), caption))

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
        summary document: laid out as `LAYOUTS` says (order, 合计 row after the first ``max_rows``
        rows), columns without any value left out, cells set by the typography rule.

        ``in_document=False`` keeps lists of named people (e.g. members who never studied) out of the
        draft summary, which is shared more widely than the notebooks."""
        frame = cat.tables.get(name)
        if frame is None or frame.empty:
            return
        frame = laid_out(frame, LAYOUTS.get(name, Layout()))
        if name in PEOPLE_TABLES:  # as in the workbook: 团支部, 姓名, 区分信息 (namesakes), no member key
            frame = people_sheet(frame, self.members)
            columns = None if columns is None else [*PEOPLE_FIRST, DETAIL_COLUMN, *columns]
        if columns:
            frame = frame[[c for c in dict.fromkeys(columns) if c in frame.columns]]
        frame = frame[[c for c in frame.columns if frame[c].notna().any()]]
        total = _total_row(frame, LAYOUTS.get(name, Layout()))
        shown = display_table(frame, name, cat.section_labels)
        kinds = _kinds(frame, shown)
        shown_total = None if total is None else display_table(total, name, cat.section_labels)
        whole = shown if shown_total is None else pd.concat([shown, shown_total], ignore_index=True)
        texts = _typeset_cells(formatting.text_frame(whole, kinds=kinds))
        show(formatting.table(texts, kinds=_aligned(kinds)))
        if not in_document:
            return
        head = texts.iloc[: min(len(shown), max_rows)]  # the text the notebook shows
        if shown_total is not None:
            head = pd.concat([head, texts.tail(1)], ignore_index=True)
        self.items.append(
            {
                "type": "table",
                "caption": formatting.typeset(_with_year(caption or TABLE_TITLES.get(name, name), cat.year)),
                "columns": [str(c) for c in head.columns],
                "rows": head.to_numpy().tolist(),
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


def laid_out(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame:
    """``frame`` in the layout's order, and with the volunteer pair made consistent (`VOLUNTEER_PAIR`)."""
    out = frame
    order = [c for c in layout.order if c in out.columns]
    if order:
        ascending = [not d for c, d in zip(layout.order, layout.descending, strict=True) if c in out.columns]
        out = out.sort_values(order, ascending=ascending, kind="stable")
    volunteers, hours = VOLUNTEER_PAIR
    if volunteers in out.columns and hours in out.columns:
        none = out[volunteers].isna() & out[hours].fillna(0).eq(0)
        out = out.assign(**{hours: out[hours].astype("float64").mask(none)})
    return out.reset_index(drop=True)


def _total_row(frame: pd.DataFrame, layout: Layout) -> pd.DataFrame | None:
    """The 合计 row of ``frame`` (one row, same columns), or None when the layout has none."""
    if layout.total is None or layout.total not in frame.columns:
        return None
    row: dict[str, Any] = {}
    for column in frame.columns:
        values = frame[column]
        summable = (
            pd.api.types.is_numeric_dtype(values)
            and not pd.api.types.is_bool_dtype(values)
            and column not in RATE_COLUMNS
            and column != "rank"
        )
        row[column] = values.sum() if summable and values.notna().any() else None
    row[layout.total] = TOTAL_LABEL
    total = pd.DataFrame([row], columns=frame.columns)
    for column in frame.columns:  # the same dtypes as the table: counts stay integers
        if row[column] is not None and column != layout.total:
            total[column] = total[column].astype(frame[column].dtype)
    return total


def _with_year(caption: str, year: int) -> str:
    """A caption names its year, as the figures' titles do: "2022年各团支部参学率排名"."""
    return caption if re.search(r"\d{4}\s*年", caption) else f"{year}年{caption}"


def _typeset_cells(texts: pd.DataFrame) -> pd.DataFrame:
    return texts.map(formatting.typeset)


def _aligned(kinds: dict[str, str]) -> dict[str, str]:
    """Kinds for cells that are text already: numbers stay right-aligned, the rest left-aligned."""
    return {c: formatting.FIGURE if k in formatting.RIGHT_ALIGNED else "text" for c, k in kinds.items()}


def _kinds(frame: pd.DataFrame, shown: pd.DataFrame) -> dict[str, str]:
    """Display kinds of the shown (Chinese) columns: numbers right-aligned, everything else text."""
    kinds = {}
    for original, column in zip(frame.columns, shown.columns, strict=True):
        kind = formatting.column_kind(frame[original], original in RATE_COLUMNS)
        if kind in formatting.NUMERIC_KINDS and not pd.api.types.is_numeric_dtype(shown[column].dtype):
            kind = formatting.FIGURE
        kinds[column] = kind if kind in formatting.RIGHT_ALIGNED else "text"
    return kinds


def load_sections(reports_dir: Path) -> list[dict[str, Any]]:
    folder = Path(reports_dir) / SECTIONS_DIR
    if not folder.is_dir():
        return []
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(docs, key=lambda d: d["order"])
