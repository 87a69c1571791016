"""County roll-up: the SQL on DuckDB gives each town's own indicators.json numbers and county totals
computed from all the records.

Three data sets: a small hand-made county whose numbers are worked out below, the sample town split
into three towns (the unsplit sample is then the from-scratch computation over all records), and the
sample town alone.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import T, table

from analysis.cli import main
from analysis.common import paths
from analysis.common.config import load_config
from analysis.common.errors import AnalysisError
from analysis.county import engine, layout, portability, rollup
from analysis.county.outputs import DOCX, JSON, XLSX
from analysis.indicators.catalogue import headline
from analysis.indicators.keys import BRANCH_RATE_PREFIX
from analysis.processed import load
from tuanwei_sample.towns import split_processed

YEAR = 2022


# --- a hand-made county of two towns ---------------------------------------------------------------
# 甲镇 (branches A1, A2) and 乙镇 (B1). Both rosters hold a member keyed "p_shared0000000000": two
# different people (keys are only unique within a town), so neither may be credited with the other's
# record. Members of 甲镇: a1 (A1, cadre), a2 (A1, joined 06-01), a3 (A2, left 03-10), a4 (A2, 自行脱团
# without a date: never active), a5 (A1, moved to A2 on 03-10), shared (A2, born 1990: over-age).
# 乙镇: shared (B1), b2 (B1, cadre, born 1994-12-31: 28 on 12-31 but a cadre).
A1, A2, B1 = "甲一村团支部", "甲二村团支部", "乙一村团支部"
SHARED = "p_shared0000000000"
P1, P2 = "2022年第1期", "2022年第2期"


def _members(rows: list[dict]) -> pd.DataFrame:
    base = {"name": "某", "name_norm": "某", "join_date": T("2019-05-01"), "birth_date": T("2000-01-01")}
    return table("members", [base | r for r in rows])


def _record(
    period: str, at: str | None, person: str, member: str | None, branch: str, match: str = "id"
) -> dict:
    return {
        "period": period,
        "period_raw": period,
        "recorded_at": None if at is None else T(at),
        "member_id": member,
        "match": match,
        "person_key": person,
        "branch": branch,
        "name": "某",
        "name_norm": "某",
    }


def hand_tables() -> dict[str, dict[str, pd.DataFrame]]:
    a1, a2, a3, a4, a5 = (f"p_a{i}00000000000000" for i in range(1, 6))
    b2 = "p_b200000000000000"
    town_a = {
        "members": _members(
            [
                {"member_id": a1, "branch": A1, "is_cadre": True, "birth_date": T("1990-01-01")},
                {"member_id": a2, "branch": A1, "join_date": T("2022-06-01")},
                {"member_id": a3, "branch": A2, "status": "满28周岁离团", "leave_date": T("2022-03-10")},
                {"member_id": a4, "branch": A2, "status": "自行脱团"},
                {"member_id": a5, "branch": A1},
                {"member_id": SHARED, "branch": A2, "birth_date": T("1990-05-01")},
            ]
        ),
        "transfers": table(
            "transfers",
            [
                {
                    "member_id": a5,
                    "name": "某",
                    "from_branch": A1,
                    "to_branch": A2,
                    "date": T("2022-03-10"),
                    "match": "id",
                }
            ],
        ),
        "study_records": table(
            "study_records",
            [
                _record(P1, "2022-03-09 10:00", a1, a1, A1),
                _record(P1, "2022-03-11 10:00", a5, a5, A2),
                _record(P1, "2022-03-10 08:00", "u:甲一村团支部|张三", None, A1, "unmatched"),
                _record(P1, "2022-03-10 12:00", "u:甲二村团支部|李四", None, A2, "ambiguous"),
                _record(P2, "2022-07-01 10:00", a2, a2, A1),
                _record(P2, "2022-07-01 12:00", a1, a1, A1),
            ],
        ),
        "cadre_checkins": table(
            "cadre_checkins",
            [
                {
                    "month": T("2022-03-01"),
                    "name": "某",
                    "name_norm": "某",
                    "member_id": a1,
                    "match": "id",
                    "checked_in": True,
                },
                {"month": T("2022-07-01"), "name": "某", "name_norm": "某", "member_id": a1, "match": "id"},
                {"month": T("2022-07-01"), "name": "外人", "name_norm": "外人", "checked_in": True},
            ],
        ),
        "recruitment": table(
            "recruitment",
            [
                {
                    "person_id": "r1",
                    "name": "某",
                    "name_norm": "某",
                    "applied_date": T("2022-01-10"),
                    "joined_date": T("2022-06-01"),
                },
                {
                    "person_id": "r2",
                    "name": "某",
                    "name_norm": "某",
                    "applied_date": T("2021-11-01"),
                    "joined_date": T("2022-03-01"),
                },
            ],
        ),
        "activities": table(
            "activities",
            [
                {
                    "activity_id": "x1",
                    "date": T("2022-04-01"),
                    "name": "团课",
                    "name_norm": "团课",
                    "section": "ideology",
                    "organiser": A1,
                    "participants": 10,
                },
                {
                    "activity_id": "x2",
                    "date": T("2022-05-01"),
                    "name": "植树",
                    "name_norm": "植树",
                    "section": "volunteer",
                    "organiser": A2,
                    "volunteer_hours": 7.5,
                },
                {
                    "activity_id": "x3",
                    "date": T("2021-05-01"),
                    "name": "植树",
                    "name_norm": "植树",
                    "section": "volunteer",
                    "organiser": A2,
                    "participants": 99,
                },
            ],
        ),
        "aid": table(
            "aid",
            [
                {
                    "programme": "青檬",
                    "recipient_key": "k1",
                    "name": "某",
                    "amount": 500.0,
                    "date": T("2022-03-01"),
                },
                {
                    "programme": "青檬",
                    "recipient_key": "k1",
                    "name": "某",
                    "amount": 500.0,
                    "date": T("2022-09-01"),
                },
            ],
        ),
    }
    town_b = {
        "members": _members(
            [
                {"member_id": SHARED, "branch": B1},
                {"member_id": b2, "branch": B1, "is_cadre": True, "birth_date": T("1994-12-31")},
            ]
        ),
        "study_records": table(
            "study_records",
            [_record(P1, "2022-03-20 09:00", SHARED, SHARED, B1), _record(P2, None, b2, b2, B1)],
        ),
        "recruitment": table(
            "recruitment",
            [
                {
                    "person_id": "r3",
                    "name": "某",
                    "name_norm": "某",
                    "applied_date": T("2022-02-01"),
                    "joined_date": T("2022-02-11"),
                }
            ],
        ),
        "aid": table(
            "aid",
            [
                {
                    "programme": "青檬",
                    "recipient_key": "k1",
                    "name": "某",
                    "amount": 1000.0,
                    "date": T("2022-05-01"),
                }
            ],
        ),
    }
    return {"甲镇": town_a, "乙镇": town_b}


def write_town(
    root: Path, name: str, frames: dict[str, pd.DataFrame], branches: list[str], quota: int | None
) -> Path:
    """The roll-up layout of one town: town=<name>/town.yml and town=<name>/year=Y/<table>.parquet."""
    folder = root / f"town={name}" / f"year={YEAR}"
    folder.mkdir(parents=True)
    for name_, frame in frames.items():
        frame.to_parquet(folder / f"{name_}.parquet", index=False)
    (folder / "ingest_report.json").write_text(json.dumps({"year": YEAR}), encoding="utf-8")
    targets = {"study_rate_target": 0.9} | ({"recruitment_quota": quota} if quota is not None else {})
    config = {
        "town": name,
        "branches": [{"name": b, "type": "村"} for b in branches],
        "years": {YEAR: targets},
    }
    (root / f"town={name}" / "town.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )
    return folder


@pytest.fixture(scope="module")
def hand(tmp_path_factory) -> rollup.RollUp:
    root = tmp_path_factory.mktemp("hand") / "towns"
    frames = hand_tables()
    write_town(root, "甲镇", frames["甲镇"], [A1, A2], quota=3)
    write_town(root, "乙镇", frames["乙镇"], [B1], quota=None)
    return rollup.compute(layout.discover(root, YEAR))


def test_hand_town_a(hand):
    # P1 in 甲镇: first times 03-09 10:00, 03-10 08:00, 03-10 12:00, 03-11 10:00 → median (even count:
    # midpoint) 03-10 10:00. Active on 03-10: a1 (A1), a5 (moved that day: A2), shared (A2); a3 left that
    # day, a2 not yet joined, a4 never. Credited: a1, a5 (the ambiguous record credits nobody) → 2/3.
    # P2: median 07-01 11:00; active a1, a2 (A1), a5, shared (A2); credited a1, a2 → 2/4.
    assert hand.towns["甲镇"] == {
        "org.members": 4,  # a1, a2, a5, shared on 12-31
        "org.branches": 2,
        "org.cadres": 1,
        "org.overage": 1,  # shared (32); a1 is older but a cadre
        "act.count": 2,  # x3 is of 2021
        "act.count.ideology": 1,
        "act.count.volunteer": 1,
        "act.count.youth_service": 0,
        "act.count.self_building": 0,
        "act.person_times": 10,
        "act.volunteer_hours": 7.5,
        "study.periods": 2,
        "study.learner_times": 6,  # P1: a1, a5, 张三, 李四; P2: a2, a1
        "study.member_rate": (2 / 3 + 2 / 4) / 2,
        f"{BRANCH_RATE_PREFIX}{A1}": 1.0,  # P1 1/1, P2 2/2
        f"{BRANCH_RATE_PREFIX}{A2}": 0.25,  # P1 1/2, P2 0/2
        "study.never": 1,  # shared: a member all year, credited in no period
        "cadre.checkin_rate": 0.5,  # March 1/1, July 0/1; the row of someone not on the roster is not counted
        "rec.new_members": 2,
        "rec.quota": 3,
        "rec.applications": 1,
        "rec.activists": 0,
        "rec.targets": 0,
        "rec.median_days": 131.0,  # 120 and 142 days: midpoint
        "aid.recipients": 1,
        "aid.amount": 1000.0,
    }


def test_hand_town_b(hand):
    # P1: one timed person (shared, 03-20) → day 03-20; active shared, b2; credited shared → 1/2.
    # P2 has no timed record in 乙镇: not one of its periods, so b2's P2 record counts for nothing here.
    assert hand.towns["乙镇"] == {
        "org.members": 2,
        "org.branches": 1,
        "org.cadres": 1,
        "org.overage": 0,  # b2 is 28 on 12-31 but a cadre
        "study.periods": 1,
        "study.learner_times": 1,
        "study.member_rate": 0.5,
        f"{BRANCH_RATE_PREFIX}{B1}": 0.5,
        "study.never": 1,  # b2
        "rec.new_members": 1,
        "rec.applications": 1,
        "rec.activists": 0,
        "rec.targets": 0,
        "rec.median_days": 10.0,
        "aid.recipients": 1,
        "aid.amount": 1000.0,
    }


def test_hand_county_total_from_all_records(hand):
    # County P1: the five timed persons of both towns → median 03-10 12:00, day 03-10; active: 甲镇's 3
    # and 乙镇's 2; credited a1, a5 and 乙镇's shared — not 甲镇's shared, whose key is the same → 3/5.
    # County P2: dated by 甲镇's records (07-01); active 4 + 2; credited a1, a2 and b2 (untimed records
    # are credited) → 3/6. The average of the towns' rates would be different: (7/12 + 1/2) / 2.
    assert hand.total == {
        "org.members": 6,
        "org.branches": 3,
        "org.cadres": 2,
        "org.overage": 1,
        "act.count": 2,  # 乙镇 has no activity ledger: the county total covers 甲镇
        "act.count.ideology": 1,
        "act.count.volunteer": 1,
        "act.count.youth_service": 0,
        "act.count.self_building": 0,
        "act.person_times": 10,
        "act.volunteer_hours": 7.5,
        "study.periods": 2,
        "study.learner_times": 8,  # 甲镇's 6, 乙镇's shared in P1 and b2 in P2
        "study.member_rate": (3 / 5 + 3 / 6) / 2,
        "study.never": 1,  # 甲镇's shared
        "cadre.checkin_rate": 0.5,  # 乙镇 has no check-in export: its cadre b2 is not counted
        "rec.new_members": 3,
        "rec.quota": 3,  # the sum of the configured quotas
        "rec.applications": 2,
        "rec.activists": 0,
        "rec.targets": 0,
        "rec.median_days": 120.0,  # 10, 120, 142
        "aid.recipients": 2,  # the same key in two towns: two recipients
        "aid.amount": 2000.0,
    }


def test_hand_towns_match_pandas(tmp_path, hand):
    for town in hand.county.towns:
        assert hand.towns[town.name] == headline(load.processed(town.folder, verify=False), town.config, YEAR)


# --- the sample town, split into three towns --------------------------------------------------------
@pytest.fixture(scope="module")
def split(sample_processed, tmp_path_factory) -> tuple[rollup.RollUp, Path]:
    root = tmp_path_factory.mktemp("split") / "towns"
    names = split_processed(sample_processed[YEAR], paths.SAMPLE_CONFIG, YEAR, 3, root)
    county = layout.discover(root, YEAR)
    assert county.names == sorted(names)
    return rollup.compute(county), root


def _same(expected: dict, got: dict) -> None:
    assert got == expected
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in expected.items()}


def test_split_towns_reproduce_their_own_indicators(split):
    result, _ = split
    for town in result.county.towns:
        own = headline(load.processed(town.folder, verify=False), town.config, YEAR)
        assert any(k.startswith(BRANCH_RATE_PREFIX) for k in own)
        _same(own, result.towns[town.name])


def test_split_county_total_is_the_whole_sample(split, sample_processed):
    result, _ = split
    whole = headline(load.processed(sample_processed[YEAR]), load_config(paths.SAMPLE_CONFIG), YEAR)
    branches = {k: v for k, v in whole.items() if k.startswith(BRANCH_RATE_PREFIX)}
    _same({k: v for k, v in whole.items() if k not in branches}, result.total)
    # the county's per-branch terms (on the county's period days) are the whole sample's branch keys
    county_branches = rollup.branch_rates(result.cells("study_cells", layout.COUNTY_SCOPE), by_town=True)
    got = {
        BRANCH_RATE_PREFIX + b.split("/", 1)[1]: r
        for b, r in zip(county_branches["branch"], county_branches["rate"], strict=True)
    }
    assert got == branches


def test_split_sum_of_counts(split):
    result, _ = split
    for key in ("org.members", "study.learner_times", "act.count", "rec.new_members", "aid.recipients"):
        assert sum(head[key] for head in result.towns.values()) == result.total[key]


def test_sample_alone(tmp_path, sample_processed):
    root = tmp_path / "towns"
    split_processed(sample_processed[YEAR], paths.SAMPLE_CONFIG, YEAR, 1, root)
    result = rollup.compute(layout.discover(root, YEAR))
    own = headline(load.processed(sample_processed[YEAR]), load_config(paths.SAMPLE_CONFIG), YEAR)
    (town,) = result.towns.values()
    _same(own, town)
    _same({k: v for k, v in own.items() if not k.startswith(BRANCH_RATE_PREFIX)}, result.total)


# --- the command, its outputs and its errors --------------------------------------------------------
def _texts(folder: Path) -> str:
    """All text of the report folder, including inside xlsx/docx (zip) files."""
    parts = []
    for path in folder.rglob("*"):
        if path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as zf:
                parts += [zf.read(n).decode("utf-8", "replace") for n in zf.namelist() if n.endswith(".xml")]
        elif path.suffix in (".json", ".svg"):
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_county_command_writes_the_report(split, tmp_path, sample_processed):
    result, root = split
    out = tmp_path / "county"
    assert (
        main(["county", "--towns", str(root), "--year", str(YEAR), "--reports", str(out), "--name", "示例县"])
        == 0
    )
    for name in (XLSX, JSON, DOCX, "figures/01_town_study_rate.png", "figures/02_town_indicators.png",
                 "figures/03_town_study_by_month.png"):  # fmt: skip
        assert (out / name).is_file(), name
    data = json.loads((out / JSON).read_text(encoding="utf-8"))
    assert data["county"] == result.total
    assert data["towns"] == result.towns
    sheets = pd.read_excel(out / XLSX, sheet_name=None, engine="calamine")
    main_sheet = sheets["各镇指标"]
    assert list(main_sheet.iloc[1:, 0]) == [*result.towns, "全县合计"]  # row 0 is the header (title above)
    # no member key, learner key or name of any town leaves the roll-up
    text = _texts(out)
    study = pd.read_parquet(sample_processed[YEAR] / "study_records.parquet")
    members = pd.read_parquet(sample_processed[YEAR] / "members.parquet")
    secrets = set(members["member_id"]) | set(study["person_key"]) | set(members["name"])
    assert not [s for s in secrets if s in text]


def test_county_rankings(hand):
    ranks = rollup.rankings(hand)
    by_town = ranks.set_index("town")
    assert by_town.loc["甲镇", "study.member_rate:rank"] == 1  # 7/12 > 1/2
    assert by_town.loc["乙镇", "study.member_rate:rank"] == 2
    assert by_town.loc["甲镇", "study.never:rank"] == 1  # a tie (1 and 1): both first
    assert by_town.loc["乙镇", "study.never:rank"] == 1
    assert pd.isna(by_town.loc["乙镇", "act.count:rank"])  # 乙镇 has no activity ledger


def test_monthly_rates(hand):
    monthly = rollup.monthly_rates(hand).set_index(["town", "month"])["rate"]
    assert monthly[("甲镇", 3)] == pytest.approx(2 / 3)
    assert monthly[("甲镇", 7)] == pytest.approx(0.5)
    assert monthly[("乙镇", 3)] == pytest.approx(0.5)
    assert monthly[("全县合计", 3)] == pytest.approx(3 / 5)


def _towns_copy(root: Path, tmp_path: Path) -> Path:
    target = tmp_path / "towns"
    shutil.copytree(root, target)
    return target


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda r: (r / "town=乙镇" / "town.yml").unlink(), "town.yml"),
        (
            lambda r: (r / "town=乙镇" / "year=2022" / "ingest_report.json").write_text('{"year": 2021}'),
            "2021 年",
        ),
        (lambda r: (r / "town=乙镇" / "year=2022" / "ingest_report.json").unlink(), "ingest_report.json"),
        (
            lambda r: pd.DataFrame({"x": [1]}).to_parquet(r / "town=乙镇" / "year=2022" / "aid.parquet"),
            "缺少列",
        ),
        (lambda r: (r / "town=乙镇" / "year=2022" / "aid.parquet").write_bytes(b"not parquet"), "无法读取"),
    ],
)
def test_bad_towns_folder_is_a_chinese_error(hand, tmp_path, damage, message, capsys):
    root = _towns_copy(hand.county.root, tmp_path)
    damage(root)
    assert (
        main(["county", "--towns", str(root), "--year", str(YEAR), "--reports", str(tmp_path / "out")]) == 2
    )
    out = capsys.readouterr().out
    assert message in out and "Traceback" not in out
    assert not (tmp_path / "out").exists()


def test_layout_errors(tmp_path, hand):
    with pytest.raises(AnalysisError, match="town=镇名"):
        layout.discover(tmp_path, YEAR)
    with pytest.raises(AnalysisError, match="没有任何镇的 2030 年数据"):
        layout.discover(hand.county.root, 2030)


def test_town_without_the_year_is_left_out(hand, tmp_path):
    root = _towns_copy(hand.county.root, tmp_path)
    (root / "town=丙镇" / "year=2021").mkdir(parents=True)
    county = layout.discover(root, YEAR)
    assert county.names == ["乙镇", "甲镇"] and county.without_year == ("丙镇",)


def test_report_folder_inside_the_towns_folder_is_refused(hand, capsys):
    inside = hand.county.root / "out"
    assert (
        main(["county", "--towns", str(hand.county.root), "--year", str(YEAR), "--reports", str(inside)]) == 2
    )
    assert "重叠" in capsys.readouterr().out
    assert not inside.exists()


# --- the SQL stays portable ---------------------------------------------------------------------------
def test_rollup_sql_is_portable():
    """sqlglot parses every roll-up query as DuckDB SQL and its translation as Spark SQL; no query calls a
    DuckDB function that sqlglot does not know and no override covers, or reads files; every step reads
    only the input tables, ``scopes`` and earlier steps. (tests/test_county_spark.py runs every translated
    step on Spark and compares its rows with DuckDB's.)"""
    assert engine.STEPS, "no queries"
    inputs = {*engine.COLUMNS, "scopes"}
    for i, step in enumerate(engine.STEPS):
        sql = engine.render(step, YEAR)
        assert portability.problems(sql) == [], step
        spark_sql = portability.translate(sql)
        assert portability.parse(spark_sql, "spark") is not None
        assert portability.tables_read(sql) <= inputs | set(engine.STEPS[:i]), step
        assert "EPOCH_US" not in spark_sql.upper() and "PERCENTILE_APPROX" not in spark_sql.upper(), step
    guide = (paths.ROOT / "docs" / "county-cluster.md").read_text(encoding="utf-8")
    for override in portability.OVERRIDES:  # the guide lists every correction of sqlglot's translation
        assert f"`{override.duckdb}`" in guide and f"`{override.spark}`" in guide


def test_portability_check_catches_duckdb_only_sql():
    assert portability.problems("SELECT list_sum(x) AS s FROM t") != []  # unknown to sqlglot
    assert portability.problems("SELECT * FROM read_parquet('towns/*.parquet')") != []
    assert portability.problems("SELECT a FROM t WHERE ((") != []
    assert portability.problems("SELECT a::INTEGER FROM t GROUP BY ALL") == []  # sqlglot translates these
    assert portability.translate("SELECT epoch_us(x), make_timestamp(y) FROM t") == (
        "SELECT UNIX_MICROS(CAST(x AS TIMESTAMP_LTZ)), TIMESTAMP_MICROS(y) FROM t"
    )
    exact = portability.translate("SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY epoch_us(x)) FROM t")
    assert exact == (
        "SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY UNIX_MICROS(CAST(x AS TIMESTAMP_LTZ)) NULLS LAST) FROM t"
    )
    with pytest.raises(ValueError, match="ascending"):
        portability.translate("SELECT PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x DESC) FROM t")


# --- queries across towns ------------------------------------------------------------------------------
def test_participation_across_towns(hand):
    from analysis.county.query import participation_by_town, periods_by_town, study_terms

    _, cells = study_terms(hand.county)
    chosen = pd.DataFrame({"period": [P1, P2]})
    table = participation_by_town(cells, chosen, ["甲镇", "乙镇"]).set_index("镇")
    assert table.loc["甲镇", P1] == pytest.approx(2 / 3)
    assert table.loc["甲镇", P2] == 0.5
    assert table.loc["乙镇", P1] == 0.5
    assert pd.isna(table.loc["乙镇", P2])  # not a period of 乙镇 (no timed record)
    assert table.loc["全县合计", P1] == pytest.approx(3 / 5)
    assert table.loc["全县合计", "参学率"] == pytest.approx(0.55)  # = the county's study.member_rate
    assert list(table["期数"]) == [2, 1, 2]
    by_period = periods_by_town(cells, chosen, ["甲镇", "乙镇"])
    assert by_period[["期次", "镇", "未学习人数", "应参学人数"]].values.tolist() == [
        [P1, "甲镇", 1, 3],
        [P1, "乙镇", 1, 2],
        [P1, "全县合计", 2, 5],
        [P2, "甲镇", 2, 4],
        [P2, "全县合计", 3, 6],
    ]


def test_query_command_across_towns(hand, tmp_path, capsys):
    towns = str(hand.county.root)
    out = tmp_path / "q.csv"
    args = ["query", "participation", "--towns", towns, "--year", str(YEAR)]
    assert main([*args, "--format", "csv", "--output", str(out)]) == 0
    frame = pd.read_csv(out, encoding="utf-8-sig")
    first = frame[frame["期次"] == P1]
    assert list(first["镇"]) == ["乙镇", "甲镇", "全县合计"]  # towns in the order of their folder names
    assert first["参学率"].tolist() == [0.5, 0.6667, 0.6]  # rates as fractions, 4 decimals
    assert first["应参学人数"].tolist() == [2, 3, 5]
    assert main([*args, "--member", "张三"]) == 2
    assert "不支持 --member" in capsys.readouterr().out
    assert main([*args, "--missing"]) == 0
    printed = capsys.readouterr().out
    assert "未学习人数" in printed and "张三" not in printed


# --- the city generator (benchmarks at 10^8 rows; here a few thousand) ------------------------------
def test_city_generator_writes_canonical_tables_that_roll_up_exactly(tmp_path):
    from analysis.common import schemas
    from tuanwei_sample.city import write_city

    towns = write_city(tmp_path / "city", towns=3, study_rows=9_001, seed=7)
    assert [t.study_rows for t in towns] == [3_001, 3_000, 3_000]
    county = layout.discover(tmp_path / "city", YEAR)
    assert county.names == sorted(t.name for t in towns)
    first = county.towns[0]
    assert first.tables == frozenset(layout.ROLLUP_TABLES)
    for name in first.tables:
        frame = pd.read_parquet(first.parquet(name))
        schemas.TABLES[name].validate(frame, lazy=True)
        assert set(schemas.columns(name)) <= set(frame.columns), name
    result = rollup.compute(county)
    for town in county.towns:
        _same(headline(load.processed(town.folder, verify=False), town.config, YEAR), result.towns[town.name])
    study = pd.read_parquet(first.parquet("study_records"))
    assert len(study) == 3_001 and study["recorded_at"].isna().any()  # some records have no time
    assert (study["match"] == "ambiguous").any() and study["person_key"].str.startswith("u:").any()


def test_readme_county_commands(split, tmp_path, monkeypatch):
    """The commands of the README's 全县（市）汇总 section, taken from README.md itself, run on a towns
    folder laid out as the section says (the sample split into towns)."""
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 全县（市）汇总", 1)[1].split("\n## ", 1)[0]
    commands = [
        line.strip() for line in section.splitlines() if line.strip().startswith("python -m analysis ")
    ]
    assert len(commands) == 3 and "county --towns 各镇数据" in commands[0]
    _, root = split
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(root, project / "各镇数据")
    monkeypatch.setattr(paths, "ROOT", project)  # relative folders are the project's
    monkeypatch.chdir(tmp_path)  # --output is relative to the working folder
    for line in commands:
        assert main(line.split()[3:]) == 0, line
    assert (project / "reports" / "county" / "2022" / "county.docx").is_file()
    assert (tmp_path / "各镇未学习人数.xlsx").is_file()


def test_report_folder_with_other_files_is_refused(hand, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["county", "--towns", str(hand.county.root), "--year", str(YEAR), "--reports", str(out)]
    assert main(args) == 0
    assert main(args) == 0  # a previous county report is replaced
    (out / "sections" / "10_organisation.json").write_text("{}", encoding="utf-8")  # e.g. a town's report
    assert main(args) == 2
    assert "10_organisation.json" in capsys.readouterr().out
