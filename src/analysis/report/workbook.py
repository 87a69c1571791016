"""reports/<Y>/indicators.xlsx: the indicator summary (with last year and targets), one sheet per
catalogue table and a 说明 sheet. Cells are typed: numbers are numbers, rates are fractions shown as
percentages, changes carry a signed format (a rate's change in percentage points, "+0.5 个百分点",
from the percentages as shown), dates are dates; headers are Chinese and frozen. Lists of people start
with 团支部 and 姓名, tell namesakes apart, say 是/否 and show no pseudonym key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from analysis import __version__
from analysis.common import formatting
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.labels import TABLE_TITLES, chinese, percent_columns
from analysis.safety import safe_io

# What each catalogue table holds and which export it comes from (the 说明 sheet).
TABLE_NOTES: dict[str, tuple[str, str]] = {
    "org_by_branch": ("各团支部年底在团团员、团干部、超龄团员人数", "团员名册（组织关系转接）"),
    "org_by_age": ("年底在团团员按年龄段分组的人数", "团员名册"),
    "org_by_gender": ("年底在团团员按性别分组的人数", "团员名册"),
    "org_by_political": ("年底在团团员按政治面貌分组的人数", "团员名册"),
    "study_periods": ("本年各期青年大学习：日期、参学人数、团员参学率", "青年大学习记录、团员名册"),
    "study_matrix": ("各团支部每期的完成人数、应参学人数和参学率", "青年大学习记录、团员名册"),
    "study_ranking": ("各团支部全年参学率（各期平均）与排名", "青年大学习记录、团员名册"),
    "study_members_low": ("全年未参学或参学不足一半的团员", "青年大学习记录、团员名册"),
    "cadre_by_month": ("每月团干部学习打卡人数与打卡率", "团干部学习打卡、团员名册"),
    "cadre_by_branch": ("各团支部团干部打卡人月与打卡率", "团干部学习打卡、团员名册"),
    "cadre_unmatched": ("打卡记录中不在团员名册上的人员（不计入打卡率）", "团干部学习打卡"),
    "act_section_month": ("各板块每月开展活动次数", "活动台账"),
    "act_by_section": ("各板块活动次数、参与人次、志愿服务时长", "活动台账"),
    "act_by_organiser": ("各组织单位开展活动次数、参与人次、志愿服务时长", "活动台账"),
    "act_top": ("参与人数最多的活动", "活动台账"),
    "act_list": ("本年全部活动（已去重）", "活动台账"),
    "rec_funnel": ("本年到达发展团员各阶段的人数", "发展团员台账"),
    "rec_by_branch": ("各团支部发展团员各阶段人数", "发展团员台账"),
    "rec_durations": ("发展团员相邻阶段之间用时的中位数", "发展团员台账"),
    "rec_new_members": ("本年新发展团员名单", "发展团员台账"),
    "rec_checks": ("需要核对的发展团员记录（编号位数、入团年龄等）", "发展团员台账"),
    "aid_by_programme": ("各资助项目的受助人数、发放笔数和金额", "爱心助学名单"),
    "ratings_distribution": ("各定级结果的团支部数", "对标定级结果"),
    "ratings_table": ("各团支部对标定级得分与结果", "对标定级结果"),
    "reviews_distribution": ("团员教育评议各结果的人数与占比", "团员教育评议结果"),
    "coverage_study": (
        "各团支部每期青年大学习的在册团员、有记录团员、记录数及来源文件",
        "青年大学习记录、团员名册",
    ),
    "coverage_checkin": (
        "各团支部每月团干部打卡记录数、在册团干部、已打卡人数及来源文件",
        "团干部学习打卡、团员名册",
    ),
    "coverage_activities": ("各组织单位每月活动数及来源文件", "活动台账"),
}
FINDINGS_SHEET = "数据完整性"
# Lists of people: 团支部 and 姓名 first, a 区分信息 column where a name repeats in a branch, no member key
PEOPLE_TABLES = ("study_members_low", "rec_new_members", "rec_checks", "cadre_unmatched")
PEOPLE_FIRST = ("branch", "name")
DETAIL_COLUMN = "区分信息"
HIDDEN_COLUMNS = ("member_id",)  # pseudonym keys: never shown
MONTH_COLUMNS = ("月份",)
SUMMARY_COLUMNS = ["指标", "本年", "上年", "变化", "变化单位", "目标", "是否达标", "单位", "指标键"]


def _number(v: object) -> float | int | None:
    if formatting.is_missing(v):
        return None
    return int(v) if float(v).is_integer() else float(v)  # type: ignore[arg-type]


def summary_sheet(cat: Catalogue) -> tuple[pd.DataFrame, dict[str, list[str | None]]]:
    """指标汇总 as typed values, and the number format of each cell of the value columns.

    本年 / 上年 / 目标 are numbers (rates as fractions with 0.0%), 变化 a number with a signed format;
    a rate's change is in percentage points (0.1 shown "+0.1 个百分点"), the difference of the two
    percentages as shown, so that 82.6% and 82.5% show +0.1 whatever the unrounded rates."""
    rows = []
    formats: dict[str, list[str | None]] = {c: [] for c in ("本年", "上年", "变化", "目标")}
    for _, r in cat.summary_table().iterrows():
        ki = cat.info(r["key"])
        values = {"本年": r["value"], "上年": r["previous"], "目标": r["target"]}
        for column, v in values.items():
            formats[column].append(formatting.xlsx_format(ki.kind, v))
        change = formatting.shown_change(r["value"], r["previous"], ki.kind)
        if ki.kind == "rate":
            change = formatting.points(change)
        formats["变化"].append(formatting.xlsx_change_format(ki.kind, change))
        rows.append(
            {
                "指标": r["label"],
                "本年": _number(r["value"]),
                "上年": _number(r["previous"]),
                "变化": _number(change),
                "变化单位": formatting.POINTS if ki.kind == "rate" else (ki.unit or ""),
                "目标": _number(r["target"]),
                "是否达标": r["met"] or "",
                "单位": ki.unit or "",
                "指标键": r["key"],
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("本年", "上年", "变化", "目标"):
        frame[column] = frame[column].astype("float64")
    return frame, formats


def summary_text(cat: Catalogue) -> pd.DataFrame:
    """指标汇总 as text, for a notebook: the numbers formatted as the workbook shows them."""
    rows = []
    for _, r in cat.summary_table().iterrows():
        ki = cat.info(r["key"])
        rows.append(
            {
                "指标": r["label"],
                "本年": formatting.value(r["value"], ki.kind),
                "上年": formatting.value(r["previous"], ki.kind),
                "变化": formatting.change(
                    formatting.shown_change(r["value"], r["previous"], ki.kind), ki.kind
                ),
                "目标": formatting.value(r["target"], ki.kind),
                "是否达标": r["met"] or "",
                "单位": ki.unit,
            }
        )
    return pd.DataFrame(rows, columns=["指标", "本年", "上年", "变化", "目标", "是否达标", "单位"])


def show_summary(cat: Catalogue) -> formatting.Shown:
    """The summary as a notebook shows it (no index, no Python reprs)."""
    frame = summary_text(cat)
    figures = ("本年", "上年", "变化", "目标")
    return formatting.table(frame, kinds={c: formatting.FIGURE if c in figures else "text" for c in frame})


def show_findings(cat: Catalogue) -> formatting.Shown:
    """The completeness findings as a notebook shows them."""
    frame = cat.assessment.table()
    if frame.empty:
        frame = pd.DataFrame([{"严重程度": "", "类型": "未发现缺口", "对象": "", "说明": ""}])
    return formatting.table(frame, kinds=dict.fromkeys(frame.columns, "text"))


def notes(cat: Catalogue, sheets: list[str], detail_columns: list[list[str]] | None = None) -> pd.DataFrame:
    """The 说明 sheet: what each sheet holds and where it came from (``detail_columns``: the columns of
    the people sheets, to explain 区分信息 when one has it)."""
    detail_columns = detail_columns or []
    items = [
        ("内容", f"{cat.town} {cat.year} 年工作指标，由数据分析套件从 {cat.year} 年的台账导出计算。"),
        ("生成时间", f"{formatting.moment(dt.datetime.now())}（程序版本 {__version__}）"),
        (
            "数值",
            "数字为数值单元格，可直接求和、排序；比率以小数存储、按百分比显示；"
            "比率的变化以百分点计（单元格中的数为百分点，如 0.5 显示为“+0.5 个百分点”），"
            "由显示的本年、上年百分比（保留一位小数）相减得出，与表中看到的数字一致。",
        ),
        (
            FINDINGS_SHEET,
            "生成报告前对数据是否齐全、是否可信的检查结果：严重（未确认的缺口，报告为草稿）、提示、"
            "已确认（在 town.yml 的 accepted_gaps 中记录）。没有任何内容表示未发现缺口。",
        ),
        (
            TABLE_TITLES["summary"],
            "每个指标的本年、上年、变化、目标与是否达标；指标定义见 docs/indicators.md。",
        ),
    ]
    by_title = {TABLE_TITLES.get(name, name): name for name in cat.tables}
    for title in sheets:
        name = by_title.get(title)
        if name is None:
            continue
        content, source = TABLE_NOTES.get(name, (title, "处理后的数据表"))
        items.append((title, f"{content}。来源：{source}。"))
    if any(DETAIL_COLUMN in sheets_with_details for sheets_with_details in detail_columns):
        items.append(
            (
                DETAIL_COLUMN,
                "同一团支部中有同名的人时，列出身份证尾号、出生年份或学号等以示区分（名册中没有时写“同名第几位”）。",
            )
        )
    if cat.previous:
        items.append(("上年", f"上年（{cat.year - 1} 年）数值来自同一规则对上年导出的计算。"))
    return safe_io.notes_frame(items)


def people_sheet(frame: pd.DataFrame, members: pd.DataFrame | None = None) -> pd.DataFrame:
    """A list of people as the workbook shows it: 团支部 and 姓名 first, then (only when a name repeats
    within a branch) 区分信息 — the masked ID's last four digits, birth year or 学号 from the roster
    (``members``, matched by member key) that tell the namesakes apart, else "同名第1位"… — then the
    other columns; no member key; booleans as 是/否. Columns keep their catalogue (English) names."""
    first = [c for c in PEOPLE_FIRST if c in frame.columns]
    out = frame[first + [c for c in frame.columns if c not in first and c not in HIDDEN_COLUMNS]].copy()
    for column in out.columns:
        if pd.api.types.is_bool_dtype(out[column]):
            out[column] = out[column].map({True: "是", False: "否"})
    if len(first) == 2:
        details = namesake_details(frame, members)
        if details.notna().any():
            out.insert(2, DETAIL_COLUMN, details.to_numpy())
    return out


def namesake_details(frame: pd.DataFrame, members: pd.DataFrame | None = None) -> pd.Series:
    """Per row: what tells it apart from the rows of the same branch and name (None when the name does
    not repeat there). From the roster when ``members`` and a member key are at hand (the details the
    query tool gives: ID tail, birth year, 学号…), else the namesake's running number."""
    from analysis.query.participation import namesake_details as roster_details

    out = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    clash = frame[frame.duplicated(["branch", "name"], keep=False)]
    known = members.set_index("member_id") if members is not None and "member_id" in frame else None
    for _, group in clash.groupby(["branch", "name"], sort=False):
        texts: list[str] = []
        if known is not None and group["member_id"].isin(known.index).all():
            people = known.loc[group["member_id"]].reset_index().assign(branch="")
            texts = roster_details(people)
        if not texts or len(set(texts)) < len(texts):
            texts = [f"同名第{i}位" for i in range(1, len(group) + 1)]
        out[group.index] = texts
    return out


def write_workbook(cat: Catalogue, path: Path, members: pd.DataFrame | None = None) -> Path:
    """Write indicators.xlsx atomically; returns its path. ``members``: the year's roster (processed
    members table), for telling namesakes apart in the lists of people (`people_sheet`)."""
    summary_title = TABLE_TITLES["summary"]
    summary, summary_formats = summary_sheet(cat)
    sheets: dict[str, pd.DataFrame] = {summary_title: summary, FINDINGS_SHEET: cat.assessment.table()}
    percents: dict[str, list[str]] = {}
    formats: dict[str, dict[str, str]] = {}
    for name, frame in cat.tables.items():
        title = TABLE_TITLES.get(name, name)
        if name in PEOPLE_TABLES:
            frame = people_sheet(frame, members)
        sheets[title] = chinese(frame, name, cat.section_labels)
        percents[title] = percent_columns(frame, name)
        months = [c for c in MONTH_COLUMNS if c in sheets[title].columns]
        formats[title] = {c: formatting.XLSX_MONTH for c in months}
    people = [list(sheets[TABLE_TITLES.get(n, n)].columns) for n in PEOPLE_TABLES if n in cat.tables]
    sheets[safe_io.NOTES_SHEET] = notes(cat, list(sheets), people)
    safe_io.write_xlsx(
        path,
        sheets,
        percent_columns=percents,
        number_formats=formats,
        cell_formats={summary_title: summary_formats},
        titles={summary_title: f"{cat.town} {cat.year} 年工作指标"},
    )
    return path
