"""config/town.yml: town name, branches and aliases, category rules, column aliases, yearly targets."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ConfigError, Location
from analysis.ingest.vocabulary import Vocabulary, builtin
from analysis.paths import RESOURCES_DIR

BRANCH_TYPES = ("村", "社区", "学校", "企业", "机关", "其他")
SECTIONS = ("ideology", "volunteer", "youth_service", "self_building")
COMMITTEE = "镇团委"


@dataclass(frozen=True)
class Branch:
    name: str
    type: str = "其他"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class YearTargets:
    recruitment_quota: int | None = None
    study_rate_target: float | None = None
    checkin_rate_target: float | None = None


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class ParentOrg:
    """An organisation above some branches (a school's 团委, a 学院) that exports may name instead of the
    branch: its records are matched by name across ``branches`` (empty: all branches)."""

    name: str
    aliases: tuple[str, ...] = ()
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class TownConfig:
    town: str
    branches: tuple[Branch, ...]
    years: dict[int, YearTargets]
    sections: tuple[Section, ...]
    default_section: str
    vocabulary: Vocabulary
    committee_aliases: tuple[str, ...] = ()
    parents: tuple[ParentOrg, ...] = ()
    aid_programmes: tuple[str, ...] = ()
    file_kinds: dict[str, str] = field(default_factory=dict)
    leave_age: int = 28
    limits: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None

    def targets(self, year: int) -> YearTargets:
        return self.years.get(year, YearTargets())

    @property
    def branch_names(self) -> list[str]:
        return [b.name for b in self.branches]


def _read_yaml(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError:
        raise ConfigError(
            "找不到配置文件",
            Location(file=str(path)),
            "请复制 config/town.yml 的示例并填写本镇的团支部名称。",
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file=str(path), row=(mark.line + 1) if mark else None)
        raise ConfigError(
            f"YAML 格式错误（{getattr(exc, 'problem', exc)}）", loc, "请检查缩进和冒号。"
        ) from None


@cache
def default_sections() -> dict[str, dict[str, Any]]:
    return _read_yaml(RESOURCES_DIR / "categories.yml")


def _as_list(value: Any, where: str, path: Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return [str(v) for v in value]
    raise ConfigError(f"“{where}”应为文字列表", Location(file=str(path)))


def _vocabulary(extra: dict[str, Any] | None, path: Path) -> Vocabulary:
    """The built-in kinds plus the analyst's exact column spellings (``columns: {kind: {column: [...]}}``);
    kinds and columns may be named in Chinese (``青年大学习`` / ``期次``)."""
    vocab = builtin()
    spellings: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind_name, cols in (extra or {}).items():
        kind = vocab.kind_by_name(str(kind_name))
        if kind is None:
            known = "、".join(k.label for k in vocab.kinds.values())
            raise ConfigError(
                f"columns 下的“{kind_name}”不是已知的导出类型（可选：{known}）", Location(file=str(path))
            )
        for col_name, aliases in (cols or {}).items():
            col = vocab.column_by_name(kind, str(col_name))
            if col is None:
                known = "、".join(c.label for c in vocab.kinds[kind].columns.values())
                raise ConfigError(
                    f"columns.{kind_name} 下的“{col_name}”不是{vocab.kinds[kind].label}的列（可选：{known}）",
                    Location(file=str(path)),
                )
            spellings.setdefault(kind, {})[col] = tuple(
                _as_list(aliases, f"columns.{kind_name}.{col_name}", path)
            )
    return vocab.with_spellings(spellings)


def _sections(extra: dict[str, Any] | None, path: Path) -> tuple[Section, ...]:
    raw = copy.deepcopy(default_sections())
    for key, value in (extra or {}).items():
        if key not in raw:
            raise ConfigError(
                f"categories 下的“{key}”不是报告板块（可选：{'、'.join(SECTIONS)}）", Location(file=str(path))
            )
        if isinstance(value, dict):
            raw[key]["keywords"] = _as_list(value.get("keywords"), f"categories.{key}.keywords", path)
            raw[key]["label"] = str(value.get("label", raw[key]["label"]))
        else:
            raw[key]["keywords"] = _as_list(value, f"categories.{key}", path)
    return tuple(Section(key=k, label=raw[k]["label"], keywords=tuple(raw[k]["keywords"])) for k in SECTIONS)


def _years(raw: Any, path: Path) -> dict[int, YearTargets]:
    years: dict[int, YearTargets] = {}
    for key, value in (raw or {}).items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ConfigError(f"years 下的“{key}”不是年份", Location(file=str(path))) from None
        value = value or {}
        try:
            quota = value.get("recruitment_quota")
            rate = value.get("study_rate_target")
            checkin = value.get("checkin_rate_target")
            years[year] = YearTargets(
                recruitment_quota=int(quota) if quota is not None else None,
                study_rate_target=_fraction(rate) if rate is not None else None,
                checkin_rate_target=_fraction(checkin) if checkin is not None else None,
            )
        except (TypeError, ValueError):
            raise ConfigError(f"years.{year} 的指标值应为数字", Location(file=str(path))) from None
    return years


def _fraction(value: Any) -> float:
    """A rate target written as 0.9, 90 or "90%" → 0.9."""
    if isinstance(value, str):
        value = value.strip().rstrip("%")
        number = float(value) / 100
    else:
        number = float(value)
        if number > 1:
            number /= 100
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


def _parents(raw: Any, branch_names: list[str], path: Path) -> tuple[ParentOrg, ...]:
    out = []
    for i, item in enumerate(raw or [], start=1):
        if not isinstance(item, dict) or not item.get("name"):
            raise ConfigError(f"parents 第 {i} 项缺少 name（上级组织名称）", Location(file=str(path)))
        name = str(item["name"]).strip()
        branches = tuple(_as_list(item.get("branches"), f"parents.{name}.branches", path))
        unknown = [b for b in branches if b not in branch_names]
        if unknown:
            raise ConfigError(
                f"上级组织“{name}”的 branches 中“{'、'.join(unknown)}”不是 branches 中列出的团支部",
                Location(file=str(path)),
            )
        out.append(
            ParentOrg(name, tuple(_as_list(item.get("aliases"), f"parents.{name}.aliases", path)), branches)
        )
    return tuple(out)


def load_config(path: str | Path) -> TownConfig:
    """Read and check a town.yml; errors are ConfigError with a Chinese message."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError("配置文件内容为空或不是键值结构", Location(file=str(path)))
    town = str(data.get("town") or "").strip()
    if not town:
        raise ConfigError("缺少 town（镇名）", Location(file=str(path)))
    branches: list[Branch] = []
    seen: set[str] = set()
    for i, item in enumerate(data.get("branches") or [], start=1):
        if not isinstance(item, dict) or not item.get("name"):
            raise ConfigError(f"branches 第 {i} 项缺少 name（团支部名称）", Location(file=str(path)))
        name = str(item["name"]).strip()
        if name in seen:
            raise ConfigError(f"团支部“{name}”重复出现", Location(file=str(path)))
        seen.add(name)
        btype = str(item.get("type") or "其他")
        if btype not in BRANCH_TYPES:
            raise ConfigError(
                f"团支部“{name}”的类型“{btype}”无效（可选：{'、'.join(BRANCH_TYPES)}）",
                Location(file=str(path)),
            )
        aliases = tuple(_as_list(item.get("aliases"), f"{name}.aliases", path))
        branches.append(Branch(name=name, type=btype, aliases=aliases))
    if not branches:
        raise ConfigError("branches 为空：至少需要列出一个团支部", Location(file=str(path)))
    default_section = str(data.get("default_category") or "ideology")
    if default_section not in SECTIONS:
        raise ConfigError(
            f"default_category “{default_section}”无效（可选：{'、'.join(SECTIONS)}）",
            Location(file=str(path)),
        )
    vocabulary = _vocabulary(data.get("columns"), path)
    file_kinds: dict[str, str] = {}
    for pattern, kind_name in (data.get("files") or {}).items():
        kind = vocabulary.kind_by_name(str(kind_name))
        if kind is None:
            known = "、".join(k.label for k in vocabulary.kinds.values())
            raise ConfigError(
                f"files 中“{pattern}”指定的类型“{kind_name}”未知（可选：{known}）", Location(file=str(path))
            )
        file_kinds[str(pattern)] = kind
    parents = _parents(data.get("parents"), [b.name for b in branches], path)
    membership = data.get("membership") or {}
    return TownConfig(
        town=town,
        branches=tuple(branches),
        years=_years(data.get("years"), path),
        sections=_sections(data.get("categories"), path),
        default_section=default_section,
        vocabulary=vocabulary,
        committee_aliases=tuple(_as_list(data.get("committee_aliases"), "committee_aliases", path)),
        parents=parents,
        aid_programmes=tuple(_as_list(data.get("aid_programmes"), "aid_programmes", path)),
        file_kinds=file_kinds,
        leave_age=int(membership.get("leave_age", 28)),
        limits=dict(data.get("limits") or {}),
        source=path,
    )
