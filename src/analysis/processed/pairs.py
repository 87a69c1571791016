"""Who was active, and did they take part: the pairs 参学率, the cadre check-in rate, the completeness
checks and the queries all count on (one definition each, below the indicators that name them).

- ``study_periods``: the 青年大学习 periods of a year, dated by the median of their records' times;
- ``participation_pairs`` / ``member_rate_matrix``: every (period, active member) with whether they studied,
  and its counts per branch;
- ``checkin_pairs``: every (month, active cadre) with whether they checked in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.processed.membership import Membership


def study_periods(records: pd.DataFrame, year: int) -> pd.DataFrame:
    """青年大学习 periods of Y, one row each, in date order.

    A period's median record time is the median (midpoint for an even count) of the timestamps of its
    de-duplicated records (one per person, members and non-members alike); its ``date`` is that
    timestamp's calendar date. The periods of Y are those whose median time falls in Y. Columns:
    period, median_time, date, learners (distinct persons with a record in the period).
    """
    cols = records[["period", "person_key", "recorded_at"]]
    # each (period, person) as one integer, factorised once for both de-duplications (long tables)
    period_code, _ = pd.factorize(cols["period"], use_na_sentinel=False)
    person_code, _ = pd.factorize(cols["person_key"], use_na_sentinel=False)
    pair = pd.Series(period_code.astype(np.int64) * (int(person_code.max(initial=0)) + 1) + person_code)
    dated = cols["recorded_at"].notna().to_numpy()
    order = np.flatnonzero(dated)[np.argsort(cols["recorded_at"].to_numpy()[dated], kind="stable")]
    first = order[~pair.iloc[order].duplicated(keep="first").to_numpy()]  # each person's earliest record
    med = cols.iloc[first].groupby("period")["recorded_at"].median()
    learners = cols["period"][~pair.duplicated().to_numpy()].value_counts()
    out = pd.DataFrame({"period": med.index, "median_time": med.to_numpy()})
    out["date"] = out["median_time"].dt.normalize()
    out["learners"] = out["period"].map(learners).fillna(0).astype(int)
    out = out[out["median_time"].dt.year == year]
    return out.sort_values(["median_time", "period"]).reset_index(drop=True)


def undated_periods(records: pd.DataFrame) -> list[str]:
    """Periods with no timestamped record: they cannot be dated and are left out (reported)."""
    dated = records.loc[records["recorded_at"].notna(), "period"].unique()
    return sorted(set(records["period"].unique()) - set(dated))


def credited(records: pd.DataFrame) -> pd.DataFrame:
    """(period, member_id) pairs credited to members: matched, never ambiguous."""
    mask = records["member_id"].notna() & (records["match"] != "ambiguous")
    return records.loc[mask, ["period", "member_id"]].drop_duplicates()


def participation_pairs(records: pd.DataFrame, membership: Membership, periods: pd.DataFrame) -> pd.DataFrame:
    """Every (period, member active on the period's date) pair with the member's branch that day and
    whether the member has ≥ 1 record in the period. Columns: period, date, member_id, branch, studied."""
    if periods.empty:
        return pd.DataFrame(
            {
                "period": pd.Series(dtype="str"),
                "date": pd.Series(dtype=periods["date"].dtype),
                "member_id": pd.Series(dtype="str"),
                "branch": pd.Series(dtype="str"),
                "studied": pd.Series(dtype=bool),
            }
        )
    roster = membership.roster_on(periods["date"]).rename(columns={"day": "date"})
    pairs = periods[["period", "date"]].merge(roster[["date", "member_id", "branch"]], on="date", how="inner")
    done = credited(records).assign(studied=True)
    pairs = pairs.merge(done, on=["period", "member_id"], how="left")
    pairs["studied"] = pairs["studied"].fillna(False).astype(bool)
    return pairs


def member_rate_matrix(pairs: pd.DataFrame) -> pd.DataFrame:
    """参学率 by branch × period: numerator (active members of the branch that day with ≥ 1 record),
    denominator (active members of the branch that day), rate. Branches without active members on a
    period's date have no row for that period."""
    g = pairs.groupby(["branch", "period", "date"], observed=True)["studied"].agg(
        numerator="sum", denominator="size"
    )
    out = g.reset_index()
    out["numerator"] = out["numerator"].astype(int)
    out["rate"] = out["numerator"] / out["denominator"]
    return out.sort_values(["date", "branch"]).reset_index(drop=True)


def checkin_pairs(checkins: pd.DataFrame, membership: Membership, year: int) -> pd.DataFrame:
    """For each month of Y present in the export: every cadre on the roster active at the month's end,
    with their branch that day and whether they checked in that month. Check-in rows of people not on
    the roster are not counted (the ingest lists them). Columns: month, member_id, branch, checked_in."""
    c = checkins[checkins["month"].dt.year == year]
    months = sorted(c["month"].dropna().unique())
    frames = []
    for month in months:
        end = pd.Timestamp(month) + pd.offsets.MonthEnd(0)
        snap = membership.snapshot(end)
        cadres = snap[snap["is_cadre"]][["member_id", "branch"]].assign(month=pd.Timestamp(month))
        frames.append(cadres)
    if not frames:
        return pd.DataFrame(columns=["month", "member_id", "branch", "checked_in"])
    pairs = pd.concat(frames, ignore_index=True)
    done = c[c["checked_in"] & c["member_id"].notna() & (c["match"] != "ambiguous")][
        ["month", "member_id"]
    ].drop_duplicates()
    pairs = pairs.merge(done.assign(checked_in=True), on=["month", "member_id"], how="left")
    pairs["checked_in"] = pairs["checked_in"].fillna(False).astype(bool)
    return pairs
