"""A sub-district committee's plain exports: hand-kept books, screenshot tallies and a volunteer platform.

What the office of a 街道/镇团委 hands over at year end, following the domain guide:

* 团员花名册 kept by hand in Excel: a title row, one block per branch with a blank row between blocks,
  branches written short (塔岗村), in full (塔岗村团支部) or formally (共青团塔岗村支部委员会), birth dates
  in mixed shapes (2001.6.24, 2001年6月24日, an Excel serial number), 入团时间 as month text, a 合计 line.
* 青年大学习: one workbook per period compiled from the branches' screenshots. Season 12 and the 五四特辑:
  sheet 汇总 with 团支部 / 姓名 / 身份证号 (masked 990103********2068) / 学习时间 (text), a blank row
  between branches and a 合计 row above or below the data. Season 13 and the other specials: a derived
  sheet 汇总 (应学/实学/参学率 per branch) and one sheet per branch, the branch only in the sheet name and
  title, the masked ID inside the name cell (姓名（990103********2068）). Youths carry no ID; a few
  screenshots showed no ID either. Duplicate submissions are kept.
* 活动台账 of the committee: title with the year, dates as 2022.3.5 / 2022年3月5日 / 3月5日 / Excel serials,
  合计 row on top, blank rows between quarters, the committee written 共青团示例镇委员会 or 示例镇团委
  (a few activities entered twice, once each way); no volunteer columns (备注: 时长见志愿汇).
* 志愿汇 service-hours export: one row per volunteer per activity, 服务时长（分钟）.
* 团干部学习打卡: one sheet per month, the year only in the title (打卡时间 1月17日, 未打卡).
* 发展团员台账, 爱心助学 (csv GBK, 合计 on top), 对标定级 (csv GBK, title line), 教育评议 (csv GBK),
  组织关系转接 (csv GBK), and a 团费收缴登记表 (not a kind of the suite: must not become aid or roster).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from tuanwei_sample.blind import register
from tuanwei_sample.model import Person, SampleTown, StudyRecord

CN = "零一二三四五六七八九十"
Y_END = 12


def cn_num(n: int) -> str:
    """1..99 in Chinese numerals (十二, 二十六)."""
    if n <= 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return (CN[tens] if tens > 1 else "") + "十" + (CN[ones] if ones else "")


def core(branch: str) -> str:
    return branch.removesuffix("团支部")


def formal(branch: str) -> str:
    return f"共青团{core(branch)}支部委员会"


def mask_id(idn: str) -> str:
    return idn[:6] + "*" * 8 + idn[-4:]


def cols(header: str) -> list[str]:
    return header.split()


def serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


class Hand:
    """The clerk: a random generator plus the office's writing habits."""

    def __init__(self, town: SampleTown, seed: int) -> None:
        self.rng = random.Random(seed)
        self.town = town
        self.branch = {b.name: b for b in town.branches}
        self.full = f"共青团{town.town}委员会"

    def spell(self, branch: str) -> str:
        if branch == "镇团委":
            return self.rng.choice([self.full, self.town.committee])
        b = self.branch[branch]
        return self.rng.choice([branch, core(branch), formal(branch), *b.aliases, *b.variants])

    def day(self, d: date, title_year: int | None = None) -> str | int | datetime:
        shapes = ["dot", "cn", "serial", "dt"] + (["md", "md"] if title_year == d.year else [])
        shape = self.rng.choice(shapes)
        if shape == "dot":
            return f"{d.year}.{d.month}.{d.day}"
        if shape == "cn":
            return f"{d.year}年{d.month}月{d.day}日"
        if shape == "serial":
            return serial(d)
        if shape == "md":
            return f"{d.month}月{d.day}日"
        return datetime(d.year, d.month, d.day)


def save(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def save_csv(path: Path, rows: list[list]) -> None:
    with path.open("w", encoding="gbk", newline="") as fh:
        csv.writer(fh).writerows(["" if c is None else c for c in row] for row in rows)


def roster(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    end = date(year, 12, 31)
    order = {b: i for i, b in enumerate(town.branch_names)}
    people = sorted(town.roster(year), key=lambda p: (order[p.branch], p.pid))
    moved = {t.person: t for t in town.transfers if t.date.year == year}
    rows: list[list] = [
        [f"{town.town}团委团员花名册（{year}年12月）"],
        cols(
            "序号 姓名 性别 民族 出生日期 身份证号 政治面貌 学历 职业 入团时间 团员编号 所在团支部 团内职务 联系电话 团籍状态 离团时间 备注"
        ),
    ]
    last = None
    for i, p in enumerate(people, 1):
        if last is not None and p.branch != last:
            rows.append([])
        last = p.branch
        j = p.join_date
        joined = h.rng.choice(
            [f"{j.year}.{j.month:02d}", f"{j.year}年{j.month}月", f"{j.year}-{j.month:02d}"]
        )
        note = (
            f"{moved[p.pid].date.month}月由{core(moved[p.pid].from_branch)}转入" if p.pid in moved else None
        )
        left = h.day(p.leave_date) if p.leave_date and p.leave_date <= end else None
        row = [i, p.name, p.gender, p.ethnicity, h.day(p.birth_date), p.id_number, p.political_status]
        row += [
            p.education,
            p.occupation,
            joined,
            p.member_no,
            h.spell(p.branch),
            p.position or "无",
            p.phone,
        ]
        rows.append([*row, p.status_at(end), left, note])
    rows.append(["合计", f"{len(people)}人"])
    save(folder / f"团员花名册（{year}年）.xlsx", [("花名册", rows)])


def period_text(h: Hand, season: int | None, number: int | None, title: str | None) -> str:
    if title is not None:
        return title
    return h.rng.choice([f"第{cn_num(season)}季第{number}期", f"第{season}季第{cn_num(number)}期"])


def study(h: Hand, town: SampleTown, year: int, folder: Path) -> SampleTown:
    order = {b: i for i, b in enumerate(town.branch_names)}
    names = {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}
    idn = {p.pid: p.id_number for p in town.people}
    by_period: dict[str, list[StudyRecord]] = defaultdict(list)
    for r in [*town.study_in(year), *(d for d in town.study_duplicates if d.year == year)]:
        by_period[r.period].append(r)
    no_id = {(r.person, r.period) for r in town.study_in(year) if r.is_member and h.rng.random() < 0.03}

    def shown_id(r: StudyRecord) -> str | None:
        return mask_id(idn[r.person]) if r.is_member and (r.person, r.period) not in no_id else None

    def identifiable(r: StudyRecord) -> bool:
        if not r.is_member or shown_id(r):
            return True
        day, name = r.recorded_at.date(), names[r.person]
        return not any(
            q.pid != r.person and q.name == name and q.active_on(day) and q.branch_on(day) == r.branch
            for q in town.people
        )

    base = f"{town.town}团委"
    for per in town.periods_in(year):
        recs = sorted(by_period[per.label], key=lambda r: (order[r.branch], r.recorded_at))
        text = period_text(h, per.season, per.number, per.title)
        stem = text if per.title is None else f"{text}（{per.opens.month}月{per.opens.day}日）"
        members = {r.person for r in recs if r.is_member}
        if per.season == 12 or per.title == "五四特辑":
            rows: list[list] = [
                [f"{base}青年大学习{stem}学习情况汇总表"],
                ["序号", "团支部", "姓名", "身份证号", "学习时间"],
            ]
            total = ["合计", None, f"{len(recs)}人次"]
            top = h.rng.random() < 0.5
            if top:
                rows.append(total)
            last = None
            for i, r in enumerate(recs, 1):
                if last is not None and r.branch != last:
                    rows.append([])
                last = r.branch
                t = r.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
                rows.append([i, h.spell(r.branch), names[r.person], shown_id(r) or "", t])
            if not top:
                rows.append(total)
            sheets = [("汇总", rows)]
        else:
            summary: list[list] = [
                [f"青年大学习{stem}各团支部学习情况"],
                ["团支部", "应学人数", "实学人数", "参学率"],
            ]
            sheets = [("汇总", summary)]
            day = per.closes.date()
            for branch in town.branch_names:
                mine = [r for r in recs if r.branch == branch]
                due = len(town.members_active_on(day, branch))
                done = len({r.person for r in mine if r.person in members})
                if due:
                    summary.append([core(branch), due, done, f"{done / due:.1%}"])
                if not mine:
                    continue
                rows = [
                    [f"{core(branch)} 青年大学习{stem} 截图统计"],
                    ["序号", "姓名（身份证号）", "学习时间", "备注"],
                ]
                for i, r in enumerate(mine, 1):
                    shown = shown_id(r)
                    who = f"{names[r.person]}（{shown}）" if shown else names[r.person]
                    rows.append([i, who, r.recorded_at.replace(microsecond=0), None])
                rows.append(["合计", f"共{len(mine)}人次"])
                sheets.append((core(branch), rows))
        save(folder / "青年大学习" / f"{year}年青年大学习{stem}学习情况汇总.xlsx", sheets)
    return replace(town, study=tuple(replace(r, identifiable=identifiable(r)) for r in town.study))


def activities(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    acts = sorted(town.activities_in(year), key=lambda a: a.date)
    twice = {a.name for a in acts if len(a.written) > 1} | {"青年之家揭牌启用", "植树造林"}
    rows: list[list] = [
        [f"共青团{town.town}委员会{year}年活动台账"],
        ["序号", "活动时间", "活动名称", "活动类型", "主办单位", "参与人数", "活动地点", "受益人数", "备注"],
    ]
    entries: list[tuple[object, list]] = []
    for a in acts:
        writers = (
            [h.full, town.committee]
            if a.organiser == "镇团委"
            else [h.spell(a.organiser), formal(a.organiser)]
        )
        count = 2 if a.name in twice and (a.organiser == "镇团委" or len(a.written) > 1) else 1
        for k in range(count):
            note = a.note
            if a.volunteers:
                note = "；".join(x for x in (note, "志愿服务时长见志愿汇导出") if x)
            row = [h.day(a.date, year), a.name, a.activity_type, writers[k] if count == 2 else writers[0]]
            entries.append((a, [*row, a.participants, a.location, a.beneficiaries, note]))
    rows.append(["合计", None, None, None, None, sum(row[4] for _, row in entries)])  # a SUM over the rows
    quarter = None
    for n, (a, row) in enumerate(entries, 1):
        q = (a.date.month - 1) // 3
        if quarter is not None and q != quarter:
            rows.append([])
        quarter = q
        rows.append([n, *row])
    save(folder / f"{year}年团委活动台账.xlsx", [(f"{year}年", rows)])
    volunteer_export(h, town, acts, folder)


def volunteer_export(h: Hand, town: SampleTown, acts: list, folder: Path) -> None:
    rows: list[list] = [
        [
            "序号",
            "活动名称",
            "发布组织",
            "活动开始时间",
            "活动结束时间",
            "志愿者姓名",
            "证件号码",
            "手机号码",
            "服务时长（分钟）",
        ]
    ]
    listed: dict[tuple[date, str], list[Person]] = defaultdict(list)
    for p in town.activity_participants:
        if p.person:
            listed[(p.date, p.activity)].append(town.person(p.person))
    for a in acts:
        if not a.volunteers or not a.hours_per_person:
            continue
        crew = listed.get((a.date, a.name), [])[: a.volunteers]
        if len(crew) < a.volunteers:
            pool = [p for p in town.members_active_on(a.date) if p not in crew]
            home = [p for p in pool if a.organiser in ("镇团委", p.branch_on(a.date))]
            rest = [p for p in pool if p not in home]
            h.rng.shuffle(home)
            h.rng.shuffle(rest)
            crew += (home + rest)[: a.volunteers - len(crew)]
        base = round(a.hours_per_person * 60)
        minutes = [base] * len(crew)
        for i in range(0, len(crew) - 1, 2):
            d = h.rng.choice([0, 15, 30])
            minutes[i] += d
            minutes[i + 1] -= d
        start = datetime(a.date.year, a.date.month, a.date.day, h.rng.choice([8, 9, 14]), 30)
        end = start + timedelta(minutes=base)
        org = h.full if a.organiser == "镇团委" else formal(a.organiser)
        for p, m in zip(crew, minutes, strict=True):
            phone = p.phone[:3] + "****" + p.phone[-4:]
            rows.append([len(rows), a.name, org, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", p.name])
            rows[-1] += [mask_id(p.id_number), phone, m]
    save(folder / "志愿汇_服务时长明细导出.xlsx", [("服务时长明细", rows)])


def checkins(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    order = {b: i for i, b in enumerate(town.branch_names)}
    pos = {p.pid: p.position for p in town.people}
    sheets = []
    for month in range(1, 13):
        got = sorted(
            (c for c in town.checkins if c.month == date(year, month, 1)),
            key=lambda c: (order[c.branch], c.name),
        )
        if not got:
            continue
        rows: list[list] = [
            [f"{year}年{month}月团干部学习打卡情况"],
            ["序号", "团支部", "姓名", "职务", "打卡时间"],
        ]
        for i, c in enumerate(got, 1):
            when = h.day(c.checkin_date, year) if c.checked_in and c.checkin_date else "未打卡"
            if c.checked_in and not c.checkin_date:
                when = "已打卡"
            rows.append([i, h.spell(c.branch), c.name, pos.get(c.person or "") or "—", when])
        sheets.append((f"{month}月", rows))
    save(folder / f"{year}年团干部每月学习打卡统计.xlsx", sheets)


def recruitment(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    end = date(year, 12, 31)
    rows: list[list] = [
        [f"{year}年度发展团员工作台账"],
        cols(
            "序号 姓名 性别 身份证号 出生年月 所在团支部 递交入团申请书时间 确定为入团积极分子时间 确定为发展对象时间 入团时间 团员编号 当前阶段"
        ),
    ]
    recs = town.recruits_in(year)
    for i, r in enumerate(recs, 1):
        dates = [h.day(d) if d else "/" for d in (r.applied, r.activist, r.target, r.joined)]
        born = f"{r.birth_date.year}.{r.birth_date.month:02d}"
        rows.append(
            [i, r.name, r.gender, r.id_number, born, h.spell(r.branch), *dates, r.league_no, r.stage_at(end)]
        )
    rows.append(
        [
            f"合计：{len(recs)}人，其中发展新团员{sum(bool(r.joined and r.joined.year == year) for r in recs)}名"
        ]
    )
    save(folder / f"发展团员台账（{year}）.xlsx", [("发展团员", rows)])


def small_tables(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    aid = [a for a in town.aid if a.date.year == year]
    rows: list[list] = [
        ["序号", "项目名称", "姓名", "身份证号", "所在村（社区）", "就读学校", "发放金额（元）", "发放日期"]
    ]
    rows.append(
        ["合计", None, f"{len(aid)}人次", None, None, None, f"{sum(a.amount for a in aid):.2f}", None]
    )
    for i, a in enumerate(aid, 1):
        d = a.date
        when = h.rng.choice(
            [f"{d.year}.{d.month}.{d.day}", f"{d.year}年{d.month}月{d.day}日", f"{d:%Y/%m/%d}"]
        )
        rows.append([i, a.programme, a.name, a.id_number, a.village, a.school, f"{a.amount:.2f}", when])
    save_csv(folder / f"爱心助学金发放明细_{year}.csv", rows)

    rows = [[f"{year}年度基层团组织对标定级结果汇总"], ["序号", "团支部名称", "考评得分", "定级结果"]]
    for i, r in enumerate((r for r in town.ratings if r.year == year), 1):
        rows.append([i, formal(r.branch), r.score, r.rating_raw])
    save_csv(folder / f"{year}年度对标定级结果.csv", rows)

    ids = {p.pid: p.id_number for p in town.people}
    rows = [["序号", "所在团支部", "姓名", "身份证号", "评议等次"]]
    for i, r in enumerate((r for r in town.reviews if r.year == year), 1):
        rows.append([i, h.spell(r.branch), r.name, mask_id(ids[r.person]), r.result])
    save_csv(folder / f"{year}年团员教育评议结果.csv", rows)

    rows = [["序号", "姓名", "身份证号", "转出团支部", "转入团支部", "转接时间", "办理状态"]]
    for i, t in enumerate((t for t in town.transfers if t.date.year == year), 1):
        when = f"{t.date.year}年{t.date.month}月{t.date.day}日"
        rows.append([i, t.name, t.id_number, formal(t.from_branch), formal(t.to_branch), when, "已完成"])
    save_csv(folder / f"组织关系转接登记_{year}.csv", rows)


def dues(h: Hand, town: SampleTown, year: int, folder: Path) -> None:
    """团费收缴登记表: 0.2 元/月 for the months each member belonged in the year (not a kind of the suite)."""
    rows: list[list] = [
        [f"{town.town}团委{year}年度团费收缴登记表"],
        ["序号", "团支部", "姓名", "缴纳月份", "金额（元）", "收缴日期"],
    ]
    paid = []
    for p in town.roster(year):
        first = max(p.join_date, date(year, 1, 1)).month
        last = p.leave_date.month if p.leave_date and p.leave_date.year == year else Y_END
        paid.append((p, first, last))
    for i, (p, first, last) in enumerate(paid, 1):
        months = f"{year}年{first}月-{last}月"
        rows.append(
            [i, h.spell(p.branch), p.name, months, f"{0.2 * (last - first + 1):.2f}", f"{year}.12.20"]
        )
    rows.append(["合计", None, f"{len(paid)}人", None, f"{sum(0.2 * (b - a + 1) for _, a, b in paid):.2f}"])
    rows.append(["经办人：", None, None, "审核人："])
    save(folder / f"{year}年团费收缴登记表.xlsx", [("团费", rows)])


@register("subdistrict_plain")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    """Write ``year`` of ``town`` as a sub-district committee's plain exports; return the town as written."""
    h = Hand(town, seed=20221231)
    folder.mkdir(parents=True, exist_ok=True)
    roster(h, town, year, folder)
    written = study(h, town, year, folder)
    activities(h, town, year, folder)
    checkins(h, town, year, folder)
    recruitment(h, town, year, folder)
    small_tables(h, town, year, folder)
    dues(h, town, year, folder)
    return written
