"""团组织与团员: members, branches, cadres, over-age members, and their breakdowns."""

from __future__ import annotations

import pandas as pd

from analysis.indicators.common import age_on, year_bounds
from analysis.membership import Membership

AGE_BANDS = [
    (0, 17, "14–17 岁"),
    (18, 21, "18–21 岁"),
    (22, 25, "22–25 岁"),
    (26, 27, "26–27 岁"),
    (28, 200, "28 岁及以上"),
]


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


def org_headline(members: pd.DataFrame, membership: Membership, year: int) -> dict[str, float]:
    """org.* keys (contracts.md).

    - org.members: members active on Y-12-31;
    - org.branches: branches with ≥ 1 member active on Y-12-31 (branch on that day, after transfers);
    - org.cadres: members active on Y-12-31 who are 团干部;
    - org.overage: members active on Y-12-31, aged ≥ 28 that day, not 团干部 (unknown birth date: not counted).
    """
    snap = year_end_members(members, membership, year)
    overage = (snap["age"].fillna(0) >= 28) & ~snap["is_cadre"]
    return {
        "org.members": len(snap),
        "org.branches": int(snap["branch"].nunique()),
        "org.cadres": int(snap["is_cadre"].sum()),
        "org.overage": int(overage.sum()),
    }


def members_by_branch(
    members: pd.DataFrame, membership: Membership, year: int, branches: list[str]
) -> pd.DataFrame:
    """Per branch on Y-12-31: members, cadres, over-age (≥ 28, not cadre); every configured branch listed."""
    snap = year_end_members(members, membership, year)
    snap = snap.assign(overage=(snap["age"].fillna(0) >= 28) & ~snap["is_cadre"])
    grouped = snap.groupby("branch").agg(
        members=("member_id", "size"), cadres=("is_cadre", "sum"), overage=("overage", "sum")
    )
    order = branches + sorted(set(grouped.index) - set(branches))
    out = grouped.reindex(order, fill_value=0).astype(int).rename_axis("branch").reset_index()
    return out


def members_by_age(members: pd.DataFrame, membership: Membership, year: int) -> pd.DataFrame:
    """Members active on Y-12-31 by age band (age that day); 未知 when the birth date is unknown."""
    snap = year_end_members(members, membership, year)
    labels = pd.Series("未知", index=snap.index, dtype=object)
    for lo, hi, label in AGE_BANDS:
        labels[(snap["age"] >= lo) & (snap["age"] <= hi)] = label
    order = [b[2] for b in AGE_BANDS] + ["未知"]
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
