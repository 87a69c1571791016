"""The same town-year written in other dialects: other header spellings (drawn from spellings.yml with a
fixed seed), other places for the period, month and branch (a column, the sheet name, a title row, the file
name, a folder), other layouts (long or wide, one sheet or file per period, merged month cells, organisation
paths) and other file formats and encodings.

A dialect changes how the data is written, never what it says: every dialect of one town-year must ingest
to the same canonical tables and the same indicators (the metamorphic test in tests/test_dialects.py).
The one exception is the information a layout cannot carry — a roster laid out wide holds names and
branches only — so such a dialect is compared with the reference written at the same information level.
"""

from __future__ import annotations

import html
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tuanwei_sample.build import cn_number
from tuanwei_sample.model import Cell, ExportFile, ExportSheet, SampleTown, StudyRecord
from tuanwei_sample.writer import write_csv, write_xlsx

SPELLINGS_FILE = Path(__file__).with_name("spellings.yml")
PROVINCE_PATH = "某某省某某市示例县"  # written before the committee in organisation paths


@cache
def pool() -> dict[str, dict[str, list[str]]]:
    """Kind → canonical column → real-world header spellings."""
    with SPELLINGS_FILE.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Dialect:
    """How one town-year is written (``seed`` draws the spellings, column orders and value shapes)."""

    name: str
    seed: int
    spellings: str = "pool"  # pool: drawn from spellings.yml; first: the first spelling of each column
    roster: str = "long"  # long / wide (one column per branch, names below) / minimal (姓名 / 团支部)
    study: str = "one_sheet"  # one_sheet / sheet_per_period / file_per_period / folder_per_period
    checkin: str = "long"  # long / merged_month / matrix / sheet_per_month
    branch: str = "canonical"  # canonical / spelled (aliases, suffix variants) / path (省…镇团委 + branch)
    dates: tuple[str, ...] = ("iso",)  # iso / slash / dot / chinese / cell (a date cell)
    formats: tuple[str, ...] = ("xlsx",)  # xlsx / csv-utf8 / csv-gbk / html (an HTML table saved as .xls)
    title_rows: bool = False
    shuffle: bool = False  # columns in a random order
    numerals: str = "arabic"  # period labels: arabic (第12季第5期) / chinese (第十二季第五期)
    flags: tuple[str, str] = ("是", "否")

    @property
    def info(self) -> str:
        """The information level: full, or names and branches only for the roster."""
        return "names" if self.roster in ("wide", "minimal") else "full"


DIALECTS: tuple[Dialect, ...] = (
    Dialect("reference", seed=0, spellings="first"),
    Dialect(
        "platform",
        seed=11,
        study="file_per_period",
        branch="path",
        dates=("iso", "slash"),
        formats=("xlsx", "csv-gbk"),
        shuffle=True,
        numerals="chinese",
        flags=("√", "×"),
    ),
    Dialect(
        "per_sheet",
        seed=12,
        study="sheet_per_period",
        checkin="merged_month",
        branch="spelled",
        dates=("chinese", "dot", "cell"),
        formats=("xlsx", "csv-utf8"),
        title_rows=True,
        flags=("是", "否"),
    ),
    Dialect(
        "folders",
        seed=13,
        study="folder_per_period",
        checkin="sheet_per_month",
        branch="spelled",
        dates=("slash", "cell"),
        formats=("xlsx", "html"),
        shuffle=True,
        numerals="chinese",
        flags=("1", "0"),
    ),
    Dialect(
        "wide",
        seed=14,
        roster="wide",
        study="sheet_per_period",
        checkin="matrix",
        branch="spelled",
        dates=("iso", "cell"),
        title_rows=True,
    ),
    Dialect("minimal_reference", seed=0, spellings="first", roster="minimal"),
)


def reference_for(dialect: Dialect) -> Dialect:
    """The reference dialect with the same information level."""
    name = "minimal_reference" if dialect.info == "names" else "reference"
    return next(d for d in DIALECTS if d.name == name)


# ------------------------------------------------------------------ values as a dialect writes them


class _Pen:
    """One dialect's choices while writing (one seeded random generator)."""

    def __init__(self, town: SampleTown, dialect: Dialect):
        self.town, self.d = town, dialect
        self.rng = random.Random(dialect.seed)
        self.branch_by_name = {b.name: b for b in town.branches}
        self._spelled: dict[tuple[str, str], str] = {}

    def header(self, kind: str, column: str) -> str:
        options = pool()[kind][column]
        if self.d.spellings == "first":
            return options[0]
        key = (kind, column)
        if key not in self._spelled:
            self._spelled[key] = self.rng.choice(options)
        return self._spelled[key]

    def day(self, value: date | datetime | None) -> Cell:
        if value is None:
            return None
        style = self.rng.choice(self.d.dates)
        d = value.date() if isinstance(value, datetime) else value
        if style == "cell":
            return value
        clock = f" {value:%H:%M:%S}" if isinstance(value, datetime) else ""
        if style == "slash":
            return f"{d.year}/{d.month}/{d.day}{clock}"
        if style == "dot":
            return f"{d.year}.{d.month}.{d.day}{clock}"
        if style == "chinese":
            return f"{d.year}年{d.month}月{d.day}日{clock}"
        return f"{d.isoformat()}{clock}"

    def branch(self, name: str) -> str:
        from analysis.common.config import COMMITTEE

        if name == COMMITTEE:
            return self.town.committee
        if self.d.branch == "canonical":
            return name
        b = self.branch_by_name[name]
        spelled = self.rng.choice((b.name, *b.aliases, *b.variants)).strip()
        if self.d.branch == "path":
            return f"{PROVINCE_PATH}{self.town.committee}{spelled}"
        return spelled

    def flag(self, value: bool) -> str:
        return self.d.flags[0] if value else self.d.flags[1]

    def period(self, label: str, title: str | None) -> str:
        """A canonical period label written in the dialect's numerals (specials by their title)."""
        if title:
            return title
        if "季" in label and self.d.numerals == "chinese":
            season, number = label.removeprefix("第").removesuffix("期").split("季第")
            return f"第{cn_number(int(season))}季第{cn_number(int(number))}期"
        return label

    def order(self, columns: list[str]) -> list[str]:
        if not self.d.shuffle:
            return columns
        shuffled = list(columns)
        self.rng.shuffle(shuffled)
        return shuffled

    def file_format(self) -> str:
        return self.rng.choice(self.d.formats)


# ------------------------------------------------------------------ the truth of one year, column by column


def _roster_rows(town: SampleTown, year: int) -> list[dict[str, Any]]:
    end = date(year, 12, 31)
    order = {name: i for i, name in enumerate(town.branch_names)}
    people = sorted(town.roster(year), key=lambda p: (order[p.branch_on(end)], p.pid))
    rows = []
    for p in people:
        left = p.leave_date is not None and p.leave_date <= end
        rows.append(
            {
                "name": p.name,
                "gender": p.gender,
                "phone": p.phone,
                "id_type": "普通居民身份证",
                "id_number": p.id_number,
                "birth_date": p.birth_date,
                "ethnicity": p.ethnicity,
                "political_status": p.political_status,
                "education": p.education,
                "occupation": p.occupation,
                "branch": p.branch_on(min(end, p.leave_date) if p.leave_date else end),
                "member_no": p.member_no,
                "join_month": p.join_date,
                "status": p.status_at(end),
                "leave_date": p.leave_date if left and p.leave_date_written else None,
                "is_cadre": p.is_cadre,
                "position": p.position,
                "student_no": p.student_no,
            }
        )
    return rows


def study_records(town: SampleTown, year: int) -> list[StudyRecord]:
    return [r for r in (*town.study, *town.study_duplicates) if r.year == year]


def _student_numbers(town: SampleTown) -> dict[str, str | None]:
    return {p.pid: p.student_no for p in town.people} | {y.pid: y.student_no for y in town.youths}


def _names(town: SampleTown) -> dict[str, str]:
    return {p.pid: p.name for p in town.people} | {y.pid: y.name for y in town.youths}


# ------------------------------------------------------------------ sheets


def _sheet(
    pen: _Pen,
    kind: str,
    columns: list[str],
    rows: list[dict[str, Any]],
    title: str,
    sheet: str = "Sheet1",
    values: dict[str, Any] | None = None,
) -> ExportSheet:
    """A long table: the dialect's header spellings in its column order, a title row if it writes them."""
    columns = pen.order(columns)
    header = tuple(pen.header(kind, c) for c in columns)
    body = [tuple((values or {}).get(c, lambda v: v)(row.get(c)) for c in columns) for row in rows]
    out: list[tuple[Cell, ...]] = []
    merges: tuple[str, ...] = ()
    if pen.d.title_rows:
        out.append((title,) + (None,) * (len(columns) - 1))
        merges = (f"A1:{chr(64 + len(columns))}1",) if len(columns) > 1 else ()
    out.append(header)
    out += body
    return ExportSheet(sheet, tuple(out), merges=merges, header_row=2 if pen.d.title_rows else 1)


def _file(pen: _Pen, stem: str, sheets: list[ExportSheet]) -> ExportFile:
    fmt = pen.file_format()
    if fmt.startswith("csv") and len(sheets) == 1:
        encoding = "gbk" if fmt == "csv-gbk" else "utf-8-sig"
        sheet = replace(sheets[0], merges=())
        return ExportFile(f"{stem}.csv", "csv", (sheet,), encoding=encoding)
    if fmt == "html":
        return ExportFile(f"{stem}.xls", "html", tuple(sheets))
    return ExportFile(f"{stem}.xlsx", "xlsx", tuple(sheets))


def _roster(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = _roster_rows(town, year)
    title = f"{town.committee}团员信息"
    if pen.d.roster == "wide":
        by_branch: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            by_branch[r["branch"]].append(r["name"])
        branches = [b for b in town.branch_names if by_branch[b]]
        height = max(len(v) for v in by_branch.values())
        grid: list[tuple[Cell, ...]] = []
        if pen.d.title_rows:
            grid.append((f"{title}（按团支部）",) + (None,) * (len(branches) - 1))
        grid.append(tuple(pen.branch(b) for b in branches))
        for i in range(height):
            grid.append(tuple(by_branch[b][i] if i < len(by_branch[b]) else None for b in branches))
        return [
            _file(pen, "名单", [ExportSheet("Sheet1", tuple(grid), header_row=2 if pen.d.title_rows else 1)])
        ]
    if pen.d.roster == "minimal":
        columns = ["name", "branch"]
        return [
            _file(pen, "名单", [_sheet(pen, "roster", columns, rows, title, values={"branch": pen.branch})])
        ]
    columns = list(pool()["roster"])
    values = {
        "birth_date": pen.day,
        "leave_date": pen.day,
        "branch": pen.branch,
        "join_month": lambda d: pen.rng.choice(
            (f"{d.year}.{d.month:02d}", f"{d.year}年{d.month}月", f"{d.year}-{d.month:02d}")
        ),
        "is_cadre": pen.flag,
    }
    return [_file(pen, "导出数据", [_sheet(pen, "roster", columns, rows, title, "团员信息", values)])]


def _study(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    numbers, names = _student_numbers(town), _names(town)
    titles = {p.label: p.title for p in town.periods if p.year == year}
    records = sorted(study_records(town, year), key=lambda r: (r.recorded_at, r.person))

    def identity(r: StudyRecord) -> str:
        number = numbers.get(r.person)
        return f"{number}{names[r.person]}" if number else names[r.person]

    def row(r: StudyRecord) -> dict[str, Any]:
        return {
            "period": pen.period(r.period, titles.get(r.period)),
            "name": identity(r),
            "branch": r.branch,
            "recorded_at": r.recorded_at,
        }

    values = {"branch": pen.branch, "recorded_at": pen.day}
    if pen.d.study == "one_sheet":
        rows = [row(r) for r in records]
        columns = ["period", "name", "branch", "recorded_at"]
        return [
            _file(
                pen, "学习记录", [_sheet(pen, "study", columns, rows, f"{year}年青年大学习", values=values)]
            )
        ]
    by_period: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records:
        by_period[r.period].append(row(r))
    files: list[ExportFile] = []
    sheets: list[ExportSheet] = []
    for n, (label, rows) in enumerate(by_period.items(), start=1):
        written = rows[0]["period"]
        first = min(r["recorded_at"] for r in rows)
        suffix = f"-{first:%m%d}" if titles.get(label) else ""  # two 特辑 of one year stay apart
        columns = ["name", "branch", "recorded_at"]
        if pen.d.study == "sheet_per_period":
            sheets.append(
                _sheet(pen, "study", columns, rows, f"青年大学习{written}", f"{written}{suffix}"[:31], values)
            )
            continue
        sheet = _sheet(
            pen,
            "study",
            ["seq", "name", "number", "branch", "recorded_at"],
            [
                {**r, "seq": i, "number": f"{(n * 7919 + i * 104729) % 10**8:08d}"}
                for i, r in enumerate(rows, 1)
            ],
            "",
            "报名列表",
            values,
        )
        if pen.d.study == "file_per_period":
            files.append(_file(pen, f"{town.committee}-{written}{suffix}", [sheet]))
        else:
            files.append(_file(pen, f"{written}{suffix}/学习记录", [sheet]))
    if sheets:
        files.append(ExportFile("青年大学习.xlsx", "xlsx", tuple(sheets)))
    return files


def _checkins(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    items = sorted(
        (c for c in town.checkins if c.month.year == year),
        key=lambda c: (c.month, town.branch_names.index(c.branch), c.name),
    )
    if not items:
        return []
    rows = [
        {
            "month": c.month,
            "branch": c.branch,
            "name": c.name,
            "checked_in": c.checked_in,
            "checkin_date": c.checkin_date,
        }
        for c in items
    ]
    title = f"{town.committee}{year}年团干部每月学习打卡统计表"
    month_text = lambda d: pen.rng.choice((f"{d.year}年{d.month}月", f"{d.year}-{d.month:02d}"))  # noqa: E731
    values = {"month": month_text, "branch": pen.branch, "checked_in": pen.flag, "checkin_date": pen.day}
    columns = ["month", "branch", "name", "checked_in", "checkin_date"]
    if pen.d.checkin == "matrix":
        months = sorted({c.month for c in items})
        people = list(dict.fromkeys((c.branch, c.name) for c in items))
        cell = {(c.branch, c.name, c.month): c for c in items}
        header = (
            pen.header("checkin", "branch"),
            pen.header("checkin", "name"),
            *(f"{m.month}月" for m in months),
        )
        grid: list[tuple[Cell, ...]] = [(title,) + (None,) * (len(header) - 1), header]
        for branch, name in people:
            marks: list[Cell] = []
            for m in months:
                c = cell.get((branch, name, m))
                marks.append(
                    None
                    if c is None
                    else (
                        pen.day(c.checkin_date) if c.checked_in and c.checkin_date else pen.flag(c.checked_in)
                    )
                )
            grid.append((pen.branch(branch), name, *marks))
        return [_file(pen, f"{year}年打卡", [ExportSheet("打卡", tuple(grid), header_row=2)])]
    if pen.d.checkin == "sheet_per_month":
        by_month: dict[date, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by_month[r["month"]].append(r)
        sheets = [
            _sheet(
                pen, "checkin", columns[1:], rs, f"{year}年{m.month}月团干部学习打卡", f"{m.month}月", values
            )
            for m, rs in by_month.items()
        ]
        return [ExportFile(f"{year}年团干部打卡.xlsx", "xlsx", tuple(sheets))]
    sheet = _sheet(pen, "checkin", columns, rows, title, "打卡统计", values)
    if pen.d.checkin == "merged_month":  # 月份 written once per month, merged down its block
        header = sheet.rows[sheet.header_row - 1]
        sheet = _merge_down(sheet, header.index(pen.header("checkin", "month")))
        return [ExportFile(f"{year}年打卡统计.xlsx", "xlsx", (sheet,))]
    return [_file(pen, "打卡统计", [sheet])]


def _merge_down(sheet: ExportSheet, col: int) -> ExportSheet:
    """Merge each block of equal values of one column (0-based) below the header."""
    rows = [list(r) for r in sheet.rows]
    start = sheet.header_row  # 0-based index of the first data row
    merges = list(sheet.merges)
    letter = chr(65 + col)
    i = start
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1][col] == rows[i][col]:
            j += 1
        if j > i:
            merges.append(f"{letter}{i + 1}:{letter}{j + 1}")
            for k in range(i + 1, j + 1):
                rows[k][col] = None
        i = j + 1
    return replace(sheet, rows=tuple(tuple(r) for r in rows), merges=tuple(merges))


def _activities(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    acts = sorted(town.activities_in(year), key=lambda a: a.date)
    rows = [
        {
            "date": a.date,
            "activity_name": name,
            "activity_type": a.activity_type,
            "organiser": organiser,
            "participants": a.participants,
            "volunteers": a.volunteers,
            "hours_per_person": a.hours_per_person,
            "total_hours": a.total_hours,
            "location": a.location,
            "beneficiaries": a.beneficiaries,
            "note": a.note,
        }
        for a in acts
        for name, organiser in a.written
    ]
    columns = [c for c in pool()["activities"] if any(r.get(c) is not None for r in rows) or c in ("note",)]
    return [
        _file(
            pen,
            "活动",
            [
                _sheet(
                    pen,
                    "activities",
                    columns,
                    rows,
                    f"{town.committee}{year}年活动台账",
                    values={"date": pen.day},
                )
            ],
        )
    ]


def _participants(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = [
        {"date": p.date, "activity_name": p.activity, "name": p.name, "branch": p.branch}
        for p in town.activity_participants
        if p.year == year
    ]
    values = {"date": pen.day, "branch": pen.branch}
    return [
        _file(
            pen,
            "参与",
            [_sheet(pen, "participants", list(pool()["participants"]), rows, "活动参与人员", values=values)],
        )
    ]


def _recruitment(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    end = date(year, 12, 31)

    def upto(day: date | None) -> date | None:
        return day if day is not None and day <= end else None

    rows = [
        {
            "name": r.name,
            "id_number": r.id_number,
            "gender": r.gender,
            "birth_date": r.birth_date,
            "branch": r.branch,
            "applied_date": upto(r.applied),
            "activist_date": upto(r.activist),
            "target_date": upto(r.target),
            "joined_date": upto(r.joined),
            "league_no": r.league_no if r.joined is not None and r.joined <= end else None,
            "stage": r.stage_at(end),
        }
        for r in town.recruits_in(year)
    ]
    values = {
        c: pen.day for c in ("birth_date", "applied_date", "activist_date", "target_date", "joined_date")
    }
    values["branch"] = pen.branch
    return [
        _file(
            pen,
            "发展",
            [
                _sheet(
                    pen, "recruitment", list(pool()["recruitment"]), rows, f"{year}年发展团员", values=values
                )
            ],
        )
    ]


def _aid(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = [
        {
            "programme": a.programme,
            "name": a.name,
            "id_number": a.id_number,
            "branch": a.village,
            "school": a.school,
            "amount": int(a.amount),
            "date": a.date,
        }
        for a in sorted((a for a in town.aid if a.year == year), key=lambda a: (a.date, a.programme))
    ]
    return [
        _file(
            pen,
            "资助",
            [_sheet(pen, "aid", list(pool()["aid"]), rows, f"{year}年爱心助学", values={"date": pen.day})],
        )
    ]


def _ratings(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = [
        {"branch": r.branch, "score": r.score, "rating": r.rating_raw} for r in town.ratings if r.year == year
    ]
    sheet = _sheet(
        pen,
        "ratings",
        list(pool()["ratings"]),
        rows,
        f"{year}年团支部对标定级",
        values={"branch": pen.branch},
    )
    return [_file(pen, f"{year}年定级", [sheet])]


def _reviews(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = [
        {"name": r.name, "branch": r.branch, "review_result": r.result}
        for r in town.reviews
        if r.year == year
    ]
    sheet = _sheet(
        pen,
        "reviews",
        list(pool()["reviews"]),
        rows,
        f"{year}年度团员教育评议",
        values={"branch": pen.branch},
    )
    return [_file(pen, f"{year}年评议", [sheet])]


def _transfers(pen: _Pen, town: SampleTown, year: int) -> list[ExportFile]:
    rows = [
        {
            "name": t.name,
            "id_number": t.id_number,
            "from_branch": t.from_branch,
            "to_branch": t.to_branch,
            "date": t.date,
            "status": "已完成",
        }
        for t in town.transfers
        if t.date.year == year
    ]
    if not rows:
        return []
    values = {"from_branch": pen.branch, "to_branch": pen.branch, "date": pen.day}
    return [
        _file(
            pen,
            "转接",
            [_sheet(pen, "transfers", list(pool()["transfers"]), rows, "组织关系转接", values=values)],
        )
    ]


def exports(town: SampleTown, year: int, dialect: Dialect) -> list[ExportFile]:
    """Every export of ``year`` as ``dialect`` writes it (paths relative to the year's raw folder)."""
    pen = _Pen(town, dialect)
    out: list[ExportFile] = []
    for part in (
        _roster,
        _study,
        _checkins,
        _activities,
        _participants,
        _recruitment,
        _aid,
        _ratings,
        _reviews,
        _transfers,
    ):
        out += part(pen, town, year)
    seen: dict[str, int] = defaultdict(int)
    unique = []
    for export in out:  # two exports drawing the same neutral name: number them as a browser does
        seen[export.path] += 1
        if seen[export.path] > 1:
            stem, _dot, ext = export.path.rpartition(".")
            export = replace(export, path=f"{stem}({seen[export.path] - 1}).{ext}")
        unique.append(export)
    return unique


def _write_html(export: ExportFile, path: Path) -> None:
    """An HTML table saved with an .xls name (as some platforms export), UTF-8."""
    parts = ['<html><head><meta charset="utf-8"></head><body>']
    for sheet in export.sheets:
        parts.append("<table>")
        for row in sheet.rows:
            cells = "".join(f"<td>{'' if v is None else html.escape(str(v))}</td>" for v in row)
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")


def write_dialect(town: SampleTown, year: int, dialect: Dialect, out_dir: Path) -> list[Path]:
    """Write ``year`` of ``town`` in ``dialect`` into ``out_dir`` (the year's raw folder)."""
    written = []
    for export in exports(town, year, dialect):
        path = out_dir / export.path
        path.parent.mkdir(parents=True, exist_ok=True)
        if export.format == "csv":
            write_csv(export, path)
        elif export.format == "html":
            _write_html(export, path)
        else:
            write_xlsx(export, path)
        written.append(path)
    return written


def identifiable(town: SampleTown, record: StudyRecord) -> bool:
    """Whether a dialect's study record can be credited to one member: it carries a 学号 (every dialect
    writes it with the name), it is a non-member's, or its name is unique in its branch on its date."""
    if _student_numbers(town).get(record.person) or not record.is_member:
        return True
    day = record.recorded_at.date()
    name = _names(town)[record.person]
    return (
        sum(
            1
            for p in town.people
            if p.name == name and p.active_on(day) and p.branch_on(day) == record.branch
        )
        == 1
    )


def as_written(town: SampleTown) -> SampleTown:
    """The town with each study record's ``identifiable`` as the dialects write it (for the truth)."""
    return replace(
        town,
        study=tuple(replace(r, identifiable=identifiable(town, r)) for r in town.study),
    )


def pool_markdown() -> str:
    """docs/dialects.md: the dialects and the pool of spellings."""
    lines = [
        "# 导出写法（方言）测试",
        "",
        "同一年的示例镇数据按多种“方言”写出：表头写法、期次/月份/团支部所在位置、长表或宽表、文件格式和编码各不相同，",
        "每种方言导入后必须得到相同的规范数据表和相同的指标（tests/test_dialects.py）。表头写法从下面的写法池中按固定随机种子抽取，",
        "而不是按识别规则挑选：写法池中有、导入却读不出的写法，说明识别规则需要改进。",
        "",
        "## 方言",
        "",
        "| 方言 | 名册 | 青年大学习 | 团干部打卡 | 团支部写法 | 日期写法 | 文件格式 |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in DIALECTS:
        lines.append(
            f"| {d.name} | {d.roster} | {d.study} | {d.checkin} | {d.branch} | {' / '.join(d.dates)} | {' / '.join(d.formats)} |"
        )
    lines += ["", "## 表头写法池", ""]
    for kind, columns in pool().items():
        lines += [f"### {kind}", "", "| 列 | 写法 |", "|---|---|"]
        for column, spellings in columns.items():
            lines.append(f"| {column} | {'、'.join(spellings)} |")
        lines.append("")
    return "\n".join(lines)
