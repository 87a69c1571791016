"""Branch names: aliases, suffix variants and organisation paths → the canonical names of config/town.yml.

Besides branches, a text may name the committee itself (镇团委, 团委, <town>团委 …) or a parent
organisation configured in town.yml (a school's 团委, a 学院): records of those are matched by name across
the parent's branches (the committee's: all branches).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.common.columns import map_unique_str
from analysis.common.config import COMMITTEE, TownConfig
from analysis.ingest.normalize import BRANCH_SUFFIXES, compact, stem

_TYPE_WORDS = ("居民委员会", "村民委员会", "居委会", "村委会", "社区", "村")
_LEVELS = re.compile(r"团工委|团委|委员会|[/\\>＞»→|｜]")
_PATH_SEPARATORS = re.compile(r"[/\\>＞»→|｜\-—_,，、;；]+")


_LEVEL = r"((?:(?!共青团)[^/\\>＞»→|｜、，,])+?)"
_FORMAL = [  # formal organisation names → the short form the configuration uses (most specific first)
    (re.compile(f"共青团{_LEVEL}工作委员会"), r"\1团工委"),
    (re.compile(f"共青团{_LEVEL}总支部委员会"), r"\1团总支"),
    (re.compile(f"共青团{_LEVEL}支部委员会"), r"\1团支部"),
    (re.compile(f"共青团{_LEVEL}委员会"), r"\1团委"),
    (re.compile(f"共青团{_LEVEL}(团?支部|团?总支|团?委)"), r"\1\2"),
    (re.compile(r"^共青团"), ""),
]


def short_form(key: str) -> str:
    """共青团塔岗村支部委员会 → 塔岗村团支部, 共青团示例街道工作委员会 → 示例街道团工委 (each level of a path)."""
    if "共青团" not in key:
        return key
    for pattern, repl in _FORMAL:
        key = pattern.sub(repl, key)
    return key


def core(name: str) -> str:
    """Stem without the place-type word: 塔岗村 → 塔岗, 新华社区 → 新华."""
    text = stem(name)
    for word in _TYPE_WORDS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


def parent_label(name: str) -> str:
    """How a parent organisation is stored as a record's scope: ``上级:<name>``."""
    return f"上级:{name}"


@dataclass
class BranchResolver:
    """Resolves raw branch texts; the committee itself (镇团委, 团委, <town>团委 …) is one organiser."""

    config: TownConfig
    unknown: dict[str, str | None] = field(default_factory=dict)  # raw text → suggestion

    def __post_init__(self) -> None:
        exact: dict[str, str] = {}
        stems: dict[str, set[str]] = {}
        cores: dict[str, set[str]] = {}
        for branch in self.config.branches:
            for text in (branch.name, *branch.aliases):
                key = compact(text)
                if key:
                    exact[key] = branch.name
                    stems.setdefault(stem(key), set()).add(branch.name)
                    cores.setdefault(core(key), set()).add(branch.name)
        self._exact = exact
        self._stems = {k: next(iter(v)) for k, v in stems.items() if len(v) == 1}
        self._cores = {k: next(iter(v)) for k, v in cores.items() if len(v) == 1 and len(k) >= 2}
        # texts searched inside organisation paths: names, aliases and stems (not the short cores)
        inner = {k: v for k, v in exact.items() if len(k) >= 2}
        inner |= {k: v for k, v in self._stems.items() if len(k) >= 2}
        self._inner = sorted(inner.items(), key=lambda kv: -len(kv[0]))
        town = compact(self.config.town) or ""
        town_stem = town[:-1] if town.endswith(("镇", "乡", "街道")) else town
        committee = {"镇团委", "乡团委", "团委", "镇团委会", "本级", "镇级", "团镇委", "街道团工委", "团工委"}
        specific = {
            f"{town}团委",
            f"{town}团工委",
            f"{town_stem}镇团委",
            f"{town_stem}团委",
            f"{town_stem}团工委",
            f"{town_stem}街道团工委",
        }
        specific |= {short_form(compact(a) or a) for a in self.config.committee_aliases}
        self._committee = committee | specific
        self._committee_tails = tuple(sorted({c for c in specific if len(c) >= 4}, key=len, reverse=True))
        parents: dict[str, str] = {}
        for parent in self.config.parents:
            for text in (parent.name, *parent.aliases):
                key = compact(text)
                if key:
                    parents[key] = parent.name
        self._parents = parents
        self._cache: dict[tuple[bool, str], str | None] = {}

    def lookup(self, raw: object, allow_committee: bool = False) -> str | None:
        """Canonical branch name, COMMITTEE (when allowed) or None — without recording unknown texts."""
        key = compact(raw)
        if not key:
            return None
        key = short_form(key)
        cache_key = (allow_committee, key)
        if cache_key not in self._cache:
            result = self._branch(key)
            if result is None and allow_committee and self.is_committee(key):
                result = COMMITTEE
            self._cache[cache_key] = result
        return self._cache[cache_key]

    def _branch(self, key: str) -> str | None:
        found = self._direct(key)
        if found is not None or key in self._committee or key in self._parents:
            return found
        return self._deepest(key)

    def _direct(self, key: str) -> str | None:
        if key in self._exact:
            return self._exact[key]
        if key in self._committee or key in self._parents:
            return None
        if stem(key) in self._stems:
            return self._stems[stem(key)]
        if core(key) in self._cores:
            return self._cores[core(key)]
        return None

    def _deepest(self, key: str) -> str | None:
        """An organisation path (``某省…县示例镇团委塔岗村支部``, ``示例镇团委/塔岗村团支部``): its last level
        (after the last 团委 or separator), else the known branch written last in it, provided nothing but a
        League suffix follows it."""
        levels = [p for part in _LEVELS.split(key) if (p := _PATH_SEPARATORS.sub(" ", part).strip())]
        levels = [level.rsplit(" ", 1)[-1] for level in levels]  # 示例县-示例镇团委-塔岗团支部: the last node
        if len(levels) > 1 and (found := self._direct(levels[-1])) is not None:
            return found
        best: tuple[int, int, str] | None = None
        for text, branch in self._inner:
            start = key.rfind(text)
            if start < 0:
                continue
            end = start + len(text)
            tail = _PATH_SEPARATORS.sub("", key[end:])
            if tail and tail not in BRANCH_SUFFIXES:
                continue
            candidate = (end, len(text), branch)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
        return best[2] if best else None

    def is_committee(self, raw: object) -> bool:
        """The committee itself, also as the last part of an organisation path (…县示例镇团委)."""
        key = short_form(compact(raw) or "")
        if key in self._committee:
            return True
        tail = _PATH_SEPARATORS.sub("", key)
        return any(tail.endswith(c) for c in self._committee_tails)

    def parent(self, raw: object) -> str | None:
        """The scope of a text naming an organisation above the branches: ``上级:<parent>`` for a configured
        parent organisation, ``上级:镇团委`` for the committee, else None."""
        key = compact(raw)
        if not key or self.lookup(key) is not None:
            return None
        key = short_form(key)
        if key in self._parents:
            return parent_label(self._parents[key])
        tail = _PATH_SEPARATORS.sub("", key)
        for text, name in self._parents.items():
            if tail.endswith(text):
                return parent_label(name)
        if self.is_committee(key):
            return parent_label(COMMITTEE)
        return None

    def scopes(self) -> dict[str, frozenset[str]]:
        """Scope label → the canonical branches it covers."""
        out = {parent_label(COMMITTEE): frozenset(self.config.branch_names)}
        for parent in self.config.parents:
            out[parent_label(parent.name)] = frozenset(parent.branches or self.config.branch_names)
        return out

    def resolve_one(self, raw: object, allow_committee: bool = False) -> str | None:
        """Canonical branch name, COMMITTEE (when allowed), or None when unknown (recorded in ``unknown``)."""
        result = self.lookup(raw, allow_committee)
        key = compact(raw)
        if result is None and key and not self.is_committee(key) and self.parent(key) is None:
            self.unknown.setdefault(key, self.suggest(key))
        return result

    def resolve(self, series: pd.Series, allow_committee: bool = False) -> pd.Series:
        """Vectorised resolve_one over a column (each distinct text resolved once)."""
        return map_unique_str(series, lambda v: self.resolve_one(v, allow_committee))

    def find_in(self, text: str) -> str | None:
        """A branch named inside a longer text (a file or sheet name such as ``塔岗村团支部青年大学习``)."""
        key = compact(text) or ""
        for name, branch in self._inner:
            if len(name) >= 3 and name in key:
                return branch
        return None

    def suggest(self, key: str) -> str | None:
        """The closest canonical name, for the 'unknown branch' report."""
        names = {stem(compact(b.name) or b.name): b.name for b in self.config.branches}
        match = difflib.get_close_matches(stem(key), list(names), n=1, cutoff=0.4)
        return names[match[0]] if match else None
