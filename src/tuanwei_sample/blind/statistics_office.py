"""Blind dialect ``statistics_office``: the year as the township government's statistics desk hands it over.

Where each shape comes from (public statistical-report rules and public League notices; no personal data):

* **Statistical report forms (统计报表).** Published 统计报表制度 documents of county statistics bureaus and
  the 部门综合统计报表制度 prescribe the form of every table: a 表号 line, a centred title, a line naming the
  填报单位 (``（盖章）``), the period and the unit (``单位：人``, ``单位：个、人次、小时``, money in 万元), a
  multi-row header, the 合计 / 总计 row *first* under the header, and under the table the signature line
  ``单位负责人： 统计负责人： 填表人： 报出日期：`` (reports are signed by the responsible person and stamped);
  documents are dated in Chinese numerals (``二〇一一年三月二十日``). League notices on the yearly 团内统计
  (团员、团干部和团组织情况统计年报表, 共青团有关信息统计（汇总）表, 统计截止时间 12 月 25 日/31 日, 逐级汇总,
  主要负责同志签字) ask for the same kind of cross-tab by organisation.
* **Cross-tabs with the details as attachments.** Each workbook leads with the cross-tabs (branches as rows
  × months or 期次 as columns, counts, rates as ``92.8%`` text, 合计 rows and columns, a two-row period
  header ``第十二季`` over ``第1期``…) and keeps the lists an analyst needs on further sheets (``附表`` /
  ``3月明细``): the 青年大学习 learners per month with the time as ``3月7日 20:15`` (the year only in the
  sheet's title), the roster with 入团时间 in Chinese numerals (``二〇一九年五月``), the recruitment ledger
  dated ``二〇二二年一月十三日``, the activity list dated ``3月5日`` with hours as 服务总时长 (volunteers ×
  hours), the cadres' check-ins as a cadre × month matrix of dates (``—`` not done, ``/`` not a cadre that
  month) with 应打卡 / 实打卡 / 打卡率 rows under it, participants grouped under heading rows
  (``一、团干部培训（3月30日…）``), aid in 元 with thousands separators beside a 万元 summary, ratings as a
  √ matrix over 五星 / 四星 / 三星 / 后进, reviews as counts plus the per-person list.
* The desk cleans before it reports: duplicate submissions and duplicate ledger rows are gone (the truth
  never counted them); school learners keep their 学号, so every record is credited.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

from tuanwei_sample.blind import register
from tuanwei_sample.build import cn_number
from tuanwei_sample.model import Cell, ExportFile, ExportSheet, SampleTown, StudyPeriod
from tuanwei_sample.writer import write_xlsx

COMMITTEE = "镇团委"
CN_DIGITS = "〇一二三四五六七八九"
FILER = "填报单位：示例镇团委（盖章）"
LEVELS = ("五星", "四星", "三星", "后进", "软弱涣散")
CN_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def cn_year(year: int) -> str:
    return "".join(CN_DIGITS[int(ch)] for ch in str(year))


def cn_date(day: date) -> str:
    return f"{cn_year(day.year)}年{cn_number(day.month)}月{cn_number(day.day)}日"


def cn_month(day: date) -> str:
    return f"{cn_year(day.year)}年{cn_number(day.month)}月"


def col(n: int) -> str:
    """1-based column number → Excel letters."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def pad(row: list[Cell], width: int) -> tuple[Cell, ...]:
    return tuple(row + [None] * (width - len(row)))


def signature(width: int, year: int) -> tuple[Cell, ...]:
    text = f"单位负责人：          统计负责人：          填表人：          报出日期：{cn_date(date(year + 1, 1, 5))}"
    return pad([text], width)


class Form:
    """One report sheet: 表号, title, filer/unit line, header rows, body, signature."""

    def __init__(self, title: str, width: int, number: str, unit: str, year: int):
        self.width = width
        self.year = year
        self.rows: list[tuple[Cell, ...]] = [
            pad([None] * (width - 1) + [f"表号：{number}"], width),
            pad([title], width),
            pad([f"{FILER}        统计时段：{year}年1月1日至12月31日        {unit}"], width),
        ]
        self.merges = [f"A2:{col(width)}2", f"A3:{col(width)}3"]

    def add(self, row: list[Cell]) -> None:
        self.rows.append(pad(row, self.width))

    def merge(self, ref: str) -> None:
        self.merges.append(ref)

    def sheet(self, name: str, sign: bool = True, text_columns: tuple[int, ...] = ()) -> ExportSheet:
        rows = list(self.rows)
        merges = list(self.merges)
        if sign:
            rows.append(pad([], self.width))
            rows.append(signature(self.width, self.year))
            merges.append(f"A{len(rows)}:{col(self.width)}{len(rows)}")
        return ExportSheet(name, tuple(rows), merges=tuple(merges), text_columns=text_columns, header_row=4)


def pct(num: int, den: int) -> Cell:
    return f"{num / den * 100:.1f}%" if den else "—"


# -- roster -------------------------------------------------------------------------------------
def roster_book(town: SampleTown, year: int) -> ExportFile:
    end = date(year, 12, 31)
    start = date(year, 1, 1)
    names = town.branch_names
    head = ["团支部", "年初团员数", "本年增加", None, "本年减少", None, None, "年末团员数", "其中：团干部"]
    sub = [None, None, "新发展", "转入", "满28周岁离团", "自行脱团", "转出", None, None]
    form = Form(f"示例镇{year}年度共青团员队伍情况统计表", len(head), "团统1表", "单位：人", year)
    form.add(head)
    form.add(sub)
    form.merges += ["A4:A5", "B4:B5", "C4:D4", "E4:G4", "H4:H5", "I4:I5"]
    rows = []
    for b in names:
        at_start = sum(
            1 for p in town.people if p.active_on(start - timedelta(days=1)) and p.branch_on(start) == b
        )
        joined = sum(1 for p in town.people if p.join_date.year == year and p.branch_history[0][1] == b)
        moved_in = sum(1 for t in town.transfers if t.date.year == year and t.to_branch == b)
        moved_out = sum(1 for t in town.transfers if t.date.year == year and t.from_branch == b)
        aged = sum(
            1
            for p in town.people
            if p.leave_date
            and p.leave_date.year == year
            and p.leave_status == "满28周岁离团"
            and p.branch_on(p.leave_date) == b
        )
        lapsed = sum(
            1
            for p in town.people
            if p.leave_date
            and p.leave_date.year == year
            and p.leave_status == "自行脱团"
            and p.branch_on(p.leave_date) == b
        )
        active = [p for p in town.members_active_on(end) if p.branch_on(end) == b]
        rows.append(
            [
                b,
                at_start,
                joined,
                moved_in,
                aged,
                lapsed,
                moved_out,
                len(active),
                sum(p.is_cadre for p in active),
            ]
        )
    total = ["合计"] + [sum(r[i] for r in rows) for i in range(1, len(head))]
    form.add(total)
    for r in rows:
        form.add(r)
    summary = form.sheet("表1 团员队伍情况")

    header = [
        "序号",
        "姓名",
        "性别",
        "民族",
        "出生年月",
        "公民身份号码",
        "政治面貌",
        "学历",
        "职业",
        "所在团支部",
        "入团时间",
        "团员编号",
        "团籍状态",
        "离团时间",
        "团内职务",
        "学号",
    ]
    detail = Form(f"附表1 示例镇{year}年团员名册", len(header), "团统1表附表", "", year)
    detail.add(header)
    order = {name: i for i, name in enumerate(names)}
    people = sorted(
        town.roster(year), key=lambda p: (order[p.branch_on(min(end, p.leave_date or end))], p.pid)
    )
    for i, p in enumerate(people, start=1):
        left = p.leave_date is not None and p.leave_date <= end
        detail.add(
            [
                i,
                p.name,
                p.gender,
                p.ethnicity,
                f"{p.birth_date.year}年{p.birth_date.month}月",
                p.id_number,
                p.political_status,
                p.education,
                p.occupation,
                p.branch_on(min(end, p.leave_date) if p.leave_date else end),
                cn_month(p.join_date),
                p.member_no,
                p.status_at(end),
                f"{p.leave_date.year}年{p.leave_date.month}月{p.leave_date.day}日"
                if left and p.leave_date and p.leave_date_written
                else None,
                p.position or "—",
                p.student_no,
            ]
        )
    return ExportFile(
        f"{year}年度共青团统计报表/团员队伍情况统计表.xlsx",
        "xlsx",
        (summary, detail.sheet("附表1 团员名册", text_columns=(6, 12, 16))),
    )


# -- 青年大学习 ----------------------------------------------------------------------------------
def period_heading(p: StudyPeriod) -> tuple[str, str]:
    """(upper, lower) header cells of a period column."""
    if p.title:
        label = "五四特辑" if "五四" in p.title else f"特辑（{p.opens.month}.{p.opens.day}）"
        return "特辑", label
    return f"第{cn_number(p.season or 0)}季", f"第{p.number}期"


def study_book(town: SampleTown, year: int, rng: random.Random) -> ExportFile:
    periods = sorted(town.periods_in(year), key=lambda p: (p.opens, p.label))
    names = town.branch_names
    numbers = {p.pid: p.student_no for p in town.people} | {y.pid: y.student_no for y in town.youths}
    learner_name = {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}
    records = [r for r in town.study_in(year)]
    counts: Counter = Counter((r.branch, r.period) for r in records)
    width = 2 + len(periods)
    form = Form(f"示例镇{year}年“青年大学习”参学人次统计表（按期次）", width, "团统3表", "单位：人次", year)
    upper: list[Cell] = ["团支部", "合计"]
    lower: list[Cell] = [None, None]
    for p in periods:
        up, low = period_heading(p)
        upper.append(up)
        lower.append(low)
    # the group cell (第十二季 / 特辑) is merged over its run of periods: its value sits in the first cell only
    first_row = list(upper)
    run = 3
    for c in range(4, width + 2):
        if c <= width and upper[c - 1] == upper[run - 1]:
            first_row[c - 1] = None
            continue
        if c - 1 > run:
            form.merge(f"{col(run)}4:{col(c - 1)}4")
        run = c
    form.add(first_row)
    form.add(lower)
    form.merges += ["A4:A5", "B4:B5"]
    body = []
    for b in names:
        values = [counts[(b, p.label)] for p in periods]
        body.append([b, sum(values), *values])
    form.add(["总计", sum(r[1] for r in body), *[sum(r[i] for r in body) for i in range(2, width)]])
    for r in body:
        form.add(r)
    by_period = form.sheet("按期次汇总")

    # monthly member participation rates (members only), as the desk reports them
    months = list(range(1, 13))
    rate_form = Form(
        f"示例镇{year}年“青年大学习”团员参学率（按月）", 2 + len(months), "团统3表附1", "单位：%", year
    )
    rate_form.add(["团支部", "全年", *[f"{m}月" for m in months]])
    learned = {(r.person, r.period) for r in records}
    for b in [None, *names]:
        row: list[Cell] = ["全镇" if b is None else b]
        cells = []
        total_num = total_den = 0
        for m in months:
            num = den = 0
            for p in periods:
                if p.opens.month != m:
                    continue
                day = p.opens.date() + timedelta(days=3)
                group = [q for q in town.members_active_on(day) if b is None or q.branch_on(day) == b]
                den += len(group)
                num += sum((q.pid, p.label) in learned for q in group)
            cells.append(pct(num, den))
            total_num += num
            total_den += den
        row += [pct(total_num, total_den), *cells]
        rate_form.add(row)
    by_month = rate_form.sheet("参学率（按月）")

    sheets = [by_period, by_month]
    by_month_records: dict[int, list] = defaultdict(list)
    labels = {p.label: p for p in periods}
    for r in records:
        by_month_records[labels[r.period].opens.month].append(r)
    header = ["序号", "期次", "团支部", "姓名", "学号", "学习时间", "备注"]
    for m in months:
        items = sorted(
            by_month_records.get(m, []), key=lambda r: (labels[r.period].opens, r.recorded_at, r.person)
        )
        detail = Form(f"{year}年{m}月“青年大学习”参学人员明细", len(header), "团统3表附2", "", year)
        detail.add(header)
        for i, r in enumerate(items, start=1):
            p = labels[r.period]
            at = r.recorded_at
            when = rng.choice(
                (f"{at.month}月{at.day}日 {at:%H:%M}", f"{at.month}月{at.day}日{at.hour}时{at.minute}分")
            )
            up, low = period_heading(p)
            detail.add(
                [
                    i,
                    f"{up}{low}" if not p.title else low,
                    r.branch,
                    learner_name[r.person],
                    numbers.get(r.person),
                    when,
                    None if r.is_member else "非团员青年",
                ]
            )
        sheets.append(detail.sheet(f"{m}月明细", sign=False, text_columns=(5,)))
    return ExportFile(f"{year}年度共青团统计报表/青年大学习参学情况统计.xlsx", "xlsx", tuple(sheets))


# -- cadre check-ins ----------------------------------------------------------------------------
def checkin_book(town: SampleTown, year: int) -> ExportFile:
    items = [c for c in town.checkins if c.month.year == year]
    months = sorted({c.month for c in items})
    order = {name: i for i, name in enumerate(town.branch_names)}
    keys = sorted(
        {(c.branch, c.person or f"~{c.name}", c.name) for c in items}, key=lambda k: (order[k[0]], k[1])
    )
    positions = {p.pid: p.position for p in town.people}
    cell = {(c.person or f"~{c.name}", c.month): c for c in items}
    header = ["序号", "团支部", "姓名", "职务", *[f"{m.month}月" for m in months], "全年打卡次数"]
    form = Form(
        f"示例镇{year}年团干部每月学习打卡情况统计表",
        len(header),
        "团统4表",
        "（—未打卡  /非当月在任团干部）",
        year,
    )
    form.add(header)
    due = Counter()
    done = Counter()
    for i, (branch, key, name) in enumerate(keys, start=1):
        row: list[Cell] = [i, branch, name, positions.get(key) or "（名册外）"]
        n = 0
        for m in months:
            c = cell.get((key, m))
            if c is None:
                row.append("/")
                continue
            due[m] += 1
            if c.checked_in and c.checkin_date:
                row.append(f"{c.checkin_date.month}月{c.checkin_date.day}日")
                done[m] += 1
                n += 1
            else:
                row.append("—")
        row.append(n)
        form.add(row)
    form.add([None, "应打卡人数", None, None, *[due[m] for m in months], sum(due.values())])
    form.add([None, "实打卡人数", None, None, *[done[m] for m in months], sum(done.values())])
    form.add(
        [
            None,
            "打卡率",
            None,
            None,
            *[pct(done[m], due[m]) for m in months],
            pct(sum(done.values()), sum(due.values())),
        ]
    )
    return ExportFile(
        f"{year}年度共青团统计报表/团干部学习打卡统计表.xlsx", "xlsx", (form.sheet("打卡情况"),)
    )


# -- activities ---------------------------------------------------------------------------------
def activity_book(town: SampleTown, year: int) -> ExportFile:
    acts = sorted(town.activities_in(year), key=lambda a: (a.date, a.name))
    names = [*town.branch_names, COMMITTEE]
    months = list(range(1, 13))
    width = 2 + 2 * len(months)
    form = Form(f"示例镇{year}年共青团活动开展情况统计表（分月）", width, "团统5表", "单位：场、人次", year)
    top: list[Cell] = ["组织单位", "全年场次"]
    sub: list[Cell] = [None, None]
    for m in months:
        top += [f"{m}月", None]
        sub += ["场次", "人次"]
    form.add(top)
    form.add(sub)
    form.merges += ["A4:A5", "B4:B5"] + [f"{col(3 + 2 * i)}4:{col(4 + 2 * i)}4" for i in range(len(months))]
    body = []
    for b in names:
        row: list[Cell] = [b if b != COMMITTEE else "镇团委（直接组织）"]
        mine = [a for a in acts if a.organiser == b]
        row.append(len(mine))
        for m in months:
            these = [a for a in mine if a.date.month == m]
            row += [len(these), sum(a.participants for a in these)]
        body.append(row)
    form.add(["合计", *[sum(r[i] for r in body) for i in range(1, width)]])
    for r in body:
        form.add(r)
    by_month = form.sheet("分月统计")

    header = [
        "序号",
        "活动时间",
        "活动名称",
        "所属板块",
        "组织单位",
        "参与人数（人）",
        "志愿者人数（人）",
        "服务总时长（小时）",
        "受益人数（人）",
        "活动地点",
        "备注",
    ]
    detail = Form(f"{year}年示例镇共青团活动开展明细表", len(header), "团统5表附表", "单位：人、小时", year)
    detail.add(header)
    rows = []
    for i, a in enumerate(acts, start=1):
        hours = a.volunteer_hours if a.volunteers else None
        rows.append(
            [
                i,
                f"{a.date.month}月{a.date.day}日",
                a.name,
                a.activity_type,
                a.organiser,
                a.participants,
                a.volunteers,
                (int(hours) if hours is not None and float(hours).is_integer() else hours),
                a.beneficiaries,
                a.location,
                a.note,
            ]
        )
    detail.add(
        [
            "合计",
            None,
            f"{len(rows)}场",
            None,
            None,
            sum(r[5] for r in rows),
            sum(r[6] or 0 for r in rows),
            sum(r[7] or 0 for r in rows),
            sum(r[8] or 0 for r in rows),
            None,
            None,
        ]
    )
    for r in rows:
        detail.add(r)
    return ExportFile(
        f"{year}年度共青团统计报表/活动开展情况统计表.xlsx", "xlsx", (by_month, detail.sheet("附表 活动明细"))
    )


def participants_book(town: SampleTown, year: int) -> ExportFile:
    groups: dict[tuple[date, str], list] = defaultdict(list)
    for p in town.activity_participants:
        if p.year == year:
            groups[(p.date, p.activity)].append(p)
    location = {(a.date, a.name): a.location for a in town.activities_in(year)}
    form = Form(f"{year}年重点活动参加人员名单", 4, "团统5表附表2", "", year)
    form.add(["序号", "姓名", "所在团支部", "备注"])
    for k, ((day, name), people) in enumerate(sorted(groups.items())):
        heading = f"{CN_ORDINALS[k]}、{name}（{day.month}月{day.day}日，{location.get((day, name), '')}，共{len(people)}人）"
        form.add([heading])
        form.merge(f"A{len(form.rows)}:D{len(form.rows)}")
        for i, p in enumerate(people, start=1):
            form.add([i, p.name, p.branch, None if p.person else "非团员青年"])
    return ExportFile(f"{year}年度共青团统计报表/重点活动参加人员名单.xlsx", "xlsx", (form.sheet("名单"),))


# -- recruitment, aid, ratings, reviews, transfers ----------------------------------------------
def recruitment_book(town: SampleTown, year: int) -> ExportFile:
    end = date(year, 12, 31)
    recruits = town.recruits_in(year)
    names = town.branch_names
    head = ["团支部", "递交入团申请书", "确定入团积极分子", "确定发展对象", "发展团员"]
    form = Form(f"示例镇{year}年发展团员情况统计表", len(head), "团统2表", "单位：人", year)
    form.add(head)
    body = []
    for b in names:
        mine = [r for r in recruits if r.branch == b]
        body.append(
            [
                b,
                sum(bool(r.applied and r.applied.year == year) for r in mine),
                sum(bool(r.activist and r.activist.year == year) for r in mine),
                sum(bool(r.target and r.target.year == year) for r in mine),
                sum(bool(r.joined and r.joined.year == year) for r in mine),
            ]
        )
    form.add(["合计", *[sum(r[i] for r in body) for i in range(1, len(head))]])
    for r in body:
        if any(r[1:]):
            form.add(r)
    form.add([f"注：本年度县团委下达发展团员计划{town.quotas.get(year, '')}名。"])

    header = [
        "序号",
        "姓名",
        "性别",
        "公民身份号码",
        "出生日期",
        "所在团支部",
        "递交入团申请书时间",
        "确定为入团积极分子时间",
        "确定为发展对象时间",
        "批准入团时间",
        "发展团员编号",
        "截至年底所处阶段",
    ]
    detail = Form(f"附表 {year}年发展团员工作台账", len(header), "团统2表附表", "", year)
    detail.add(header)

    def when(day: date | None) -> Cell:
        return cn_date(day) if day is not None and day <= end else "—"

    for i, r in enumerate(recruits, start=1):
        joined = r.joined is not None and r.joined <= end
        detail.add(
            [
                i,
                r.name,
                r.gender,
                r.id_number,
                cn_date(r.birth_date),
                r.branch,
                when(r.applied),
                when(r.activist),
                when(r.target),
                when(r.joined),
                r.league_no if joined else "—",
                r.stage_at(end),
            ]
        )
    return ExportFile(
        f"{year}年度共青团统计报表/发展团员情况统计表.xlsx",
        "xlsx",
        (form.sheet("发展团员统计"), detail.sheet("附表 发展团员台账", text_columns=(4, 11))),
    )


def aid_book(town: SampleTown, year: int) -> ExportFile:
    items = sorted((a for a in town.aid if a.year == year), key=lambda a: (a.date, a.programme, a.name))
    programmes = sorted({a.programme for a in items})
    form = Form(f"示例镇{year}年爱心助学资金发放情况统计表", 4, "团统6表", "金额单位：万元", year)
    form.add(["资助项目", "发放人次", "受助人数", "发放金额"])
    body = []
    for prog in programmes:
        mine = [a for a in items if a.programme == prog]
        body.append(
            [prog, len(mine), len({a.id_number for a in mine}), round(sum(a.amount for a in mine) / 10000, 4)]
        )
    form.add(
        [
            "合计",
            len(items),
            len({a.id_number for a in items}),
            round(sum(a.amount for a in items) / 10000, 4),
        ]
    )
    for r in body:
        form.add(r)
    header = [
        "序号",
        "资助项目",
        "受助学生",
        "公民身份号码",
        "所在村（社区）",
        "就读学校",
        "发放金额（元）",
        "发放时间",
    ]
    detail = Form(f"附表 {year}年爱心助学资金发放明细", len(header), "团统6表附表", "金额单位：元", year)
    detail.add(header)
    detail.add(["合计", None, None, None, None, None, f"{sum(a.amount for a in items):,.2f}", None])
    for i, a in enumerate(items, start=1):
        detail.add(
            [
                i,
                a.programme,
                a.name,
                a.id_number,
                a.village,
                a.school,
                f"{a.amount:,.2f}",
                f"{a.date.year}年{a.date.month}月{a.date.day}日",
            ]
        )
    return ExportFile(
        f"{year}年度共青团统计报表/爱心助学资金发放统计表.xlsx",
        "xlsx",
        (form.sheet("发放统计"), detail.sheet("附表 发放明细", text_columns=(4,))),
    )


def rating_book(town: SampleTown, year: int) -> ExportFile:
    ratings = [r for r in town.ratings if r.year == year]
    header = ["序号", "团支部", "得分", *LEVELS, "不予定级"]
    form = Form(f"示例镇{year}年度基层团组织对标定级结果统计表", len(header), "团统7表", "单位：分、个", year)
    form.add(header)
    totals = Counter()
    for i, r in enumerate(ratings, start=1):
        level = {"5星": "五星", "4星": "四星", "3星": "三星"}.get(r.rating_raw, r.rating_raw)
        marks = ["√" if level == lv else None for lv in (*LEVELS, "不予定级")]
        totals.update([level])
        form.add([i, r.branch, r.score, *marks])
    form.add([None, "合计（个）", None, *[totals[lv] for lv in (*LEVELS, "不予定级")]])
    return ExportFile(f"{year}年度共青团统计报表/对标定级结果统计表.xlsx", "xlsx", (form.sheet("定级结果"),))


def review_book(town: SampleTown, year: int) -> ExportFile:
    reviews = [r for r in town.reviews if r.year == year]
    grades = ("优秀", "合格", "基本合格", "不合格")
    header = ["团支部", "参评人数", *grades, "优秀率"]
    form = Form(f"示例镇{year}年度团员教育评议结果统计表", len(header), "团统8表", "单位：人、%", year)
    form.add(header)
    body = []
    for b in town.branch_names:
        mine = Counter(r.result for r in reviews if r.branch == b)
        n = sum(mine.values())
        if n:
            body.append([b, n, *[mine[g] for g in grades], pct(mine["优秀"], n)])
    total = Counter(r.result for r in reviews)
    form.add(["合计", len(reviews), *[total[g] for g in grades], pct(total["优秀"], len(reviews))])
    for r in body:
        form.add(r)
    detail = Form(f"附表 {year}年度团员教育评议结果名单", 4, "团统8表附表", "", year)
    detail.add(["序号", "团支部", "姓名", "评议等次"])
    for i, r in enumerate(reviews, start=1):
        detail.add([i, r.branch, r.name, r.result])
    return ExportFile(
        f"{year}年度共青团统计报表/团员教育评议结果统计表.xlsx",
        "xlsx",
        (form.sheet("评议统计"), detail.sheet("附表 评议名单")),
    )


def transfer_book(town: SampleTown, year: int) -> ExportFile | None:
    items = [t for t in town.transfers if t.date.year == year]
    if not items:
        return None
    header = ["序号", "姓名", "公民身份号码", "转出团组织", "转入团组织", "转接办结时间"]
    form = Form(f"示例镇{year}年团员组织关系转接情况登记表", len(header), "团统1表附表2", "", year)
    form.add(header)
    for i, t in enumerate(items, start=1):
        form.add([i, t.name, t.id_number, t.from_branch, t.to_branch, cn_date(t.date)])
    return ExportFile(
        f"{year}年度共青团统计报表/组织关系转接登记表.xlsx",
        "xlsx",
        (form.sheet("转接登记", text_columns=(3,)),),
    )


@register("statistics_office")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(4_400_000 + year)
    files = [
        roster_book(town, year),
        study_book(town, year, rng),
        checkin_book(town, year),
        activity_book(town, year),
        participants_book(town, year),
        recruitment_book(town, year),
        aid_book(town, year),
        rating_book(town, year),
        review_book(town, year),
    ]
    moved = transfer_book(town, year)
    if moved:
        files.append(moved)
    for f in files:
        write_xlsx(f, folder / f.path)
    study = tuple(dataclasses.replace(r, identifiable=True) if r.year == year else r for r in town.study)
    return dataclasses.replace(town, study=study)
