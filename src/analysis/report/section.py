"""A notebook's contribution to the summary document: its sentences, figures (with captions) and key
tables, written to reports/<Y>/sections/<key>.json for the summary builder."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import safe_io
from analysis.charts import save as save_figure

SECTIONS_DIR = "sections"


@dataclass
class Section:
    """Collects what a notebook shows, in order; ``save()`` writes it for the summary document."""

    reports_dir: Path
    key: str
    title: str
    order: int
    items: list[dict[str, Any]] = field(default_factory=list)

    def say(self, sentences: list[str]) -> str:
        """Add narrative sentences; returns them joined (for display in the notebook)."""
        text = "".join(sentences)
        if text:
            self.items.append({"type": "text", "text": text})
        return text

    def figure(self, fig: Figure, name: str, caption: str) -> Path:
        """Save the figure as reports/<Y>/figures/<name>.png/.svg and list it with its caption."""
        saved = save_figure(fig, self.reports_dir, name)
        self.items.append({"type": "figure", "name": name, "caption": caption, "png": f"figures/{name}.png"})
        return saved["png"]

    def table(self, frame: pd.DataFrame, caption: str, max_rows: int = 20) -> pd.DataFrame:
        """List a (Chinese-headed) table for the summary document; returns it for display."""
        shown = frame.head(max_rows)
        self.items.append(
            {
                "type": "table",
                "caption": caption,
                "columns": [str(c) for c in shown.columns],
                "rows": [[_cell(v) for v in row] for row in shown.itertuples(index=False)],
                "truncated": len(frame) > max_rows,
            }
        )
        return frame

    def save(self) -> Path:
        folder = Path(self.reports_dir) / SECTIONS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.order:02d}_{self.key}.json"
        doc = {"key": self.key, "title": self.title, "order": self.order, "items": self.items}
        safe_io.atomic_write_text(path, json.dumps(doc, ensure_ascii=False, indent=1))
        return path


def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):
        return value.item()
    return value


def load_sections(reports_dir: Path) -> list[dict[str, Any]]:
    folder = Path(reports_dir) / SECTIONS_DIR
    if not folder.is_dir():
        return []
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
    return sorted(docs, key=lambda d: d["order"])
