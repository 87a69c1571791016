"""待学习名单.xlsx: one sheet per branch with its members who have not studied the bulletin's period (for
a quarter or a month: missed at least one of its periods), each with the periods missed this quarter so
far — what a branch secretary chases. Names only, with a 区分信息 column (masked ID's last four digits,
birth year, 学号 …) where a name repeats within the branch; never a member key or a full number."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.bulletin.numbers import Bulletin, within
from analysis.bulletin.scope import Scope
from analysis.common import formatting
from analysis.query.participation import namesake_details, short_label
from analysis.safety import safe_io

BRANCH, NAME, DETAIL = "团支部", "姓名", "区分信息"
MISSED_COUNT, MISSED_PERIODS = "本季度未学期数", "本季度未学期次"


def without_gaps(pairs: pd.DataFrame, gaps: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` minus those of a (branch, period) whose export looks missing: nobody is chased for a
    period whose records the town does not have."""
    if gaps.empty:
        return pairs
    keys = pd.MultiIndex.from_frame(pairs[["branch", "period"]])
    return pairs[~keys.isin(pd.MultiIndex.from_frame(gaps[["branch", "period"]]))]


def namesakes(people: pd.DataFrame) -> pd.Series:
    """member_id → what tells a member apart from others of the same name in the branch they are listed
    under (``people``: roster rows with that ``branch``), "" when the name does not repeat there — the
    query's `namesake_details`."""
    out = pd.Series("", index=people["member_id"].to_numpy(), dtype=object)
    clash = people[people.duplicated(["branch", "name_norm"], keep=False)]  # few: no loop over everyone
    for _, group in clash.groupby(["branch", "name_norm"], sort=False):
        out[group["member_id"].to_numpy()] = namesake_details(group.assign(branch=""))
    return out


def pending(pairs: pd.DataFrame, gaps: pd.DataFrame, scope: Scope, members: pd.DataFrame) -> pd.DataFrame:
    """Members due in the scope who missed (one of) its periods, under their branch on the last of
    their due periods in it, with the quarter's missed periods so far (short labels, in date order;
    periods without the branch's export left out). Columns: 团支部, 姓名, 区分信息, 本季度未学期数,
    本季度未学期次; most periods missed first, then by name."""
    columns = [BRANCH, NAME, DETAIL, MISSED_COUNT, MISSED_PERIODS]
    due = without_gaps(within(pairs, scope.periods), gaps).sort_values("date", kind="stable")
    branch = due.groupby("member_id")["branch"].last()
    chased = due.loc[~due["studied"], "member_id"].unique()
    if len(chased) == 0:
        return pd.DataFrame(columns=columns)
    quarter = without_gaps(within(pairs, scope.quarter_so_far), gaps).sort_values("date", kind="stable")
    missed = quarter[~quarter["studied"] & quarter["member_id"].isin(chased)]
    labels = missed.groupby("member_id")["period"].agg(lambda s: "、".join(short_label(p) for p in s))
    people = members.set_index("member_id").drop(columns="branch").loc[branch.index].reset_index()
    people = people.assign(branch=branch.to_numpy())
    details = namesakes(people)
    names = people.set_index("member_id")["name"]
    out = pd.DataFrame(
        {
            BRANCH: branch.reindex(chased).to_numpy(),
            NAME: names.reindex(chased).astype(str).to_numpy(),
            DETAIL: details.reindex(chased).to_numpy(),
            MISSED_COUNT: missed.groupby("member_id")
            .size()
            .reindex(chased)
            .fillna(0)
            .astype("int64")
            .to_numpy(),
            MISSED_PERIODS: labels.reindex(chased).fillna("").to_numpy(),
        }
    )
    return out.sort_values([BRANCH, MISSED_COUNT, NAME], ascending=[True, False, True]).reset_index(drop=True)


def sheet_title(branch: str, rows: int, missing: tuple[str, ...], scope: Scope) -> str:
    """The line above a branch's list: whose list it is, how many, and whether data are missing."""
    head = f"{branch} {scope.words}待学习名单"
    if missing and scope.single:
        return f"{head}：本期没有该团支部的任何学习记录（多半是导出缺失），补齐导出后重新生成名单"
    gap = f"；{len(missing)}期数据缺失，未计入" if missing else ""
    if rows == 0:
        return f"{head}：全部已学习{gap}"
    return f"{head}（共{rows}人{gap}）"


def branch_sheets(
    bulletin: Bulletin, lists: pd.DataFrame, order: list[str] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """One frame per branch of the bulletin and each sheet's title line; the 区分信息 column only in the
    sheets where a name repeats. Sheets in ``order`` (town.yml's branch order: the same every week),
    branches it does not name after them."""
    sheets: dict[str, pd.DataFrame] = {}
    titles: dict[str, str] = {}
    place = {name: i for i, name in enumerate(order or [])}
    for row in sorted(bulletin.branches, key=lambda r: place.get(r.branch, len(place))):
        frame = lists[lists[BRANCH] == row.branch].reset_index(drop=True)
        if not (frame[DETAIL] != "").any():
            frame = frame.drop(columns=DETAIL)
        sheets[row.branch] = frame
        titles[row.branch] = sheet_title(row.branch, len(frame), row.missing, bulletin.scope)
    return sheets, titles


def notes(bulletin: Bulletin, source: str) -> pd.DataFrame:
    """The 说明 sheet."""
    scope = bulletin.scope
    who = (
        f"{scope.words}当天在本团支部、没有学习记录的团员"
        if scope.single
        else f"{scope.words}各期中至少有一期当天在本团支部、没有学习记录的团员"
    )
    items = [
        ("内容", f"{bulletin.town_name}各团支部{scope.words}“青年大学习”待学习名单：每个团支部一个工作表。"),
        ("名单", f"{who}；按本季度未学期数从多到少排列。"),
        (
            MISSED_PERIODS,
            f"{scope.quarter_words}该团员未学习的期次，简写为“季-期”（如 12-5 即第12季第5期），特辑写名称。",
        ),
        (DETAIL, "同一团支部中有同名团员时，列出身份证尾号、出生年份或学号等以示区分。"),
        (
            "数据缺失",
            "某团支部某期没有任何学习记录、而按其参学水平几乎不可能时（数据完整性检查），视为导出缺失，该期不列入名单。",
        ),
        ("数据截至", formatting.moment(bulletin.data_date, formatting.DASH)),
        ("来源", source),
        ("生成时间", f"{formatting.moment(dt.datetime.now())}（程序版本 {__version__}）"),
    ]
    return safe_io.notes_frame(items)


def write_lists(
    path: Path, bulletin: Bulletin, lists: pd.DataFrame, source: str, order: list[str] | None = None
) -> Path:
    """Write 待学习名单.xlsx atomically (safe_io: text cells never formulas); returns ``path``."""
    sheets, titles = branch_sheets(bulletin, lists, order)
    sheets[safe_io.NOTES_SHEET] = notes(bulletin, source)
    safe_io.write_xlsx(path, sheets, titles=titles)
    return path
