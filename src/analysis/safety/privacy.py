"""Personal identifiers: 身份证号 and 手机号码 → normalised form, pseudonymous keys, masked forms.

Full numbers never leave the ingest step: canonical tables keep ``pseudonym(...)`` keys (keyed HMAC, so
the small ID space cannot be brute-forced without the per-install secret) and ``mask_id`` /
``mask_phone`` forms such as ``110***********123X`` and ``138****5678``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import numbers
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.common.columns import map_unique_str
from analysis.common.errors import AnalysisError, Location
from analysis.safety.personal_numbers import ID15, ID18, LONG_DIGITS, MOBILE

__all__ = [
    "SECRET_ENV",
    "birth_date_from_id",
    "gender_from_id",
    "id15_to_18",
    "id_checksum_ok",
    "id_is_lossy_number",
    "mask_id",
    "mask_ids",
    "mask_phone",
    "mask_phones",
    "normalize_id",
    "normalize_ids",
    "normalize_phone",
    "normalize_phones",
    "pseudonym",
    "pseudonyms",
    "secret",
    "secret_path",
]

SECRET_ENV = "TUANWEI_SECRET_FILE"
_APP_NAME = "tuanwei-analysis"
_SECRET_BYTES = 32
_SECRET_MIN_BYTES = 16
_SECRET_WAIT_SECONDS = 1.0  # how long a too-short secret file may be "being written" by another process

# --------------------------------------------------------------------------------------------------
# Text clean-up shared by IDs and phones
# --------------------------------------------------------------------------------------------------

# Full-width digits/letters/punctuation → ASCII (length-preserving); ideographic space → space.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
# Characters that are invisible in Excel but break matching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_TRANSLATE = {**_FULLWIDTH, **_INVISIBLE}
_WHITESPACE_RE = re.compile(r"\s+")  # Unicode-aware: NBSP, U+3000 and friends included


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, np.floating) and bool(np.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))


def _compact(text: str) -> str:
    """Full-width → ASCII, invisible characters and all whitespace removed."""
    return _WHITESPACE_RE.sub("", text.translate(_TRANSLATE))


# --------------------------------------------------------------------------------------------------
# 身份证号
# --------------------------------------------------------------------------------------------------

_ID18_RE = re.compile(ID18.replace("Xx", "X"))  # normalised: upper-case X
_ID15_RE = re.compile(ID15)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SCI_TEXT_RE = re.compile(r"[+-]?\d(?:\.\d+)?[eE]\+?(1[4-9]|[2-9]\d)")
_MIN_BIRTH = dt.date(1900, 1, 1)


def normalize_id(value: Any, *, upgrade_15: bool = False) -> str | None:
    """A 身份证号 from any cell, or None.

    Whitespace (incl. full-width and NBSP), invisible characters and a leading Excel quote are removed,
    full-width digits become ASCII and ``x`` becomes ``X``. Returns the 18-character string for the
    18-digit shape (17 digits + digit/X) and the 15-digit string for an old-style ID (converted to 18
    digits when ``upgrade_15``). Shape only: check with ``id_checksum_ok``. Numbers are never accepted
    (a float has lost digits): see ``id_is_lossy_number``.
    """
    if _is_missing(value) or not isinstance(value, str):
        return None
    text = _compact(value).lstrip("'").upper()
    if _ID18_RE.fullmatch(text):
        return text
    if _ID15_RE.fullmatch(text):
        return id15_to_18(text) if upgrade_15 else text
    return None


def id_is_lossy_number(value: Any) -> bool:
    """True for an ID that was read as a number (float/int ≥ 1e14, or text like "1.10105E+17")."""
    if _is_missing(value):
        return False
    if _is_number(value):
        try:
            return math.isfinite(float(value)) and abs(float(value)) >= 1e14
        except (TypeError, ValueError, OverflowError):
            return False
    if isinstance(value, str):
        return _SCI_TEXT_RE.fullmatch(_compact(value)) is not None
    return False


def _check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def id_checksum_ok(id18: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an 18-character ID (False for any other shape)."""
    if not isinstance(id18, str) or not _ID18_RE.fullmatch(id18):
        return False
    return _check_char(id18[:17]) == id18[17]


def id15_to_18(id15: str) -> str:
    """The 18-digit form of an old 15-digit ID: century 19 inserted, check digit appended."""
    if not isinstance(id15, str) or not _ID15_RE.fullmatch(id15):
        raise ValueError("not a 15-digit ID")
    first17 = id15[:6] + "19" + id15[6:]
    return first17 + _check_char(first17)


def birth_date_from_id(id18: str) -> dt.date | None:
    """Birth date embedded in an 18- or 15-digit ID; None if it is not a real date in 1900..today."""
    if not isinstance(id18, str):
        return None
    if _ID18_RE.fullmatch(id18):
        digits = id18[6:14]
    elif _ID15_RE.fullmatch(id18):
        digits = "19" + id18[6:12]
    else:
        return None
    try:
        date = dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    if not _MIN_BIRTH <= date <= dt.date.today():
        return None
    return date


def gender_from_id(id18: str) -> Literal["男", "女"]:
    """男 when the sequence digit (17th of 18, 15th of 15) is odd, else 女."""
    if isinstance(id18, str) and _ID18_RE.fullmatch(id18):
        digit = id18[16]
    elif isinstance(id18, str) and _ID15_RE.fullmatch(id18):
        digit = id18[14]
    else:
        raise ValueError("not an 18- or 15-digit ID")
    return "男" if int(digit) % 2 else "女"


# --------------------------------------------------------------------------------------------------
# 手机号码
# --------------------------------------------------------------------------------------------------

_MOBILE_RE = re.compile(MOBILE)
_TRAILING_ZERO_RE = re.compile(r"\.0+$")


def normalize_phone(value: Any) -> str | None:
    """Digits of a phone number, or None.

    Accepts text with separators (spaces, ``-``, brackets, dots), a ``+86`` / ``86`` / ``0086`` prefix
    before an 11-digit mobile, a trailing ``.0`` (a number saved as text) and integral numbers
    (13812345678.0 holds all its digits).
    """
    if _is_missing(value) or isinstance(value, (bool, np.bool_)):
        return None
    if _is_number(value):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(number) or number != int(number) or number < 0:
            return None
        text = str(int(value)) if isinstance(value, (int, np.integer)) else str(int(number))
    elif isinstance(value, str):
        text = _TRAILING_ZERO_RE.sub("", _compact(value).lstrip("'"))
    else:
        return None
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    for prefix in ("0086", "86"):
        rest = digits[len(prefix) :]
        if digits.startswith(prefix) and _MOBILE_RE.fullmatch(rest):
            return rest
    return digits


# --------------------------------------------------------------------------------------------------
# Masks
# --------------------------------------------------------------------------------------------------


def _mask_generic(text: str) -> str:
    """Never shows more than half: first/last quarter (at most 3 / 4 characters) kept."""
    n = len(text)
    front, back = min(3, n // 4), min(4, n // 4)
    return text[:front] + "*" * (n - front - back) + text[n - back :] if back else "*" * n


def mask_id(value: Any) -> str | None:
    """``110***********123X`` (18 chars); 15-digit: first 3 + 9 asterisks + last 3; None for blanks.

    Anything else that is not blank (passport numbers, lossy numbers) is masked generically.
    """
    if _is_missing(value):
        return None
    norm = normalize_id(value)
    if norm is not None:
        tail = 4 if len(norm) == 18 else 3
        return norm[:3] + "*" * (len(norm) - 3 - tail) + norm[-tail:]
    if _is_number(value):
        try:
            text = str(int(value))
        except (TypeError, ValueError, OverflowError):
            return None
    else:
        text = _compact(str(value)).lstrip("'")
    return _mask_generic(text) if text else None


def mask_phone(value: Any) -> str | None:
    """``138****5678`` for mainland mobiles; other numbers: first 3 and last 2 kept; None for blanks."""
    digits = normalize_phone(value)
    if digits is None:
        return None
    if _MOBILE_RE.fullmatch(digits):
        return digits[:3] + "****" + digits[7:]
    n = len(digits)
    if n >= 7:
        return digits[:3] + "*" * (n - 5) + digits[-2:]
    return "*" * (n - 2) + digits[-2:] if n > 2 else "*" * n


# --------------------------------------------------------------------------------------------------
# Vectorised helpers (work per distinct value, so repeated values cost nothing)
# --------------------------------------------------------------------------------------------------


def _map_unique(values: pd.Series | Any, func: Callable[[Any], str | None]) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return map_unique_str(series, func).rename(series.name)


def normalize_ids(values: pd.Series) -> pd.Series:
    """``normalize_id`` over a Series (str dtype, missing where not an ID)."""
    return _map_unique(values, normalize_id)


def normalize_phones(values: pd.Series) -> pd.Series:
    """``normalize_phone`` over a Series (str dtype)."""
    return _map_unique(values, normalize_phone)


def mask_ids(values: pd.Series) -> pd.Series:
    """``mask_id`` over a Series (str dtype, missing stays missing)."""
    return _map_unique(values, mask_id)


def mask_phones(values: pd.Series) -> pd.Series:
    """``mask_phone`` over a Series (str dtype, missing stays missing)."""
    return _map_unique(values, mask_phone)


# --------------------------------------------------------------------------------------------------
# Per-install secret and keyed pseudonyms
# --------------------------------------------------------------------------------------------------

_secret_lock = threading.Lock()
_secret_cache: dict[str, bytes] = {}


def secret_path() -> Path:
    """``$TUANWEI_SECRET_FILE`` if set, else ``<user config dir>/tuanwei-analysis/secret.key``."""
    env = os.environ.get(SECRET_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir(_APP_NAME, appauthor=False)) / "secret.key"


def secret() -> bytes:
    """The per-install secret (created on first use: 32 random bytes, mode 0600, outside the repo).

    Creation is atomic and race-safe: the bytes are written to a private temporary file which is then
    hard-linked into place (fails if another process won the race; its secret is then read).
    """
    path = secret_path()
    key = str(path.absolute())
    with _secret_lock:
        cached = _secret_cache.get(key)
        if cached is None:
            cached = _load_or_create_secret(path)
            _secret_cache[key] = cached
        return cached


def _load_or_create_secret(path: Path) -> bytes:
    deadline = time.monotonic() + _SECRET_WAIT_SECONDS
    while True:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            data = None
        except OSError as exc:
            raise _secret_error(path, f"无法读取密钥文件（{exc.strerror or exc}）") from None
        if data is not None and len(data) >= _SECRET_MIN_BYTES:
            return data
        if data is not None and time.monotonic() > deadline:  # not a writer mid-way: really broken
            raise _secret_error(path, f"密钥文件内容无效（只有 {len(data)} 字节）")
        if data is None:
            _create_secret(path)
        else:
            time.sleep(0.02)


def _create_secret(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise _secret_error(path, f"无法创建密钥文件所在文件夹（{exc.strerror or exc}）") from None
    binary = getattr(os, "O_BINARY", 0)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | binary, 0o600)
    except OSError as exc:
        raise _secret_error(path, f"无法创建密钥文件（{exc.strerror or exc}）") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_SECRET_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # atomic, fails if the file exists: the first writer wins
        except FileExistsError:
            pass
        except OSError:  # no hard links here (some network/FAT drives): exclusive create instead
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | binary, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd2, "wb") as fh:
                fh.write(tmp.read_bytes())
                fh.flush()
                os.fsync(fh.fileno())
    finally:
        tmp.unlink(missing_ok=True)


def _secret_error(path: Path, message: str) -> AnalysisError:
    return AnalysisError(
        message,
        Location(file=str(path)),
        "化名键依赖此文件，请勿删除或改动。如已生成过数据，请从备份恢复原文件；"
        f"如确为首次使用，可删除该文件后重试，或用环境变量 {SECRET_ENV} 指定其他位置",
    )


_KIND_RE = re.compile(r"[A-Za-z0-9]+")
_SEP = "\x1f"


def _check_kind(kind: str) -> None:
    if not isinstance(kind, str) or not _KIND_RE.fullmatch(kind):
        raise ValueError(f"pseudonym kind must be ASCII letters/digits, got {kind!r}")


def pseudonym(*parts: str, kind: str = "p") -> str:
    """``kind_`` + first 16 hex of HMAC-SHA256(secret, kind ␟ part1 ␟ part2 …).

    Stable across runs and years on one install; normalise the parts first (e.g. ``normalize_id``).
    """
    _check_kind(kind)
    for part in parts:
        if not isinstance(part, str):
            raise TypeError(f"pseudonym parts must be str, got {type(part).__name__}")
    message = (kind + _SEP + _SEP.join(parts)).encode("utf-8")
    return f"{kind}_{hmac.digest(secret(), message, 'sha256').hex()[:16]}"


def pseudonyms(parts: pd.Series | pd.DataFrame, kind: str = "p") -> pd.Series:
    """Vectorised ``pseudonym``: a Series is one part per row; a DataFrame's columns are the parts in order.

    A row with any missing part gives a missing key (fill with "" first if an empty part is meaningful).
    Non-string values are converted with ``str``. Each distinct row is hashed once (~0.7 s per million
    distinct values).
    """
    _check_kind(kind)
    if isinstance(parts, pd.DataFrame):
        if parts.shape[1] == 0:
            raise ValueError("pseudonyms needs at least one column")
        missing = parts.isna().any(axis=1).to_numpy()
        columns = [_as_text_list(parts.iloc[:, i]) for i in range(parts.shape[1])]
        joined = [_SEP.join(row) for row in zip(*columns, strict=True)] if len(columns) > 1 else columns[0]
        codes, uniques = pd.factorize(pd.Series(joined, dtype=object))
        texts = uniques.tolist()
        index, name = parts.index, None
    else:
        series = parts if isinstance(parts, pd.Series) else pd.Series(parts)
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        missing = codes < 0
        texts = _as_text_list(pd.Series(uniques, dtype=object))
        index, name = series.index, series.name
    hashed = _hmac_hex16_many(secret(), kind, texts)
    out = np.array([*hashed, None], dtype=object)[codes]  # code -1 (missing) picks None
    if missing.any():
        out[missing] = None
    return pd.Series(out, index=index, name=name, dtype="str")


def _hmac_hex16_many(key: bytes, kind: str, texts: list[str]) -> list[str]:
    """HMAC-SHA256 (RFC 2104, as ``hmac.digest``) of ``kind ␟ text`` for many texts, from precomputed pads."""
    block = 64  # SHA-256 block size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner0 = hashlib.sha256(bytes(b ^ 0x36 for b in key) + (kind + _SEP).encode("utf-8"))
    outer0 = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    new_inner, new_outer, prefix = inner0.copy, outer0.copy, kind + "_"
    out: list[str] = []
    append = out.append
    for text in texts:
        inner = new_inner()
        inner.update(text.encode("utf-8"))
        outer = new_outer()
        outer.update(inner.digest())
        append(prefix + outer.hexdigest()[:16])
    return out


def _as_text_list(series: pd.Series) -> list[str]:
    values = series.tolist()
    return [v if isinstance(v, str) else ("" if _is_missing(v) else str(v)) for v in values]


# --------------------------------------------------------------------------------------------------
# Free text (remarks, activity names, locations …): identifiers typed into any cell are masked
# --------------------------------------------------------------------------------------------------

_IDENTIFIER_RUN = re.compile(rf"(?<![0-9])({ID18}|{ID15}|{MOBILE})(?![0-9])")


def _mask_match(m: re.Match[str]) -> str:
    digits = m.group(1)
    return (mask_phone(digits) if len(digits) == 11 else mask_id(digits.upper())) or "***"


def scrub_text(text: str) -> str:
    """Mask every ID-like (15/18 digits) or mobile-like (1[3-9] + 9 digits) run inside free text."""
    return _IDENTIFIER_RUN.sub(_mask_match, text)


def scrub_series(values: pd.Series) -> pd.Series:
    """``scrub_text`` over a text column; only cells holding a long digit run are rewritten."""
    text = values.astype("str")
    suspect = text.str.contains(r"[0-9]{11}", regex=True, na=False)
    if not suspect.any():
        return values
    out = values.copy()
    out[suspect] = text[suspect].map(scrub_text)
    return out


# --------------------------------------------------------------------------------------------------
# What is stored (processed tables, ingest_report.json, rejected_rows.xlsx): every text value scrubbed
# --------------------------------------------------------------------------------------------------

# A pseudonymous key (``pseudonym``: kind + "_" + 16 hex) inside a text: kept as is when scrubbing, so
# that keys still join (its hex digits are no one's number; the audit does not match them either).
_KEY_TOKEN = re.compile(r"((?<![0-9A-Za-z])[a-z][a-z0-9]{0,7}_[0-9a-f]{16}(?![0-9a-f]))")
_LONG_DIGITS = re.compile(LONG_DIGITS)


def _scrub_around_keys(text: str) -> str:
    pieces = _KEY_TOKEN.split(text)  # keys at the odd positions
    return "".join(p if i % 2 else scrub_text(p) for i, p in enumerate(pieces))


def scrub_stored_text(text: str) -> str:
    """Identifiers masked (full-width digits too: the audit reads them as digits), pseudonymous keys kept;
    the text unchanged when there is nothing to mask. For names of files and sheets."""
    plain = text.translate(_FULLWIDTH_DIGITS)
    out = _scrub_around_keys(plain)
    return text if out == plain else out


def scrub_shown(text: str) -> str:
    """``scrub_stored_text``, and every run of 15+ digits masked as well (an ID number with a digit too
    many or too few, a bank card): for cell values and free text."""
    if not any(c.isdigit() for c in text):
        return text
    plain = text.translate(_FULLWIDTH_DIGITS)
    out = mask_long_digits(_scrub_around_keys(plain))
    return text if out == plain else out


def scrub_stored_series(values: pd.Series, long_digits: bool = True) -> pd.Series:
    """``scrub_series`` for any stored text column (names, branches, keys, notes …): identifiers masked,
    pseudonymous keys left intact (the same key gives the same text in every table); with
    ``long_digits`` also every run of 15+ digits (not for columns of codes that are that long)."""
    text = values.astype("str")
    suspect = text.str.contains(r"[0-9\uff10-\uff19]{11}", regex=True, na=False)
    if not suspect.any():
        return values
    out = values.copy()
    out[suspect] = text[suspect].map(scrub_shown if long_digits else scrub_stored_text)
    return out


def mask_long_digits(text: str) -> str:
    """Every run of 15 or more digits masked (an ID number, or one with a digit too many or too few)."""
    return _LONG_DIGITS.sub(lambda m: _mask_generic(m.group()), text)


_FULLWIDTH_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
