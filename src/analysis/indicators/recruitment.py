"""发展团员: new members against the quota, the pipeline by stage, days between stages, checks."""

from __future__ import annotations

import itertools

import pandas as pd

from analysis.common import formatting
from analysis.indicators.common import in_year

STAGES = [
    ("applied_date", "递交入团申请书"),
    ("activist_date", "确定为入团积极分子"),
    ("target_date", "确定为发展对象"),
    ("joined_date", "入团"),
]


def _median(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.median()) if len(values) else None


def recruitment_headline(recruitment: pd.DataFrame, year: int, quota: int | None) -> dict[str, float]:
    """rec.* keys (docs/indicators.md), all from the recruitment export.

    - rec.new_members: people whose 入团日期 falls in Y;
    - rec.quota: the quota for Y in config/town.yml (omitted when not configured);
    - rec.applications / rec.activists / rec.targets: people whose 申请 / 积极分子 / 发展对象 date falls in Y;
    - rec.median_days: median days from 申请 to 入团 over rec.new_members with both dates (midpoint for an
      even count, so it may be a half day); omitted when no new member has both dates.
    """
    r = recruitment
    out: dict[str, float] = {
        "rec.new_members": int(in_year(r["joined_date"], year).sum()),
        "rec.applications": int(in_year(r["applied_date"], year).sum()),
        "rec.activists": int(in_year(r["activist_date"], year).sum()),
        "rec.targets": int(in_year(r["target_date"], year).sum()),
    }
    if quota is not None:
        out["rec.quota"] = int(quota)
    new = r[in_year(r["joined_date"], year)]
    median = _median((new["joined_date"] - new["applied_date"]).dt.days)
    if median is not None:
        out["rec.median_days"] = median
    return out


def funnel(recruitment: pd.DataFrame, year: int) -> pd.DataFrame:
    """People reaching each stage in Y (stage date in Y)."""
    rows = [{"stage": label, "people": int(in_year(recruitment[col], year).sum())} for col, label in STAGES]
    return pd.DataFrame(rows)


def funnel_by_branch(recruitment: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per branch: people reaching each stage in Y (columns = stage labels)."""
    data = {label: in_year(recruitment[col], year) for col, label in STAGES}
    frame = pd.DataFrame(data).assign(branch=recruitment["branch"].fillna("未填").to_numpy())
    out = frame.groupby("branch")[[label for _, label in STAGES]].sum().astype(int)
    return out[out.sum(axis=1) > 0].reset_index()


def stage_durations(recruitment: pd.DataFrame, year: int) -> pd.DataFrame:
    """Median days between consecutive stages, over people whose later stage falls in Y."""
    rows = []
    for (a, la), (b, lb) in itertools.pairwise(STAGES):
        mask = in_year(recruitment[b], year)
        days = (recruitment.loc[mask, b] - recruitment.loc[mask, a]).dt.days
        rows.append({"from": la, "to": lb, "people": int(days.notna().sum()), "median_days": _median(days)})
    return pd.DataFrame(rows)


def quota_status(new_members: int, quota: int | None) -> str | None:
    """'已完成' when new members reach the quota, '未完成' otherwise, None without a quota."""
    if quota is None:
        return None
    return "已完成" if new_members >= quota else "未完成"


def new_member_list(recruitment: pd.DataFrame, year: int) -> pd.DataFrame:
    """The people who joined in Y with their branch and dates (ID numbers masked)."""
    r = recruitment[in_year(recruitment["joined_date"], year)]
    return (
        r[["name", "branch", "applied_date", "activist_date", "target_date", "joined_date", "league_no"]]
        .sort_values("joined_date")
        .reset_index(drop=True)
    )


def recruitment_checks(recruitment: pd.DataFrame, year: int) -> pd.DataFrame:
    """Warnings on people with a stage in Y: 发展团员编号 not 12/16 digits or whose first 4 digits differ
    from the year of joining (2017/2018 interchangeable); under 14 at application or joining; stage
    dates out of order. These are flags for the analyst, not rejections."""
    r = recruitment
    touched = pd.concat([in_year(r[c], year) for c, _ in STAGES], axis=1).any(axis=1)
    r = r[touched]
    rows: list[dict[str, object]] = []
    for _, p in r.iterrows():
        no = p["league_no"]
        joined = p["joined_date"]
        if isinstance(no, str):
            if len(no) not in (12, 16) or not no.isdigit():
                rows.append(
                    {
                        "name": p["name"],
                        "branch": p["branch"],
                        "check": "发展团员编号位数不对",
                        "detail": f"{len(no)} 位",
                    }
                )
            elif pd.notna(joined):
                prefix, jy = int(no[:4]), joined.year
                if prefix != jy and not ({prefix, jy} <= {2017, 2018}):
                    rows.append(
                        {
                            "name": p["name"],
                            "branch": p["branch"],
                            "check": "编号年份与入团年份不一致",
                            "detail": f"编号 {prefix} 年，入团 {jy} 年",
                        }
                    )
        elif pd.notna(joined) and joined.year >= 2017:
            rows.append({"name": p["name"], "branch": p["branch"], "check": "缺少发展团员编号", "detail": ""})
        for col, label in (("applied_date", "申请"), ("joined_date", "入团")):
            if pd.notna(p[col]) and pd.notna(p["birth_date"]):
                age = (p[col] - p["birth_date"]).days / 365.2425
                if age < 14:
                    rows.append(
                        {
                            "name": p["name"],
                            "branch": p["branch"],
                            "check": f"{label}时不足 14 周岁",
                            "detail": f"约 {formatting.number(age)} 岁",
                        }
                    )
        dates = [p[c] for c, _ in STAGES]
        known = [d for d in dates if pd.notna(d)]
        if known != sorted(known):
            rows.append(
                {"name": p["name"], "branch": p["branch"], "check": "各阶段日期顺序颠倒", "detail": ""}
            )
    return pd.DataFrame(rows, columns=["name", "branch", "check", "detail"])
