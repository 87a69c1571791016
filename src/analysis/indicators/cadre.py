"""团干部每月学习打卡: the check-in rate of cadres, by month and by branch."""

from __future__ import annotations

import pandas as pd

from analysis.processed.pairs import (
    checkin_pairs as checkin_pairs,  # the counting base: named by the definitions
)


def checkin_by_month(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per month: cadres checked in, cadres active at the month's end, rate."""
    g = pairs.groupby("month")["checked_in"].agg(numerator="sum", denominator="size").reset_index()
    g["numerator"] = g["numerator"].astype(int)
    g = g[g["denominator"] > 0]
    g["rate"] = g["numerator"] / g["denominator"]
    return g


def checkin_rate(pairs: pd.DataFrame) -> float | None:
    """cadre.checkin_rate: mean over the months of Y present in the check-in export of
    (cadres checked in that month ÷ cadres active at that month's end)."""
    by_month = checkin_by_month(pairs)
    return float(by_month["rate"].mean()) if len(by_month) else None


def checkin_by_branch(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per branch: cadre-months, cadre-months checked in, rate; lowest rate first."""
    g = pairs.groupby("branch")["checked_in"].agg(numerator="sum", denominator="size").reset_index()
    g["numerator"] = g["numerator"].astype(int)
    g["rate"] = g["numerator"] / g["denominator"]
    return g.sort_values(["rate", "branch"]).reset_index(drop=True)


def unmatched_checkins(checkins: pd.DataFrame, year: int) -> pd.DataFrame:
    """Check-in rows of people not found among the roster's members (reported, not counted)."""
    c = checkins[(checkins["month"].dt.year == year) & checkins["member_id"].isna()]
    return c[["month", "branch", "name", "checked_in", "source_file", "source_row"]].reset_index(drop=True)
