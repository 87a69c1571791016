"""The registry of export kinds (resources/kinds.yml): header concepts, canonical columns and the rules
that recognise them by meaning, plus each kind's table, de-duplication keys, matching and free-text columns.

Pure data: this module imports nothing of the ingest, so the configuration can check the analyst's
``columns:`` and ``files:`` entries against it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from analysis.common.paths import RESOURCES_DIR

KINDS_FILE = RESOURCES_DIR / "kinds.yml"
CONTENT_TYPES = (
    "name",
    "identity",
    "id_number",
    "phone",
    "date",
    "month",
    "period",
    "branch",
    "flag",
    "number",
    "money",
    "rating",
    "review",
    "year",
    "text",
)
DISTINCTIVE = 4  # a column of this weight tells its kind apart; elsewhere it counts against a kind

_SPACES = re.compile(r"\s+")


def header_key(text: Any) -> str | None:
    """Header text as compared with rules: NFKC, no spaces, brackets unified to ( ), Latin lower-cased."""
    if text is None or (isinstance(text, float) and text != text):
        return None
    key = _SPACES.sub("", unicodedata.normalize("NFKC", str(text))).replace("\u3000", "")
    key = key.replace("（", "(").replace("）", ")").replace("【", "(").replace("】", ")").lower()
    return key or None


@dataclass(frozen=True)
class Rule:
    """One alternative of a column's ``match``: concepts required in the header, concepts excluded from
    its lower part. Specificity (how many concepts it names) decides between rules claiming one header."""

    required: tuple[str, ...]  # sorted: the configuration's fingerprint is its repr, stable across runs
    excluded: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Rule:
        required, excluded = set(), set()
        for token in re.split(r"[\s&]+", text.strip()):
            if not token:
                continue
            (excluded if token.startswith("!") else required).add(token.lstrip("!"))
        return cls(tuple(sorted(required)), tuple(sorted(excluded)))

    def matches(self, concepts: frozenset[str], lower: frozenset[str]) -> bool:
        return concepts.issuperset(self.required) and lower.isdisjoint(self.excluded)


@dataclass(frozen=True)
class ColumnDef:
    key: str
    label: str
    rules: tuple[Rule, ...]
    content: str
    weight: int = 1
    context: bool = False
    group: bool = False
    spellings: tuple[str, ...] = ()  # exact header texts added by the analyst (header_key form)
    _scores: dict[tuple[frozenset[str], frozenset[str]], float] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def rule_score(self, concepts: frozenset[str], lower: frozenset[str]) -> float:
        """How well a header fits this column by meaning: 0 = not at all; more concepts named = higher;
        the earlier of two equally specific alternatives wins. Remembered per header meaning (every
        candidate header row of every sheet asks again)."""
        key = (concepts, lower)
        if key not in self._scores:
            best = 0.0
            for i, rule in enumerate(self.rules):
                if rule.matches(concepts, lower):
                    best = max(best, 10.0 * len(rule.required) - 0.1 * i)
            self._scores[key] = best
        return self._scores[key]


@dataclass(frozen=True)
class KindDef:
    key: str
    label: str
    names: tuple[str, ...]
    table: str
    requires: tuple[tuple[str, ...], ...]
    columns: dict[str, ColumnDef]
    dedup: tuple[str, ...]
    match: dict[str, Any] | None
    free_text: tuple[str, ...]
    year_of: str | None = None
    dedup_first: str | None = None  # of a kind's duplicates the row earliest by this column is kept

    def label_of(self, column: str) -> str:
        col = self.columns.get(column)
        return col.label if col else column

    def missing(self, present: set[str]) -> list[tuple[str, ...]]:
        """Requirement groups none of whose columns is present."""
        return [group for group in self.requires if not any(c in present for c in group)]


@dataclass(frozen=True)
class Vocabulary:
    concepts: dict[str, tuple[str, ...]]
    kinds: dict[str, KindDef]
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for concept, words in self.concepts.items():
            parts = [w[3:] if w.startswith("re:") else re.escape(header_key(w) or w) for w in words]
            self._patterns[concept] = re.compile("|".join(f"(?:{p})" for p in parts))

    def concepts_of(self, key: str) -> frozenset[str]:
        """The concepts a (normalised) header text carries."""
        return frozenset(c for c, pattern in self._patterns.items() if pattern.search(key))

    def kind_by_name(self, name: str) -> str | None:
        """A kind from its key or one of its Chinese names (for town.yml ``files:``)."""
        text = header_key(name) or ""
        for kind in self.kinds.values():
            if text in {kind.key, header_key(kind.label), *(header_key(n) for n in kind.names)}:
                return kind.key
        return None

    def column_by_name(self, kind: str, name: str) -> str | None:
        """A canonical column from its key or Chinese label (for town.yml ``columns:``)."""
        text = header_key(name) or ""
        for col in self.kinds[kind].columns.values():
            if text in (col.key, header_key(col.label)):
                return col.key
        return None

    def with_spellings(self, extra: dict[str, dict[str, tuple[str, ...]]]) -> Vocabulary:
        """A copy with the analyst's exact spellings added (``{kind: {column: (spelling, …)}}``)."""
        kinds = {}
        for key, kind in self.kinds.items():
            columns = {
                c: ColumnDef(
                    **{
                        **col.__dict__,
                        "spellings": tuple(header_key(s) or s for s in extra.get(key, {}).get(c, ()))
                        + col.spellings,
                    }
                )
                for c, col in kind.columns.items()
            }
            kinds[key] = KindDef(**{**kind.__dict__, "columns": columns})
        return Vocabulary(self.concepts, kinds)


def _column(key: str, raw: dict[str, Any]) -> ColumnDef:
    content = raw.get("content", "text")
    if content not in CONTENT_TYPES:
        raise ValueError(f"kinds.yml: unknown content type {content!r} of column {key}")
    return ColumnDef(
        key=key,
        label=str(raw["label"]),
        rules=tuple(Rule.parse(r) for r in raw.get("match", [])),
        content=content,
        weight=int(raw.get("weight", 1)),
        context=bool(raw.get("context", False)),
        group=bool(raw.get("group", False)),
    )


def parse(data: dict[str, Any]) -> Vocabulary:
    concepts = {str(k): tuple(str(w) for w in v) for k, v in data["concepts"].items()}
    kinds = {}
    for key, raw in data["kinds"].items():
        columns = {c: _column(c, spec) for c, spec in raw["columns"].items()}
        for col in columns.values():
            for rule in col.rules:
                unknown = set(rule.required + rule.excluded) - set(concepts)
                if unknown:
                    raise ValueError(f"kinds.yml: {key}.{col.key} names unknown concepts {sorted(unknown)}")
        requires = tuple(tuple(group) for group in raw["requires"])
        kinds[key] = KindDef(
            key=key,
            label=str(raw["label"]),
            names=tuple(raw.get("names", [])),
            table=str(raw["table"]),
            requires=requires,
            columns=columns,
            dedup=tuple(raw.get("dedup", [])),
            match=raw.get("match"),
            free_text=tuple(raw.get("free_text", [])),
            dedup_first=raw.get("dedup_first"),
            year_of=raw.get("year_of"),
        )
    return Vocabulary(concepts, kinds)


@cache
def builtin() -> Vocabulary:
    with KINDS_FILE.open(encoding="utf-8") as fh:
        return parse(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
