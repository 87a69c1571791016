"""Blind dialect “dingtalk_ledgers”: platform event logs and money ledgers.

Written from the domain guide and public descriptions of the platforms only:

* cadre study check-ins: Q1 as presence-only lists compiled by hand (one sheet per month, one row per
  cadre who checked in), April onwards as a 钉钉-style 打卡记录 event log (one row per check-in event,
  several per month for some cadres, a few events of early January 2023, a title and a
  report-time row above the header);
* activities: a 问卷星 export of the branches' activity reports (序号 / 提交答卷时间 / 所用时间 / 来源 /
  来源详情 / 来自IP, then numbered questions; skipped questions as “(跳过)”, blanks as “(空)”; one report
  submitted twice);
* aid: a WPS 资助发放表 per programme / batch, money as text (¥1,000.00, ￥1000, 1000元, 500.00 under
  a 金额（元） header), a 金额大写 column, a 合计 row and a signature line under the table;
* roster (智慧团建 columns, tidied by the committee with a 学号 column for school members), 青年大学习 (one workbook per quarter, one sheet per period), recruitment,
  transfers, ratings and reviews in plain shapes.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tuanwei_sample.blind import register
from tuanwei_sample.model import SampleTown, StudyPeriod

SEED = 20221231
CN_NUM = "零一二三四五六七八九"
DAXIE = "零壹贰叁肆伍陆柒捌玖"


# ---------------------------------------------------------------- helpers
def cn_number(n: int) -> str:
    if n < 10:
        return CN_NUM[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_NUM[tens]) + "十" + (CN_NUM[ones] if ones else "")


def daxie(amount: float) -> str:
    """金额大写: 1500 → 壹仟伍佰元整."""
    cents = round(amount * 100)
    yuan, rest = divmod(cents, 100)

    def four(n: int) -> str:
        out, zero = "", False
        for power, unit in ((3, "仟"), (2, "佰"), (1, "拾"), (0, "")):
            d = n // 10**power % 10
            if d:
                out += ("零" if zero else "") + DAXIE[d] + unit
                zero = False
            elif out:
                zero = True
        return out

    wan, low = divmod(yuan, 10000)
    text = (four(wan) + "万" if wan else "") + ("零" if wan and 0 < low < 1000 else "") + four(low)
    text = (text or "零") + "元"
    jiao, fen = divmod(rest, 10)
    if not rest:
        return text + "整"
    return text + (DAXIE[jiao] + "角" if jiao else "零") + (DAXIE[fen] + "分" if fen else "")


def money(amount: float, style: int) -> str:
    if style == 0:
        return f"¥{amount:,.2f}"
    if style == 1:
        return f"￥{amount:g}"
    return f"{amount:g}元"


class Book:
    """An xlsx workbook made sheet by sheet (title rows merged across the table, like WPS)."""

    def __init__(self) -> None:
        self.wb = Workbook()
        self.wb.remove(self.wb.active)

    def sheet(self, name: str, header: list[str], rows: list[list], titles=(), footer=(), widths=None):
        ws = self.wb.create_sheet(name)
        width = len(header)
        last = get_column_letter(width)
        for t in titles:
            ws.append([t])
            ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
        ws.append(header)
        for r in rows:
            ws.append(list(r))
        for f in footer:
            if f is None:
                ws.append([])
                continue
            ws.append(f if isinstance(f, list) else [f])
            if not isinstance(f, list):
                ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
        for i, w in enumerate(widths or [14] * width, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        return ws

    def save(self, path: Path) -> None:
        self.wb.save(path)


def speller(town: SampleTown, rng: random.Random):
    """Branch names as offices write them: the canonical name or one of town.yml's aliases."""
    by_name = {b.name: b for b in town.branches}

    def spell(branch: str, canonical: float = 0.6) -> str:
        b = by_name.get(branch)
        if b is None or not b.aliases or rng.random() < canonical:
            return branch
        return rng.choice(b.aliases)

    return spell


def period_text(p: StudyPeriod) -> str:
    if p.is_special:
        return p.title or "特辑"
    return f"第{cn_number(p.season or 0)}季第{p.number}期"


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


# ---------------------------------------------------------------- roster and plain kinds
def write_roster(town: SampleTown, year: int, folder: Path, spell) -> None:
    end = date(year, 12, 31)
    header = [
        "序号",
        "姓名",
        "性别",
        "民族",
        "出生日期",
        "身份证号码",
        "手机号码",
        "政治面貌",
        "全日制学历",
        "职业",
        "入团年月",
        "团员编号",
        "学号",
        "所在团支部",
        "是否团干部",
        "团内现任职务",
        "团籍状态",
        "离团时间",
    ]
    rows = []
    for i, p in enumerate(town.roster(year), 1):
        left = p.leave_date if p.leave_date and p.leave_date <= end else None
        rows.append(
            [
                i,
                p.name,
                p.gender,
                p.ethnicity,
                p.birth_date.strftime("%Y-%m-%d"),
                p.id_number,
                p.phone,
                p.political_status,
                p.education,
                p.occupation,
                f"{p.join_date:%Y年%m月}",
                p.member_no,
                p.student_no or "",
                spell(p.branch, 0.8),
                "是" if p.is_cadre else "否",
                p.position or "",
                p.status_at(end),
                left.strftime("%Y-%m-%d") if left else "",
            ]
        )
    book = Book()
    book.sheet(
        "团员信息", header, rows, widths=[6, 10, 6, 8, 12, 21, 13, 12, 10, 12, 10, 14, 10, 22, 10, 12, 14, 12]
    )
    book.save(folder / f"团员花名册_{year}年12月31日（智慧团建导出整理）.xlsx")


def write_study(town: SampleTown, year: int, folder: Path, spell) -> SampleTown:
    """One workbook per quarter, one sheet per period (sheet name and title carry the period)."""
    people = {p.pid: p for p in town.people}
    youths = {y.pid: y for y in town.youths}
    records = town.study_in(year)
    dups = [d for d in town.study_duplicates if d.year == year]
    written = []
    for r in records:
        ok = True
        if r.is_member:
            p = people[r.person]
            day = r.recorded_at.date()
            twin = any(
                q.pid != p.pid and q.name == p.name and q.active_on(day) and q.branch_on(day) == r.branch
                for q in town.people
            )
            # the roster carries 学号 for school members, so a 学号 tells same-named members apart
            ok = bool(p.student_no) or not twin
        written.append(replace(r, identifiable=ok))
    other_years = [r for r in town.study if r.year != year]

    by_period: dict[str, list] = {}
    for r in [*records, *dups]:
        by_period.setdefault(r.period, []).append(r)
    books: dict[int, Book] = {}
    for p in town.periods_in(year):
        rows_in = sorted(by_period.get(p.label, []), key=lambda r: r.recorded_at)
        if not rows_in:
            continue
        quarter = (p.opens.month - 1) // 3 + 1
        book = books.setdefault(quarter, Book())
        text = period_text(p)
        rows = []
        for i, r in enumerate(rows_in, 1):
            who = people.get(r.person) or youths.get(r.person)
            sno = getattr(who, "student_no", None) or ""
            rows.append([i, who.name, sno, spell(r.branch), r.recorded_at])
        ws = book.sheet(
            text,
            ["序号", "姓名", "学号", "所在团支部", "学习时间"],
            rows,
            titles=[f"青年大学习{text}学习情况统计（{p.opens:%Y年%m月%d日}上线）"],
            widths=[6, 10, 12, 22, 20],
        )
        for row in ws.iter_rows(min_row=3, min_col=5, max_col=5):
            row[0].number_format = "yyyy-mm-dd hh:mm:ss"
    for q, book in books.items():
        book.save(folder / f"青年大学习学习情况汇总_{year}年第{cn_number(q)}季度.xlsx")
    return replace(town, study=tuple(written) + tuple(other_years))


def write_recruitment(town: SampleTown, year: int, folder: Path, spell) -> None:
    end = date(year, 12, 31)
    fmt = lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}" if d else ""  # noqa: E731
    rows = []
    for i, r in enumerate(town.recruits_in(year), 1):
        rows.append(
            [
                i,
                r.name,
                r.gender,
                r.id_number,
                r.birth_date.strftime("%Y-%m-%d"),
                spell(r.branch),
                fmt(r.applied),
                fmt(r.activist),
                fmt(r.target),
                fmt(r.joined if r.joined and r.joined <= end else None),
                (r.league_no or "") if r.joined and r.joined <= end else "",
                r.stage_at(end),
            ]
        )
    header = [
        "序号",
        "姓名",
        "性别",
        "身份证号",
        "出生日期",
        "所在团支部",
        "递交入团申请书时间",
        "确定为入团积极分子时间",
        "确定为发展对象时间",
        "入团时间",
        "发展团员编号",
        "当前阶段",
    ]
    book = Book()
    book.sheet(
        "发展团员",
        header,
        rows,
        titles=[f"示例镇{year}年发展团员工作台账"],
        widths=[6, 10, 6, 21, 12, 22, 14, 14, 14, 12, 15, 14],
    )
    book.save(folder / f"{year}年发展团员台账.xlsx")


def write_transfers(town: SampleTown, year: int, folder: Path, spell) -> None:
    path = lambda b: f"示例县团委-{town.committee}-{spell(b)}"  # noqa: E731
    rows = [
        [
            i,
            t.name,
            t.id_number,
            path(t.from_branch),
            path(t.to_branch),
            t.date.strftime("%Y-%m-%d"),
            "已完成",
        ]
        for i, t in enumerate((t for t in town.transfers if t.date.year == year), 1)
    ]
    book = Book()
    book.sheet(
        "组织关系转接",
        ["序号", "姓名", "身份证号", "转出组织", "转入组织", "办理时间", "状态"],
        rows,
        widths=[6, 10, 21, 40, 40, 12, 8],
    )
    book.save(folder / f"团员组织关系转接记录_{year}.xlsx")


def write_ratings_reviews(town: SampleTown, year: int, folder: Path, spell) -> None:
    book = Book()
    rows = [
        [i, spell(r.branch), "" if r.score is None else r.score, r.rating_raw]
        for i, r in enumerate((r for r in town.ratings if r.year == year), 1)
    ]
    book.sheet(
        "对标定级",
        ["序号", "团支部名称", "考核得分", "定级结果"],
        rows,
        titles=[f"示例镇{year}年度团支部对标定级结果"],
        widths=[6, 24, 10, 10],
    )
    book.save(folder / f"{year}年度团支部对标定级结果.xlsx")
    people = {p.pid: p for p in town.people}
    book = Book()
    rows = [
        [i, spell(r.branch), r.name, people[r.person].id_number if r.person in people else "", r.result]
        for i, r in enumerate((r for r in town.reviews if r.year == year), 1)
    ]
    book.sheet(
        "评议结果",
        ["序号", "所在团支部", "姓名", "身份证号", "评议等次"],
        rows,
        titles=[f"示例镇{year}年度团员教育评议结果汇总表"],
        widths=[6, 24, 10, 21, 10],
    )
    book.save(folder / f"{year}年度团员教育评议结果.xlsx")


# ---------------------------------------------------------------- cadre check-ins
TOPICS = [
    "学习强国每日答题",
    "《中国共产主义青年团章程》",
    "青年大学习网上主题团课",
    "习近平新时代中国特色社会主义思想学习纲要",
    "团干部网络培训课程",
    "党史学习教育读本",
]


def topic(rng: random.Random, day: date) -> str:
    pool = list(TOPICS)
    if day >= date(2022, 5, 10):
        pool.append("庆祝中国共产主义青年团成立100周年大会重要讲话")
    if day >= date(2022, 10, 16):
        pool += ["党的二十大报告", "党的二十大精神学习"]
    return rng.choice(pool)


def write_checkins(town: SampleTown, year: int, folder: Path, spell, rng: random.Random) -> None:
    done = [c for c in town.checkins if c.month.year == year and c.checked_in]
    people = {p.pid: p for p in town.people}
    # Q1: presence-only lists, one sheet per month, compiled by the committee's secretary
    book = Book()
    for m in range(1, 4):
        month = [c for c in done if c.month.month == m]
        rows = [
            [i, spell(c.branch), c.name, (people[c.person].position if c.person in people else "") or ""]
            for i, c in enumerate(
                sorted(
                    month,
                    key=lambda c: town.branch_names.index(c.branch) if c.branch in town.branch_names else 99,
                ),
                1,
            )
        ]
        book.sheet(
            f"{m}月",
            ["序号", "所在团支部", "姓名", "团内职务"],
            rows,
            titles=[f"示例镇团干部{year}年{m}月学习打卡名单"],
            footer=[None, f"注：本月共{len(rows)}名团干部完成学习打卡。"],
            widths=[6, 24, 10, 14],
        )
    book.save(folder / f"{year}年第一季度团干部学习打卡名单.xlsx")

    # April onwards: the 钉钉 group check-in export, one row per event
    events = []
    for c in (c for c in done if c.month.month >= 4):
        day = c.checkin_date or c.month
        events.append(
            (
                c.name,
                c.branch,
                datetime.combine(day, time(rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59))),
                "学习打卡",
            )
        )
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            extra = c.month.replace(day=rng.randint(1, month_end(c.month).day))
            events.append(
                (
                    c.name,
                    c.branch,
                    datetime.combine(extra, time(rng.randint(7, 22), rng.randint(0, 59))),
                    rng.choice(["学习打卡", "心得分享"]),
                )
            )
    dec = sorted({(c.name, c.branch) for c in done if c.month.month == 12})
    for name, branch in rng.sample(dec, 6):
        events.append(
            (
                name,
                branch,
                datetime(year + 1, 1, rng.randint(2, 9), rng.randint(8, 21), rng.randint(0, 59)),
                "学习打卡",
            )
        )
    order = {b: i for i, b in enumerate(town.branch_names)}
    events.sort(key=lambda e: (order.get(e[1], 99), e[0], e[2]))
    ids = {}
    rows = []
    for name, branch, when, kind in events:
        uid = ids.setdefault(name, f"{rng.getrandbits(40):010x}")
        where = rng.choice(["示例镇党群服务中心", f"{spell(branch, 1)[:-3] or branch}活动室", "", ""])
        rows.append(
            [
                name,
                spell(branch, 0.7),
                uid,
                f"{when:%y-%m-%d} {'一二三四五六日'[when.weekday()]}".replace(" ", " 星期"),
                when.strftime("%Y-%m-%d %H:%M"),
                kind,
                topic(rng, when.date()),
                "正常",
                where,
            ]
        )
    header = [
        "打卡人",
        "部门",
        "UserId",
        "打卡日期",
        "打卡时间",
        "打卡类型",
        "学习内容",
        "打卡结果",
        "打卡地点",
    ]
    book = Book()
    book.sheet(
        "打卡记录",
        header,
        rows,
        titles=[
            f"团干部每月学习打卡  打卡记录  统计日期：{year}-04-01 至 {year + 1}-01-10",
            f"报表生成时间：{year + 1}-01-10 16:42",
        ],
        widths=[10, 22, 14, 16, 18, 10, 36, 8, 22],
    )
    book.save(folder / f"钉钉打卡_团干部每月学习打卡_原始记录_{year}0401-{year + 1}0110.xlsx")


# ---------------------------------------------------------------- activities (问卷星)
def write_activities(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    subs = []
    for a in town.activities_in(year):
        for k, (name, organiser) in enumerate(a.written):
            sent = datetime.combine(
                a.date + timedelta(days=rng.randint(0, 9) + k),
                time(rng.randint(8, 22), rng.randint(0, 59), rng.randint(0, 59)),
            )
            subs.append((sent, a, name, organiser))
    subs.sort(key=lambda s: s[0])
    num = lambda v: "(空)" if v is None else (int(v) if float(v).is_integer() else v)  # noqa: E731
    rows = []
    for i, (sent, a, name, organiser) in enumerate(subs, 1):
        vol = a.volunteers is not None
        rows.append(
            [
                i,
                sent.strftime("%Y/%m/%d %H:%M:%S"),
                f"{rng.randint(95, 620)}秒",
                rng.choice(["微信", "手机提交", "链接"]),
                rng.choice(["直接访问", "N/A"]),
                f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}(示例省-示例市)",
                organiser,
                name,
                a.date.strftime("%Y-%m-%d"),
                a.activity_type or "(空)",
                a.location,
                a.participants,
                "是" if vol else "否",
                num(a.volunteers) if vol else "(跳过)",
                num(a.hours_per_person) if vol else "(跳过)",
                num(a.beneficiaries),
                a.note or "(空)",
            ]
        )
    header = [
        "序号",
        "提交答卷时间",
        "所用时间",
        "来源",
        "来源详情",
        "来自IP",
        "1、报送单位",
        "2、活动名称",
        "3、活动日期",
        "4、活动类型",
        "5、活动地点",
        "6、参与人数",
        "7、是否为志愿服务活动",
        "8、志愿者人数",
        "9、人均志愿服务时长（小时）",
        "10、受益人数",
        "11、备注",
    ]
    book = Book()
    book.sheet(
        "Sheet1", header, rows, widths=[6, 20, 8, 8, 10, 28, 18, 36, 12, 10, 20, 10, 10, 10, 12, 10, 16]
    )
    book.save(folder / f"187265431_2_{year}年各团支部活动开展情况报送_{len(rows)}_{len(rows)}.xlsx")


# ---------------------------------------------------------------- aid (WPS 资助发放表)
def write_aid(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    aid = [a for a in town.aid if a.date.year == year]
    book = Book()
    sign = f"经办人：{' ' * 14}审核人：{' ' * 14}负责人：{' ' * 14}"
    for programme in dict.fromkeys(a.programme for a in aid):
        pays = [a for a in aid if a.programme == programme]
        batches = sorted({a.date for a in pays})
        if len(batches) == 1:
            # one sheet, dates per row, currency-sign amounts
            rows = [
                [
                    i,
                    a.name,
                    a.id_number,
                    a.village,
                    a.school,
                    f"{a.date:%Y.%m.%d}",
                    money(a.amount, i % 3),
                    daxie(a.amount),
                    "",
                ]
                for i, a in enumerate(pays, 1)
            ]
            total = sum(a.amount for a in pays)
            book.sheet(
                programme,
                [
                    "序号",
                    "姓名",
                    "身份证号码",
                    "所在村（社区）",
                    "就读学校",
                    "发放日期",
                    "资助金额",
                    "金额大写",
                    "领取人签字",
                ],
                rows,
                titles=[f"{year}年“{programme}”资助金发放表"],
                footer=[["合计", "", "", "", "", "", f"¥{total:,.2f}", daxie(total), ""], None, sign],
                widths=[6, 10, 21, 14, 18, 12, 14, 16, 12],
            )
            continue
        for n, day in enumerate(batches, 1):
            batch = [a for a in pays if a.date == day]
            rows = [
                [i, a.name, a.id_number, a.village, a.school, f"{a.amount:,.2f}", daxie(a.amount), ""]
                for i, a in enumerate(batch, 1)
            ]
            total = sum(a.amount for a in batch)
            book.sheet(
                f"{programme}（第{cn_number(n)}批）",
                [
                    "序号",
                    "受助学生姓名",
                    "身份证号码",
                    "家庭住址（村/社区）",
                    "就读学校",
                    "发放金额（元）",
                    "金额大写",
                    "领取人签字",
                ],
                rows,
                titles=[
                    f"“{programme}”关爱资金发放花名册（第{cn_number(n)}批）",
                    f"发放单位：{town.committee}{' ' * 10}发放时间：{day.year}年{day.month}月{day.day}日",
                ],
                footer=[
                    ["合计", "", "", "", "", f"{total:,.2f}", daxie(total), ""],
                    None,
                    sign,
                    f"填表日期：{day.year}年{day.month}月{day.day}日",
                ],
                widths=[6, 12, 21, 18, 18, 14, 16, 12],
            )
    book.save(folder / f"{year}年爱心助学资金发放表.xlsx")


@register("dingtalk_ledgers")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    spell = speller(town, rng)
    write_roster(town, year, folder, spell)
    written = write_study(town, year, folder, spell)
    write_recruitment(town, year, folder, spell)
    write_transfers(town, year, folder, spell)
    write_ratings_reviews(town, year, folder, spell)
    write_checkins(town, year, folder, spell, rng)
    write_activities(town, year, folder, rng)
    write_aid(town, year, folder, rng)
    return written
