"""A bad-input corpus (built in tmp folders) for every trap of docs/definitions.md (section 6), each with an asserted outcome."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.common.config import load_config
from analysis.ingest.pipeline import ingest_year, rejected_sheets

TOWN = """
town: 测试镇
branches:
  - {name: 塔岗村团支部, type: 村, aliases: [塔岗村支部, 塔岗村]}
  - {name: 新华社区团支部, type: 社区}
  - {name: 测试镇中学团支部, type: 学校}
years:
  2022: {recruitment_quota: 2, study_rate_target: 0.9}
"""

ROSTER_HEADER = ["姓名", "性别", "身份证号码", "所在团支部", "入团年月", "团籍状态", "是否团干部", "学号"]


@pytest.fixture(params=["typed", "columnar"], autouse=True)
def reader(request, monkeypatch):
    """Every trap through both xlsx readers: python-calamine's typed cells (small files) and the columnar
    Arrow reader used for large files (forced here by a zero size threshold)."""
    from analysis.ingest import readers

    if request.param == "columnar":
        if request.node.get_closest_marker("typed_only"):
            pytest.skip("number-typed cells only exist in the typed reader")
        monkeypatch.setattr(readers, "COLUMNAR_BYTES", 0)
    return request.param


@pytest.fixture()
def config(tmp_path: Path):
    path = tmp_path / "town.yml"
    path.write_text(TOWN, encoding="utf-8")
    return load_config(path)


def xlsx(path: Path, rows: list[list], title: str = "Sheet1", merges: list[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for m in merges:
        ws.merge_cells(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def roster(raw: Path, extra: list[list] = ()) -> None:
    rows = [
        ["测试镇团委团员信息（导出日期：2022-12-31）"],  # a title row above the header
        ROSTER_HEADER,
        ["张三", "男", "11010519491231002x", "塔岗村团支部", "2019.10", "正常", "是", None],
        ["李四", "女", None, "塔岗村团支部", "2019年10月", "正常", "否", None],
        ["王五", "男", None, "新华社区团支部", "2021-3", "正常", "否", None],
        ["王五", "男", None, "塔岗村团支部", "2020-3", "正常", "否", None],
        ["赵六", "女", None, "测试镇中学团支部", "2020.05", "正常", "否", 20190101.0],
        ["赵六", "女", None, "测试镇中学团支部", "2020.05", "正常", "否", 20190102.0],
        *extra,
    ]
    xlsx(raw / "名册.xlsx", rows, "团员信息")


def study_csv(
    path: Path, rows: list[list], encoding: str = "gbk", header=("期数", "姓名", "归属组织", "报名时间")
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def run(raw: Path, config):
    result = ingest_year(raw, config, 2022)
    assert all(s.balanced() for s in result.sources)
    return result


# -- trap 4: title rows, merged two-row headers, totals anywhere, month sections --------------------------


def test_ledger_with_title_merged_header_totals_and_sections(tmp_path, config):
    raw = tmp_path / "raw"
    xlsx(
        raw / "台账.xlsx",
        [
            ["测试镇团委2022年活动台账"],
            [
                "序号",
                "活动日期",
                "活动名称",
                "活动类型",
                "组织团支部",
                "参与人数",
                "志愿者服务人数及时长统计",
                None,
                "地点",
            ],
            [None, None, None, None, None, None, "人数", "小时", None],
            ["总合计", None, None, None, None, 85, 15, None, None],  # a total row at the top
            ["（三月份）"],
            [1, "3.12", "植树造林", "志愿服务", "塔岗村支部", 20, 10, 2, "塔岗村"],
            [
                2,
                "3.12",
                "“植树 造林”",
                "志愿服务",
                "塔岗村团支部",
                20,
                10,
                2,
                "塔岗村",
            ],  # the same activity again
            ["小计", None, None, None, None, 20, 10, None, None],
            ["（五月份）"],
            [
                3,
                dt.datetime(2022, 5, 4),
                "五四青年节主题团日",
                "思想引领",
                "镇团委",
                50,
                None,
                None,
                "镇政府",
            ],
            [4, "2022年5月20日", "环境整治", None, "新华社区", 15, 5, 3, None],
            ["合计", None, None, None, None, 85, 15, None, None],
            ["填表人：张三    审核人：李四"],
        ],
        "活动台账",
        merges=["G2:H2", *[f"{c}2:{c}3" for c in "ABCDEFI"]],
    )
    result = run(raw, config)
    src = result.sources[0]
    assert src.header_rows == [2, 3]
    assert src.skipped == {"totals": 3, "sections": 2, "notes": 1, "headers": 0}
    assert (src.rows_read, src.kept, src.duplicates, src.rejected) == (10, 3, 1, 0)
    acts = result.tables["activities"].set_index("name")
    assert acts.loc["植树造林", "volunteer_hours"] == 20.0  # 10 volunteers × 2 hours
    assert acts.loc["环境整治", "volunteer_hours"] == 15.0
    assert acts.loc["环境整治", "section"] == "volunteer"  # no type: keyword rule on the name
    assert acts.loc["环境整治", "organiser"] == "新华社区团支部"
    assert acts.loc["五四青年节主题团日", "organiser"] == "镇团委"
    assert acts["participants"].sum() == 85  # totals rows never counted


# -- trap 3: a header cell overwritten by a data value; stray formulas; empty trailing cells -----------


def test_header_overwritten_by_data(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "学习.xlsx",
        [
            ["期数", "姓名", "塔岗村团支部", "报名时间"],  # 归属组织 was overwritten with a value
            ["第十二季第5期", "张三", "塔岗村团支部", "2022-03-06 19:45:12"],
            ["第十二季第5期", "李四", "塔岗村支部", "2022-03-06 20:45:12"],
            ["第十二季第5期", "王五", "新华社区", "2022-03-07 08:00:00"],
        ],
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "study")
    assert any("按内容识别" in note for note in src.notes)
    study = result.tables["study_records"]
    assert set(study["match"]) == {"name_branch"}
    assert set(study["branch"]) == {"塔岗村团支部", "新华社区团支部"}


def test_rows_of_days_times_and_codes_are_never_a_header(tmp_path, config):
    """A punch log cut below its header: each row holds a day, a time of day, an account code and a branch.
    Such a row is data (as the doubt says of a header holding them), so no row is taken for the header:
    the sheet is listed as not recognised rather than read under a data row."""
    raw = tmp_path / "raw"
    roster(raw)
    rule, post, branch = "团干部每月学习打卡", "团支部书记", "测试镇团委/塔岗村"
    rows = [
        [f"2022/0{m}/0{d} 星期一", name, f"TW000{i}", branch, post, rule, f"1{d}:0{m}", "正常", "学习团章"]
        for m in (1, 2, 3)
        for d, (i, name) in zip((3, 4), enumerate(("张三", "李四"), start=1), strict=True)
    ]
    xlsx(raw / "打卡记录.xlsx", rows, "打卡记录")
    result = run(raw, config)
    assert [u["file"] for u in result.unknown_sheets] == ["打卡记录.xlsx"]
    assert result.unsure_sheets == [] and not [s for s in result.sources if s.file == "打卡记录.xlsx"]


def test_formula_without_value_and_trailing_cells(tmp_path, config):
    raw = tmp_path / "raw"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["活动日期", "活动名称", "组织团支部", "参与人数"])
    ws.append(["2022-03-01", "快乐阅读", "塔岗村", "=1+1"])  # a formula with no cached value
    ws.append(["2022-03-02", "普法宣传", "塔岗村", 12])
    ws.cell(row=40, column=12).number_format = "0.00"  # formatted but empty cells far away
    raw.mkdir()
    wb.save(raw / "台账.xlsx")
    result = run(raw, config)
    acts = result.tables["activities"].set_index("name")
    assert pd.isna(acts.loc["快乐阅读", "participants"])
    assert acts.loc["普法宣传", "participants"] == 12
    assert result.sources[0].rows_read == 2


# -- trap 5: ID numbers as numbers, lowercase x, 学号 and 入团年月 as floats --------------------------


@pytest.mark.typed_only
def test_ids_and_codes_stored_as_numbers(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw, extra=[["钱七", "女", 110105200001010016, "新华社区团支部", 2019.1, "正常", "否", None]])
    result = run(raw, config)
    members = result.tables["members"].set_index("name")
    assert members.loc["张三", "id_masked"] == "110***********002X"  # lowercase x upper-cased, masked
    assert pd.isna(members.loc["钱七", "id_masked"])  # a number lost digits: not used
    assert members.loc["钱七", "join_date"] == pd.Timestamp("2019-10-01")  # 2019.1 = "2019.10"
    assert sorted(members.loc["赵六", "student_no"]) == ["20190101", "20190102"]
    reasons = " ".join(result.warnings["reason"])
    assert "身份证号被存成了数字" in reasons and "按 10 月处理" in reasons
    assert "110105200001010016" not in result.warnings.to_string()  # never shown in full


# -- trap 2: same name in two branches, twice in one branch ------------------------------------------


def test_namesakes(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw)
    study_csv(
        raw / "学习.csv",
        [
            ["第十二季第5期", "王五", "新华社区", "2022-03-06 19:45:12"],  # unique within the branch
            ["第十二季第5期", "王五", "", "2022-03-06 19:46:12"],  # no branch: two 王五 in town
            ["第十二季第5期", "赵六", "测试镇中学", "2022-03-06 19:47:12"],  # two 赵六 in one branch
            ["第十二季第5期", "20190102赵六", "测试镇中学", "2022-03-06 19:48:12"],  # 学号 decides
        ],
    )
    result = run(raw, config)
    study = result.tables["study_records"].sort_values("recorded_at")
    assert list(study["match"]) == ["name_branch", "ambiguous", "ambiguous", "student_no"]
    assert study["member_id"].isna().tolist() == [False, True, True, False]
    assert len(result.ambiguous) == 2


@pytest.mark.parametrize("written", ["roster", "other", "running"])
def test_a_column_named_only_a_number_is_decided_by_its_content(tmp_path, config, written):
    """A platform's sign-up list: ID (its own serial), 姓名, 编号, 归属组织. 编号 says only "a number" (a
    序号 elsewhere): holding the roster's 学号 it tells the two 赵六 of 测试镇中学 apart; codes that are not
    the roster's 学号 are not used (noted); codes counting up the rows are a serial, never a 学号."""
    raw = tmp_path / "raw"
    roster(raw)
    codes = {
        "roster": ["20190102", "20190101", "20200301"],  # 20200301: a student not on the roster
        "other": ["88004512", "88001297", "88003380"],
        "running": ["2022001", "2022002", "2022003"],
    }[written]
    xlsx(
        raw / "测试镇团委-第十二季第5期.xlsx",
        [
            ["ID", "姓名", "编号", "归属组织", "报名时间"],
            [3000006, "赵六", codes[0], "测试镇中学团支部", "2022-03-06 19:45:12"],
            [3000024, "张三", None, "塔岗村团支部", "2022-03-06 19:46:12"],
            [3000031, "赵六", codes[1], "测试镇中学团支部", "2022-03-06 19:47:12"],
            [3000050, "孙八", codes[2], "测试镇中学团支部", "2022-03-06 19:48:12"],
        ],
        "报名列表",
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "study")
    identity = src.recognition["columns"].get("identity")
    study = result.tables["study_records"].sort_values("recorded_at")
    zhao = study[study["name_norm"] == "赵六"]
    if written == "running":
        assert identity is None  # counts up the rows: the platform's serial, like ID
        assert set(zhao["match"]) == {"ambiguous"} and zhao["member_id"].isna().all()
        return
    assert (identity["how"], identity["header"]) == ("code", "编号")
    if written == "roster":
        assert list(zhao["match"]) == ["student_no", "student_no"]
        assert zhao["member_id"].nunique() == 2
        assert any("编号" in n and "学号" in n and "67%" in n for n in src.notes)
    else:
        assert set(zhao["match"]) == {"ambiguous"} and zhao["member_id"].isna().all()
        assert zhao["student_no"].isna().all()
        assert any("没有作为学号使用" in n for n in src.notes)


def test_lookup_sheets_are_listed_not_read(tmp_path, config):
    """A template's 数据字典 / 下拉选项 sheets (hidden, or named so) hold the options offered when filling it
    in — lists of periods, branches, names — never records: skipped and listed with their rows. A hidden
    sheet of records (last year's, repeating its period) is read as records all the same."""
    raw = tmp_path / "raw"
    roster(raw)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "学习记录"
    for row in [
        ["期数", "姓名", "归属组织", "报名时间"],
        ["第十二季第5期", "张三", "塔岗村团支部", "2022-03-06 19:45:12"],
        ["第十二季第5期", "李四", "塔岗村团支部", "2022-03-06 20:45:12"],
    ]:
        ws.append(row)
    options = wb.create_sheet("下拉选项")  # named: skipped whether hidden or not
    for row in [["期数", "归属组织", "姓名"], ["第十二季第1期", "塔岗村团支部", "张三"],
                ["第十二季第2期", "新华社区团支部", "李四"], ["第十二季第3期", "测试镇中学团支部", "王五"]]:  # fmt: skip
        options.append(row)
    hidden = wb.create_sheet("Sheet3")  # hidden, unnamed: columns of distinct options of unequal length
    hidden.sheet_state = "hidden"
    for row in [["所在团支部", "是否", "期次"], ["塔岗村团支部", "是", "第十二季第1期"],
                ["新华社区团支部", "否", "第十二季第2期"], ["测试镇中学团支部", None, "第十二季第3期"]]:  # fmt: skip
        hidden.append(row)
    old = wb.create_sheet("去年")  # hidden records: the period repeats down the column
    old.sheet_state = "hidden"
    for row in [["期数", "姓名", "归属组织", "报名时间"], ["第十一季第5期", "张三", "塔岗村团支部", "2021-03-06 19:45:12"],
                ["第十一季第5期", "李四", "塔岗村团支部", "2021-03-06 20:45:12"]]:  # fmt: skip
        old.append(row)
    wb.save(raw / "学习.xlsx")
    result = run(raw, config)
    assert [(u["sheet"], u["rows"]) for u in result.lookup_sheets] == [("下拉选项", 4), ("Sheet3", 4)]
    assert "隐藏" in result.lookup_sheets[1]["message"]
    assert {s.sheet for s in result.sources if s.file == "学习.xlsx"} == {"学习记录", "去年"}
    assert len(result.tables["study_records"]) == 4  # this year's two and last year's two (other periods)
    listed = rejected_sheets(result)["未导入的文件"]["文件"].tolist()
    assert "学习.xlsx（下拉选项）" in listed and "学习.xlsx（Sheet3）" in listed
    assert result.report()["lookup_sheets_skipped"] == result.lookup_sheets


# -- trap 7: full-width characters and spaces; unknown branches with a suggestion ---------------------


def test_fullwidth_and_unknown_branches(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw, extra=[["孙八", "男", None, "塔刚村团支部", "2020-01", "正常", "否", None]])
    study_csv(
        raw / "学习.csv",
        [
            [
                "第十二季第5期",
                "\u3000李四\u00a0",
                "塔岗村\u3000团支部",
                "２０２２－０３－０６ １９:４５:１２",
            ],
        ],
        encoding="utf-8",
    )
    result = run(raw, config)
    rec = result.tables["study_records"].iloc[0]
    assert (rec["branch"], rec["match"], rec["recorded_at"]) == (
        "塔岗村团支部",
        "name_branch",
        pd.Timestamp("2022-03-06 19:45:12"),
    )
    rejected = result.rejected.iloc[0]
    assert rejected["row"] == 9 and "最接近的是“塔岗村团支部”" in rejected["reason"]


# -- encodings and file kinds -------------------------------------------------------------------------


def test_encodings_and_disguised_files(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw)
    rows = [["第十二季第5期", "张三", "塔岗村", "2022-03-06 19:45:12"]]
    study_csv(raw / "gbk.csv", rows, encoding="gbk")
    study_csv(
        raw / "bom.csv", [["第十二季第6期", "张三", "塔岗村", "2022-03-13 19:45:12"]], encoding="utf-8-sig"
    )
    xlsx(
        raw / "renamed.xls",
        [
            ["期数", "姓名", "归属组织", "报名时间"],
            ["第十二季第7期", "李四", "塔岗村", "2022-03-20 10:00:00"],
        ],
    )
    html = (
        '<html><head><meta charset="gbk"></head><body><table>'
        "<tr><th colspan=4>青年大学习记录</th></tr>"
        "<tr><th>期数</th><th>姓名</th><th>归属组织</th><th>报名时间</th></tr>"
        "<tr><td>第十二季第8期</td><td>王五</td><td>新华社区</td><td>2022-03-27 10:00:00</td></tr>"
        "</table></body></html>"
    )
    (raw / "web.xls").write_bytes(html.encode("gbk"))
    result = run(raw, config)
    assert result.failures == []
    periods = set(result.tables["study_records"]["period"])
    assert periods == {"第12季第5期", "第12季第6期", "第12季第7期", "第12季第8期"}


def test_unusable_files_do_not_stop_the_year(tmp_path, config, capsys):
    raw = tmp_path / "raw"
    roster(raw)
    (raw / "空文件.xlsx").write_bytes(b"")
    (raw / "图片.xlsx").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    xlsx(raw / "无表头.xlsx", [["随便写的"], ["一些", "内容"], [1, 2]])
    result = run(raw, config)
    messages = {f["file"]: f["message"] for f in result.failures}
    assert "文件为空" in messages["空文件.xlsx"]
    assert "不是可识别的表格文件" in messages["图片.xlsx"]
    assert [u["file"] for u in result.unknown_sheets] == ["无表头.xlsx"]
    assert len(result.tables["members"]) == 6
    code = main(
        [
            "ingest",
            "--year",
            "2022",
            "--raw",
            str(raw),
            "--processed",
            str(tmp_path / "p"),
            "--config",
            str(config.source),
        ]
    )
    out = capsys.readouterr().out
    # the roster is imported; the unreadable files are serious gaps the analyst must see before a report
    assert code == 4 and "未导入" in out and "严重缺口：【无法读取的文件：图片.xlsx】" in out
    assert "Traceback" not in out


def test_cli_errors_are_chinese_paragraphs(tmp_path, capsys):
    bad = tmp_path / "bad.yml"
    bad.write_text("town: [\n", encoding="utf-8")
    assert main(["ingest", "--year", "2022", "--raw", str(tmp_path), "--config", str(bad)]) == 2
    assert "YAML 格式错误" in capsys.readouterr().out
    good = tmp_path / "good.yml"
    good.write_text(TOWN, encoding="utf-8")
    assert main(["ingest", "--year", "2022", "--raw", str(tmp_path / "nope"), "--config", str(good)]) == 2
    out = capsys.readouterr().out
    assert "找不到原始数据文件夹" in out and "Traceback" not in out


# -- trap 1 and 9: duplicates, blanks, period spellings, repeated 特辑 titles ------------------------------


def test_duplicates_blanks_and_specials(tmp_path, config):
    raw = tmp_path / "raw"
    roster(raw)
    study_csv(
        raw / "学习.csv",
        [
            ["第十二季第5期", "张三", "塔岗村", "2022-03-06 19:45:12"],
            [
                " 第十二季第五期",
                "张三",
                "塔岗村",
                "2022-03-06 19:49:12",
            ],  # duplicate submission, other spelling
            ["第十二季第5期", "", "塔岗村", "2022-03-06 19:50:00"],  # no name: rejected
            ["特辑", "张三", "塔岗村", "2022-07-01 10:00:00"],
            ["特辑", "李四", "塔岗村", "2022-07-02 10:00:00"],
            ["特辑", "张三", "塔岗村", "2022-10-17 10:00:00"],  # the same title, another lesson
        ],
        encoding="utf-8",
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "study")
    assert (src.rows_read, src.kept, src.rejected, src.duplicates) == (6, 4, 1, 1)
    assert result.rejected.iloc[0]["reason"] == "缺少姓名或学号"
    periods = result.tables["study_records"].groupby("period").size().to_dict()
    assert periods == {"第12季第5期": 1, "特辑:特辑(07-01)": 2, "特辑:特辑(10-17)": 1}


# -- configuration: the analyst's own column aliases and file pins ------------------------------------


def test_analyst_aliases_and_file_pins(tmp_path):
    cfg = tmp_path / "town.yml"
    cfg.write_text(
        TOWN
        + "columns:\n  activities:\n    participants: [到场团员数]\n    activity_name: [事项]\n"
        + "files:\n  '*签到*': participants\n",
        encoding="utf-8",
    )
    config = load_config(cfg)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "台账.xlsx",
        [["活动日期", "事项", "组织团支部", "到场团员数"], ["2022-03-01", "快乐阅读", "塔岗村", 9]],
    )
    # a sign-in sheet with a header the built-in aliases would not take for a participant list
    xlsx(raw / "活动签到表.xlsx", [["活动名称", "姓名", "团支部"], ["快乐阅读", "李四", "塔岗村"]])
    result = run(raw, config)
    act = result.tables["activities"].iloc[0]
    assert (act["name"], act["participants"]) == ("快乐阅读", 9)
    parts = result.tables["activity_participants"]
    assert list(parts["match"]) == ["name_branch"]


def test_unknown_alias_key_is_a_config_error(tmp_path):
    from analysis.common.errors import ConfigError

    cfg = tmp_path / "town.yml"
    cfg.write_text(TOWN + "columns:\n  activities:\n    not_a_column: [x]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="不是活动台账的列"):
        load_config(cfg)


def test_join_month_written_2019_1_is_flagged(tmp_path, config, reader):
    """Text "2019.1" is January; a number 2019.1 (typed reader) is "2019.10" → October; either way a warning."""
    raw = tmp_path / "raw"
    roster(raw, extra=[["钱七", "女", None, "新华社区团支部", "2019.1", "正常", "否", None]])
    result = run(raw, config)
    member = result.tables["members"].set_index("name").loc["钱七"]
    assert member["join_date"] == pd.Timestamp("2019-01-01")
    assert any("2019.1" in r for r in result.warnings["reason"])
