"""Blind dialect ``history_exports``: the platforms' running exports, dropped whole into the 2022 folder.

Written from the domain guide and public descriptions of the platforms only. Every file covers more than
the report year, as a download made on 2023-02-15 does:

* 智慧团建 团员信息, 全部团员（含历史）: everyone who ever belonged, 团籍状态 离团 with 2021 dates, an
  aged-out member whose 离团 was processed in January 2023, a January 2023 transfer already shown in
  所在团支部;
* 青年大学习 back-office 全部期次 (csv): one sheet from 2021年第1期 to February 2023, a 2021 period
  released on 2021-12-27 whose records run into January 2022, 2023 periods of the same people, 特辑 and
  五四特辑 titles repeated every year, duplicate submissions;
* 团干部学习打卡 event log from January 2022 to the export day (presence only, some twice a month);
* 活动台账 kept as one running file since 2020, a sheet per year, the template changed in 2022 (two-row
  header), 2023 dates written ``1.6``;
* 发展团员 ledger since 2020 (applied 2020/2021 and joined 2021/2022, a 2023 applicant);
* 爱心助学 2021–2023 with 合计 and signature rows, 对标定级 with a 年度 column, 教育评议 with 评议年度,
  组织关系转接 history 2020–2023 with 已退回 and 待审核 rows.
"""

from __future__ import annotations

import csv
import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook

from tuanwei_sample.blind import register
from tuanwei_sample.model import Activity, Checkin, Person, Recruit, SampleTown, StudyPeriod, StudyRecord

EXPORTED = datetime(2023, 2, 15, 10, 21, 37)
PATH = "示例省示例市示例县"
DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    if n < 10:
        return DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def label(p: StudyPeriod) -> str:
    """The course title as the back-office lists it: 第十二季第五期, 2021年第12期, 特辑, 五四特辑."""
    if p.title:
        return p.title
    if p.season:
        return f"第{cn_number(p.season)}季第{cn_number(p.number or 0)}期"
    return f"{p.year}年第{p.number}期"


def spellings(town: SampleTown, rng: random.Random, canonical: float) -> dict[str, str]:
    """One spelling per branch, as one platform registered it."""
    out = {}
    for b in town.branches:
        others = list(b.aliases) + list(b.variants)
        out[b.name] = rng.choice(others) if others and rng.random() > canonical else b.name
    return out


def save(folder: Path, name: str, sheets: list[tuple[str, list[list]]], merges: dict | None = None) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for cells in (merges or {}).get(title, ()):
            ws.merge_cells(cells)
    wb.save(folder / name)


def ymd(d: date | None) -> str | None:
    return d.strftime("%Y-%m-%d") if d else None


def invent_periods(town: SampleTown, rng: random.Random) -> tuple[list[StudyPeriod], list[StudyRecord]]:
    """A 2021 period released on 2021-12-27 (records run into January 2022) and four 2023 periods."""
    d = datetime
    specs = [
        StudyPeriod("2021年第49期", 2021, d(2021, 12, 27, 10), d(2022, 1, 2, 20), None, 49),
        StudyPeriod("第13季第27期", 2023, d(2023, 1, 3, 10), d(2023, 1, 8, 20), 13, 27),
        StudyPeriod("第13季第28期", 2023, d(2023, 1, 9, 10), d(2023, 1, 15, 20), 13, 28),
        StudyPeriod("特辑:特辑(01-30)", 2023, d(2023, 1, 30, 10), d(2023, 2, 5, 20), None, None, "特辑"),
        StudyPeriod("第13季第29期", 2023, d(2023, 2, 6, 10), d(2023, 2, 12, 20), 13, 29),
    ]
    rates = {b.name: b.study_rate for b in town.branches}
    records = []
    for p in specs:
        day = p.opens.date()
        learners = [
            (q.pid, True, q.branch_on(day), rates[q.branch_on(day)])
            for q in town.members_active_on(day)
            if not q.never_studies
        ]
        learners += [(y.pid, False, y.branch, 0.5) for y in town.youths]
        for pid, member, branch, rate in learners:
            if rng.random() < rate:
                at = p.opens + timedelta(seconds=int(rng.expovariate(1 / 130000)))
                at = min(at, p.closes + timedelta(hours=rng.uniform(0, 20)))
                records.append(StudyRecord(p.year, p.label, pid, member, branch, at, "", "", "", None))
    return specs, records


def write_study(town: SampleTown, rng: random.Random, folder: Path) -> tuple[StudyRecord, ...]:
    """青年大学习 back-office, 全部期次: one row per submission, newest first, title and footer rows."""
    spell = spellings(town, rng, 0.5)
    by_label = {(p.label, p.year): p for p in town.periods}
    names = {**{y.pid: y.name for y in town.youths}, **{p.pid: p.name for p in town.people}}
    numbers = {**{y.pid: y.student_no for y in town.youths}, **{p.pid: p.student_no for p in town.people}}
    file = "青年大学习_学习记录_全部期次_20230215.csv"
    shared = {p.name for p in town.people if sum(q.name == p.name for q in town.people) > 1}
    rows, out = [], []
    for k, r in enumerate(town.study + town.study_duplicates):
        number = numbers[r.person] if rng.random() < 0.9 else None
        name = names[r.person]
        ident = rng.choice([" " + name, name + " ", name + "\u3000"]) if rng.random() < 0.03 else name
        text = label(by_label[(r.period, r.year)])
        text = " " + text if rng.random() < 0.01 else text
        branch = spell[r.branch]
        rows.append((r.recorded_at, text, ident, number, branch))
        if k >= len(town.study):
            continue
        identifiable = True
        if r.is_member and name in shared and not number:  # a name-only record of a shared name
            day = r.recorded_at.date()
            identifiable = not [
                p for p in town.members_active_on(day, r.branch) if p.name == name and p.pid != r.person
            ]
        written = {"raw_period": text, "raw_identity": ident, "raw_branch": branch}
        out.append(replace(r, identifiable=identifiable, file=f"2022/{file}", **written))
    rows.sort(key=lambda x: x[0], reverse=True)
    with open(folder / file, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([f"青年大学习学习记录（全部期次） 组织：示例镇团委 导出时间：{EXPORTED:%Y-%m-%d %H:%M}"])
        w.writerow(
            ["序号", "期次", "姓名", "学号/工号", "省", "市", "区县", "所属团委", "所属团支部", "学习时间"]
        )
        for i, (at, text, ident, number, branch) in enumerate(rows, 1):
            place = ["示例省", "示例市", "示例县", "示例镇团委", branch]
            w.writerow([i, text, ident, number or "", *place, f"{at:%Y-%m-%d %H:%M:%S}"])
        w.writerow([f"共 {len(rows)} 条记录"])
    return tuple(out)


def write_roster(town: SampleTown, rng: random.Random, folder: Path) -> None:
    """智慧团建 团员信息, 全部团员（含历史）: status and 离团时间 as of the export day."""
    spell = spellings(town, rng, 0.85)
    head = "序号 姓名 性别 民族 出生日期 身份证号码 手机号码 政治面貌 入团年月 团员编号 全日制学历 职业 学号"
    head += " 所在团支部 是否团干部 团内现任职务 团籍状态 离团时间"
    sheet = [[f"团员信息导出（全部团员，含已离团人员） 导出时间：{EXPORTED:%Y-%m-%d %H:%M}"], head.split()]
    people = sorted(town.people, key=lambda p: (town.branch_names.index(p.branch), p.join_date))
    for i, p in enumerate(people, 1):
        status = p.status_at(EXPORTED.date())
        left = p.leave_date if status != "正常" and p.leave_date_written else None
        who = [i, p.name, p.gender, p.ethnicity, ymd(p.birth_date), p.id_number, p.phone, p.political_status]
        league = [f"{p.join_date:%Y-%m}", p.member_no, p.education, p.occupation, p.student_no]
        post = ["是" if p.is_cadre else "否", p.position or "无", status, ymd(left)]
        sheet.append([*who, *league, spell[p.branch], *post])
    save(folder, "团员信息_全部团员（含历史）_20230215.xlsx", [("团员信息", sheet)])


def invent_checkins(town: SampleTown, rng: random.Random) -> list[Checkin]:
    out = []
    for month in (date(2023, 1, 1), date(2023, 2, 1)):
        for p in town.cadres_active_on(month):
            if rng.random() < 0.85:
                d = month + timedelta(days=rng.randint(0, 13))
                out.append(Checkin(month, p.pid, p.name, p.branch_on(d), True, d))
    return out


def write_checkins(town: SampleTown, rng: random.Random, folder: Path, extra: list[Checkin]) -> None:
    """Platform check-in log: one row per check-in, presence only, January 2022 to the export day."""
    contents = ["团章学习", "每月一课", "习近平新时代中国特色社会主义思想学习", "团史学习", "团干部网络培训"]
    posts = {p.pid: p.position for p in town.people}
    spell = spellings(town, rng, 0.6)
    events = []
    for c in town.checkins + tuple(extra):
        if not c.checked_in or c.checkin_date is None:
            continue
        days = [c.checkin_date]
        later = c.checkin_date + timedelta(days=rng.randint(3, 12))
        if rng.random() < 0.3 and later.month == c.checkin_date.month and later <= EXPORTED.date():
            days.append(later)
        for d in days:
            at = datetime.combine(d, datetime.min.time()) + timedelta(minutes=rng.randint(420, 1380))
            post = posts.get(c.person or "") or ""
            events.append((at, c.name, f"示例镇团委/{spell[c.branch]}", post, rng.choice(contents)))
    events.sort()
    sheet = [["序号", "打卡人", "所属组织", "团内职务", "打卡时间", "打卡类型", "学习内容"]]
    for i, (at, name, org, post, what) in enumerate(events, 1):
        sheet.append([i, name, org, post, f"{at:%Y-%m-%d %H:%M}", "学习打卡", what])
    save(folder, "团干部学习打卡记录_20220101-20230215.xlsx", [("打卡记录", sheet)])


INVENTED_ACTIVITIES = """\
2020-03-12|植树造林志愿服务|塔岗村团支部|volunteer|志愿服务|16|12|36|塔岗村后山
2020-05-04|五四青年座谈会|镇团委|ideology|思想引领|30|||镇文化站
2020-07-20|暑期青少年自护讲座|示例镇中学团支部|youth_service||45|||示例镇中学
2020-11-06|团干部培训班|镇团委|self_building|自身建设|24|||镇政府会议室
2023-01-06|扫雪清障|北岭村团支部|volunteer|志愿服务|11|8|2|北岭村主干道
2023-01-12|寒假青少年自护讲座|镇团委|youth_service|成长成才|38|||示例镇中学
2023-01-18|新春关爱留守儿童|新华社区团支部|youth_service||15|6|3|新华社区
2023-02-05|元宵节主题团日活动|示例镇机关团支部|ideology|思想引领|20|||镇政府会议室"""


def invent_activities() -> list[Activity]:
    """A few 2020 activities (the ledger runs since 2020) and January–February 2023 ones."""
    out = []
    for line in INVENTED_ACTIVITIES.splitlines():
        day, name, org, sec, typ, n, vol, hrs, loc = line.split("|")
        d = date.fromisoformat(day)
        hours = float(hrs) if hrs else None
        per, total = (hours, None) if d.year == 2023 else (None, hours)
        written = ((name, "示例镇团委" if org == "镇团委" else org),)
        volunteers = int(vol) if vol else None
        out.append(
            Activity(
                d.year,
                d,
                name,
                org,
                sec,
                typ or None,
                int(n),
                volunteers,
                per,
                total,
                None,
                loc,
                None,
                written,
            )
        )
    return out


def write_activities(folder: Path, acts: list[Activity]) -> None:
    """One running ledger since 2020: a sheet per year; from 2022 a two-row header, per-person hours."""
    sheets, merges = [], {}
    old_head = "序号 活动日期 活动名称 活动类型 组织单位 参与人数 志愿者人数 服务总时长（小时） 活动地点 受益人数 备注"
    new_head = "序号 活动日期 活动名称 活动类型 组织团支部 参与人数 志愿服务情况 - 活动地点 受益人数 备注"
    for year in (2020, 2021, 2022, 2023):
        data = []
        for a in sorted((a for a in acts if a.year == year), key=lambda a: a.date):
            if year <= 2021:
                when: object = datetime.combine(a.date, datetime.min.time())
            elif year == 2022:
                when = f"{a.date:%Y}年{a.date.month}月{a.date.day}日"
            else:
                when = f"{a.date.month}.{a.date.day}"
            hours = a.total_hours if year <= 2021 else a.hours_per_person
            for name, org in a.written:
                row = [when, name, a.activity_type, org, a.participants, a.volunteers, hours]
                data.append([len(data) + 1, *row, a.location, a.beneficiaries, a.note])
        total = ["合计", None, None, None, None, sum(r[5] for r in data), sum(r[6] or 0 for r in data)]
        title = f"示例镇团委{year}年度活动台账" + ("（截至2月）" if year == 2023 else "")
        sheet = f"{year}年"
        merges[sheet] = ["A1:K1"]
        if year <= 2021:
            head = [old_head.split()]
            total.append(sum(r[7] or 0 for r in data))
        else:
            top = [None if c == "-" else c for c in new_head.split()]
            head = [top, [None] * 6 + ["志愿者人数", "人均服务时长（小时）"] + [None] * 3]
            merges[sheet] += ["G2:H2"] + [f"{c}2:{c}3" for c in "ABCDEFIJK"]
        sheets.append((sheet, [[title], *head, *data, total]))
    save(folder, "示例镇团委活动台账（2020年起）.xlsx", sheets, merges)


def write_recruits(folder: Path, recruits: list[Recruit]) -> None:
    head = "序号 姓名 性别 身份证号码 出生日期 所在团支部 递交入团申请书时间 确定为入团积极分子时间"
    head += " 确定为发展对象时间 入团时间 发展团员编号 当前阶段"
    sheet = [["示例镇发展团员工作台账（2020年以来，持续更新）"], head.split()]
    for i, r in enumerate(sorted(recruits, key=lambda r: r.applied or date.min), 1):
        who = [i, r.name, r.gender, r.id_number, ymd(r.birth_date), r.branch]
        stages = [ymd(r.applied), ymd(r.activist), ymd(r.target), ymd(r.joined)]
        sheet.append([*who, *stages, r.league_no, r.stage_at(EXPORTED.date())])
    save(folder, "发展团员工作台账（2020-2023）.xlsx", [("发展团员", sheet)])


def write_aid(folder: Path, aid: list) -> None:
    head = [
        "序号",
        "项目名称",
        "发放日期",
        "受助学生",
        "身份证号",
        "所在村（社区）",
        "就读学校",
        "发放金额（元）",
    ]
    sheet = [["爱心助学发放台账（2021年—2023年）"], head]
    for i, a in enumerate(sorted(aid, key=lambda a: a.date), 1):
        sheet.append([i, a.programme, ymd(a.date), a.name, a.id_number, a.village, a.school, a.amount])
    sheet.append(["合计", None, None, None, None, None, None, sum(a.amount for a in aid)])
    sheet.append(["经办人：", None, None, "审核人：", None, "（盖章）"])
    save(folder, "爱心助学发放台账（2021-2023）.xlsx", [("发放明细", sheet)])


def write_ratings_reviews(town: SampleTown, rng: random.Random, folder: Path) -> None:
    spell = spellings(town, rng, 0.7)
    types = {b.name: b.type for b in town.branches}
    order = town.branch_names.index
    rating = [["年度", "团支部名称", "支部类型", "考核得分", "定级结果"]]
    for r in sorted(town.ratings, key=lambda r: (-r.year, order(r.branch))):
        rating.append([r.year, spell[r.branch], types[r.branch], r.score, r.rating_raw])
    save(folder, "对标定级结果（2021-2022年度）.xlsx", [("定级结果", rating)])
    ids = {p.pid: p.id_number for p in town.people}
    review = [
        ["团员教育评议结果汇总（2021—2022年度）"],
        ["评议年度", "团支部", "姓名", "身份证号码", "评议结果"],
    ]
    for r in sorted(town.reviews, key=lambda r: (r.year, order(r.branch))):
        review.append([f"{r.year}年度", spell[r.branch], r.name, ids[r.person], r.result])
    save(folder, "团员教育评议结果（2021-2022年度）.xlsx", [("评议结果", review)])


def write_transfers(folder: Path, rows: list[tuple]) -> None:
    """组织关系转接 history: organisations as full paths, every state the platform keeps."""
    sheet = [
        ["序号", "姓名", "身份证号码", "转出组织", "转入组织", "转接原因", "申请时间", "办结时间", "转接状态"]
    ]
    for i, (p, src, dst, why, applied, done, state) in enumerate(sorted(rows, key=lambda r: r[4]), 1):
        full = [o if o.startswith(PATH) else f"{PATH}示例镇团委{o}" for o in (src, dst)]
        sheet.append([i, p.name, p.id_number, *full, why, ymd(applied), ymd(done), state])
    save(folder, "组织关系转接记录_20230215.xlsx", [("转接记录", sheet)])


@register("history_exports")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(20230215)
    folder.mkdir(parents=True, exist_ok=True)
    end = date(year, 12, 31)
    active = town.members_active_on(end)
    # 2023 events consistent with the model: an aged-out member processed in January, a transfer.
    aged = [p for p in active if p.age_on(end) >= 28 and not p.is_cadre]
    mover = next(p for p in active if p.branch == "柳河村团支部" and not p.is_cadre and p.name != "谢欣瑶")
    stays = next(p for p in active if p.branch == "南沟村团支部" and not p.is_cadre)
    arrived = next(p for p in active if p.branch == "示例镇机关团支部" and p.join_date.year < 2020)
    changed: dict[str, Person] = {
        p.pid: replace(p, leave_date=date(2023, 1, 12), leave_status="满28周岁离团") for p in aged
    }
    moved = (*mover.branch_history, (date(2023, 1, 10), "朝阳社区团支部"))
    changed[mover.pid] = replace(mover, branch_history=moved)
    town = replace(town, people=tuple(changed.get(p.pid, p) for p in town.people))

    periods, invented = invent_periods(town, rng)
    town = replace(town, periods=town.periods + tuple(periods), study=town.study + tuple(invented))
    study = write_study(town, rng, folder)
    write_roster(town, rng, folder)
    checkins = invent_checkins(town, rng)
    write_checkins(town, rng, folder, checkins)
    acts = list(town.activities) + invent_activities()
    write_activities(folder, acts)
    newcomer = Recruit(
        "R15", "韩梦琪", "990102200803164228", "女", date(2008, 3, 16), "示例镇中学团支部",
        date(2023, 1, 9), None, None, None, None, True, None, (2023,),
    )  # fmt: skip
    recruits = [*town.recruits, newcomer]
    write_recruits(folder, recruits)
    winter = [a for a in town.aid if a.year == year and a.programme == "情暖童心"][:2]
    aid = [*town.aid, *(replace(a, year=2023, date=date(2023, 1, 16)) for a in winter)]
    write_aid(folder, aid)
    write_ratings_reviews(town, rng, folder)

    outside = f"{PATH}城关镇团委城东社区团支部"
    rows = [
        (arrived, outside, arrived.branch, "工作调动", date(2020, 8, 3), date(2020, 8, 10), "转接成功"),
        (stays, stays.branch, "北岭村团支部", "居住地变更", date(2022, 9, 5), date(2022, 9, 20), "已退回"),
        (
            mover,
            "柳河村团支部",
            "朝阳社区团支部",
            "居住地变更",
            date(2023, 1, 4),
            date(2023, 1, 10),
            "转接成功",
        ),
        (stays, stays.branch, outside, "外出务工", date(2023, 2, 8), None, "待转入组织审批"),
    ]
    for t in town.transfers:
        p = town.person(t.person)
        rows.append(
            (p, t.from_branch, t.to_branch, "居住地变更", t.date - timedelta(days=5), t.date, "转接成功")
        )
    write_transfers(folder, rows)
    return replace(
        town,
        study=study,
        activities=tuple(acts),
        recruits=tuple(recruits),
        aid=tuple(aid),
        checkins=town.checkins + tuple(checkins),
    )
