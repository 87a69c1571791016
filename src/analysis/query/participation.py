"""青年大学习 participation answers, built on the same functions as the indicators (so a branch's grid
rates are exactly its 参学率 over the same periods)."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.errors import AnalysisError
from analysis.indicators import study
from analysis.indicators.common import in_year
from analysis.ingest.branches import BranchResolver
from analysis.ingest.normalize import normalize_name
from analysis.load import Tables

DONE, NOT_DONE, NOT_JOINED, MOVED_OUT, NOT_YET_IN, LEFT = "√", "×", "未入团", "已转出", "未转入", "已离团"
_QUARTER = re.compile(r"^(\d{4})\s*[Qq季]\s*([1-4])$")


def select_periods(
    periods: pd.DataFrame,
    labels: list[str] | None = None,
    quarter: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> pd.DataFrame:
    """Periods of the year chosen by canonical label, by quarter ("2022Q2") or by a date range (the
    period's date is the day of its median record time)."""
    chosen = periods
    if labels:
        wanted = {_canonical_label(x) for x in labels}
        unknown = sorted(wanted - set(periods["period"]))
        if unknown:
            hint = "、".join(periods["period"].head(5))
            raise AnalysisError(f"找不到期次：{'、'.join(unknown)}", hint=f"期次写法如：{hint}。")
        chosen = chosen[chosen["period"].isin(wanted)]
    if quarter:
        m = _QUARTER.match(quarter.strip())
        if not m:
            raise AnalysisError(f"季度“{quarter}”格式不对", hint="请写成 2022Q2 的形式。")
        year, q = int(m.group(1)), int(m.group(2))
        start = pd.Timestamp(year, 3 * q - 2, 1)
        end = start + pd.offsets.QuarterEnd(0)
        chosen = chosen[(chosen["date"] >= start) & (chosen["date"] <= end)]
    if date_from:
        chosen = chosen[chosen["date"] >= _day(date_from)]
    if date_to:
        chosen = chosen[chosen["date"] <= _day(date_to)]
    return chosen.reset_index(drop=True)


def _canonical_label(text: str) -> str:
    from analysis.ingest.normalize import canonical_period

    return canonical_period(text).label or text.strip()


def _day(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(text).normalize()
    except ValueError:
        raise AnalysisError(f"日期“{text}”格式不对", hint="请写成 2022-04-01 的形式。") from None


def _study(tables: Tables) -> pd.DataFrame:
    records = tables.study_records
    if records is None:
        raise AnalysisError(
            f"{tables.year} 年的数据中没有青年大学习记录",
            hint="请确认导出文件已放入原始数据文件夹并重新导入。",
        )
    if tables.members is None:
        raise AnalysisError(
            f"{tables.year} 年的数据中没有团员名册", hint="参学情况需要团员名册，请放入名册导出后重新导入。"
        )
    return records


@dataclass
class GridResult:
    """A branch's members × periods grid (cells √ / × / 未入团 / 已转出 / 未转入 / 已离团)."""

    branch: str
    periods: pd.DataFrame  # period, date
    grid: pd.DataFrame  # 姓名, one column per period, 参学期数, 应参学期数, 参学率
    period_rates: pd.DataFrame  # period, date, numerator, denominator, rate


def resolve_branch(tables: Tables, text: str, resolver: BranchResolver | None) -> str:
    """A branch as the analyst types it (简称 allowed) → its canonical name in the processed data."""
    names = sorted(set(tables.members["branch"]))
    if text in names:
        return text
    if resolver is not None:
        found = resolver.resolve_one(text)
        if found:
            return found
    close = [n for n in names if text in n]
    if len(close) == 1:
        return close[0]
    suggestion = difflib.get_close_matches(text, names, n=3, cutoff=0.3)
    hint = f"您是否要找：{'、'.join(suggestion)}？" if suggestion else f"可选的团支部：{'、'.join(names)}。"
    raise AnalysisError(f"找不到团支部“{text}”", hint=hint)


def participation_grid(tables: Tables, periods: pd.DataFrame, branch: str) -> GridResult:
    """Members of ``branch`` × ``periods``. A member appears when active in the branch on at least one of
    the periods' dates; each cell says √ (studied), × (in the branch that day, no record), 未入团 (before
    joining), 已转出 / 未转入 (in another branch that day, after / before a transfer) or 已离团."""
    records = _study(tables)
    membership = tables.membership
    pairs = study.participation_pairs(records, membership, periods)
    in_branch = pairs[pairs["branch"] == branch]
    ids = in_branch["member_id"].unique()
    people = tables.members.set_index("member_id").loc[ids]
    labels = list(periods["period"])
    cells = pd.DataFrame(index=pd.Index(ids, name="member_id"), columns=labels, dtype=object)
    first_in = in_branch.groupby("member_id")["date"].min()
    joined_on = people["join_date"]
    for _, p in periods.iterrows():
        day, col = p["date"], p["period"]
        here = in_branch[in_branch["period"] == col].set_index("member_id")["studied"]
        active = membership.active_pairs(pd.Series(ids), pd.Series(day, index=range(len(ids)))).to_numpy()
        values = []
        for i, member in enumerate(ids):
            if member in here.index:
                values.append(DONE if here[member] else NOT_DONE)
            elif pd.notna(joined_on[member]) and joined_on[member] > day:
                values.append(NOT_JOINED)
            elif not active[i]:
                values.append(LEFT)
            else:
                values.append(NOT_YET_IN if day < first_in[member] else MOVED_OUT)
        cells[col] = values
    done = (cells == DONE).sum(axis=1)
    due = cells.isin([DONE, NOT_DONE]).sum(axis=1)
    grid = cells.copy()
    grid.insert(0, "姓名", people["name"].reindex(cells.index).to_numpy())
    grid["参学期数"] = done
    grid["应参学期数"] = due
    grid["参学率"] = (done / due).where(due > 0)
    grid = grid.sort_values(["参学率", "姓名"], ascending=[True, True]).reset_index(drop=True)
    rates = study.member_rate_matrix(in_branch)
    rates = periods[["period", "date"]].merge(rates.drop(columns=["branch", "date"]), on="period", how="left")
    return GridResult(branch, periods[["period", "date"]], grid, rates)


def missing(tables: Tables, periods: pd.DataFrame, branch: str | None = None) -> pd.DataFrame:
    """For each period: members active that day (in ``branch`` when given) with no record, by branch."""
    records = _study(tables)
    pairs = study.participation_pairs(records, tables.membership, periods)
    if branch:
        pairs = pairs[pairs["branch"] == branch]
    absent = pairs[~pairs["studied"]]
    names = tables.members.set_index("member_id")["name"]
    out = absent.assign(name=absent["member_id"].map(names))
    out = out.sort_values(["date", "branch", "name"])[["period", "date", "branch", "name"]]
    return out.rename(
        columns={"period": "期次", "date": "日期", "branch": "团支部", "name": "姓名"}
    ).reset_index(drop=True)


@dataclass
class MemberHistory:
    """One member's year: study periods, activities, recruitment."""

    member_id: str
    name: str
    branch: str
    study: pd.DataFrame  # 期次, 日期, 团支部, 情况
    activities: pd.DataFrame
    recruitment: pd.DataFrame
    summary: dict[str, object] = field(default_factory=dict)


def find_members(tables: Tables, name: str) -> tuple[pd.DataFrame, list[str]]:
    """Members with this (normalised) name, and 'did you mean' suggestions when there are none."""
    members = tables.members
    key = normalize_name(name) or name
    found = members[members["name_norm"] == key]
    suggestions: list[str] = []
    if found.empty:
        names = sorted(set(members["name_norm"]))
        suggestions = difflib.get_close_matches(key, names, n=5, cutoff=0.5)
        suggestions += [n for n in names if key in n and n not in suggestions][:5]
    return found, suggestions


def member_history(tables: Tables, periods: pd.DataFrame, member_id: str) -> MemberHistory:
    records = _study(tables)
    member = tables.members.set_index("member_id").loc[member_id]
    pairs = study.participation_pairs(records, tables.membership, periods)
    mine = pairs[pairs["member_id"] == member_id].set_index("period")
    rows = []
    for _, p in periods.iterrows():
        if p["period"] in mine.index:
            r = mine.loc[p["period"]]
            rows.append(
                {
                    "期次": p["period"],
                    "日期": p["date"],
                    "团支部": r["branch"],
                    "情况": DONE if r["studied"] else NOT_DONE,
                }
            )
        else:
            joined = pd.isna(member["join_date"]) or member["join_date"] <= p["date"]
            rows.append(
                {"期次": p["period"], "日期": p["date"], "团支部": "", "情况": LEFT if joined else NOT_JOINED}
            )
    history = pd.DataFrame(rows, columns=["期次", "日期", "团支部", "情况"])
    acts = activity_participation(tables, member_id=member_id)
    rec = tables.recruitment
    recruitment = pd.DataFrame()
    if rec is not None:
        mine_rec = rec[rec["person_id"] == member_id]
        recruitment = mine_rec[
            ["applied_date", "activist_date", "target_date", "joined_date", "stage"]
        ].rename(
            columns={
                "applied_date": "申请日期",
                "activist_date": "确定积极分子日期",
                "target_date": "确定发展对象日期",
                "joined_date": "入团日期",
                "stage": "当前阶段",
            }
        )
    done = int((history["情况"] == DONE).sum())
    due = int(history["情况"].isin([DONE, NOT_DONE]).sum())
    summary = {
        "参学期数": done,
        "应参学期数": due,
        "参学率": done / due if due else None,
        "参加活动次数": len(acts),
    }
    return MemberHistory(
        member_id, str(member["name"]), str(member["branch"]), history, acts, recruitment, summary
    )


def activity_participation(
    tables: Tables, branch: str | None = None, member_id: str | None = None, year: int | None = None
) -> pd.DataFrame:
    """Rows of the activity participant lists (matched members), filtered by branch or member."""
    parts = tables.activity_participants
    if parts is None:
        return pd.DataFrame(columns=["活动日期", "活动名称", "团支部", "姓名"])
    if year is not None:
        parts = parts[in_year(parts["date"], year) | parts["date"].isna()]
    if branch:
        parts = parts[parts["branch"] == branch]
    if member_id:
        parts = parts[parts["member_id"] == member_id]
    out = parts.sort_values(["date", "activity_name"])[["date", "activity_name", "branch", "name"]]
    return out.rename(
        columns={"date": "活动日期", "activity_name": "活动名称", "branch": "团支部", "name": "姓名"}
    ).reset_index(drop=True)


def activity_grid(tables: Tables, branch: str, year: int) -> pd.DataFrame:
    """Members of ``branch`` (on 12-31, or last seen there) × the activities on the participant lists in
    which at least one of them took part: √ when the member is on that activity's list, with each
    member's count. Only matched participants are credited (ambiguous names are not)."""
    parts = tables.activity_participants
    if parts is None:
        raise AnalysisError(
            f"{year} 年的数据中没有活动参与名单", hint="有参与名单的导出后才能按人查询活动参与。"
        )
    end = pd.Timestamp(year, 12, 31)
    snap = tables.membership.snapshot(end)
    people = snap[snap["branch"] == branch]
    names = tables.members.set_index("member_id")["name"]
    mine = parts[
        parts["member_id"].isin(people.index) & (in_year(parts["date"], year) | parts["date"].isna())
    ]
    mine = mine.assign(activity=mine["date"].dt.strftime("%m-%d").fillna("") + " " + mine["activity_name"])
    grid = pd.crosstab(mine["member_id"], mine["activity"]).reindex(people.index, fill_value=0)
    cells = grid.gt(0).replace({True: DONE, False: ""})
    cells.insert(0, "姓名", names.reindex(cells.index).to_numpy())
    cells["参加次数"] = grid.gt(0).sum(axis=1).to_numpy()
    return cells.sort_values(["参加次数", "姓名"], ascending=[False, True]).reset_index(drop=True)
