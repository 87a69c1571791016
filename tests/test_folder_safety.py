"""Folder safety: no combination of flags writes into (or replaces) a raw folder, the configuration or a
folder that is not ours; refused before anything is written, raw files byte-identical."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.common import paths
from analysis.common.paths import YearPaths

SAMPLE_CONFIG = str(paths.SAMPLE_CONFIG)


def _tree(folder: Path) -> dict[str, str]:
    """Every file and folder below ``folder``: relative path → sha256 (folders: "dir")."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture
def town(tmp_path: Path) -> Path:
    """X/2021 and X/2022: the sample town's raw exports (the layout of the issue)."""
    x = tmp_path / "X"
    for year in ("2021", "2022"):
        shutil.copytree(paths.SAMPLE_DIR / year, x / year)
    return x


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--processed", "{x}/2022"], "处理后数据文件夹与 2022 年原始数据文件夹是同一个文件夹"),
        (["--reports", "{x}/2022"], "报告文件夹与 2022 年原始数据文件夹是同一个文件夹"),
        (["--processed", "{x}"], "处理后数据文件夹 {x} 包含了 2022 年原始数据文件夹 {x}/2022"),
        (["--reports", "{x}/2022/报告"], "报告文件夹 {x}/2022/报告 位于 2022 年原始数据文件夹 {x}/2022 之内"),
        (["--reports", "{x}/2021"], "报告文件夹与 2021 年原始数据文件夹（用于同比）是同一个文件夹"),
    ],
)
def test_overlapping_folders_refused_raw_untouched(town: Path, capsys, flags: list[str], says: str) -> None:
    before = _tree(town)
    argv = ["run", "--year", "2022", "--raw", str(town / "2022"), "--config", SAMPLE_CONFIG]
    argv += [f.format(x=town) for f in flags]
    if "--processed" not in flags:
        argv += ["--processed", str(town.parent / "processed")]
    if "--reports" not in flags:
        argv += ["--reports", str(town.parent / "reports" / "2022")]
    assert main(argv) == 2
    out = " ".join(capsys.readouterr().out.split())  # rich wraps long lines
    assert says.format(x=town) in out and "尚未写入任何内容" in out
    assert _tree(town) == before  # byte-identical, and nothing added
    assert sorted(p.name for p in town.parent.iterdir()) == ["X"]  # no lock, no staging, no output


@pytest.mark.slow  # ingests a whole sample year
def test_previous_year_goes_inside_a_processed_folder_not_named_by_year(town: Path) -> None:
    """--processed X/processed: 2021's tables go to X/processed/2021, never to X/2021 (the raw folder)."""
    from analysis.common.config import load_config
    from analysis.processed.workspace import ensure_processed

    yp = YearPaths(2022, town / "2022", town / "processed", town / "reports" / "2022", paths.SAMPLE_CONFIG)
    prev = yp.previous()
    assert prev is not None and prev.processed == town / "processed" / "2021"
    named = YearPaths(2022, town / "2022", town / "out" / "2022", town / "r" / "2022", paths.SAMPLE_CONFIG)
    assert named.previous().processed == town / "out" / "2021"  # a folder named 2022: its sibling
    raw_before = _tree(town / "2021")
    ensure_processed(prev, load_config(paths.SAMPLE_CONFIG))  # what the run does for last year
    assert (town / "processed" / "2021" / "ingest_report.json").is_file()
    assert _tree(town / "2021") == raw_before


def test_config_inside_an_output_folder_refused(tmp_path: Path, capsys) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    config = shutil.copy(paths.SAMPLE_CONFIG, reports / "town.yml")
    argv = ["run", "--sample", "--config", str(config), "--reports", str(reports)]
    assert main([*argv, "--processed", str(tmp_path / "p")]) == 2
    assert "配置文件" in capsys.readouterr().out
    assert Path(config).is_file() and not (tmp_path / "p").exists()


def test_output_folders_must_not_overlap(tmp_path: Path, capsys) -> None:
    argv = ["run", "--sample", "--processed", str(tmp_path / "out"), "--reports", str(tmp_path / "out" / "r")]
    assert main(argv) == 2
    assert "重叠" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()


def test_a_folder_that_is_not_ours_is_never_replaced(tmp_path: Path, capsys) -> None:
    documents = tmp_path / "我的文档"
    documents.mkdir()
    (documents / "工作计划.docx").write_bytes(b"mine")
    argv = ["ingest", "--sample", "--processed", str(documents)]
    assert main(argv) == 2
    assert "不是本程序生成的" in capsys.readouterr().out
    assert _tree(documents) == {"工作计划.docx": hashlib.sha256(b"mine").hexdigest()}


def test_raw_pointing_at_a_file(tmp_path: Path, capsys) -> None:
    export = next((paths.SAMPLE_DIR / "2022").glob("*.xlsx"))
    argv = ["ingest", "--year", "2022", "--raw", str(export), "--processed", str(tmp_path / "p")]
    assert main(argv) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert f"{export} 是一个文件，而不是文件夹" in out
    assert not (tmp_path / "p").exists()


@pytest.mark.slow  # ingests a whole sample year
def test_year_that_does_not_match_the_data(tmp_path: Path, capsys) -> None:
    """run --year 1990 on 2022 exports: says which year the data belong to (exit 2), writes nothing."""
    argv = ["run", "--year", "1990", "--raw", str(paths.SAMPLE_DIR / "2022"), "--config", SAMPLE_CONFIG]
    argv += ["--processed", str(tmp_path / "p" / "1990"), "--reports", str(tmp_path / "r" / "1990")]
    assert main(argv) == 2
    out = " ".join(capsys.readouterr().out.split())
    assert "没有一条日期在 1990 年" in out and "2022 年" in out
    assert not (tmp_path / "p").exists() and not (tmp_path / "r" / "1990").exists()


def test_sample_never_writes_over_an_analysts_folder(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / "town.yml").write_text("town: 青禾镇\n", encoding="utf-8")
    assert main(["sample", "--out", str(config)]) == 2
    assert "不是之前生成的示例数据" in capsys.readouterr().out
    assert _tree(config) == {"town.yml": hashlib.sha256("town: 青禾镇\n".encode()).hexdigest()}
