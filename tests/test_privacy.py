"""privacy.py: ID/phone normalisation, check digits, masks, keyed pseudonyms and the per-install secret."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.common.errors import AnalysisError
from analysis.safety import privacy
from analysis.safety.privacy import (
    birth_date_from_id,
    gender_from_id,
    id15_to_18,
    id_checksum_ok,
    id_is_lossy_number,
    mask_id,
    mask_ids,
    mask_phone,
    mask_phones,
    normalize_id,
    normalize_ids,
    normalize_phone,
    pseudonym,
    pseudonyms,
    secret,
)

SRC = Path(__file__).resolve().parents[1] / "src"

# ISO 7064 MOD 11-2, weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check = "10X98765432"[sum % 11]
# 11010519491231002: 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2
#                  = 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 % 11 = 2 → "X"
ID_A = "11010519491231002X"  # born 1949-12-31, sequence digit 2 (even) → 女
# 32010619900307123: 3*7+2*9+0*10+1*5+0*8+6*4+1*2+9*1+9*6+0*3+0*7+3*9+0*10+7*5+1*8+2*4+3*2
#                  = 21+18+0+5+0+24+2+9+54+0+0+27+0+35+8+8+6 = 217; 217 % 11 = 8 → "4"
ID_B = "320106199003071234"  # born 1990-03-07, sequence digit 3 (odd) → 男


def test_check_digit_of_hand_computed_ids() -> None:
    assert id_checksum_ok(ID_A)
    assert id_checksum_ok(ID_B)
    assert not id_checksum_ok("110105194912310021")  # same digits, wrong check digit
    assert not id_checksum_ok("320106199003071235")
    assert not id_checksum_ok("11010519491231002x")  # not normalised
    assert not id_checksum_ok("110105491231002")  # 15 digits have no check digit


def test_birth_date_and_gender() -> None:
    assert birth_date_from_id(ID_A) == dt.date(1949, 12, 31)
    assert gender_from_id(ID_A) == "女"
    assert birth_date_from_id(ID_B) == dt.date(1990, 3, 7)
    assert gender_from_id(ID_B) == "男"
    assert birth_date_from_id("110105199002301234") is None  # 30 February
    assert birth_date_from_id("110105189912310011") is None  # before 1900
    assert birth_date_from_id("110105491231002") == dt.date(1949, 12, 31)  # 15-digit: 19YYMMDD
    assert gender_from_id("110105491231002") == "女"
    with pytest.raises(ValueError):
        gender_from_id("abc")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (ID_A, ID_A),
        ("11010519491231002x", ID_A),  # lowercase x
        ("１１０１０５１９４９１２３１００２ｘ", ID_A),  # full-width digits and x
        (" 110105 1949\u00a01231\u3000002X\t", ID_A),  # spaces, NBSP, ideographic space
        ("'11010519491231002X", ID_A),  # Excel text prefix
        ("\u200b11010519491231002X\ufeff", ID_A),  # invisible characters
        ("110105491231002", "110105491231002"),  # old 15-digit ID kept as is
        ("1101051949123100", None),  # 16 digits
        ("11010519491231002Y", None),
        ("张三", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        (pd.NA, None),
    ],
)
def test_normalize_id(raw: object, expected: str | None) -> None:
    assert normalize_id(raw) == expected


def test_numbers_are_not_ids_but_lossy() -> None:
    as_float = 1.10105194912310e17  # what Excel keeps of 110105194912310021: digits lost
    assert normalize_id(as_float) is None
    assert normalize_id(110105194912310021) is None
    assert normalize_id(np.float64(as_float)) is None
    assert id_is_lossy_number(as_float)
    assert id_is_lossy_number(np.int64(110105194912310021))
    assert id_is_lossy_number("1.10105E+17")  # the same float saved as text
    assert not id_is_lossy_number(13812345678.0)  # a phone, not an ID
    assert not id_is_lossy_number(ID_A)
    assert not id_is_lossy_number(None)
    assert not id_is_lossy_number(float("nan"))
    assert not id_is_lossy_number(True)


def test_id15_upgrade() -> None:
    # 110105 + 19 + 491231002 = 11010519491231002 → check digit X (computed above)
    assert id15_to_18("110105491231002") == ID_A
    assert normalize_id("110105491231002", upgrade_15=True) == ID_A
    with pytest.raises(ValueError):
        id15_to_18(ID_A)


def test_masks_exact() -> None:
    assert mask_id(ID_A) == "110***********002X"
    assert len(mask_id(ID_A) or "") == 18
    assert mask_id("11010519491231002x") == "110***********002X"
    assert mask_id("110105491231002") == "110*********002"
    assert mask_id("E12345678") == "E1*****78"  # not an ID shape: at most a quarter shown each side
    assert mask_id(None) is None
    assert mask_id(float("nan")) is None
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_phone(13812345678.0) == "138****5678"
    assert mask_phone("0755-87654321") == "075*******21"  # 12 digits: first 3, last 2
    assert mask_phone("无") is None
    assert mask_phone(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-1234-5678", "13812345678"),
        ("13812345678.0", "13812345678"),
        (13812345678.0, "13812345678"),
        (13812345678, "13812345678"),
        ("0086 138 1234 5678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("（0755）8765-4321", "075587654321"),
        ("１３８１２３４５６７８", "13812345678"),
        ("", None),
        ("暂无", None),
        (None, None),
        (float("nan"), None),
        (1.5, None),
        (True, None),
    ],
)
def test_normalize_phone(raw: object, expected: str | None) -> None:
    assert normalize_phone(raw) == expected


def test_vectorised_masks_keep_missing() -> None:
    s = pd.Series([ID_A, None, "11010519491231002x", np.nan], index=[5, 6, 7, 8])
    out = mask_ids(s)
    assert list(out.index) == [5, 6, 7, 8]
    assert out.dtype == "str"
    assert out[5] == "110***********002X" and out[7] == "110***********002X"
    assert out.isna().tolist() == [False, True, False, True]
    phones = mask_phones(pd.Series(["13812345678", None, 13912345678.0], dtype=object))
    assert phones[0] == "138****5678" and pd.isna(phones[1]) and phones[2] == "139****5678"
    assert normalize_ids(pd.Series(["11010519491231002x", "x"])).tolist()[0] == ID_A


def _own_secret(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setenv(privacy.SECRET_ENV, str(path))


def test_secret_created_private_and_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "conf" / "secret.key"
    _own_secret(monkeypatch, path)
    key = secret()
    assert len(key) == 32 and path.read_bytes() == key
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret() == key
    assert not [p for p in path.parent.iterdir() if p.name != "secret.key"]  # no temp files left


def test_pseudonym_shape_stability_and_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _own_secret(monkeypatch, tmp_path / "a.key")
    key = pseudonym(ID_A)
    assert re.fullmatch(r"p_[0-9a-f]{16}", key)
    assert pseudonym(ID_A) == key
    expected = hmac.new(secret(), ("p\x1f" + ID_A).encode(), hashlib.sha256).hexdigest()[:16]
    assert key == "p_" + expected
    assert pseudonym(ID_A, kind="r").startswith("r_")
    assert pseudonym(ID_A, kind="r")[2:] != key[2:]
    assert pseudonym("张三", "塔岗村团支部") != pseudonym("张三", "示例社区团支部")
    with pytest.raises(ValueError):
        pseudonym(ID_A, kind="a_b")
    with pytest.raises(TypeError):
        pseudonym(None)  # type: ignore[arg-type]


def test_pseudonym_differs_with_another_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _own_secret(monkeypatch, tmp_path / "a.key")
    first = pseudonym(ID_A)
    _own_secret(monkeypatch, tmp_path / "b.key")
    assert pseudonym(ID_A) != first
    _own_secret(monkeypatch, tmp_path / "a.key")
    assert pseudonym(ID_A) == first


def test_vectorised_pseudonyms_match_scalar(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _own_secret(monkeypatch, tmp_path / "a.key")
    s = pd.Series([ID_A, None, ID_B, ID_A], index=list("wxyz"), name="id")
    out = pseudonyms(s)
    assert out.dtype == "str" and list(out.index) == list("wxyz")
    assert out["w"] == out["z"] == pseudonym(ID_A)
    assert out["y"] == pseudonym(ID_B)
    assert pd.isna(out["x"])
    frame = pd.DataFrame({"name": ["张三", "李四", None], "branch": ["塔岗村团支部", "塔岗村团支部", "x"]})
    keys = pseudonyms(frame, kind="r")
    assert keys[0] == pseudonym("张三", "塔岗村团支部", kind="r")
    assert keys[1] == pseudonym("李四", "塔岗村团支部", kind="r")
    assert pd.isna(keys[2])
    # a long key (> one SHA-256 block) goes through the same RFC 2104 path as hmac
    long_key = tmp_path / "long.key"
    long_key.write_bytes(bytes(range(100)))
    _own_secret(monkeypatch, long_key)
    assert pseudonyms(pd.Series([ID_A]))[0] == pseudonym(ID_A)


_CHILD = "from analysis.safety.privacy import pseudonym; print(pseudonym('11010519491231002X'))"


def _run_children(n: int, secret_file: Path) -> list[str]:
    env = {**os.environ, privacy.SECRET_ENV: str(secret_file), "PYTHONPATH": str(SRC)}
    procs = [
        subprocess.Popen([sys.executable, "-c", _CHILD], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(n)
    ]
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    return outs


def test_pseudonym_stable_across_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "fresh" / "secret.key"  # not there yet: the children race to create it
    outs = _run_children(3, shared)
    assert len(set(outs)) == 1 and re.fullmatch(r"p_[0-9a-f]{16}", outs[0])
    _own_secret(monkeypatch, shared)
    assert pseudonym(ID_A) == outs[0]  # and the parent agrees
    assert _run_children(1, tmp_path / "other.key") != outs[:1]


def test_secret_creation_race_in_threads(tmp_path: Path) -> None:
    path = tmp_path / "race" / "secret.key"
    results: list[bytes] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(privacy._load_or_create_secret(path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 8 and len(set(results)) == 1 and path.read_bytes() == results[0]


def test_broken_secret_file_is_reported_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "broken.key"
    path.write_bytes(b"")
    _own_secret(monkeypatch, path)
    monkeypatch.setattr(privacy, "_SECRET_WAIT_SECONDS", 0.05)
    with pytest.raises(AnalysisError, match="密钥文件内容无效"):
        secret()
    assert path.read_bytes() == b""


def test_pseudonyms_speed_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _own_secret(monkeypatch, tmp_path / "a.key")
    s = pd.Series([f"{i:018d}" for i in range(50_000)])
    out = pseudonyms(s)
    assert len(out) == 50_000 and out.nunique() == 50_000
