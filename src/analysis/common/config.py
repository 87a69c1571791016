"""config/town.yml: town name, branches and aliases, category rules, column aliases, yearly targets."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from analysis.common.errors import ConfigError, Location
from analysis.common.paths import RESOURCES_DIR
from analysis.common.text import compact, stem
from analysis.common.vocabulary import Vocabulary, builtin

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10× faster
BRANCH_TYPES = ("村", "社区", "学校", "企业", "机关", "其他")
SECTIONS = ("ideology", "volunteer", "youth_service", "self_building")
COMMITTEE = "镇团委"
LEAVE_AGE = 28  # 满28周岁离团 (团章); town.yml `membership: {leave_age: …}` may change it


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
    leave_age: int = LEAVE_AGE
    limits: dict[str, Any] = field(default_factory=dict)
    completeness: dict[str, Any] = field(default_factory=dict)
    accepted_gaps: tuple[dict[str, str], ...] = ()
    source: Path | None = None

    def targets(self, year: int) -> YearTargets:
        return self.years.get(year, YearTargets())

    @property
    def branch_names(self) -> list[str]:
        return [b.name for b in self.branches]

    @property
    def section_labels(self) -> dict[str, str]:
        """Report section key → its label (town.yml ``categories: {key: {label: …}}``, else the default)."""
        return {s.key: s.label for s in self.sections}


MAX_CONFIG_BYTES = 1024 * 1024  # a town.yml is a few kilobytes: a larger file is not read
MAX_ALIASES = 200  # YAML aliases (*name) in one file
MAX_NODES = 200_000  # values the file would hold once every alias is expanded ("billion laughs")


def _read_yaml(path: Path) -> Any:
    """A YAML file, checked before it is built: a file (not a folder), at most 1 MB, UTF-8, and with
    aliases that expand to a bounded number of values; every problem a ConfigError naming the file."""
    where = Location(file=str(path))
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ConfigError(
                "配置文件的位置是一个文件夹，而不是文件", where, "请用 --config 指定 town.yml 文件本身。"
            )
        if size > MAX_CONFIG_BYTES:
            raise ConfigError(
                f"配置文件过大（{size // 1024} KB，上限 {MAX_CONFIG_BYTES // 1024} KB），未读取",
                where,
                "town.yml 通常只有几 KB：请确认 --config 指定的是本镇的配置文件。",
            )
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(
            "找不到配置文件",
            where,
            "请复制 config/town.yml 的示例并填写本镇的团支部名称。",
        ) from None
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "配置文件不是 UTF-8 编码，无法读取",
            Location(file=str(path), row=line),
            "请在记事本或 WPS 中打开它，另存为时把编码选为“UTF-8”。",
        ) from None
    except OSError as exc:
        from analysis.common.faults import fault_error

        fault = fault_error(exc, path)
        raise (fault or ConfigError("配置文件无法读取", where, "请确认该文件存在且有读取权限。")) from None
    try:
        _check_yaml_aliases(text, path)
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = Location(file=str(path), row=(mark.line + 1) if mark else None)
        where_text = f"（第 {mark.column + 1} 个字符附近）" if mark else ""
        raise ConfigError(
            f"YAML 格式错误{where_text}：{_yaml_problem(exc)}", loc, "请对照示例检查这一行和上一行。"
        ) from None
    except RecursionError:
        raise ConfigError("配置文件嵌套过深，无法读取", where, "请对照示例检查该文件。") from None


def _check_yaml_aliases(text: str, path: Path) -> None:
    """Refuse, before anything is built, a file whose aliases (``*name``) are too many or would expand
    to too many values: the parser's events are counted, each alias weighing what its anchor holds."""
    if "*" not in text:
        return
    weight: dict[str, int] = {}  # anchor → values it holds, aliases expanded
    stack: list[list] = []  # open collections: [anchor, values so far]
    aliases = total = 0
    loader = SAFE_LOADER(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            size = 0
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append([event.anchor, 1])
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size = stack.pop()
                if anchor:
                    weight[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                size = 1
                if event.anchor:
                    weight[event.anchor] = 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                size = weight.get(event.anchor, 1)
            else:
                continue
            if stack:
                stack[-1][1] += size
                total = max(total, stack[-1][1])
            else:
                total += size
            if aliases > MAX_ALIASES or size > MAX_NODES or total > MAX_NODES:
                raise ConfigError(
                    "配置文件中的锚点和别名（& 与 *）过多或层层引用，展开后过大，未读取",
                    Location(file=str(path), row=event.start_mark.line + 1),
                    "town.yml 不需要使用锚点和别名：请把相应内容直接写出来。",
                )
    finally:
        loader.dispose()


_YAML_PROBLEMS = (
    ("mapping values are not allowed", "这里不能出现冒号（缩进不对，或文字中有冒号却没有加引号）"),
    ("could not find expected ':'", "缺少冒号“:”（每个设置写成“名称: 值”）"),
    ("cannot start any token", "不能用 Tab 键缩进，请改用空格"),
    ("did not find expected key", "缩进不一致（同一层的设置要对齐）"),
    ("expected <block end>", "缩进不一致（同一层的设置或列表项要对齐）"),
    ("did not find expected ',' or ']'", "方括号 [ ] 没有配对，或列表项之间缺少逗号"),
    ("did not find expected ',' or '}'", "花括号 { } 没有配对，或项之间缺少逗号"),
    ("found unexpected end of stream", "引号没有配对"),
    ("expected the node content", "方括号、花括号或引号没有配对"),
    ("did not find expected node content", "方括号、花括号或引号没有配对"),
    ("found duplicate anchor", "重复的锚点"),
)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    problem = str(getattr(exc, "problem", "") or exc)
    return next((cn for en, cn in _YAML_PROBLEMS if en in problem), "YAML 格式不正确")


@cache
def default_sections() -> dict[str, dict[str, Any]]:
    return _read_yaml(RESOURCES_DIR / "categories.yml")


def default_section_labels() -> dict[str, str]:
    """The built-in section labels (resources/categories.yml), for when no town.yml is at hand."""
    return {key: str(spec["label"]) for key, spec in default_sections().items()}


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


def _accepted_gaps(raw: Any, path: Path) -> tuple[dict[str, str], ...]:
    out = []
    for i, item in enumerate(raw or [], start=1):
        if not isinstance(item, dict) or not item.get("rule"):
            raise ConfigError(
                f"accepted_gaps 第 {i} 项缺少 rule（缺口的类型，如“团支部全年无学习记录”）",
                Location(file=str(path)),
            )
        out.append({k: str(v) for k, v in item.items() if k in ("rule", "subject", "reason")})
    return tuple(out)


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


TOP_KEYS = {
    "town": "镇名",
    "committee_aliases": "镇团委的其他写法",
    "membership": "团籍规则（离团年龄）",
    "branches": "团支部",
    "parents": "上级组织（学校团委、学院等）",
    "years": "各年度指标",
    "default_category": "默认活动板块",
    "categories": "活动归类关键词",
    "files": "指定文件类型",
    "columns": "列名写法",
    "aid_programmes": "爱心助学项目名称",
    "completeness": "数据完整性检查的阈值",
    "accepted_gaps": "已确认的数据缺口",
    "limits": "文件大小上限",
}
COMPLETENESS_KEYS = {
    "min_branch_members": "团员少于该人数的团支部某期无人学习不算缺口",
    "town_rate_for_gap": "全镇参学率达到该比例时，某团支部某期几乎无人学习视为缺口",
    "branch_share_of_town": "团支部某期参学率低于全镇的该比例时视为几乎无人学习",
    "unknown_sheet_rows": "未识别的工作表超过该行数视为缺口",
    "member_change": "团员人数与上年相比变化超过该比例视为异常",
    "unmatched_share": "未匹配到团员的学习记录超过该比例视为异常",
    "cadre_share": "团干部占团员的比例超过该值视为异常",
    "activity_change": "活动数超过上年的该倍数（或不到上年的该分之一）视为异常",
    "aid_per_recipient": "每名受助者全年资助金额（元）的合理范围",
    "hours_per_volunteer": "一名志愿者一次活动的服务时长（小时）上限",
    "unread_sheet_share": "工作表中该比例的行缺少关键列即视为该列没有读到",
    "unread_table_share": "这样的工作表占该类数据的比例达到该值时视为缺口",
    "never_share": "学习记录人数不少却有该比例的团员从未学习，视为记录没有计入团员",
}  # the fields of processed.completeness.Thresholds (a test keeps the two equal)


def _unknown_key(key: str, known: dict[str, str], where: str, path: Path) -> ConfigError:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.5)
    hint = f"，是不是“{close[0]}”（{known[close[0]]}）？" if close else "。"
    listed = "、".join(f"{k}（{v}）" for k, v in known.items())
    return ConfigError(f"{where}“{key}”不是可用的设置{hint}可用的设置：{listed}", Location(file=str(path)))


def _check_aliases(branches: list[Branch], path: Path) -> None:
    """Every spelling names one branch: an alias shared by two branches, or equal to another branch's
    name, would silently move records between them."""
    owner: dict[str, str] = {}
    names: dict[str, str] = {}  # a name and its suffix variants (塔岗村团支部 → 塔岗村)
    for branch in branches:
        key = compact(branch.name) or branch.name
        owner[key] = branch.name
        names[key] = names[stem(key)] = branch.name
    for branch in branches:
        for alias in branch.aliases:
            key = compact(alias) or alias
            other = owner.get(key)
            if names.get(key, branch.name) != branch.name or names.get(stem(key), branch.name) != branch.name:
                other = names.get(key) or names[stem(key)]
            if other is not None and other != branch.name:
                what = (
                    "另一个团支部的名称"
                    if other in (names.get(key), names.get(stem(key)))
                    else "另一个团支部的别名"
                )
                raise ConfigError(
                    f"团支部“{branch.name}”的别名“{alias}”同时是{what}（“{other}”）：同一写法只能对应一个团支部",
                    Location(file=str(path)),
                    "请删除其中一个，或改成能区分两者的写法。",
                )
            owner[key] = branch.name


def load_config(path: str | Path) -> TownConfig:
    """Read and check a town.yml; errors are ConfigError with a Chinese message."""
    path = Path(path)
    data = _read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError("配置文件内容为空或不是键值结构", Location(file=str(path)))
    for key in data:
        if str(key) not in TOP_KEYS:
            raise _unknown_key(str(key), TOP_KEYS, "", path)
    for key in data.get("completeness") or {}:
        if str(key) not in COMPLETENESS_KEYS:
            raise _unknown_key(str(key), COMPLETENESS_KEYS, "completeness 下的", path)
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
    _check_aliases(branches, path)
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
        leave_age=int(membership.get("leave_age", LEAVE_AGE)),
        limits=dict(data.get("limits") or {}),
        completeness=dict(data.get("completeness") or {}),
        accepted_gaps=_accepted_gaps(data.get("accepted_gaps"), path),
        source=path,
    )
