"""Blind dialect “qndxx_backoffice”: 青年大学习 back-office downloads plus the middle school's own exports.

Written from the domain guide and public descriptions of the platforms only (never from the recognisers).

* 青年大学习/第十二季/示例镇团委-第五期.xlsx … one 报名列表 per period, the season only in the folder, the
  period only in the file name (Chinese numerals); the clerk added sheets 学习率统计 and 未学习名单.
* 青年大学习/第十三季/第5期/示例镇团委-第5期.xlsx … per-period folders holding the download plus the derived
  学习率.xlsx (per-branch 学习率 / 参与率 / 本期分数 / 排名) and 未学习名单.xlsx; the second 特辑 is 特辑(1).
* 报名列表: ID / 姓名 / 编号 / 归属组织 / 报名时间 (text), newest first; 归属组织 is a full path (season 12
  `示例省示例市示例县示例镇团委/塔岗村团支部`, season 13 `示例省-示例市-示例县-示例镇团委-…`) or the committee
  itself for people registered directly under it; 编号 is the platform's user number (not on the roster).
* 示例镇中学团委上报/2022年3月/学习记录导出.xlsx: title row, 课程 / 系统 / 学校 / 学院 / 班级 /
  学号/卡号/工号 / 学习时间, footer row; the identity cell mixes name, 学号 and ID tails (`102X张伟`,
  `张伟102x`); 课程 has a leading space for some periods; beside it 学习率.xlsx and 未学习学生.xlsx.
* The late-December 2021 period's download sits in the 2022 folder too.
* Other kinds in plain office shapes; the roster carries the school members' 学号 in a column added by hand.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from tuanwei_sample.blind import register
from tuanwei_sample.model import Person, SampleTown, StudyPeriod, StudyRecord

SCHOOL = "示例镇中学团支部"
PATH12 = "示例省示例市示例县示例镇团委"
PATH13 = "示例省-示例市-示例县-示例镇团委"
DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numerals up to 99 (第十二季, 第二十一期)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + (DIGITS[ones] if ones else "")


def save(path: Path, sheets: list[tuple[str, list[list]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)


def pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def student_no(p: Person) -> str:
    """The school's 学号 (工号 for staff): Person.student_no, else join year + person number."""
    return p.student_no or f"{p.join_date.year}{int(p.pid[1:]):04d}"


class Writer:
    def __init__(self, town: SampleTown, year: int, folder: Path) -> None:
        self.town, self.year, self.folder = town, year, folder
        self.rng = random.Random(20220516)
        self.roster = town.roster(year)
        self.by_pid = {p.pid: p for p in town.people}
        self.named: dict[str, list[Person]] = defaultdict(list)
        for p in self.roster:
            self.named[p.name].append(p)
        self.names = {**{p.pid: p.name for p in town.people}, **{y.pid: y.name for y in town.youths}}
        self.youth = {y.pid: y for y in town.youths}
        spell = {}
        for b in town.branches:  # one node name per branch on the platform
            spell[b.name] = self.rng.choice([b.name, b.name, *b.aliases, *b.variants])
        self.node = spell
        self.uid: dict[str, int] = {}
        self.direct: set[str] = set()  # registered under the committee itself
        for pid in sorted(self.names):
            self.uid[pid] = self.rng.randint(10_000_000, 99_999_999)
            if self.rng.random() < 0.07:
                self.direct.add(pid)
        self.klass: dict[str, tuple[str, str]] = {}
        for p in sorted(town.people, key=lambda p: p.pid):
            self.klass[p.pid] = self.school_class(p.birth_date, p.occupation == "学生")
        for y in town.youths:
            born = date(int(y.student_no[:4]) - 12, 1, 1) if y.student_no else date(2006, 1, 1)
            self.klass[y.pid] = self.school_class(born, True)
        self.written: dict[int, StudyRecord] = {}

    def school_class(self, born: date, pupil: bool) -> tuple[str, str]:
        if not pupil:
            return "教职工", "教职工"
        age = 2022 - born.year - (born.month > 8)
        grade = {13: "初二", 14: "初三", 15: "高一", 16: "高二"}.get(age, "初一" if age < 13 else "高三")
        return ("初中部" if grade.startswith("初") else "高中部"), f"{grade}({self.rng.randint(1, 4)})班"

    # ---------- identifiability ----------
    def identifiable(
        self, r: StudyRecord, name: str | None, evidence: str | None, branch_known: bool
    ) -> bool:
        if not r.is_member:
            return True
        day = r.recorded_at.date()
        pool = [
            p
            for p in (self.named[name] if name is not None else self.roster)
            if not branch_known or p.branch_on(day) == r.branch
        ]
        if evidence:
            ev = evidence.upper()
            pool = [p for p in pool if student_no(p) == ev or p.id_number[-len(ev) :] == ev]
        return len(pool) == 1 and pool[0].pid == r.person

    # ---------- study ----------
    def study(self) -> None:
        t = self.town
        periods = {(p.year, p.label): p for p in t.periods}
        wanted = [r for r in t.study if r.year == self.year or r.period == f"{self.year - 1}年第48期"]
        dups = [
            r for r in t.study_duplicates if r.year == self.year or r.period == f"{self.year - 1}年第48期"
        ]
        office: dict[tuple[int, str], list[tuple[StudyRecord, bool]]] = defaultdict(list)
        school: dict[tuple[int, int], list[tuple[StudyRecord, bool]]] = defaultdict(list)
        for rs, dup in ((wanted, False), (dups, True)):
            for r in rs:
                if r.branch == SCHOOL:
                    if r.year == self.year:
                        school[(r.recorded_at.year, r.recorded_at.month)].append((r, dup))
                else:
                    office[(r.year, r.period)].append((r, dup))
        seasons = self.seasons(periods)
        specials_seen: dict[tuple[int, str], int] = defaultdict(int)
        record_id = 3_500_000
        for key in sorted(office, key=lambda k: periods[k].opens):
            per = periods[key]
            rows = office[key]
            season = seasons[key]
            ids = {}
            for r, dup in sorted(rows, key=lambda x: x[0].recorded_at):
                record_id += self.rng.randint(1, 40)
                ids[(id(r), dup)] = record_id
            data = []
            for r, dup in sorted(rows, key=lambda x: x[0].recorded_at, reverse=True):
                data.append([ids[(id(r), dup)], *self.office_row(r, dup, season)])
            sheet = [["ID", "姓名", "编号", "归属组织", "报名时间"], *data]
            if per.year < self.year:
                self.save_rel(f"青年大学习/示例镇团委-{per.label}.xlsx", [("报名列表", sheet)])
                continue
            if per.is_special:
                n = specials_seen[(season, per.title)]
                specials_seen[(season, per.title)] += 1
                name = per.title + (f"({n})" if n else "")
            else:
                name = f"第{cn(per.number)}期" if season == 12 else f"第{per.number}期"
            stats, missing = self.office_summary(per, rows, f"第{cn(season)}季{name}")
            if season == 12:
                self.save_rel(
                    f"青年大学习/第{cn(season)}季/示例镇团委-{name}.xlsx",
                    [("报名列表", sheet), ("学习率统计", stats), ("未学习名单", missing)],
                )
            else:
                sub = f"青年大学习/第{cn(season)}季/{name}"
                self.save_rel(f"{sub}/示例镇团委-{name}.xlsx", [("报名列表", sheet)])
                self.save_rel(f"{sub}/学习率.xlsx", [("各支部学习情况", stats)])
                self.save_rel(f"{sub}/未学习名单.xlsx", [("未学习名单", missing)])
        lead = {label for (y, label) in periods if y == self.year and self.rng.random() < 0.15}
        for (y, m), rows in sorted(school.items()):
            self.school_month(y, m, rows, periods, lead)

    def seasons(self, periods: dict[tuple[int, str], StudyPeriod]) -> dict[tuple[int, str], int]:
        out, season = {}, 12
        for key, p in sorted(periods.items(), key=lambda kv: (kv[1].opens, kv[1].is_special)):
            if p.season:
                season = p.season
            out[key] = season
        return out

    def office_row(self, r: StudyRecord, dup: bool, season: int) -> list:
        name = self.names[r.person]
        roll = self.rng.random()
        shown = name + " " if roll < 0.03 else " " + name if roll < 0.05 else name
        if r.person in self.direct:
            org = PATH12 if season == 12 else PATH13
            known = False
        else:
            org = f"{PATH12}/{self.node[r.branch]}" if season == 12 else f"{PATH13}-{self.node[r.branch]}"
            known = True
        if not dup:
            self.written[id(r)] = replace(
                r, identifiable=self.identifiable(r, name, None, known), raw_identity=shown, raw_branch=org
            )
        return [shown, self.uid[r.person], org, r.recorded_at.strftime("%Y-%m-%d %H:%M:%S")]

    def office_summary(
        self, per: StudyPeriod, rows: list[tuple[StudyRecord, bool]], name: str
    ) -> tuple[list, list]:
        day = per.closes.date()
        members = self.town.members_active_on(day)
        learned = {r.person for r, _ in rows}
        takers: dict[str, int] = defaultdict(int)
        for r, dup in rows:
            if not dup:
                takers[r.branch] += 1
        table, missing = [], []
        for b in self.town.branch_names:
            if b == SCHOOL:
                continue
            group = [p for p in members if p.branch_on(day) == b]
            if not group:
                continue
            done = sum(p.pid in learned for p in group)
            table.append([b, len(group), done, done / len(group), takers[b] / len(group)])
            missing += [[b, p.name, "未学习"] for p in group if p.pid not in learned]
        table.sort(key=lambda x: -x[3])
        stats = [
            [f"示例镇团委青年大学习{name}学习情况统计（截至{day.month}月{day.day}日）"],
            ["排名", "团支部", "团员数", "学习人数", "学习率", "参与率", "本期分数"],
        ]
        stats += [
            [i, b, n, d, pct(rate), pct(part), round(rate * 100, 1)]
            for i, (b, n, d, rate, part) in enumerate(table, 1)
        ]
        tot_n, tot_d = sum(x[1] for x in table), sum(x[2] for x in table)
        stats.append(["合计", "", tot_n, tot_d, pct(tot_d / tot_n), "", ""])
        return stats, [["序号", "团支部", "姓名", "备注"], *[[i, *m] for i, m in enumerate(missing, 1)]]

    def identity(self, r: StudyRecord) -> tuple[str | int, str | None, str | None]:
        """The school identity cell, with the name and evidence it carries."""
        name = self.names[r.person]
        p = self.by_pid.get(r.person)
        sno = student_no(p) if p else self.youth[r.person].student_no
        tail = p.id_number[-4:] if p else None
        if tail and tail.endswith("X") and self.rng.random() < 0.5:
            tail = tail[:-1] + "x"
        roll = self.rng.random()
        if tail and (roll < 0.15 or (tail[-1] in "Xx" and roll < 0.4)):
            return (f"{tail}{name}" if self.rng.random() < 0.5 else f"{name}{tail}"), name, tail
        if not sno or roll < 0.25:
            return name, name, None
        if roll < 0.32:
            return int(sno), None, sno
        shape = self.rng.choice(["{s}{n}", "{s}{n}", "{n}{s}", "{s}-{n}", "{s} {n}", "{n}-{s}"])
        return shape.format(s=sno, n=name), name, sno

    def course(self, per: StudyPeriod, lead: set[str]) -> str:
        text = per.title if per.is_special else f"第{cn(per.season)}季第{cn(per.number)}期"
        return " " + text if per.label in lead else text

    def school_month(self, y: int, m: int, rows, periods, lead: set[str]) -> None:
        rows = sorted(rows, key=lambda x: x[0].recorded_at)
        data = []
        for r, dup in rows:
            cell, name, ev = self.identity(r)
            per = periods[(r.year, r.period)]
            college, klass = self.klass[r.person]
            data.append(
                [self.course(per, lead), "青年大学习", "示例镇中学", college, klass, cell, r.recorded_at]
            )
            if not dup:
                self.written[id(r)] = replace(
                    r,
                    identifiable=self.identifiable(r, name, ev, True),
                    raw_identity=str(cell),
                    raw_branch="示例镇中学",
                )
        sub = f"示例镇中学团委上报/{y}年{m}月"
        sheet = [
            [f"示例镇中学青年大学习学习记录（{y}年{m}月）"],
            ["课程", "系统", "学校", "学院", "班级", "学号/卡号/工号", "学习时间"],
            *data,
            [f"共{len(data)}条记录"],
        ]
        self.save_rel(f"{sub}/学习记录导出.xlsx", [("Sheet1", sheet)])
        stats = [["课程", "班级", "团员人数", "已学习", "学习率", "排名"]]
        missing = [["课程", "班级", "学号", "姓名"]]
        for key in sorted({(r.year, r.period) for r, _ in rows}, key=lambda k: periods[k].opens):
            per = periods[key]
            day = per.closes.date()
            learned = {r.person for r, _ in rows if (r.year, r.period) == key}
            group = self.town.members_active_on(day, SCHOOL)
            classes: dict[str, list[Person]] = defaultdict(list)
            for p in group:
                classes[self.klass[p.pid][1]].append(p)
            ranked = sorted(
                classes.items(), key=lambda kv: -sum(p.pid in learned for p in kv[1]) / len(kv[1])
            )
            for i, (k, ps) in enumerate(ranked, 1):
                done = sum(p.pid in learned for p in ps)
                stats.append([self.course(per, lead), k, len(ps), done, pct(done / len(ps)), i])
                missing += [
                    [self.course(per, lead), k, student_no(p), p.name] for p in ps if p.pid not in learned
                ]
        self.save_rel(f"{sub}/学习率.xlsx", [("学习率", stats)])
        self.save_rel(f"{sub}/未学习学生.xlsx", [("未学习学生", missing)])

    # ---------- the plain kinds ----------
    def table(self, rel: str, sheet: str, head: str, rows: list, title: str | None = None, foot=None) -> None:
        """A plain office table: optional title row, header, 序号-numbered rows, optional 合计 row."""
        body = [[i, *row] for i, row in enumerate(rows, 1)]
        out = ([[title]] if title else []) + [head.split(" "), *body] + ([foot] if foot else [])
        self.save_rel(rel, [(sheet, out)])

    def roster_file(self) -> None:
        end = date(self.year, 12, 31)
        people = sorted(self.roster, key=lambda p: (self.town.branch_names.index(p.branch), p.pid))
        rows = [
            (p.name, p.gender, p.ethnicity, p.birth_date, p.phone, "居民身份证", p.id_number)  # noqa: RUF005
            + (p.political_status, p.education, p.occupation, p.branch, p.member_no)
            + (f"{p.join_date.year}.{p.join_date.month:02d}", p.status_at(end))
            + ((p.leave_date if p.leave_date and p.leave_date <= end and p.leave_date_written else None),)
            + (
                "是" if p.is_cadre else "否",
                p.position or "无",
                student_no(p) if p.branch == SCHOOL else None,
            )
            for p in people
        ]
        head = "序号 姓名 性别 民族 出生日期 手机号码 证件类型 身份证号码 政治面貌 全日制学历 职业 所在团支部"
        head += " 团员编号 入团年月 团籍状态 离团时间 是否团干部 团内现任职务 学号"
        self.table("团员花名册/团员信息导出_20221231.xlsx", "团员信息", head, rows)

    def other_files(self) -> None:
        t, y = self.town, self.year
        acts = [
            (a.date, name, a.activity_type, org, a.participants, a.volunteers, a.hours_per_person)  # noqa: RUF005
            + (a.location, a.beneficiaries, a.note)
            for a in sorted(t.activities_in(y), key=lambda a: a.date)
            for name, org in a.written
        ]
        head = "序号 活动日期 活动名称 活动类型 组织团支部 参与人数 志愿者人数 人均服务时长(小时) 活动地点 受益人数 备注"
        total = ["合计", None, None, None, None, sum(r[4] for r in acts), sum(r[5] or 0 for r in acts)]
        self.table(f"活动台账/{y}年活动台账.xlsx", "活动台账", head, acts, f"示例镇团委{y}年活动台账", total)

        rec = [
            (r.name, r.id_number, r.gender, r.birth_date, r.branch, r.applied, r.activist, r.target, r.joined)  # noqa: RUF005
            + (r.league_no, r.stage_at(date(y, 12, 31)))
            for r in t.recruits_in(y)
        ]
        head = "序号 姓名 身份证号 性别 出生日期 所在团支部 申请入团日期 确定为入团积极分子时间 确定为发展对象时间"
        self.table(
            f"发展团员/{y}年发展团员工作台账.xlsx", "发展团员", head + " 入团时间 发展团员编号 当前阶段", rec
        )

        aid = [(a.programme, a.name, a.id_number, a.village, a.school, a.amount, a.date) for a in t.aid]
        aid = [a for a in aid if a[-1].year == y]
        total = ["合计", None, None, None, None, None, sum(a[5] for a in aid)]
        head = "序号 资助项目 姓名 身份证号 所在村 就读学校 资助金额（元） 发放日期"
        self.table(f"爱心助学/{y}年助学金发放名单.xlsx", "发放名单", head, aid, None, total)

        rows = [(r.branch, r.score, r.rating_raw) for r in t.ratings if r.year == y]
        self.table(
            f"对标定级/{y}年度团支部对标定级结果.xlsx", "定级结果", "序号 团支部 考核得分 定级结果", rows
        )
        rows = [(r.branch, r.name, r.result) for r in t.reviews if r.year == y]
        self.table(
            f"教育评议/{y}年度团员教育评议结果.xlsx", "评议结果", "序号 所在团支部 姓名 评议等次", rows
        )

        rows = [
            (x.name, x.id_number, f"{PATH12}/{x.from_branch}", f"{PATH12}/{x.to_branch}", x.date, "已完成")
            for x in t.transfers
            if x.date.year == y
        ]
        head = "序号 姓名 身份证号 转出组织 转入组织 转接日期 办理状态"
        self.table(f"组织关系转接/{y}年组织关系转接记录.xlsx", "转接记录", head, rows)

        checkins = [c for c in t.checkins if c.month.year == y]
        checkins.sort(key=lambda c: (c.month, t.branch_names.index(c.branch), c.name))
        rows = [
            (f"{c.month.year}年{c.month.month}月", c.branch, c.name)  # noqa: RUF005
            + (((self.by_pid[c.person].position if c.person else None) or "组织委员"),)
            + ("是" if c.checked_in else "否", c.checkin_date)
            for c in checkins
        ]
        head = "序号 月份 团支部 姓名 团内职务 是否打卡 打卡日期"
        self.table(f"团干部学习打卡/{y}年团干部每月学习打卡情况.xlsx", "打卡情况", head, rows)

    def save_rel(self, rel: str, sheets: list[tuple[str, list[list]]]) -> None:
        save(self.folder / rel, sheets)


@register("qndxx_backoffice")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    w = Writer(town, year, Path(folder))
    w.roster_file()
    w.study()
    w.other_files()
    study = tuple(w.written.get(id(r), r) for r in town.study)
    missing = [r for r in town.study if r.year == year and id(r) not in w.written]
    assert not missing, f"{len(missing)} records of {year} not written"
    return replace(town, study=study)
