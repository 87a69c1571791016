"""The query command as a user meets it: README examples after `make report`, hints that name a working
command, typed CSV, namesakes told apart, answers without a roster, tables that fit 80 and 160 columns."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from builders import reseal
from rich.cells import cell_len
from rich.console import Console

from analysis.cli import main
from analysis.common import paths
from analysis.ingest.pipeline import IngestResult, SourceReport
from analysis.ingest.summary import print_ingest_summary
from analysis.processed.load import ingest_hint
from analysis.query.cli import print_grid
from analysis.query.participation import GridResult, namesake_details, pick_member

SNAPSHOTS = Path(__file__).parent / "snapshots"
HINT = re.compile(r"请先运行：(python -m analysis [^（。]+)")
TWO = ["--period", "第12季第5期", "--period", "第12季第6期", "--branch", "塔岗村"]


def _run(args: list[str], root: Path, cwd: Path, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"TUANWEI_ROOT": str(root), "COLUMNS": str(columns), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _run_all(commands: list[list[str]], root: Path, cwd: Path) -> list[subprocess.CompletedProcess[str]]:
    """Independent commands at the same time (each is mostly interpreter start-up)."""
    env = os.environ | {"TUANWEI_ROOT": str(root), "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    procs = [
        subprocess.Popen(
            [sys.executable, *c], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for c in commands
    ]
    outputs = [p.communicate(timeout=300) for p in procs]
    return [
        subprocess.CompletedProcess(p.args, p.returncode, *out) for p, out in zip(procs, outputs, strict=True)
    ]


def _command(line: str) -> list[str]:
    words = line.split()
    assert words[:3] == ["python", "-m", "analysis"], line
    return words[1:]


def _sample_root(tmp_path: Path, processed: Path | None = None) -> Path:
    """A project root as after `make report` (processed sample data) or before it (processed=None)."""
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    os.symlink(paths.SAMPLE_DIR, root / "data" / "sample")
    if processed is not None:
        shutil.copytree(processed, root / "data" / "processed" / "sample" / "2022")
    return root


# --------------------------------------------------------------------------------------------------
# README and hints (issue 13, items 5–6)
# --------------------------------------------------------------------------------------------------


@pytest.mark.slow  # command-line runs in subprocesses
def test_readme_query_commands_run_after_make_report(sample_processed, tmp_path):
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.startswith("python -m analysis query ")]
    assert len(commands) >= 3
    root = _sample_root(tmp_path, sample_processed[2022])
    work = tmp_path / "work"
    work.mkdir()
    for line, done in zip(commands, _run_all([_command(c) for c in commands], root, work), strict=True):
        assert done.returncode == 0, (line, done.stdout, done.stderr)
        assert "Traceback" not in done.stdout + done.stderr
        if "--output" in line:
            assert (work / line.split("--output")[1].split()[0]).is_file()
    # files without --output go to reports/查询/, never into the folder the command runs in
    assert [p.name for p in work.iterdir()] == []
    assert list((root / "reports" / "查询").glob("*.xlsx"))
    # the commands are run in the activated environment, and the README says how to activate it
    assert "source .venv/bin/activate" in readme and "make query ARGS=" in readme


@pytest.mark.slow  # command-line runs in subprocesses
def test_missing_data_hints_name_a_working_command(tmp_path):
    """Before any ingest, the query CLI and the query notebook say what to run; running it works."""
    root = _sample_root(tmp_path)
    query = ["-m", "analysis", "query", "participation", "--sample", *TWO]
    first = _run(query, root, tmp_path)
    assert first.returncode == 2 and "Traceback" not in first.stdout + first.stderr
    cli_hint = HINT.search(first.stdout).group(1).strip()
    assert cli_hint == "python -m analysis ingest --sample"
    nb = json.loads((paths.NOTEBOOKS_DIR / "query_participation.ipynb").read_text(encoding="utf-8"))
    params = "".join(next(c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", []))["source"])
    probe = (
        f"{params}\nfrom analysis.query.notebook import open_query\n"
        "try:\n    open_query(year, processed_dir, config_path, branch, quarter, date_from, date_to)\n"
        "except Exception as exc:\n    print(exc)\nelse:\n    print('ok')\n"
    )
    notebook = _run(["-c", probe], root, tmp_path)
    assert HINT.search(notebook.stdout).group(1).strip() == cli_hint
    prose = "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    advice = [c for c in re.findall(r"`(python -m analysis ingest[^`]*)`", prose) if "<" not in c]
    assert advice == [cli_hint]  # the notebook's own advice for the sample is the same working command
    assert _run(_command(cli_hint), root, tmp_path).returncode == 0
    assert _run(query, root, tmp_path).returncode == 0
    assert _run(["-c", probe], root, tmp_path).stdout.strip() == "ok"


@pytest.mark.slow  # command-line runs in subprocesses
def test_hint_for_own_year_and_own_processed_folder(tmp_path):
    root = tmp_path / "project"
    (root / "data" / "raw").mkdir(parents=True)
    os.symlink(paths.SAMPLE_DIR / "2022", root / "data" / "raw" / "2022")
    (root / "config").mkdir()
    shutil.copy(paths.SAMPLE_CONFIG, root / "config" / "town.yml")
    elsewhere = tmp_path / "处理后"
    variants = [[], ["--processed", str(elsewhere)]]  # the two situations run side by side
    queries = [
        ["-m", "analysis", "query", "participation", "--year", "2022", *extra, *TWO] for extra in variants
    ]
    first = _run_all(queries, root, tmp_path)
    assert [f.returncode for f in first] == [2, 2]
    hints = [HINT.search(f.stdout).group(1).strip() for f in first]
    assert hints == [
        "python -m analysis ingest --year 2022",
        f"python -m analysis ingest --year 2022 --processed {elsewhere}",
    ]
    assert [r.returncode for r in _run_all([_command(h) for h in hints], root, tmp_path)] == [0, 0]
    assert [r.returncode for r in _run_all(queries, root, tmp_path)] == [0, 0]


def test_hint_for_a_year_without_exports_says_where_to_put_them():
    hint = ingest_hint(paths.ROOT / "data" / "processed" / "2031", 2031)
    assert hint.startswith("请先把 2031 年的导出文件放到 ") and str(Path("data") / "raw" / "2031") in hint
    assert hint.endswith("再运行：python -m analysis ingest --year 2031。")


# --------------------------------------------------------------------------------------------------
# Typed answers
# --------------------------------------------------------------------------------------------------


def _query(sample_processed, *args: str) -> list[str]:
    return ["query", "participation", "--processed", str(sample_processed[2022]), *args]


def test_two_period_grid_shows_counts_as_integers(sample_processed, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(_query(sample_processed, *TWO)) == 0
    out = capsys.readouterr().out
    # 万旭峰 studied 第5期 and not 第6期: 1 of 2 periods, 50.0%
    assert re.search(r"│ 万旭峰\s+│\s+√\s+│\s+×\s+│\s+1 │\s+2 │\s+50\.0% │", out), out
    assert re.search(r"│ 傅志\s+│\s+×\s+│\s+×\s+│\s+0 │\s+2 │\s+0\.0% │", out)
    assert not re.search(r"│\s+[√×]\s+│\s+[√×]\s+│\s+\d+\.\d% │", out)  # no count shown as a rate


def test_csv_round_trips_with_integer_and_float_columns(sample_processed, tmp_path):
    out = tmp_path / "grid.csv"
    assert main(_query(sample_processed, *TWO, "--format", "csv", "--output", str(out))) == 0
    grid = pd.read_csv(out, encoding="utf-8-sig")
    assert list(grid.columns) == [
        "团支部",
        "姓名",
        "第12季第5期",
        "第12季第6期",
        "参学期数",
        "应参学期数",
        "参学率",
    ]
    assert str(grid["参学期数"].dtype) == "int64" and str(grid["应参学期数"].dtype) == "int64"
    assert str(grid["参学率"].dtype) == "float64"
    assert "支部参学率" not in set(grid["姓名"])  # summary rows live in their own file
    row = grid.set_index("姓名").loc["万旭峰"]
    assert (row["参学期数"], row["应参学期数"], row["参学率"]) == (1, 2, 0.5)
    text = out.read_text(encoding="utf-8-sig")
    assert all(len(x.split(".")[1]) <= 4 for x in re.findall(r"\d\.\d+", text))
    rates = pd.read_csv(tmp_path / "grid_各期参学率.csv", encoding="utf-8-sig")
    assert list(rates.columns) == ["团支部", "期次", "日期", "完成人数", "应参学人数", "参学率"]
    assert [str(rates[c].dtype) for c in ("完成人数", "应参学人数", "参学率")] == [
        "int64",
        "int64",
        "float64",
    ]
    # the branch rate per period is the share of √ among √ and × in that column
    done = (grid["第12季第5期"] == "√").sum()
    due = grid["第12季第5期"].isin(["√", "×"]).sum()
    assert rates.loc[0, ["完成人数", "应参学人数"]].tolist() == [done, due]
    assert rates.loc[0, "参学率"] == round(done / due, 4)


def test_xlsx_rate_row_is_numbers(sample_processed, tmp_path):
    import openpyxl

    out = tmp_path / "grid.xlsx"
    assert main(_query(sample_processed, *TWO, "--format", "xlsx", "--output", str(out))) == 0
    ws = openpyxl.load_workbook(out)["塔岗村团支部"]
    last = [c for c in ws[ws.max_row]]
    assert last[0].value == "支部参学率"
    assert all(c.data_type == "n" and c.number_format == "0.0%" for c in (last[1], last[2], last[5]))
    assert ws["D2"].data_type == "n" and ws["F2"].number_format == "0.0%"


# --------------------------------------------------------------------------------------------------
# Namesakes
# --------------------------------------------------------------------------------------------------


def test_two_namesakes_in_one_branch(sample_processed, capsys, monkeypatch, tmp_path):
    """The sample roster has two 段月玲 in 示例镇中学团支部 (ID tails 0867 and 5029)."""
    monkeypatch.setenv("COLUMNS", "120")
    assert main(_query(sample_processed, "--member", "段月玲", "--quarter", "2022Q2")) == 0
    out = capsys.readouterr().out
    heads = re.findall(r"^段月玲（([^）]+)） 2022Q2：参学 (\d+)/(\d+) 期", out, flags=re.M)
    assert [h[0] for h in heads] == ["示例镇中学团支部，身份证尾号 0867", "示例镇中学团支部，身份证尾号 5029"]
    assert "--who" in out
    for who in ("5029", "2"):
        assert main(_query(sample_processed, "--member", "段月玲", "--quarter", "2022Q2", "--who", who)) == 0
        one = capsys.readouterr().out
        assert re.findall(r"^段月玲（([^）]+)） 2022Q2", one, flags=re.M) == [
            "示例镇中学团支部，身份证尾号 5029"
        ]
    out_csv = tmp_path / "m.csv"
    assert (
        main(_query(sample_processed, "--member", "段月玲", "--format", "csv", "--output", str(out_csv))) == 0
    )
    frame = pd.read_csv(out_csv, encoding="utf-8-sig")
    assert list(frame.columns[:2]) == ["姓名", "区分信息"] and set(frame["姓名"]) == {"段月玲"}
    assert frame["区分信息"].nunique() == 2
    assert main(_query(sample_processed, "--member", "段月玲", "--who", "1999X")) == 2
    assert "与这几位都不符" in capsys.readouterr().out


def test_namesake_details_use_the_fewest_telling_fields():
    people = pd.DataFrame(
        {
            "member_id": ["a", "b", "c"],
            "branch": ["塔岗村团支部"] * 3,
            "id_masked": [None, None, None],
            "birth_date": pd.to_datetime(["2001-03-01", "2003-05-02", "2003-07-07"]),
            "student_no": [None, "S1", "S2"],
        }
    )
    assert namesake_details(people) == [
        "塔岗村团支部，2001 年生",
        "塔岗村团支部，2003 年生，学号 S1",
        "塔岗村团支部，2003 年生，学号 S2",
    ]
    twins = people.assign(birth_date=pd.NaT, student_no=None)
    assert namesake_details(twins)[2] == "塔岗村团支部，第 3 位"
    assert pick_member(people, "S2")["member_id"].tolist() == ["c"]
    assert pick_member(people, "2001")["member_id"].tolist() == ["a"]


# --------------------------------------------------------------------------------------------------
# No roster
# --------------------------------------------------------------------------------------------------


def test_query_without_a_roster_answers_what_it_can(sample_processed, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    folder = tmp_path / "no_roster"
    shutil.copytree(sample_processed[2022], folder)
    (folder / "members.parquet").unlink()
    reseal(folder)  # a year whose ingest had no roster
    base = ["query", "participation", "--processed", str(folder)]
    assert main([*base, *TWO]) == 0
    out = capsys.readouterr().out
    assert "参学率、未学习名单和个人应参学期数需要团员名册" in out
    assert re.search(r"│ 万旭峰\s+│\s+√\s+│\s+│\s+1 │", out)  # learners and counts, no rate
    assert re.search(r"│ 参学人数\s+│\s+\d+\s+│\s+\d+\s+│", out)
    assert main([*base, "--missing"]) == 2
    assert "需要团员名册" in capsys.readouterr().out
    assert main([*base, "--member", "万旭峰", "--quarter", "2022Q2"]) == 0
    assert "万旭峰" in capsys.readouterr().out
    out_csv = tmp_path / "nr.csv"
    assert main([*base, *TWO, "--format", "csv", "--output", str(out_csv)]) == 0
    assert str(pd.read_csv(out_csv, encoding="utf-8-sig")["参学期数"].dtype) == "int64"


# --------------------------------------------------------------------------------------------------
# Terminal width: snapshots at 80 and 160 columns
# --------------------------------------------------------------------------------------------------


def _console(width: int) -> Console:
    return Console(
        width=width, file=io.StringIO(), record=True, color_system=None, highlight=False, soft_wrap=True
    )


def _ingest_result() -> IngestResult:
    sources = [
        SourceReport(
            "团员名册（智慧团建导出）2022年12月31日.xlsx", "团员信息", "members", "团员名册", [1], 304, 304
        ),
        SourceReport(
            "青年大学习_2022年01月（全镇汇总导出）.xlsx",
            "Sheet1",
            "study",
            "青年大学习记录",
            [1],
            11000,
            10900,
            0,
            100,
        ),
        SourceReport(
            "青年大学习_2022年01月（全镇汇总导出）.xlsx",
            "原始数据",
            "study",
            "青年大学习记录",
            [2],
            1089,
            1084,
            0,
            5,
        ),
        SourceReport(
            "活动台账_2022.xlsx", "活动台账", "activities", "活动台账", [3], 70, 55, 0, 2, {"totals": 13}, 1
        ),
    ]
    empty = pd.DataFrame()
    return IngestResult(2022, {}, sources, empty, empty, empty, empty, [], [], [], [], [], "")


def _grid() -> GridResult:
    periods = pd.DataFrame(
        {
            "period": ["第12季第5期", "第12季第6期", "特辑:五四特辑(05-04)"],
            "date": pd.to_datetime(["2022-02-16", "2022-02-23", "2022-05-06"]),
        }
    )
    grid = pd.DataFrame(
        {
            "姓名": ["阿依古丽·买买提", "万旭峰", "龚振"],
            "第12季第5期": ["√", "√", "√"],
            "第12季第6期": ["×", "×", "√"],
            "特辑:五四特辑(05-04)": ["×", "√", "已转出"],
            "参学期数": [1, 2, 2],
            "应参学期数": [3, 3, 2],
            "参学率": [1 / 3, 2 / 3, 1.0],
        }
    )
    rates = periods.assign(numerator=[3, 1, 1], denominator=[3, 3, 2], rate=[1.0, 1 / 3, 0.5])
    return GridResult("塔岗村团支部", periods, grid, rates)


def _snapshot(name: str, text: str) -> None:
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} 与快照不同（UPDATE_SNAPSHOTS=1 更新）"


def _table_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("共读取", "规范数据表", "（共"))]


@pytest.mark.parametrize("width", [80, 160])
def test_ingest_table_snapshot(width):
    console = _console(width)
    print_ingest_summary(_ingest_result(), Path("data/processed/2022"), console)
    text = console.export_text()
    _snapshot(f"ingest_{width}.txt", text)
    lines = _table_lines(text)
    assert max(cell_len(line) for line in lines) <= width
    for sheet, numbers in (
        ("团员信息", "304"),
        ("Sheet1", "11,000"),
        ("原始数据", "1,089"),
        ("活动台账", "13"),
    ):
        assert len([line for line in lines if sheet in line and numbers in line]) == 1  # one line per sheet
    assert re.search(r"合计.*12,463.*12,343", text)


@pytest.mark.parametrize("width", [80, 160])
def test_grid_table_snapshot(width):
    console = _console(width)
    print_grid(_grid(), console, "塔岗村团支部 测试 青年大学习参学情况")
    text = console.export_text()
    _snapshot(f"grid_{width}.txt", text)
    assert max(cell_len(line) for line in text.splitlines()) <= width
    for name, numbers in (
        ("阿依古丽·买买提", r"1\D+3\D+33\.3%"),
        ("万旭峰", r"2\D+3\D+66\.7%"),
        ("龚振", r"2\D+2\D+100\.0%"),
    ):
        assert re.search(f"{re.escape(name)}.*{numbers}", text), name
    assert re.search(r"支部参学率\D+100\.0%\D+33\.3%\D+50\.0%\D+61\.1%", text)


@pytest.mark.parametrize("width", [80, 120, 160])
def test_sample_quarter_fits_the_window(sample_processed, capsys, monkeypatch, width):
    """14 periods: the full grid at 120 and 160 columns (compact cells at 120), per-member totals at 80;
    no number is wrapped or cut."""
    monkeypatch.setenv("COLUMNS", str(width))
    assert main(_query(sample_processed, "--branch", "塔岗村", "--quarter", "2022Q2")) == 0
    text = capsys.readouterr().out
    lines = _table_lines(text)
    assert max(cell_len(line) for line in lines) <= width
    assert "…" not in text
    rows = [line for line in lines if re.search(r"\d+\s*│?\s+14\s*│?\s+\d+\.\d%", line)]
    assert len(rows) >= 20  # one line per member with 参学期数 / 应参学期数 / 参学率 intact
    assert ("√" in text) is (width >= 120)


# --------------------------------------------------------------------------------------------------
# Periods as analysts write them; messages that say what the data covers (issue 22, item 5)
# --------------------------------------------------------------------------------------------------


def _error(sample_processed, capsys, *args: str) -> str:
    assert main(_query(sample_processed, *args)) == 2
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_a_special_period_by_its_name(sample_processed, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "160")
    assert main(_query(sample_processed, "--branch", "塔岗村", "--period", "五四特辑")) == 0
    out = capsys.readouterr().out
    assert "（1 期）" in out and "特辑" in out
    text = _error(sample_processed, capsys, "--period", "特辑")
    assert "对应多个期次" in text and "特辑:五四特辑(05-04)" in text
    text = _error(sample_processed, capsys, "--period", "第99期")
    assert "找不到期次：第99期" in text and "特辑可写名称或日期" in text and "本年共 51 期" in text


def test_reversed_range_and_other_year_say_what_the_data_covers(sample_processed, capsys):
    text = _error(sample_processed, capsys, "--from", "2022-06-30", "--to", "2022-04-01")
    assert "起止日期颠倒" in text
    text = _error(sample_processed, capsys, "--quarter", "2021Q2")
    assert "不在所查询的 2022 年内" in text and "2022-01-05 到 2022-12-21" in text and "--year 2021" in text
    text = _error(sample_processed, capsys, "--from", "2022-12-25", "--to", "2022-12-31")
    assert "所选范围内没有青年大学习期次" in text and "共 51 期" in text


@pytest.mark.parametrize("quarter", ["Q2", "二季度", "2022 q2"])
def test_quarter_without_year_is_the_data_year(sample_processed, capsys, monkeypatch, quarter):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(_query(sample_processed, "--branch", "塔岗村", "--quarter", quarter)) == 0
    assert "2022Q2" in capsys.readouterr().out


def test_missing_lists_each_member_once_per_branch(sample_processed, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(_query(sample_processed, "--branch", "塔岗村", "--quarter", "2022Q2", "--missing")) == 0
    out = capsys.readouterr().out
    assert out.count("塔岗村团支部：") == 1
    assert len(re.findall(r"^\s+傅志\s", out, flags=re.M)) == 1
    # 傅志 studied only the quarter's first period: 13 of 14 missed, listed once with the periods
    assert re.search(r"傅志\s+缺 13 期：12-13、12-14", out), out


def test_missing_xlsx_has_one_row_per_member(sample_processed, tmp_path):
    out = tmp_path / "m.xlsx"
    args = [
        "--branch",
        "塔岗村",
        "--quarter",
        "2022Q2",
        "--missing",
        "--format",
        "xlsx",
        "--output",
        str(out),
    ]
    assert main(_query(sample_processed, *args)) == 0
    people = pd.read_excel(out, sheet_name="按人汇总", engine="calamine")
    periods = pd.read_excel(out, sheet_name="未学习名单", engine="calamine")
    assert list(people.columns[:2]) == ["团支部", "姓名"]
    assert people["姓名"].is_unique and people["未学习期数"].sum() == len(periods)


def test_never_studied_this_year(sample_processed, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    assert main(_query(sample_processed, "--never")) == 0
    out = capsys.readouterr().out
    assert "一次也没有学习的团员：共 4 人" in out
    for name in ("冯睿", "郝琳", "周静玲", "熊刚"):
        assert name in out
