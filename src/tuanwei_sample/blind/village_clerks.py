"""Blind dialect "village_clerks": each village / community clerk keeps their own book.

What the committee gets at year end when it collects every clerk's own files instead of a platform export:

* 团员花名册: one file per branch (.ods, .xlsx or GBK .csv), a title row naming the branch, no branch
  column, 入团时间 / 出生年月 as ``2019.10`` or ``2019年10月``, 团内职务 ``无 / 暂无 / -`` for non-cadres,
  身份证号 now and then with a lower-case x, a 填报人 line under the table;
* 青年大学习: villages and communities keep a matrix per quarter (names down, 期数 across in Chinese
  numerals, each cell the 学习时间 pasted from the platform, blank = not studied, a 合计 row); the school,
  the organ and the co-operative keep long quarterly lists (期数 in Chinese numerals, 学号 sometimes blank);
* 活动台账: one hand-kept ledger, month blocks （三月份）, dates as ``3.15`` text, a two-row header with
  志愿者服务人数及时长统计 split into 人数 / 小时 (per volunteer), a 合计 row and a signature line;
* cadre check-ins as a month matrix (√); recruitment, aid, 对标定级, 教育评议, transfers as plain tables.
"""

from __future__ import annotations

import csv
import random
import zipfile
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from tuanwei_sample.blind import register
from tuanwei_sample.model import Person, SampleTown, StudyRecord

SEED = 20221231
CN = "零一二三四五六七八九"

# branch → (roster format, month style, no-post placeholder, how the clerk writes the branch)
CLERKS = {
    "塔岗村团支部": ("ods", "dot", "无", "塔岗村团支部"),
    "柳河村团支部": ("xlsx", "cn", "暂无", "柳河村团支部"),
    "石桥村团支部": ("ods", "dot", "-", "石桥村团总支"),
    "东坡村团支部": ("xlsx", "cn", "无", "东坡村团支部"),
    "南沟村团支部": ("ods", "cn", "暂无", "南沟村团支部"),
    "北岭村团支部": ("csv", "dot", "无", "北岭村团支部"),
    "西湾村团支部": ("csv", "cn", "-", "西湾村支部"),
    "新华社区团支部": ("xlsx", "dot", "无", "新华社区团支部"),
    "朝阳社区团支部": ("ods", "dot", "暂无", "朝阳社区团支部"),
    "示例镇中学团支部": ("xlsx", "dot", "无", "示例镇中学团委"),
    "示例镇农业合作社团支部": ("csv", "cn", "无", "示例镇农业合作社团支部"),
    "示例镇机关团支部": ("xlsx", "dot", "-", "示例镇机关团支部"),
}
MATRIX_ODS = {"石桥村团支部", "朝阳社区团支部"}  # study matrices kept in LibreOffice
LONG_STUDY = ("示例镇中学团支部", "示例镇机关团支部", "示例镇农业合作社团支部")
QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def cn_num(n: int) -> str:
    if n < 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def month_text(d: date, style: str) -> str:
    return f"{d.year}.{d.month:02d}" if style == "dot" else f"{d.year}年{d.month}月"


def day_text(d: date, style: str) -> str:
    return f"{d.year}.{d.month}.{d.day}" if style == "dot" else f"{d.year}年{d.month}月{d.day}日"


# ---------------------------------------------------------------- writers (a sheet = name, rows, merges)
def write_xlsx(path: Path, sheets: list[tuple[str, list[list], list[tuple[int, int, int, int]]]]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, merges in sheets:
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, 1):
            for c, v in enumerate(row, 1):
                if v is None:
                    continue
                cell = ws.cell(r, c, v)
                if isinstance(v, datetime):
                    cell.number_format = "m/d h:mm" if (v.hour or v.minute) else "yyyy/m/d"
                elif isinstance(v, date):
                    cell.number_format = "yyyy/m/d"
                elif isinstance(v, str):
                    cell.number_format = "@"
        for r0, c0, r1, c1 in merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for c in range(1, max((len(r) for r in rows), default=1) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 12
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def _ods_cell(v, span: tuple[int, int] | None) -> str:
    attrs = ""
    if span:
        attrs = f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if v is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(v, bool) or not isinstance(v, (int, float, date)):
        return f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(str(v))}</text:p></table:table-cell>'
    if isinstance(v, (int, float)):
        return f'<table:table-cell{attrs} office:value-type="float" office:value="{v}"><text:p>{v:g}</text:p></table:table-cell>'
    iso = v.strftime("%Y-%m-%dT%H:%M:%S") if isinstance(v, datetime) else v.isoformat()
    shown = v.strftime("%m-%d %H:%M") if isinstance(v, datetime) else f"{v.year}/{v.month}/{v.day}"
    return (
        f'<table:table-cell{attrs} office:value-type="date" office:date-value="{iso}">'
        f"<text:p>{shown}</text:p></table:table-cell>"
    )


def write_ods(path: Path, sheets: list[tuple[str, list[list], list[tuple[int, int, int, int]]]]) -> None:
    """A LibreOffice spreadsheet: mimetype first and stored, manifest, content.xml with spans/covered cells."""
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
    )
    body = []
    for name, rows, merges in sheets:
        width = max((len(r) for r in rows), default=1)
        starts = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges}
        covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        covered -= set(starts)
        parts = [
            f'<table:table table:name="{escape(name)}"><table:table-column table:number-columns-repeated="{width}"/>'
        ]
        for r, row in enumerate(rows):
            cells = []
            for c in range(width):
                v = row[c] if c < len(row) else None
                cells.append(
                    "<table:covered-table-cell/>" if (r, c) in covered else _ods_cell(v, starts.get((r, c)))
                )
            parts.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
        parts.append("</table:table>")
        body.append("".join(parts))
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f"<office:body><office:spreadsheet>{''.join(body)}</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def write_csv_gbk(path: Path, rows: list[list]) -> None:
    width = max(len(r) for r in rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        for row in rows:
            w.writerow(["" if v is None else v for v in row] + [""] * (width - len(row)))


def write_book(path: Path, fmt: str, sheets) -> None:
    if fmt == "ods":
        write_ods(path.with_suffix(".ods"), sheets)
    elif fmt == "csv":
        write_csv_gbk(path.with_suffix(".csv"), sheets[0][1])
    else:
        write_xlsx(path.with_suffix(".xlsx"), sheets)


def titled(title: str, header: list, body: list[list], footer: list[list] = ()) -> tuple[list[list], list]:
    rows = [[title], header, *body, *footer]
    return rows, [(0, 0, 0, len(header) - 1)]


# ---------------------------------------------------------------- kinds
def rosters(town: SampleTown, year: int, folder: Path, rng: random.Random) -> None:
    end = date(year, 12, 31)
    moved_in = {t.person: t for t in town.transfers if t.date.year == year}
    for branch, (fmt, style, none, spelled) in CLERKS.items():
        people = [p for p in town.roster(year) if p.branch == branch]
        school = branch == "示例镇中学团支部"
        header = [
            "序号",
            "姓名",
            *(["学号"] if school else []),
            "性别",
            "民族",
            "出生年月",
            "身份证号",
            "政治面貌",
            "学历",
            "职业",
            "联系电话",
            "入团时间",
            "团员编号",
            "团内职务",
            "团籍状态",
            "离团时间",
            "备注",
        ]
        body = []
        for i, p in enumerate(people, 1):
            idn = p.id_number.lower() if fmt != "xlsx" and rng.random() < 0.5 else p.id_number
            left = p.leave_date if p.leave_date and p.leave_date <= end and p.leave_date_written else None
            note = None
            if p.pid in moved_in:
                t = moved_in[p.pid]
                note = f"{month_text(t.date, style)}由{CLERKS[t.from_branch][3]}转入"
            name = p.name + (" " if rng.random() < 0.03 else "")
            body.append(
                [
                    i,
                    name,
                    *([p.student_no] if school else []),
                    p.gender,
                    p.ethnicity,
                    month_text(p.birth_date, style),
                    idn,
                    p.political_status,
                    p.education,
                    p.occupation,
                    p.phone,
                    month_text(p.join_date, style),
                    p.member_no,
                    p.position or none,
                    p.status_at(end),
                    day_text(left, style) if left else None,
                    note,
                ]
            )
        secretary = next((p.name for p in people if p.position == "团支部书记"), "")
        title = f"{spelled}团员花名册（截至{year}年12月）"
        rows, merges = titled(
            title,
            header,
            body,
            [[], [f"填报人：{secretary}", None, None, None, None, f"填报日期：{year}年12月28日"]],
        )
        write_book(folder / "各支部花名册" / f"{spelled}团员花名册", fmt, [("花名册", rows, merges)])


def period_text(town: SampleTown, label: str) -> str:
    p = next(p for p in town.periods if p.label == label)
    return p.title if p.is_special else f"第{cn_num(p.season)}季第{cn_num(p.number)}期"


def study(town: SampleTown, year: int, folder: Path, rng: random.Random) -> set[tuple[str, str]]:
    """Write the study books; return (person, period) pairs written without their 学号."""
    periods = sorted(town.periods_in(year), key=lambda p: (p.opens, p.label))
    names = {p.pid: p for p in town.people} | {y.pid: y for y in town.youths}
    records = [r for r in town.study_in(year)]
    qof = {p.label: (p.opens.month - 1) // 3 for p in periods}
    text = {p.label: period_text(town, p.label) for p in periods}
    by_bq: dict[tuple[str, int], list[StudyRecord]] = defaultdict(list)
    for r in records:
        by_bq[(r.branch, qof[r.period])].append(r)
    dups = defaultdict(list)
    for r in town.study_duplicates:
        if r.year == year:
            dups[(r.branch, qof[r.period])].append(r)
    blank_no: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    for branch, (_, _, _, spelled) in CLERKS.items():
        if branch in LONG_STUDY:
            continue
        sheets = []
        for q, qname in enumerate(QUARTERS):
            cols = [p for p in periods if (p.opens.month - 1) // 3 == q]
            days = [d for p in cols for d in (p.opens.date(), p.closes.date())]
            recs = by_bq[(branch, q)]
            cell = {(r.person, r.period): r.recorded_at.replace(microsecond=0) for r in recs}
            members = [
                p for p in town.people if any(p.active_on(d) and p.branch_on(d) == branch for d in days)
            ]
            pids = [p.pid for p in members]
            pids += sorted({r.person for r in recs} - set(pids), key=lambda x: (x[0] == "Y", x))
            header = ["序号", "姓名", "身份", *[text[p.label] for p in cols]]
            body = []
            for i, pid in enumerate(pids, 1):
                who = names[pid]
                body.append(
                    [
                        i,
                        who.name,
                        "青年" if pid.startswith("Y") else "团员",
                        *[cell.get((pid, p.label)) for p in cols],
                    ]
                )
            total = ["合计", None, None, *[sum((pid, p.label) in cell for pid in pids) for p in cols]]
            title = f"{spelled}{year}年{qname}青年大学习学习情况登记表"
            rows, merges = titled(title, header, body, [total, ["注：表中填写学习完成时间，空白为未学习。"]])
            merges.append((len(rows) - 2, 0, len(rows) - 2, 2))
            sheets.append((qname, rows, merges))
        fmt = "ods" if branch in MATRIX_ODS else "xlsx"
        write_book(folder / "青年大学习" / f"{spelled}{year}年青年大学习登记", fmt, sheets)
    for branch in LONG_STUDY:
        spelled = CLERKS[branch][3]
        school = branch == "示例镇中学团支部"
        sheets = []
        for q, qname in enumerate(QUARTERS):
            recs = sorted(by_bq[(branch, q)] + dups[(branch, q)], key=lambda r: r.recorded_at)
            header = ["序号", "姓名", *(["学号"] if school else []), "期数", "学习时间"]
            body = []
            for i, r in enumerate(recs, 1):
                who = names[r.person]
                no = who.student_no if school else None
                if school and (r.person, r.period) not in seen:
                    seen.add((r.person, r.period))
                    if rng.random() < 0.05:
                        blank_no.add((r.person, r.period))
                if (r.person, r.period) in blank_no:
                    no = None
                body.append(
                    [
                        i,
                        who.name,
                        *([no] if school else []),
                        text[r.period],
                        r.recorded_at.strftime("%Y-%m-%d %H:%M:%S"),
                    ]
                )
            rows, merges = titled(f"{spelled}“青年大学习”{year}年{qname}学习记录", header, body)
            sheets.append((qname, rows, merges))
        if branch == "示例镇农业合作社团支部":
            write_book(folder / "青年大学习" / f"{spelled}{year}年青年大学习记录", "xlsx", sheets)
        else:
            for q, sheet in enumerate(sheets):
                write_book(
                    folder / "青年大学习" / f"{spelled}青年大学习统计（{year}年{QUARTERS[q]}）",
                    "xlsx",
                    [("Sheet1", sheet[1], sheet[2])],
                )
    return blank_no


def activities(town: SampleTown, year: int, folder: Path) -> None:
    header1 = [
        "序号",
        "活动日期",
        "活动名称",
        "活动类型",
        "组织单位",
        "参与人数",
        "志愿者服务人数及时长统计",
        None,
        "活动地点",
        "受益人数",
        "备注",
    ]
    header2 = [None] * 6 + ["人数", "小时"] + [None] * 3
    rows: list[list] = [[f"{town.town}团委{year}年度活动台账"], header1, header2]
    merges = [(0, 0, 0, 10), (1, 6, 1, 7)] + [(1, c, 2, c) for c in (0, 1, 2, 3, 4, 5, 8, 9, 10)]
    n = 0
    totals = [0, 0, 0.0, 0]
    rows_by_month = defaultdict(list)
    for a in sorted(town.activities_in(year), key=lambda a: a.date):
        for name, organiser in a.written:
            rows_by_month[a.date.month].append((a, name, organiser))
    for month in sorted(rows_by_month):
        rows.append([f"（{cn_num(month)}月份）"])
        merges.append((len(rows) - 1, 0, len(rows) - 1, 10))
        for a, name, organiser in rows_by_month[month]:
            n += 1
            rows.append(
                [
                    n,
                    f"{a.date.month}.{a.date.day}",
                    name,
                    a.activity_type,
                    organiser,
                    a.participants,
                    a.volunteers,
                    a.hours_per_person,
                    a.location,
                    a.beneficiaries,
                    a.note,
                ]
            )
            totals[0] += a.participants
            totals[1] += a.volunteers or 0
            totals[2] += a.hours_per_person or 0
            totals[3] += a.beneficiaries or 0
    rows.append(["合计", None, None, None, None, totals[0], totals[1], totals[2], None, totals[3], None])
    merges.append((len(rows) - 1, 0, len(rows) - 1, 4))
    rows += [[], ["填表人：", None, None, None, "审核人：", None, None, None, f"{year}年12月30日"]]
    write_xlsx(folder / f"{year}年活动台账.xlsx", [("活动台账", rows, merges)])


def checkins(town: SampleTown, year: int, folder: Path) -> None:
    months = [date(year, m, 1) for m in range(1, 13)]
    people: dict[tuple[str, str], dict[date, bool]] = {}
    for c in town.checkins:
        if c.month.year == year:
            people.setdefault((c.person or f"?{c.name}", c.name), {})[c.month] = c.checked_in
    pos = {p.pid: p for p in town.people}
    body = []
    for i, ((pid, name), done) in enumerate(people.items(), 1):
        p = pos.get(pid)
        branch = (
            p.branch_on(date(year, 12, 31)) if p else next(c.branch for c in town.checkins if c.name == name)
        )
        body.append(
            [
                i,
                CLERKS[branch][3],
                name,
                p.position if p else None,
                *["√" if done.get(m) else None for m in months],
            ]
        )
    header = ["序号", "团支部", "姓名", "职务", *[f"{m.month}月" for m in months]]
    rows, merges = titled(
        f"{town.town}{year}年团干部“每月学习打卡”情况统计表",
        header,
        body,
        [["注：√为当月已打卡，空白为未打卡。"]],
    )
    write_xlsx(folder / f"团干部学习打卡统计{year}.xlsx", [("打卡情况", rows, merges)])


def plain_tables(town: SampleTown, year: int, folder: Path) -> None:
    rec = town.recruits_in(year)
    end = date(year, 12, 31)
    body = [
        [
            i,
            r.name,
            r.gender,
            r.birth_date,
            r.id_number,
            CLERKS[r.branch][3],
            r.applied,
            r.activist,
            r.target,
            r.joined,
            r.league_no,
            r.stage_at(end),
        ]
        for i, r in enumerate(rec, 1)
    ]
    header = [
        "序号",
        "姓名",
        "性别",
        "出生日期",
        "身份证号",
        "所在团支部",
        "递交入团申请书时间",
        "确定为入团积极分子时间",
        "确定为发展对象时间",
        "入团时间",
        "发展团员编号",
        "当前阶段",
    ]
    rows, merges = titled(f"{town.town}{year}年发展团员工作台账", header, body)
    write_xlsx(folder / f"{year}年发展团员台账.xlsx", [("发展团员", rows, merges)])

    sheets = []
    for prog in dict.fromkeys(a.programme for a in town.aid if a.year == year):
        pay = [a for a in town.aid if a.year == year and a.programme == prog]
        body = [[i, a.name, a.id_number, a.village, a.school, a.amount, a.date] for i, a in enumerate(pay, 1)]
        rows, merges = titled(
            f"{year}年“{prog}”资助发放名单",
            ["序号", "姓名", "身份证号", "所在村（社区）", "就读学校", "金额（元）", "发放时间"],
            body,
            [["合计", None, None, None, None, sum(a.amount for a in pay), None]],
        )
        sheets.append((prog, rows, merges))
    write_xlsx(folder / f"{year}年爱心助学发放名册.xlsx", sheets)

    body = [
        [i, r.branch, next(b.type for b in town.branches if b.name == r.branch), r.score, r.rating_raw]
        for i, r in enumerate((r for r in town.ratings if r.year == year), 1)
    ]
    rows, merges = titled(
        f"{town.town}{year}年度团支部“对标定级”结果汇总表",
        ["序号", "团支部名称", "支部类型", "得分", "定级结果"],
        body,
    )
    write_xlsx(folder / f"{year}年度对标定级结果.xlsx", [("对标定级", rows, merges)])

    body = [
        [i, CLERKS[r.branch][3], r.name, r.result]
        for i, r in enumerate((r for r in town.reviews if r.year == year), 1)
    ]
    rows, merges = titled(
        f"{town.town}{year}年度团员教育评议结果汇总", ["序号", "所在团支部", "姓名", "评议等次"], body
    )
    write_xlsx(folder / f"{year}年度团员教育评议结果.xlsx", [("评议结果", rows, merges)])

    body = [
        [i, t.name, t.id_number, t.from_branch, t.to_branch, t.date, "已完成"]
        for i, t in enumerate((t for t in town.transfers if t.date.year == year), 1)
    ]
    rows, merges = titled(
        f"{year}年团员组织关系转接登记表",
        ["序号", "姓名", "身份证号", "转出团支部", "转入团支部", "转接日期", "办理状态"],
        body,
    )
    write_xlsx(folder / f"{year}年组织关系转接登记.xlsx", [("转接", rows, merges)])


def identifiable(town: SampleTown, blank_no: set[tuple[str, str]]):
    """False: a member's record written by name only while another member of the branch shares the name."""
    people = {p.pid: p for p in town.people}
    same: dict[str, list[Person]] = defaultdict(list)
    for p in town.people:
        same[p.name].append(p)

    def check(r: StudyRecord) -> bool:
        if not r.is_member:
            return True
        p = people[r.person]
        if r.branch == "示例镇中学团支部" and p.student_no and (r.person, r.period) not in blank_no:
            return True
        day = r.recorded_at.date()
        return not any(
            q.pid != p.pid and q.active_on(day) and q.branch_on(day) == r.branch for q in same[p.name]
        )

    return check


@register("village_clerks")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(SEED)
    folder.mkdir(parents=True, exist_ok=True)
    rosters(town, year, folder, rng)
    blank_no = study(town, year, folder, rng)
    activities(town, year, folder)
    checkins(town, year, folder)
    plain_tables(town, year, folder)
    check = identifiable(town, blank_no)
    return replace(
        town, study=tuple(replace(r, identifiable=check(r)) if r.year == year else r for r in town.study)
    )
