"""Issue 25: the processed folder is a contract — listed in a manifest written last by ingest, verified by
every reader (a table missing, truncated, of another year or of another table is exit 2 saying to run
ingest again; the run mends it from the raw data by itself), locked against two writers, private in every
stored column; every user-fixable failure is exit 2 in Chinese without a traceback; links in the raw
folder are shown and, pointing outside it, not read unless asked."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.common import paths
from analysis.common.errors import ProcessedDataError
from analysis.common.paths import PROCESSED_MANIFEST, YearPaths
from analysis.processed import processed_folder
from analysis.safety.audit import audit

POSIX = pytest.mark.skipif(os.name != "posix", reason="symbolic links and POSIX permissions")
ID = "11010519491231002X"  # a valid 18-digit ID number
NEAR_ID = "11010519491231002"  # 17 digits: an ID with its check character left out


def _text(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())  # rich wraps long lines


# --- tampering ------------------------------------------------------------------------------------------


def _other_year(folder: Path, sample: dict[int, Path]) -> None:
    shutil.copy(sample[2021] / "members.parquet", folder / "members.parquet")


def _truncated(folder: Path, sample: dict[int, Path]) -> None:
    data = (folder / "study_records.parquet").read_bytes()
    (folder / "study_records.parquet").write_bytes(data[: len(data) // 2])


def _swapped(folder: Path, sample: dict[int, Path]) -> None:
    shutil.copy(folder / "activities.parquet", folder / "members.parquet")


def _deleted(folder: Path, sample: dict[int, Path]) -> None:
    (folder / "members.parquet").unlink()


TAMPERING: dict[str, tuple[Callable[[Path, dict[int, Path]], None], str]] = {
    "other_year": (_other_year, "其中是 2021 年的数据"),
    "truncated": (_truncated, "被截断或损坏"),
    "swapped": (_swapped, "其中是“活动台账”（activities）的数据"),
    "deleted": (_deleted, "缺少 members.parquet"),
}


def test_manifest_lists_every_file_written_last(sample_processed):
    folder = sample_processed[2022]
    manifest = json.loads((folder / PROCESSED_MANIFEST).read_text(encoding="utf-8"))
    report = json.loads((folder / paths.INGEST_REPORT).read_text(encoding="utf-8"))
    assert manifest["year"] == 2022 and manifest["schema_version"] == processed_folder.schema_version()
    assert manifest["raw_inputs"] == report["inputs"]
    assert manifest["raw_sha256"] == processed_folder.raw_digest(report["inputs"])
    assert set(manifest["tables"]) == set(report["tables"])
    for name, entry in manifest["tables"].items():
        assert entry["rows"] == report["tables"][name] == len(pd.read_parquet(folder / entry["file"]))
        assert entry["bytes"] == (folder / entry["file"]).stat().st_size
    assert set(manifest["files"]) == {paths.INGEST_REPORT, paths.REJECTED_ROWS}
    listed = [e["file"] for e in manifest["tables"].values()] + list(manifest["files"])
    newest = max((folder / name).stat().st_mtime_ns for name in listed)
    assert (folder / PROCESSED_MANIFEST).stat().st_mtime_ns >= newest


@pytest.mark.parametrize("kind", [*TAMPERING, "extra_table", "manifest_gone", "wrong_year"])
def test_query_refuses_a_tampered_folder(sample_processed, tmp_path, capsys, kind):
    folder = tmp_path / "2022"
    shutil.copytree(sample_processed[2022], folder)
    if kind in TAMPERING:
        tamper, says = TAMPERING[kind]
        tamper(folder, sample_processed)
    elif kind == "extra_table":
        (folder / "transfers.parquet").unlink()
        from builders import reseal

        reseal(folder)
        shutil.copy(sample_processed[2022] / "transfers.parquet", folder / "transfers.parquet")
        says = "transfers.parquet（组织关系转接）不是导入时写入的"
    elif kind == "manifest_gone":
        (folder / PROCESSED_MANIFEST).unlink()
        says = f"缺少 {PROCESSED_MANIFEST}"
    else:
        says = "这是 2022 年的处理后数据，不是 2021 年的"
    year = "2021" if kind == "wrong_year" else "2022"
    argv = ["query", "participation", "--year", year, "--processed", str(folder), "--quarter", f"{year}Q2"]
    assert main(argv) == 2
    out = _text(capsys)
    assert "未通过核对" in out and says in out, out
    assert "python -m analysis ingest --year" in out and "Traceback" not in out


def test_county_refuses_a_tampered_town(sample_processed, tmp_path, capsys):
    towns = tmp_path / "towns"
    folder = towns / "town=甲镇" / "year=2022"
    shutil.copytree(sample_processed[2022], folder)
    shutil.copy(paths.SAMPLE_CONFIG, towns / "town=甲镇" / "town.yml")
    _other_year(folder, sample_processed)
    argv = ["county", "--towns", str(towns), "--year", "2022", "--reports", str(tmp_path / "out")]
    assert main(argv) == 2
    out = _text(capsys)
    assert "未通过核对" in out and "其中是 2021 年的数据" in out and "town=甲镇" in out
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def current(sample_processed, tmp_path_factory):
    """The sample's 2022 (no 2021 next to it) processed and its catalogue cached, as a run leaves them."""
    from analysis.report.context import build_context

    base = tmp_path_factory.mktemp("current")
    raw = base / "raw" / "2022"
    shutil.copytree(paths.SAMPLE_DIR / "2022", raw)
    shutil.copytree(sample_processed[2022], base / "processed" / "2022")
    yp = YearPaths(2022, raw, base / "processed" / "2022", base / "reports" / "2022", paths.SAMPLE_CONFIG)
    ctx = build_context(yp)
    assert (yp.processed / paths.CATALOGUE_DIR).is_dir()
    return yp, ctx.catalogue.headline


@pytest.mark.parametrize(
    ("kind", "cache"),
    [
        ("truncated", True),
        # each re-ingests the sample year (about 10 s): the other cases run in make test, not test-fast
        pytest.param("other_year", True, marks=pytest.mark.slow),
        pytest.param("other_year", False, marks=pytest.mark.slow),
        pytest.param("swapped", False, marks=pytest.mark.slow),
        pytest.param("deleted", True, marks=pytest.mark.slow),
    ],
)
def test_the_run_mends_tampered_data_from_the_raw_exports(current, sample_processed, tmp_path, kind, cache):
    """What the run does first (report.context.build_context): the altered folder is noticed, ingested
    again from the raw exports, and the numbers are the right ones — with the catalogue cached or not."""
    from analysis.report.context import build_context

    yp, good = current
    folder = tmp_path / "processed" / "2022"
    shutil.copytree(yp.processed, folder)
    TAMPERING[kind][0](folder, sample_processed)
    if not cache:
        shutil.rmtree(folder / paths.CATALOGUE_DIR)
    ctx = build_context(dataclasses.replace(yp, processed=folder))
    assert ctx.catalogue.headline == good
    processed_folder.verify(folder, 2022, "")  # whole again


def test_tables_come_from_the_snapshot_that_was_verified(sample_processed, tmp_path):
    from analysis.processed import load

    folder = tmp_path / "2022"
    shutil.copytree(sample_processed[2022], folder)
    tables = load.processed(folder, 2022)
    _other_year(folder, sample_processed)  # replaced after the check: the reader keeps what it checked
    expected = pd.read_parquet(sample_processed[2022] / "members.parquet")
    pd.testing.assert_frame_equal(tables.members, expected)
    with pytest.raises(ProcessedDataError):
        load.processed(folder, 2022)


# --- privacy of every stored column --------------------------------------------------------------------

TOWN = "town: 测试镇\nbranches:\n  - {name: 塔岗村团支部, type: 村, aliases: [塔岗村]}\nyears:\n  2022: {recruitment_quota: 1}\n"


def _book(path: Path, rows: list[list]) -> None:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)


@pytest.fixture(scope="module")
def exposed(tmp_path_factory):
    """A year whose exports carry ID numbers in a name, a branch cell, an activity name and a note."""
    base = tmp_path_factory.mktemp("exposed")
    (base / "town.yml").write_text(TOWN, encoding="utf-8")
    raw = base / "raw" / "2022"
    raw.mkdir(parents=True)
    _book(
        raw / "名册.xlsx",
        [
            ["姓名", "所在团支部", "团籍状态"],
            ["张三", "塔岗村团支部", "正常"],
            [f"王五{ID}", "塔岗村团支部", "正常"],  # an ID in a name
            ["赵六", f"塔岗村{ID}", "正常"],  # … in a branch cell
            ["钱七", "塔岗村团支部", "正常"],
        ],
    )
    _book(
        raw / "台账.xlsx",
        [
            ["活动日期", "活动名称", "组织团支部", "参与人数", "备注"],
            ["2022-03-01", f"植树{ID}", "塔岗村", 10, ""],  # … in an activity name
            ["2022-04-01", "义诊", "塔岗村", 12, f"联系人 {ID}，另有 {NEAR_ID}，电话 13812345678"],  # a note
            ["2022-05-01", "宣讲", "塔岗村", 8, NEAR_ID],
        ],
    )
    argv = ["ingest", "--year", "2022", "--raw", str(raw), "--config", str(base / "town.yml")]
    return base, raw, [*argv, "--processed", str(base / "processed" / "2022")]


def _stored_texts(folder: Path) -> list[str]:
    texts = [(folder / paths.INGEST_REPORT).read_text(encoding="utf-8")]
    for table in folder.glob("*.parquet"):
        frame = pd.read_parquet(table)
        texts += [str(v) for c in frame.columns for v in frame[c].dropna().tolist()]
    wb = openpyxl.load_workbook(folder / paths.REJECTED_ROWS)
    texts += [
        str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    return texts


def test_identifiers_in_any_cell_never_reach_the_processed_folder(exposed, capsys):
    base, _, argv = exposed
    assert main(argv) in (0, 4), _text(capsys)
    folder = base / "processed" / "2022"
    assert audit(folder) == []
    texts = _stored_texts(folder)
    assert not [t for t in texts if re.search(r"[0-9]{15}", t)]  # no run of 15+ digits anywhere
    assert ID not in _text(capsys)  # nor on the screen
    members = pd.read_parquet(folder / "members.parquet")
    assert "王五110***********002X" in set(members["name_norm"]) | set(members["name"])
    activities = pd.read_parquet(folder / "activities.parquet")
    assert any("110***********002X" in n for n in activities["name_norm"])
    assert any("138****5678" in str(n) for n in activities["note"])
    assert any("110***********002X" in t for t in texts if "塔岗村" in t)  # the branch cell, where it shows


def test_the_audit_fails_an_ingest_that_would_store_an_identifier(exposed, tmp_path, monkeypatch, capsys):
    argv = exposed[2]
    folder = tmp_path / "processed" / "2022"
    argv = [*argv[:-1], str(folder)]
    assert main(argv) in (0, 4)
    assert ID not in _text(capsys)  # the screen shows masked forms too
    before = (folder / PROCESSED_MANIFEST).read_bytes()
    monkeypatch.setattr(processed_folder, "private_table", lambda frame: frame)  # a scrub forgotten
    assert main(argv) == 2
    out = _text(capsys)
    assert "未通过隐私检查" in out and "110***********002X" in out and ID not in out
    assert (folder / PROCESSED_MANIFEST).read_bytes() == before  # the previous data stay
    assert sorted(p.name for p in folder.parent.iterdir()) == [".2022.lock", "2022"]


# --- links in the raw folder ----------------------------------------------------------------------------


@POSIX
def test_links_are_shown_and_outside_ones_read_only_when_asked(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    (tmp_path / "town.yml").write_text(TOWN, encoding="utf-8")
    raw = tmp_path / "raw" / "2022"
    (raw / "存档").mkdir(parents=True)
    roster = [["姓名", "所在团支部", "团籍状态"], ["张三", "塔岗村", "正常"], ["李四", "塔岗村", "正常"]]
    _book(raw / "存档" / "名册.xlsx", roster)
    (raw / "名册链接.xlsx").symlink_to(raw / "存档" / "名册.xlsx")  # inside: read, shown as a link
    outside = tmp_path / "别处" / "台账.xlsx"
    outside.parent.mkdir()
    _book(outside, [["活动日期", "活动名称", "组织团支部", "参与人数"], ["2022-03-01", "植树", "塔岗村", 9]])
    (raw / "台账链接.xlsx").symlink_to(outside)
    base = ["ingest", "--year", "2022", "--raw", str(raw), "--config", str(tmp_path / "town.yml")]

    def inputs(folder: Path) -> set[str]:
        report = json.loads((folder / paths.INGEST_REPORT).read_text(encoding="utf-8"))
        return {f["file"] for f in report["inputs"]}

    assert main([*base, "--processed", str(tmp_path / "p1")]) in (0, 4)
    out = _text(capsys)
    assert f"名册链接.xlsx（链接 → {raw / '存档' / '名册.xlsx'}）" in out
    assert f"未读取的链接：台账链接.xlsx → {outside}" in out and "--follow-links" in out
    assert inputs(tmp_path / "p1") == {"名册链接.xlsx", "存档/名册.xlsx"}
    assert main([*base, "--processed", str(tmp_path / "p2"), "--follow-links"]) in (0, 4)
    out = _text(capsys)
    assert f"台账链接.xlsx（链接 → {outside}）" in out and "未读取的链接" not in out
    assert "台账链接.xlsx" in inputs(tmp_path / "p2")
    assert "TUANWEI_FOLLOW_LINKS" not in os.environ


# --- every failure the user can fix: exit 2, one Chinese paragraph, no traceback ----------------------

MEMORY_DRIVER = """
import sys
import analysis.processed.load


def exhausted(*args, **kwargs):
    if sys.argv[1] == "arrow":
        import pyarrow.lib

        raise pyarrow.lib.ArrowMemoryError("malloc of size 1048576 failed")
    raise MemoryError


analysis.processed.load.processed = exhausted
from analysis.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def user_errors(sample_processed, tmp_path) -> dict[str, list[str]]:
    """Command lines, each failing on something the analyst can fix."""
    py = [sys.executable, "-m", "analysis"]
    out = {}
    ingest = [*py, "ingest", "--sample", "--processed", str(tmp_path / "p")]
    (tmp_path / "folder.yml").mkdir()
    out["town.yml 是文件夹"] = [*ingest, "--config", str(tmp_path / "folder.yml")]
    (tmp_path / "gbk.yml").write_bytes("town: 示例镇\n".encode("gbk"))
    out["town.yml 不是 UTF-8"] = [*ingest, "--config", str(tmp_path / "gbk.yml")]
    bomb = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in "bcdefghi":
        bomb += f"{level}: &{level} [{', '.join([f'*{chr(ord(level) - 1)}'] * 9)}]\n"
    (tmp_path / "bomb.yml").write_text(bomb + "town: *i\n", encoding="utf-8")  # billion laughs
    out["town.yml 别名炸弹"] = [*ingest, "--config", str(tmp_path / "bomb.yml")]
    (tmp_path / "big.yml").write_text("town: 示例镇\n" + "# 注释\n" * 300_000, encoding="utf-8")
    out["town.yml 超过 1 MB"] = [*ingest, "--config", str(tmp_path / "big.yml")]

    for name, tamper in (("截断的 parquet", _truncated), ("换成别的表的 parquet", _swapped)):
        folder = tmp_path / name / "2022"
        shutil.copytree(sample_processed[2022], folder)
        tamper(folder, sample_processed)
        out[name] = [*py, "query", "participation", "--processed", str(folder), "--quarter", "2022Q2"]

    county = [*py, "county", "--year", "2022", "--reports", str(tmp_path / "county_out")]
    for name, town in (("镇名含引号", 'town=甲"镇'), ("镇名含等号", "town=甲=镇")):
        root = tmp_path / name
        shutil.copytree(sample_processed[2022], root / town / "year=2022")
        shutil.copy(paths.SAMPLE_CONFIG, root / town / "town.yml")
        out[name] = [*county, "--towns", str(root)]
    root = tmp_path / "计数列有文字"
    folder = root / "town=乙镇" / "year=2022"
    shutil.copytree(sample_processed[2022], folder)
    shutil.copy(paths.SAMPLE_CONFIG, root / "town=乙镇" / "town.yml")
    (folder / PROCESSED_MANIFEST).unlink()  # a town's files from an older version, then edited by hand
    activities = pd.read_parquet(folder / "activities.parquet")
    counts = activities["participants"].astype("str").astype(object)
    counts.iloc[3] = "13人"
    activities.assign(participants=counts).to_parquet(folder / "activities.parquet", index=False)
    out["计数列有文字"] = [*county, "--towns", str(root)]

    (tmp_path / "memory.py").write_text(MEMORY_DRIVER, encoding="utf-8")
    query = ["query", "participation", "--processed", str(sample_processed[2022])]
    out["内存不足"] = [sys.executable, str(tmp_path / "memory.py"), "python", *query]
    out["内存不足（Arrow）"] = [sys.executable, str(tmp_path / "memory.py"), "arrow", *query]
    return out


EXPECTED = {
    "town.yml 是文件夹": "是一个文件夹",
    "town.yml 不是 UTF-8": "不是 UTF-8 编码",
    "town.yml 别名炸弹": "锚点和别名",
    "town.yml 超过 1 MB": "配置文件过大",
    "截断的 parquet": "被截断或损坏",
    "换成别的表的 parquet": "不是“团员名册”",
    "镇名含引号": "不能使用的字符",
    "镇名含等号": "不能使用的字符",
    "计数列有文字": "镇“乙镇”的 activities.parquet（活动台账）“participants”列第 4 个值“13人”不是整数",
    "内存不足": "内存不足",
    "内存不足（Arrow）": "内存不足",
}


def test_every_user_fixable_failure_is_exit_2_in_chinese(user_errors, tmp_path):
    env = {**os.environ, "COLUMNS": "400", "PYTHONUNBUFFERED": "1"}
    started = time.monotonic()
    runs = {
        name: subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for name, argv in user_errors.items()
    }
    failures = []
    for name, proc in runs.items():
        out, err = (b.decode("utf-8", "replace") for b in proc.communicate(timeout=120))
        text = " ".join(out.split())
        if proc.returncode != 2 or EXPECTED[name] not in text or "出错了" not in text:
            failures.append(f"{name}: exit {proc.returncode}: {out}{err}")
        elif "Traceback" in out + err or "Error:" in err:
            failures.append(f"{name}: a traceback: {out}{err}")
    assert not failures, "\n".join(failures)
    assert time.monotonic() - started < 60  # the alias bomb is refused before it is built
    assert not (tmp_path / "p").exists() and not (tmp_path / "county_out").exists()


# --- two writers at once ----------------------------------------------------------------------------------

RACE_REPEATS = int(os.environ.get("TUANWEI_RACE_REPEATS", "3"))  # the probe: 20
RACE_EXPORTS = (
    "团员名册（智慧团建导出）.xlsx",
    "活动台账_2022.xlsx",
    "青年大学习_2022年01月.xlsx",
    "青年大学习_2022年02月.xlsx",
)
RUN_DRIVER = """
import contextlib
import sys

from analysis.report import notebook_runner

# the race is about the processed folder: no notebooks, no notebook workers
notebook_runner.report_notebooks = lambda: []
notebook_runner.started_workers = lambda *args, **kwargs: contextlib.nullcontext()
from analysis.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
"""


def _race(commands: list[list[str]], cwd: Path) -> list[tuple[int, str]]:
    env = {**os.environ, "COLUMNS": "300", "PYTHONUNBUFFERED": "1"}
    procs = [
        subprocess.Popen(c, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for c in commands
    ]
    return [(p.wait(timeout=300), p.communicate()[0]) for p in procs]


def _whole(processed: Path) -> None:
    """The folder verifies, nothing is left next to it but its lock, and it holds every table."""
    snapshot = processed_folder.verify(processed, 2022, "")
    assert set(snapshot.manifest["tables"]) >= {"members", "study_records", "activities"}
    assert sorted(p.name for p in processed.parent.iterdir()) == [".2022.lock", "2022"]


@pytest.fixture(scope="module")
def race_raw(tmp_path_factory) -> Path:
    """A part of the sample's 2022 exports (a quick ingest; no 2021 next to it: one year to ingest)."""
    raw = tmp_path_factory.mktemp("race") / "raw" / "2022"
    raw.mkdir(parents=True)
    for name in RACE_EXPORTS:
        shutil.copy(paths.SAMPLE_DIR / "2022" / name, raw / name)
    return raw


@pytest.mark.slow
def test_two_runs_sharing_the_processed_folder(race_raw, tmp_path):
    (tmp_path / "run.py").write_text(RUN_DRIVER, encoding="utf-8")
    base = [sys.executable, str(tmp_path / "run.py"), "run", "--year", "2022", "--raw", str(race_raw)]
    base += ["--config", str(paths.SAMPLE_CONFIG), "--allow-gaps"]  # a part of the year: a draft
    waited = 0
    for i in range(RACE_REPEATS):
        processed = tmp_path / f"try{i}" / "processed" / "2022"
        reports = [tmp_path / f"try{i}" / name / "2022" for name in ("甲", "乙")]
        results = _race(
            [[*base, "--processed", str(processed), "--reports", str(r)] for r in reports], tmp_path
        )
        for code, output in results:
            assert code == 0, output
            assert "Traceback" not in output
        waited += sum("正在处理" in output for _, output in results)
        _whole(processed)
        numbers = [json.loads((r / paths.INDICATORS_JSON).read_text(encoding="utf-8")) for r in reports]
        assert numbers[0] == numbers[1]
    assert waited  # the second run said that it waits


@pytest.mark.slow
def test_two_ingests_at_once(race_raw, tmp_path):
    ingest = [sys.executable, "-m", "analysis", "ingest", "--year", "2022", "--raw", str(race_raw)]
    ingest += ["--config", str(paths.SAMPLE_CONFIG)]
    for i in range(RACE_REPEATS):
        processed = tmp_path / f"try{i}" / "2022"
        results = _race([[*ingest, "--processed", str(processed)]] * 2, tmp_path)
        for code, output in results:
            assert code in (0, 4), output  # 4: the gaps of a part of the year, said after the write
            assert "Traceback" not in output
        _whole(processed)


def test_pseudonym_keys_of_decimal_digits_are_not_masked():
    """About one key in 1,900 has 16 decimal hex digits: it is nobody's number, and masking it would merge
    two members whose keys share the first three and last four digits."""
    import pandas as pd

    from analysis.processed.processed_folder import private_table

    frame = pd.DataFrame(
        {
            "member_id": pd.array(
                ["p_4921212057695524", "p_4920000000005524", "p_0a1b2c3d4e5f6789"], dtype="str"
            ),
            "note": pd.array(["身份证110101199003071234", None, "x"], dtype="str"),
        }
    )
    out = private_table(frame)
    assert list(out["member_id"]) == list(frame["member_id"])
    assert "110101199003071234" not in str(out.loc[0, "note"])
