"""The query notebook's helper: one object holding the chosen year, branch and periods."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import load, paths, safe_io
from analysis.config import load_config
from analysis.indicators import study
from analysis.ingest.branches import BranchResolver
from analysis.query.participation import (
    DONE,
    NOT_DONE,
    find_members,
    member_history,
    missing,
    participation_grid,
    resolve_branch,
    select_periods,
)


@dataclass
class Query:
    tables: load.Tables
    branch: str | None
    periods: pd.DataFrame

    def describe(self) -> str:
        first, last = self.periods["date"].min(), self.periods["date"].max()
        return (
            f"{self.tables.year} 年 {self.branch or '全镇'}：共 {len(self.periods)} 期"
            f"（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）"
        )

    def grid(self) -> pd.DataFrame:
        """Members × periods for the branch (every branch one after another when none is chosen)."""
        branches = [self.branch] if self.branch else sorted(set(self.tables.members["branch"]))
        frames = [participation_grid(self.tables, self.periods, b).grid.assign(团支部=b) for b in branches]
        out = pd.concat(frames, ignore_index=True)
        return out.style.map(
            lambda v: (
                "background-color:#C6EFCE"
                if v == DONE
                else ("background-color:#FFC7CE" if v == NOT_DONE else "")
            )
        ).format({"参学率": "{:.1%}"}, na_rep="")

    def missing(self) -> pd.DataFrame:
        return missing(self.tables, self.periods, self.branch)

    def member(self, name: str) -> pd.DataFrame | str:
        if not name:
            return "（未填写姓名）"
        found, suggestions = find_members(self.tables, name)
        if found.empty:
            return f"团员名册中没有“{name}”" + (
                f"，您是否要找：{'、'.join(suggestions)}？" if suggestions else "。"
            )
        frames = [
            member_history(self.tables, self.periods, mid).study.assign(姓名=name)
            for mid in found["member_id"]
        ]
        return pd.concat(frames, ignore_index=True)

    def export(self, filename: str) -> str:
        if not filename:
            return "（未导出：如需导出，请在参数单元格填写 output_xlsx）"
        branches = [self.branch] if self.branch else sorted(set(self.tables.members["branch"]))
        sheets = {b: participation_grid(self.tables, self.periods, b).grid for b in branches}
        target = paths.resolve(filename)
        safe_io.write_xlsx(
            target,
            sheets,
            percent_columns={b: ["参学率"] for b in sheets},
            highlight={b: {DONE: "C6EFCE", NOT_DONE: "FFC7CE"} for b in sheets},
        )
        return f"已导出到 {target}"


def open_query(
    year: str, processed_dir: str, config_path: str, branch: str, quarter: str, date_from: str, date_to: str
) -> Query:
    tables = load.processed(paths.resolve(processed_dir), int(year))
    config = paths.resolve(config_path)
    resolver = BranchResolver(load_config(config)) if config.is_file() else None
    chosen = resolve_branch(tables, branch, resolver) if branch else None
    all_periods = study.study_periods(tables.study_records, int(year))
    periods = select_periods(all_periods, None, quarter or None, date_from or None, date_to or None)
    return Query(tables, chosen, periods)
