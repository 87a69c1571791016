"""Blind dialect ``group_jielong``: a town whose branches run their year through WeChat groups and 接龙.

Where each shape comes from (public descriptions, no personal data copied):

* **WeChat's built-in 群接龙, as a chat-history export.** A native 接龙 message is plain text: a first line
  ``#接龙``, the theme, an optional ``例 …`` line, a blank line and numbered lines ``1. …``; every member who
  joins re-sends the *whole* list with one more line (open-source bots that parse 接龙 messages split on
  ``#接龙`` and keep the lines matching ``^\\d+\\. ``; the international client writes ``#Group Note``). Secretaries
  who are asked for "the records" export their branch group with a chat-history exporter (the open-source
  WeChatMsg / 留痕 tool writes ``<remark>_utf8.csv`` with the columns ``localId, TalkerId, Type, SubType,
  IsSender, CreateTime, Status, StrContent, StrTime, Remark, NickName, Sender``; Type 1 is text, 3 an image,
  10000 a system line such as an invitation). Here: six branch groups, a year of messages each — the
  secretary's weekly notice, 接龙 messages that grow one line at a time (the time a learner joined is the
  time of the first message holding their line; a re-sent line is a duplicate), images, "收到" and system
  lines. Nicknames are not names: the name is in the line the member typed.
* **接龙管家-style mini-program exports.** The mini-program's public description: import a name list, mark
  已交/未交, 汇总导出 to Excel; its records carry a running number, the participant's WeChat nickname, the text
  they entered and the time. Here (a) the school exports one file per 接龙 (the period only in the file name
  and the title row; ``序号 / 微信昵称 / 接龙内容 / 接龙时间``; a ``共 N 人接龙`` footer; students write class,
  学号 and name in any order, some the name alone); (b) five branches use the recurring 打卡 mode: one sheet for
  the year with nickname, 真实姓名, a self-chosen branch spelling, 打卡日期 and 打卡时间 in two columns and the
  period only inside the free-text 打卡内容; (c) the branches report their activities through a 表单接龙
  (one row per submission, numbers typed with or without 人/小时, dates typed as ``1.14`` / ``1月14日`` /
  ``2022.1.14``, a second submission of the same activity by another cadre), aid recipients sign for their
  money and recruits fill in an information form the same way (``提交时间`` of the form beside the facts).
* **接龙 pasted into Excel.** Secretaries copy a finished 接龙 and paste it into a sheet: one line a row in
  column A (``#接龙``, the theme, a blank, ``1. 张三 北岭村`` …). Used for activity sign-ups (the date in the
  theme: ``4月2日（周六）…报名``), the cadres' monthly study check-in (``3. 塔岗村 张三 5.12 已学习``; a cadre who
  did not check in is simply absent; someone not on the roster did check in once), the year's 对标定级
  confirmation and each branch's 教育评议 公示 text (``优秀（6人）：A、B、C…``).
* The roster is the 智慧团建 list export (团内职务 ``无`` for none; 入团时间 ``2019年05月``), the one transfer a
  small 报备 table.

Truth as written: a school record carrying a 学号 is credited to its member; a name-only line of a name two
members of one branch share is not (``identifiable=False``).
"""

from __future__ import annotations

import csv
import dataclasses
import random
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

from tuanwei_sample.blind import register
from tuanwei_sample.build import cn_number
from tuanwei_sample.model import (
    Activity,
    Cell,
    ExportFile,
    ExportSheet,
    Person,
    SampleTown,
    StudyPeriod,
    StudyRecord,
)
from tuanwei_sample.writer import write_xlsx

COMMITTEE = "镇团委"
EPOCH_CST = datetime(1970, 1, 1, 8)  # CreateTime is a Unix time; StrTime is Beijing time
CHAT_BRANCHES = ("塔岗村", "柳河村", "东坡村", "新华社区", "示例镇机关", "北岭村")
SCHOOL = "示例镇中学团支部"
GRADES = ("初一", "初二", "初三", "高一", "高二", "高三")
NICK_WORDS = (
    "阳光",
    "向日葵",
    "小太阳",
    "追梦人",
    "晴天",
    "海阔天空",
    "一叶知秋",
    "微笑",
    "简单",
    "平安喜乐",
    "岁月静好",
    "清风",
    "明月",
    "星辰大海",
    "远方",
    "初心",
    "知足常乐",
    "小鱼儿",
    "橙子",
    "大白",
    "小七",
    "柠檬",
    "奔跑吧",
    "夏天的风",
    "木木",
    "西瓜",
    "一路向北",
    "静待花开",
    "麦田",
    "蓝天白云",
)
NICK_DECOR = ("", "", "", "🌻", "🍀", "A", "✨", "～", "🌸")


def stem(branch: str) -> str:
    return branch.removesuffix("团支部")


class Pen:
    """This dialect's random choices and spellings (one seeded generator)."""

    def __init__(self, town: SampleTown, year: int):
        self.rng = random.Random(7_310_000 + year)
        self.town = town
        self.branches = {b.name: b for b in town.branches}
        self._nick: dict[str, str] = {}
        self._wxid: dict[str, str] = {}
        names = {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}
        self.names = names

    def nickname(self, pid: str) -> str:
        if pid not in self._nick:
            rng = self.rng
            name = self.names.get(pid, "")
            r = rng.random()
            if r < 0.18 and name:
                nick = f"{name[0]}{rng.choice(('同学', '老师', '～', '', 'er'))}"
            elif r < 0.3 and name:
                nick = f"{rng.choice(NICK_WORDS)}-{name[-1]}"
            else:
                nick = f"{rng.choice(NICK_DECOR)}{rng.choice(NICK_WORDS)}{rng.choice(('', '', str(rng.randint(1, 99))))}"
            self._nick[pid] = nick
        return self._nick[pid]

    def wxid(self, pid: str) -> str:
        if pid not in self._wxid:
            letters = "abcdefghijklmnopqrstuvwxyz0123456789"
            self._wxid[pid] = "wxid_" + "".join(self.rng.choice(letters) for _ in range(14))
        return self._wxid[pid]

    def spell(self, branch: str, canonical: float = 0.4) -> str:
        if branch == COMMITTEE:
            return self.rng.choice(("示例镇团委", "镇团委", "团委", "示例镇团委"))
        b = self.branches[branch]
        others = b.aliases + b.variants + (stem(b.name),)
        return b.name if self.rng.random() < canonical else self.rng.choice(others)

    def day_text(self, day: date, with_year: bool = False) -> str:
        shapes = ["md_dot", "md_cn", "md_cn"] + (["ymd_dot", "ymd_slash"] if with_year else [])
        shape = self.rng.choice(shapes)
        if shape == "md_dot":
            return f"{day.month}.{day.day}"
        if shape == "md_cn":
            return f"{day.month}月{day.day}日"
        if shape == "ymd_dot":
            return f"{day.year}.{day.month}.{day.day}"
        return f"{day.year}/{day.month}/{day.day}"


def period_theme(p: StudyPeriod, rng: random.Random) -> str:
    """How a secretary names a period in a 接龙 theme."""
    if p.title:
        return "青年大学习" + ("五四特辑" if "五四" in p.title else "特辑")
    season, number = p.season or 0, p.number or 0
    return rng.choice(
        (
            f"青年大学习第{cn_number(season)}季第{cn_number(number)}期",
            f"青年大学习第{season}季第{number}期",
            f"大学习{season}季{number}期",
            f"青年大学习第{cn_number(season)}季第{number}期",
        )
    )


def namesakes(town: SampleTown, person: Person, day: date, branch: str) -> int:
    return sum(
        1 for q in town.people if q.name == person.name and q.active_on(day) and q.branch_on(day) == branch
    )


# -- roster -------------------------------------------------------------------------------------
def roster(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    end = date(year, 12, 31)
    header = (
        "序号",
        "姓名",
        "性别",
        "民族",
        "身份证号",
        "手机号码",
        "政治面貌",
        "学历",
        "职业",
        "所在团支部",
        "入团时间",
        "团员编号",
        "团内职务",
        "团籍状态",
        "离团时间",
        "学号",
    )
    order = {name: i for i, name in enumerate(town.branch_names)}
    people = sorted(
        town.roster(year), key=lambda p: (order[p.branch_on(min(end, p.leave_date or end))], p.pid)
    )
    rows: list[tuple[Cell, ...]] = [header]
    for i, p in enumerate(people, start=1):
        left = p.leave_date is not None and p.leave_date <= end
        rows.append(
            (
                i,
                p.name,
                p.gender,
                p.ethnicity,
                p.id_number,
                p.phone,
                p.political_status,
                p.education,
                p.occupation,
                p.branch_on(min(end, p.leave_date) if p.leave_date else end),
                f"{p.join_date.year}年{p.join_date.month:02d}月",
                p.member_no,
                p.position or "无",
                p.status_at(end),
                p.leave_date.isoformat() if left and p.leave_date and p.leave_date_written else None,
                p.student_no,
            )
        )
    sheet = ExportSheet("团员列表", tuple(rows), text_columns=(5, 6, 12, 16))
    return ExportFile("团员信息_智慧团建导出.xlsx", "xlsx", (sheet,))


# -- 青年大学习 ----------------------------------------------------------------------------------
def _line(pen: Pen, name: str, branch: str) -> str:
    rng = pen.rng
    shape = rng.random()
    if shape < 0.45:
        text = name
    elif shape < 0.65:
        text = f"{name} {rng.choice(('已学习', '已完成', '已学', '完成'))}"
    elif shape < 0.75:
        text = f"{name}{rng.choice(('已学习', '✅', '√'))}"
    elif shape < 0.9:
        text = f"{stem(branch).removeprefix('示例镇')}{name}"
    else:
        text = f"{name} {stem(branch)}"
    if rng.random() < 0.02:
        text = rng.choice((f" {text}", f"{text} ", f"{text}\u3000"))
    return text


def chat_logs(
    town: SampleTown, pen: Pen, year: int, by_branch: dict[str, list[tuple[StudyRecord, bool]]]
) -> dict[str, list[list[Cell]]]:
    """Branch → rows of its WeChatMsg-style CSV (header first)."""
    rng = pen.rng
    periods = {p.label: p for p in town.periods_in(year)}
    out: dict[str, list[list[Cell]]] = {}
    secretaries = {}
    for p in town.people:
        if p.position == "团支部书记":
            secretaries[p.branch] = p
    for bname in town.branch_names:
        if stem(bname) not in CHAT_BRANCHES:
            continue
        secretary = secretaries[bname]
        talker = rng.randint(20, 90)
        messages: list[
            tuple[datetime, int, int, str, str, str]
        ] = []  # time, type, is_sender, sender pid, text

        def say(
            at: datetime, kind: int, pid: str, text: str, _to: list = messages, _sec: str = secretary.pid
        ) -> None:
            _to.append((at, kind, int(pid == _sec), pid, text, ""))

        records = by_branch.get(bname, [])
        per_period: dict[str, list[tuple[StudyRecord, bool]]] = defaultdict(list)
        for r, dup in records:
            per_period[r.period].append((r, dup))
        for label, items in per_period.items():
            period = periods[label]
            theme = period_theme(period, rng)
            notice_at = period.opens + timedelta(minutes=rng.randint(3, 50))
            say(
                notice_at,
                1,
                secretary.pid,
                rng.choice(
                    (
                        f"【{theme}】已上线，请大家本周日20:00前完成学习，学完在群里接龙。",
                        f"@所有人 {theme}开始了，学完接龙，截图发群里",
                        f"各位团员青年：本周{theme}已更新，请及时学习并接龙！",
                    )
                ),
            )
            example = rng.random() < 0.5
            head = ["#接龙", f"{theme} 学完请接龙"] + (["例 张三 已学习"] if example else []) + [""]
            lines: list[str] = []
            for r, _dup in sorted(items, key=lambda x: (x[0].recorded_at, x[0].person)):
                name = pen.names[r.person]
                lines.append(_line(pen, name, bname))
                body = "\n".join(head + [f"{i}. {text}" for i, text in enumerate(lines, start=1)])
                say(r.recorded_at, 1, r.person, body)
                roll = rng.random()
                if roll < 0.12:
                    say(r.recorded_at + timedelta(seconds=rng.randint(5, 40)), 3, r.person, "[图片]")
                elif roll < 0.14:
                    say(r.recorded_at + timedelta(seconds=rng.randint(5, 60)), 47, r.person, "[动画表情]")
            saturday = period.opens + timedelta(days=5, hours=rng.randint(0, 9))
            if rng.random() < 0.6:
                say(saturday, 1, secretary.pid, f"还没学{theme}的抓紧时间，明晚8点截止")
        # ordinary chatter and system lines through the year
        members = [p for p in town.people if p.branch_history[0][1] == bname or p.branch == bname]
        for _ in range(40):
            at = datetime(year, 1, 1, 8) + timedelta(minutes=rng.randint(0, 364 * 24 * 60))
            speaker = rng.choice(members)
            say(at, 1, speaker.pid, rng.choice(("收到", "好的", "收到👌", "[强]", "已完成", "1", "谢谢书记")))
        for _ in range(3):
            at = datetime(year, 1, 1, 8) + timedelta(minutes=rng.randint(0, 364 * 24 * 60))
            a, b = rng.sample(members, 2)
            say(at, 10000, "", f'"{pen.nickname(a.pid)}"邀请"{pen.nickname(b.pid)}"加入了群聊')
        messages.sort(key=lambda m: (m[0], m[3], m[4]))
        rows: list[list[Cell]] = [
            [
                "localId",
                "TalkerId",
                "Type",
                "SubType",
                "IsSender",
                "CreateTime",
                "Status",
                "StrContent",
                "StrTime",
                "Remark",
                "NickName",
                "Sender",
            ]
        ]
        remarks = {p.pid: p.name for p in members if rng.random() < 0.15}
        for n, (at, kind, is_sender, pid, text, _) in enumerate(messages, start=1):
            rows.append(
                [
                    n,
                    talker,
                    kind,
                    0,
                    is_sender,
                    int((at - EPOCH_CST).total_seconds()),
                    2,
                    text,
                    at.strftime("%Y-%m-%d %H:%M:%S"),
                    remarks.get(pid, "") if pid else "",
                    pen.nickname(pid) if pid else "",
                    pen.wxid(pid) if pid else "",
                ]
            )
        out[bname] = rows
    return out


def school_exports(
    town: SampleTown, pen: Pen, year: int, items: list[tuple[StudyRecord, bool]]
) -> tuple[list[ExportFile], set[tuple[str, str, datetime]]]:
    """One 接龙管家 export per period; returns the files and the records written without a 学号."""
    rng = pen.rng
    periods = {p.label: p for p in town.periods_in(year)}
    numbers = {p.pid: p.student_no for p in town.people} | {y.pid: y.student_no for y in town.youths}
    per_period: dict[str, list[tuple[StudyRecord, bool]]] = defaultdict(list)
    for r, dup in items:
        per_period[r.period].append((r, dup))
    files = []
    bare: set[tuple[str, str, datetime]] = set()
    used: set[str] = set()
    for label, group in per_period.items():
        period = periods[label]
        theme = period_theme(period, rng)
        rows: list[tuple[Cell, ...]] = [
            (f"{theme} 学完请接龙（格式：班级+学号+姓名）", None, None, None),
            ("序号", "微信昵称", "接龙内容", "接龙时间"),
        ]
        for i, (r, dup) in enumerate(sorted(group, key=lambda x: (x[0].recorded_at, x[0].person)), start=1):
            name = pen.names[r.person]
            number = numbers.get(r.person)
            at = r.recorded_at
            school_year = at.year if at.month >= 9 else at.year - 1
            text = name
            if number:
                grade = min(max(school_year - int(number[:4]), 0), 5)
                klass = f"{GRADES[grade]}({int(number[4:6])})班"
                shape = rng.random()
                if shape < 0.3:
                    text = f"{klass}{number}{name}"
                elif shape < 0.5:
                    text = f"{klass} {name} {number}"
                elif shape < 0.7:
                    text = f"{number}{name}"
                elif shape < 0.85:
                    text = f"{name}{number}"
                else:
                    text = f"{klass}{name}"
                    if not dup:
                        bare.add((r.person, r.period, r.recorded_at))
            else:  # the teacher secretary and others without a 学号
                text = f"{name}（老师）" if rng.random() < 0.5 else name
                if not dup:
                    bare.add((r.person, r.period, r.recorded_at))
            rows.append((i, pen.nickname(r.person), text, at.strftime("%Y/%m/%d %H:%M")))
        rows.append((f"共 {len(group)} 人接龙", None, None, None))
        name = f"{theme}接龙"
        folder = f"接龙管家导出/示例镇中学/{period.opens.month:02d}月"
        path = f"{folder}/{name}.xlsx"
        k = 2
        while path in used:
            path = f"{folder}/{name}({k}).xlsx"
            k += 1
        used.add(path)
        sheet = ExportSheet(
            "接龙记录", tuple(rows), merges=("A1:D1", f"A{len(rows)}:D{len(rows)}"), header_row=2
        )
        files.append(ExportFile(path, "xlsx", (sheet,)))
    return files, bare


def daka_exports(
    town: SampleTown, pen: Pen, year: int, by_branch: dict[str, list[tuple[StudyRecord, bool]]]
) -> list[ExportFile]:
    """The recurring 打卡 mode: one sheet for the year per branch."""
    rng = pen.rng
    periods = {p.label: p for p in town.periods_in(year)}
    files = []
    for bname in town.branch_names:
        if stem(bname) in CHAT_BRANCHES or bname == SCHOOL:
            continue
        items = sorted(by_branch.get(bname, []), key=lambda x: (x[0].recorded_at, x[0].person))
        rows: list[tuple[Cell, ...]] = [
            ("序号", "微信昵称", "真实姓名", "所在支部", "打卡日期", "打卡时间", "打卡内容", "图片", "点赞数")
        ]
        themes: dict[str, str] = {}
        for i, (r, _dup) in enumerate(items, start=1):
            period = periods[r.period]
            theme = themes.setdefault(r.period, period_theme(period, rng))
            content = rng.choice(
                (
                    f"{theme}已完成",
                    f"{theme} ✅",
                    f"已学习{theme}",
                    f"{theme.removeprefix('青年')}打卡",
                    theme,
                )
            )
            at = r.recorded_at
            rows.append(
                (
                    i,
                    pen.nickname(r.person),
                    pen.names[r.person] if rng.random() > 0.02 else f" {pen.names[r.person]}",
                    pen.spell(bname),
                    at.strftime("%Y-%m-%d"),
                    at.strftime("%H:%M:%S"),
                    content,
                    rng.choice(("[图片]", "[图片]", "", "[图片][图片]")),
                    rng.randint(0, 6),
                )
            )
        sheet = ExportSheet("打卡记录", tuple(rows))
        files.append(ExportFile(f"接龙管家导出/{stem(bname)}团支部青年大学习打卡记录.xlsx", "xlsx", (sheet,)))
    return files


def study(town: SampleTown, pen: Pen, year: int, folder: Path) -> tuple[list[ExportFile], SampleTown]:
    by_branch: dict[str, list[tuple[StudyRecord, bool]]] = defaultdict(list)
    for r in town.study_in(year):
        by_branch[r.branch].append((r, False))
    for r in town.study_duplicates:
        if r.year == year:
            by_branch[r.branch].append((r, True))
    for bname, rows in chat_logs(town, pen, year, by_branch).items():
        path = folder / "群聊记录" / f"{stem(bname)}团支部团员群_utf8.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    files, bare = school_exports(town, pen, year, by_branch.get(SCHOOL, []))
    files += daka_exports(town, pen, year, by_branch)
    people = {p.pid: p for p in town.people}
    study_out = []
    for r in town.study:
        if r.year == year and r.is_member and (r.person, r.period, r.recorded_at) in bare:
            day = r.recorded_at.date()
            if namesakes(town, people[r.person], day, r.branch) > 1:
                r = dataclasses.replace(r, identifiable=False)
            else:
                r = dataclasses.replace(r, identifiable=True)
        elif r.year == year:
            r = dataclasses.replace(r, identifiable=True)
        study_out.append(r)
    return files, dataclasses.replace(town, study=tuple(study_out))


# -- activities ---------------------------------------------------------------------------------
def _count(pen: Pen, value: int | float | None, unit: str) -> Cell:
    if value is None:
        return None
    number: Cell = int(value) if float(value).is_integer() else value
    return f"{number}{unit}" if pen.rng.random() < 0.3 else number


def activities(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    rng = pen.rng
    header = (
        "序号",
        "微信昵称",
        "填报单位",
        "活动日期",
        "活动名称",
        "活动类型",
        "参与人数",
        "志愿者人数",
        "人均服务时长（小时）",
        "受益人数",
        "活动地点",
        "备注",
        "提交时间",
    )
    secretaries = {p.branch: p.pid for p in town.people if p.position == "团支部书记"}
    entries: list[tuple[datetime, Activity, str, str, str]] = []
    for a in town.activities_in(year):
        for k, (name, organiser) in enumerate(a.written):
            submitted = datetime.combine(a.date, datetime.min.time()) + timedelta(
                days=rng.randint(0, 4) + 2 * k, hours=rng.randint(8, 22), minutes=rng.randint(0, 59)
            )
            who = secretaries.get(a.organiser)
            nick = pen.nickname(who) if who else rng.choice(("示例镇团委-小王", "团委办公室", "镇团委 李"))
            if k:
                nick = rng.choice(("阳光-团委", "🍀小七", "镇团委 李"))
            entries.append((submitted, a, name, organiser, nick))
    entries.sort(key=lambda e: (e[0], e[2]))
    rows: list[tuple[Cell, ...]] = [header]
    for i, (submitted, a, name, organiser, nick) in enumerate(entries, start=1):
        rows.append(
            (
                i,
                nick,
                organiser,
                pen.day_text(a.date, with_year=True),
                name,
                a.activity_type,
                _count(pen, a.participants, "人"),
                _count(pen, a.volunteers, "人"),
                _count(pen, a.hours_per_person, "小时"),
                _count(pen, a.beneficiaries, "人"),
                a.location,
                a.note,
                submitted.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
    sheet = ExportSheet("填写记录", tuple(rows))
    return ExportFile(f"接龙管家导出/{year}年各支部活动开展情况上报（表单接龙）.xlsx", "xlsx", (sheet,))


def pasted(lines: list[str]) -> tuple[tuple[Cell, ...], ...]:
    return tuple((line if line else None,) for line in lines)


def participants(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    rng = pen.rng
    weekdays = "一二三四五六日"
    groups: dict[tuple[date, str], list] = defaultdict(list)
    for p in town.activity_participants:
        if p.year == year:
            groups[(p.date, p.activity)].append(p)
    sheets = []
    cadres = {p.pid: p.position for p in town.people}
    for (day, name), people in sorted(groups.items()):
        theme = f"{day.month}月{day.day}日（周{weekdays[day.weekday()]}）{name}报名"
        lines = ["#接龙", theme, ""]
        if rng.random() < 0.5:
            lines[2:2] = ["例 张三 塔岗村"]
            lines.append("")
        for i, p in enumerate(people, start=1):
            where = stem(pen.spell(p.branch, 0.3)).removeprefix("示例镇")
            if p.person and cadres.get(p.person) and rng.random() < 0.7:
                lines.append(f"{i}. {where} {p.name} {cadres[p.person]}")
            else:
                lines.append(f"{i}. {p.name} {where}" if rng.random() < 0.7 else f"{i}. {where}{p.name}")
        title = f"{day.month}.{day.day}{name}"[:31].replace("“", "").replace("”", "")
        sheets.append(ExportSheet(title, pasted(lines), header_row=0))
    return ExportFile(f"活动报名接龙（粘贴）{year}.xlsx", "xlsx", tuple(sheets))


def checkins(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    rng = pen.rng
    by_month: dict[date, list] = defaultdict(list)
    for c in town.checkins:
        if c.month.year == year and c.checked_in:
            by_month[c.month].append(c)
    sheets = []
    for month in sorted(by_month):
        items = sorted(by_month[month], key=lambda c: (c.checkin_date or month, c.name))
        lines = ["#接龙", f"{year}年{month.month}月团干部学习打卡（格式：支部+姓名+学习日期）", ""]
        for i, c in enumerate(items, start=1):
            when = pen.day_text(c.checkin_date) if c.checkin_date else ""
            where = stem(pen.spell(c.branch, 0.2)).removeprefix("示例镇")
            tail = rng.choice(("已学习", "已完成", "", "学习《团章》", "学习二十大报告"))
            lines.append(f"{i}. {where} {c.name} {when} {tail}".rstrip())
        sheets.append(ExportSheet(f"{month.month}月", pasted(lines), header_row=0))
    return ExportFile(f"团干部每月学习打卡接龙_{year}.xlsx", "xlsx", tuple(sheets))


# -- recruitment, aid, ratings, reviews, transfers ----------------------------------------------
def recruitment(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    rng = pen.rng
    end = date(year, 12, 31)
    header = (
        "序号",
        "微信昵称",
        "姓名",
        "性别",
        "身份证号",
        "所在团支部",
        "递交入团申请书时间",
        "确定为入团积极分子时间",
        "确定为发展对象时间",
        "入团时间",
        "发展团员编号",
        "提交时间",
    )
    rows: list[tuple[Cell, ...]] = [(f"{year}年发展团员信息收集（截至12月31日）", *([None] * 11)), header]

    def when(day: date | None) -> Cell:
        if day is None or day > end:
            return rng.choice((None, None, "/"))
        return rng.choice((f"{day.year}.{day.month}.{day.day}", f"{day.year}年{day.month}月{day.day}日", day))

    for i, r in enumerate(town.recruits_in(year), start=1):
        joined = r.joined is not None and r.joined <= end
        submitted = datetime(year, 12, rng.randint(20, 28), rng.randint(8, 21), rng.randint(0, 59))
        rows.append(
            (
                i,
                pen.nickname(r.rid),
                r.name,
                r.gender,
                r.id_number,
                pen.spell(r.branch),
                when(r.applied),
                when(r.activist),
                when(r.target),
                when(r.joined),
                r.league_no if joined else None,
                submitted.strftime("%Y-%m-%d %H:%M"),
            )
        )
    sheet = ExportSheet("Sheet1", tuple(rows), merges=("A1:L1",), text_columns=(5, 11), header_row=2)
    return ExportFile(f"接龙管家导出/发展团员信息收集_{year}.xlsx", "xlsx", (sheet,))


def aid(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    rng = pen.rng
    header = (
        "序号",
        "微信昵称",
        "学生姓名",
        "身份证号",
        "所在村（社区）",
        "就读学校",
        "资助项目",
        "领取金额",
        "领取日期",
        "提交时间",
    )
    rows: list[tuple[Cell, ...]] = [(f"{year}年爱心助学金领取签收接龙", *([None] * 9)), header]
    items = sorted((a for a in town.aid if a.year == year), key=lambda a: (a.date, a.programme, a.name))
    for i, a in enumerate(items, start=1):
        amount = int(a.amount)
        submitted = datetime.combine(a.date, datetime.min.time()) + timedelta(hours=rng.randint(9, 20))
        rows.append(
            (
                i,
                rng.choice(NICK_WORDS) + rng.choice(("妈妈", "爸爸", "家长", "")),
                a.name,
                a.id_number,
                a.village,
                a.school,
                a.programme,
                rng.choice((f"{amount}元", str(amount), amount)),
                f"{a.date.month}月{a.date.day}日",
                submitted.strftime("%Y-%m-%d %H:%M"),
            )
        )
    sheet = ExportSheet("签收记录", tuple(rows), merges=("A1:J1",), text_columns=(4,), header_row=2)
    return ExportFile(f"接龙管家导出/爱心助学金领取签收_{year}.xlsx", "xlsx", (sheet,))


def ratings(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    lines = ["#接龙", f"{year}年度团支部对标定级结果确认（支部+得分+等次+确认）", ""]
    items = [r for r in town.ratings if r.year == year]
    pen.rng.shuffle(items)
    for i, r in enumerate(items, start=1):
        score = "" if r.score is None else f"{int(r.score) if float(r.score).is_integer() else r.score}分 "
        lines.append(f"{i}. {pen.spell(r.branch, 0.6)} {score}{r.rating_raw} 已确认")
    return ExportFile(
        f"对标定级结果确认接龙_{year}.xlsx", "xlsx", (ExportSheet("Sheet1", pasted(lines), header_row=0),)
    )


def reviews(town: SampleTown, pen: Pen, year: int) -> ExportFile:
    sheets = []
    by_branch: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for r in town.reviews:
        if r.year == year:
            by_branch[r.branch][r.result].append(r.name)
    for bname in town.branch_names:
        results = by_branch.get(bname)
        if not results:
            continue
        total = sum(len(v) for v in results.values())
        lines = [f"【{bname}{year}年度团员教育评议结果公示】", f"本支部参加评议团员{total}名，评议结果如下："]
        for grade in ("优秀", "合格", "基本合格", "不合格"):
            names = results.get(grade, [])
            lines.append(f"{grade}（{len(names)}人）：{'、'.join(names) if names else '无'}")
        lines += ["公示期5天，如有异议请向镇团委反映。", f"{bname}", f"{year + 1}年1月6日"]
        sheets.append(ExportSheet(stem(bname)[:31], pasted(lines), header_row=0))
    return ExportFile(f"团员教育评议结果公示（群内转发）_{year}.xlsx", "xlsx", tuple(sheets))


def transfers(town: SampleTown, pen: Pen, year: int) -> ExportFile | None:
    items = [t for t in town.transfers if t.date.year == year]
    if not items:
        return None
    rows: list[tuple[Cell, ...]] = [
        ("报备人（昵称）", "姓名", "身份证号", "原团支部", "转入团支部", "办结日期")
    ]
    for t in items:
        rows.append(
            (
                pen.nickname(t.person),
                t.name,
                t.id_number,
                t.from_branch,
                pen.spell(t.to_branch),
                f"{t.date.year}年{t.date.month}月{t.date.day}日",
            )
        )
    sheet = ExportSheet("转接报备", tuple(rows), text_columns=(3,))
    return ExportFile(f"组织关系转接群内报备_{year}.xlsx", "xlsx", (sheet,))


@register("group_jielong")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    pen = Pen(town, year)
    files: list[ExportFile] = [roster(town, pen, year)]
    study_files, town = study(town, pen, year, folder)
    files += study_files
    files += [
        activities(town, pen, year),
        participants(town, pen, year),
        checkins(town, pen, year),
        recruitment(town, pen, year),
        aid(town, pen, year),
        ratings(town, pen, year),
        reviews(town, pen, year),
    ]
    moved = transfers(town, pen, year)
    if moved:
        files.append(moved)
    for f in files:
        write_xlsx(f, folder / f.path)
    return town
