"""Value normalisation: every shape of items 1, 5, 6, 7 and 9 of docs/definitions.md, section 6, with exact expected values."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.common.text import is_blank
from analysis.ingest.normalize import (
    blank_mask,
    canonical_period,
    chinese_number,
    clean_text,
    date_column,
    identity_fields,
    month_of,
    month_section,
    normalize_name,
    parse_date,
    parse_number,
    split_identity,
)

T = pd.Timestamp


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2022年3月5日", T("2022-03-05")),
        ("2022.3.5", T("2022-03-05")),
        ("2022/3/5", T("2022-03-05")),
        ("2022-03-05", T("2022-03-05")),
        ("２０２２－０３－０５", T("2022-03-05")),  # full-width
        ("20220305", T("2022-03-05")),
        (44625, T("2022-03-05")),  # Excel serial
        ("44625", T("2022-03-05")),  # serial stored as text
        (dt.datetime(2022, 3, 5, 19, 45), T("2022-03-05 19:45")),
        (dt.date(2022, 3, 5), T("2022-03-05")),
        ("2022-03-06 19:45:12", T("2022-03-06 19:45:12")),
        ("2022/3/6 19:45", T("2022-03-06 19:45")),
        ("6.30", T("2022-06-30")),  # month.day text, year from the sheet/ingest year
        ("3月5日", T("2022-03-05")),
        ("3月7日 20:15", T("2022-03-07 20:15")),  # a time without a year: the year from the hint
        ("3月7日20时15分", T("2022-03-07 20:15")),
        ("二〇二二年一月十三日", T("2022-01-13")),  # Chinese numerals, as documents are dated
        ("二〇二二年十二月三十一日", T("2022-12-31")),
        ("二〇一九年五月", T("2019-05-01")),
    ],
)
def test_date_shapes(raw, expected):
    assert parse_date(raw, year_hint=2022).value == expected


def test_yearless_times_and_chinese_numeral_dates():
    parsed = parse_date("3月7日 20:15", year_hint=2021)
    assert (parsed.value, parsed.precision, parsed.yearless) == (T("2021-03-07 20:15"), "time", True)
    assert parse_date("3月7日 20:15").value is None  # no year anywhere: not dated
    assert parse_date("3月32日 20:15", year_hint=2022).value is None
    joined = parse_date("二〇一九年五月", month_only=True)
    assert (joined.value, joined.precision, joined.yearless) == (T("2019-05-01"), "month", False)
    assert parse_date("二〇二二年十三月一日").value is None  # not a month: unread, reported
    assert parse_date("二〇二二年十三月一日").problem


def test_float_month_day_is_ambiguous():
    parsed = parse_date(6.3, year_hint=2022)
    assert parsed.value == T("2022-06-03")
    assert parsed.alternative == T("2022-06-30")  # 6.30 typed as a number loses its trailing zero
    assert parse_date(6.15, year_hint=2022).alternative is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019.10", T("2019-10-01")),
        ("2019年10月", T("2019-10-01")),
        ("2019-10", T("2019-10-01")),
        ("2019.05", T("2019-05-01")),
    ],
)
def test_join_month_shapes(raw, expected):
    parsed = parse_date(raw, month_only=True)
    assert parsed.value == expected and parsed.precision == "month"


def test_join_month_float_trap():
    parsed = parse_date(2019.1, month_only=True)  # "2019.10" read as a float
    assert parsed.value == T("2019-10-01")
    assert parsed.alternative == T("2019-01-01")
    assert "10 月" in parsed.problem


def test_bad_dates_are_reported():
    assert parse_date("明天", 2022).problem
    assert parse_date("2022-02-30", 2022).value is None
    assert parse_date("6.30", None).problem == "“6.30”缺少年份"


def test_date_column_mixes():
    col = pd.Series(["2022-03-06 19:45:12", "2022/3/5", None, 44621, dt.datetime(2022, 1, 2, 3, 4, 5)])
    out = date_column(col, 2022)
    assert list(out["value"]) == [
        T("2022-03-06 19:45:12"),
        T("2022-03-05"),
        pd.NaT,
        T("2022-03-01"),
        T("2022-01-02 03:04:05"),
    ]


def test_months():
    assert month_of("2022年1月") == T("2022-01-01")
    assert month_of("2022-01") == T("2022-01-01")
    assert month_of("一月份", 2022) == T("2022-01-01")
    assert month_section("（三月份）") == 3
    assert month_section("三月") == 3
    assert month_section("植树造林") is None


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("第十二季第5期", "第12季第5期"),
        ("第十二季第十四期", "第12季第14期"),
        ("第12季第14期", "第12季第14期"),
        ("2022年第12期", "2022年第12期"),
        (" 2022年第16期", "2022年第16期"),
        ("青年大学习第十三季第二期", "第13季第2期"),
        ("第 十二 季 第 五 期", "第12季第5期"),
        ("五四特辑", "特辑:五四特辑"),
        ("特辑", "特辑:特辑"),
    ],
)
def test_periods(raw, label):
    assert canonical_period(raw).label == label


def test_bare_period_number_needs_year():
    p = canonical_period("12")
    assert p.label is None and p.needs_year and p.number == 12
    assert canonical_period("第十二期").number == 12


def test_chinese_numbers():
    assert [chinese_number(x) for x in ("五", "十", "十四", "二十", "二十三", "一百零二", "7")] == [
        5,
        10,
        14,
        20,
        23,
        102,
        7,
    ]


@pytest.mark.parametrize(
    ("raw", "name", "student", "id_number"),
    [
        ("张三", "张三", None, None),
        ("20190101张三", "张三", "20190101", None),
        ("20190101 张三", "张三", "20190101", None),
        ("20190101-张三", "张三", "20190101", None),
        ("张三-20190101", "张三", "20190101", None),
        ("张三(20190101)", "张三", "20190101", None),
        ("  张 三 ", "张三", None, None),
        ("阿依古丽•买买提", "阿依古丽·买买提", None, None),
        ("阿依古丽．买买提", "阿依古丽·买买提", None, None),
        (20190101.0, None, "20190101", None),
        ("11010519491231002x张三", "张三", None, "11010519491231002X"),
        (None, None, None, None),
        ("   ", None, None, None),
    ],
)
def test_identity_shapes(raw, name, student, id_number):
    ident = split_identity(raw)
    assert (ident.name, ident.student_no, ident.id_number) == (name, student, id_number)


def test_text_spaces_and_fullwidth():
    assert clean_text("\u3000塔岗村\u00a0团支部 ") == "塔岗村 团支部"
    assert clean_text("ＡＢＣ１２３") == "ABC123"
    assert normalize_name(" 王\u200b五 ") == "王五"


def test_numbers():
    assert [parse_number(v) for v in (12, "12", "１２人", "3.5小时", "1,036", None)] == [
        12,
        12,
        12,
        3.5,
        1036,
        None,
    ]
    assert pd.isna(parse_number("全体团员"))


@pytest.mark.parametrize("dtype", [object, "str"])
def test_identity_fields_agree_with_split_identity(dtype):
    """The column-wise version (Arrow fast path for plain names) gives exactly split_identity's answers."""
    from analysis.ingest.normalize import identity_fields

    values = ["张三", "20190101张三", "张三-20190101", "  张 三 ", "阿依古丽•买买提", "阿.依.古.丽", "王・五",
              "ＡＢＣ", "11010519491231002x张三", None, "   ", "李四"]  # fmt: skip
    series = pd.Series(values * 2, dtype=dtype)
    fields = identity_fields(series)
    for i, value in enumerate(values):
        expected = split_identity(value)
        got = tuple(
            None if pd.isna(fields[f][i]) else fields[f][i] for f in ("name", "student_no", "id_number")
        )
        assert got == (expected.name, expected.student_no, expected.id_number), value


_CELLS = [
    None,
    "",
    " ",
    "\u3000",
    "\u200b",
    " \u200b\u3000",
    "\ufeff",
    "\u200bx",
    "a",
    " a ",
    "\u00a0",
    "x\u200b",
]


@pytest.mark.parametrize("dtype", [object, pd.StringDtype("pyarrow", na_value=float("nan"))])
def test_blank_mask_is_is_blank_on_a_column(dtype: object) -> None:
    """The vectorised test agrees with the per-cell one, zero-width characters included, also on the
    repeating index of a melted sheet."""
    values = [*_CELLS, 1.5, 0] if dtype is object else _CELLS
    assert blank_mask(pd.Series(values, dtype=dtype)).tolist() == [is_blank(v) for v in values]
    repeated = pd.Series(values, index=[i // 2 for i in range(len(values))], dtype=dtype)
    assert blank_mask(repeated).tolist() == [is_blank(v) for v in values]


def test_identity_fields_is_split_identity_on_a_column() -> None:
    """The Arrow fast path for plain names (padded with spaces too) gives what split_identity gives."""
    values = ["张三", " 李四", "王五\u3000", "阿.依.古", "20190101张三", "张三-20190101", None, "", "赵 六"]
    column = pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=float("nan")))
    got = identity_fields(column)
    for i, v in enumerate(values):
        row = [None if pd.isna(got[f][i]) else got[f][i] for f in ("name", "student_no", "id_number")]
        want = split_identity(v)
        assert row == [want.name, want.student_no, want.id_number], v
