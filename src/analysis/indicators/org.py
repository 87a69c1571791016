"""团组织与团员: members, branches, cadres, over-age members, and their breakdowns."""

from __future__ import annotations

import pandas as pd

from analysis.common.config import LEAVE_AGE
from analysis.indicators.common import age_on, year_bounds
from analysis.processed.membership import Membership

BAND_STARTS = (14, 18, 22, 26)  # the age bands' lower bounds below the leaving age
JOIN_AGE = 14  # the first band also holds the (rare, flagged) younger members


def age_bands(leave_age: int = LEAVE_AGE) -> list[tuple[int, int, str]]:
    """(lowest age, highest age, label) of the age bands; the last band starts at the leaving age.

    With 28: 14–17, 18–21, 22–25, 26–27, 28 岁及以上; with 30 the fourth band is 26–29."""
    starts = [s for s in BAND_STARTS if s < leave_age] or [JOIN_AGE]
    bands = []
    for i, lo in enumerate(starts):
        hi = (starts[i + 1] if i + 1 < len(starts) else leave_age) - 1
        label = f"{lo} 岁" if hi == lo else f"{lo}–{hi} 岁"
        bands.append((0 if lo == JOIN_AGE else lo, hi, label))
    bands.append((leave_age, 200, f"{leave_age} 岁及以上"))
    return bands


def _overage(snap: pd.DataFrame, leave_age: int) -> pd.Series:
    """Aged at least the leaving age on the snapshot day and not a cadre (unknown age: not counted)."""
    return (snap["age"].fillna(0) >= leave_age) & ~snap["is_cadre"]


def year_end_members(members: pd.DataFrame, membership: Membership, year: int) -> pd.DataFrame:
    """Members active on Y-12-31 with their branch that day and their age that day."""
    _, end = year_bounds(year)
    snap = membership.snapshot(end)
    detail = members.set_index("member_id").reindex(snap.index)
    return snap.assign(
        age=age_on(snap["birth_date"], end).to_numpy(),
        gender=detail["gender"].to_numpy(),
        political_status=detail["political_status"].to_numpy(),
        name=detail["name"].to_numpy(),
    ).reset_index(drop=True)


def org_headline(
    members: pd.DataFrame, membership: Membership, year: int, leave_age: int = LEAVE_AGE
) -> dict[str, float]:
    """org.* keys (docs/indicators.md).

    - org.members: members active on Y-12-31;
    - org.branches: branches with ≥ 1 member active on Y-12-31 (branch on that day, after transfers);
    - org.cadres: members active on Y-12-31 who are 团干部;
    - org.overage: members active on Y-12-31, aged ≥ ``leave_age`` (town.yml, default 28) that day, not
      团干部 (unknown birth date: not counted).
    """
    snap = year_end_members(members, membership, year)
    overage = _overage(snap, leave_age)
    return {
        "org.members": len(snap),
        "org.branches": int(snap["branch"].nunique()),
        "org.cadres": int(snap["is_cadre"].sum()),
        "org.overage": int(overage.sum()),
    }


def members_by_branch(
    members: pd.DataFrame,
    membership: Membership,
    year: int,
    branches: list[str],
    leave_age: int = LEAVE_AGE,
) -> pd.DataFrame:
    """Per branch on Y-12-31: members, cadres, over-age (≥ leave_age, not cadre); every configured
    branch listed."""
    snap = year_end_members(members, membership, year)
    snap = snap.assign(overage=_overage(snap, leave_age))
    grouped = snap.groupby("branch").agg(
        members=("member_id", "size"), cadres=("is_cadre", "sum"), overage=("overage", "sum")
    )
    order = branches + sorted(set(grouped.index) - set(branches))
    out = grouped.reindex(order, fill_value=0).astype(int).rename_axis("branch").reset_index()
    return out


def members_by_age(
    members: pd.DataFrame, membership: Membership, year: int, leave_age: int = LEAVE_AGE
) -> pd.DataFrame:
    """Members active on Y-12-31 by age band (age that day, `age_bands`); 未知 when the birth date is
    unknown."""
    snap = year_end_members(members, membership, year)
    bands = age_bands(leave_age)
    labels = pd.Series("未知", index=snap.index, dtype=object)
    for lo, hi, label in bands:
        labels[(snap["age"] >= lo) & (snap["age"] <= hi)] = label
    order = [b[2] for b in bands] + ["未知"]
    counts = labels.value_counts().reindex(order, fill_value=0)
    return (
        counts.rename_axis("age_band").reset_index(name="members").query("members > 0 or age_band != '未知'")
    )


def members_by(members: pd.DataFrame, membership: Membership, year: int, column: str) -> pd.DataFrame:
    """Members active on Y-12-31 by ``gender`` or ``political_status`` (未填 when blank)."""
    snap = year_end_members(members, membership, year)
    values = snap[column].astype(object).fillna("未填")
    counts = values.value_counts()
    return counts.rename_axis(column).reset_index(name="members")
