"""Lay the truth out as raw exports, messy the way real exports are (docs/definitions.md, section 6)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from tuanwei_sample import catalog as cat
from tuanwei_sample.model import Cell, ExportFile, ExportSheet, SampleTown, Scribe, StudyRecord

_CN_MONTHS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")
_GRADES = ("初一", "初二", "初三", "高一", "高二", "高三")


def _pad(row: list[Cell], width: int) -> tuple[Cell, ...]:
    return tuple(row + [None] * (width - len(row)))


def _col(n: int) -> str:
    """1-based column number → Excel letter (up to 26 columns)."""
    return chr(ord("A") + n - 1)


def _date_cell(b: Scribe, day: date, shapes: tuple[str, ...] = ("slash", "dot", "dash", "cell")) -> Cell:
    shape = b.rng.choice(shapes)
    if shape == "slash":
        return f"{day.year}/{day.month}/{day.day}"
    if shape == "dot":
        return f"{day.year}.{day.month}.{day.day}"
    if shape == "dash":
        return day.isoformat()
    return day


def _number(value: float | None) -> Cell:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def lay_out(town: SampleTown, b: Scribe) -> list[ExportFile]:
    files: list[ExportFile] = []
    for year in town.years:
        files.append(_roster(town, b, year))
        files += _study(town, b, year)
        if year == 2022:
            files.append(_checkins(town, b, year))
            files.append(_ledger_merged(town, b, year))
        else:
            files.append(_ledger_simple(town, b, year))
        files.append(_participants(town, b, year))
        files.append(_recruitment(town, b, year))
        files.append(_aid(town, b, year))
        files.append(_ratings(town, b, year))
        files.append(_reviews(town, b, year))
        if any(t.date.year == year for t in town.transfers):
            files.append(_transfers(town, b, year))
    return files


# -- roster ------------------------------------------------------------------------------------
ROSTER_HEADER = (
    "姓名",
    "性别",
    "手机号码",
    "证件类型",
    "身份证号码",
    "出生日期",
    "民族",
    "政治面貌",
    "全日制学历",
    "职业",
    "所在团支部",
    "团员编号",
    "入团年月",
    "团籍状态",
    "离团日期",
    "是否团干部",
    "团内现任职务",
    "学号",
)


def _roster(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    end = date(year, 12, 31)
    order = {name: i for i, name in enumerate(town.branch_names)}
    people = sorted(town.roster(year), key=lambda p: (order[p.branch_on(end)], p.pid))
    with_x = [p.pid for p in people if p.id_number.endswith("X")]
    lower_x = set(b.rng.sample(with_x, min(2, len(with_x))))
    width = len(ROSTER_HEADER)
    rows: list[tuple[Cell, ...]] = [
        _pad([f"{town.committee}团员信息（导出日期：{end.isoformat()}）"], width),
        ROSTER_HEADER,
    ]
    for p in people:
        left = p.leave_date is not None and p.leave_date <= end
        join = p.join_date
        join_text = b.rng.choice(
            (f"{join.year}.{join.month:02d}", f"{join.year}年{join.month}月", f"{join.year}-{join.month:02d}")
        )
        rows.append(
            (
                p.name,
                p.gender,
                p.phone,
                "普通居民身份证",
                p.id_number.lower() if p.pid in lower_x else p.id_number,
                p.birth_date.isoformat(),
                p.ethnicity,
                p.political_status,
                p.education,
                p.occupation,
                p.branch_on(min(end, p.leave_date) if p.leave_date else end),
                p.member_no,
                join_text,
                p.status_at(end),
                p.leave_date.isoformat() if left and p.leave_date and p.leave_date_written else None,
                "是" if p.is_cadre else "否",
                p.position,
                p.student_no,
            )
        )
    sheet = ExportSheet(
        "团员信息", tuple(rows), merges=(f"A1:{_col(width)}1",), text_columns=(3, 5, 12, 18), header_row=2
    )
    return ExportFile(f"{year}/团员名册（智慧团建导出）.xlsx", "xlsx", (sheet,))


# -- 青年大学习 ----------------------------------------------------------------------------------
def _study(town: SampleTown, b: Scribe, year: int) -> list[ExportFile]:
    opens = {(p.year, p.label): p.opens for p in town.periods}
    student_nos = {p.pid: p.student_no for p in town.people} | {y.pid: y.student_no for y in town.youths}
    by_file: dict[str, list[StudyRecord]] = defaultdict(list)
    for record in town.study + town.study_duplicates:
        if record.year == year:
            by_file[record.file].append(record)
    files = []
    for path in sorted(by_file):
        records = sorted(by_file[path], key=lambda r: (opens[(r.year, r.period)], r.recorded_at, r.person))
        name = path.split("/", 1)[1]
        if name.endswith(".csv"):
            rows = [("期数", "姓名", "归属组织", "报名时间")] + [
                (r.raw_period, r.raw_identity, r.raw_branch, f"{r.recorded_at:%Y-%m-%d %H:%M:%S}")
                for r in records
            ]
            files.append(ExportFile(path, "csv", (ExportSheet("", tuple(rows)),), encoding="gbk"))
        elif name.startswith("示例镇中学"):
            files.append(_study_school(b, path, records, student_nos, year))
        elif name == f"青年大学习_{year}年{cat.STUDY_RAW_SHEET_MONTH[year]:02d}月.xlsx":
            files.append(_study_raw_sheet(town, path, records))
        else:
            rows = [("期数", "姓名", "归属组织", "报名时间")] + [
                (r.raw_period, r.raw_identity, r.raw_branch, f"{r.recorded_at:%Y-%m-%d %H:%M:%S}")
                for r in records
            ]
            files.append(ExportFile(path, "xlsx", (ExportSheet("Sheet1", tuple(rows)),)))
    return files


def _study_raw_sheet(town: SampleTown, path: str, records: list[StudyRecord]) -> ExportFile:
    """Layout (c): sheet 原始数据 (期数, 团支部, 姓名/学号, 学习时间 as text) plus a summary sheet."""
    rows: list[tuple[Cell, ...]] = [("期数", "团支部", "姓名/学号", "学习时间")]
    for r in records:
        at = r.recorded_at
        rows.append((r.raw_period, r.raw_branch, r.raw_identity, f"{at.year}/{at.month}/{at.day} {at:%H:%M}"))
    counts: dict[str, int] = defaultdict(int)
    for r in records:
        counts[r.branch] += 1
    summary = [("团支部", "学习人次")] + [(name, counts[name]) for name in town.branch_names if counts[name]]
    summary.append(("合计", sum(counts.values())))
    return ExportFile(
        path,
        "xlsx",
        (ExportSheet("原始数据", tuple(rows)), ExportSheet("汇总", tuple(summary), header_row=0)),
    )


def _study_school(
    b: Scribe, path: str, records: list[StudyRecord], student_nos: dict[str, str | None], year: int
) -> ExportFile:
    """Layout (b): the school's own export, one title row, header, data, one footer row."""
    header = ("课程", "系统", "学校", "学院", "班级", "学号/卡号/工号", "姓名", "学习时间")
    rows: list[tuple[Cell, ...]] = [_pad(["示例镇中学团支部“青年大学习”学习记录"], len(header)), header]
    for r in records:
        number = student_nos[r.person] or ""
        at = r.recorded_at
        school_year = at.year if at.month >= 9 else at.year - 1
        grade = min(max(school_year - int(number[:4]), 0), 5)
        klass = f"{_GRADES[grade]}({int(number[4:6])})班"
        rows.append(
            (
                r.raw_period,
                "青年大学习",
                "示例镇中学",
                "初中部" if grade < 3 else "高中部",
                klass,
                number,
                r.raw_identity,
                at.replace(microsecond=0),
            )
        )
    last = cat.SCHOOL_EXPORT_MONTHS[year][-1]
    exported = date(year + 1, 1, 4) if last == 12 else date(year, last + 1, 4)
    footer = f"共 {len(records)} 条记录  导出时间：{exported.isoformat()} 09:30:12"
    rows.append(_pad([footer], len(header)))
    merges = (f"A1:{_col(len(header))}1", f"A{len(rows)}:{_col(len(header))}{len(rows)}")
    sheet = ExportSheet("学习记录", tuple(rows), merges=merges, text_columns=(6,), header_row=2)
    return ExportFile(path, "xlsx", (sheet,))


# -- cadre check-ins ---------------------------------------------------------------------------
def _checkins(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    header = ("月份", "团支部", "团干部姓名", "是否打卡", "打卡日期")
    rows: list[tuple[Cell, ...]] = [_pad([f"{town.committee}{year}年团干部每月学习打卡统计表"], 5), header]
    order = {name: i for i, name in enumerate(town.branch_names)}
    items = sorted(
        (c for c in town.checkins if c.month.year == year),
        key=lambda c: (c.month, order[c.branch], c.person or "~"),
    )
    for c in items:
        month = b.rng.choice((f"{year}年{c.month.month}月", f"{year}-{c.month.month:02d}"))
        if c.checked_in:
            mark: Cell = b.rng.choices(("是", "√"), (70, 30))[0]
            when = _date_cell(b, c.checkin_date, ("dash", "slash", "cell")) if c.checkin_date else None
        else:
            mark, when = b.rng.choices(("否", None), (60, 40))[0], None
        rows.append((month, b.spell(c.branch), b.noisy_name(c.name, 0.02), mark, when))
    sheet = ExportSheet("打卡统计", tuple(rows), merges=("A1:E1",), header_row=2)
    return ExportFile(f"{year}/团干部学习打卡_{year}.xlsx", "xlsx", (sheet,))


# -- activities --------------------------------------------------------------------------------
def _ledger_date_2022(b: Scribe, day: date, floats_left: list[int]) -> Cell:
    if (day.month, day.day) == (3, 5):
        return f"{day.year}年{day.month}月{day.day}日"
    unambiguous_float = day.day >= 11 and day.day % 10 != 0
    if (day.month, day.day) == (6, 15):
        return 6.15
    r = b.rng.random()
    if r < 0.2:
        return day
    if r < 0.3 and unambiguous_float and floats_left[0] > 0:
        floats_left[0] -= 1
        return float(f"{day.month}.{day.day}")
    return f"{day.month}.{day.day}"


def _ledger_merged(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    """2022 ledger: title row, two-row merged header, month rows （三月份）, 合计 at the bottom."""
    width = 11
    rows: list[tuple[Cell, ...]] = [
        _pad([f"{town.committee}{year}年活动台账"], width),
        (
            "序号",
            "活动日期",
            "活动名称",
            "活动类型",
            "组织团支部",
            "参与人数",
            "志愿者服务人数及时长统计",
            None,
            "地点",
            "受益人数",
            "备注",
        ),
        (None, None, None, None, None, None, "人数", "小时", None, None, None),
    ]
    merges = [f"A1:{_col(width)}1", "G2:H2"] + [
        f"{_col(c)}2:{_col(c)}3" for c in (1, 2, 3, 4, 5, 6, 9, 10, 11)
    ]
    floats_left = [2]  # besides 6.15: a few more month.day floats, only where unambiguous
    seq = 0
    data: list[tuple[Cell, ...]] = []
    for month in range(1, 13):
        acts = sorted((a for a in town.activities_in(year) if a.date.month == month), key=lambda a: a.date)
        if not acts:
            continue
        rows.append(_pad([f"（{_CN_MONTHS[month - 1]}月份）"], width))
        merges.append(f"A{len(rows)}:{_col(width)}{len(rows)}")
        entries = [(a, a.written[0]) for a in acts] + [(a, w) for a in acts for w in a.written[1:]]
        for a, (name, organiser) in entries:
            seq += 1
            row = (
                seq,
                _ledger_date_2022(b, a.date, floats_left),
                name,
                a.activity_type,
                organiser,
                a.participants,
                a.volunteers,
                _number(a.hours_per_person),
                a.location,
                a.beneficiaries,
                a.note,
            )
            rows.append(row)
            data.append(row)
    rows.append(("合计", None, None, None, None, *_sums(data, (5, 6, 7)), None, _sums(data, (9,))[0], None))
    sheet = ExportSheet("活动台账", tuple(rows), merges=tuple(merges), header_row=2, header_depth=2)
    return ExportFile(f"{year}/活动台账_{year}.xlsx", "xlsx", (sheet,))


def _sums(rows: list[tuple[Cell, ...]], columns: tuple[int, ...]) -> list[Cell]:
    """Column sums (0-based columns) of the data rows, as the ledger's total row shows them."""
    out: list[Cell] = []
    for c in columns:
        total = sum(v for row in rows if isinstance(v := row[c], int | float))
        out.append(_number(round(total, 2)))
    return out


def _ledger_simple(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    """2021 ledger: one header row, 服务总时长(小时) per activity, 总合计 right under the header."""
    header = (
        "序号",
        "活动日期",
        "活动名称",
        "活动类型",
        "组织团支部",
        "参与人数",
        "志愿者人数",
        "服务总时长(小时)",
        "地点",
        "受益人数",
        "备注",
    )
    data: list[tuple[Cell, ...]] = []
    for a in sorted(town.activities_in(year), key=lambda a: a.date):
        for name, organiser in a.written:
            day: Cell = a.date if b.rng.random() < 0.6 else f"{a.date.month}.{a.date.day}"
            data.append(
                (
                    len(data) + 1,
                    day,
                    name,
                    a.activity_type,
                    organiser,
                    a.participants,
                    a.volunteers,
                    _number(a.total_hours),
                    a.location,
                    a.beneficiaries,
                    a.note,
                )
            )
    total = ("总合计", None, None, None, None, *_sums(data, (5, 6, 7)), None, _sums(data, (9,))[0], None)
    sheet = ExportSheet("Sheet1", (header, total, *data))
    return ExportFile(f"{year}/活动台账_{year}.xlsx", "xlsx", (sheet,))


def _participants(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    rows: list[tuple[Cell, ...]] = [("活动日期", "活动名称", "姓名", "团支部")]
    shapes: dict[tuple[date, str], str] = {}
    for p in town.activity_participants:
        if p.year != year:
            continue
        shape = shapes.setdefault((p.date, p.activity), b.rng.choice(("dash", "cell")))
        rows.append(
            (_date_cell(b, p.date, (shape,)), p.activity, b.noisy_name(p.name, 0.03), b.spell(p.branch))
        )
    return ExportFile(f"{year}/活动参与名单_{year}.xlsx", "xlsx", (ExportSheet("参与名单", tuple(rows)),))


# -- recruitment, aid, ratings, reviews, transfers ---------------------------------------------
def _recruitment(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    end = date(year, 12, 31)
    header = (
        "姓名",
        "身份证号",
        "性别",
        "出生日期",
        "所在团支部",
        "申请日期",
        "确定积极分子日期",
        "确定发展对象日期",
        "入团日期",
        "发展团员编号",
        "当前阶段",
    )
    rows: list[tuple[Cell, ...]] = [header]
    for r in town.recruits_in(year):

        def when(day: date | None) -> Cell:
            return _date_cell(b, day) if day is not None and day <= end else None

        joined = r.joined is not None and r.joined <= end
        rows.append(
            (
                r.name,
                r.id_number,
                r.gender,
                when(r.birth_date),
                b.spell(r.branch),
                when(r.applied),
                when(r.activist),
                when(r.target),
                when(r.joined),
                r.league_no if joined else None,
                r.stage_at(end),
            )
        )
    sheet = ExportSheet("发展团员", tuple(rows), text_columns=(2, 10))
    return ExportFile(f"{year}/发展团员台账_{year}.xlsx", "xlsx", (sheet,))


def _aid(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    rows: list[tuple[Cell, ...]] = [("项目", "姓名", "身份证号", "所在村", "学校", "金额(元)", "发放日期")]
    for a in sorted((a for a in town.aid if a.year == year), key=lambda a: (a.date, a.programme)):
        day = b.rng.choice((a.date.isoformat(), f"{a.date.year}/{a.date.month}/{a.date.day}"))
        rows.append((a.programme, a.name, a.id_number, a.village, a.school, str(int(a.amount)), day))
    return ExportFile(
        f"{year}/爱心助学_{year}.csv", "csv", (ExportSheet("", tuple(rows)),), encoding="utf-8-sig"
    )


def _ratings(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    rows: list[tuple[Cell, ...]] = [("团支部", "得分", "定级结果")]
    for r in town.ratings:
        if r.year == year:
            rows.append((b.spell(r.branch, 0.6), _number(r.score), r.rating_raw))
    return ExportFile(f"{year}/对标定级_{year}.xlsx", "xlsx", (ExportSheet("定级结果", tuple(rows)),))


def _reviews(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    rows: list[tuple[Cell, ...]] = [
        (f"示例镇{year}年度团员教育评议结果", None, None),
        ("姓名", "团支部", "评议结果"),
    ]
    for r in town.reviews:
        if r.year == year:
            rows.append((b.noisy_name(r.name, 0.02), b.spell(r.branch, 0.7), r.result))
    sheet = ExportSheet("评议结果", tuple(rows), merges=("A1:C1",), header_row=2)
    return ExportFile(f"{year}/团员教育评议_{year}.xlsx", "xlsx", (sheet,))


def _transfers(town: SampleTown, b: Scribe, year: int) -> ExportFile:
    rows: list[tuple[Cell, ...]] = [("姓名", "身份证号", "转出团支部", "转入团支部", "转接日期")]
    for t in town.transfers:
        if t.date.year == year:
            rows.append((t.name, t.id_number, t.from_branch, b.spell(t.to_branch), t.date))
    sheet = ExportSheet("转接记录", tuple(rows), text_columns=(2,))
    return ExportFile(f"{year}/组织关系转接_{year}.xlsx", "xlsx", (sheet,))
