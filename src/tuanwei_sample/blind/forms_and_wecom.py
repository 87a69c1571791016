"""Blind dialect ``forms_and_wecom``: a year in which nearly everything was collected by online forms.

Written from the domain guide and public descriptions of the platforms only:

* roster: a 腾讯问卷 export (编号, 开始答题时间, 结束答题时间, 答题时长, 地理位置…, 用户类型, 用户标识, 昵称,
  自定义字段, then ``1.您的姓名`` … question columns). Some members submitted twice: the earlier submission
  holds a mistake, the later one the correct values. Members who left were entered by their branch secretary,
  so one 用户标识 may carry several people;
* 青年大学习: one platform 报名列表 per period (ID / 姓名 / 编号 / 归属组织 / 报名时间), the period only in
  the file name, in a sub-folder;
* cadre check-ins: a 企业微信 打卡 workbook: 打卡记录 (one row per punch, 未打卡 rows for the missed rule
  day, a few punches of January of the next year) and 月报 (derived per-person monthly counts);
* activities: a 金数据 form, one submission per activity (提交时间 is not the activity date);
* recruitment: one 钉钉 智能填表 form per stage, each carrying the earlier stage dates;
* aid, ratings, reviews, transfers: plain tables.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook

from tuanwei_sample.blind import register
from tuanwei_sample.model import Person, SampleTown

COUNTY = "示例县团委"
WEEKDAYS = "一二三四五六日"
NICKNAMES = [
    "向日葵",
    "晴天",
    "追风",
    "平安是福",
    "小太阳",
    "Sunny",
    "简单",
    "星河",
    "木子",
    "清风徐来",
    ".",
    "A",
]
SECTION_OPTIONS = {
    "思想引领": "政治建设·思想引领",
    "志愿服务": "中心大局·志愿服务",
    "成长成才": "需求服务·成长成才",
    "自身建设": "自身建设·履职基础",
}


def _cn(n: int) -> str:
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 20:
        return "十" + (d[n - 10] if n > 10 else "")
    return d[n // 10] + "十" + (d[n % 10] if n % 10 else "")


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _save(path: Path, sheets: list[tuple[str, list[list], list[str]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    merged = any(m for _, _, m in sheets)
    wb = Workbook(write_only=not merged)
    if merged:
        wb.remove(wb.active)
    for title, rows, merges in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for m in merges:
            ws.merge_cells(m)
    wb.save(path)


class _Writer:
    def __init__(self, town: SampleTown, year: int, folder: Path) -> None:
        self.town, self.year, self.folder = town, year, folder
        self.rng = random.Random(20220917)
        end = date(year, 12, 31)
        self.secretary = {
            p.branch_on(end): p for p in town.people if p.position == "团支部书记" and p.active_on(end)
        }
        self.uid: dict[str, str] = {}

    def user_id(self, key: str) -> str:
        if key not in self.uid:
            self.uid[key] = str(self.rng.randint(10**10, 10**11 - 1))
        return self.uid[key]

    # ---- roster: 腾讯问卷 -------------------------------------------------------------------------------
    def roster(self) -> None:
        rng, year = self.rng, self.year
        end = date(year, 12, 31)
        people = self.town.roster(year)
        questions = "您的姓名|所在团支部（请选择）|身份证号码|手机号码|性别|民族|入团时间（年月，如2019.10）|"
        questions += (
            "团员编号（不清楚可不填）|学号（在校学生填写）|是否担任团干部|现任团内职务（没有请填无）|"
        )
        questions += "团籍状态（已离团人员由团支部书记代填）|离团日期（未离团不填）"
        head = ["编号", "开始答题时间", "结束答题时间", "答题时长", "地理位置国家和地区", "地理位置省"]
        head += ["地理位置市", "用户类型", "用户标识", "昵称", "自定义字段"]
        head += [f"{i}.{q}" for i, q in enumerate(questions.split("|"), start=1)]
        others = [p for p in people if p.leave_date is None or p.leave_date > end]
        wrong = {
            p.pid: kind
            for p, kind in zip(rng.sample(others, 12), ["branch", "id", "cadre", "name"] * 3, strict=True)
        }
        subs: list[tuple[datetime, list]] = []
        start = datetime(year, 12, 1, 8)
        for p in people:
            left = p.leave_date is not None and p.leave_date <= end
            proxy = left or rng.random() < 0.03
            who = self.secretary.get(p.branch_on(end), p) if proxy else p
            ended = start + timedelta(seconds=rng.randint(0, 19 * 86400))
            subs.append((ended, self._answers(p, end, who)))
            if p.pid in wrong:
                early = ended - timedelta(minutes=rng.randint(20, 4000))
                subs.append((early, self._answers(p, end, who, wrong[p.pid])))
        rows = [head]
        for i, (ended, answers) in enumerate(sorted(subs, key=lambda s: s[0]), start=1):
            secs = rng.randint(45, 400)
            geo = ["中国", "示例省", "示例市"] if rng.random() < 0.9 else ["", "", ""]
            rows.append([i, _ts(ended - timedelta(seconds=secs)), _ts(ended), secs, *geo, *answers])
        _save(self.folder / "2022年度团员信息采集（腾讯问卷）_回答数据.xlsx", [("Sheet1", rows, [])])

    def _answers(self, p: Person, end: date, who: Person, mistake: str | None = None) -> list:
        rng = self.rng
        name, branch, idn = p.name, p.branch_on(end), p.id_number
        cadre, post = p.is_cadre, p.position
        if mistake == "branch":
            branch = rng.choice([b for b in self.town.branch_names if b != branch])
        elif mistake == "id":
            k = rng.randint(10, 16)
            idn = idn[:k] + str((int(idn[k]) + rng.randint(1, 8)) % 10) + idn[k + 1 :]
        elif mistake == "cadre":
            cadre, post = (False, None) if cadre else (True, "组织委员")
        elif mistake == "name":
            pool = [q.name[-1] for q in self.town.people if q.name[-1] != name[-1]]
            name = name[:-1] + rng.choice(pool)
        if rng.random() < 0.15:
            idn = idn.lower()
        j = p.join_date
        joined = rng.choice([f"{j.year}.{j.month}", f"{j.year}.{j.month:02d}", f"{j.year}年{j.month}月"])
        if rng.random() < 0.1:
            joined = f"{j.year}年{j.month}月{j.day}日"
        member_no = p.member_no if rng.random() < 0.7 else rng.choice(["", "不清楚", "无"])
        status = p.status_at(end)
        left = (
            p.leave_date.isoformat() if p.leave_date and p.leave_date <= end and p.leave_date_written else ""
        )
        no_post = rng.choice(["无", "无", "无", "暂无", "/", "没有"])
        answers = [name, branch, idn, p.phone, p.gender, p.ethnicity, joined, member_no, p.student_no or ""]
        answers += ["是" if cadre else "否", post if cadre and post else no_post, status, left]
        nick = NICKNAMES[int(self.user_id(who.pid)) % len(NICKNAMES)]
        return ["微信", self.user_id(who.pid), nick, "", *answers]

    # ---- 青年大学习: one 报名列表 per period ------------------------------------------------------------
    def study(self) -> SampleTown:
        rng, town = self.rng, self.town
        names = {p.pid: p for p in town.people}
        namesakes: dict[str, list[Person]] = {}
        for q in town.people:
            namesakes.setdefault(q.name, []).append(q)
        youths = {y.pid: y for y in town.youths}
        periods = {p.label: p for p in town.periods_in(self.year)}
        by_period: dict[str, list] = {label: [] for label in periods}
        for r in town.study_in(self.year):
            by_period[r.period].append((r, False))
        for r in town.study_duplicates:
            if r.year == self.year and r.period in by_period:
                by_period[r.period].append((r, True))
        ident: dict[tuple[str, str], tuple[str, str]] = {}
        identifiable: dict[tuple[str, str], bool] = {}
        serial = 3_000_000
        for label, recs in by_period.items():
            p = periods[label]
            if p.is_special:
                stem = p.title if p.title != "特辑" else f"特辑（{p.opens.month}月{p.opens.day}日）"
            elif rng.random() < 0.7:
                stem = f"第{_cn(p.season or 0)}季第{_cn(p.number or 0)}期"
            else:
                stem = f"青年大学习第{p.season}季第{p.number}期"
            rows = [["ID", "姓名", "编号", "归属组织", "报名时间"]]
            for r, _dup in sorted(recs, key=lambda x: x[0].recorded_at):
                key = (r.person, label)
                if key not in ident:
                    person = names.get(r.person) or youths[r.person]
                    name = person.name + (" " if rng.random() < 0.02 else "")
                    no = person.student_no if person.student_no and rng.random() < 0.88 else ""
                    ident[key] = (name, no or "")
                    if r.is_member:
                        day = r.recorded_at.date()
                        twins = [
                            q
                            for q in namesakes[person.name]
                            if q.pid != r.person and q.active_on(day) and q.branch_on(day) == r.branch
                        ]
                        identifiable[key] = bool(no) or not twins
                name, no = ident[key]
                serial += rng.randint(1, 40)
                org = f"{COUNTY}-{town.committee}-{r.branch}"
                rows.append([serial, name, no, org, _ts(r.recorded_at)])
            _save(self.folder / "青年大学习" / f"{town.committee}-{stem}.xlsx", [("报名列表", rows, [])])
        study = tuple(
            replace(r, identifiable=identifiable.get((r.person, r.period), r.identifiable))
            if r.year == self.year
            else r
            for r in town.study
        )
        return replace(town, study=study)

    # ---- cadre check-ins: 企业微信 打卡 -------------------------------------------------------------------
    def checkins(self) -> None:
        rng, year = self.rng, self.year
        accounts: dict[str, str] = {}
        rule = "团干部每月学习打卡"
        records: list[tuple[datetime | date, list]] = []
        monthly: dict[tuple[date, str], dict] = {}

        def base(c) -> list:
            key = c.person or f"x:{c.name}"
            acct = accounts.setdefault(key, f"TW{len(accounts) + 1:04d}")
            post = self.town.person(c.person).position if c.person else ""
            dept = f"{self.town.committee}/{c.branch.removesuffix('团支部')}"
            return [c.name, acct, dept, post or "", rule]

        def day_cell(d: date) -> str:
            return f"{d:%Y/%m/%d} 星期{WEEKDAYS[d.weekday()]}"

        for c in sorted(self.town.checkins, key=lambda c: (c.month, c.name)):
            if c.month.year != year:
                continue
            info = base(c)
            stats = monthly.setdefault(
                (c.month, c.name), {"base": info, "ok": set(), "bad": set(), "miss": 0}
            )
            if not c.checked_in or c.checkin_date is None:
                rule_day = c.month.replace(day=25)
                records.append(
                    (rule_day, [day_cell(rule_day), *info, "上班打卡", "--", "未打卡", "", "", ""])
                )
                stats["miss"] += 1
                continue
            nxt = (c.month + timedelta(days=32)).replace(day=1)
            later = [c.checkin_date + timedelta(days=k) for k in range(1, (nxt - c.checkin_date).days)]
            days = [c.checkin_date, *sorted(rng.sample(later, min(len(later), rng.randint(0, 3))))]
            for d in days:
                t = datetime.combine(d, time(rng.randint(7, 21), rng.randint(0, 59)))
                state = "地点异常" if rng.random() < 0.06 else "正常"
                kind = "外出打卡" if rng.random() < 0.1 else "上班打卡"
                place = f"{self.town.town}{c.branch.removesuffix('团支部')}" if state == "正常" else "示例市"
                device = rng.choice(["iPhone", "HUAWEI", "Xiaomi", "OPPO", "vivo"])
                note = rng.choice(["", "", "学习青年大学习", "学习团章", "学习二十大报告"])
                records.append((t, [day_cell(d), *info, kind, f"{t:%H:%M}", state, place, device, note]))
                stats["ok" if state == "正常" else "bad"].add(d)
        for c in rng.sample([c for c in self.town.checkins if c.checked_in and c.person], 5):
            d = date(year + 1, 1, rng.randint(2, 9))
            t = datetime.combine(d, time(rng.randint(8, 20), rng.randint(0, 59)))
            row = [day_cell(d), *base(c), "上班打卡", f"{t:%H:%M}"]
            records.append((t, [*row, "正常", self.town.town, "iPhone", ""]))
        head = [
            "时间",
            "姓名",
            "账号",
            "部门",
            "职务",
            "所属规则",
            "打卡类型",
            "打卡时间",
            "打卡状态",
            "打卡地点",
        ]
        head += ["打卡设备", "备注"]
        title = [f"打卡记录  统计时间：{year}-01-01 至 {year + 1}-01-10  导出时间：{year + 1}-01-10 16:02"]
        recs = [title, head] + [r for _, r in sorted(records, key=lambda x: str(x[0]))]
        top = ["时间", "姓名", "账号", "部门", "职务", "所属规则", "汇总", "", "", "异常统计", "", ""]
        sub = [
            "",
            "",
            "",
            "",
            "",
            "",
            "应打卡天数",
            "正常天数",
            "异常天数",
            "缺卡次数",
            "地点异常次数",
            "旷工天数",
        ]
        summary = [[f"月报  统计时间：{year}-01-01 至 {year}-12-31"], top, sub]
        for (month, _), s in sorted(monthly.items(), key=lambda kv: (kv[0][0], kv[1]["base"][1])):
            ok, bad = len(s["ok"]), len(s["bad"] - s["ok"])
            summary.append(
                [f"{month:%Y-%m}", *s["base"], ok + bad + s["miss"], ok, bad, s["miss"], len(s["bad"]), 0]
            )
        merges = ["A1:L1", *(f"{c}2:{c}3" for c in "ABCDEF"), "G2:I2", "J2:L2"]
        _save(
            self.folder / "企业微信打卡_团干部学习打卡_2022年.xlsx",
            [("打卡记录", recs, ["A1:L1"]), ("月报", summary, merges)],
        )

    # ---- activities: 金数据 ---------------------------------------------------------------------------
    def activities(self) -> None:
        rng, town = self.rng, self.town
        head = ["序号", "填报单位", "活动名称", "活动日期", "活动类型", "参与人数", "志愿者人数"]
        head += [
            "人均志愿服务时长（小时）",
            "受益人数",
            "活动地点",
            "活动简介",
            "活动照片",
            "提交人",
            "填写设备",
        ]
        head += ["操作系统", "浏览器", "填写地区", "IP", "提交时间", "修改时间"]
        subs = []
        for a in town.activities_in(self.year):
            unit = town.committee if a.organiser == town.committee or a.organiser == "镇团委" else a.organiser
            who = self.secretary.get(a.organiser) or self.secretary.get("示例镇机关团支部")
            for k, (name, _written_org) in enumerate(a.written):
                sent = datetime.combine(
                    a.date, time(rng.randint(8, 22), rng.randint(0, 59), rng.randint(0, 59))
                )
                sent += timedelta(days=rng.randint(0, 12) + 3 * k, minutes=rng.randint(0, 600) * k)
                phone = rng.random() < 0.8
                edited = _ts(sent + timedelta(hours=rng.randint(1, 48))) if rng.random() < 0.15 else ""
                hours = a.hours_per_person if a.volunteers else None
                brief = a.note or f"组织团员青年参加{name.strip()}。"
                photos = ";".join(f"IMG_{rng.randint(1000, 9999)}.jpg" for _ in range(rng.randint(1, 3)))
                row = [unit, name, a.date.isoformat(), SECTION_OPTIONS.get(a.activity_type or "", "")]
                row += [a.participants, a.volunteers or "", hours if hours is not None else ""]
                row += ["" if a.beneficiaries is None else a.beneficiaries, a.location, brief, photos]
                row += [who.name if who else "", "手机" if phone else "电脑"]
                row += [
                    rng.choice(["iOS", "Android"]) if phone else "Windows 10",
                    "微信" if phone else "Chrome",
                ]
                ip = f"223.{rng.randint(64, 127)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
                subs.append([*row, "示例省示例市", ip, _ts(sent), edited])
        subs.sort(key=lambda r: r[-2])
        rows = [head] + [[i, *r] for i, r in enumerate(subs, start=1)]
        _save(self.folder / "2022年各团支部活动开展情况报送_金数据导出.xlsx", [("团支部活动报送", rows, [])])

    # ---- recruitment: one 钉钉 智能填表 per stage ------------------------------------------------------
    def recruitment(self) -> None:
        rng, year = self.rng, self.year
        stages = [
            ("applied", "入团申请人登记表", ["递交入团申请书时间"]),
            ("activist", "入团积极分子确定情况报送", ["递交入团申请书时间", "确定为入团积极分子时间"]),
            (
                "target",
                "发展对象确定情况报送",
                ["递交入团申请书时间", "确定为入团积极分子时间", "确定为发展对象时间"],
            ),
            (
                "joined",
                "新团员入团情况报送",
                ["递交入团申请书时间", "确定为入团积极分子时间", "确定为发展对象时间"],
            ),
        ]
        fields = ["applied", "activist", "target"]
        for stage, title, cols in stages:
            head = [
                "序号",
                "提交人",
                "提交时间",
                "所在团支部",
                "姓名",
                "性别",
                "身份证号码",
                "出生日期",
                *cols,
            ]
            if stage == "joined":
                head += ["批准入团时间", "发展团员编号"]
            subs = []
            for r in self.town.recruits_in(year):
                when = getattr(r, stage)
                if when is None or when.year != year:
                    continue
                who = self.secretary.get(r.branch)
                sent = datetime.combine(
                    when, time(rng.randint(9, 21), rng.randint(0, 59), rng.randint(0, 59))
                )
                sent += timedelta(days=rng.randint(0, 9))
                dates = [getattr(r, f).isoformat() if getattr(r, f) else "" for f in fields[: len(cols)]]
                row = [who.name if who else "", _ts(sent), r.branch, r.name, r.gender, r.id_number]
                row += [r.birth_date.isoformat(), *dates]
                if stage == "joined":
                    row += [when.isoformat(), r.league_no or ""]
                subs.append(row)
            subs.sort(key=lambda x: x[1])
            rows = [head] + [[i, *s] for i, s in enumerate(subs, start=1)]
            _save(self.folder / "发展团员" / f"{title}_钉钉填表导出.xlsx", [(title[:31], rows, [])])

    # ---- plain tables ---------------------------------------------------------------------------------
    def plain(self) -> None:
        town, year = self.town, self.year
        aid = [a for a in town.aid if a.date.year == year]
        rows = [["序号", "资助项目", "姓名", "身份证号", "所在村", "就读学校", "资助金额（元）", "发放日期"]]
        for i, a in enumerate(sorted(aid, key=lambda a: (a.date, a.programme)), start=1):
            rows.append(
                [i, a.programme, a.name, a.id_number, a.village, a.school, a.amount, a.date.isoformat()]
            )
        _save(self.folder / "2022年爱心助学发放名单.xlsx", [("发放名单", rows, [])])

        rows = [["序号", "团支部名称", "考核得分", "定级结果"]]
        for i, r in enumerate((r for r in town.ratings if r.year == year), start=1):
            rows.append([i, r.branch, r.score if r.score is not None else "", r.rating_raw])
        _save(self.folder / "2022年度团支部对标定级结果.xlsx", [("定级结果", rows, [])])

        ids = {p.pid: p.id_number for p in town.people}
        rows = [["序号", "所在团支部", "姓名", "身份证号", "评议结果"]]
        for i, r in enumerate((r for r in town.reviews if r.year == year), start=1):
            rows.append([i, r.branch, r.name, ids[r.person], r.result])
        _save(self.folder / "2022年度团员教育评议结果汇总.xlsx", [("评议结果", rows, [])])

        rows = [["序号", "姓名", "身份证号", "转出组织", "转入组织", "转接日期", "状态"]]
        moves = [t for t in town.transfers if t.date.year == year]
        for i, t in enumerate(moves, start=1):
            src, dst = (f"{COUNTY}-{town.committee}-{b}" for b in (t.from_branch, t.to_branch))
            rows.append([i, t.name, t.id_number, src, dst, t.date.isoformat(), "已完成"])
        _save(self.folder / "2022年团员组织关系转接记录.xlsx", [("转接记录", rows, [])])


@register("forms_and_wecom")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    """Write ``year`` of ``town`` as form-platform and 企业微信 exports into ``folder``."""
    w = _Writer(town, year, folder)
    w.roster()
    written = w.study()
    w.checkins()
    w.activities()
    w.recruitment()
    w.plain()
    return written
