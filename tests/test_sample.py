"""The bundled synthetic sample town: determinism, identities, recruitment, totals, encodings, config."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from analysis.common.config import default_sections, load_config
from tuanwei_sample import SampleTown, build_town, write_sample
from tuanwei_sample.build import birthday_age, classify
from tuanwei_sample.identity import id_birth_date, id_is_valid
from tuanwei_sample.truth import expected_indicators, period_dates

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "sample"

Values = dict[str, list[list]]


def read_values(path: Path) -> Values:
    """Cell values per sheet (csv: one sheet named ""), as a reader sees them."""
    if path.suffix == ".csv":
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else raw.decode("gbk")
        return {"": [list(row) for row in csv.reader(io.StringIO(text))]}
    if path.suffix == ".xlsx":
        wb = CalamineWorkbook.from_path(str(path))
        return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    return {"": [[path.read_text(encoding="utf-8")]]}


def folder_values(root: Path) -> dict[str, Values]:
    return {p.relative_to(root).as_posix(): read_values(p) for p in sorted(root.rglob("*")) if p.is_file()}


def parse_day(value) -> date | None:
    """The date shapes the sample writes: date cells, 2022/3/5, 2022.3.5, 2022-03-05."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    m = re.fullmatch(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})", str(value).strip())
    return date(int(m[1]), int(m[2]), int(m[3])) if m else None


@pytest.fixture(scope="module")
def town() -> SampleTown:
    return build_town()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> tuple[Path, list[Path]]:
    out = tmp_path_factory.mktemp("sample_a")
    return out, write_sample(out)


@pytest.fixture(scope="module")
def values(written) -> dict[str, Values]:
    return folder_values(written[0])


def test_same_seed_same_truth(town):
    again = build_town(2022)
    assert again == town
    assert build_town(7).people != town.people


def test_written_files(written, values):
    """What write_sample returns is what it wrote (town.yml first), under 2 MB. That writing again gives
    the same data is test_committed_sample_matches_generation: the committed sample is one such write."""
    out, paths = written
    assert paths[0] == out / "town.yml"
    assert all(p.is_file() for p in paths)
    assert sorted(p.relative_to(out).as_posix() for p in paths) == sorted(values)
    assert sum(p.stat().st_size for p in paths) < 2 * 1024 * 1024


def test_files_per_year(values):
    for year in (2021, 2022):
        names = {k.split("/", 1)[1] for k in values if k.startswith(f"{year}/")}
        assert {"团员名册（智慧团建导出）.xlsx", f"活动台账_{year}.xlsx", f"发展团员台账_{year}.xlsx",
                f"爱心助学_{year}.csv", f"对标定级_{year}.xlsx", f"团员教育评议_{year}.xlsx",
                f"活动参与名单_{year}.xlsx"} <= names  # fmt: skip
        assert sum(n.startswith("青年大学习_") for n in names) == 12
        assert (f"团干部学习打卡_{year}.xlsx" in names) == (year == 2022)
        assert (f"组织关系转接_{year}.xlsx" in names) == (year == 2022)


def test_identity_numbers(town, values):
    people = [(p.id_number, p.birth_date, p.gender) for p in town.people]
    people += [(r.id_number, r.birth_date, r.gender) for r in town.recruits]
    for number, birth, gender in people:
        assert id_is_valid(number), number
        assert id_birth_date(number) == birth
        assert int(number[16]) % 2 == (1 if gender == "男" else 0)
    assert all(id_is_valid(a.id_number) for a in town.aid)
    assert any(p.id_number.endswith("X") for p in town.people)
    assert len({p.id_number for p in town.people}) == len(town.people)
    assert all(re.fullmatch(r"1\d{10}", p.phone) for p in town.people)
    roster = values["2022/团员名册（智慧团建导出）.xlsx"]["团员信息"]
    ids = [row[4] for row in roster[2:]]
    assert all(isinstance(v, str) and id_is_valid(v) for v in ids)
    assert 1 <= sum(v.endswith("x") for v in ids) <= 2


def test_new_members(town, values):
    for year, quota in ((2021, 3), (2022, 4)):
        assert len(town.joined_in(year)) == quota == town.quotas[year]
        rows = values[f"{year}/发展团员台账_{year}.xlsx"]["发展团员"]
        header = rows[0]
        joined = [r for r in rows[1:] if (d := parse_day(r[header.index("入团日期")])) and d.year == year]
        assert len(joined) == quota
        roster = values[f"{year}/团员名册（智慧团建导出）.xlsx"]["团员信息"]
        ids = {str(r[4]).upper() for r in roster[2:]}
        assert {r[1] for r in joined} <= ids
    numbers = [r[9] for r in values["2022/发展团员台账_2022.xlsx"]["发展团员"][1:] if r[9]]
    assert sorted(len(n) for n in numbers) == [11, 12, 12, 12]
    under_14 = [r for r in town.recruits if r.applied and birthday_age(r.birth_date, r.applied) < 14]
    assert len(under_14) == 1 and under_14[0].joined is None


def _sum(rows: list[list], col: int) -> float:
    return sum(v for r in rows if isinstance(v := r[col], int | float))


def test_ledger_totals(values):
    rows = values["2022/活动台账_2022.xlsx"]["活动台账"]
    total = next(r for r in rows if r[0] == "合计")
    data = [r for r in rows[3:] if isinstance(r[0], int | float)]
    assert len(data) == 57
    for col in (5, 6, 7, 9):
        assert total[col] == pytest.approx(_sum(data, col))
    rows = values["2021/活动台账_2021.xlsx"]["Sheet1"]
    assert rows[1][0] == "总合计"
    for col in (5, 6, 7, 9):
        assert rows[1][col] == pytest.approx(_sum(rows[2:], col))


def test_csv_encodings(written):
    out, _ = written
    raw = (out / "2022/青年大学习_2022年07月.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    raw.decode("gbk")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert (out / "2022/爱心助学_2022.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_town_yml_loads(written, town):
    out, _ = written
    config = load_config(out / "town.yml")
    assert config.town == "示例镇"
    names = set(config.branch_names)
    used = {b for p in town.people for _, b in p.branch_history} | {a.organiser for a in town.activities}
    used |= (
        {r.branch for r in town.study} | {c.branch for c in town.checkins} | {r.branch for r in town.ratings}
    )
    assert used - {"镇团委"} <= names
    assert next(b for b in config.branches if b.name == "塔岗村团支部").aliases == ("塔岗村支部", "塔岗村")
    assert config.targets(2022).recruitment_quota == 4 and config.targets(2021).recruitment_quota == 3
    assert config.targets(2022).checkin_rate_target == 0.9
    assert {s.key: list(s.keywords) for s in config.sections} == {
        k: v["keywords"] for k, v in default_sections().items()
    }


def test_people_and_membership(town):
    for year in (2021, 2022):
        assert 280 <= len(town.members_active_on(date(year, 12, 31))) <= 320
    active = town.members_active_on(date(2022, 12, 31))
    assert {p.age_on(date(2022, 12, 31)) for p in active} <= set(range(14, 31))
    assert 20 <= sum(p.is_cadre for p in active) <= 30
    assert sum("·" in p.name for p in town.people) in (2, 3)
    by_name = Counter(p.name for p in town.people)
    shared = [[p for p in town.people if p.name == n] for n, k in by_name.items() if k == 2]
    assert sorted(len({p.branch for p in group}) for group in shared) == [1, 2]
    aged = [p for p in town.people if p.leave_status == "满28周岁离团" and p.leave_date.year == 2022]
    assert len(aged) == 3 and any(not p.leave_date_written for p in aged)
    assert any(p.is_cadre and p.age_on(date(2022, 12, 31)) >= 28 for p in active)
    assert any(p.leave_status == "自行脱团" for p in town.people)
    (move,) = town.transfers
    assert (move.from_branch, move.date) == ("塔岗村团支部", date(2022, 6, 15))
    assert town.person(move.person).branch == move.to_branch != move.from_branch
    assert set(town.roster(2021)) - set(town.roster(2022)) and not set(town.joined_in(2022)) & set(
        town.roster(2021)
    )


def test_study_truth(town):
    people = {p.pid: p for p in town.people}
    move = town.transfers[0]
    for year in (2021, 2022):
        periods = town.periods_in(year)
        specials = [p for p in periods if p.is_special]
        assert 48 <= len(periods) - len(specials) <= 50 and len(specials) == 3
        assert [p.title for p in specials].count("特辑") == 2 and len({p.label for p in periods}) == len(
            periods
        )
        assert set(period_dates(town, year)) == {p.label for p in periods}
        records = town.study_in(year)
        assert len({(r.person, r.period) for r in records}) == len(records)
        assert 0.05 <= sum(not r.is_member for r in records) / len(records) <= 0.11
        for p in specials:
            first = min(r.recorded_at for r in records if r.period == p.label)
            assert p.label == f"特辑:{p.title}({first:%m-%d})"
    for r in town.study:
        if r.is_member:
            person = people[r.person]
            assert (
                person.active_on(r.recorded_at.date()) and person.branch_on(r.recorded_at.date()) == r.branch
            )
    moved = [r for r in town.study if r.person == move.person and r.year == 2022]
    assert {r.branch for r in moved if r.recorded_at.date() < move.date} == {move.from_branch}
    assert {r.branch for r in moved if r.recorded_at.date() >= move.date} == {move.to_branch}
    labels = {r.raw_period for r in town.study}
    assert {"第十二季第5期", "第十二季第五期"} & labels and any(lab.startswith(" ") for lab in labels)
    assert 0.003 <= len(town.study_duplicates) / len(town.study) <= 0.01


def test_activity_sections(town):
    for a in town.activities:
        assert (classify(a.activity_type or a.name) or "ideology") == a.section, a
    for year, count in ((2021, 48), (2022, 55)):
        acts = town.activities_in(year)
        assert len(acts) == count and all(a.date.year == year for a in acts)
        assert len({(a.date, a.name, a.organiser) for a in acts}) == len(acts)
    assert sum(len(a.written) == 2 for a in town.activities_in(2022)) == 2


def test_expected_indicators(town):
    reachable = expected_indicators(town, 2022, recoverable=True)
    got = expected_indicators(town, 2022)
    differ = {k for k in got if got[k] != reachable[k]}
    assert differ == {"study.learner_times", "study.member_rate", "study.member_rate.示例镇中学团支部"}
    assert got["rec.new_members"] == got["rec.quota"] == 4
    assert got["org.overage"] == 1 and got["study.never"] >= 3
    assert got["aid.recipients"] == 12 and got["aid.amount"] == 9500
    rates = [v for k, v in got.items() if k.startswith("study.member_rate.")]
    assert max(rates) > 0.9 and min(rates) < 0.75
    assert "cadre.checkin_rate" not in expected_indicators(town, 2021)


def test_committed_sample_matches_generation(values):
    if not (COMMITTED / "town.yml").is_file():
        pytest.skip("data/sample 尚未生成（python -m analysis sample）")
    committed = folder_values(COMMITTED)
    assert sorted(committed) == sorted(values), (
        "data/sample 的文件与生成器不一致：请重新运行 python -m analysis sample"
    )
    for name, data in values.items():
        assert committed[name] == data, f"data/sample/{name} 与生成器输出不一致：请重新生成"
