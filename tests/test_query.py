"""Participation queries on the sample town, checked against the generator's truth."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.cli import main
from analysis.common import paths
from analysis.common.config import load_config
from analysis.indicators import catalogue, study
from analysis.processed import load
from analysis.query import member_history, missing, participation_grid, select_periods
from analysis.query.participation import DONE, MOVED_OUT, NOT_DONE, NOT_JOINED, all_pairs, find_members
from analysis.safety import privacy
from tuanwei_sample import build_town


@pytest.fixture(scope="module")
def town():
    return build_town()


@pytest.fixture(scope="module")
def tables(sample_processed):
    return load.processed(sample_processed[2022], 2022)


@pytest.fixture(scope="module")
def periods(tables):
    return study.study_periods(tables.study_records, 2022)


def _studied(town, pid: str, period: str) -> bool:
    return any(r.person == pid and r.period == period and r.year == 2022 for r in town.study)


def _member_id(person) -> str:
    return privacy.pseudonym(person.id_number)


def test_quarter_selection(periods):
    q2 = select_periods(periods, quarter="2022Q2")
    assert q2["date"].min() >= pd.Timestamp("2022-04-01")
    assert q2["date"].max() <= pd.Timestamp("2022-06-30")
    assert len(q2) == 14  # 13 weekly lessons + 五四特辑


def test_branch_quarter_grid_matches_truth(tables, periods, town):
    q2 = select_periods(periods, quarter="2022Q2")
    result = participation_grid(tables, q2, "塔岗村团支部")
    by_id = {_member_id(p): p for p in town.people}
    grid = result.grid.set_index(pd.Index(_row_ids(result, tables)))
    checked = 0
    for member_id, row in grid.iterrows():
        person = by_id[member_id]
        for _, p in q2.iterrows():
            day = p["date"].date()
            cell = row[p["period"]]
            if person.active_on(day) and person.branch_on(day) == "塔岗村团支部":
                assert cell == (DONE if _studied(town, person.pid, p["period"]) else NOT_DONE)
                checked += 1
    assert checked > 300


def _row_ids(result, tables):
    """Grid rows → member ids (names are unique within 塔岗村团支部 in the sample)."""
    ids = tables.members[tables.members["branch"].isin(["塔岗村团支部", "新华社区团支部"])].set_index("name")[
        "member_id"
    ]
    return [ids[n] for n in result.grid["姓名"]]


def test_transferred_member(tables, periods):
    """龚振 moved from 塔岗村 to 新华社区 on 2022-06-15: 已转出 afterwards in 塔岗村's grid, in 新华社区's after."""
    window = select_periods(periods, date_from="2022-06-01", date_to="2022-06-30")
    old = participation_grid(tables, window, "塔岗村团支部").grid.set_index("姓名").loc["龚振"]
    new = participation_grid(tables, window, "新华社区团支部").grid.set_index("姓名").loc["龚振"]
    for _, p in window.iterrows():
        if p["date"] >= pd.Timestamp("2022-06-15"):
            assert old[p["period"]] == MOVED_OUT
            assert new[p["period"]] in (DONE, NOT_DONE)
        else:
            assert old[p["period"]] in (DONE, NOT_DONE)
            assert new[p["period"]] == "未转入"


def test_member_who_joined_mid_year(tables, periods):
    """钱雪怡 joined 北岭村团支部 on 2022-07-01."""
    window = select_periods(periods, date_from="2022-06-01", date_to="2022-07-31")
    row = participation_grid(tables, window, "北岭村团支部").grid.set_index("姓名").loc["钱雪怡"]
    for _, p in window.iterrows():
        expected = NOT_JOINED if p["date"] < pd.Timestamp("2022-07-01") else {DONE, NOT_DONE}
        assert row[p["period"]] == expected if isinstance(expected, str) else row[p["period"]] in expected


def test_missing_list_for_one_period(tables, periods, town):
    one = periods.iloc[[10]]
    label, day = one["period"].iloc[0], one["date"].iloc[0].date()
    got = missing(tables, one, "柳河村团支部")
    expected = sorted(
        p.name
        for p in town.people
        if p.active_on(day) and p.branch_on(day) == "柳河村团支部" and not _studied(town, p.pid, label)
    )
    assert sorted(got["姓名"]) == expected
    assert len(expected) > 0


def test_namesake_in_another_branch(tables, periods):
    found, _ = find_members(tables, "谢欣瑶")
    assert sorted(found["branch"]) == ["朝阳社区团支部", "柳河村团支部"]
    histories = [member_history(tables, periods, mid) for mid in found["member_id"]]
    assert {h.branch for h in histories} == {"朝阳社区团支部", "柳河村团支部"}


def test_did_you_mean(tables):
    found, suggestions = find_members(tables, "龚震")
    assert found.empty and "龚振" in suggestions


def test_grid_rates_equal_indicator(tables, periods):
    config = load_config(paths.SAMPLE_CONFIG)
    head = catalogue.headline(tables, config, 2022)
    for branch in ("塔岗村团支部", "示例镇中学团支部", "柳河村团支部"):
        result = participation_grid(tables, periods, branch)
        assert result.period_rates["rate"].mean() == pytest.approx(head[f"study.member_rate.{branch}"])


@pytest.mark.slow  # every branch's grid over the year (about 8 s)
def test_one_branch_pairs_give_the_whole_town_grid(tables, periods):
    """A one-branch query computes the pairs of that branch's members only (transfers included): every
    branch's grid is the one computed from the whole town's pairs."""
    assert not tables.membership.spells.empty  # the sample has transfers: the restriction is tested on them
    everyone = all_pairs(tables, periods)
    for branch in sorted(set(tables.members["branch"])):
        whole = participation_grid(tables, periods, branch, everyone)
        alone = participation_grid(tables, periods, branch, all_pairs(tables, periods, branch))
        pd.testing.assert_frame_equal(whole.grid, alone.grid)
        pd.testing.assert_frame_equal(whole.period_rates, alone.period_rates)


def test_cli_xlsx_and_missing_year(sample_processed, tmp_path, capsys):
    out = tmp_path / "q.xlsx"
    code = main(
        [
            "query",
            "participation",
            "--processed",
            str(sample_processed[2022]),
            "--branch",
            "塔岗村",
            "--quarter",
            "2022Q2",
            "--format",
            "xlsx",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    sheet = pd.read_excel(out, sheet_name=None, engine="calamine")
    assert list(sheet) == ["塔岗村团支部", "各期参学率", "说明"]
    assert "√" in sheet["塔岗村团支部"].to_numpy()
    code = main(["query", "participation", "--year", "2031", "--processed", str(tmp_path / "none")])
    assert code == 2
    assert "ingest --year 2031" in capsys.readouterr().out


def test_cli_csv_has_bom(sample_processed, tmp_path):
    out = tmp_path / "m.csv"
    assert (
        main(
            [
                "query",
                "participation",
                "--processed",
                str(sample_processed[2022]),
                "--missing",
                "--period",
                "第十二季第五期",
                "--format",
                "csv",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert set(frame["期次"]) == {"第12季第5期"}


def test_activity_grid(tables, town):
    """Members of 新华社区团支部 × activities: each member's count equals the truth's participant lists
    (members whose lists entry was written under their branch that day)."""
    from analysis.query import activity_grid

    grid = activity_grid(tables, "新华社区团支部", 2022).set_index("姓名")
    truth = {}
    for p in town.activity_participants:
        if p.year == 2022 and p.branch == "新华社区团支部":
            truth[p.name] = truth.get(p.name, 0) + 1
    assert grid.loc["龚振", "参加次数"] == truth["龚振"] == 1  # transferred in June, took part in July
    for name, count in truth.items():
        if name in grid.index:
            assert grid.loc[name, "参加次数"] == count, name
    assert (grid.drop(columns="参加次数") == "√").sum(axis=1).equals(grid["参加次数"])
