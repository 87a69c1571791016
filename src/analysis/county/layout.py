"""Where the towns' data sits for a roll-up: one hive-partitioned folder per town and year.

    <towns>/town=<镇名>/town.yml                      the town's config/town.yml (quota, targets)
    <towns>/town=<镇名>/year=<Y>/*.parquet            the town's data/processed/<Y>/ as ingest wrote it
    <towns>/town=<镇名>/year=<Y>/ingest_report.json

The folder names are the partition columns the SQL engine reads (``town``, ``year``), so the same
folder works for DuckDB here and for a cluster engine reading the same files. A town is identified
by its folder name; nothing inside a town's files is compared with another town's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analysis.common.config import TownConfig, load_config
from analysis.common.errors import AnalysisError
from analysis.common.paths import INGEST_REPORT, PROCESSED_MANIFEST
from analysis.processed import processed_folder

TOWN_PREFIX = "town="
YEAR_PREFIX = "year="
CONFIG_NAME = "town.yml"
REPORT_NAME = INGEST_REPORT
# Canonical tables the roll-up reads (schemas.TABLES); the others stay with the town.
ROLLUP_TABLES = (
    "members",
    "transfers",
    "study_records",
    "cadre_checkins",
    "activities",
    "recruitment",
    "aid",
)
COUNTY_SCOPE = "*"  # the scope value of county totals in the SQL results (no town may be called this)
# Characters a town folder's name may not hold: they would change how the SQL engine reads the folders
# (= splits a partition, * ? [ ] { } are file patterns, % is decoded, quotes and backslashes end strings).
ODD_NAME_CHARS = set("=\"'*?[]{}%\\")

LAYOUT_HINT = (
    "每个镇一个文件夹，名为“town=镇名”，其中放该镇的 town.yml，以及名为“year=年份”的子文件夹"
    "（内容即该镇 data/processed/<年份>/ 文件夹中的全部文件），例如 towns/town=青禾镇/year=2022/members.parquet"
)


@dataclass(frozen=True)
class Town:
    """One town's processed year: its folder, configuration and which canonical tables it has."""

    name: str
    folder: Path  # <towns>/town=<name>/year=<Y>
    config: TownConfig
    tables: frozenset[str]

    def parquet(self, table: str) -> Path:
        return self.folder / f"{table}.parquet"


@dataclass(frozen=True)
class County:
    """The towns taking part in a roll-up of one year (sorted by name), and those left out."""

    root: Path
    year: int
    towns: tuple[Town, ...]
    without_year: tuple[str, ...] = ()  # town folders with no data for the year
    unverified: tuple[str, ...] = ()  # towns whose folder has no manifest (an older version's ingest)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.towns]

    def having(self, table: str) -> list[Town]:
        """Towns whose processed data holds ``table``."""
        return [t for t in self.towns if table in t.tables]

    def town(self, name: str) -> Town:
        return next(t for t in self.towns if t.name == name)


def discover(root: str | Path, year: int) -> County:
    """Find every ``town=<name>/year=<year>`` folder under ``root`` and check it (Chinese errors, exit 2).

    A town folder without the year is left out and listed; a year folder without ingest_report.json, a
    report of another year, or a town without town.yml stops the roll-up with the folder named.
    """
    root = Path(root)
    if not root.is_dir():
        raise AnalysisError(f"找不到各镇数据文件夹 {root}", hint=LAYOUT_HINT + "。")
    town_dirs = sorted(p for p in root.iterdir() if p.is_dir() and p.name.startswith(TOWN_PREFIX))
    if not town_dirs:
        raise AnalysisError(f"文件夹 {root} 中没有“town=镇名”形式的子文件夹", hint=LAYOUT_HINT + "。")
    towns: list[Town] = []
    without: list[str] = []
    for town_dir in town_dirs:
        name = town_dir.name[len(TOWN_PREFIX) :].strip()
        if not name or name == COUNTY_SCOPE:
            raise AnalysisError(f"文件夹名“{town_dir.name}”中没有有效的镇名", hint=LAYOUT_HINT + "。")
        odd = sorted({c for c in town_dir.name[len(TOWN_PREFIX) :] if c in ODD_NAME_CHARS or ord(c) < 32})
        if odd:
            shown = "".join(c if ord(c) >= 32 else "（控制字符）" for c in odd)
            raise AnalysisError(
                f"文件夹 {town_dir} 的镇名中有不能使用的字符 {shown}",
                hint="请把该文件夹改名为“town=镇名”，镇名中不要有 = \" ' * ? [ ] { } % \\ 等符号。",
            )
        folder = town_dir / f"{YEAR_PREFIX}{year}"
        if not folder.is_dir():
            without.append(name)
            continue
        towns.append(_town(name, town_dir, folder, year))
    if not towns:
        raise AnalysisError(
            f"文件夹 {root} 中没有任何镇的 {year} 年数据（应为 town=镇名/year={year}/）",
            hint="请确认年份，或请各镇把 data/processed/" + str(year) + "/ 的内容放入对应文件夹。",
        )
    unverified = tuple(t.name for t in towns if not (t.folder / PROCESSED_MANIFEST).is_file())
    return County(
        root=root, year=year, towns=tuple(towns), without_year=tuple(without), unverified=unverified
    )


def _town(name: str, town_dir: Path, folder: Path, year: int) -> Town:
    report_file = folder / REPORT_NAME
    if not report_file.is_file():
        raise AnalysisError(
            f"{folder} 中没有 {REPORT_NAME}：这不是导入后的数据文件夹",
            hint=f"请该镇运行 python -m analysis ingest --year {year}，把 data/processed/{year}/ 中的全部文件放到这里。",
        )
    try:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AnalysisError(
            f"{report_file} 无法读取或不是有效的 JSON", hint="请重新复制该镇的导入结果。"
        ) from None
    if (folder / PROCESSED_MANIFEST).is_file():  # checked like a town's own reader checks it
        processed_folder.verify(
            folder,
            year,
            f"请该镇重新运行 python -m analysis ingest --year {year}，再把 data/processed/{year}/ 中的全部文件"
            f"（含 {PROCESSED_MANIFEST}）复制到 {folder}。",
            check_schema=False,
            keep=False,
        )
    if int(report.get("year", year)) != year:
        raise AnalysisError(
            f"{report_file} 是 {report.get('year')} 年的导入结果，却放在了 year={year} 文件夹中",
            hint="请把各年的数据放入对应年份的文件夹。",
        )
    config_file = town_dir / CONFIG_NAME
    if not config_file.is_file():
        raise AnalysisError(
            f"{town_dir} 中没有 {CONFIG_NAME}",
            hint="请把该镇的 config/town.yml 复制到这里（发展团员指标、参学率目标从中读取）。",
        )
    tables = frozenset(t for t in ROLLUP_TABLES if (folder / f"{t}.parquet").is_file())
    return Town(name=name, folder=folder, config=load_config(config_file), tables=tables)
