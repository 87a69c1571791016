"""Branch names: aliases and suffix variants → the canonical names of config/town.yml."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.config import COMMITTEE, TownConfig
from analysis.ingest.normalize import compact, map_unique

_SUFFIXES = ("团总支部", "团总支", "团支部", "分团委", "团委", "支部", "团")
_TYPE_WORDS = ("居民委员会", "村民委员会", "居委会", "村委会", "社区", "村")
_BRACKETS = re.compile(r"[()（）\[\]【】]")


def stem(name: str) -> str:
    """Name without the League suffix: 塔岗村团支部 / 塔岗村支部 / 塔岗村团总支 → 塔岗村."""
    text = _BRACKETS.sub("", name)
    for suffix in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def core(name: str) -> str:
    """Stem without the place-type word: 塔岗村 → 塔岗, 新华社区 → 新华."""
    text = stem(name)
    for word in _TYPE_WORDS:
        if text.endswith(word) and len(text) > len(word):
            return text[: -len(word)]
    return text


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
        town = compact(self.config.town) or ""
        town_stem = town[:-1] if town.endswith(("镇", "乡")) else town
        committee = {"镇团委", "乡团委", "团委", "镇团委会", "本级", "镇级", "团镇委"}
        committee |= {
            f"{town}团委",
            f"{town_stem}镇团委",
            f"{town_stem}团委",
            f"共青团{town}委员会",
            f"共青团{town}委",
        }
        committee |= {compact(a) or a for a in self.config.committee_aliases}
        self._committee = committee
        self._cache: dict[str, str | None] = {}

    def resolve_one(self, raw: object, allow_committee: bool = False) -> str | None:
        """Canonical branch name, COMMITTEE (when allowed), or None when unknown (recorded in ``unknown``)."""
        key = compact(raw)
        if not key:
            return None
        cache_key = f"{allow_committee}|{key}"
        if cache_key in self._cache:
            return self._cache[cache_key]
        result: str | None
        if key in self._exact:
            result = self._exact[key]
        elif key in self._committee:
            result = COMMITTEE if allow_committee else None
        elif stem(key) in self._stems:
            result = self._stems[stem(key)]
        elif core(key) in self._cores:
            result = self._cores[core(key)]
        else:
            result = None
        if result is None and not (allow_committee and key in self._committee):
            self.unknown[key] = self.suggest(key)
        self._cache[cache_key] = result
        return result

    def resolve(self, series: pd.Series, allow_committee: bool = False) -> pd.Series:
        """Vectorised resolve_one over a column (each distinct text resolved once)."""
        return map_unique(series, lambda v: self.resolve_one(v, allow_committee)).astype("str")

    def suggest(self, key: str) -> str | None:
        """The closest canonical name, for the 'unknown branch' report."""
        names = {stem(compact(b.name) or b.name): b.name for b in self.config.branches}
        match = difflib.get_close_matches(stem(key), list(names), n=1, cutoff=0.4)
        return names[match[0]] if match else None
