"""The gate of issue 20 on variants of the sample town's 2022: each hole or misreading is caught (a serious
finding) or read right, and the complete year stays silent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.common import paths, schemas
from analysis.common.config import load_config
from analysis.indicators.catalogue import headline
from analysis.ingest.pipeline import ingest_year
from analysis.processed.completeness import assess
from analysis.processed.load import Tables

pytestmark = pytest.mark.slow  # each variant is a whole sample year ingested (about 3 s)

SAMPLE = paths.SAMPLE_DIR / "2022"
NAMES = [a + b for a in "赵钱孙李周吴郑王" for b in ("一鸣", "二丽", "三军", "四海", "五福")]


def _run(raw: Path):
    config = load_config(paths.SAMPLE_CONFIG)
    result = ingest_year(raw, config, 2022)
    frames = dict.fromkeys(schemas.TABLES) | result.tables
    tables = Tables(year=2022, folder=raw.parent / "processed", frames=frames, report=result.report())
    head = headline(tables, config, 2022)
    return head, assess(tables, config, 2022, head)


def _copy(tmp_path: Path) -> Path:
    raw = tmp_path / "2022"
    shutil.copytree(SAMPLE, raw)
    return raw


def _rewrite(path: Path, change) -> None:
    """Rewrite an xlsx export after ``change`` (grid → grid); the title row stays row 1."""
    grid = pd.read_excel(path, header=None, sheet_name=0, engine="calamine", dtype=object)
    change(grid).to_excel(path, header=False, index=False)


def _serious(assessment) -> set[str]:
    return {f.rule for f in assessment.blocking}


def test_complete_sample_year_is_silent(tmp_path):
    head, found = _run(_copy(tmp_path))
    assert found.blocking == []
    assert head["org.cadres"] == 26


def test_most_branches_missing_for_half_a_year(tmp_path):
    raw = _copy(tmp_path)
    for month in range(1, 7):
        (raw / f"青年大学习_2022年{month:02d}月.xlsx").unlink()  # the school's own export stays
    _, found = _run(raw)
    assert {"多数团支部同时缺少学习记录", "团支部某段时间无学习记录"} <= _serious(found)


def test_one_branch_missing_for_its_last_quarter(tmp_path):
    raw = _copy(tmp_path)
    for month in (10, 11, 12):
        _rewrite(
            raw / f"青年大学习_2022年{month}月.xlsx",
            lambda g: g[~g[2].astype(str).str.startswith("北岭村")],
        )
    _, found = _run(raw)
    holes = [f for f in found.blocking if f.rule == "团支部某段时间无学习记录"]
    assert [f.subject for f in holes] == ["北岭村团支部"]


def test_half_a_year_of_checkins_missing(tmp_path):
    raw = _copy(tmp_path)
    months = [f"2022年{m}月" for m in range(7, 13)] + [f"2022-{m:02d}" for m in range(7, 13)]
    _rewrite(raw / "团干部学习打卡_2022.xlsx", lambda g: g[~g[0].astype(str).isin(months)])
    _, found = _run(raw)
    assert "打卡记录只覆盖部分月份" in _serious(found)


def test_placeholders_in_posts_are_no_posts(tmp_path):
    raw = _copy(tmp_path)

    def placeholders(g: pd.DataFrame) -> pd.DataFrame:
        g = g.drop(columns=[15])  # no 是否团干部 column: the post alone says who is a cadre
        body = g.index >= 2
        empty = g[16].isna() & body
        g.loc[empty, 16] = ["无", "/", "-", "—", "暂无", "（空）"] * (int(empty.sum()) // 6) + ["无"] * (
            int(empty.sum()) % 6
        )
        return g

    _rewrite(raw / "团员名册（智慧团建导出）.xlsx", placeholders)
    head, found = _run(raw)
    assert head["org.cadres"] == 26
    assert "团干部占比过高" not in _serious(found)


def test_a_rate_summary_beside_the_records_is_never_counted(tmp_path):
    raw = _copy(tmp_path)
    summary = pd.DataFrame(
        [["排名", "团支部", "团员数", "学习人数", "参与率", "本期分数"]]
        + [
            [i + 1, b, 20, 18, "90%", 95]
            for i, b in enumerate(["塔岗村团支部", "柳河村团支部", "石桥村团支部"] * 9)
        ]
    )
    summary.to_excel(raw / "第十三季第5期各支部学习情况.xlsx", header=False, index=False)
    head, found = _run(raw)
    complete, _ = _run(_copy(tmp_path / "again"))
    assert head == complete  # nothing of it reached a number
    assert "软弱涣散" not in str(found.as_dict())


def test_amount_in_ten_thousands_is_read_in_yuan(tmp_path):
    raw = _copy(tmp_path)
    aid = pd.read_csv(raw / "爱心助学_2022.csv", dtype=object)
    aid["金额(元)"] = (aid["金额(元)"].astype(float) / 10000).map(lambda v: f"{v:g}")
    aid.rename(columns={"金额(元)": "金额（万元）"}).to_csv(raw / "爱心助学_2022.csv", index=False)
    head, found = _run(raw)
    complete, _ = _run(_copy(tmp_path / "again"))
    assert head["aid.amount"] == pytest.approx(complete["aid.amount"])
    assert "资助金额不合常理" not in _serious(found)


def test_new_year_period_in_a_first_half_export_is_information(tmp_path):
    """A first-half export that begins with the period released in late December (records on both sides
    of New Year) passes: the period belongs to the previous year by the definitions."""
    raw = _copy(tmp_path)
    december = pd.DataFrame(
        [["期数", "姓名", "归属组织", "报名时间"]]
        + [["第十一季第30期", NAMES[i], "塔岗村团支部", f"2021-12-{27 + i % 4} 10:00:00"] for i in range(30)]
        + [["第十一季第30期", NAMES[i], "塔岗村团支部", "2022-01-02 10:00:00"] for i in range(30, 34)]
    )
    december.to_excel(raw / "青年大学习_2021年12月底.xlsx", header=False, index=False)
    _, found = _run(raw)
    assert found.blocking == []
    assert "跨年期次" in {f.rule for f in found.warnings}


def test_activity_ledger_that_stops_in_september(tmp_path):
    raw = _copy(tmp_path)

    def until_september(g: pd.DataFrame) -> pd.DataFrame:
        october = g.index[g[0].astype(str).str.contains("十月份")][0]  # the ledger's month sections
        return g.loc[: october - 1]

    _rewrite(raw / "活动台账_2022.xlsx", until_september)
    _, found = _run(raw)
    assert "活动台账只覆盖部分月份" in _serious(found)


def test_recruitment_dates_that_cannot_be_read(tmp_path):
    """A ledger whose stage-date cells are all unreadable: rec.* would be 0 with ten people listed."""
    raw = _copy(tmp_path)

    def unreadable(g: pd.DataFrame) -> pd.DataFrame:
        g.loc[1:, [5, 6, 7, 8]] = "见纸质档案"  # 申请 / 积极分子 / 发展对象 / 入团日期
        return g

    _rewrite(raw / "发展团员台账_2022.xlsx", unreadable)
    head, found = _run(raw)
    assert head["rec.applications"] == 0
    gap = next(f for f in found.blocking if f.rule == "关键列没有读到")
    assert gap.subject == "发展团员" and "发展团员台账_2022.xlsx" in gap.message and gap.affects == ("rec.",)


def test_study_exports_without_their_time_column(tmp_path):
    """The town's monthly exports without 报名时间: only the periods the school's export dates are left."""
    raw = _copy(tmp_path)
    for path in raw.glob("青年大学习_2022年*.xlsx"):
        _rewrite(path, lambda g: g.drop(columns=[3]))
    csv = raw / "青年大学习_2022年07月.csv"
    frame = pd.read_csv(csv, dtype=object, encoding="gb18030")
    frame.drop(columns=["报名时间"]).to_csv(csv, index=False, encoding="gb18030")
    head, found = _run(raw)
    assert head["study.periods"] < 51
    gap = next(f for f in found.blocking if f.subject == "青年大学习" and f.rule == "关键列没有读到")
    assert "青年大学习_2022年01月.xlsx" in gap.message and "“学习时间”" in gap.message
    assert "示例镇中学" not in gap.message and "青年大学习_2022年03月.xlsx" not in gap.message
