"""Issue "outputs an office user expects": typed workbook cells (numbers, fractions with 0.0%, signed
changes, dates), a 说明 sheet, and the one formatting home shared by every output."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.common import formatting
from analysis.common.config import YearTargets
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.labels import RATE_COLUMNS, TABLE_TITLES, column_names
from analysis.report.workbook import show_summary, write_workbook
from analysis.safety import safe_io

SIGNED_COUNT = "+#,##0;-#,##0;0"
SIGNED_POINTS = '+0.0" 个百分点";-0.0" 个百分点";0" 个百分点"'  # the cell holds percentage points


def _small_catalogue() -> Catalogue:
    """Five headline keys with last year's values: counts, a rate, hours (a half hour last year), money."""
    return Catalogue(
        year=2022,
        town="测试镇",
        headline={
            "org.members": 300,
            "act.count": 55,
            "act.volunteer_hours": 494.0,
            "study.member_rate": 0.85,
            "aid.amount": 9500.0,
        },
        previous={
            "org.members": 302,
            "act.count": 48,
            "act.volunteer_hours": 383.5,
            "study.member_rate": 0.8,
        },
        tables={
            "study_ranking": pd.DataFrame(
                {"branch": ["塔岗村团支部", "柳河村团支部"], "periods": [2, 2], "rate": [0.75, 0.5]}
            ),
            "study_periods": pd.DataFrame(
                {
                    "period": ["第12季第1期", "第12季第2期"],
                    "median_time": pd.to_datetime(["2022-01-05 08:12", "2022-01-11 22:22"]),
                    "date": pd.to_datetime(["2022-01-05", "2022-01-11"]),
                    "learners": [262, 276],
                    "rate": [0.79, 0.85],
                }
            ),
            "cadre_by_month": pd.DataFrame(
                {
                    "month": pd.to_datetime(["2022-01-01"]),
                    "numerator": [22],
                    "denominator": [26],
                    "rate": [22 / 26],
                }
            ),
        },
        targets=YearTargets(study_rate_target=0.9),
    )


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("wb") / "indicators.xlsx"
    write_workbook(_small_catalogue(), path)
    return openpyxl.load_workbook(path)


def _row(ws, key: str) -> dict[str, openpyxl.cell.Cell]:
    headers = [c.value for c in ws[2]]
    for row in ws.iter_rows(min_row=3):
        if row[headers.index("指标键")].value == key:
            return dict(zip(headers, row, strict=True))
    raise KeyError(key)


def test_summary_sheet_holds_numbers_with_formats(small_book):
    ws = small_book["指标汇总"]
    assert ws["A1"].value == "测试镇 2022 年工作指标" and ws.freeze_panes == "A3"
    assert [c.value for c in ws[2]] == [
        "指标",
        "本年",
        "上年",
        "变化",
        "变化单位",
        "目标",
        "是否达标",
        "单位",
        "指标键",
    ]
    members = _row(ws, "org.members")
    assert (members["本年"].value, members["本年"].data_type, members["本年"].number_format) == (
        300,
        "n",
        "#,##0",
    )
    assert members["变化"].value == -2 and members["变化"].number_format == SIGNED_COUNT
    assert members["变化单位"].value == "人"
    activities = _row(ws, "act.count")
    assert activities["变化"].value == 7 and activities["变化"].data_type == "n"
    rate = _row(ws, "study.member_rate")
    assert rate["本年"].value == 0.85 and rate["本年"].number_format == "0.0%"
    assert rate["上年"].value == 0.8 and rate["目标"].value == 0.9 and rate["目标"].number_format == "0.0%"
    assert rate["变化"].value == 5 and rate["变化"].number_format == SIGNED_POINTS  # 85.0% − 80.0%
    assert rate["变化单位"].value == "个百分点" and rate["是否达标"].value == "未达标"
    hours = _row(ws, "act.volunteer_hours")
    assert hours["本年"].value == 494 and hours["本年"].number_format == "#,##0"
    assert hours["上年"].value == 383.5 and hours["上年"].number_format == "#,##0.0"
    assert hours["变化"].value == 110.5 and hours["变化"].number_format == "+#,##0.0;-#,##0.0;0"
    money = _row(ws, "aid.amount")  # no value last year: empty cells, not "—"
    assert money["本年"].value == 9500 and money["上年"].value is None and money["变化"].value is None
    values = [c.value for c in ws["B"][2:]]
    assert all(isinstance(v, int | float) for v in values)  # =SUM() over 本年 works
    assert ws.column_dimensions["A"].width >= safe_io.display_width("团员参学率（各期平均）")


def test_rate_date_and_month_columns(small_book):
    ranking = small_book[TABLE_TITLES["study_ranking"]]
    assert [c.value for c in ranking[1]] == ["团支部", "期数", "参学率（各期平均）"]
    assert ranking["C2"].value == 0.75 and ranking["C2"].number_format == "0.0%"
    assert ranking["B2"].value == 2 and ranking["B2"].data_type == "n"
    periods = small_book[TABLE_TITLES["study_periods"]]
    assert (
        periods["B2"].value == dt.datetime(2022, 1, 5, 8, 12)
        and periods["B2"].number_format == "yyyy-mm-dd hh:mm"
    )
    assert periods["C2"].value == dt.datetime(2022, 1, 5) and periods["C2"].number_format == "yyyy-mm-dd"
    months = small_book[TABLE_TITLES["cadre_by_month"]]
    assert months["A2"].value == dt.datetime(2022, 1, 1) and months["A2"].number_format == "yyyy-mm"
    assert months["D2"].number_format == "0.0%" and months.freeze_panes == "A2"


def test_notes_sheet_describes_every_sheet(small_book):
    notes = small_book["说明"]
    items = {r[0].value: r[1].value for r in notes.iter_rows(min_row=2)}
    for sheet in small_book.sheetnames[:-1]:
        assert sheet in items, sheet
    assert "来源：青年大学习记录" in items[TABLE_TITLES["study_ranking"]]
    assert small_book.sheetnames[0] == "指标汇总" and small_book.sheetnames[-1] == "说明"


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice 未安装")
def test_sum_evaluates_in_libreoffice(tmp_path):
    path = tmp_path / "indicators.xlsx"
    write_workbook(_small_catalogue(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["指标汇总"]
    ws["B20"] = "=SUM(B3:B7)"
    wb.save(tmp_path / "copy.xlsx")
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [
            office,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "copy.xlsx"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    last = (tmp_path / "copy.csv").read_text(encoding="utf-8").splitlines()[-1]
    assert float(last.split(",")[1]) == pytest.approx(300 + 55 + 494 + 0.85 + 9500)


@pytest.fixture(scope="module")
def sample_book(sample_catalogue, tmp_path_factory) -> openpyxl.Workbook:
    cat = sample_catalogue
    path = tmp_path_factory.mktemp("sample_wb") / "indicators.xlsx"
    write_workbook(cat, path)
    return openpyxl.load_workbook(path), cat


def test_every_rate_column_of_the_sample_workbook_is_a_fraction(sample_book):
    wb, cat = sample_book
    checked = 0
    for name, frame in cat.tables.items():
        ws = wb[TABLE_TITLES[name][:31]]
        headers = [c.value for c in ws[1]]
        names = column_names(name)
        for column in (c for c in frame.columns if c in RATE_COLUMNS):
            j = headers.index(names[column])
            cells = [row[j] for row in ws.iter_rows(min_row=2) if row[j].value is not None]
            assert cells, (name, column)
            assert all(c.data_type == "n" and 0 <= c.value <= 1 for c in cells), (name, column)
            assert {c.number_format for c in cells} == {"0.0%"}, (name, column)
            checked += 1
        english = {names.get(c, c): c for c in frame.columns}
        for j, header in enumerate(headers):  # every other numeric column holds numbers, not text
            dtype = frame[english[header]].dtype if header in english else None
            if (
                dtype is not None
                and pd.api.types.is_numeric_dtype(dtype)
                and not pd.api.types.is_bool_dtype(dtype)
            ):
                texts = [row[j].value for row in ws.iter_rows(min_row=2) if isinstance(row[j].value, str)]
                assert texts == [], (name, header)
    assert checked == 7  # study ×4, cadre ×2, reviews
    summary = wb["指标汇总"]
    assert all(isinstance(c.value, int | float) for c in summary["B"][2:])
    changes = [c for c in summary["D"][2:] if c.value is not None]
    assert changes and all(c.data_type == "n" and c.number_format.startswith("+") for c in changes)


def test_rejected_rows_workbook_is_typed_and_explained(sample_processed):
    wb = openpyxl.load_workbook(sample_processed[2022] / "rejected_rows.xlsx")
    assert wb.sheetnames[-1] == "说明"
    warnings = wb["警告"]
    assert [c.value for c in warnings[1]][:3] == ["文件", "工作表", "行号"]
    rows = [r[2] for r in warnings.iter_rows(min_row=2) if r[0].value]
    assert rows and all(c.data_type == "n" and isinstance(c.value, int) for c in rows)
    assert warnings.freeze_panes == "A2"
    items = [r[0].value for r in wb["说明"].iter_rows(min_row=2)]
    assert {"被拒绝的行", "警告", "歧义匹配", "未识别的团支部", "未导入的文件"} <= set(items)


def test_formatting_helpers():
    assert formatting.count(1394) == "1,394"
    assert formatting.percent(0.8262) == "82.6%" and formatting.percent(None) == ""
    assert formatting.number(494.0) == "494" and formatting.number(383.5) == "383.5"
    assert formatting.money(12.5) == "12.50"
    assert formatting.change(7, "count") == "+7" and formatting.change(-1, "count") == "−1"
    assert formatting.change(0, "count") == "±0" and formatting.change(0.001, "rate") == "+0.1 个百分点"
    assert (
        formatting.xlsx_format("number", 494.0) == "#,##0"
        and formatting.xlsx_format("number", 1.5) == "#,##0.0"
    )
    # the kind decides, never the value: a count of 1 is "1", not "100.0%"
    frame = pd.DataFrame({"参学期数": [0, 1], "参学率": [0.0, 0.5]})
    assert formatting.text_frame(frame, rates=["参学率"]).to_numpy().tolist() == [
        ["0", "0.0%"],
        ["1", "50.0%"],
    ]


def test_notebook_display_is_not_a_repr():
    shown = show_summary(_small_catalogue())
    assert "'" not in repr(shown) and "NaN" not in repr(shown) and "nan" not in repr(shown)
    assert "82.6%" not in repr(shown) and "85.0%" in repr(shown) and "+5.0 个百分点" in repr(shown)
    assert '<td style="text-align:right">300</td>' in shown._repr_html_()
    assert repr(formatting.note("（未填写姓名）")) == "（未填写姓名）"


def test_csv_rates_rounded_counts_integers(tmp_path: Path):
    path = tmp_path / "q.csv"
    frame = pd.DataFrame(
        {
            "姓名": ["甲", "乙", "丙"],
            "参学期数": pd.array([1, 14, None], dtype="Int64"),
            "参学率": [1 / 14, 1.0, None],
        }
    )
    safe_io.write_csv(frame, path, percent_columns=["参学率"])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines == ["姓名,参学期数,参学率", "甲,1,0.0714", "乙,14,1.0", "丙,,"]
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert str(back["参学率"].dtype) == "float64" and back["参学期数"].tolist()[:2] == [1, 14]


def test_rate_changes_are_points_from_the_percentages_shown(tmp_path: Path):
    """Issue 22: 92.8% this year beside 93.3% last year shows −0.5 个百分点 (the unrounded rates differ by
    0.59 points, which would show −0.6 beside values 0.5 apart)."""
    cat = Catalogue(
        year=2022,
        town="测试镇",
        headline={"study.member_rate": 0.92753, "study.member_rate.塔岗村团支部": 0.92753},
        previous={"study.member_rate": 0.93347, "study.member_rate.塔岗村团支部": 0.93347},
    )
    write_workbook(cat, tmp_path / "indicators.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "indicators.xlsx")["指标汇总"]
    for key in ("study.member_rate", "study.member_rate.塔岗村团支部"):
        row = _row(ws, key)
        assert row["变化"].value == -0.5 and row["变化"].number_format == SIGNED_POINTS
        assert row["变化单位"].value == "个百分点"
    assert show_summary(cat).text.count("-0.5 个百分点") == 2


def test_people_sheets_start_with_branch_and_name_and_tell_namesakes_apart(tmp_path: Path):
    """Two 段月玲 of one branch: the roster tells them apart by the last digits of their masked ID; no
    member key is shown; booleans read 是/否."""
    low = pd.DataFrame(
        {
            "member_id": ["p_aaaa", "p_bbbb", "p_cccc"],
            "periods_active": [51, 51, 51],
            "periods_studied": [19, 22, 0],
            "branch": ["示例镇中学团支部", "示例镇中学团支部", "塔岗村团支部"],
            "rate": [19 / 51, 22 / 51, 0.0],
            "never": [False, False, True],
            "name": ["段月玲", "段月玲", "傅志"],
        }
    )
    members = pd.DataFrame(
        {
            "member_id": ["p_aaaa", "p_bbbb", "p_cccc"],
            "name": ["段月玲", "段月玲", "傅志"],
            "branch": ["示例镇中学团支部", "示例镇中学团支部", "塔岗村团支部"],
            "id_masked": ["990***********5029", "990***********0867", None],
            "birth_date": pd.to_datetime(["2006-04-30", "2004-01-26", None]),
        }
    )
    new = pd.DataFrame(
        {"name": ["沈蕾"], "branch": ["示例镇中学团支部"], "joined_date": pd.to_datetime(["2022-05-04"])}
    )
    cat = Catalogue(
        year=2022, town="测试镇", headline={}, tables={"study_members_low": low, "rec_new_members": new}
    )
    write_workbook(cat, tmp_path / "with_roster.xlsx", members=members)
    wb = openpyxl.load_workbook(tmp_path / "with_roster.xlsx")
    ws = wb[TABLE_TITLES["study_members_low"]]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:3] == ["团支部", "姓名", "区分信息"]
    assert [r[2] for r in rows[1:]] == ["身份证尾号 5029", "身份证尾号 0867", None]
    assert rows[3][rows[0].index("全年未参学")] == "是" and rows[1][rows[0].index("全年未参学")] == "否"
    assert not any(isinstance(v, str) and v.startswith("p_") for r in rows for v in r)
    assert [c.value for c in wb[TABLE_TITLES["rec_new_members"]][1]][:2] == ["团支部", "姓名"]
    assert "区分信息" in {r[0].value for r in wb["说明"].iter_rows()}
    write_workbook(cat, tmp_path / "without_roster.xlsx")  # no roster at hand: still told apart
    ws = openpyxl.load_workbook(tmp_path / "without_roster.xlsx")[TABLE_TITLES["study_members_low"]]
    assert [ws.cell(r, 3).value for r in (2, 3)] == ["同名第1位", "同名第2位"]


def test_people_sheets_of_the_sample_workbook(sample_book):
    """The acceptance check of issue 22 on the sample town: every list of people starts with 团支部,
    姓名; the two 段月玲 of 示例镇中学团支部 are told apart; no pseudonym key anywhere; 是/否, not TRUE."""
    wb, _ = sample_book
    for name in ("study_members_low", "rec_new_members", "rec_checks", "cadre_unmatched"):
        ws = wb[TABLE_TITLES[name]]
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        assert rows[0][:2] == ["团支部", "姓名"], name
        assert not any(
            isinstance(v, bool) or (isinstance(v, str) and v.startswith("p_")) for r in rows for v in r
        )
    ws = wb[TABLE_TITLES["study_members_low"]]
    namesakes = [[c.value for c in row][:3] for row in ws.iter_rows(min_row=2) if row[1].value == "段月玲"]
    assert len(namesakes) == 2 and namesakes[0][2] != namesakes[1][2] and all(n[2] for n in namesakes)
