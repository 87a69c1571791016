"""Blind dialect ``county_template``: the county committee's one-workbook template, filled in by the town.

The 团县委 sends every town one protected workbook (示例镇2022年度共青团工作统计表.xlsx) and the town
fills it in: a 填表说明 sheet, then numbered sheets 表1 … 表11, each with a merged title, a
填报单位/填报人/联系电话/填报日期 line, a grey instruction row, headers over two or three rows
(numbered groups 一、… / 二、… above the column names; a hint row or a 甲乙丙/1 2 3 code row below
them), a grey example row of fake values (“（此行为填写示例，请勿删除）”), the data, a 合计 row and a
signature line. Drop-downs come from a hidden 数据字典 sheet; branch cells are merged down their block
in the check-in matrix and the review list. 表1 基本情况, 表5 青年大学习情况 and 表11 汇总表 are derived
per-branch statistics (plain values, as Excel shows them after saving), not records. 青年大学习 records
come beside the workbook as the platform's monthly exports (期数 / 姓名 / 学号 / 所属组织 / 学习时间).
Written from the domain guide and public descriptions of such templates only.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tuanwei_sample.blind import register
from tuanwei_sample.model import SampleTown, StudyRecord

GREY = PatternFill("solid", fgColor="D9D9D9")
HEAD = PatternFill("solid", fgColor="DDEBF7")
BOX = Border(*(Side(style="thin"),) * 4)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
CN = "零一二三四五六七八九"
FILLED = date(2023, 1, 6)
DAY = "yyyy-mm-dd"

# The county's template: sheet ¦ title (after 示例镇<year>年度) ¦ columns (group:names|…) ¦ grey instruction ¦ example row
TEMPLATE = """
表1 基本情况 ¦ 基层团组织和团员基本情况统计表 ¦ 序号|团组织:团支部名称,类型|团支部书记:姓名,联系电话|团员情况:团员人数,其中：团干部,其中：28周岁以上,本年新发展 ¦ 说明：本表数据截止12月31日，团员人数、团干部人数须与表2团员名册一致。 ¦
表2 团员名册 ¦ 团员名册 ¦ 序号|一、个人基本信息:姓名,性别,民族,出生年月,身份证号码,手机号码|二、团籍信息:所在团支部,入团年月,团员编号,团籍状态,离团时间|三、其他信息:政治面貌,全日制学历,职业,是否团干部,团内职务,学号|备注 ¦ 说明：1.填写截至12月31日在册团员及本年度离团人员；2.身份证号码、团员编号请设置为文本格式；3.离团人员团籍状态选择离团类型并填写离团时间。 ¦ 示例|张三|男|汉族|2000.01|990100200001011234|13800000000|XX村团支部|2016.05|201612345678|正常||共青团员|高中|农民|否|无
表3 组织关系转接 ¦ 团员组织关系转接情况 ¦ 序号|一、团员信息:姓名,身份证号码|二、转接情况:转出团支部,转入团支部,转接时间,办理状态|备注 ¦ 说明：填写本年度在本镇各团支部之间转接组织关系的团员；转接时间以“智慧团建”系统办结时间为准。 ¦ 示例|李四|990100199901011234|XX村团支部|XX社区团支部|{year}-03-01|已完成
表4 活动开展情况 ¦ 团组织活动开展情况统计表 ¦ 序号|一、活动基本情况:活动时间,活动名称,活动类型,组织单位,活动地点|二、参与情况:参与人数,受益人数|三、志愿服务情况:志愿者人数,人均服务时长（小时）,服务总时长（小时）|备注 ¦ 说明：1.每项活动填写一行，镇团委组织的活动组织单位填“镇团委”；2.活动类型从下拉列表选择；3.志愿服务类活动须填写第三部分，服务总时长=志愿者人数×人均服务时长。 ¦ 示例|{year}-03-05|学雷锋志愿服务活动|志愿服务|XX村团支部|XX村广场|20|50|10|2|20
表5 青年大学习情况 ¦ “青年大学习”参学情况统计表 ¦ 序号|团支部|团员数|{months_rates}|全年平均参学率 ¦ 说明：参学率=当月各期参学团员人次÷（团员数×当月期数），数据来源于“青年大学习”后台导出名单。 ¦
表6 团干部学习打卡 ¦ 团干部每月学习打卡情况统计表 ¦ 序号|团支部|姓名|团内职务|{year}年每月学习打卡情况（已打卡√，未打卡×）:{months}|全年打卡次数|备注 ¦ 说明：填写各团支部团干部每月学习打卡情况，已打卡填“√”，未打卡填“×”；同一团支部的单元格可合并。 ¦ 示例|XX村团支部|王五|团支部书记|√|√|√|√|√|√|√|√|√|√|√|×|11
表7 发展团员情况 ¦ 发展团员情况统计表 ¦ 序号|一、基本信息:姓名,性别,出生日期,身份证号码,所在团支部|二、发展程序（填写完成日期）:递交入团申请书,确定为入团积极分子,确定为发展对象,批准入团|三、其他:发展团员编号,当前阶段|备注 ¦ 说明：填写本年度处于发展程序中的全部人员，已完成的程序填写日期，未到的程序空白；发展团员编号为12位，批准入团后填写。 ¦ 示例|赵六|女|2007-05-01|990100200705011234|XX中学团支部|{year}-01-10|{year}-04-10|{year}-07-10|{year}-10-10|{year}12345678|已入团
表8 资助情况 ¦ 爱心助学资助情况统计表 ¦ 序号|一、资助项目:项目名称,发放日期|二、受助学生信息:姓名,身份证号码,所在村（社区）,就读学校|资助金额（元）|备注 ¦ 说明：按实际发放填写，一人多次受助的分行填写；资助金额填写阿拉伯数字，单位为元。 ¦ 示例|XX助学金|{year}-09-01|孙七|990100200801011234|XX村|XX中学|1000
表9 对标定级 ¦ 基层团支部对标定级情况统计表 ¦ 序号|团支部名称|团支部类型|对标定级情况:考核得分,定级结果|备注 ¦ 说明：定级结果从下拉列表选择；成立不满6个月及流动、临时团支部选择“不予定级”。 ¦ 示例|XX村团支部|村|85|四星
表10 教育评议 ¦ 团员教育评议情况统计表 ¦ 序号|团支部|姓名|评议结果|备注 ¦ 说明：优秀比例一般不超过30%；评议结果从下拉列表选择。 ¦ 示例|XX村团支部|张三|合格
表11 汇总表 ¦ 共青团工作数据汇总表 ¦ 序号|团支部|组织建设:团员数,团干部数,对标定级|活动开展:活动次数,参与人次,志愿服务时长（小时）|青年大学习:参学人次,参学率|团干部打卡率 ¦ 说明：本表由表1至表10汇总生成，请勿手工修改。 ¦
"""
SPEC = {(f := [x.strip() for x in line.split("¦")])[0]: f[1:] for line in TEMPLATE.strip().splitlines()}


def cn(n: int) -> str:
    tens, ones = divmod(n, 10)
    return CN[ones] if not tens else f"{'' if tens == 1 else CN[tens]}十{CN[ones] if ones else ''}"


def ym(d: date) -> str:
    return f"{d.year}.{d.month:02d}"


def spec(text: str) -> list[tuple[str | None, str]]:
    """``序号|一、基本信息:姓名,性别|备注`` → [(None, 序号), (一、基本信息, 姓名), …]."""
    out: list[tuple[str | None, str]] = []
    for part in text.split("|"):
        group, _, names = part.rpartition(":")
        out += [(group or None, n) for n in names.split(",")]
    return out


def fake(text: str) -> list:
    """An example row written as ``示例|张三|…``: short digit strings become numbers, ISO dates dates."""
    out: list = []
    for v in text.split("|"):
        if v.isdigit() and len(v) < 6:
            out.append(int(v))
        elif len(v) == 10 and v[4] == "-" and v[7] == "-":
            out.append(date.fromisoformat(v))
        else:
            out.append(v or None)
    return out


class Sheet:
    """A template sheet: title, 填报 line, grey instruction, multi-row header, example; then data, totals."""

    def __init__(self, wb: Workbook, name: str, year: int, filler: tuple[str, str], extra=None) -> None:
        months = ",".join(f"{m}月" for m in range(1, 13))
        rates = "|".join(f"{m}月:参学人次,参学率" for m in range(1, 13))
        title, cols, note, example = (
            part.format(year=year, months=months, months_rates=rates) for part in SPEC[name]
        )
        self.ws = ws = wb.create_sheet(name)
        self.cols = spec(cols)
        self.width = width = len(self.cols)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        ws.cell(1, 1, f"示例镇{year}年度{title}").font = Font(size=16, bold=True)
        ws.cell(1, 1).alignment = CENTER
        q = max(width // 4, 1)
        line = ["填报单位（盖章）：示例镇团委", f"填报人：{filler[0]}", f"联系电话：{filler[1]}"]
        for i, text in enumerate([*line, f"填报日期：{FILLED.year}年{FILLED.month}月{FILLED.day}日"]):
            ws.cell(2, 1 + i * q, text)
        ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=width)
        cell = ws.cell(3, 1, note)
        cell.fill, cell.font, cell.alignment = GREY, Font(size=9, color="595959"), Alignment(wrap_text=True)
        ws.row_dimensions[3].height = 32
        ws.protection.sheet, ws.protection.password = True, "tw2022"
        for c in range(1, width + 1):
            ws.column_dimensions[get_column_letter(c)].width = 14
        self.row = 4
        self.header(extra)
        if example:
            values = fake(example)
            values += [None] * (width - 1 - len(values))
            for k, v in enumerate([*values, "（此行为填写示例，请勿删除）"], 1):
                cell = ws.cell(self.row, k, v)
                cell.fill, cell.border, cell.font = GREY, BOX, Font(color="808080")
            self.row += 1

    def header(self, extra: list[str] | None) -> None:
        """Group row (merged over each group), column-name row, optional hint / code row."""
        ws, top, cols = self.ws, self.row, self.cols
        depth = 2 + (extra is not None)
        c = 1
        while c <= len(cols):
            group, name = cols[c - 1]
            end = c
            while group and end < len(cols) and cols[end][0] == group:
                end += 1
            if group is None:
                ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
            elif end > c:
                ws.merge_cells(start_row=top, start_column=c, end_row=top, end_column=end)
            ws.cell(top, c, group or name)
            for k in range(c, end + 1) if group else ():
                ws.cell(top + 1, k, cols[k - 1][1])
            c = end + 1
        for k, text in enumerate(extra or [], 1):
            ws.cell(top + 2, k, text or None).font = Font(size=9, italic=True)
        for r in range(top, top + depth):
            for k in range(1, len(cols) + 1):
                cell = ws.cell(r, k)
                cell.fill, cell.border, cell.alignment = HEAD, BOX, CENTER
        ws.freeze_panes = ws.cell(top + depth, 3)
        self.row += depth

    def data(self, rows: list[list], formats: dict[int, str] | None = None, merge: int | None = None) -> int:
        """Input cells (unlocked); ``merge``: a 1-based column merged down runs of equal values."""
        first = self.row
        for values in rows:
            for k, v in enumerate(values, 1):
                cell = self.ws.cell(self.row, k, v)
                cell.style = "录入"
                if formats and k in formats:
                    cell.number_format = formats[k]
            self.row += 1
        start = 0
        for i in range(1, len(rows) + 1) if merge else ():
            if i == len(rows) or rows[i][merge - 1] != rows[start][merge - 1]:
                if i - start > 1:
                    self.ws.merge_cells(
                        f"{get_column_letter(merge)}{first + start}:{get_column_letter(merge)}{first + i - 1}"
                    )
                start = i
        return first

    def total(self, values: list, fmt: str | None = None) -> None:
        for k, v in enumerate(values, 1):
            cell = self.ws.cell(self.row, k, v)
            cell.font, cell.border = Font(bold=True), BOX
            if fmt and isinstance(v, float):
                cell.number_format = fmt
        self.row += 1

    def end(self, dropdowns: dict[int, str] | None = None, first: int = 0) -> None:
        """Signature line under the table and the drop-down lists of the input columns."""
        self.ws.cell(self.row + 1, 1, "审核人：")
        self.ws.cell(self.row + 1, max(self.width // 2, 2), "单位负责人（签字）：")
        for col, source in (dropdowns or {}).items():
            dv = DataValidation(type="list", formula1=source, allow_blank=True)
            dv.add(f"{get_column_letter(col)}{first}:{get_column_letter(col)}{first + 500}")
            self.ws.add_data_validation(dv)


def study_exports(town: SampleTown, year: int, folder: Path, rng: random.Random) -> tuple[dict, list]:
    """The platform's monthly 青年大学习 exports; returns identifiable per (person, period) and the records."""
    names = {p.pid: p for p in town.people} | {y.pid: y for y in town.youths}
    opens = {p.label: p for p in town.periods_in(year)}
    records = [r for r in town.study_in(year) if r.period in opens]
    dups = [r for r in town.study_duplicates if r.year == year and r.period in opens]
    no_sno: set[tuple[str, str]] = set()  # (person, period) whose 学号 the learner left blank
    identifiable: dict[tuple[str, str], bool] = {}
    namesakes = Counter(p.name for p in town.people)
    for r in records:
        who = names[r.person]
        if who.student_no and rng.random() < 0.04:
            no_sno.add((r.person, r.period))
        if (
            r.is_member
            and namesakes[who.name] > 1
            and (who.student_no is None or (r.person, r.period) in no_sno)
        ):
            mates = town.members_active_on(r.recorded_at.date(), r.branch)
            identifiable[(r.person, r.period)] = not any(
                q.pid != r.person and q.name == who.name for q in mates
            )
    by_month: dict[int, list[StudyRecord]] = defaultdict(list)
    for r in records + dups:
        by_month[opens[r.period].opens.month].append(r)
    out = folder / "青年大学习后台导出"
    out.mkdir(parents=True, exist_ok=True)
    spellings = {b.name: [b.name, b.name, *b.aliases, *b.variants] for b in town.branches}
    for month, recs in sorted(by_month.items()):
        book = Workbook(write_only=True)
        ws = book.create_sheet("学习记录")
        ws.append(["序号", "期数", "姓名", "学号", "所属组织", "学习时间"])
        for i, r in enumerate(sorted(recs, key=lambda r: r.recorded_at), 1):
            who, p = names[r.person], opens[r.period]
            label = p.title if p.is_special else f"第{cn(p.season)}季第{cn(p.number)}期"
            name = who.name if rng.random() > 0.02 else rng.choice([f" {who.name}", f"{who.name} "])
            sno = None if (r.person, r.period) in no_sno else who.student_no
            stamp = r.recorded_at.strftime("%Y-%m-%d %H:%M:%S")
            ws.append([i, label, name, sno, rng.choice(spellings[r.branch]), stamp])
        book.save(out / f"示例镇团委青年大学习学习记录（{year}年{month}月）.xlsx")
    return identifiable, records


GUIDE = """示例镇{year}年度共青团工作统计表 填表说明
一、本表由各镇（街道）团委统一填报，数据截止当年12月31日，于次年1月10日前报团县委组织部。
二、请勿修改表头、增删列或调整工作表顺序；表头已锁定，带下拉箭头的单元格请从下拉列表中选择。
三、灰色底纹行为填写示例，请勿删除，从示例行下方开始填写；合计行请勿填写。
四、日期填写为“2022-03-05”格式；入团年月、出生年月填写为“2018.01”格式；身份证号码18位，末位X大写。
五、表1、表5、表11为统计表，由各表数据汇总生成，请核对后报送。
六、青年大学习学习名单以“青年大学习”后台每月导出的原始表格为准，随本表一并报送。"""
CHOICES = {
    "团支部": [],
    "团籍状态": ["正常", "满28周岁离团", "自行脱团", "自愿退团", "开除团籍"],
    "是否": ["是", "否"],
    "活动类型": ["思想引领", "志愿服务", "成长成才", "自身建设"],
    "定级结果": ["五星", "四星", "三星", "后进", "软弱涣散", "不予定级"],
    "评议结果": ["优秀", "合格", "基本合格", "不合格"],
    "当前阶段": ["递交入团申请书", "入团积极分子", "发展对象", "已入团"],
}


@register("county_template")
def write(town: SampleTown, year: int, folder: Path) -> SampleTown:
    rng = random.Random(20220615)
    end = date(year, 12, 31)
    order = {b.name: i for i, b in enumerate(town.branches)}
    btype = {b.name: b.type for b in town.branches}
    roster = sorted(town.roster(year), key=lambda p: (order[p.branch], p.pid))
    active = town.members_active_on(end)
    names = {p.pid: p for p in town.people}
    who = next(p for p in roster if p.branch.endswith("机关团支部") and p.is_cadre)
    filler = (who.name, who.phone)
    wb = Workbook()
    wb.add_named_style(NamedStyle("录入", border=BOX, protection=Protection(locked=False)))
    guide = wb.active
    guide.title = "填表说明"
    for i, text in enumerate(GUIDE.format(year=year).splitlines()):
        guide.cell(i * 2 + 1, 1, text).font = Font(bold=not i, size=11 if i else 14)
    guide.column_dimensions["A"].width = 110
    lists = wb.create_sheet("数据字典")  # the hidden drop-down lists
    lists.sheet_state = "hidden"
    src = {}
    for c, (key, values) in enumerate((CHOICES | {"团支部": town.branch_names}).items(), 1):
        for r, v in enumerate([key, *values], 1):
            lists.cell(r, c, v)
        src[key] = f"数据字典!${get_column_letter(c)}$2:${get_column_letter(c)}${len(values) + 1}"

    hints = "||||例：2001.06|18位|11位|下拉选择|例：2018.01|12位|下拉选择|离团的填写||||下拉选择|无职务填“无”|在校生填写|"
    sheet = Sheet(wb, "表2 团员名册", year, filler, hints.split("|"))
    rows = []
    for i, p in enumerate(roster, 1):
        left = p.leave_date if p.leave_date and p.leave_date <= end and p.leave_date_written else None
        person = [i, p.name, p.gender, p.ethnicity, ym(p.birth_date), p.id_number, p.phone]
        league = [p.branch, ym(p.join_date), p.member_no, p.status_at(end), left, p.political_status]
        other = [p.education, p.occupation, "是" if p.is_cadre else "否", p.position or "无", p.student_no]
        rows.append([*person, *league, *other])
    first = sheet.data(rows, {5: "@", 6: "@", 7: "@", 9: "@", 10: "@", 12: DAY, 18: "@"})
    sheet.total(["合计", f"{len(rows)}人"])
    sheet.end({8: src["团支部"], 11: src["团籍状态"], 16: src["是否"]}, first)

    sheet = Sheet(wb, "表3 组织关系转接", year, filler)
    moves = sorted((t for t in town.transfers if t.date.year == year), key=lambda t: t.date)
    rows = [
        [i, t.name, t.id_number, t.from_branch, t.to_branch, t.date, "已完成"] for i, t in enumerate(moves, 1)
    ]
    sheet.data(rows, {3: "@", 6: DAY})
    sheet.total(["合计", f"{len(rows)}人"])
    sheet.end()

    sheet = Sheet(wb, "表4 活动开展情况", year, filler)
    rows = []
    for a in sorted(town.activities_in(year), key=lambda a: (a.date, a.name)):
        tot = a.total_hours
        if tot is None and a.volunteers is not None and a.hours_per_person is not None:
            tot = a.volunteers * a.hours_per_person
        per = a.hours_per_person if a.total_hours is None else None
        for name, org in a.written:  # a second row: the same activity reported twice
            base = [len(rows) + 1, a.date, name, a.activity_type, org, a.location, a.participants]
            rows.append([*base, a.beneficiaries, a.volunteers, per, tot, a.note])
    first = sheet.data(rows, {2: DAY})
    sums = [sum(r[k] or 0 for r in rows) for k in range(6, 11)]
    sheet.total(["合计", f"{len(rows)}项", None, None, None, None, *sums[:3], None, sums[4]])
    sheet.end({4: src["活动类型"]}, first)

    # the platform's monthly 青年大学习 exports; 表5 holds only the derived per-branch rates
    identifiable, records = study_exports(town, year, folder, rng)
    opens = {p.label: p for p in town.periods_in(year)}
    learned = defaultdict(set)
    for r in records:
        learned[r.period].add(r.person)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for label, p in opens.items():
        for m in town.members_active_on(p.closes.date()):
            counts[(label, m.branch_on(p.closes.date()))][1] += 1
            counts[(label, m.branch_on(p.closes.date()))][0] += m.pid in learned[label]
    sheet = Sheet(wb, "表5 青年大学习情况", year, filler, ["甲", "乙", *map(str, range(1, 27))])
    rows = []
    for i, b in enumerate(town.branch_names, 1):
        row: list = [i, b, sum(p.branch_on(end) == b for p in active)]
        rates = []
        for m in range(1, 13):
            got = [counts[(lb, b)] for lb, p in opens.items() if p.opens.month == m and counts[(lb, b)][1]]
            done, due = sum(g[0] for g in got), sum(g[1] for g in got)
            row += [done, round(done / due, 4) if due else None]
            rates += [g[0] / g[1] for g in got]
        rows.append([*row, round(statistics.fmean(rates), 4) if rates else None])
    sheet.data(rows, {k: "0.00%" for k in range(5, 29, 2)})
    study5 = {r[1]: (sum(r[k] for k in range(3, 27, 2)), r[-1]) for r in rows}
    sheet.total(["全镇", None, *[sum(r[k] or 0 for r in rows) if k % 2 else None for k in range(2, 27)]])
    sheet.end()

    marks: dict[tuple[str, str], dict[int, bool]] = defaultdict(dict)
    pid_of: dict[tuple[str, str], str | None] = {}
    for c in town.checkins:
        if c.month.year == year:
            marks[(c.branch, c.name)][c.month.month] = c.checked_in
            pid_of[(c.branch, c.name)] = c.person
    sheet = Sheet(wb, "表6 团干部学习打卡", year, filler)
    rows = []
    for key in sorted(marks, key=lambda k: (order[k[0]], pid_of[k] or "~", k[1])):
        pid = pid_of[key]
        cells = [{True: "√", False: "×"}.get(marks[key].get(m)) for m in range(1, 13)]
        post = names[pid].position if pid else None
        rows.append([len(rows) + 1, *key, post, *cells, cells.count("√"), None if pid else "新任"])
    sheet.data(rows, merge=2)
    done = [sum(r[3 + m] == "√" for r in rows) for m in range(1, 13)]
    due = [sum(r[3 + m] is not None for r in rows) for m in range(1, 13)]
    sheet.total(["合计", "当月打卡人数", None, None, *done, sum(done)])
    sheet.total(
        ["", "当月打卡率", None, None, *[round(d / n, 4) for d, n in zip(done, due, strict=True)]], "0.00%"
    )
    sheet.end()

    sheet = Sheet(wb, "表7 发展团员情况", year, filler)
    sheet.ws.cell(2, sheet.width - 1, f"本年度发展团员计划（调控指标）：{town.quotas.get(year, 0)}名")
    recruits = sorted(town.recruits_in(year), key=lambda r: (order[r.branch], r.rid))
    rows = []
    for i, r in enumerate(recruits, 1):
        base = [i, r.name, r.gender, r.birth_date, r.id_number, r.branch]
        rows.append([*base, r.applied, r.activist, r.target, r.joined, r.league_no, r.stage_at(end)])
    first = sheet.data(rows, {4: DAY, 5: "@", 7: DAY, 8: DAY, 9: DAY, 10: DAY, 11: "@"})
    joined = sum(bool(r.joined and r.joined.year == year) for r in recruits)
    sheet.total(["合计", f"{len(rows)}人", *[None] * 8, f"已入团{joined}人"])
    sheet.end({6: src["团支部"], 12: src["当前阶段"]}, first)

    sheet = Sheet(wb, "表8 资助情况", year, filler)
    aid = sorted((a for a in town.aid if a.date.year == year), key=lambda a: (a.date, a.programme))
    rows = [
        [i, a.programme, a.date, a.name, a.id_number, a.village, a.school, a.amount]
        for i, a in enumerate(aid, 1)
    ]
    sheet.data(rows, {3: DAY, 5: "@", 8: "#,##0.00"})
    sheet.total(["合计", f"{len(rows)}人次", *[None] * 5, sum(a.amount for a in aid)], "#,##0.00")
    sheet.end()

    sheet = Sheet(wb, "表9 对标定级", year, filler)
    ratings = sorted((r for r in town.ratings if r.year == year), key=lambda r: order[r.branch])
    first = sheet.data(
        [[i, r.branch, btype[r.branch], r.score, r.rating_raw] for i, r in enumerate(ratings, 1)]
    )
    tally = "，".join(f"{k}{v}个" for k, v in Counter(r.rating for r in ratings).items())
    sheet.total(["合计", f"{len(ratings)}个", None, None, tally])
    sheet.end({5: src["定级结果"]}, first)

    sheet = Sheet(wb, "表10 教育评议", year, filler)
    reviews = sorted((r for r in town.reviews if r.year == year), key=lambda r: (order[r.branch], r.person))
    first = sheet.data([[i, r.branch, r.name, r.result] for i, r in enumerate(reviews, 1)], merge=2)
    tally = "，".join(f"{k}{v}人" for k, v in Counter(r.result for r in reviews).items())
    sheet.total(["合计", f"{len(reviews)}人", None, tally])
    sheet.end({4: src["评议结果"]}, first)

    sheet = Sheet(wb, "表1 基本情况", year, filler, list("甲乙丙丁戊1234"))
    rows = []
    for i, b in enumerate(town.branch_names, 1):
        mem = [p for p in active if p.branch_on(end) == b]
        sec = next((p for p in mem if p.position == "团支部书记"), None)
        tally = [len(mem), sum(p.is_cadre for p in mem), sum(p.age_on(end) >= 28 for p in mem)]
        rows.append(
            [
                i,
                b,
                btype[b],
                sec and sec.name,
                sec and sec.phone,
                *tally,
                sum(p.join_date.year == year for p in mem),
            ]
        )
    sheet.data(rows, {5: "@"})
    sheet.total(["合计", f"{len(rows)}个", None, None, None, *[sum(r[k] for r in rows) for k in range(5, 9)]])
    sheet.end()

    sheet = Sheet(wb, "表11 汇总表", year, filler, ["甲", "乙", *"123456789"])
    rated = {r.branch: r.rating for r in ratings}
    rows = []
    for i, b in enumerate([*town.branch_names, town.committee], 1):
        mem = [p for p in active if p.branch_on(end) == b]
        mine = [
            a for a in town.activities_in(year) if a.organiser in (b, "镇团委" if b == town.committee else b)
        ]
        card = [c.checked_in for c in town.checkins if c.month.year == year and c.branch == b]
        org = [len(mem) or None, sum(p.is_cadre for p in mem) or None, rated.get(b)]
        work = [len(mine), sum(a.participants for a in mine), sum(a.volunteer_hours for a in mine)]
        rate = round(sum(card) / len(card), 4) if card else None
        rows.append([i, b, *org, *work, *study5.get(b, (None, None)), rate])
    sheet.data(rows, {10: "0.00%", 11: "0.00%"})
    sheet.total(
        ["合计", None, *[None if k in (4, 9, 10) else sum(r[k] or 0 for r in rows) for k in range(2, 11)]]
    )
    sheet.end()

    wb._sheets.sort(
        key=lambda ws: (
            int(ws.title.split()[0][1:]) if ws.title[1].isdigit() else ws.title != "填表说明" and 99
        )
    )
    wb.save(folder / f"示例镇{year}年度共青团工作统计表.xlsx")
    ok = identifiable.get
    study = [
        replace(r, identifiable=ok((r.person, r.period), True)) if r.year == year else r for r in town.study
    ]
    return replace(town, study=tuple(study))
