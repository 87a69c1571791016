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

from analysis import formatting, load, paths, safe_io
from analysis.config import YearTargets, load_config
from analysis.indicators import catalogue
from analysis.indicators.catalogue import Catalogue
from analysis.indicators.labels import RATE_COLUMNS, TABLE_TITLES, column_names
from analysis.report.workbook import show_summary, write_workbook

SIGNED_COUNT = "+#,##0;-#,##0;0"
SIGNED_POINTS = "+0.0%;-0.0%;0.0%"


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
    assert rate["变化"].value == pytest.approx(0.05) and rate["变化"].number_format == SIGNED_POINTS
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
def sample_book(sample_processed, tmp_path_factory) -> openpyxl.Workbook:
    config = load_config(paths.SAMPLE_CONFIG)
    cat = catalogue.compute(
        load.processed(sample_processed[2022], 2022),
        config,
        2022,
        load.processed(sample_processed[2021], 2021),
    )
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
        for j, header in enumerate(headers):  # every other numeric column holds numbers, not text
            if pd.api.types.is_numeric_dtype(frame.dtypes.iloc[j]) and not pd.api.types.is_bool_dtype(
                frame.dtypes.iloc[j]
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
