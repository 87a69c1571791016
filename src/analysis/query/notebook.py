"""The query notebook's helper: one object holding the chosen year, branch and periods. Every answer is
returned ready to show (formatted values, no index, no Python reprs)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.common import formatting, paths
from analysis.common.config import load_config
from analysis.common.errors import AnalysisError
from analysis.common.formatting import Shown
from analysis.indicators import study
from analysis.ingest.branches import BranchResolver
from analysis.processed import load
from analysis.query.participation import (
    DONE,
    NOT_DONE,
    all_pairs,
    branches,
    empty_selection,
    find_members,
    has_roster,
    learner_branches,
    learner_grid,
    learner_history,
    member_history,
    missing,
    namesake_details,
    order_namesakes,
    participation_grid,
    resolve_branch,
    select_periods,
)
from analysis.safety import safe_io

COLOURS = {DONE: "#C6EFCE", NOT_DONE: "#FFC7CE"}
NO_ROSTER = "没有团员名册：只能列出有学习记录的人和人数；参学率和未学习名单需要团员名册。"


@dataclass
class Query:
    tables: load.Tables
    branch: str | None
    periods: pd.DataFrame

    def describe(self) -> Shown:
        first, last = self.periods["date"].min(), self.periods["date"].max()
        text = (
            f"{self.tables.year} 年 {self.branch or '全镇'}：共 {len(self.periods)} 期"
            f"（{formatting.day(first)} 至 {formatting.day(last)}）"
        )
        return formatting.note(text if has_roster(self.tables) else f"{text}。{NO_ROSTER}")

    def _grid_frame(self) -> pd.DataFrame:
        roster = has_roster(self.tables)
        names = (
            ([self.branch] if self.branch else branches(self.tables))
            if roster
            else ([self.branch] if self.branch else learner_branches(self.tables, self.periods))
        )
        if roster:
            pairs = all_pairs(self.tables, self.periods)
            grids = [participation_grid(self.tables, self.periods, b, pairs) for b in names]
        else:
            grids = [learner_grid(self.tables, self.periods, b) for b in names]
        frames = [g.grid.assign(团支部=g.branch) for g in grids]
        return pd.concat(frames, ignore_index=True)

    def grid(self) -> Shown:
        """Members × periods for the branch (every branch one after another when none is chosen)."""
        return formatting.table(self._grid_frame(), rates=["参学率"], colours=COLOURS)

    def missing(self) -> Shown:
        if not has_roster(self.tables):
            return formatting.note(NO_ROSTER)
        frame = missing(self.tables, self.periods, self.branch)
        return formatting.table(frame) if len(frame) else formatting.note("所选各期团员均已学习。")

    def member(self, name: str) -> Shown:
        if not name:
            return formatting.note("（未填写姓名：在参数单元格填写 member 即可查看个人记录）")
        if not has_roster(self.tables):
            history = learner_history(self.tables, self.periods, name)
            return formatting.table(history) if len(history) else formatting.note(f"学习记录中没有“{name}”。")
        found, suggestions = find_members(self.tables, name)
        if found.empty:
            return formatting.note(
                f"团员名册中没有“{name}”"
                + (f"，您是否要找：{'、'.join(suggestions)}？" if suggestions else "。")
            )
        found = order_namesakes(found)
        frames = [
            member_history(self.tables, self.periods, mid).study.assign(区分信息=detail)
            for mid, detail in zip(found["member_id"], namesake_details(found), strict=True)
        ]
        return formatting.table(pd.concat(frames, ignore_index=True), colours=COLOURS)

    def export(self, filename: str) -> Shown:
        if not filename:
            return formatting.note("（未导出：如需导出，请在参数单元格填写 output_xlsx）")
        frame = self._grid_frame()
        sheets = {b: g.drop(columns="团支部") for b, g in frame.groupby("团支部", sort=False)}
        target = paths.resolve(filename)
        safe_io.write_xlsx(
            target,
            sheets,
            percent_columns={b: [c for c in ("参学率",) if c in g.columns] for b, g in sheets.items()},
            highlight={b: {DONE: "C6EFCE", NOT_DONE: "FFC7CE"} for b in sheets},
        )
        return formatting.note(f"已导出到 {target}")


def open_query(
    year: str, processed_dir: str, config_path: str, branch: str, quarter: str, date_from: str, date_to: str
) -> Query:
    tables = load.processed(paths.resolve(processed_dir), int(year))  # not ingested yet: names the command
    config = paths.resolve(config_path)
    resolver = BranchResolver(load_config(config)) if config.is_file() else None
    chosen = resolve_branch(tables, branch, resolver) if branch else None
    if tables.study_records is None:
        raise AnalysisError(
            f"{year} 年的数据中没有青年大学习记录", hint="请确认导出文件已放入原始数据文件夹并重新导入。"
        )
    all_periods = study.study_periods(tables.study_records, int(year))
    periods = select_periods(
        all_periods, None, quarter or None, date_from or None, date_to or None, year=int(year)
    )
    if periods.empty:
        raise empty_selection(all_periods, int(year), quarter or None)
    return Query(tables, chosen, periods)
