"""config/town.yml: town name, branches and aliases, category rules, column aliases, yearly targets."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import ConfigError, Location
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
class KindSpec:
    """One export kind of resources/columns.yml (plus the analyst's additions)."""

    kind: str
    label: str
    required: tuple[str, ...]
    signature: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class TownConfig:
    town: str
    branches: tuple[Branch, ...]
    years: dict[int, YearTargets]
    sections: tuple[Section, ...]
    default_section: str
    kinds: dict[str, KindSpec]
    committee_aliases: tuple[str, ...] = ()
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
def default_kinds() -> dict[str, dict[str, Any]]:
    return _read_yaml(RESOURCES_DIR / "columns.yml")


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


def _kinds(extra: dict[str, Any] | None, path: Path) -> dict[str, KindSpec]:
    raw = copy.deepcopy(default_kinds())
    for kind, cols in (extra or {}).items():
        if kind not in raw:
            raise ConfigError(
                f"columns 下的“{kind}”不是已知的导出类型（可选：{'、'.join(raw)}）", Location(file=str(path))
            )
        for col, aliases in (cols or {}).items():
            if col not in raw[kind]["columns"]:
                known = "、".join(raw[kind]["columns"])
                raise ConfigError(
                    f"columns.{kind} 下的“{col}”不是已知列（可选：{known}）", Location(file=str(path))
                )
            # the analyst's aliases come first: they win over built-in ones
            raw[kind]["columns"][col] = (
                _as_list(aliases, f"columns.{kind}.{col}", path) + raw[kind]["columns"][col]
            )
    return {
        kind: KindSpec(
            kind=kind,
            label=spec["label"],
            required=tuple(spec["required"]),
            signature=tuple(spec.get("signature", [])),
            columns={c: tuple(str(a) for a in al) for c, al in spec["columns"].items()},
        )
        for kind, spec in raw.items()
    }


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
    kinds = _kinds(data.get("columns"), path)
    file_kinds = {str(k): str(v) for k, v in (data.get("files") or {}).items()}
    for pattern, kind in file_kinds.items():
        if kind not in kinds:
            raise ConfigError(
                f"files 中“{pattern}”指定的类型“{kind}”未知（可选：{'、'.join(kinds)}）",
                Location(file=str(path)),
            )
    membership = data.get("membership") or {}
    return TownConfig(
        town=town,
        branches=tuple(branches),
        years=_years(data.get("years"), path),
        sections=_sections(data.get("categories"), path),
        default_section=default_section,
        kinds=kinds,
        committee_aliases=tuple(_as_list(data.get("committee_aliases"), "committee_aliases", path)),
        file_kinds=file_kinds,
        leave_age=int(membership.get("leave_age", 28)),
        limits=dict(data.get("limits") or {}),
        source=path,
    )
