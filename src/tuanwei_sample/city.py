"""A city of synthetic towns written directly as the roll-up's partitioned parquet (no xlsx, no ingest).

``write_city(out, towns=200, study_rows=100_000_000, year=2022)`` writes, for each town,
``out/town=<name>/year=<Y>/<table>.parquet`` with the canonical tables the roll-up reads (members,
transfers, study_records, cadre_checkins, activities, recruitment, aid: every column of
``analysis.common.schemas``), ``ingest_report.json`` and ``out/town=<name>/town.yml``. Each town has exactly
``study_rows // towns`` study records (the first towns one more when it does not divide). Records are
drawn with numpy per town and written with pyarrow (strings as dictionary-friendly repeated values), so
a town of 500,000 records takes well under a second and memory stays at one town's worth.

The data exercise what the roll-up must get right: weekly periods with record times spread over the
week (and some without a time), members joining and leaving during the year, 自行脱团 without a date,
transfers between branches, cadres with monthly check-ins, non-member and ambiguous learners,
activities, recruitment and aid. Deterministic: same arguments, same files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from tuanwei_sample.towns import town_names

PERIODS = 52
RECORDS_PER_MEMBER = 0.9 * PERIODS * 0.82  # members' share of the rows × periods × participation
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽"
SECTIONS = ("ideology", "volunteer", "youth_service", "self_building")


@dataclass(frozen=True)
class CityTown:
    """What was written for one town."""

    name: str
    members: int
    study_rows: int
    folder: Path


def _names(rng: np.random.Generator, n: int) -> np.ndarray:
    pool = np.array(
        [a + b + c for a in SURNAMES[:20] for b in GIVEN[:40] for c in GIVEN[40:80]], dtype=object
    )
    return pool[rng.integers(0, len(pool), n)]


def _keys(rng: np.random.Generator, n: int, prefix: str) -> np.ndarray:
    """``n`` distinct pseudonymous keys like the ingest's (``p_`` + 16 hex digits)."""
    values = np.unique(rng.integers(0, 2**63 - 1, size=int(n * 1.01) + 8, dtype=np.int64))[:n]
    rng.shuffle(values)
    return np.array([f"{prefix}{v:016x}" for v in values], dtype=object)


def _ts(days: np.ndarray, seconds: np.ndarray | None = None) -> pa.Array:
    """Timestamps (µs) from days since 1970 (and seconds into the day); NaN days → null."""
    days = np.asarray(days, dtype="float64")
    micros = days * 86_400_000_000
    if seconds is not None:
        micros = micros + np.asarray(seconds, dtype="float64") * 1_000_000
    mask = np.isnan(micros)
    values = np.where(mask, 0, micros).astype("int64")
    return pa.array(values, type=pa.timestamp("us"), mask=mask)


def _day(value: date) -> int:
    return (value - date(1970, 1, 1)).days


def _strings(values: np.ndarray | list, mask: np.ndarray | None = None) -> pa.Array:
    return pa.array(values, type=pa.string(), mask=mask, from_pandas=True)


def _provenance(n: int, file: str, sheet: str = "Sheet1") -> dict[str, pa.Array]:
    return {
        "source_file": pa.array(np.full(n, file, dtype=object), type=pa.string()),
        "source_sheet": pa.array(np.full(n, sheet, dtype=object), type=pa.string()),
        "source_row": pa.array(np.arange(2, n + 2, dtype="int64")),
    }


def _write(folder: Path, name: str, columns: dict[str, pa.Array]) -> int:
    table = pa.table(columns)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")
    return table.num_rows


def write_town(out: Path, index: int, name: str, study_rows: int, year: int, seed: int) -> CityTown:
    """One town's tables (see the module docstring)."""
    rng = np.random.default_rng([seed, index])
    folder = out / f"town={name}" / f"year={year}"
    folder.mkdir(parents=True, exist_ok=True)
    y0, y1 = _day(date(year, 1, 1)), _day(date(year, 12, 31))

    # -- members and branches
    n_members = max(20, round(study_rows / RECORDS_PER_MEMBER))
    n_branches = max(3, n_members // 60)
    branch_names = np.array([f"{name[:2]}{k + 1:03d}村团支部" for k in range(n_branches)], dtype=object)
    branch_rate = rng.uniform(0.6, 0.98, n_branches)
    weights = rng.uniform(0.5, 1.5, n_branches)
    branch = rng.choice(n_branches, n_members, p=weights / weights.sum())
    member_id = _keys(rng, n_members, "p_")
    person_name = _names(rng, n_members)
    joined = rng.uniform(_day(date(2012, 1, 1)), y1, n_members).round()
    joined[rng.random(n_members) < 0.02] = np.nan  # unknown join date: counts as joined
    birth = joined - rng.uniform(14, 17, n_members) * 365.25
    birth = np.where(np.isnan(birth), y1 - rng.uniform(15, 30, n_members) * 365.25, birth).round()
    leaving = rng.random(n_members)
    leave = np.where(leaving < 0.05, rng.uniform(y0, y1, n_members).round(), np.nan)
    status = np.where(leaving < 0.05, "满28周岁离团", np.where(leaving < 0.06, "自行脱团", "正常")).astype(
        object
    )
    cadre = rng.random(n_members) < 0.08
    moved = (rng.random(n_members) < 0.01) & (status == "正常")
    moved_on = rng.uniform(y0 + 30, y1 - 30, n_members).round()
    from_branch = (branch + rng.integers(1, n_branches, n_members)) % n_branches  # another branch

    def present(share: float) -> np.ndarray:
        return rng.random(n_members) < share

    _write(
        folder,
        "members",
        {
            "member_id": _strings(member_id),
            "name": _strings(person_name),
            "name_norm": _strings(person_name),
            "gender": _strings(np.where(rng.random(n_members) < 0.5, "男", "女").astype(object)),
            "birth_date": _ts(birth),
            "id_masked": _strings(np.full(n_members, "110***********123X", dtype=object), ~present(0.97)),
            "phone_masked": _strings(np.full(n_members, "138****5678", dtype=object), ~present(0.9)),
            "branch": _strings(branch_names[branch]),
            "join_date": _ts(joined),
            "join_precision": _strings(np.where(np.isnan(joined), None, "month").astype(object)),
            "status": _strings(status),
            "status_pending": pa.array(rng.random(n_members) < 0.002),
            "leave_date": _ts(leave),
            "is_cadre": pa.array(cadre),
            "position": _strings(np.where(cadre, "团支部书记", None).astype(object)),
            "political_status": _strings(np.full(n_members, "共青团员", dtype=object)),
            "education": _strings(np.full(n_members, None, dtype=object)),
            "occupation": _strings(np.full(n_members, None, dtype=object)),
            "ethnicity": _strings(np.full(n_members, "汉族", dtype=object)),
            "member_no": _strings(np.full(n_members, None, dtype=object)),
            "student_no": _strings(np.full(n_members, None, dtype=object)),
            **_provenance(n_members, "团员名册（智慧团建导出）.xlsx", "团员信息"),
        },
    )
    t_idx = np.flatnonzero(moved)
    _write(
        folder,
        "transfers",
        {
            "member_id": _strings(member_id[t_idx]),
            "name": _strings(person_name[t_idx]),
            "from_branch": _strings(branch_names[from_branch[t_idx]]),
            "to_branch": _strings(branch_names[branch[t_idx]]),  # the roster shows the branch after the move
            "date": _ts(moved_on[t_idx]),
            "match": _strings(np.full(len(t_idx), "id", dtype=object)),
            **_provenance(len(t_idx), f"组织关系转接_{year}.xlsx", "转接记录"),
        },
    )

    # -- 青年大学习: members' records, then non-member and ambiguous learners up to study_rows
    starts = y0 + 2 + 7 * np.arange(PERIODS)  # a period opens on its day and its records spread over a week
    labels = np.array([f"{year}年第{k + 1}期" for k in range(PERIODS)], dtype=object)
    active_from = np.where(np.isnan(joined), -1e9, joined)
    active_until = np.where(status == "自行脱团", -1e9, np.where(np.isnan(leave), 1e9, leave))
    active = (active_from[:, None] <= starts[None, :]) & (starts[None, :] < active_until[:, None])
    member_branch = np.where(
        moved[:, None] & (starts[None, :] < moved_on[:, None]), from_branch[:, None], branch[:, None]
    )
    studied = active & (rng.random(active.shape) < branch_rate[member_branch])
    who, period = np.nonzero(studied)
    budget = study_rows
    if len(who) > budget * 0.95:  # keep room for non-members
        keep = np.sort(rng.choice(len(who), int(budget * 0.95), replace=False))
        who, period = who[keep], period[keep]
    n_member_rows = len(who)
    n_other = budget - n_member_rows
    learners = max(1, n_other // 20)
    other_branch = rng.integers(0, n_branches, learners)
    other_name = _names(rng, learners)
    other_key = np.array(
        [f"u:{b}|{n}" for b, n in zip(branch_names[other_branch], other_name, strict=True)], dtype=object
    )
    o_who = rng.integers(0, learners, n_other)
    o_period = rng.integers(0, PERIODS, n_other)
    ambiguous = rng.random(n_other) < 0.05
    rows_period = np.concatenate([period, o_period])
    seconds = rng.uniform(8 * 3600, 6 * 86400 + 20 * 3600, budget).round()
    untimed = rng.random(budget) < 0.005
    days = np.where(untimed, np.nan, starts[rows_period].astype("float64"))
    month = (rows_period * 12 // PERIODS) + 1
    record_branch = np.concatenate([member_branch[who, period], other_branch[o_who]])
    names = np.concatenate([person_name[who], other_name[o_who]])
    match = np.concatenate(
        [
            np.full(n_member_rows, "id", dtype=object),
            np.where(ambiguous, "ambiguous", "unmatched").astype(object),
        ]
    )
    order = np.argsort(rows_period, kind="stable")  # rows in period order, as the monthly exports are
    _write(
        folder,
        "study_records",
        {
            "period": _strings(labels[rows_period][order]),
            "period_raw": _strings(labels[rows_period][order]),
            "is_special": pa.array(np.zeros(budget, dtype=bool)),
            "recorded_at": _ts(days[order], seconds[order]),
            "name": _strings(names[order]),
            "name_norm": _strings(names[order]),
            "student_no": _strings(np.full(budget, None, dtype=object)),
            "branch": _strings(branch_names[record_branch][order]),
            "branch_resolved": pa.array(np.ones(budget, dtype=bool)),
            "member_id": _strings(
                np.concatenate([member_id[who], np.full(n_other, None, dtype=object)])[order]
            ),
            "match": _strings(match[order]),
            "person_key": _strings(np.concatenate([member_id[who], other_key[o_who]])[order]),
            "source_file": _strings(
                np.array([f"青年大学习_{year}年{m:02d}月.xlsx" for m in range(1, 13)], dtype=object)[
                    month[order] - 1
                ]
            ),
            "source_sheet": _strings(np.full(budget, "Sheet1", dtype=object)),
            "source_row": pa.array(np.arange(2, budget + 2, dtype="int64")),
        },
    )

    # -- cadre check-ins: every cadre, every month (a month's row when checked in or not)
    c_idx = np.flatnonzero(cadre)
    months = np.array([_day(date(year, m, 1)) for m in range(1, 13)], dtype="float64")
    c_who = np.repeat(c_idx, 12)
    c_month = np.tile(months, len(c_idx))
    done = rng.random(len(c_who)) < 0.85
    _write(
        folder,
        "cadre_checkins",
        {
            "month": _ts(c_month),
            "branch": _strings(branch_names[branch[c_who]]),
            "name": _strings(person_name[c_who]),
            "name_norm": _strings(person_name[c_who]),
            "member_id": _strings(member_id[c_who]),
            "match": _strings(np.full(len(c_who), "id", dtype=object)),
            "checked_in": pa.array(done),
            "checkin_date": _ts(np.where(done, c_month + 5, np.nan)),
            **_provenance(len(c_who), f"团干部学习打卡_{year}.xlsx", "打卡统计"),
        },
    )

    # -- ledgers: activities, recruitment, aid
    n_act = 3 * n_branches
    act_day = rng.uniform(y0 - 30, y1, n_act).round()
    section = np.array(SECTIONS, dtype=object)[rng.integers(0, 4, n_act)]
    volunteers = np.where(section == "volunteer", rng.integers(3, 30, n_act), 0)
    per_person = rng.integers(1, 8, n_act) / 2
    act_name = np.array([f"活动{k + 1}" for k in range(n_act)], dtype=object)
    _write(
        folder,
        "activities",
        {
            "activity_id": _strings(np.array([f"a_{index}_{k}" for k in range(n_act)], dtype=object)),
            "date": _ts(act_day),
            "name": _strings(act_name),
            "name_norm": _strings(act_name),
            "section": _strings(section),
            "section_source": _strings(np.full(n_act, "keyword", dtype=object)),
            "activity_type": _strings(np.full(n_act, None, dtype=object)),
            "organiser": _strings(branch_names[rng.integers(0, n_branches, n_act)]),
            "participants": pa.array(rng.integers(5, 120, n_act), mask=rng.random(n_act) < 0.05),
            "volunteers": pa.array(volunteers),
            "hours_per_person": pa.array(per_person),
            "total_hours": pa.array(np.zeros(n_act), mask=np.ones(n_act, dtype=bool)),
            "volunteer_hours": pa.array(volunteers * per_person),
            "beneficiaries": pa.array(np.zeros(n_act, dtype="int64"), mask=np.ones(n_act, dtype=bool)),
            "location": _strings(np.full(n_act, None, dtype=object)),
            "note": _strings(np.full(n_act, None, dtype=object)),
            **_provenance(n_act, f"活动台账_{year}.xlsx", "活动台账"),
        },
    )
    n_rec = max(4, n_branches // 6)
    applied = rng.uniform(y0 - 300, y1, n_rec).round()
    activist = applied + rng.uniform(30, 90, n_rec).round()
    target = activist + rng.uniform(90, 150, n_rec).round()
    joined_rec = target + rng.uniform(20, 60, n_rec).round()
    rec_name = _names(rng, n_rec)
    _write(
        folder,
        "recruitment",
        {
            "person_id": _strings(_keys(rng, n_rec, "p_")),
            "name": _strings(rec_name),
            "name_norm": _strings(rec_name),
            "gender": _strings(np.full(n_rec, "女", dtype=object)),
            "birth_date": _ts(applied - 16 * 365),
            "id_masked": _strings(np.full(n_rec, None, dtype=object)),
            "branch": _strings(branch_names[rng.integers(0, n_branches, n_rec)]),
            "applied_date": _ts(applied),
            "activist_date": _ts(np.where(activist <= y1, activist, np.nan)),
            "target_date": _ts(np.where(target <= y1, target, np.nan)),
            "joined_date": _ts(np.where(joined_rec <= y1, joined_rec, np.nan)),
            "league_no": _strings(np.full(n_rec, None, dtype=object)),
            "stage": _strings(np.full(n_rec, None, dtype=object)),
            **_provenance(n_rec, f"发展团员台账_{year}.xlsx", "发展团员"),
        },
    )
    n_aid = max(3, n_branches // 10)
    aid_key = _keys(rng, n_aid, "r_")[rng.integers(0, max(1, n_aid - 1), n_aid)]  # some receive twice
    aid_name = _names(rng, n_aid)
    _write(
        folder,
        "aid",
        {
            "programme": _strings(np.full(n_aid, "青檬励学金", dtype=object)),
            "recipient_key": _strings(aid_key),
            "name": _strings(aid_name),
            "id_masked": _strings(np.full(n_aid, None, dtype=object)),
            "branch": _strings(branch_names[rng.integers(0, n_branches, n_aid)]),
            "school": _strings(np.full(n_aid, None, dtype=object)),
            "amount": pa.array(rng.integers(5, 20, n_aid) * 100.0),
            "date": _ts(rng.uniform(y0, y1, n_aid).round()),
            **_provenance(n_aid, f"爱心助学_{year}.csv", ""),
        },
    )

    (folder / "ingest_report.json").write_text(
        json.dumps({"year": year, "generated_by": "tuanwei_sample.city"}, ensure_ascii=False),
        encoding="utf-8",
    )
    config = {
        "town": name,
        "branches": [{"name": b, "type": "村"} for b in branch_names],
        "years": {year: {"recruitment_quota": int(n_rec // 2), "study_rate_target": 0.9}},
    }
    (out / f"town={name}" / "town.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return CityTown(name, n_members, budget, folder)


def write_city(
    out: Path, towns: int = 200, study_rows: int = 100_000_000, year: int = 2022, seed: int = 2022
) -> list[CityTown]:
    """Write the city (see the module docstring); returns what was written for each town."""
    out = Path(out)
    base, extra = divmod(study_rows, towns)
    return [
        write_town(out, i, name, base + (1 if i < extra else 0), year, seed)
        for i, name in enumerate(town_names(towns))
    ]
