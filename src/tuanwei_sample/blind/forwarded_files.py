"""Blind dialect ``forwarded_files``: a year of exports that went through many hands.

Every file here was downloaded from a platform or an OA system, forwarded in WeChat/QQ groups, opened
and re-saved in WPS or Excel, and finally dropped into one folder (see the domain guide):

* the roster is an OA "Excel export" that is really an HTML table saved as ``.xls`` (GBK bytes,
  ``<meta charset=gb2312>``, a colspan title, ``&nbsp;`` blanks, 所在团支部 merged down with rowspan);
* 青年大学习 records come as a platform ``.zip`` of monthly files whose member names are GBK without
  the UTF-8 flag; two months are Excel "CSV (逗号分隔)" files (GBK, minutes only);
* the activity ledger is there twice (``活动台账.xlsx`` and ``活动台账(1).xlsx``, same bytes) plus an
  older, shorter ``活动台账 - 副本.xlsx``; dates are bare Excel serials, some counts are full-width text,
  the header has two merged rows, a 合计 row sits under the data, last year's ledger is a hidden sheet;
* cadre check-ins: a 填表说明 sheet first, then a month matrix under a two-row merged header;
* recruitment: Excel CSV in GBK; aid: HTML-as-``.xls`` (UTF-8, Office namespaces) with money as text;
* transfers: ID numbers stored as numbers (last digits lost), names kept;
* ratings on a protected sheet; reviews with last year's results on a hidden first sheet.
"""

from __future__ import annotations

import csv
import html
import io
import random
import shutil
import zipfile
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tuanwei_sample.blind import register
from tuanwei_sample.model import Person, SampleTown

SEED = 20220917
EPOCH = date(1899, 12, 30)
FULL = str.maketrans("0123456789", "０１２３４５６７８９")
CN = "零一二三四五六七八九"
COUNTY = "示例县"


def serial(d: date) -> int:
    """An Excel date serial, as left behind by 选择性粘贴-数值."""
    return (d - EPOCH).days


def cn_num(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("十" if tens == 1 else CN[tens] + "十") + (CN[ones] if ones else "")


def period_text(town: SampleTown, label: str) -> str:
    p = next(x for x in town.periods if x.label == label)
    if p.title:
        return p.title
    return f"第{cn_num(p.season or 0)}季第{cn_num(p.number or 0)}期"


def ymd(d: date | None, sep: str = "/") -> str:
    return "" if d is None else f"{d.year}{sep}{d.month}{sep}{d.day}"


def save(wb: Workbook, path: Path) -> None:
    wb.properties.creator = "WPS Office"
    wb.properties.created = datetime(2023, 1, 5, 9, 0)
    wb.save(path)


def header2(ws, row: int, top: list[str], sub: dict[int, list[str]]) -> None:
    """A two-row header: ``top`` cells merged down, except groups (start col → sub-labels) merged across."""
    col = 1
    for label in top:
        ws.cell(row, col, label)
        if col in sub:
            n = len(sub[col])
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + n - 1)
            for i, s in enumerate(sub[col]):
                ws.cell(row + 1, col + i, s)
            col += n
        else:
            ws.merge_cells(start_row=row, start_column=col, end_row=row + 1, end_column=col)
            col += 1


def html_table(rows: list[list], charset: str, office: bool) -> str:
    """rows: lists of cells; a cell is a value or (value, {"colspan": n, "rowspan": n, "text": bool})."""
    out = []
    for row in rows:
        tds = []
        for cell in row:
            value, attrs = cell if isinstance(cell, tuple) else (cell, {})
            text = "&nbsp;" if value in (None, "") else html.escape(str(value))
            extra = "".join(f' {k}="{attrs[k]}"' for k in ("colspan", "rowspan") if k in attrs)
            if attrs.get("text"):
                extra += " style=\"mso-number-format:'\\@'\""
            tds.append(f"<td{extra}>{text}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    head = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:x="urn:schemas-microsoft-com:office:excel" xmlns="http://www.w3.org/TR/REC-html40">'
        if office
        else "<html>"
    )
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    return (
        f'{head}\n<head>{meta}</head>\n<body>\n<table border="1">\n'
        + "\n".join(out)
        + "\n</table>\n</body></html>\n"
    )


def excel_csv(rows: list[list]) -> bytes:
    """What Excel's “CSV (逗号分隔)” writes on a Chinese Windows: GBK, CRLF, ragged title rows padded."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    width = max(len(r) for r in rows)
    for r in rows:
        w.writerow(["" if v is None else v for v in r] + [""] * (width - len(r)))
    return buf.getvalue().replace("\xa0", " ").encode("gbk")  # best-fit: a no-break space becomes a space


class GbkName(zipfile.ZipInfo):
    """A member name stored in GBK without the UTF-8 flag, as Chinese Windows zip tools do."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def formal(branch: str) -> str:
    """The 智慧团建 full name of a branch, as OA systems print it."""
    stem = branch.removesuffix("团支部")
    return f"共青团{stem}支部委员会"


def org_path(town: SampleTown, branch: str) -> str:
    return f"共青团{COUNTY}委员会/共青团{town.town}委员会/{formal(branch)}"


# ---------------------------------------------------------------- roster (HTML saved as .xls, GBK)
def write_roster(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    people = sorted(town.roster(year), key=lambda p: (town.branch_names.index(p.branch), p.pid))
    cols = ["序号", "所在团支部", "姓名", "性别", "民族", "出生日期", "证件类型", "身份证号码", "手机号码",
            "政治面貌", "全日制学历", "职业", "团员编号", "入团年月", "团籍状态", "离团时间", "是否团干部",
            "团内现任职务", "学号（学生团员）"]  # fmt: skip
    rows: list[list] = [
        [(f"{town.town}团员信息导出", {"colspan": len(cols)})],
        [(f"导出时间：{year + 1}-01-04 16:22:08　　导出人：{town.committee}", {"colspan": len(cols)})],
        cols,
    ]
    first: dict[str, int] = {}
    for i, p in enumerate(people, 1):
        row: list = [i]
        if p.branch not in first:
            first[p.branch] = i
            span = sum(q.branch == p.branch for q in people)
            row.append((formal(p.branch), {"rowspan": span}))
        left = p.leave_date if p.leave_date and p.leave_date.year <= year and p.leave_date_written else None
        post = p.position or rng.choice(["无", "", "/"])
        row += [p.name, p.gender, p.ethnicity, p.birth_date.isoformat(), "居民身份证",
                (p.id_number, {"text": True}), (p.phone, {"text": True}), p.political_status,
                p.education, p.occupation, (p.member_no, {"text": True}),
                f"{p.join_date.year}.{p.join_date.month:02d}", p.status_at(date(year, 12, 31)),
                left.isoformat() if left else "", "是" if p.is_cadre else "否", post,
                (p.student_no or "", {"text": True})]  # fmt: skip
        rows.append(row)
    text = html_table(rows, "gb2312", office=False)
    (folder / "团员信息管理导出.xls").write_bytes(text.encode("gbk", errors="xmlcharrefreplace"))


# ---------------------------------------------------------------- 青年大学习: monthly files in a GBK zip
def identity(name: str, sno: str | None, rng: random.Random) -> tuple[str, bool]:
    """The 姓名 cell as a learner typed it; the flag says whether a 学号 is in it."""
    shape = rng.random()
    if sno and shape < 0.4:
        return f"{sno} {name}", True
    if sno and shape < 0.75:
        return f"{name}（{sno}）", True
    if shape > 0.98:
        return name + rng.choice(["\u3000", " ", "\xa0"]), False
    return name, False


def write_study(town: SampleTown, year: int, folder: Path, rng: random.Random) -> SampleTown:
    people = {p.pid: p for p in town.people}
    youths = {y.pid: y for y in town.youths}
    written: dict[tuple[str, str], tuple[str, bool]] = {}  # (person, period) → 姓名 cell, carries a 学号
    by_month: dict[str, list[tuple]] = {}
    records = [r for r in town.study if r.year == year]
    records += [r for r in town.study_duplicates if r.year == year]
    for r in records:
        who = people.get(r.person) or youths[r.person]
        key = (r.person, r.period)  # a repeated submission comes from the same account: same 姓名 cell
        cell = written.setdefault(key, identity(who.name, who.student_no, rng))[0]
        month = r.recorded_at.strftime("%Y年%m月")
        by_month.setdefault(month, []).append((r.recorded_at, period_text(town, r.period), cell, r.branch))
    members = []
    for month, rows in sorted(by_month.items()):
        rows.sort()
        if month.endswith(("07月", "11月")):
            table: list[list] = [["序号", "期数", "姓名", "归属组织", "学习时间"]]
            for i, (at, per, cell, br) in enumerate(rows, 1):
                table.append([i, per, cell, org_path(town, br), f"{at.year}/{at.month}/{at.day} {at:%H:%M}"])
            members.append((f"青年大学习学习记录/{month}学习记录.csv", excel_csv(table)))
            continue
        wb = Workbook()
        ws = wb.active
        ws.title = "报名列表"
        ws.append(["序号", "期数", "姓名", "归属组织", "学习时间"])
        for i, (at, per, cell, br) in enumerate(rows, 1):
            ws.append([i, per, cell, org_path(town, br), at.strftime("%Y-%m-%d %H:%M:%S")])
        buf = io.BytesIO()
        save(wb, buf)  # type: ignore[arg-type]
        members.append((f"青年大学习学习记录/{month}学习记录.xlsx", buf.getvalue()))
    with zipfile.ZipFile(
        folder / f"青年大学习学习记录（{year}年1-12月）.zip", "w", zipfile.ZIP_DEFLATED
    ) as z:
        for name, data in members:
            info = GbkName(name, date_time=(year + 1, 1, 3, 9, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

    def clear(r) -> bool:
        if not r.is_member or written[(r.person, r.period)][1]:
            return True
        day = r.recorded_at.date()
        me = people[r.person]
        return not any(
            q.pid != me.pid and q.name == me.name and q.active_on(day) and q.branch_on(day) == r.branch
            for q in town.people
        )

    return replace(
        town, study=tuple(replace(r, identifiable=clear(r)) if r.year == year else r for r in town.study)
    )


# ---------------------------------------------------------------- activities: twice, plus an older 副本
ACT_TOP = ["序号", "活动日期", "活动名称", "活动类型", "组织单位", "参与人数", "志愿服务情况", "受益人数",
           "活动地点", "备注"]  # fmt: skip


def ledger_sheet(ws, town: SampleTown, year: int, acts, rng: random.Random, filed: str) -> None:
    hours_label = "人均服务时长（小时）" if year >= 2022 else "服务总时长（小时）"
    ws.append([f"{town.committee}{year}年度团建活动台账"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=11)
    ws.append([f"填报单位：{town.committee}", None, None, None, None, None, None, None, f"填报日期：{filed}"])
    header2(ws, 3, ACT_TOP, {7: ["志愿者人数", hours_label]})
    n = 0
    total_people = total_vols = 0
    for a in acts:
        for name, org in a.written:
            n += 1
            hours = a.hours_per_person if year >= 2022 else a.total_hours
            people: int | str = a.participants
            if rng.random() < 0.25:
                people = str(a.participants).translate(FULL)  # typed with a Chinese IME
            ws.append([n, serial(a.date), name, a.activity_type, org, people, a.volunteers, hours,
                       a.beneficiaries, a.location, a.note])  # fmt: skip
            total_people += a.participants
            total_vols += a.volunteers or 0
    ws.append(["合计", None, f"{n}项", None, None, total_people, total_vols])
    ws.append([])
    ws.append(["填表人：", None, None, None, "审核人：", None, None, None, "（盖章）"])
    for col in range(1, 12):
        ws.column_dimensions[get_column_letter(col)].width = 14


def write_activities(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    acts = town.activities_in(year)
    wb = Workbook()
    ws = wb.active
    ws.title = f"{year - 1}年"
    ledger_sheet(ws, town, year - 1, town.activities_in(year - 1), rng, f"{year}年1月10日")
    ws.sheet_state = "hidden"
    ledger_sheet(wb.create_sheet(f"{year}年"), town, year, acts, rng, f"{year + 1}年1月6日")
    wb.active = 1
    save(wb, folder / "活动台账.xlsx")
    shutil.copyfile(folder / "活动台账.xlsx", folder / "活动台账(1).xlsx")  # saved twice from WeChat
    old = Workbook()  # the version sent round in July: first half-year only, no hidden sheet
    ledger_sheet(old.active, town, year, [a for a in acts if a.date.month <= 6], rng, f"{year}年7月4日")
    old.active.title = f"{year}年"
    save(old, folder / "活动台账 - 副本.xlsx")


# ---------------------------------------------------------------- cadre check-ins: 填表说明 + month matrix
def write_checkins(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    rows: dict[tuple[str, str], dict[int, object]] = {}
    posts = {p.pid: p.position for p in town.people}
    for c in sorted(town.checkins, key=lambda c: (town.branch_names.index(c.branch), c.person or "~")):
        if c.month.year != year:
            continue
        cell: object = serial(c.checkin_date) if c.checked_in and c.checkin_date else "未打卡"
        if c.checked_in and not c.checkin_date:
            cell = "√"
        rows.setdefault((c.branch, c.person or c.name), {"name": c.name, "post": posts.get(c.person or "")})[
            c.month.month
        ] = cell
    wb = Workbook()
    note = wb.active
    note.title = "填表说明"
    for line in [
        "填表说明：",
        "1. 本表由各团支部团干部每月学习打卡后如实填写，每月25日前报镇团委。",
        "2. 已打卡的填写打卡日期，未打卡的填写“未打卡”。",
        "3. 团支部名称请填写全称，不要修改表头、不要合并或拆分单元格。",
        "4. 本表“打卡情况”中日期格式为 2022/1/17。",
    ]:
        note.append([line])
    ws = wb.create_sheet("打卡统计")
    ws.append([f"{town.town}团干部每月学习打卡统计表（{year}年）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=17)
    months = [f"{m}月" for m in range(1, 13)]
    header2(ws, 2, ["序号", "团支部", "姓名", "团内职务", "每月学习打卡情况", "备注"], {5: months})
    span: dict[str, list[int]] = {}
    for i, ((branch, _), v) in enumerate(rows.items(), 1):
        ws.append([i, None if branch in span else branch, v["name"], v["post"] or "无"]
                  + [v.get(m) for m in range(1, 13)])  # fmt: skip
        span.setdefault(branch, []).append(ws.max_row)
    for lines in span.values():  # the branch cell merged down its cadres
        if len(lines) > 1:
            ws.merge_cells(start_row=lines[0], start_column=2, end_row=lines[-1], end_column=2)
    wb.active = 1
    save(wb, folder / "团干部每月学习打卡统计表.xlsx")


# ---------------------------------------------------------------- recruitment: Excel CSV in GBK
def write_recruitment(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    end = date(year, 12, 31)
    rows: list[list] = [[f"{town.town}{year}年发展团员工作情况统计表"], ["填报单位：" + town.committee]]
    rows.append(["序号", "姓名", "性别", "身份证号", "出生日期", "所在团支部", "递交入团申请书时间",
                 "确定为入团积极分子时间", "确定为发展对象时间", "入团时间", "发展团员编号", "当前阶段"])  # fmt: skip
    for i, r in enumerate(town.recruits_in(year), 1):
        rows.append([i, r.name, r.gender, r.id_number, ymd(r.birth_date), rng.choice([r.branch, formal(r.branch)]),
                     ymd(r.applied), ymd(r.activist), ymd(r.target), ymd(r.joined), r.league_no or "",
                     r.stage_at(end)])  # fmt: skip
    rows.append(["填表人：", "", "", "", "联系电话："])
    (folder / "发展团员工作情况统计表.csv").write_bytes(excel_csv(rows))


# ---------------------------------------------------------------- aid: HTML-as-.xls from the OA, UTF-8
DIGITS = "零壹贰叁肆伍陆柒捌玖"


def upper_money(amount: float) -> str:
    n = round(amount)
    parts, units = [], ["", "拾", "佰", "仟", "万"]
    for i, ch in enumerate(reversed(str(n))):
        if ch != "0":
            parts.append(DIGITS[int(ch)] + units[i])
        elif parts and not parts[-1].startswith("零"):
            parts.append("零")
    return "".join(reversed(parts)).strip("零") + "元整"


def write_aid(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    aid = [a for a in town.aid if a.date.year == year]
    cols = ["序号", "资助项目", "姓名", "身份证号", "所在村（社区）", "就读学校", "发放金额（元）", "金额大写",
            "发放日期", "备注"]  # fmt: skip
    rows: list[list] = [[(f"{town.town}{year}年爱心助学资金发放名单", {"colspan": len(cols)})], cols]
    for i, a in enumerate(aid, 1):
        money = rng.choice([f"￥{a.amount:,.2f}", f"{a.amount:.0f}元", f"¥{a.amount:,.0f}"])
        rows.append([i, a.programme, a.name, (a.id_number, {"text": True}), a.village, a.school, money,
                     upper_money(a.amount), f"{a.date.year}年{a.date.month}月{a.date.day}日", ""])  # fmt: skip
    total = sum(a.amount for a in aid)
    rows.append([("合计", {"colspan": 6}), f"￥{total:,.2f}", upper_money(total), "", ""])
    rows.append([("经办人：　　　　　　审核人：　　　　　　（单位盖章）", {"colspan": len(cols)})])
    text = html_table(rows, "utf-8", office=True)
    (folder / "爱心助学金发放名单.xls").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- transfers: ID numbers as numbers
def id_as_number(id_number: str) -> float | str:
    """What Excel keeps of an ID typed into a General cell: 15 significant digits (X: stays text)."""
    if not id_number.isdigit():
        return id_number
    return float(id_number[:15] + "000")


def write_transfers(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "转接明细"
    ws.append(["序号", "姓名", "身份证号", "转出组织", "转入组织", "办理时间", "状态"])
    moves = [t for t in town.transfers if t.date.year == year]
    for i, t in enumerate(moves, 1):
        ws.append([i, t.name, id_as_number(t.id_number), org_path(town, t.from_branch), org_path(town, t.to_branch),
                   datetime.combine(t.date, datetime.min.time()), "已完成"])  # fmt: skip
        ws.cell(ws.max_row, 6).number_format = "yyyy-mm-dd"
    save(wb, folder / "团员组织关系转接明细.xlsx")


# ---------------------------------------------------------------- ratings (protected), reviews (hidden last year)
def write_ratings(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "定级结果"
    ws.append([f"{town.town}{year}年度基层团组织对标定级结果"])
    ws.append(["序号", "团组织名称", "考评得分", "定级结果"])
    for i, r in enumerate((r for r in town.ratings if r.year == year), 1):
        score = None if r.score is None else f"{r.score:g}".translate(FULL)
        ws.append([i, formal(r.branch), score, r.rating_raw])
    ws.protection.sheet = True
    ws.protection.password = "1234"
    save(wb, folder / f"{year}年度对标定级结果（定稿）.xlsx")


def review_sheet(ws, town: SampleTown, year: int, people: dict[str, Person]) -> None:
    ws.append(["序号", "团支部", "姓名", "身份证号", "评议结果"])
    for i, r in enumerate((r for r in town.reviews if r.year == year), 1):
        ws.append([i, r.branch, r.name, people[r.person].id_number, r.result])


def write_reviews(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    people = {p.pid: p for p in town.people}
    wb = Workbook()
    last = wb.active
    last.title = f"{year - 1}年度"
    review_sheet(last, town, year - 1, people)
    last.sheet_state = "hidden"
    review_sheet(wb.create_sheet(f"{year}年度"), town, year, people)
    wb.active = 1
    save(wb, folder / "团员教育评议结果汇总.xlsx")


@register("forwarded_files")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    write_roster(town, year, folder, rng)
    town = write_study(town, year, folder, rng)
    write_activities(town, year, folder, rng)
    write_checkins(town, year, folder, rng)
    write_recruitment(town, year, folder, rng)
    write_aid(town, year, folder, rng)
    write_transfers(town, year, folder, rng)
    write_ratings(town, year, folder, rng)
    write_reviews(town, year, folder, rng)
    return town
