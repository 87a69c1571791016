"""青年大学习 participation answers, built on the same functions as the indicators (so a branch's grid
rates are exactly its 参学率 over the same periods)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.common.errors import AnalysisError
from analysis.indicators import study
from analysis.indicators.common import in_year
from analysis.ingest.branches import BranchResolver
from analysis.ingest.normalize import normalize_name
from analysis.processed.load import Tables

DONE, NOT_DONE, NOT_JOINED, MOVED_OUT, NOT_YET_IN, LEFT = "√", "×", "未入团", "已转出", "未转入", "已离团"
_QUARTER = re.compile(r"^(?:(\d{4})\s*年?\s*)?(?:[Qq]\s*([1-4])|第?([1-4一二三四])\s*季度?)$")
_CHINESE_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}
_SHORT_SEASON = re.compile(r"^(\d{1,2})\s*[-－—/]\s*(\d{1,2})$")
SPECIAL = "特辑"


def parse_quarter(text: str, year: int | None = None) -> tuple[int, int]:
    """A quarter as typed — 2022Q2, 2022 q2, Q2, 二季度, 第二季度, 2022年第2季度 — as (year, quarter); without a
    year, ``year`` (the data's) is used."""
    m = _QUARTER.match(text.strip())
    if not m or (m.group(1) is None and year is None):
        raise AnalysisError(
            f"季度“{text}”格式不对", hint="请写成 2022Q2 的形式（年份省略时为所查询的年度）。"
        )
    digit = m.group(2) or m.group(3)
    q = _CHINESE_DIGIT.get(digit) or int(digit)
    return (int(m.group(1)) if m.group(1) else int(year)), q  # type: ignore[arg-type]


def quarter_bounds(year: int, quarter: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    start = pd.Timestamp(year, 3 * quarter - 2, 1)
    return start, start + pd.offsets.QuarterEnd(0)


def select_periods(
    periods: pd.DataFrame,
    labels: list[str] | None = None,
    quarter: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """Periods of the year chosen by label (any spelling ``match_period`` reads), by quarter ("2022Q2";
    "Q2" means ``year``'s) or by a date range (the period's date is the day of its median record time).
    A range that ends before it starts is refused; so is a 特辑 name that fits several 特辑."""
    chosen = periods
    if labels:
        available = list(periods["period"])
        wanted: list[str] = []
        unknown: list[str] = []
        for text in labels:
            found = match_period(text, available)
            if not found:
                unknown.append(text)
            elif len(found) > 1:
                raise AnalysisError(
                    f"“{text}”对应多个期次：{'、'.join(found)}",
                    hint="请写得更具体，如特辑的名称或日期（五四特辑、07-01）。",
                )
            else:
                wanted += found
        if unknown:
            raise AnalysisError(f"找不到期次：{'、'.join(unknown)}", hint=period_spellings(periods))
        chosen = chosen[chosen["period"].isin(wanted)]
    if date_from and date_to and _day(date_from) > _day(date_to):
        raise AnalysisError(
            f"起止日期颠倒：--from {date_from} 晚于 --to {date_to}", hint="请交换两个日期后重试。"
        )
    if quarter:
        q_year, q = parse_quarter(quarter, year)
        start, end = quarter_bounds(q_year, q)
        chosen = chosen[(chosen["date"] >= start) & (chosen["date"] <= end)]
    if date_from:
        chosen = chosen[chosen["date"] >= _day(date_from)]
    if date_to:
        chosen = chosen[chosen["date"] <= _day(date_to)]
    return chosen.reset_index(drop=True)


def match_period(text: str, labels: list[str]) -> list[str]:
    """The period labels ``text`` names: the label itself, any spelling of it (第5期, 第十二季第五期, 12-5
    for 第12季第5期), or — for a 特辑 — its name or date (五四特辑, 特辑 05-04); "特辑" alone names them all."""
    text = text.strip()
    if text in labels:
        return [text]
    canonical = _canonical_label(text)
    if canonical in labels:
        return [canonical]
    if m := _SHORT_SEASON.match(text):
        label = f"第{int(m.group(1))}季第{int(m.group(2))}期"
        if label in labels:
            return [label]
    specials = [label for label in labels if label.startswith(SPECIAL)]
    core = re.sub(r"[\s:：()（）]", "", text).replace(SPECIAL, "")
    if not core:
        return specials if SPECIAL in text else []
    return [label for label in specials if core in re.sub(r"[\s:：()（）]", "", label).replace(SPECIAL, "")]


def period_spellings(periods: pd.DataFrame) -> str:
    """How the year's periods may be written, with the 特辑 by name (for a message's hint)."""
    labels = list(periods["period"])
    regular = [label for label in labels if not label.startswith(SPECIAL)]
    specials = [label for label in labels if label.startswith(SPECIAL)]
    parts = []
    if regular:
        example = regular[0]
        short = (
            f"（或 {m.group(1)}-{m.group(2)}）" if (m := re.match(r"^第(\d+)季第(\d+)期$", example)) else ""
        )
        parts.append(f"期次写法如：{example}{short}、{regular[-1]}")
    if specials:
        parts.append(f"特辑可写名称或日期：{'、'.join(specials)}")
    return "；".join(parts) + f"。本年共 {len(labels)} 期，也可用 --quarter、--from/--to 选择范围。"


def empty_selection(periods: pd.DataFrame, year: int, quarter: str | None = None) -> AnalysisError:
    """The error for a selection without any period: which year is being asked and what it covers."""
    if periods.empty:
        return AnalysisError(
            f"{year} 年的数据中没有青年大学习期次", hint="请确认导出文件已放入原始数据文件夹并重新导入。"
        )
    first, last = periods["date"].min(), periods["date"].max()
    covers = f"{year} 年的数据中的期次从 {first:%Y-%m-%d} 到 {last:%Y-%m-%d}（共 {len(periods)} 期）"
    if quarter:
        q_year, q = parse_quarter(quarter, year)
        if q_year != year:
            return AnalysisError(
                f"{q_year}Q{q} 不在所查询的 {year} 年内：{covers}",
                hint=f"查询 {q_year} 年请加 --year {q_year}（该年的导出需已导入）。",
            )
    return AnalysisError(
        f"所选范围内没有青年大学习期次：{covers}", hint="请检查 --quarter、--from/--to 或 --period。"
    )


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


def has_roster(tables: Tables) -> bool:
    """Whether the year has a member roster (rates, 未学习名单 and member histories need one)."""
    return tables.members is not None and len(tables.members) > 0


def branches(tables: Tables) -> list[str]:
    """Canonical branch names of the year: from the roster, else from the study records."""
    if has_roster(tables):
        return sorted(set(tables.members["branch"].dropna()))
    records = tables.study_records
    if records is None or "branch" not in records:
        return []
    return sorted(set(records["branch"].dropna()) - {""})


@dataclass
class GridResult:
    """A branch's members × periods grid (cells √ / × / 未入团 / 已转出 / 未转入 / 已离团)."""

    branch: str
    periods: pd.DataFrame  # period, date
    grid: pd.DataFrame  # 姓名, one column per period, 参学期数, 应参学期数, 参学率
    period_rates: pd.DataFrame  # period, date, numerator, denominator, rate


def resolve_branch(tables: Tables, text: str, resolver: BranchResolver | None) -> str:
    """A branch as the analyst types it (简称 allowed) → its canonical name in the processed data."""
    names = branches(tables)
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


def all_pairs(tables: Tables, periods: pd.DataFrame, branch: str | None = None) -> pd.DataFrame:
    """study.participation_pairs over these periods: compute once, pass to several grids. With
    ``branch``, only the pairs of members who are ever in that branch (enough for its grid)."""
    membership = tables.membership if branch is None else tables.membership.within(branch)
    return study.participation_pairs(_study(tables), membership, periods)


def participation_grid(
    tables: Tables, periods: pd.DataFrame, branch: str, pairs: pd.DataFrame | None = None
) -> GridResult:
    """Members of ``branch`` × ``periods``. A member appears when active in the branch on at least one of
    the periods' dates; each cell says √ (studied), × (in the branch that day, no record), 未入团 (before
    joining), 已转出 / 未转入 (in another branch that day, after / before a transfer) or 已离团."""
    membership = tables.membership
    if pairs is None:
        pairs = all_pairs(tables, periods, branch)
    in_branch = pairs[pairs["branch"] == branch]
    ids = in_branch["member_id"].unique()
    people = tables.members.set_index("member_id").loc[ids]
    labels = list(periods["period"])
    # every (member, period) of the grid, in member-major order
    cross = pd.DataFrame(
        {
            "member_id": np.repeat(ids, len(periods)),
            "period": np.tile(periods["period"].to_numpy(), len(ids)),
            "date": np.tile(periods["date"].to_numpy(), len(ids)),
        }
    )
    here = cross.merge(in_branch[["member_id", "period", "studied"]], on=["member_id", "period"], how="left")
    joined_on = people["join_date"].reindex(cross["member_id"]).to_numpy()
    first_in = in_branch.groupby("member_id")["date"].min().reindex(cross["member_id"]).to_numpy()
    days = cross["date"].to_numpy()
    active = membership.active_pairs(cross["member_id"], cross["date"]).to_numpy()
    in_here = here["studied"].notna().to_numpy()
    values = np.select(
        [
            in_here & here["studied"].fillna(False).astype(bool).to_numpy(),
            in_here,
            ~pd.isna(joined_on) & (joined_on > days),
            ~active,
            days < first_in,
        ],
        [DONE, NOT_DONE, NOT_JOINED, LEFT, NOT_YET_IN],
        default=MOVED_OUT,
    )
    cells = pd.DataFrame(
        values.reshape(len(ids), len(labels)),
        index=pd.Index(ids, name="member_id"),
        columns=labels,
        dtype=object,
    )
    done = (cells == DONE).sum(axis=1)
    due = cells.isin([DONE, NOT_DONE]).sum(axis=1)
    grid = cells.copy()
    grid.insert(0, "姓名", display_names(people.reset_index()).reindex(cells.index).to_numpy())
    grid["参学期数"] = done.astype("int64")
    grid["应参学期数"] = due.astype("int64")
    grid["参学率"] = (done / due).where(due > 0).astype("float64")
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
    names = display_names(tables.members)
    out = absent.assign(name=absent["member_id"].map(names))
    out = out.sort_values(["date", "branch", "name"])[["period", "date", "branch", "name"]]
    return out.rename(
        columns={"period": "期次", "date": "日期", "branch": "团支部", "name": "姓名"}
    ).reset_index(drop=True)


_SEASON_LABEL = re.compile(r"^第(\d+)季第(\d+)期$")
_YEARLY_LABEL = re.compile(r"^\d{4}年(第\d+期)$")


def short_label(label: str) -> str:
    """A period's label as lists show it: 第12季第5期 → 12-5, 2022年第5期 → 第5期, 特辑:五四特辑(05-04) →
    五四特辑(05-04)."""
    if m := _SEASON_LABEL.match(label):
        return f"{m.group(1)}-{m.group(2)}"
    if m := _YEARLY_LABEL.match(label):
        return m.group(1)
    return label.removeprefix(f"{SPECIAL}:")


def missed_by_person(frame: pd.DataFrame) -> pd.DataFrame:
    """``missing``'s rows (one per member and period) as one row per member of a branch: 团支部, 姓名,
    未学习期数, 未学习期次 (short labels in period order); most periods missed first."""
    columns = ["团支部", "姓名", "未学习期数", "未学习期次"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    ordered = frame.sort_values("日期", kind="stable")
    grouped = ordered.groupby(["团支部", "姓名"], sort=False)["期次"]
    out = pd.DataFrame(
        {
            "未学习期数": grouped.size().astype("int64"),
            "未学习期次": grouped.agg(lambda s: "、".join(short_label(x) for x in s)),
        }
    ).reset_index()
    out = out.sort_values(["团支部", "未学习期数", "姓名"], ascending=[True, False, True])
    return out[columns].reset_index(drop=True)


def never_studied(tables: Tables, periods: pd.DataFrame, branch: str | None = None) -> pd.DataFrame:
    """Members due on at least one of ``periods`` (active in a branch that day) with a record in none of
    them: 团支部 (their branch on the last of their due periods), 姓名, 应参学期数. With ``branch``, those
    whose last branch it is."""
    records = _study(tables)
    pairs = study.participation_pairs(records, tables.membership, periods)
    columns = ["团支部", "姓名", "应参学期数"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    by_member = pairs.sort_values("date").groupby("member_id")
    summary = pd.DataFrame(
        {
            "studied": by_member["studied"].any(),
            "branch": by_member["branch"].last(),
            "due": by_member.size(),
        }
    )
    never = summary[~summary["studied"]]
    if branch:
        never = never[never["branch"] == branch]
    names = display_names(tables.members)
    out = pd.DataFrame(
        {
            "团支部": never["branch"].to_numpy(),
            "姓名": never.index.map(names).to_numpy(),
            "应参学期数": never["due"].astype("int64").to_numpy(),
        }
    )
    return out.sort_values(["团支部", "姓名"]).reset_index(drop=True)


@dataclass
class MemberHistory:
    """One member's year: study periods, activities, recruitment."""

    member_id: str
    name: str
    branch: str
    study: pd.DataFrame  # 姓名, 期次, 日期, 团支部, 情况
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
    history.insert(0, "姓名", str(member["name"]))
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
        recruitment.insert(0, "姓名", str(member["name"]))
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


# --------------------------------------------------------------------------------------------------
# Namesakes: what tells two members with the same name apart
# --------------------------------------------------------------------------------------------------


def _id_tail(row: pd.Series) -> str | None:
    masked = row.get("id_masked")
    return f"身份证尾号 {str(masked)[-4:]}" if isinstance(masked, str) and len(masked) >= 4 else None


def _birth_year(row: pd.Series) -> str | None:
    born = row.get("birth_date")
    return None if born is None or pd.isna(born) else f"{pd.Timestamp(born).year} 年生"


def _labelled(prefix: str, column: str) -> Callable[[pd.Series], str | None]:
    def get(row: pd.Series) -> str | None:
        value = row.get(column)
        return None if value is None or pd.isna(value) or value == "" else f"{prefix}{value}"

    return get


def _join_day(row: pd.Series) -> str | None:
    joined = row.get("join_date")
    return None if joined is None or pd.isna(joined) else f"{pd.Timestamp(joined):%Y-%m-%d} 入团"


# in order of preference; the branch is always named
_TELLS: list[Callable[[pd.Series], str | None]] = [
    _id_tail,
    _birth_year,
    _labelled("学号 ", "student_no"),
    _labelled("团员编号 ", "member_no"),
    _join_day,
]


def namesake_details(people: pd.DataFrame) -> list[str]:
    """For members sharing a name (rows of the roster): the branch and, when people of one branch share
    it, the fewest further details that tell them apart (masked ID tail, birth year, 学号, 团员编号, join
    date; a running number when nothing does). One text per row, e.g. "示例镇中学团支部，身份证尾号 5029"."""
    rows = [r for _, r in people.iterrows()]
    parts: list[list[str]] = [[str(r.get("branch") or "")] for r in rows]

    def unique() -> bool:
        return len({tuple(p) for p in parts}) == len(parts)

    for tell in _TELLS:
        if unique():
            break
        values = [tell(r) for r in rows]
        if len({v for v in values if v is not None}) <= 1:
            continue  # the same for everyone (or unknown): says nothing
        for p, v in zip(parts, values, strict=True):
            if v is not None:
                p.append(v)
    if not unique():
        for i, p in enumerate(parts, start=1):
            p.append(f"第 {i} 位")
    return ["，".join(x for x in p if x) for p in parts]


def display_names(members: pd.DataFrame) -> pd.Series:
    """member_id → the name as shown in lists: the plain name, or for people sharing a name within a
    branch the name with what tells them apart ("段月玲（身份证尾号 5029）")."""
    names = members.set_index("member_id")["name"].astype(str)
    out = names.copy()
    keys = members.assign(_key=members["branch"].astype(str) + "\x00" + members["name_norm"].astype(str))
    clash = keys[keys.duplicated("_key", keep=False)]
    for _, group in clash.groupby("_key"):
        details = namesake_details(group.drop(columns="branch").assign(branch=""))
        for member_id, name, detail in zip(group["member_id"], group["name"], details, strict=True):
            out[member_id] = f"{name}（{detail}）"
    return out


def order_namesakes(found: pd.DataFrame) -> pd.DataFrame:
    """Namesakes in a stable order (branch, then masked ID, birth date, key): --who N counts in it."""
    keys = [c for c in ("branch", "id_masked", "birth_date", "member_id") if c in found]
    return found.sort_values(keys, na_position="last").reset_index(drop=True)


def pick_member(found: pd.DataFrame, who: str) -> pd.DataFrame:
    """The one namesake ``who`` designates: its number in the listing (1, 2, …) or any detail that only
    it has (branch, ID tail, birth year, 学号, 团员编号, member key)."""
    found = order_namesakes(found)
    text = who.strip()
    if text.isdigit() and 1 <= int(text) <= len(found) and len(text) <= 2:
        return found.iloc[[int(text) - 1]]
    details = namesake_details(found)
    needle = text.upper()
    hits = []
    for i, (_, row) in enumerate(found.iterrows()):
        fields = [details[i], str(row.get("member_id", ""))]
        fields += [str(row.get(c) or "") for c in ("id_masked", "student_no", "member_no")]
        if any(needle in f.upper() for f in fields if f):
            hits.append(i)
    if len(hits) == 1:
        return found.iloc[hits]
    listing = "；".join(f"{i}. {d}" for i, d in enumerate(details, start=1))
    if not hits:
        raise AnalysisError(
            f"--who “{who}”与这几位都不符：{listing}",
            hint="可写序号（如 --who 1）或身份证尾号、出生年份、学号。",
        )
    raise AnalysisError(
        f"--who “{who}”同时符合 {len(hits)} 位：{listing}", hint="请写得更具体，或写序号（如 --who 1）。"
    )


# --------------------------------------------------------------------------------------------------
# Without a roster: who has records, and how many
# --------------------------------------------------------------------------------------------------

NO_ROSTER = "（未识别团支部）"


@dataclass
class LearnerGrid:
    """Without a roster: the people with records of ``branch`` (by the records' own branch) × periods,
    √ where they have a record; per period the number of learners. No rates: they need a roster."""

    branch: str
    periods: pd.DataFrame  # period, date
    grid: pd.DataFrame  # 姓名, one column per period, 参学期数
    learners: pd.DataFrame  # period, date, learners


def _records_in(tables: Tables, periods: pd.DataFrame) -> pd.DataFrame:
    records = tables.study_records
    if records is None:
        raise AnalysisError(
            f"{tables.year} 年的数据中没有青年大学习记录",
            hint="请确认导出文件已放入原始数据文件夹并重新导入。",
        )
    mine = records[records["period"].isin(set(periods["period"]))]
    branch = mine["branch"].fillna("").replace("", NO_ROSTER) if "branch" in mine else NO_ROSTER
    return mine.assign(branch=branch)


def learner_grid(tables: Tables, periods: pd.DataFrame, branch: str) -> LearnerGrid:
    """People with records under ``branch`` × ``periods`` (a person is the records' person key)."""
    records = _records_in(tables, periods)
    mine = records[records["branch"] == branch].drop_duplicates(["person_key", "period"])
    labels = list(periods["period"])
    names = mine.groupby("person_key")["name"].first().fillna("（无姓名）")
    seen = pd.crosstab(mine["person_key"], mine["period"]).reindex(columns=labels, fill_value=0)
    cells = seen.gt(0).replace({True: DONE, False: ""}).astype(object)
    grid = cells.copy()
    grid.insert(0, "姓名", names.reindex(cells.index).to_numpy())
    grid["参学期数"] = seen.gt(0).sum(axis=1).astype("int64")
    grid = grid.sort_values(["参学期数", "姓名"], ascending=[False, True]).reset_index(drop=True)
    counts = mine.groupby("period")["person_key"].nunique()
    learners = periods[["period", "date"]].assign(
        learners=lambda d: d["period"].map(counts).fillna(0).astype("int64")
    )
    return LearnerGrid(branch, periods[["period", "date"]], grid, learners)


def learner_branches(tables: Tables, periods: pd.DataFrame) -> list[str]:
    """Branches named in the records of these periods (unrecognised ones grouped as one)."""
    return sorted(set(_records_in(tables, periods)["branch"]))


def learner_history(tables: Tables, periods: pd.DataFrame, name: str) -> pd.DataFrame:
    """Without a roster: the records under this name in these periods (one row per person and period)."""
    key = normalize_name(name) or name
    records = _records_in(tables, periods)
    mine = records[records["name_norm"] == key] if "name_norm" in records else records.iloc[0:0]
    mine = mine.drop_duplicates(["person_key", "period"])
    dates = periods.set_index("period")["date"]
    out = pd.DataFrame(
        {
            "姓名": mine["name"].to_numpy(),
            "团支部": mine["branch"].to_numpy(),
            "期次": mine["period"].to_numpy(),
            "日期": mine["period"].map(dates).to_numpy(),
            "情况": DONE,
        }
    )
    return out.sort_values(["团支部", "日期"]).reset_index(drop=True)
