"""Split one town's processed year into several towns, for testing and benchmarking the county roll-up.

``split_processed`` takes a processed folder (``data/processed/<Y>/``) and its town.yml and writes the
roll-up layout ``<out>/town=<name>/year=<Y>/`` + ``<out>/town=<name>/town.yml``: branches are dealt to
towns (branches linked by a transfer stay in one town), and every record goes to exactly one town — a
member's records to the member's town, an unmatched learner's records all to one town — so the towns
together hold exactly the records of the original, and the original's indicators are the county totals.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pandas as pd
import yaml

TABLE_NAMES = (
    "members",
    "transfers",
    "study_records",
    "cadre_checkins",
    "activities",
    "activity_participants",
    "recruitment",
    "aid",
    "branch_ratings",
    "member_reviews",
)
# For each table, the column whose value decides the town when no member key does, and the key whose
# rows must stay together (one person or recipient in one town).
_BRANCH_COLUMN = {"activities": "organiser"}
_KEEP_TOGETHER = {"study_records": "person_key", "aid": "recipient_key", "recruitment": "person_id"}


def town_names(n: int) -> list[str]:
    """``n`` distinct, deterministic Chinese town names (镇 names are only labels here)."""
    first = "青禾柳石东南北西新朝安永兴和金银红白黄长平太"
    second = "山河湾岭桥塘溪坡田园港林泉峰庄营集寨"
    names = [f"{a}{b}镇" for a in first for b in second if a != b]
    if n > len(names):
        raise ValueError(f"at most {len(names)} towns")
    return names[:n]


def _components(
    branches: list[str], transfers: pd.DataFrame | None, members: pd.DataFrame
) -> list[list[str]]:
    """Branches grouped so that every transfer's branches (and the mover's roster branch) share a group."""
    parent = {b: b for b in branches}

    def find(b: str) -> str:
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    def union(a: object, b: object) -> None:
        if isinstance(a, str) and isinstance(b, str) and a in parent and b in parent:
            parent[find(a)] = find(b)

    if transfers is not None and len(transfers):
        roster = members.set_index("member_id")["branch"]
        for t in transfers.itertuples(index=False):
            union(t.from_branch, t.to_branch)
            if isinstance(t.member_id, str) and t.member_id in roster.index:
                union(roster[t.member_id], t.to_branch)
    groups: dict[str, list[str]] = {}
    for b in branches:
        groups.setdefault(find(b), []).append(b)
    return list(groups.values())


def _stable_index(text: object, n: int) -> int:
    return zlib.crc32(str(text).encode("utf-8")) % n


def _assign(
    frame: pd.DataFrame, table: str, member_town: dict[str, int], branch_town: dict[str, int], n: int
) -> pd.Series:
    """The town (0…n−1) of each row: the member's town, else its branch's (or organiser's), else a
    stable hash of the row's key; rows sharing a learner / recipient / recruit key share a town."""
    town = pd.Series(-1, index=frame.index, dtype="int64")
    if "member_id" in frame.columns:
        town = frame["member_id"].map(member_town).fillna(-1).astype("int64")
    column = next((c for c in (_BRANCH_COLUMN.get(table), "branch", "to_branch") if c in frame.columns), None)
    if column is not None:
        town = town.where(town >= 0, frame[column].map(branch_town).fillna(-1).astype("int64"))
    key = _KEEP_TOGETHER.get(table) or ("activity_id" if table == "activities" else None)
    values = frame[key] if key else pd.Series(frame.index, index=frame.index)
    town = town.where(town >= 0, values.map(lambda v: _stable_index(v, n)).astype("int64"))
    if table in _KEEP_TOGETHER:  # one person's rows in one town: the town of their first row
        town = town.groupby(frame[key].to_numpy(), sort=False, dropna=False).transform("first")
    return town.astype("int64")


def split_processed(processed: Path, config: Path, year: int, n_towns: int, out: Path) -> list[str]:
    """Write ``n_towns`` towns made of ``processed``'s branches into ``out``; returns the town names.

    Branch groups (see ``_components``) are dealt round-robin in the configuration's order. A member's
    rows go to the town of their roster branch; other rows by their branch (or organiser) when it is a
    known branch, else by a stable hash; rows of one learner / recipient / recruit stay together.
    Every table of the original is written for every town (possibly with no rows); the configured
    quota of the year is shared out so that the towns' quotas add up to it.
    """
    processed, out = Path(processed), Path(out)
    settings = yaml.safe_load(Path(config).read_text(encoding="utf-8"))
    branches = [str(b["name"]) for b in settings["branches"]]
    frames = {
        t: pd.read_parquet(processed / f"{t}.parquet")
        for t in TABLE_NAMES
        if (processed / f"{t}.parquet").is_file()
    }
    members = frames["members"]
    groups = _components(branches, frames.get("transfers"), members)
    if len(groups) < n_towns:
        raise ValueError(f"only {len(groups)} groups of branches for {n_towns} towns")
    names = town_names(n_towns)
    branch_town = {b: k % n_towns for k, group in enumerate(groups) for b in group}
    member_town = dict(zip(members["member_id"], members["branch"].map(branch_town).fillna(0), strict=True))
    quota = (settings.get("years") or {}).get(year, {}).get("recruitment_quota")
    out.mkdir(parents=True, exist_ok=True)
    report = json.loads((processed / "ingest_report.json").read_text(encoding="utf-8"))
    towns = {t: _assign(f, t, member_town, branch_town, n_towns) for t, f in frames.items()}
    for i, name in enumerate(names):
        folder = out / f"town={name}" / f"year={year}"
        folder.mkdir(parents=True, exist_ok=True)
        counts = {}
        for table, frame in frames.items():
            part = frame[towns[table] == i].reset_index(drop=True)
            part.to_parquet(folder / f"{table}.parquet", index=False)
            counts[table] = len(part)
        (folder / "ingest_report.json").write_text(
            json.dumps(report | {"tables": counts}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        mine = dict(settings)
        mine["town"] = name
        mine["branches"] = [b for b in settings["branches"] if branch_town.get(str(b["name"])) == i]
        if quota is not None:
            years = {y: dict(v or {}) for y, v in (settings.get("years") or {}).items()}
            years[year]["recruitment_quota"] = quota // n_towns + (1 if i < quota % n_towns else 0)
            mine["years"] = years
        (out / f"town={name}" / "town.yml").write_text(
            yaml.safe_dump(mine, allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    return names
