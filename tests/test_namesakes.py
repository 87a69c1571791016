"""Namesakes are two people (issue 20, items 5 and 6): identity fragments a record carries — a masked ID
number, the ID tail used as a 学号 ("102X张伟") — tell same-named members apart; placeholders are empty."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ingest.matching import match_records, person_keys
from analysis.ingest.normalize import split_identity, without_placeholders
from analysis.processed.membership import Membership
from tests.builders import T, table


@pytest.mark.parametrize(
    ("raw", "name", "student", "tail"),
    [
        ("102X张伟", "张伟", "102X", None),
        ("张伟102x", "张伟", "102X", None),
        ("张伟-102X", "张伟", "102X", None),
        ("420503********2068 张伟", "张伟", None, "2068"),
        ("张伟(4205031990****206x)", "张伟", None, "206X"),
        ("420503********2068", None, None, "2068"),
        ("张伟", "张伟", None, None),
    ],
)
def test_identity_fragments(raw, name, student, tail):
    got = split_identity(raw)
    assert (got.name, got.student_no, got.id_tail) == (name, student, tail)


def test_placeholders_are_missing_values():
    column = pd.Series(
        ["无", " 暂无 ", "/", "-", "—", "空", "（空）", "否", "团支部书记", None, "无党派人士"]
    )
    got = without_placeholders(column)
    assert got.isna().tolist() == [True] * 8 + [False, True, False]


def _members():
    # two 张伟 in 塔岗村 (ID tails 2068 and 1234), one 张伟 in 柳河村
    return table(
        "members",
        [
            {"member_id": "m1", "name": "张伟", "name_norm": "张伟", "branch": "塔岗村团支部", "id_masked": "420***********2068"},
            {"member_id": "m2", "name": "张伟", "name_norm": "张伟", "branch": "塔岗村团支部", "id_masked": "420***********1234"},
            {"member_id": "m3", "name": "张伟", "name_norm": "张伟", "branch": "柳河村团支部", "id_masked": "420***********102X"},
        ],
    )  # fmt: skip


def _records(rows):
    return pd.DataFrame(
        [
            {"name_norm": "张伟", "branch_canonical": b, "branch": b, "day": T("2022-03-07"), "student_no": s, "id_tail": t}
            for b, s, t in rows
        ]
    )  # fmt: skip


def test_masked_id_tail_tells_same_branch_namesakes_apart():
    members = _members()
    records = _records(
        [("塔岗村团支部", None, "2068"), ("塔岗村团支部", None, "1234"), ("塔岗村团支部", None, None)]
    )
    got = match_records(records, members, Membership.build(members))
    assert got["member_id"].tolist() == ["m1", "m2", None]
    assert got["match"].tolist() == ["name_branch", "name_branch", "ambiguous"]


def test_id_tail_written_as_student_number_matches():
    members = _members()
    records = _records([(None, "102X", None)]).assign(branch_canonical=None, branch=None)
    got = match_records(records, members, Membership.build(members))
    assert got["member_id"].tolist() == ["m3"]


def test_unmatched_namesakes_with_different_evidence_are_two_learners():
    records = pd.DataFrame(
        {
            "branch": ["高二(6)班", "高二(6)班", "高二(6)班", "高一(3)班"],
            "name_norm": ["张伟", "张伟", "张伟", "张伟"],
            "student_no": ["1001", "1002", None, None],
        }
    )
    keys = person_keys(records, pd.DataFrame({"member_id": [None] * 4}))
    # 1001 and 1002 are two people; the third tells nobody apart (two candidates) → its own key;
    # the other class is another person
    assert keys.nunique() == 4
    alone = pd.DataFrame({"branch": ["高一(3)班"] * 2, "name_norm": ["李四"] * 2, "student_no": ["7", None]})
    assert person_keys(alone, pd.DataFrame({"member_id": [None, None]})).nunique() == 1
