"""A bulletin's numbers: the town's and each branch's 参学率 over the scope's periods, against the scope
before and the year's target; the data gaps the completeness check finds; who has not studied yet.

One definition: the rates are the indicators' own (``study.participation_pairs`` →
``study.member_rate`` for the town, ``study.member_rate_matrix`` → ``study.branch_rates`` for the
branches), over the scope's periods instead of the year's — the numbers ``query participation`` gives
for the same periods, and indicators.json's over the whole year. Gaps are the completeness check's
(``completeness.study_holes`` and its findings), never a rule of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.bulletin.scope import Scope
from analysis.common import formatting
from analysis.common.config import TownConfig
from analysis.indicators import study
from analysis.processed import completeness
from analysis.processed.load import Tables
from analysis.query.participation import never_studied

# the completeness rules whose findings name a branch without any record (completeness.py): a run of
# periods without any record although the branch's own level makes that improbable, or the whole year
HOLE_RULE = "团支部某段时间无学习记录"
YEAR_RULE = "团支部全年无学习记录"
GAP_COLUMNS = ["branch", "period"]
MISSING_TEXT = "数据缺失"  # what a branch whose export looks missing shows instead of a rate


def year_pairs(tables: Tables, periods: pd.DataFrame) -> pd.DataFrame:
    """``study.participation_pairs`` over the year's periods (computed once; every scope filters it)."""
    return study.participation_pairs(tables.study_records, tables.membership, periods)


def data_gaps(tables: Tables, config: TownConfig, year: int, pairs: pd.DataFrame) -> pd.DataFrame:
    """The (branch, period) pairs whose export looks missing: the completeness check's holes (periods in
    which a branch has no record at all although its own level in the other periods makes that
    improbable) and the periods of a branch without any record all year — unless town.yml's
    ``accepted_gaps`` says it is real. Columns: branch, period."""
    grid = completeness.study_coverage(tables, year, study.member_rate_matrix(pairs))
    holes = completeness.study_holes(grid, completeness.Thresholds.from_config(config.completeness))
    found = completeness.assess(tables, config, year, {}, study_grid=grid).findings
    open_holes = {f.subject for f in found if f.rule == HOLE_RULE}
    silent = {f.subject for f in found if f.rule == YEAR_RULE}
    rows = [
        (branch, period)
        for branch, labels in zip(holes["branch"], holes["periods"], strict=True)
        if branch in open_holes
        for period in labels
    ]
    registered = grid.dropna(subset=["在册团员"])
    rows += [(b, p) for b, p in zip(registered["团支部"], registered["期次"], strict=True) if b in silent]
    return pd.DataFrame(rows, columns=GAP_COLUMNS).drop_duplicates().reset_index(drop=True)


def within(frame: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` (pairs or gaps) in these periods."""
    return frame[frame["period"].isin(set(periods["period"]))]


@dataclass(frozen=True)
class ScopeRates:
    """参学率 over some periods: the town's and, per branch, the indicators' ranking columns with the
    counts summed over the periods."""

    town: float | None  # study.member_rate over the periods
    learners: int  # members who studied, summed over the periods (one period: that period's learners)
    due: int  # active members, summed over the periods
    branches: pd.DataFrame  # branch, members (most on any period), learners, due, rate


def scope_rates(pairs: pd.DataFrame, periods: pd.DataFrame) -> ScopeRates:
    """The indicators' rates restricted to ``periods`` (``pairs``: `year_pairs`)."""
    mine = within(pairs, periods)
    matrix = study.member_rate_matrix(mine)
    ranking = study.branch_rates(matrix)[["branch", "members", "rate"]]
    sums = matrix.groupby("branch")[["numerator", "denominator"]].sum()
    sums = sums.rename(columns={"numerator": "learners", "denominator": "due"}).reset_index()
    branches = ranking.merge(sums, on="branch", how="left")
    return ScopeRates(
        town=study.member_rate(mine),
        learners=int(mine["studied"].sum()),
        due=len(mine),
        branches=branches[["branch", "members", "learners", "due", "rate"]],
    )


def change(current: float | None, previous: float | None) -> float | None:
    """A rate's change as the reader can check it from the two percentages shown."""
    return formatting.shown_change(current, previous, "rate")


def meets(rate: float | None, target: float | None) -> bool | None:
    """达标 as indicators.xlsx decides it (rate ≥ target); None without a rate or a target."""
    if rate is None or target is None or formatting.is_missing(rate):
        return None
    return bool(rate >= target - 1e-12)


@dataclass(frozen=True)
class BranchRow:
    """One branch in the bulletin."""

    branch: str
    members: int  # active members (one period: that day; cumulative: the most on any period)
    learners: int  # members who studied (cumulative: 参学人次)
    due: int  # members due (cumulative: 应参学人次)
    rate: float | None
    previous: float | None  # the scope before (None: no such scope, no members, or a gap there)
    missing: tuple[str, ...]  # the scope's periods without any record of the branch (data gaps)
    rank: int | None  # 1 = highest, among the branches without gaps; None for those with gaps
    met: bool | None  # rate ≥ target; None for no target and for branches with gaps

    @property
    def change(self) -> float | None:
        return None if self.missing else change(self.rate, self.previous)


@dataclass(frozen=True)
class TownRow:
    """The whole town in the bulletin."""

    rate: float | None
    previous: float | None  # the scope before (None when there is none)
    learners: int
    due: int
    met: bool | None
    never: int  # members due this quarter so far who have not studied once (query --never)

    @property
    def change(self) -> float | None:
        return change(self.rate, self.previous)


def branch_rows(
    now: ScopeRates,
    before: ScopeRates | None,
    gaps: pd.DataFrame,
    gaps_before: pd.DataFrame,
    target: float | None,
) -> list[BranchRow]:
    """Branches ranked by rate (high → low, then by name), those with data gaps last and unranked.
    ``gaps`` / ``gaps_before``: the data gaps in the scope and in the scope before (a branch with a gap
    there has no previous rate to compare with)."""
    missing = gaps.groupby("branch")["period"].agg(tuple).to_dict()
    earlier = before.branches.set_index("branch")["rate"] if before is not None else pd.Series(dtype=float)
    unsure = set(gaps_before["branch"])
    frame = now.branches.assign(gap=now.branches["branch"].isin(missing))
    frame = frame.sort_values(["gap", "rate", "branch"], ascending=[True, False, True])
    ranks = frame.loc[~frame["gap"], "rate"].rank(method="min", ascending=False)
    rows = []
    for index, r in frame.iterrows():
        gap = tuple(missing.get(r["branch"], ()))
        previous = earlier.get(r["branch"])
        rows.append(
            BranchRow(
                branch=str(r["branch"]),
                members=int(r["members"]),
                learners=int(r["learners"]),
                due=int(r["due"]),
                rate=float(r["rate"]),
                previous=None if previous is None or r["branch"] in unsure else float(previous),
                missing=gap,
                rank=None if gap else int(ranks[index]),
                met=None if gap else meets(float(r["rate"]), target),
            )
        )
    return rows


@dataclass(frozen=True)
class Bulletin:
    """Everything the three files of a bulletin say."""

    town_name: str
    year: int
    scope: Scope
    target: float | None  # the year's 参学率 target (town.yml), if any
    town: TownRow
    branches: list[BranchRow]  # ranked, then those with data gaps
    data_date: pd.Timestamp | None  # the last record time of the scope's periods

    @property
    def ranked(self) -> list[BranchRow]:
        return [b for b in self.branches if not b.missing]

    @property
    def with_gaps(self) -> list[BranchRow]:
        return [b for b in self.branches if b.missing]

    @property
    def commended(self) -> list[BranchRow]:
        return [b for b in self.ranked if b.met]

    @property
    def below(self) -> list[BranchRow]:
        return [b for b in self.ranked if b.met is False]


def last_record(tables: Tables, periods: pd.DataFrame) -> pd.Timestamp | None:
    """The latest record time of these periods: how far the exports reach (数据截至)."""
    records = tables.study_records
    times = records.loc[records["period"].isin(set(periods["period"])), "recorded_at"].dropna()
    return pd.Timestamp(times.max()) if len(times) else None


def compute(
    tables: Tables, config: TownConfig, scope: Scope, pairs: pd.DataFrame, gaps: pd.DataFrame
) -> Bulletin:
    """The bulletin of ``scope`` (``pairs``: `year_pairs`; ``gaps``: `data_gaps`)."""
    target = config.targets(tables.year).study_rate_target
    now = scope_rates(pairs, scope.periods)
    before = scope_rates(pairs, scope.previous) if len(scope.previous) else None
    town = TownRow(
        rate=now.town,
        previous=before.town if before is not None else None,
        learners=now.learners,
        due=now.due,
        met=meets(now.town, target),
        never=len(never_studied(tables, scope.quarter_so_far)),
    )
    rows = branch_rows(now, before, within(gaps, scope.periods), within(gaps, scope.previous), target)
    return Bulletin(
        town_name=config.town,
        year=tables.year,
        scope=scope,
        target=target,
        town=town,
        branches=rows,
        data_date=last_record(tables, scope.periods),
    )
