"""Text normalisation of single values, without pandas: spaces of every kind, full-width characters,
League suffixes of branch names. The configuration uses it (it must load fast, before the ingest's heavy
imports); ingest/normalize.py builds the column-wise functions on it."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

SPACES = re.compile(r"[\s\u00a0\u1680\u2000-\u200b\u2028\u2029\u202f\u205f\u3000\ufeff\u200c\u200d\u2060]+")
# Branch names: the League suffixes a spelling may add or drop (longest first).
BRANCH_SUFFIXES = ("团总支部", "团总支", "团支部", "分团委", "团委", "支部", "团")
_BRACKETS = re.compile(r"[()（）\[\]【】]")


def is_blank(value: Any) -> bool:
    """True for None, NaN, NA / NaT (pandas' missing values) and strings of only spaces."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, str) and not SPACES.sub("", value)


def clean_text(value: Any) -> str | None:
    """Full-width → half-width (NFKC), every kind of space collapsed to one, trimmed; blank → None."""
    if is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    text = SPACES.sub(" ", text).strip()
    return text or None


# "No value" written as a value in an optional cell (posts, dates, notes): 团内职务 = 无 is no post.
PLACEHOLDERS = frozenset(
    {
        "无",
        "暂无",
        "没有",
        "无职务",
        "否",
        "空",
        "(空)",
        "(跳过)",
        "[空]",
        "/",
        "\\",
        "-",
        "--",
        "—",
        "——",
        "_",
        "N/A",
        "NA",
        "n/a",
        "null",
        "NULL",
        "None",
        "#N/A",
    }
)


def is_placeholder(value: Any) -> bool:
    """True for a blank cell or a placeholder such as 无, 暂无, /, -, —, 空, (空), 否 (after NFKC and trimming)."""
    text = compact(value)
    return text is None or text in PLACEHOLDERS


def compact(value: Any) -> str | None:
    """clean_text with all spaces removed (header names, labels, branch names)."""
    text = clean_text(value)
    return SPACES.sub("", text) if text else None


def stem(name: str) -> str:
    """Name without the League suffix: 塔岗村团支部 / 塔岗村支部 / 塔岗村团总支 → 塔岗村."""
    text = _BRACKETS.sub("", name)
    for suffix in BRANCH_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text
