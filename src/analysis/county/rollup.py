"""The roll-up: every indicators.json key for each town and for the county, from the SQL steps.

The SQL (``sql/*.sql``) does all the work over the records and returns small tables of terms per
*scope* — each town alone, and the county (``COUNTY_SCOPE``): all its towns' records together, so a
county total is computed from the records, never by averaging towns' rates. This module only turns
those terms into the keys, with the same pandas operations as the town-level indicator code, so the
means of rates agree to the last bit with each town's own indicators.json. Sums of decimals (volunteer
hours, aid amounts) are summed by the SQL: exact when the values are (half hours, whole yuan, as in the
sample and benchmark data); otherwise they may differ in the last bit, as the order of adding differs.

Which towns a county total covers: the towns that have the key's input. org.* covers the towns with a
roster; study.* the towns with 青年大学习 records (their members; the county's periods are dated by
all those towns' records); cadre.* the towns with a check-in export; act.*, rec.*, aid.* the towns with
those ledgers; rec.quota is the sum of the towns' configured quotas. A person is always (town, key):
keys of different towns are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.county.engine import DEFAULT_MEMORY_LIMIT, DEFAULT_THREADS, connect, run_steps
from analysis.county.layout import COUNTY_SCOPE, County
from analysis.indicators import study
from analysis.indicators.activities import SECTION_KEY_NAMES
from analysis.indicators.keys import BRANCH_RATE_PREFIX, ordered

ENGINES = ("duckdb", "spark")  # where the SQL steps run (``compute``, ``--engine``)
TOTAL_LABEL = "全县合计"  # the county's row in the comparison tables
INPUTS = ("members", "study_records", "cadre_checkins", "activities", "recruitment", "aid")


@dataclass
class Split:
    """The SQL result tables split by scope once (a city has millions of study cells: no filter per town)."""

    parts: dict[str, dict[str, pd.DataFrame]]  # table → scope → its rows, without the scope column
    empty: dict[str, pd.DataFrame]  # table → no rows, same columns

    @classmethod
    def of(cls, results: dict[str, pd.DataFrame]) -> Split:
        parts = {
            name: {
                scope: part.drop(columns="scope").reset_index(drop=True)
                for scope, part in frame.groupby("scope", sort=False)
            }
            for name, frame in results.items()
        }
        return cls(parts, {name: frame.iloc[:0].drop(columns="scope") for name, frame in results.items()})

    def get(self, table: str, scope: str) -> pd.DataFrame:
        """The rows of ``table`` for ``scope`` (a town's name or COUNTY_SCOPE); no rows when it has none."""
        return self.parts[table].get(scope, self.empty[table])

    def row(self, table: str, scope: str) -> pd.Series | None:
        rows = self.get(table, scope)
        return None if rows.empty else rows.iloc[0]


@dataclass
class RollUp:
    """Headline keys per town and for the county, with the SQL's per-scope terms behind them."""

    county: County
    towns: dict[str, dict[str, float]]
    total: dict[str, float]
    results: Split

    @property
    def year(self) -> int:
        return self.county.year

    def cells(self, table: str, scope: str) -> pd.DataFrame:
        """The rows of a result table for one scope (a town's name or COUNTY_SCOPE)."""
        return self.results.get(table, scope)


def compute(
    county: County,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
    threads: int = DEFAULT_THREADS,
    engine: str = "duckdb",
) -> RollUp:
    """Roll ``county`` up: run the SQL on ``engine`` (one of ``ENGINES``: DuckDB in this process, or Spark
    in local mode, see ``analysis.county.spark_engine``) and build every town's and the county's keys."""
    if engine == "spark":
        from analysis.county.spark_engine import local_session, rollup_frames

        with local_session() as spark:
            return assemble(county, rollup_frames(county, spark))
    if engine != "duckdb":
        raise ValueError(f"unknown engine {engine!r}")
    with connect(county, memory_limit=memory_limit, threads=threads) as duck:
        results = run_steps(duck)
    return assemble(county, results)


def assemble(county: County, frames: dict[str, pd.DataFrame]) -> RollUp:
    """The keys of every scope from the SQL results (see the module docstring for what each covers)."""
    results = Split.of(frames)
    towns: dict[str, dict[str, float]] = {}
    for town in county.towns:
        has = {table: table in town.tables for table in INPUTS}
        rosters = {table: "members" in town.tables for table in INPUTS}
        quota = town.config.targets(county.year).recruitment_quota
        towns[town.name] = _headline(results, town.name, has, rosters, quota, branch_keys=True)
    has = {table: bool(county.having(table)) for table in INPUTS}
    # whether the towns covered by a family's county total (not the whole county) have rosters
    rosters = {table: any("members" in t.tables for t in county.having(table)) for table in INPUTS}
    quotas = [t.config.targets(county.year).recruitment_quota for t in county.towns]
    configured = [int(q) for q in quotas if q is not None]
    quota = sum(configured) if configured else None
    total = _headline(results, COUNTY_SCOPE, has, rosters, quota, branch_keys=False)
    return RollUp(county=county, towns=towns, total=total, results=results)


def _headline(
    results: Split,
    scope: str,
    has: dict[str, bool],
    rosters: dict[str, bool],
    quota: int | None,
    branch_keys: bool,
) -> dict[str, float]:
    """Every key of one scope whose inputs it has (others omitted, never 0 or null), as
    analysis.indicators.catalogue.headline computes them from a town's tables. ``has[table]``: the
    scope has that input; ``rosters[table]``: the towns of that input have rosters."""
    out: dict[str, float] = {}
    org = results.row("org_totals", scope)
    if has["members"] and org is not None:
        out["org.members"] = int(org["members"])
        out["org.branches"] = int(org["branches"])
        out["org.cadres"] = int(org["cadres"])
        out["org.overage"] = int(org["overage"])

    totals = results.row("study_totals", scope)
    if has["study_records"] and totals is not None:
        out["study.periods"] = int(totals["periods"])
        out["study.learner_times"] = int(totals["learner_times"])
        if rosters["study_records"]:
            cells = results.get("study_cells", scope)
            rate = member_rate(cells)
            if rate is not None:
                out["study.member_rate"] = rate
            if branch_keys:
                for _, row in branch_rates(cells).iterrows():
                    out[f"{BRANCH_RATE_PREFIX}{row['branch']}"] = float(row["rate"])
            out["study.never"] = int(totals["never"])

    if has["cadre_checkins"] and rosters["cadre_checkins"]:
        rate = checkin_rate(results.get("cadre_cells", scope))
        if rate is not None:
            out["cadre.checkin_rate"] = rate

    acts = results.row("activity_totals", scope)
    if has["activities"] and acts is not None:
        out["act.count"] = int(acts["act_count"])
        for section, key in SECTION_KEY_NAMES.items():
            out[key] = int(acts[section])
        out["act.person_times"] = int(acts["person_times"])
        out["act.volunteer_hours"] = float(acts["volunteer_hours"])

    rec = results.row("recruitment_totals", scope)
    if has["recruitment"] and rec is not None:
        for key in ("new_members", "applications", "activists", "targets"):
            out[f"rec.{key}"] = int(rec[key])
    if quota is not None:
        out["rec.quota"] = int(quota)
    if has["recruitment"] and rec is not None and pd.notna(rec["median_days"]):
        out["rec.median_days"] = float(rec["median_days"])

    aid = results.row("aid_totals", scope)
    if has["aid"] and aid is not None:
        out["aid.recipients"] = int(aid["recipients"])
        out["aid.amount"] = float(aid["amount"])
    return {key: out[key] for key in ordered(list(out))}


def period_rates(cells: pd.DataFrame) -> pd.DataFrame:
    """参学率 per period of one scope: numerator and denominator summed over branches, rate; in date
    order (the rows and order of analysis.indicators.study.town_rate_by_period). Columns: period,
    date, numerator, denominator, rate."""
    g = (
        cells.groupby(["period", "period_day"])[["numerator", "denominator"]]
        .sum()
        .reset_index()
        .rename(columns={"period_day": "date"})
    )
    g["rate"] = g["numerator"] / g["denominator"]
    return g.sort_values("date").reset_index(drop=True)


def member_rate(cells: pd.DataFrame) -> float | None:
    """study.member_rate: mean over the periods of Y of (active members with ≥ 1 record ÷ active
    members), the members and records of every town of the scope together."""
    rates = period_rates(cells)
    return float(rates["rate"].mean()) if len(rates) else None


def branch_matrix(cells: pd.DataFrame, by_town: bool = False) -> pd.DataFrame:
    """参学率 by branch × period of one scope (analysis.indicators.study.member_rate_matrix's rows and
    order). ``by_town`` names a branch "<town>/<branch>" (branches of different towns stay apart)."""
    frame = cells.assign(branch=cells["town"] + "/" + cells["branch"]) if by_town else cells
    g = (
        frame.groupby(["branch", "period", "period_day"])[["numerator", "denominator"]]
        .sum()
        .reset_index()
        .rename(columns={"period_day": "date"})
    )
    g["rate"] = g["numerator"] / g["denominator"]
    return g.sort_values(["date", "branch"]).reset_index(drop=True)


def branch_rates(cells: pd.DataFrame, by_town: bool = False) -> pd.DataFrame:
    """study.member_rate.<branch>: mean of the branch's per-period rates over the periods in which it had
    active members, with band and rank (analysis.indicators.study.branch_rates)."""
    return study.branch_rates(branch_matrix(cells, by_town))


def checkin_rate(cells: pd.DataFrame) -> float | None:
    """cadre.checkin_rate: mean over the months of Y present in the check-in exports of (cadres checked
    in that month ÷ cadres active at the month's end)."""
    g = cells.sort_values("month")
    g = g[g["denominator"] > 0]
    rate = g["numerator"] / g["denominator"]
    return float(rate.mean()) if len(g) else None


# --- comparison tables of the county report (from the same results) ---------------------------------

# Keys the towns are ranked by, and whether a higher value ranks first.
RANKED: tuple[tuple[str, bool], ...] = (
    ("study.member_rate", True),
    ("cadre.checkin_rate", True),
    ("study.never", False),
    ("org.overage", False),
    ("rec.new_members", True),
    ("act.count", True),
    ("act.person_times", True),
    ("act.volunteer_hours", True),
)


def town_table(rollup: RollUp) -> pd.DataFrame:
    """One row per town (and a last row 全县合计 for the county total), one column per key of
    docs/indicators.md held by any of them (per-branch rates are in ``branch_table``); absent keys are NaN."""
    rows = {name: head for name, head in rollup.towns.items()} | {TOTAL_LABEL: rollup.total}
    keys = ordered(
        sorted({k for head in rows.values() for k in head if not k.startswith(BRANCH_RATE_PREFIX)})
    )
    frame = pd.DataFrame(
        [[head.get(k) for k in keys] for head in rows.values()], columns=keys, dtype="float64"
    )
    frame.insert(0, "town", list(rows))
    return frame


def rankings(rollup: RollUp) -> pd.DataFrame:
    """Towns ranked on each key of ``RANKED`` that any town has (1 = first; ties share the better rank;
    a town without the key is not ranked). Columns: town, then <key> and <key>:rank for each key."""
    frame = town_table(rollup)
    frame = frame[frame["town"] != TOTAL_LABEL].reset_index(drop=True)
    out = frame[["town"]].copy()
    for key, descending in RANKED:
        if key not in frame.columns:
            continue
        out[key] = frame[key]
        out[f"{key}:rank"] = frame[key].rank(method="min", ascending=not descending).astype("Int64")
    return out


def branch_table(rollup: RollUp) -> pd.DataFrame:
    """Every town's study.member_rate.<branch> with the periods it covers, its band and its rank in the
    town (the same numbers as the towns' own indicators). Columns: town, branch, periods, rate, band, rank."""
    frames = []
    for town in rollup.towns:
        cells = rollup.cells("study_cells", town)
        if cells.empty:  # no records or no roster: no per-branch keys
            continue
        ranking = branch_rates(cells)[["branch", "periods", "rate", "band", "rank"]]
        frames.append(ranking.assign(town=town))
    if not frames:
        return pd.DataFrame(columns=["town", "branch", "periods", "rate", "band", "rank"])
    out = pd.concat(frames, ignore_index=True)
    return out[["town", "branch", "periods", "rate", "band", "rank"]]


def monthly_rates(rollup: RollUp) -> pd.DataFrame:
    """参学率 by town × month: the mean of the town's per-period rates (members of the whole town) over
    the periods dated in that month; the county's row (全县合计) from the county's periods. Columns:
    town, month (1–12), periods, rate."""
    frames = []
    for scope, label in [*((t, t) for t in rollup.towns), (COUNTY_SCOPE, TOTAL_LABEL)]:
        if scope != COUNTY_SCOPE and "study.member_rate" not in rollup.towns[scope]:
            continue
        if scope == COUNTY_SCOPE and "study.member_rate" not in rollup.total:
            continue
        rates = period_rates(rollup.cells("study_cells", scope))
        rates["month"] = rates["date"].dt.month
        g = rates.groupby("month").agg(periods=("period", "size"), rate=("rate", "mean")).reset_index()
        frames.append(g.assign(town=label))
    if not frames:
        return pd.DataFrame(columns=["town", "month", "periods", "rate"])
    return pd.concat(frames, ignore_index=True)[["town", "month", "periods", "rate"]]


def coverage(rollup: RollUp) -> dict[str, list[str]]:
    """For each roll-up input, the towns whose data lacks it (their keys of that input are absent and
    the county total of those keys leaves them out)."""
    return {table: [t.name for t in rollup.county.towns if table not in t.tables] for table in INPUTS}
