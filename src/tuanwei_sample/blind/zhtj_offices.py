"""Blind dialect "zhtj_offices": 智慧团建 exports plus the offices' paper-form Excel (written blind).

Shapes: a 智慧团建 团员信息 export (title rows, formal organisation names 共青团…支部委员会, 团内现任职务
with placeholders for non-cadres, 入团年月 at month precision, a note row under the table); 青年大学习
records one workbook per season with a 期数 column in Chinese numerals and 所属组织 as a path; a cadre
check-in matrix (months as columns under a merged header, √/×, a derived 打卡率 row); an activities ledger
with a title row, a two-row merged header, month group rows (一月份) and "1.7" text dates, a 合计 row;
recruitment as four stage documents (入团申请人登记表, 入团积极分子名册, 发展对象名册, 新团员名单); aid
payment lists with money as text, 金额大写, a 合计 row and a signature line; 对标定级 and 教育评议 tables
(branch merged down its block); a 组织关系转接 export with full organisation paths.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tuanwei_sample.blind import register
from tuanwei_sample.model import SampleTown

PATH_PREFIX = "示例省示例市示例县示例镇团委"
COMMITTEE_FORMAL = "共青团示例镇委员会"
CN = "零一二三四五六七八九"
PLACEHOLDERS = ("无", "暂无", "/", "—", None, "无")


def cn_num(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else CN[tens] + "十") + (CN[ones] if ones else "")


def stem(branch: str) -> str:
    return branch[: -len("团支部")] if branch.endswith("团支部") else branch


def formal(branch: str) -> str:
    """共青团塔岗村支部委员会 / 共青团石桥村总支部委员会 / 共青团示例镇中学委员会."""
    s = stem(branch)
    if s.endswith("中学"):
        return f"共青团{s}委员会"
    if s == "石桥村":
        return f"共青团{s}总支部委员会"
    return f"共青团{s}支部委员会"


def short(branch: str) -> str:
    s = stem(branch)
    return f"{s}团总支" if s == "石桥村" else f"{s}团支部"


def path(branch: str, formal_leaf: bool = False) -> str:
    return f"{PATH_PREFIX}/{formal(branch) if formal_leaf else short(branch)}"


def ymd(d: date, style: str) -> str:
    return {
        "dot": f"{d.year}.{d.month}.{d.day}",
        "cn": f"{d.year}年{d.month}月{d.day}日",
        "slash": f"{d.year}/{d.month}/{d.day}",
        "iso": d.isoformat(),
    }[style]


def money_cn(amount: float) -> str:
    """金额大写 for whole yuan below 100 000 (壹仟伍佰元整)."""
    digits = "零壹贰叁肆伍陆柒捌玖"
    units = ["", "拾", "佰", "仟", "万"]
    n = round(amount)
    if n == 0:
        return "零元整"
    s, zero = "", False
    for i, ch in enumerate(reversed(str(n))):
        d = int(ch)
        if d == 0:
            zero = bool(s)
            continue
        s = digits[d] + units[i] + ("零" if zero and not s.startswith("零") else "") + s
        zero = False
    return s + "元整"


def put(ws, titles, header, rows, footers=(), text_cols=(), header2=None, merges=()):
    """Write title lines (merged across), a one- or two-row header, rows, footer lines; returns nothing."""
    width = len(header)
    r = 1
    for t in titles:
        ws.cell(r, 1, t)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1
    hr = r
    for c, h in enumerate(header, 1):
        ws.cell(hr, c, h)
    if header2 is not None:
        for c, h in enumerate(header2, 1):
            if h is not None:
                ws.cell(hr + 1, c, h)
            elif header[c - 1] is not None:
                ws.merge_cells(start_row=hr, start_column=c, end_row=hr + 1, end_column=c)
        r += 1
    for a, b in merges:  # header merges across columns, 1-based (first, last)
        ws.merge_cells(start_row=hr, start_column=a, end_row=hr, end_column=b)
    r += 1
    for row in rows:
        if isinstance(row, tuple) and row and row[0] == "__group__":
            ws.cell(r, 1, row[1])
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        else:
            for c, v in enumerate(row, 1):
                if v is not None and v != "":
                    cell = ws.cell(r, c, v)
                    if c in text_cols:
                        cell.number_format = "@"
                    elif isinstance(v, datetime):
                        cell.number_format = "yyyy-mm-dd hh:mm:ss"
                    elif isinstance(v, date):
                        cell.number_format = "yyyy-mm-dd"
        r += 1
    for t in footers:
        ws.cell(r, 1, t)
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
        r += 1
    for c in range(1, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14


def book(folder: Path, name: str, sheets):
    wb = Workbook()
    wb.remove(wb.active)
    for title, fn in sheets:
        fn(wb.create_sheet(title))
    wb.save(folder / name)


@register("zhtj_offices")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(20220417)
    folder = Path(folder)
    end = date(year, 12, 31)
    order = {b: i for i, b in enumerate(town.branch_names)}

    # ---- 智慧团建 团员信息 export -------------------------------------------------------------
    roster = sorted(town.roster(year), key=lambda p: (order[p.branch], p.pid))
    rrows = []
    for i, p in enumerate(roster, 1):
        status = p.status_at(end)
        left = p.leave_date if status != "正常" and p.leave_date_written else None
        rrows.append(
            (
                i,
                p.name,
                p.gender,
                p.ethnicity,
                p.birth_date,
                "居民身份证",
                p.id_number,
                p.political_status,
                p.education,
                p.occupation,
                p.phone,
                f"{p.join_date.year}.{p.join_date.month:02d}",
                p.member_no,
                formal(p.branch),
                p.position if p.is_cadre else rng.choice(PLACEHOLDERS),
                status,
                ymd(left, "iso") if left else None,
            )
        )
    book(
        folder,
        f"团员信息_{COMMITTEE_FORMAL}_{year + 1}0104.xlsx",
        [
            (
                "团员信息",
                lambda ws: put(
                    ws,
                    [
                        f"{COMMITTEE_FORMAL}团员信息表",
                        f"组织：{PATH_PREFIX}    导出时间：{year + 1}-01-04 09:13:52",
                    ],
                    [
                        "序号",
                        "姓名",
                        "性别",
                        "民族",
                        "出生日期",
                        "证件类型",
                        "身份证号码",
                        "政治面貌",
                        "全日制学历",
                        "职业",
                        "手机号码",
                        "入团年月",
                        "团员编号",
                        "所在团支部",
                        "团内现任职务",
                        "团籍状态",
                        "离团时间",
                    ],
                    rrows,
                    [
                        f"注：本表数据来源于“智慧团建”系统，统计截至{year}年12月31日；团籍状态非“正常”者为本年度离团人员。"
                    ],
                    text_cols=(7, 11, 12, 13),
                ),
            )
        ],
    )

    # ---- 组织关系转接 -----------------------------------------------------------------------------
    trows = []
    for i, t in enumerate(
        sorted((t for t in town.transfers if t.date.year == year), key=lambda t: t.date), 1
    ):
        applied = datetime.combine(
            t.date - timedelta(days=rng.randint(2, 6)), time(rng.randint(8, 17), rng.randint(0, 59))
        )
        done = datetime.combine(t.date, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
        trows.append(
            (
                i,
                t.name,
                t.id_number,
                path(t.from_branch, True),
                path(t.to_branch, True),
                "居住地变更",
                applied.strftime("%Y-%m-%d %H:%M:%S"),
                done.strftime("%Y-%m-%d %H:%M:%S"),
                "已完成",
            )
        )
    if trows:
        book(
            folder,
            f"组织关系转接记录_{year}.xlsx",
            [
                (
                    "转接记录",
                    lambda ws: put(
                        ws,
                        [f"团员组织关系转接记录（{year}年1月1日—{year}年12月31日）"],
                        [
                            "序号",
                            "姓名",
                            "身份证号码",
                            "转出组织",
                            "转入组织",
                            "转接原因",
                            "申请时间",
                            "办结时间",
                            "转接状态",
                        ],
                        trows,
                        text_cols=(3,),
                    ),
                )
            ],
        )

    # ---- 青年大学习: one workbook per season, 期数 in Chinese numerals -------------------------------
    periods = {p.label: p for p in town.periods if p.year == year}
    regular = sorted((p for p in periods.values() if not p.is_special), key=lambda p: p.opens)

    def season_of(p):
        if p.season is not None:
            return p.season
        return max((q for q in regular if q.opens <= p.opens), key=lambda q: q.opens).season

    def label(p):
        return p.title if p.is_special else f"第{cn_num(p.season)}季第{cn_num(p.number)}期"

    records = [r for r in town.study_in(year)] + [r for r in town.study_duplicates if r.year == year]
    names = {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}
    by_season = defaultdict(list)
    for r in records:
        p = periods[r.period]
        nm = names[r.person] + (" " if rng.random() < 0.01 else "")
        by_season[season_of(p)].append(
            (
                p.opens,
                r.recorded_at,
                label(p),
                nm,
                path(r.branch),
                r.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
    for season, rows in sorted(by_season.items()):
        rows.sort()
        out = [(i, lab, nm, org, ts) for i, (_, _, lab, nm, org, ts) in enumerate(rows, 1)]
        book(
            folder,
            f"青年大学习学习记录（第{cn_num(season)}季）.xlsx",
            [
                (
                    "学习记录",
                    lambda ws, out=out: put(
                        ws,
                        [],
                        ["序号", "期数", "姓名", "所属组织", "学习时间"],
                        out,
                        text_cols=(5,),
                    ),
                )
            ],
        )

    by_name = defaultdict(list)
    for p in town.people:
        by_name[p.name].append(p)

    def identifiable(r):
        if r.year != year:
            return r.identifiable
        if not r.is_member:
            return True
        d = r.recorded_at.date()
        return not any(
            q.pid != r.person and q.active_on(d) and q.branch_on(d) == r.branch
            for q in by_name[names[r.person]]
        )

    # ---- 团干部每月学习打卡: matrix, months as columns -----------------------------------------
    months = sorted({c.month for c in town.checkins if c.month.year == year})
    if months:
        people = {p.pid: p for p in town.people}
        grid: dict[tuple, dict] = defaultdict(dict)
        for c in town.checkins:
            if c.month.year == year:
                grid[(c.person or f"~{c.name}", c.name, c.branch)][c.month] = c.checked_in
        keys = sorted(grid, key=lambda k: (order.get(k[2], 99), k[0].startswith("~"), k[0]))
        crows, last = [], None
        for i, k in enumerate(keys, 1):
            pos = people[k[0]].position if k[0] in people else "组织委员"
            cells = [None if m not in grid[k] else "√" if grid[k][m] else "×" for m in months]
            note = None if k[0] in people else f"{months[0].year}年{min(grid[k]).month}月新任"
            crows.append((i, formal(k[2]) if k[2] != last else None, k[1], pos, *cells, note))
            last = k[2]
        rate = [
            f"{sum(grid[k].get(m, False) for k in keys) / sum(m in grid[k] for k in keys):.1%}"
            for m in months
        ]
        crows.append(("当月打卡率", None, None, None, *rate, None))

        def checkin_sheet(ws):
            header = [
                "序号",
                "团支部",
                "姓名",
                "团内职务",
                f"{year}年每月学习打卡情况",
                *[None] * (len(months) - 1),
                "备注",
            ]
            header2 = [None] * 4 + [f"{m.month}月" for m in months] + [None]
            put(
                ws,
                [f"示例镇{year}年团干部每月学习打卡情况统计表"],
                header,
                crows,
                [f"说明：“√”为当月已完成学习打卡，“×”为未打卡。统计单位：{COMMITTEE_FORMAL}"],
                header2=header2,
                merges=[(5, 4 + len(months))],
            )
            r0 = 4  # first data row (title, two header rows)
            for i, row in enumerate(crows[:-1]):
                if row[1] is not None:
                    span = 1
                    while i + span < len(crows) - 1 and crows[i + span][1] is None:
                        span += 1
                    if span > 1:
                        ws.merge_cells(
                            start_row=r0 + i, start_column=2, end_row=r0 + i + span - 1, end_column=2
                        )

        book(folder, f"{year}年团干部学习打卡统计表.xlsx", [("打卡统计", checkin_sheet)])

    # ---- 活动台账: title, two-row header, month groups, "1.7" dates, 合计 row -------------------------
    acts = sorted(town.activities_in(year), key=lambda a: (a.date, a.name))
    arows, n, month = [], 0, None
    tot = [0, 0, 0]
    for a in acts:
        if a.date.month != month:
            month = a.date.month
            arows.append(("__group__", f"（{cn_num(month)}月份）"))
        for j, (nm, org) in enumerate(a.written):
            n += 1
            organiser = (formal(a.organiser) if a.organiser in order else COMMITTEE_FORMAL) if j == 0 else org
            arows.append(
                (
                    n,
                    f"{a.date.month}.{a.date.day}",
                    nm,
                    a.activity_type,
                    organiser,
                    a.participants,
                    a.volunteers,
                    a.hours_per_person,
                    a.beneficiaries,
                    a.location,
                    a.note,
                )
            )
            tot[0] += a.participants
            tot[1] += a.volunteers or 0
            tot[2] += a.beneficiaries or 0
    arows.append(("合计", None, None, None, None, tot[0], tot[1], None, tot[2], None, None))
    book(
        folder,
        f"示例镇团委{year}年活动台账.xlsx",
        [
            (
                "活动台账",
                lambda ws: put(
                    ws,
                    [f"示例镇团委{year}年活动台账"],
                    [
                        "序号",
                        "活动日期",
                        "活动名称",
                        "活动类型",
                        "组织单位",
                        "参与人数",
                        "志愿服务情况",
                        None,
                        "受益人数",
                        "活动地点",
                        "备注",
                    ],
                    arows,
                    text_cols=(2,),
                    header2=[None] * 6 + ["志愿者人数", "人均服务时长（小时）"] + [None] * 3,
                    merges=[(7, 8)],
                ),
            )
        ],
    )

    # ---- 发展团员: four stage documents ------------------------------------------------------------
    recruits = sorted(town.recruits_in(year), key=lambda r: (r.applied or end, r.rid))
    cadres = defaultdict(list)
    for p in town.people:
        if p.is_cadre:
            cadres[p.branch].append(p.name)
    members = defaultdict(list)
    for p in town.roster(year):
        members[p.branch].append(p.name)
    head = [f"填报单位（盖章）：{COMMITTEE_FORMAL}        填报时间：{year}年12月28日"]
    foot = ["填表人：                审核人：                联系电话："]

    def doc(fname, title, header, rows, text_cols):
        book(
            folder,
            fname,
            [("Sheet1", lambda ws: put(ws, [title, *head], header, rows, foot, text_cols=text_cols))],
        )

    doc(
        f"{year}年入团申请人登记表.xlsx",
        f"示例镇{year}年入团申请人登记表",
        ["序号", "姓名", "性别", "出生年月", "身份证号", "所在团支部", "递交入团申请书时间", "备注"],
        [
            (
                i,
                r.name,
                r.gender,
                f"{r.birth_date.year}.{r.birth_date.month:02d}",
                r.id_number,
                short(r.branch),
                ymd(r.applied, "dot"),
                None,
            )
            for i, r in enumerate(recruits, 1)
        ],
        (4, 5, 7),
    )
    act = [r for r in recruits if r.activist]
    doc(
        f"{year}年入团积极分子名册.xlsx",
        f"示例镇{year}年入团积极分子名册",
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号码",
            "团支部",
            "申请入团时间",
            "确定为入团积极分子时间",
            "培养联系人",
            "备注",
        ],
        [
            (
                i,
                r.name,
                r.gender,
                r.birth_date,
                r.id_number,
                formal(r.branch),
                r.applied,
                r.activist,
                rng.choice(cadres[r.branch] or ["—"]),
                None,
            )
            for i, r in enumerate(act, 1)
        ],
        (5,),
    )
    tgt = [r for r in recruits if r.target]
    doc(
        f"{year}年发展对象名册.xlsx",
        f"示例镇{year}年发展对象名册",
        [
            "序号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号码",
            "所在团支部",
            "递交申请书日期",
            "列为积极分子日期",
            "确定为发展对象日期",
            "团课学时",
            "入团介绍人",
            "备注",
        ],
        [
            (
                i,
                r.name,
                r.gender,
                ymd(r.birth_date, "cn"),
                r.id_number,
                short(r.branch),
                ymd(r.applied, "cn"),
                ymd(r.activist, "cn"),
                ymd(r.target, "cn"),
                rng.choice([8, 8, 10, 12]),
                "、".join(rng.sample(members[r.branch], 2)),
                None,
            )
            for i, r in enumerate(tgt, 1)
        ],
        (4, 5, 7, 8, 9),
    )
    new = [r for r in recruits if r.joined and r.joined.year == year]
    doc(
        f"{year}年新团员名单（入团志愿书登记）.xlsx",
        f"示例镇{year}年新发展团员名单（入团志愿书登记）",
        [
            "序号",
            "志愿书编号",
            "姓名",
            "性别",
            "出生日期",
            "身份证号码",
            "所在团支部",
            "申请入团时间",
            "确定积极分子时间",
            "确定发展对象时间",
            "支部大会通过时间（入团时间）",
            "上级团委批准时间",
            "发展团员编号",
            "备注",
        ],
        [
            (
                i,
                f"SL{year}{i:03d}",
                r.name,
                r.gender,
                ymd(r.birth_date, "slash"),
                r.id_number,
                formal(r.branch),
                ymd(r.applied, "slash"),
                ymd(r.activist, "slash"),
                ymd(r.target, "slash"),
                ymd(r.joined, "slash"),
                ymd(r.joined + timedelta(days=rng.randint(3, 12)), "slash"),
                r.league_no,
                None,
            )
            for i, r in enumerate(new, 1)
        ],
        (2, 5, 6, 8, 9, 10, 11, 12, 13),
    )

    # ---- 爱心助学: one sheet per programme, money as text, 大写, 合计, signature line ------------------
    aid = defaultdict(list)
    for a in town.aid:
        if a.date.year == year:
            aid[a.programme].append(a)

    def aid_sheet(prog, pays):
        def fill(ws):
            rows = [
                (
                    i,
                    a.name,
                    a.id_number,
                    a.village,
                    a.school,
                    f"￥{a.amount:,.2f}",
                    money_cn(a.amount),
                    ymd(a.date, "cn"),
                    None,
                )
                for i, a in enumerate(pays, 1)
            ]
            total = sum(a.amount for a in pays)
            rows.append(("合计", None, None, None, None, f"￥{total:,.2f}", money_cn(total), None, None))
            put(
                ws,
                [f"{year}年“{prog}”资助金发放名册", f"发放单位：{COMMITTEE_FORMAL}"],
                [
                    "序号",
                    "受助学生姓名",
                    "身份证号码",
                    "所在村（社区）",
                    "就读学校",
                    "资助金额",
                    "金额大写",
                    "发放时间",
                    "领取人签字",
                ],
                rows,
                ["经办人：              审核人：              单位（盖章）："],
                text_cols=(3, 6),
            )

        return fill

    if aid:
        book(folder, f"{year}年爱心助学资金发放名册.xlsx", [(p, aid_sheet(p, v)) for p, v in aid.items()])

    # ---- 对标定级 ------------------------------------------------------------------------------------
    types = {b.name: b.type for b in town.branches}
    rat = [r for r in town.ratings if r.year == year]
    if rat:
        book(
            folder,
            f"{year}年度基层团组织对标定级结果.xlsx",
            [
                (
                    "定级结果",
                    lambda ws: put(
                        ws,
                        [f"示例镇{year}年度基层团组织“对标定级”结果汇总表"],
                        ["序号", "团组织名称", "组织类型", "考核得分", "定级结果", "备注"],
                        [
                            (i, formal(r.branch), types[r.branch], r.score, r.rating_raw, None)
                            for i, r in enumerate(rat, 1)
                        ],
                    ),
                )
            ],
        )

    # ---- 教育评议: branch merged down its block --------------------------------------------------------
    rev = sorted((r for r in town.reviews if r.year == year), key=lambda r: (order[r.branch], r.person))
    if rev:

        def review_sheet(ws):
            rows, last, spans = [], None, []
            for i, r in enumerate(rev, 1):
                if r.branch != last:
                    spans.append([i, i])
                else:
                    spans[-1][1] = i
                rows.append((i, short(r.branch) if r.branch != last else None, r.name, r.result))
                last = r.branch
            put(
                ws,
                [f"示例镇{year}年度团员教育评议结果汇总表"],
                ["序号", "团支部", "姓名", "评议结果"],
                rows,
                [f"注：优秀比例原则上不超过30%。{COMMITTEE_FORMAL}（盖章）"],
            )
            for a, b in spans:
                if b > a:
                    ws.merge_cells(start_row=2 + a, start_column=2, end_row=2 + b, end_column=2)

        book(folder, f"{year}年度团员教育评议结果.xlsx", [("评议结果", review_sheet)])

    return replace(town, study=tuple(replace(r, identifiable=identifiable(r)) for r in town.study))
