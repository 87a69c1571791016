"""Blind dialect ``online_docs``: a year kept in 腾讯文档 / 金山文档 and downloaded as xlsx.

Where each shape comes from (public descriptions and public code that reads these downloads; no personal
data copied):

* **腾讯文档收集表 results.** Public scripts that read the downloaded result sheet map headers such as
  ``提交时间（自动）``, ``提交者（自动）`` (the submitter's WeChat/QQ nickname) and every question with its
  ``（必填）`` suffix (``姓名（必填）``, ``您的人员类型（必填）``); the 企业微信 收集表 API documents the same split
  between submitted and not-submitted members. Here: the 青年大学习 form (one download per half-year; branch
  and period are single-choice options, so each branch has one spelling and the second special lesson is
  again just ``特辑``; an optional 学号 question; a screenshot question holding the uploaded file name), the
  activity sign-in form and the aid form the same way. Resubmissions stay in the download.
* **Collaborative 在线表格 downloaded as .xlsx.** A shared sheet that many people edit carries an instruction
  row above the header (``填写说明：…请勿修改表头``), a frozen header, drop-down lists (data validation pointing
  at a hidden ``下拉选项`` sheet), pre-numbered empty rows waiting to be filled, and 填写人 / 最后修改时间 columns
  the owner adds to see who edited a row. Status cells are marks and words: ✔ / ✅ / √ / 已完成 against
  ✘ / ❌ / 未完成 / 请假. Here: the roster (one sheet per branch, the branch only in the sheet name), the
  activity ledger (one sheet per month, a ``汇总`` sheet of formulas whose values the download does not
  carry), the cadres' monthly study check-in (one sheet per month, every cadre listed, ✔ or ✘ / 请假),
  the school's 青年大学习 sheet (one tab per class ``2019级(3)班``; class monitors list *every* student per
  period, ✔ with the time for those who studied, ✘ / 请假 for those who did not — those rows are not
  records), the recruitment progress sheet (progress as 🟢/🟡/🟠/⚪ words), ratings as ★ glyphs, reviews
  chosen from a drop-down, transfers with ``✅已办结``.

Truth as written: a school student written without 学号 whose name another member of the school shares is
not credited to either (``identifiable=False``); the ✘ / 请假 rows are not study records.
"""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tuanwei_sample.blind import register
from tuanwei_sample.build import cn_number
from tuanwei_sample.model import Cell, SampleTown, StudyPeriod
from tuanwei_sample.writer import _save

COMMITTEE = "镇团委"
SCHOOL = "示例镇中学团支部"
DONE_MARKS = ("✔", "✅", "√", "已完成")
NOT_DONE_MARKS = ("✘", "❌", "未完成", "请假")
EDITOR_WORDS = ("小李", "小王", "团支书", "书记", "组织委员", "宣传委员", "学习委员", "lily", "阿杰")


@dataclasses.dataclass
class Sheet:
    title: str
    rows: list[list[Cell]]
    merges: list[str] = dataclasses.field(default_factory=list)
    freeze: str | None = None
    lists: list[tuple[str, str]] = dataclasses.field(default_factory=list)  # (cell range, 下拉选项 range)
    hidden: bool = False
    text_columns: tuple[int, ...] = ()


def save_book(path: Path, sheets: list[Sheet]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.title)
        for row in spec.rows:
            ws.append(row)
        for merge in spec.merges:
            ws.merge_cells(merge)
        if spec.freeze:
            ws.freeze_panes = spec.freeze
        for target, source in spec.lists:
            dv = DataValidation(type="list", formula1=source, allow_blank=True)
            dv.add(target)
            ws.add_data_validation(dv)
        for column in spec.text_columns:
            for (cell,) in ws.iter_rows(min_col=column, max_col=column):
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        widths: dict[int, int] = {}
        for row in spec.rows[:100]:
            for c, value in enumerate(row, start=1):
                if value is not None:
                    widths[c] = max(widths.get(c, 0), min(len(str(value)) * 2, 40))
        for c, w in widths.items():
            ws.column_dimensions[get_column_letter(c)].width = max(w, 8)
        if spec.hidden:
            ws.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(wb, path)


def stem(branch: str) -> str:
    return branch.removesuffix("团支部")


class Desk:
    """Seeded choices of the people who edit the shared documents."""

    def __init__(self, town: SampleTown, year: int):
        self.rng = random.Random(5_550_000 + year)
        self.town = town
        self.year = year
        self.branches = {b.name: b for b in town.branches}
        self.names = {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}
        self._nick: dict[str, str] = {}

    def option(self, branch: str) -> str:
        """The one spelling a form's single-choice question offers for a branch."""
        if branch == COMMITTEE:
            return "示例镇团委"
        b = self.branches[branch]
        return (b.variants or b.aliases or (b.name,))[0].strip()

    def editor(self, branch: str) -> str:
        if branch == COMMITTEE:
            return "示例镇团委"
        return f"{stem(branch).removeprefix('示例镇')}-{self.rng.choice(EDITOR_WORDS)}"

    def nickname(self, key: str) -> str:
        if key not in self._nick:
            rng = self.rng
            name = self.names.get(key, "")
            words = (
                "晴天",
                "向阳",
                "木子",
                "橘子汽水",
                "知足",
                "小鹿",
                "Sunny",
                "云朵",
                "初见",
                "阿飞",
                "七七",
            )
            if name and rng.random() < 0.25:
                self._nick[key] = f"{name[-1]}{rng.choice(('', '～', '同学'))}"
            else:
                self._nick[key] = f"{rng.choice(words)}{rng.choice(('', '', str(rng.randint(1, 999))))}"
        return self._nick[key]

    def later(self, at: datetime, lo: int = 1, hi: int = 600) -> datetime:
        return at + timedelta(minutes=self.rng.randint(lo, hi))


def period_option(p: StudyPeriod) -> str:
    if p.title:
        return "五四特辑" if "五四" in p.title else "特辑"
    return f"第{cn_number(p.season or 0)}季第{p.number}期"


def instruction(text: str, width: int) -> tuple[list[Cell], str]:
    return [text] + [None] * (width - 1), f"A1:{get_column_letter(width)}1"


# -- roster -------------------------------------------------------------------------------------
def roster(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    end = date(year, 12, 31)
    header = [
        "序号",
        "姓名",
        "性别",
        "民族",
        "身份证号",
        "手机号码",
        "政治面貌",
        "学历",
        "职业",
        "入团年月",
        "团员编号",
        "团籍状态",
        "离团日期",
        "是否团干部",
        "团内职务",
        "学号",
        "填写人",
        "最后修改时间",
    ]
    rng = desk.rng
    by_branch: dict[str, list] = defaultdict(list)
    for p in town.roster(year):
        by_branch[p.branch_on(min(end, p.leave_date) if p.leave_date else end)].append(p)
    sheets = []
    for bname in town.branch_names:
        people = sorted(by_branch.get(bname, []), key=lambda p: p.pid)
        note, merge = instruction(
            "填写说明：1.每人一行，身份证号、手机号请按文本填写；2.团籍状态、是否团干部请从下拉选项中选择；3.请勿修改表头和合并单元格。",
            len(header),
        )
        rows: list[list[Cell]] = [note, header]
        editor = desk.editor(bname)
        base = datetime(year, 12, rng.randint(1, 15), 9)
        for i, p in enumerate(people, start=1):
            left = p.leave_date is not None and p.leave_date <= end
            join = p.join_date
            rows.append(
                [
                    i,
                    p.name,
                    p.gender,
                    p.ethnicity,
                    p.id_number,
                    p.phone,
                    p.political_status,
                    p.education,
                    p.occupation,
                    rng.choice((f"{join.year}.{join.month:02d}", f"{join.year}年{join.month}月")),
                    p.member_no,
                    p.status_at(end),
                    p.leave_date if left and p.leave_date and p.leave_date_written else None,
                    "是" if p.is_cadre else "否",
                    p.position or "",
                    p.student_no,
                    editor,
                    (base + timedelta(minutes=7 * i + rng.randint(0, 5))).strftime("%Y-%m-%d %H:%M"),
                ]
            )
        for k in range(len(people) + 1, len(people) + 1 + rng.randint(5, 12)):
            rows.append([k] + [None] * (len(header) - 1))
        n = len(rows)
        sheets.append(
            Sheet(
                stem(bname)[:31],
                rows,
                [merge],
                freeze="C3",
                lists=[
                    (f"C3:C{n}", "=下拉选项!$A$2:$A$3"),
                    (f"L3:L{n}", "=下拉选项!$B$2:$B$4"),
                    (f"N3:N{n}", "=下拉选项!$C$2:$C$3"),
                ],
                text_columns=(5, 6, 11, 16),
            )
        )
    options = [
        ["性别", "团籍状态", "是否团干部", "评议等次", "完成情况"],
        ["男", "正常", "是", "优秀", "✔"],
        ["女", "满28周岁离团", "否", "合格", "✘"],
        [None, "自行脱团", None, "基本合格", "请假"],
        [None, None, None, "不合格", None],
    ]
    sheets.append(Sheet("下拉选项", options, hidden=True))
    return sheets


# -- 青年大学习 ----------------------------------------------------------------------------------
def study_forms(town: SampleTown, desk: Desk, year: int) -> tuple[dict[str, list[Sheet]], set]:
    """Two half-year downloads of the 收集表 (every branch but the school)."""
    rng = desk.rng
    periods = {p.label: p for p in town.periods_in(year)}
    numbers = {p.pid: p.student_no for p in town.people} | {y.pid: y.student_no for y in town.youths}
    header = [
        "提交时间（自动）",
        "姓名（必填）",
        "所在团支部（必填）",
        "本次学习期数（必填）",
        "学号（学生填写）",
        "学习完成截图（必填）",
        "提交者（自动）",
    ]
    halves: dict[int, list[list[Cell]]] = {1: [header], 2: [header]}
    records = [(r, False) for r in town.study_in(year)] + [
        (r, True) for r in town.study_duplicates if r.year == year
    ]
    records.sort(key=lambda x: (x[0].recorded_at, x[0].person))
    bare = set()
    for r, dup in records:
        if r.branch == SCHOOL:
            continue
        p = periods[r.period]
        at = r.recorded_at + timedelta(seconds=rng.randint(20, 240))
        number = numbers.get(r.person)
        written_no = number if number and rng.random() < 0.85 else None
        if not written_no and not dup:
            bare.add((r.person, r.period, r.recorded_at))
        half = 1 if p.opens.month <= 6 else 2
        halves[half].append(
            [
                at.strftime("%Y-%m-%d %H:%M:%S"),
                desk.names[r.person] if rng.random() > 0.02 else f"{desk.names[r.person]} ",
                desk.option(r.branch),
                period_option(p),
                written_no,
                f"微信图片_{r.recorded_at:%Y%m%d%H%M%S}.jpg",
                desk.nickname(r.person),
            ]
        )
    out = {
        f"腾讯文档/青年大学习完成情况收集表（{year}年上半年）.xlsx": [
            Sheet("Sheet1", halves[1], text_columns=(5,))
        ],
        f"腾讯文档/青年大学习完成情况收集表（{year}年下半年）.xlsx": [
            Sheet("Sheet1", halves[2], text_columns=(5,))
        ],
    }
    return out, bare


def study_school(town: SampleTown, desk: Desk, year: int) -> tuple[list[Sheet], set]:
    """The school's shared sheet: one tab per class, every student listed per period, ✔ or ✘ / 请假."""
    rng = desk.rng
    periods = sorted(town.periods_in(year), key=lambda p: (p.opens, p.label))
    members = [p for p in town.people if p.student_no and any(b == SCHOOL for _, b in p.branch_history)]
    youths = [y for y in town.youths if y.student_no]
    learners: dict[str, str] = {p.pid: p.student_no or "" for p in members} | {
        y.pid: y.student_no or "" for y in youths
    }
    klass = {pid: f"{no[:4]}级({int(no[4:6])})班" for pid, no in learners.items()}
    done: dict[tuple[str, str], list] = defaultdict(list)
    for r in town.study_in(year):
        if r.branch == SCHOOL:
            done[(r.person, r.period)].append((r, False))
    for r in town.study_duplicates:
        if r.year == year and r.branch == SCHOOL:
            done[(r.person, r.period)].append((r, True))
    staff = [
        r for r in town.study_in(year) if r.branch == SCHOOL and r.person not in learners
    ]  # the teacher secretary: her own tab
    by_class: dict[str, list[list[Cell]]] = defaultdict(list)
    bare = set()
    people = {p.pid: p for p in town.people}
    for p in periods:
        day = p.opens.date() + timedelta(days=3)
        for pid in sorted(learners, key=lambda x: learners[x]):
            entries = done.get((pid, p.label), [])
            person = people.get(pid)
            if not entries:
                if person is None or not person.active_on(day) or person.branch_on(day) != SCHOOL:
                    continue
                if rng.random() < 0.75:
                    by_class[klass[pid]].append(
                        [
                            period_option(p),
                            person.name,
                            learners[pid],
                            None,
                            rng.choice(NOT_DONE_MARKS),
                            p.closes,
                        ]
                    )
                continue
            for r, _dup in entries:
                number = learners[pid] if rng.random() < 0.9 else None  # the tab still names the class
                at = r.recorded_at
                when: Cell = at if rng.random() < 0.6 else f"{at.month}/{at.day} {at:%H:%M}"
                by_class[klass[pid]].append(
                    [period_option(p), desk.names[pid], number, when, rng.choice(DONE_MARKS), at]
                )
    sheets = []
    header = ["期数", "姓名", "学号", "完成时间", "完成情况", "填写人", "最后修改时间"]
    for name in sorted(by_class):
        editor = f"{name}-{rng.choice(('学习委员', '团支书', '班长'))}"
        note, merge = instruction(
            "各班学习委员填写：每期每名学生一行，完成情况从下拉选项选择（✔/✘/请假），请勿删除他人填写内容", 7
        )
        rows: list[list[Cell]] = [note, header]
        for period, pname, number, when, mark, edited in by_class[name]:
            rows.append(
                [
                    period,
                    pname,
                    number,
                    when,
                    mark,
                    editor,
                    desk.later(edited, 5, 900).strftime("%Y/%m/%d %H:%M"),
                ]
            )
        n = len(rows)
        sheets.append(
            Sheet(
                name,
                rows,
                [merge],
                freeze="A3",
                lists=[(f"E3:E{n}", "=下拉选项!$E$2:$E$4")],
                text_columns=(3,),
            )
        )
    if staff:
        rows = [["期数", "姓名", "学号", "完成时间", "完成情况", "填写人", "最后修改时间"]]
        for r in sorted(staff, key=lambda r: r.recorded_at):
            rows.append(
                [
                    period_option({p.label: p for p in periods}[r.period]),
                    desk.names[r.person],
                    None,
                    r.recorded_at,
                    "✔",
                    "团委-书记",
                    desk.later(r.recorded_at).strftime("%Y/%m/%d %H:%M"),
                ]
            )
        sheets.append(Sheet("教师团员", rows, freeze="A2"))
    sheets.append(
        Sheet(
            "下拉选项",
            [
                ["完成情况"] * 5,
                [None, None, None, None, "✔"],
                [None, None, None, None, "✘"],
                [None, None, None, None, "请假"],
            ],
            hidden=True,
        )
    )
    return sheets, bare


# -- activities ---------------------------------------------------------------------------------
def ledger(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rng = desk.rng
    header = [
        "序号",
        "填报支部",
        "活动日期",
        "活动名称",
        "活动类型",
        "参与人数",
        "志愿者人数",
        "人均服务时长（小时）",
        "受益人数",
        "活动地点",
        "备注",
        "填写人",
        "最后修改时间",
    ]
    by_month: dict[int, list] = defaultdict(list)
    for a in sorted(town.activities_in(year), key=lambda a: a.date):
        for k, (name, organiser) in enumerate(a.written):
            by_month[a.date.month].append((a, name, organiser, k))
    sheets = []
    for month in range(1, 13):
        note, merge = instruction(
            f"{year}年{month}月活动台账：各支部开展活动后3日内在本表登记，活动类型从下拉选项选择；人数只填数字。",
            len(header),
        )
        rows: list[list[Cell]] = [note, header]
        for i, (a, name, organiser, k) in enumerate(by_month.get(month, []), start=1):
            edited = datetime.combine(a.date, datetime.min.time()) + timedelta(
                days=rng.randint(0, 3) + 3 * k, hours=rng.randint(8, 22), minutes=rng.randint(0, 59)
            )
            day: Cell = a.date if rng.random() < 0.75 else f"{a.date.month}.{a.date.day}"
            rows.append(
                [
                    i,
                    organiser,
                    day,
                    name,
                    a.activity_type,
                    a.participants,
                    a.volunteers,
                    a.hours_per_person,
                    a.beneficiaries,
                    a.location,
                    a.note,
                    desk.editor(a.organiser) if not k else desk.editor(COMMITTEE),
                    edited.strftime("%Y-%m-%d %H:%M"),
                ]
            )
        filled = len(rows) - 2
        for k in range(filled + 1, max(filled + 3, 15)):
            rows.append([k] + [None] * (len(header) - 1))
        n = len(rows)
        sheets.append(
            Sheet(
                f"{month}月",
                rows,
                [merge],
                freeze="D3",
                lists=[(f"E3:E{n}", '"思想引领,志愿服务,成长成才,自身建设"')],
            )
        )
    summary: list[list[Cell]] = [["月份", "活动场次", "参与人次", "志愿服务时长（小时）"]]
    for month in range(1, 13):
        ref = f"'{month}月'"
        summary.append(
            [
                f"{month}月",
                f"=COUNTA({ref}!D3:D60)",
                f"=SUM({ref}!F3:F60)",
                f"=SUMPRODUCT({ref}!G3:G60,{ref}!H3:H60)",
            ]
        )
    summary.append(["合计", "=SUM(B2:B13)", "=SUM(C2:C13)", "=SUM(D2:D13)"])
    return [Sheet("汇总", summary), *sheets]


def sign_in_form(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rng = desk.rng
    header = [
        "提交时间（自动）",
        "姓名（必填）",
        "所在团支部（必填）",
        "参加的活动（必填）",
        "提交者（自动）",
    ]
    rows: list[list[Cell]] = [header]
    items = [p for p in town.activity_participants if p.year == year]
    for i, p in enumerate(items):
        at = datetime.combine(p.date, datetime.min.time()) + timedelta(hours=8, minutes=rng.randint(30, 150))
        rows.append(
            [
                at.strftime("%Y-%m-%d %H:%M:%S"),
                p.name,
                desk.option(p.branch),
                f"{p.date.month}月{p.date.day}日 {p.activity}",
                desk.nickname(p.person or f"guest{i}"),
            ]
        )
    return [Sheet("Sheet1", rows)]


# -- cadre check-ins ----------------------------------------------------------------------------
def checkin_sheets(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rng = desk.rng
    header = [
        "序号",
        "团支部",
        "姓名",
        "职务",
        "本月是否完成",
        "完成日期",
        "学习内容",
        "填写人",
        "最后修改时间",
    ]
    positions = {p.pid: p.position for p in town.people}
    order = {name: i for i, name in enumerate(town.branch_names)}
    by_month: dict[date, list] = defaultdict(list)
    for c in town.checkins:
        if c.month.year == year:
            by_month[c.month].append(c)
    sheets = []
    topics = ("学习《团章》", "学习习近平总书记重要讲话", "学习二十大报告", "观看微团课", "学习团史", "")
    for month in sorted(by_month):
        note, merge = instruction(
            f"{month.month}月团干部学习打卡：完成的打✔并填写日期，未完成打✘，请假写“请假”", len(header)
        )
        rows: list[list[Cell]] = [note, header]
        items = sorted(by_month[month], key=lambda c: (order[c.branch], c.person or "~"))
        for i, c in enumerate(items, start=1):
            if c.checked_in:
                mark: Cell = rng.choice(DONE_MARKS)
                when: Cell = (
                    c.checkin_date
                    if rng.random() < 0.7
                    else f"{c.checkin_date.month}月{c.checkin_date.day}日"
                    if c.checkin_date
                    else None
                )
                edited = datetime.combine(c.checkin_date or month, datetime.min.time()) + timedelta(
                    hours=rng.randint(9, 22)
                )
                topic = rng.choice(topics)
            else:
                mark, when, topic = rng.choice(NOT_DONE_MARKS), None, None
                edited = datetime.combine(month + timedelta(days=27), datetime.min.time()) + timedelta(
                    hours=rng.randint(9, 22)
                )
            rows.append(
                [
                    i,
                    stem(desk.option(c.branch)) if rng.random() < 0.5 else desk.option(c.branch),
                    c.name,
                    positions.get(c.person or "") or "团干部",
                    mark,
                    when,
                    topic,
                    desk.editor(c.branch),
                    edited.strftime("%Y-%m-%d %H:%M"),
                ]
            )
        n = len(rows)
        sheets.append(
            Sheet(f"{month.month}月", rows, [merge], freeze="D3", lists=[(f"E3:E{n}", '"✔,✘,请假"')])
        )
    return sheets


# -- recruitment, aid, ratings, reviews, transfers ----------------------------------------------
def recruitment(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rng = desk.rng
    end = date(year, 12, 31)
    header = [
        "序号",
        "姓名",
        "性别",
        "身份证号",
        "所在支部",
        "递交申请书",
        "列为积极分子",
        "确定发展对象",
        "接收为团员",
        "发展编号",
        "当前进度",
        "填写人",
        "最后修改时间",
    ]
    note, merge = instruction("发展团员工作推进表（各支部实时更新，日期请填写到日）", len(header))
    rows: list[list[Cell]] = [note, header]
    progress = {
        "已入团": "🟢已入团",
        "发展对象": "🟡发展对象",
        "入团积极分子": "🟠积极分子",
        "递交入团申请书": "⚪已递交申请",
    }
    for i, r in enumerate(town.recruits_in(year), start=1):

        def when(day: date | None) -> Cell:
            return day if day is not None and day <= end else None

        joined = r.joined is not None and r.joined <= end
        last = max(d for d in (r.applied, r.activist, r.target, r.joined) if d is not None and d <= end)
        rows.append(
            [
                i,
                r.name,
                r.gender,
                r.id_number,
                desk.option(r.branch),
                when(r.applied),
                when(r.activist),
                when(r.target),
                when(r.joined),
                r.league_no if joined else None,
                progress[r.stage_at(end)],
                desk.editor(r.branch),
                (datetime.combine(last, datetime.min.time()) + timedelta(hours=rng.randint(9, 20))).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            ]
        )
    return [Sheet("推进表", rows, [merge], freeze="C3", text_columns=(4, 10))]


def aid_form(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rng = desk.rng
    header = [
        "提交时间（自动）",
        "学生姓名（必填）",
        "身份证号（必填）",
        "所在村（社区）（必填）",
        "就读学校（必填）",
        "资助项目（必填）",
        "发放金额（元）（必填）",
        "发放日期（必填）",
        "提交者（自动）",
    ]
    rows: list[list[Cell]] = [header]
    for a in sorted((a for a in town.aid if a.year == year), key=lambda a: (a.date, a.programme, a.name)):
        at = datetime.combine(a.date, datetime.min.time()) + timedelta(
            hours=rng.randint(10, 19), minutes=rng.randint(0, 59)
        )
        rows.append(
            [
                at.strftime("%Y-%m-%d %H:%M:%S"),
                a.name,
                a.id_number,
                a.village,
                a.school,
                a.programme,
                int(a.amount),
                a.date.isoformat(),
                desk.nickname(a.id_number),
            ]
        )
    return [Sheet("Sheet1", rows, text_columns=(3,))]


def rating_sheet(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    stars = {"五星": "★★★★★", "四星": "★★★★", "三星": "★★★", "5星": "★★★★★", "4星": "★★★★", "3星": "★★★"}
    note, merge = instruction(f"{year}年度团支部对标定级评分汇总（镇团委填写，支部只读）", 5)
    rows: list[list[Cell]] = [note, ["序号", "团支部", "得分", "定级结果", "最后修改时间"]]
    for i, r in enumerate((r for r in town.ratings if r.year == year), start=1):
        rows.append(
            [i, r.branch, r.score, stars.get(r.rating_raw, r.rating_raw), f"{year + 1}-01-05 16:{10 + i:02d}"]
        )
    return [Sheet("定级", rows, [merge], freeze="A3")]


def review_sheets(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    by_branch: dict[str, list] = defaultdict(list)
    for r in town.reviews:
        if r.year == year:
            by_branch[r.branch].append(r)
    sheets = []
    for bname in town.branch_names:
        items = by_branch.get(bname)
        if not items:
            continue
        note, merge = instruction(f"{bname}{year}年度团员教育评议：评议等次从下拉选项选择", 4)
        rows: list[list[Cell]] = [note, ["序号", "姓名", "评议等次", "填写人"]]
        editor = desk.editor(bname)
        for i, r in enumerate(items, start=1):
            rows.append([i, r.name, r.result, editor])
        n = len(rows)
        sheets.append(
            Sheet(
                stem(bname)[:31],
                rows,
                [merge],
                freeze="A3",
                lists=[(f"C3:C{n}", '"优秀,合格,基本合格,不合格"')],
            )
        )
    return sheets


def transfer_sheet(town: SampleTown, desk: Desk, year: int) -> list[Sheet]:
    rows: list[list[Cell]] = [["姓名", "身份证号", "转出支部", "转入支部", "办结日期", "办理状态", "填写人"]]
    for t in town.transfers:
        if t.date.year == year:
            rows.append(
                [
                    t.name,
                    t.id_number,
                    desk.option(t.from_branch),
                    desk.option(t.to_branch),
                    t.date,
                    "✅已办结",
                    desk.editor(t.to_branch),
                ]
            )
    return [Sheet("转接台账", rows, freeze="A2", text_columns=(2,))]


@register("online_docs")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    desk = Desk(town, year)
    books: dict[str, list[Sheet]] = {
        f"金山文档/{year}年团员信息采集表（各支部协作）.xlsx": roster(town, desk, year)
    }
    forms, bare = study_forms(town, desk, year)
    books.update(forms)
    school, school_bare = study_school(town, desk, year)
    books[f"金山文档/示例镇中学{year}年青年大学习完成情况登记.xlsx"] = school
    books[f"腾讯文档/{year}年活动台账（在线填报）.xlsx"] = ledger(town, desk, year)
    books[f"腾讯文档/活动签到收集表_{year}.xlsx"] = sign_in_form(town, desk, year)
    books[f"腾讯文档/{year}年团干部每月学习打卡.xlsx"] = checkin_sheets(town, desk, year)
    books[f"腾讯文档/{year}年发展团员工作推进表.xlsx"] = recruitment(town, desk, year)
    books[f"腾讯文档/爱心助学金发放登记收集表_{year}.xlsx"] = aid_form(town, desk, year)
    books[f"腾讯文档/{year}年对标定级评分汇总.xlsx"] = rating_sheet(town, desk, year)
    books[f"金山文档/{year}年团员教育评议（各支部）.xlsx"] = review_sheets(town, desk, year)
    if any(t.date.year == year for t in town.transfers):
        books[f"腾讯文档/组织关系转接台账_{year}.xlsx"] = transfer_sheet(town, desk, year)
    for path, sheets in books.items():
        save_book(folder / path, sheets)
    bare |= school_bare
    people = {p.pid: p for p in town.people}
    study = []
    for r in town.study:
        if r.year == year:
            ok = True
            if r.is_member and (r.person, r.period, r.recorded_at) in bare:
                p = people[r.person]
                day = r.recorded_at.date()
                same = [
                    q
                    for q in town.people
                    if q.name == p.name and q.active_on(day) and q.branch_on(day) == r.branch
                ]
                ok = len(same) <= 1
            r = dataclasses.replace(r, identifiable=ok)
        study.append(r)
    return dataclasses.replace(town, study=tuple(study))
