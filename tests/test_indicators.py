"""Every indicators.json key (docs/indicators.md) on a small hand-built town; expected values worked out by
hand in the comments next to the data (never recomputed with the code under test)."""

from __future__ import annotations

import json

import pytest
from builders import T, table, tables

from analysis.common.config import load_config
from analysis.indicators import catalogue, org

# Members (report year 2022). Branches 甲 and 乙.
#  A 甲, joined 2019, born 2000-05-01                       active all year
#  B 甲, join date unknown (counts as joined), born 1994-03-01, 团干部   active all year; 28 but a cadre
#  C 乙, joined 2022-07-01, born 2005-01-01                 active from 07-01
#  D 乙, born 1994-06-30, 满28周岁离团 on 2022-06-30         active until 06-29
#  E roster 甲, transferred 乙 → 甲 on 2022-06-15, born 1994-12-01  active all year; 28 on 12-01, not cadre
#  F 丙, 自行脱团 on 2021-05-01                              never active in 2022
#  G 乙, joined 2018, born 2001-01-01, 团干部                active all year, never studies
MEMBERS = [
    dict(
        member_id="A",
        name="甲一",
        name_norm="甲一",
        branch="甲",
        join_date=T("2019-01-01"),
        birth_date=T("2000-05-01"),
    ),
    dict(
        member_id="B", name="甲二", name_norm="甲二", branch="甲", birth_date=T("1994-03-01"), is_cadre=True
    ),
    dict(
        member_id="C",
        name="乙一",
        name_norm="乙一",
        branch="乙",
        join_date=T("2022-07-01"),
        birth_date=T("2005-01-01"),
    ),
    dict(
        member_id="D",
        name="乙二",
        name_norm="乙二",
        branch="乙",
        join_date=T("2012-01-01"),
        birth_date=T("1994-06-30"),
        status="满28周岁离团",
        leave_date=T("2022-06-30"),
    ),
    dict(
        member_id="E",
        name="乙三",
        name_norm="乙三",
        branch="甲",
        join_date=T("2011-01-01"),
        birth_date=T("1994-12-01"),
    ),
    dict(
        member_id="F",
        name="丙一",
        name_norm="丙一",
        branch="丙",
        join_date=T("2015-01-01"),
        birth_date=T("1999-01-01"),
        status="自行脱团",
        leave_date=T("2021-05-01"),
    ),
    dict(
        member_id="G",
        name="乙四",
        name_norm="乙四",
        branch="乙",
        join_date=T("2018-01-01"),
        birth_date=T("2001-01-01"),
        is_cadre=True,
    ),
]
TRANSFERS = [
    dict(member_id="E", name="乙三", from_branch="乙", to_branch="甲", date=T("2022-06-15"), match="id")
]


def rec(period: str, when: str, person: str, member: str | None = None, match: str = "id") -> dict:
    return dict(
        period=period,
        period_raw=period,
        recorded_at=T(when),
        member_id=member,
        person_key=person,
        match=match if member else ("ambiguous" if match == "ambiguous" else "unmatched"),
    )


# Periods. P1: 4 de-duplicated records 03-01 10:00, 03-02 10:00, 03-03 10:00, 03-04 10:00 → median = midpoint of
# 03-02 10:00 and 03-03 10:00 = 03-02 22:00 → date 2022-03-02. P2: 07-10 12:00 … 07-13 12:00 → median
# 07-12 00:00. P3: A twice (12-30 10:00 kept, 12-31 23:00 is the same person) and X on 2023-01-02 10:00 →
# median 2022-12-31 22:00 (in 2022). P0: all records in 2021 → not a period of 2022.
STUDY = [
    rec("P1", "2022-03-01 10:00", "A", "A"),
    rec("P1", "2022-03-02 10:00", "C", "C"),  # C is not yet a member on 03-02: not in the numerator
    rec("P1", "2022-03-03 10:00", "u:|X"),
    rec("P1", "2022-03-04 10:00", "u:乙|王五", match="ambiguous"),  # ambiguous: a person, never a member
    rec("P2", "2022-07-10 12:00", "A", "A"),
    rec("P2", "2022-07-11 12:00", "E", "E"),
    rec("P2", "2022-07-12 12:00", "C", "C"),
    rec("P2", "2022-07-13 12:00", "B", "B"),
    rec("P3", "2022-12-30 10:00", "A", "A"),
    rec("P3", "2022-12-31 23:00", "A", "A"),
    rec("P3", "2023-01-02 10:00", "u:|X"),
    rec("P0", "2021-12-20 10:00", "A", "A"),
]

ACTIVITIES = [
    dict(
        activity_id="a1",
        date=T("2022-03-05"),
        name="植树造林",
        name_norm="植树造林",
        section="volunteer",
        organiser="甲",
        participants=20,
        volunteers=10,
        hours_per_person=2.0,
        volunteer_hours=20.0,
    ),
    dict(
        activity_id="a2",
        date=T("2022-05-04"),
        name="五四主题团日",
        name_norm="五四主题团日",
        section="ideology",
        organiser="镇团委",
        participants=50,
    ),
    dict(
        activity_id="a3",
        date=T("2022-08-01"),
        name="环境整治",
        name_norm="环境整治",
        section="volunteer",
        organiser="乙",
        volunteers=5,
        hours_per_person=3.0,
        total_hours=12.0,
        volunteer_hours=12.0,
    ),
    dict(
        activity_id="a4",
        date=T("2021-12-20"),
        name="扫雪清障",
        name_norm="扫雪清障",
        section="volunteer",
        organiser="乙",
        participants=8,
        volunteers=8,
        hours_per_person=1.0,
        volunteer_hours=8.0,
    ),
]

RECRUITMENT = [
    dict(
        person_id="R1",
        name="新一",
        name_norm="新一",
        applied_date=T("2021-09-01"),
        activist_date=T("2021-12-01"),
        target_date=T("2022-03-01"),
        joined_date=T("2022-07-01"),
    ),
    dict(
        person_id="R2",
        name="新二",
        name_norm="新二",
        applied_date=T("2022-01-10"),
        joined_date=T("2022-10-10"),
    ),
    dict(
        person_id="R3",
        name="新三",
        name_norm="新三",
        applied_date=T("2022-02-01"),
        activist_date=T("2022-05-01"),
    ),
    dict(person_id="R4", name="新四", name_norm="新四", joined_date=T("2022-04-01")),
]

AID = [
    dict(programme="青檬励学金", recipient_key="k1", name="助一", amount=500.0, date=T("2022-03-01")),
    dict(programme="情暖童心", recipient_key="k1", name="助一", amount=300.0, date=T("2022-09-01")),
    dict(programme="青檬励学金", recipient_key="k2", name="助二", amount=1000.0, date=T("2022-06-01")),
    dict(programme="青檬励学金", recipient_key="k3", name="助三", amount=800.0, date=T("2021-12-01")),
]

# Cadres B (甲) and G (乙). January: B yes, G no → 1/2. February: both → 2/2; Z is not on the roster.
CHECKINS = [
    dict(
        month=T("2022-01-01"),
        branch="甲",
        name="甲二",
        name_norm="甲二",
        member_id="B",
        match="name_branch",
        checked_in=True,
    ),
    dict(
        month=T("2022-01-01"),
        branch="乙",
        name="乙四",
        name_norm="乙四",
        member_id="G",
        match="name_branch",
        checked_in=False,
    ),
    dict(
        month=T("2022-02-01"),
        branch="甲",
        name="甲二",
        name_norm="甲二",
        member_id="B",
        match="name_branch",
        checked_in=True,
    ),
    dict(
        month=T("2022-02-01"),
        branch="乙",
        name="乙四",
        name_norm="乙四",
        member_id="G",
        match="name_branch",
        checked_in=True,
    ),
    dict(month=T("2022-02-01"), branch="乙", name="外人", name_norm="外人", checked_in=True),
]


@pytest.fixture(scope="module")
def town(tmp_path_factory: pytest.TempPathFactory):
    cfg = tmp_path_factory.mktemp("cfg") / "town.yml"
    cfg.write_text(
        "town: 测试镇\nbranches:\n  - {name: 甲, type: 村}\n  - {name: 乙, type: 村}\n  - {name: 丙, type: 村}\n"
        "years:\n  2022: {recruitment_quota: 4, study_rate_target: 0.9}\n",
        encoding="utf-8",
    )
    return load_config(cfg)


@pytest.fixture(scope="module")
def full(town):
    t = tables(
        2022,
        members=table("members", MEMBERS),
        transfers=table("transfers", TRANSFERS),
        study_records=table("study_records", STUDY),
        activities=table("activities", ACTIVITIES),
        recruitment=table("recruitment", RECRUITMENT),
        aid=table("aid", AID),
        cadre_checkins=table("cadre_checkins", CHECKINS),
    )
    return catalogue.headline(t, town, 2022)


def test_org(full):
    # active on 12-31: A, B, C, E, G; branches 甲 (A, B, E) and 乙 (C, G); cadres B, G; over-age: E only
    assert full["org.members"] == 5
    assert full["org.branches"] == 2
    assert full["org.cadres"] == 2
    assert full["org.overage"] == 1


def test_study_periods_and_learner_times(full):
    assert full["study.periods"] == 3  # P1, P2, P3 (P0's median is in 2021)
    # P1: A, C, X, 王五(ambiguous) = 4; P2: A, E, C, B = 4; P3: A (once), X = 2
    assert full["study.learner_times"] == 10


def test_study_member_rates(full):
    # P1 (03-02): 甲 A, B; 乙 D, E (E moves on 06-15), G → 1/5. P2 (07-12): 甲 A, B, E; 乙 C, G → 4/5.
    # P3 (12-31): 甲 A, B, E; 乙 C, G → 1/5. Mean = (0.2 + 0.8 + 0.2) / 3 = 0.4
    assert full["study.member_rate"] == pytest.approx(0.4)
    # 甲: 1/2, 3/3, 1/3 → 0.6111…; 乙: 0/3, 1/2, 0/2 → 1/6
    assert full["study.member_rate.甲"] == pytest.approx((0.5 + 1 + 1 / 3) / 3)
    assert full["study.member_rate.乙"] == pytest.approx(1 / 6)
    assert "study.member_rate.丙" not in full  # no active members on any period date
    # active on 01-01 and 12-31: A, B, E, G; only G has no record
    assert full["study.never"] == 1


def test_activities(full):
    assert full["act.count"] == 3  # a4 is dated 2021
    assert full["act.count.ideology"] == 1
    assert full["act.count.volunteer"] == 2
    assert full["act.count.youth_service"] == 0
    assert full["act.count.self_building"] == 0
    assert full["act.person_times"] == 70  # 20 + 50 + blank
    assert full["act.volunteer_hours"] == pytest.approx(32.0)  # 10 × 2 + total column 12 (wins over 5 × 3)


def test_recruitment(full):
    assert full["rec.new_members"] == 3  # R1, R2, R4
    assert full["rec.quota"] == 4
    assert full["rec.applications"] == 2  # R2, R3
    assert full["rec.activists"] == 1  # R3 (R1's is 2021)
    assert full["rec.targets"] == 1  # R1
    # R1: 2021-09-01 → 2022-07-01 = 303 days; R2: 2022-01-10 → 2022-10-10 = 273 days; median 288
    assert full["rec.median_days"] == pytest.approx(288.0)


def test_aid(full):
    assert full["aid.recipients"] == 2  # k1 (twice), k2; k3 is 2021
    assert full["aid.amount"] == pytest.approx(1800.0)


def test_cadre_checkin_rate(full):
    assert full["cadre.checkin_rate"] == pytest.approx(0.75)  # mean(1/2, 2/2)


def test_absent_inputs_are_omitted(town):
    only_members = tables(2022, members=table("members", MEMBERS))
    head = catalogue.headline(only_members, town, 2022)
    assert not any(k.startswith(("study.", "act.", "aid.", "cadre.")) for k in head)
    assert head["rec.quota"] == 4  # from the configuration alone
    assert "rec.new_members" not in head


def test_transfer_branch_denominators(town):
    """E counts in 乙's denominator before 2022-06-15 and in 甲's after."""
    from analysis.indicators import study

    t = tables(
        2022,
        members=table("members", MEMBERS),
        transfers=table("transfers", TRANSFERS),
        study_records=table("study_records", STUDY),
    )
    periods = study.study_periods(t.study_records, 2022)
    pairs = study.participation_pairs(t.study_records, t.membership, periods)
    e = pairs[pairs["member_id"] == "E"].set_index("period")["branch"]
    assert e.to_dict() == {"P1": "乙", "P2": "甲", "P3": "甲"}
    assert list(periods["date"]) == [T("2022-03-02"), T("2022-07-12"), T("2022-12-31")]


def test_json_shape(town):
    t = tables(2022, members=table("members", MEMBERS), activities=table("activities", ACTIVITIES))
    cat = catalogue.compute(t, town, 2022)
    doc = cat.indicators_json()
    assert doc["year"] == 2022
    # members and activities only: their keys in catalogue order, plus the configured quota; counts are
    # integers, hours a float (20 + 12 from a1 and a3; a4 is dated 2021)
    assert list(doc["indicators"].items()) == [
        ("org.members", 5),
        ("org.branches", 2),
        ("org.cadres", 2),
        ("org.overage", 1),
        ("act.count", 3),
        ("act.count.ideology", 1),
        ("act.count.volunteer", 2),
        ("act.count.youth_service", 0),
        ("act.count.self_building", 0),
        ("act.person_times", 70),
        ("act.volunteer_hours", 32.0),
        ("rec.quota", 4),
    ]
    assert [type(v) for v in doc["indicators"].values()] == [int] * 10 + [float, int]
    assert json.loads(json.dumps(doc)) == doc


def test_leaving_age_moves_over_age_and_bands(town):
    """Ages on 2022-12-31 of the members active that day: A 22, B 28 (cadre), C 17, E 28, G 21 (cadre)."""
    members, membership = (
        table("members", MEMBERS),
        tables(2022, members=table("members", MEMBERS)).membership,
    )
    overage = {age: org.org_headline(members, membership, 2022, age)["org.overage"] for age in (22, 28, 29)}
    assert overage == {22: 2, 28: 1, 29: 0}  # 22: A and E; 28: E; 29: nobody (B is a cadre)
    bands = org.members_by_age(members, membership, 2022, leave_age=29)
    assert bands.to_dict("list") == {
        "age_band": ["14–17 岁", "18–21 岁", "22–25 岁", "26–28 岁", "29 岁及以上"],
        "members": [1, 1, 1, 2, 0],
    }
    default = org.members_by_age(members, membership, 2022)
    assert list(default["age_band"])[-2:] == ["26–27 岁", "28 岁及以上"]
    assert list(default["members"]) == [1, 1, 1, 0, 2]
