"""思想引领 · 青年大学习: periods, learner-times and the member participation rate (参学率)."""

from __future__ import annotations

import pandas as pd

from analysis.indicators.common import year_bounds
from analysis.processed.membership import Membership
from analysis.processed.pairs import credited as credited  # the counting base: named by the definitions below
from analysis.processed.pairs import member_rate_matrix as member_rate_matrix
from analysis.processed.pairs import participation_pairs as participation_pairs
from analysis.processed.pairs import study_periods as study_periods
from analysis.processed.pairs import undated_periods as undated_periods

RATE_BANDS = [(0.95, "≥95%"), (0.90, "90%–95%"), (0.80, "80%–90%"), (0.0, "<80%")]


def learner_times(records: pd.DataFrame, periods: pd.DataFrame) -> int:
    """study.learner_times: distinct (person, period) pairs over the periods of Y, members and non-members.

    A person is the matched member, else the record's (branch, normalised name or identity); ambiguous
    records count as their own person, never as a member.
    """
    r = records.loc[records["period"].isin(periods["period"]), ["period", "person_key"]]
    return len(r.drop_duplicates())


def town_rate_by_period(pairs: pd.DataFrame) -> pd.DataFrame:
    """参学率 of the whole town per period: numerator, denominator, rate."""
    g = pairs.groupby(["period", "date"])["studied"].agg(numerator="sum", denominator="size").reset_index()
    g["numerator"] = g["numerator"].astype(int)
    g["rate"] = g["numerator"] / g["denominator"]
    return g.sort_values("date").reset_index(drop=True)


def member_rate(pairs: pd.DataFrame) -> float | None:
    """study.member_rate: mean over the periods of Y of (active members with ≥ 1 record ÷ active members)."""
    town = town_rate_by_period(pairs)
    return float(town["rate"].mean()) if len(town) else None


def branch_rates(matrix: pd.DataFrame) -> pd.DataFrame:
    """study.member_rate.<branch>: mean of the branch's per-period rates over the periods in which it had
    active members (a period without active members is left out, not counted as 0). Adds the band
    (≥95% / 90%–95% / 80%–90% / <80%) and the rank (1 = highest). Columns: branch, periods, rate, band, rank."""
    g = matrix.groupby("branch").agg(
        periods=("period", "nunique"), rate=("rate", "mean"), members=("denominator", "max")
    )
    g = g.reset_index().sort_values(["rate", "branch"], ascending=[False, True]).reset_index(drop=True)
    g["band"] = g["rate"].map(rate_band)
    g["rank"] = g["rate"].rank(method="min", ascending=False).astype(int)
    return g


def rate_band(rate: float) -> str:
    return next(label for threshold, label in RATE_BANDS if rate >= threshold - 1e-12)


def member_participation(
    pairs: pd.DataFrame, membership: Membership, members: pd.DataFrame, year: int
) -> pd.DataFrame:
    """Per member: periods while active, periods studied, own rate; ``never`` follows study.never (active on
    Y-01-01 and Y-12-31, no record in any period of Y); ``rarely``: studied in < 50% of the periods in
    which the member was active (and at least once). Branch: the member's branch on Y-12-31 or, for those
    who left, on the last period they were active."""
    per = (
        pairs.sort_values("date")
        .groupby("member_id")
        .agg(periods_active=("period", "size"), periods_studied=("studied", "sum"), branch=("branch", "last"))
    )
    per["periods_studied"] = per["periods_studied"].astype(int)
    per["rate"] = per["periods_studied"] / per["periods_active"]
    start, end = year_bounds(year)
    whole_year = membership.active_mask(start) & membership.active_mask(end)
    per["whole_year"] = whole_year.reindex(per.index).fillna(False).astype(bool)
    per["never"] = per["whole_year"] & (per["periods_studied"] == 0)
    per["rarely"] = (per["periods_studied"] > 0) & (per["rate"] < 0.5)
    names = members.set_index("member_id")["name"]
    per["name"] = names.reindex(per.index).to_numpy()
    return per.reset_index().sort_values(["branch", "rate", "name"]).reset_index(drop=True)


def never_studied(records: pd.DataFrame, membership: Membership, periods: pd.DataFrame, year: int) -> int:
    """study.never: members active on Y-01-01 and on Y-12-31 with no record in any period of Y."""
    start, end = year_bounds(year)
    whole_year = membership.active_mask(start) & membership.active_mask(end)
    ids = set(whole_year[whole_year].index)
    studied = set(credited(records[records["period"].isin(periods["period"])])["member_id"])
    return len(ids - studied)
