"""The completeness rules (issue 12, item 2) on variants of the sample year: each gap is caught with its
message; the complete sample has no serious finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.common.errors import ConfigError
from analysis.indicators import catalogue
from analysis.ingest.pipeline import ingest_year
from analysis.processed import completeness
from analysis.processed.completeness import Finding, assess, coverage
from analysis.processed.load import Tables

YEAR = 2022


@pytest.fixture(scope="module")
def config():
    return load_config(paths.SAMPLE_CONFIG)


def _assess(raw: Path, config, previous: dict[str, float] | None = None, result=None):
    result = result or ingest_year(raw, config, YEAR)
    tables = Tables(year=YEAR, folder=raw, frames=dict(result.tables), report=result.report())
    head = catalogue.headline(tables, config, YEAR)
    return assess(tables, config, YEAR, head, previous), tables


def _copy(tmp_path: Path) -> Path:
    raw = tmp_path / str(YEAR)
    shutil.copytree(paths.SAMPLE_DIR / str(YEAR), raw)
    return raw


def _serious(found) -> dict[tuple[str, str], Finding]:
    return {(f.rule, f.subject): f for f in found.blocking}


def test_complete_sample_passes(config, sample_ingests):
    found, tables = _assess(paths.SAMPLE_DIR / str(YEAR), config, result=sample_ingests[YEAR])
    assert found.blocking == []
    assert [f.rule for f in found.warnings] == ["日期缺少年份"]  # the ledger's "6.30" dates
    cov = coverage(tables, YEAR)
    study = cov["青年大学习"]
    assert set(study["团支部"]) == set(config.branch_names)
    assert (study["在册团员"] > 0).all() and study["来源"].str.len().gt(0).all()
    assert set(cov["团干部学习打卡"]["月份"]) == {f"{YEAR}年{m}月" for m in range(1, 13)}


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_a_branchs_study_files_removed(tmp_path, config):
    raw = _copy(tmp_path)
    (raw / "示例镇中学青年大学习记录（2022年3-6月）.xlsx").unlink()  # the school's own export
    found, _ = _assess(raw, config)
    gap = _serious(found)[("团支部某期无学习记录", "示例镇中学团支部")]
    assert "2022年3月" in gap.message and "2022年6月" in gap.message
    assert gap.affects_key("study.member_rate") and gap.affects_key("study.member_rate.示例镇中学团支部")


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_a_branch_without_any_study_record(tmp_path, config):
    raw = _copy(tmp_path)
    for path in raw.glob("青年大学习_*.xlsx"):  # drop every record of 南沟村 from the monthly exports
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            for row in list(ws.iter_rows(min_row=2)):
                if any(isinstance(c.value, str) and c.value.startswith("南沟村") for c in row):
                    for cell in row:
                        cell.value = None
        wb.save(path)
    (raw / "青年大学习_2022年07月.csv").unlink()
    found, _ = _assess(raw, config)
    gap = _serious(found)[("团支部全年无学习记录", "南沟村团支部")]
    assert "0%" in gap.message


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_one_month_of_checkins_removed(tmp_path, config):
    raw = _copy(tmp_path)
    path = raw / "团干部学习打卡_2022.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    for row in ws.iter_rows(min_row=3):
        if str(row[0].value).strip() in ("2022年5月", "2022-05"):
            for cell in row:
                cell.value = None
    wb.save(path)
    found, _ = _assess(raw, config)
    gap = _serious(found)[("月份无打卡记录", "2022年5月")]
    assert gap.affects == ("cadre.checkin_rate",)


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_roster_removed(tmp_path, config):
    raw = _copy(tmp_path)
    (raw / "团员名册（智慧团建导出）.xlsx").unlink()
    found, _ = _assess(raw, config)
    gap = _serious(found)[("缺少导出", "团员名册")]
    assert gap.affects_key("org.members") and gap.affects_key("study.member_rate")


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_last_years_ledger_in_this_years_folder(tmp_path, config):
    raw = _copy(tmp_path)
    shutil.copy2(paths.SAMPLE_DIR / "2021" / "活动台账_2021.xlsx", raw / "活动台账_2021.xlsx")
    found, tables = _assess(raw, config)
    # this year's ledger is there too: the old one changes no number, so it is reported, not a gap
    assert ("其他年度的数据", "活动台账_2021.xlsx（Sheet1）") in {(f.rule, f.subject) for f in found.warnings}
    head = catalogue.headline(tables, config, YEAR)
    assert head["act.count"] == 55 and head["act.volunteer_hours"] == 494  # not 74 / 613.5


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_last_years_ledger_instead_of_this_years(tmp_path, config):
    raw = _copy(tmp_path)
    (raw / "活动台账_2022.xlsx").unlink()
    shutil.copy2(paths.SAMPLE_DIR / "2021" / "活动台账_2021.xlsx", raw / "活动台账_2021.xlsx")
    found, _ = _assess(raw, config)
    assert ("其他年度的数据", "活动台账_2021.xlsx（Sheet1）") in _serious(found)


def test_alias_on_two_branches_is_a_config_error(tmp_path):
    text = paths.SAMPLE_CONFIG.read_text(encoding="utf-8").replace(
        "aliases: [柳河村]", "aliases: [柳河村, 塔岗村]"
    )
    path = tmp_path / "town.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"塔岗村.*只能对应一个团支部"):
        load_config(path)


def test_member_count_jump_and_unmatched_share(config, sample_ingests):
    found, _ = _assess(paths.SAMPLE_DIR / str(YEAR), config, {"org.members": 150}, sample_ingests[YEAR])
    assert ("团员人数变化过大", "") in _serious(found)


@pytest.mark.slow  # a changed copy of a whole sample year, ingested
def test_accepted_gap_is_set_apart(tmp_path):
    raw = _copy(tmp_path)
    (raw / "团员名册（智慧团建导出）.xlsx").unlink()
    text = paths.SAMPLE_CONFIG.read_text(encoding="utf-8") + (
        "accepted_gaps:\n  - {rule: 缺少导出, subject: 团员名册, reason: 名册由县里统一导出，今年未提供}\n"
    )
    path = tmp_path / "town.yml"
    path.write_text(text, encoding="utf-8")
    found, _ = _assess(raw, load_config(path))
    assert ("缺少导出", "团员名册") not in _serious(found)
    assert [f.subject for f in found.accepted] == ["团员名册"]


def test_nothing_imported(tmp_path, config):
    raw = tmp_path / str(YEAR)
    raw.mkdir()
    (raw / "说明.csv").write_text("这是说明\n没有数据\n", encoding="utf-8")
    found, _ = _assess(raw, config)
    assert ("没有导入任何数据", "") in _serious(found)


def test_sources_lists_each_key_files_and_sheets_once_in_order() -> None:
    frame = pd.DataFrame(
        {
            "period": ["p2", "p1", "p1", "p2", "p3", "p1"],
            "branch": ["b", "a", "a", "b", "c", "b"],
            "source_file": ["x.xlsx", "y.xlsx", "x.xlsx", "x.xlsx", "z.csv", "x.xlsx"],
            "source_sheet": ["S", "", "S", "S", "", "T"],
        }
    )
    got = completeness._sources(frame, ["period", "branch"])
    assert got.to_dict("records") == [
        {"period": "p1", "branch": "a", "来源": "x.xlsx（S）；y.xlsx"},
        {"period": "p1", "branch": "b", "来源": "x.xlsx（T）"},
        {"period": "p2", "branch": "b", "来源": "x.xlsx（S）"},
        {"period": "p3", "branch": "c", "来源": "z.csv"},
    ]


# ------------------------------------------------------------------ a kind's defining column unread


def _tables(report_sources=(), **frames) -> Tables:
    return Tables(year=YEAR, folder=Path("."), frames=frames, report={"sources": list(report_sources)})


def _study(rows: list[tuple[str, str | None, str, str]]) -> pd.DataFrame:
    """(period, recorded_at, source_file, source_sheet) rows, one learner each."""
    frame = pd.DataFrame(rows, columns=["period", "recorded_at", "source_file", "source_sheet"])
    return frame.assign(
        recorded_at=pd.to_datetime(frame["recorded_at"]), person_key=[f"p{i}" for i in range(len(frame))]
    )


def _month(file: str, sheet: str, period: str, day: str | None, n: int = 40):
    return [(period, day, file, sheet)] * n


def test_study_records_without_any_time_are_serious(config) -> None:
    rows = [r for m in range(1, 13) for r in _month("统计.xlsx", f"{m}月明细", f"第12季第{m}期", None)]
    found = completeness._unread_columns(
        _tables(study_records=_study(rows)), config, completeness.Thresholds()
    )
    assert [(f.rule, f.subject, f.severity) for f in found] == [("关键列没有读到", "青年大学习", "serious")]
    assert "统计.xlsx（1月明细、2月明细、3月明细、4月明细等 12 个工作表）" in found[0].message
    assert "“学习时间”" in found[0].message and "没有找到这一列" in found[0].message
    assert found[0].affects_key("study.periods") and found[0].affects_key("study.member_rate")


def test_study_time_column_read_but_cells_unreadable_says_so(config) -> None:
    rows = _month("统计.xlsx", "明细", "第12季第1期", None)
    read = {"columns": {"recorded_at": {"described": "表头“完成时间”（F 列）"}}}
    source = {"file": "统计.xlsx", "sheet": "明细", "recognition": read}
    found = completeness._unread_columns(
        _tables([source], study_records=_study(rows)), config, completeness.Thresholds()
    )
    assert "读到了表头“完成时间”（F 列），但单元格无法读成日期" in found[0].message


def test_study_list_without_times_dated_by_other_exports_is_silent(config) -> None:
    """A school's 接龙 without times: its periods are dated by the town's exports, every record counts."""
    town = [
        r for m in range(1, 13) for r in _month("青年大学习.xlsx", "", f"第12季第{m}期", f"2022-{m:02d}-07")
    ]
    school = [r for m in range(1, 13) for r in _month("中学接龙.xlsx", "", f"第12季第{m}期", None, 10)]
    tables = _tables(study_records=_study(town + school))
    assert completeness._unread_columns(tables, config, completeness.Thresholds()) == []


def test_one_small_undated_period_is_a_warning(config) -> None:
    town = [
        r for m in range(1, 13) for r in _month("青年大学习.xlsx", "", f"第12季第{m}期", f"2022-{m:02d}-07")
    ]
    special = _month("五四特辑.xlsx", "", "特辑:五四特辑", None, 20)  # 20 of 500 rows: 4%
    found = completeness._unread_columns(
        _tables(study_records=_study(town + special)), config, completeness.Thresholds()
    )
    assert [(f.subject, f.severity) for f in found] == [("青年大学习", "warning")]
    assert "五四特辑.xlsx" in found[0].message and "青年大学习.xlsx" not in found[0].message


def _recruitment(dates: list[tuple[str | None, str | None]], sheet: str = "台账") -> pd.DataFrame:
    """(applied, joined) per person; no activist or target dates."""
    frame = pd.DataFrame(dates, columns=["applied_date", "joined_date"])
    return frame.assign(
        applied_date=pd.to_datetime(frame["applied_date"]),
        joined_date=pd.to_datetime(frame["joined_date"]),
        activist_date=pd.NaT,
        target_date=pd.NaT,
        name=[f"人{i}" for i in range(len(frame))],
        stage="已入团",
        source_file="发展团员.xlsx",
        source_sheet=sheet,
    )


def test_recruitment_without_any_stage_date_is_serious(config) -> None:
    found = completeness._unread_columns(
        _tables(recruitment=_recruitment([(None, None)] * 6)), config, completeness.Thresholds()
    )
    assert [(f.rule, f.subject, f.severity) for f in found] == [("关键列没有读到", "发展团员", "serious")]
    assert "“申请日期”“确定积极分子日期”“确定发展对象日期”“入团日期”中的任何一项" in found[0].message
    assert "发展团员.xlsx（台账）没有找到这些列" in found[0].message
    assert found[0].affects == ("rec.",)


def test_recruitment_with_some_dates_missing_is_silent(config) -> None:
    """Applicants who have not joined yet, one person without any date: a ledger read right."""
    dates = [("2022-01-05", "2022-09-01")] * 3 + [("2022-03-01", None)] * 3 + [(None, None)]
    tables = _tables(recruitment=_recruitment(dates))
    assert completeness._unread_columns(tables, config, completeness.Thresholds()) == []


# ------------------------------------------------------------------ study records that reach no member


def _learners(n: int) -> Tables:
    rows = _month("青年大学习.xlsx", "", "第12季第1期", None, n)
    return _tables(study_records=_study(rows))


def test_records_of_many_learners_but_every_member_never_studied_is_serious() -> None:
    head = {"org.members": 300, "study.never": 300, "study.periods": 0}
    found = completeness._study_reaches_nobody(_learners(280), head, completeness.Thresholds())
    assert [(f.rule, f.severity) for f in found] == [("学习记录没有计入团员", "serious")]
    assert "本年没有任何一期" in found[0].message and found[0].affects_key("study.member_rate")


def test_a_complete_year_and_a_town_where_few_study_are_silent() -> None:
    t = completeness.Thresholds()
    complete = {"org.members": 300, "study.never": 4, "study.periods": 51}
    assert completeness._study_reaches_nobody(_learners(320), complete, t) == []
    few = {"org.members": 300, "study.never": 280, "study.periods": 51}  # few study, and few records
    assert completeness._study_reaches_nobody(_learners(25), few, t) == []
