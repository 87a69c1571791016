"""Each export shape quoted in issue 11 ("Why"), built as a small file and ingested to numbers worked out by
hand next to the input. Every test runs through both xlsx readers (typed cells and column-wise)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from analysis.common.config import load_config
from analysis.indicators import catalogue
from analysis.ingest.pipeline import ingest_year
from analysis.processed.load import Tables

TOWN = """
town: 测试镇
branches:
  - {name: 塔岗村团支部, type: 村, aliases: [塔岗村支部]}
  - {name: 新华社区团支部, type: 社区}
  - {name: 柳河村团支部, type: 村}
years:
  2022: {recruitment_quota: 3}
"""

COLLEGE = """
town: 示例学院
branches:
  - {name: 计科2101班团支部, type: 学校, aliases: [计科2101班]}
  - {name: 计科2102班团支部, type: 学校, aliases: [计科2102班]}
  - {name: 英语2101班团支部, type: 学校, aliases: [英语2101班]}
parents:
  - {name: 信息学院团委, aliases: [信息学院], branches: [计科2101班团支部, 计科2102班团支部]}
"""


@pytest.fixture(params=["typed", "columnar"], autouse=True)
def reader(request, monkeypatch):
    from analysis.ingest import readers

    if request.param == "columnar":
        monkeypatch.setattr(readers, "COLUMNAR_BYTES", 0)
    return request.param


def _config(tmp_path: Path, text: str = TOWN):
    path = tmp_path / "town.yml"
    path.write_text(text, encoding="utf-8")
    return load_config(path)


def xlsx(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for m in (merges or {}).get(title, []):
            ws.merge_cells(m)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def roster(raw: Path) -> None:
    """Six members: 张三 twice (塔岗村 and 新华社区), 李四, 王五, 赵六 (a cadre), 孙七."""
    xlsx(
        raw / "名册.xlsx",
        {
            "团员信息": [
                ["姓名", "性别", "所在团支部", "政治面貌", "团籍状态", "是否团干部"],
                ["张三", "男", "塔岗村团支部", "共青团员", "正常", "否"],
                ["张三", "男", "新华社区团支部", "共青团员", "正常", "否"],
                ["李四", "女", "塔岗村团支部", "共青团员", "正常", "否"],
                ["王五", "男", "新华社区团支部", "共青团员", "正常", "否"],
                ["赵六", "女", "柳河村团支部", "中共党员", "正常", "是"],
                ["孙七", "女", "柳河村团支部", "共青团员", "正常", "是"],
            ]
        },
    )


def run(raw: Path, config, year: int = 2022):
    result = ingest_year(raw, config, year)
    assert all(s.balanced() for s in result.sources)
    assert not [f for f in result.failures if "内部错误" in f["message"]], result.failures
    return result


def headline(result, config, year: int = 2022) -> dict[str, float]:
    return catalogue.headline(Tables(year=year, folder=Path("."), frames=dict(result.tables)), config, year)


def test_recruitment_ledger_with_stage_times_is_not_a_second_roster(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "发展.xlsx",
        {
            "Sheet1": [
                [
                    "姓名",
                    "身份证号",
                    "所在团支部",
                    "递交入团申请书时间",
                    "确定为入团积极分子时间",
                    "确定为发展对象时间",
                    "入团时间",
                    "发展团员编号",
                ],
                [
                    "周八",
                    "110105200401010011",
                    "塔岗村团支部",
                    "2021-09-01",
                    "2021-12-01",
                    "2022-03-01",
                    "2022-05-04",
                    "202200000001",
                ],
                [
                    "吴九",
                    "110105200402020027",
                    "新华社区团支部",
                    "2022-02-01",
                    "2022-06-01",
                    None,
                    None,
                    None,
                ],
            ]
        },
    )
    result = run(raw, config)
    kinds = {s.file: s.kind for s in result.sources}
    assert kinds["发展.xlsx"] == "recruitment"
    src = next(s for s in result.sources if s.file == "发展.xlsx")
    assert src.recognition["runner_up"] is None or src.recognition["margin"] >= 2
    got = headline(result, config)
    assert got["org.members"] == 6  # the roster alone
    # by hand: 周八 joined 2022-05-04 (1); applications in 2022: 吴九 (1); activists: 吴九 (1); targets: 周八 (1)
    assert (got["rec.new_members"], got["rec.applications"], got["rec.activists"], got["rec.targets"]) == (
        1,
        1,
        1,
        1,
    )
    assert got["rec.quota"] == 3


def test_study_workbook_with_one_sheet_per_period(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    header = ["姓名", "归属组织", "报名时间"]
    xlsx(
        raw / "大学习.xlsx",
        {
            "第十四季第5期": [
                ["青年大学习第十四季第5期学习情况"],
                header,
                ["李四", "塔岗村团支部", "2022-05-09 19:00:00"],
                ["王五", "新华社区团支部", "2022-05-09 20:00:00"],
                ["赵六", "柳河村团支部", "2022-05-10 08:00:00"],
            ],
            "第十四季第6期": [
                ["青年大学习第十四季第6期学习情况"],
                header,
                ["李四", "塔岗村支部", "2022-05-16 19:00:00"],
                ["孙七", "柳河村团支部", "2022-05-16 21:00:00"],
            ],
        },
    )
    result = run(raw, config)
    study = result.tables["study_records"]
    assert sorted(study["period"].unique()) == ["第14季第5期", "第14季第6期"]
    src = [s for s in result.sources if s.kind == "study"]
    assert {s.recognition["columns"]["period"]["how"] for s in src} == {"sheet"}
    got = headline(result, config)
    # by hand, 6 members: period 5 → 3 of 6, period 6 → 2 of 6; mean (0.5 + 1/3) / 2
    assert got["study.periods"] == 2
    assert got["study.learner_times"] == 5
    assert got["study.member_rate"] == pytest.approx((3 / 6 + 2 / 6) / 2)
    assert got["study.member_rate.柳河村团支部"] == pytest.approx((1 / 2 + 1 / 2) / 2)


def test_study_details_with_times_whose_year_is_only_in_the_title(tmp_path):
    """A statistics desk's detail sheet: 学习时间 written 3月7日 20:15 / 3月7日20时15分, the year only in the
    title rows above the header; the records are dated by it (and each one warned as year-less)."""
    from analysis.ingest.recognise import _year_hint

    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "参学情况统计.xlsx",
        {
            "3月明细": [
                ["2021年3月“青年大学习”参学人员明细"],
                ["填报单位：示例镇团委        统计时段：2021年1月1日至12月31日"],
                ["序号", "期次", "团支部", "姓名", "学习时间"],
                [1, "第十四季第5期", "塔岗村团支部", "李四", "3月7日 20:15"],
                [2, "第十四季第5期", "新华社区团支部", "王五", "3月7日21时05分"],
                [3, "第十四季第6期", "柳河村团支部", "孙七", "3月14日 08:30"],
            ]
        },
    )
    result = run(raw, config, year=2021)
    study = result.tables["study_records"]
    assert sorted(study["recorded_at"].dt.strftime("%Y-%m-%d %H:%M")) == [
        "2021-03-07 20:15",
        "2021-03-07 21:05",
        "2021-03-14 08:30",
    ]
    assert headline(result, config, 2021)["study.periods"] == 2
    # the year is taken from a text naming exactly one year; one naming two says nothing
    assert _year_hint([("title", "2021年—2022年第一学期"), ("file", "2022年统计.xlsx")], 2020)[0] == 2022
    assert _year_hint([("title", "2021年至2022年")], 2020) == (2020, "")


def test_participant_list_grouped_by_heading_rows(tmp_path):
    """A desk's list of participants: one header, then each activity as a heading row merged across the
    table (一、NAME（M月D日，place，共N人）) with its people below; each row takes its heading's name and date."""
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "重点活动参加人员名单.xlsx",
        {
            "名单": [
                ["2022年重点活动参加人员名单"],
                ["序号", "姓名", "所在团支部", "备注"],
                ["一、团干部培训（3月30日，镇会议室，共2人）"],
                [1, "李四", "塔岗村团支部", None],
                [2, "赵六", "柳河村团支部", None],
                ["二、五四青年座谈会（5月4日，镇文化站，共1人）"],
                [1, "王五", "新华社区团支部", None],
            ]
        },
        merges={"名单": ["A3:D3", "A6:D6"]},
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.file == "重点活动参加人员名单.xlsx")
    assert src.kind == "participants"
    assert src.skipped["headings"] == 2
    got = result.tables["activity_participants"]
    assert sorted(zip(got["activity_name"], got["date"].dt.strftime("%m-%d"), got["name"], strict=True)) == [
        ("五四青年座谈会", "05-04", "王五"),
        ("团干部培训", "03-30", "李四"),
        ("团干部培训", "03-30", "赵六"),
    ]


def test_transfer_export_with_paths_and_status(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "转接.xlsx",
        {
            "Sheet1": [
                ["姓名", "转出组织", "转入组织", "办理时间", "状态"],
                [
                    "李四",
                    "某省某市某县测试镇团委塔岗村支部",
                    "某省某市某县测试镇团委新华社区团支部",
                    "2022-06-15",
                    "已完成",
                ],
                [
                    "孙七",
                    "某省某市某县测试镇团委柳河村团支部",
                    "某省某市某县测试镇团委塔岗村团支部",
                    "2022-07-01",
                    "待审核",
                ],
            ]
        },
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.file == "转接.xlsx")
    assert src.kind == "transfers"
    assert src.skipped == {"totals": 0, "sections": 0, "notes": 0, "headers": 0, "not_done": 1}
    transfers = result.tables["transfers"]
    assert list(transfers["to_branch"]) == ["新华社区团支部"]
    assert list(transfers["from_branch"]) == ["塔岗村团支部"]
    assert transfers["member_id"].notna().all()


@pytest.mark.parametrize("merged", [True, False])
def test_checkins_with_month_merged_down_each_block(tmp_path, merged):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    rows = [["2022年团干部学习打卡"], ["月份", "团支部", "团干部姓名", "是否打卡"]]
    merges = []
    for month in range(1, 13):
        first = len(rows) + 1
        rows.append([f"{month}月", "柳河村团支部", "赵六", "是"])
        rows.append([None, "柳河村团支部", "孙七", "是" if month % 2 else "否"])
        rows.append([None, "塔岗村团支部", "不在名册", "是"])
        merges.append(f"A{first}:A{first + 2}")
    xlsx(raw / "打卡.xlsx", {"打卡": rows}, {"打卡": merges if merged else []})
    result = run(raw, config)
    src = next(s for s in result.sources if s.file == "打卡.xlsx")
    assert (src.rows_read, src.kept, src.rejected) == (36, 36, 0)
    assert any("填充" in note for note in src.notes)
    assert src.recognition["columns"]["month"]["filled"] == 24  # two cells below each month's first row
    got = headline(result, config)
    # by hand: cadres 赵六 and 孙七; odd months 2/2, even months 1/2 → mean 0.75
    assert got["cadre.checkin_rate"] == pytest.approx(0.75)


@pytest.mark.parametrize(
    "layout",
    ["file_chinese", "file_month", "folder"],
)
def test_platform_signup_list_with_the_period_only_in_a_name(tmp_path, layout):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    name = {
        "file_chinese": "测试镇团委-第十一期.xlsx",
        "file_month": "测试镇团委-202205.xlsx",
        "folder": "第五期/第5期.xlsx",
    }[layout]
    xlsx(
        raw / name,
        {
            "报名列表": [
                ["ID", "姓名", "编号", "归属组织", "报名时间"],
                [1, "李四", "88231", "塔岗村团支部", "2022-05-09 19:00:00"],
                [2, "王五", "88232", "新华社区团支部", "2022-05-09 20:00:00"],
                [3, "路人甲", "88233", "新华社区团支部", "2022-05-10 20:00:00"],
            ]
        },
    )
    result = run(raw, config)
    study = result.tables["study_records"]
    want = {"file_chinese": "2022年第11期", "file_month": "2022年5月", "folder": "2022年第5期"}[layout]
    assert set(study["period"]) == {want}
    got = headline(result, config)
    assert got["study.learner_times"] == 3  # two members and one non-member
    assert got["study.member_rate"] == pytest.approx(2 / 6)


def college_roster(raw: Path) -> None:
    """Four students: 张三 in 计科2101 and in 计科2102 (both under 信息学院), 李四, and 王五 of 英语2101."""
    xlsx(
        raw / "名册.xlsx",
        {
            "Sheet1": [
                ["姓名", "团支部", "政治面貌"],
                ["张三", "计科2101班团支部", "共青团员"],
                ["张三", "计科2102班团支部", "共青团员"],
                ["李四", "计科2101班团支部", "共青团员"],
                ["王五", "英语2101班团支部", "共青团员"],
            ]
        },
    )


def test_college_export_with_the_class_as_branch(tmp_path):
    config = _config(tmp_path, COLLEGE)
    raw = tmp_path / "raw"
    college_roster(raw)
    xlsx(
        raw / "第5期" / "学习记录.xlsx",
        {
            "Sheet1": [
                ["序号", "时间", "姓名", "学院", "班级"],
                [1, "2022-03-07 10:00:00", "张三", "信息学院", "计科2101班"],
                [2, "2022-03-07 11:00:00", "张三", "信息学院", "计科2102班"],
                [3, "2022-03-07 12:00:00", "王五", "外语学院", "英语2101班"],
            ]
        },
    )
    result = run(raw, config)
    study = result.tables["study_records"]
    assert len(study) == 3  # two students named 张三 in different classes are two records
    assert set(study["match"]) == {"name_branch"}
    src = next(s for s in result.sources if s.kind == "study")
    assert src.recognition["columns"]["branch"]["header"] == "班级"
    got = headline(result, config)
    assert got["study.member_rate"] == pytest.approx(3 / 4)


def test_records_under_the_committee_or_a_parent_are_matched_by_name(tmp_path):
    config = _config(tmp_path, COLLEGE)
    raw = tmp_path / "raw"
    college_roster(raw)
    xlsx(
        raw / "示例学院团委-第十一期.xlsx",
        {
            "报名列表": [
                ["姓名", "归属组织", "报名时间"],
                ["李四", "信息学院", "2022-05-09 19:00:00"],  # unique under 信息学院: matched
                ["张三", "信息学院", "2022-05-09 20:00:00"],  # two 张三 under 信息学院: ambiguous
                ["王五", "某省示例学院团委", "2022-05-10 20:00:00"],  # the committee: matched town-wide
            ]
        },
    )
    result = run(raw, config)
    study = result.tables["study_records"].set_index("name_norm")
    assert study.loc["李四", "match"] == "name_town"
    assert study.loc["王五", "match"] == "name_town"
    assert study.loc["张三", "match"] == "ambiguous"
    assert len(result.ambiguous) == 1  # listed for the analyst, never silently dropped
    got = headline(result, config)
    assert got["study.member_rate"] == pytest.approx(2 / 4)


def test_wide_roster_and_plain_name_branch_roster(tmp_path):
    config = _config(tmp_path)
    for shape in ("wide", "plain"):
        raw = tmp_path / shape
        if shape == "wide":
            rows = [
                ["塔岗村团支部", "新华社区团支部", "柳河村团支部"],
                ["张三", "张三", "赵六"],
                ["李四", "王五", "孙七"],
                [None, "钱八", None],
            ]
        else:
            rows = [["姓名", "团支部"]] + [
                [n, b]
                for n, b in (
                    ("张三", "塔岗村团支部"),
                    ("李四", "塔岗村团支部"),
                    ("张三", "新华社区团支部"),
                    ("王五", "新华社区团支部"),
                    ("钱八", "新华社区团支部"),
                    ("赵六", "柳河村团支部"),
                    ("孙七", "柳河村团支部"),
                )
            ]
        xlsx(raw / "名单.xlsx", {"Sheet1": rows})
        result = run(raw, config)
        members = result.tables["members"]
        assert sorted(zip(members["name"], members["branch"], strict=True)) == [
            ("孙七", "柳河村团支部"),
            ("张三", "塔岗村团支部"),
            ("张三", "新华社区团支部"),
            ("李四", "塔岗村团支部"),
            ("王五", "新华社区团支部"),
            ("赵六", "柳河村团支部"),
            ("钱八", "新华社区团支部"),
        ], shape
        assert headline(result, config)["org.members"] == 7


def test_plain_list_is_not_taken_as_roster_next_to_a_real_one(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "名单.xlsx",
        {"Sheet1": [["姓名", "团支部"], ["某某", "塔岗村团支部"], ["某乙", "柳河村团支部"]]},
    )
    result = run(raw, config)
    assert headline(result, config)["org.members"] == 6
    assert [u["file"] for u in result.unknown_sheets] == ["名单.xlsx"]
    assert "files" in result.unknown_sheets[0]["message"]


def test_study_without_a_roster_counts_learners_and_says_rates_need_one(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    xlsx(
        raw / "学习.xlsx",
        {
            "Sheet1": [
                ["期数", "姓名", "归属组织", "报名时间"],
                ["第十二季第5期", "李四", "塔岗村团支部", "2022-03-06 19:45:12"],
                ["第十二季第5期", "王五", "新华社区团支部", "2022-03-06 20:45:12"],
                ["第十二季第6期", "李四", "塔岗村团支部", "2022-03-13 19:45:12"],
            ]
        },
    )
    result = run(raw, config)
    got = headline(result, config)
    assert got["study.learner_times"] == 3
    assert got["study.periods"] == 2
    assert "study.member_rate" not in got
    assert any("名册" in note for note in result.notes)


def test_ingest_report_records_kind_runner_up_and_sources(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "测试镇团委-第十一期.xlsx",
        {
            "Sheet1": [
                ["姓名", "归属组织", "报名时间"],
                ["李四", "塔岗村团支部", "2022-05-09 19:00:00"],
                ["王五", "新华社区", "2022-05-09 20:00:00"],
                ["赵六", "柳河村团支部", "2022-05-09 21:00:00"],
            ]
        },
    )
    report = run(raw, config).report()
    study = next(s for s in report["sources"] if s["kind"] == "study")
    rec = study["recognition"]
    assert rec["header_rows"] == [1]
    assert rec["columns"]["period"]["how"] == "file" and rec["columns"]["period"]["value"] == "第十一期"
    assert rec["columns"]["name"]["how"] == "header" and rec["columns"]["name"]["header"] == "姓名"
    assert {"runner_up", "margin", "score"} <= set(rec)
    assert json.loads(json.dumps(report, ensure_ascii=False))["sources"] == report["sources"]  # serialisable


def test_study_tally_with_periods_as_columns(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "学习统计.xlsx",
        {
            "Sheet1": [
                ["姓名", "团支部", "第十四季第5期", "第十四季第6期", "第十四季第7期"],
                ["李四", "塔岗村团支部", "√", "√", None],
                ["王五", "新华社区团支部", "2022-05-16", "×", "√"],
                ["赵六", "柳河村团支部", None, None, None],
                ["合计", None, 2, 1, 1],
            ]
        },
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "study")
    assert src.recognition["wide"] == {"axis": "period", "columns": 3}
    study = result.tables["study_records"]
    assert sorted(zip(study["name_norm"], study["period"], strict=True)) == [
        ("李四", "第14季第5期"), ("李四", "第14季第6期"), ("王五", "第14季第5期"), ("王五", "第14季第7期"),
    ]  # fmt: skip
    assert src.skipped["not_studied"] == 1  # 王五's ×
    assert study.loc[study["name_norm"] == "王五", "recorded_at"].notna().sum() == 1  # the date cell


def test_checkin_matrix_with_months_as_columns(tmp_path):
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    xlsx(
        raw / "打卡.xlsx",
        {
            "打卡": [
                ["2022年团干部学习打卡"],
                ["团支部", "姓名", "1月", "2月", "3月", "4月"],
                ["柳河村团支部", "赵六", "√", "2022-02-08", "已打卡", "√"],
                ["柳河村团支部", "孙七", "×", "√", None, "√"],
            ]
        },
    )
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "checkin")
    assert src.recognition["wide"]["axis"] == "month"
    got = headline(result, config)
    # by hand: Jan 1/2, Feb 2/2, Mar 1/2 (孙七's blank cell is no evidence), Apr 2/2 → mean 0.75
    assert got["cadre.checkin_rate"] == pytest.approx((0.5 + 1 + 0.5 + 1) / 4)


PUNCH_HEAD = [
    "时间",
    "姓名",
    "账号",
    "部门",
    "职务",
    "所属规则",
    "打卡类型",
    "打卡时间",
    "打卡状态",
    "打卡地点",
    "备注",
]


def punch(day: str, name: str, time: str, status: str, kind: str = "上班打卡", place: str = "测试镇柳河村"):
    """One row of a 企业微信-style punch log: the day with its weekday, the time of day apart."""
    account = {"赵六": "TW0001", "孙七": "TW0002"}[name]
    weekday = "一二三四五六日"[dt.date.fromisoformat(day).weekday()]
    when = f"{day.replace('-', '/')} 星期{weekday}"
    return [
        when,
        name,
        account,
        "测试镇团委/柳河村",
        "团支部书记",
        "团干部每月学习打卡",
        kind,
        time,
        status,
        place,
        "",
    ]


def test_punch_log_is_read_as_checkins_by_cadre_month(tmp_path):
    """A punch log exported by a work-chat platform: a title, then one row per punch (打卡状态 正常 / 迟到 /
    地点异常 …, or 未打卡 / 缺卡 / 旷工 for none), the day in 时间 with its weekday and the time of day in
    打卡时间 — rows under the header look nothing like a header (days, times, codes, branches). Each
    cadre-month is one row: checked in when any punch was; further punches are folded into it (not
    duplicates) and punches of the next January are set aside, both counted."""
    config = _config(tmp_path)
    raw = tmp_path / "raw"
    roster(raw)
    rows = [
        ["打卡记录  统计时间：2022-01-01 至 2023-01-10  导出时间：2023-01-10 16:02"],
        PUNCH_HEAD,
        punch("2022-01-05", "赵六", "08:59", "正常"),
        punch("2022-01-12", "赵六", "19:02", "迟到", "外出打卡"),
        punch("2022-01-25", "孙七", "--", "未打卡", place=""),
        punch("2022-02-03", "赵六", "--", "缺卡", place=""),
        punch("2022-02-08", "孙七", "20:15", "地点异常", place="示例市"),
        punch("2022-02-09", "孙七", "20:16", "正常"),
        punch("2022-02-21", "赵六", "--", "旷工", place=""),
        punch("2023-01-04", "赵六", "09:30", "正常"),
    ]
    xlsx(raw / "企业微信打卡_2022年.xlsx", {"打卡记录": rows}, {"打卡记录": ["A1:K1"]})
    result = run(raw, config)
    src = next(s for s in result.sources if s.kind == "checkin")
    assert src.header_rows == [2]
    assert (src.rows_read, src.kept, src.duplicates, src.rejected) == (8, 4, 0, 0)
    assert src.skipped["events"] == 3 and src.skipped["other_year_events"] == 1
    checkins = result.tables["cadre_checkins"].sort_values(["month", "name"])
    assert checkins["checked_in"].tolist() == [False, True, True, False]  # Jan 孙七 赵六, Feb 孙七 赵六
    assert checkins["checkin_date"].dt.strftime("%m-%d").fillna("").tolist() == ["", "01-05", "02-08", ""]
    got = headline(result, config)
    # by hand: Jan 1/2 (孙七 未打卡), Feb 1/2 (赵六 缺卡 and 旷工) → 0.5
    assert got["cadre.checkin_rate"] == pytest.approx(0.5)


def test_unread_headers_of_the_kinds_own_vocabulary_do_not_count_against_it(tmp_path):
    """打卡类型 and 打卡地点 go unread in a punch log; they speak of check-ins (打卡) before activities (类型,
    地点), so they leave the reading's score as it is — a 学习内容 column still counts against it."""
    from analysis.ingest.branches import BranchResolver
    from analysis.ingest.readers import read_file
    from analysis.ingest.recognise import Recogniser, SheetContext

    config = _config(tmp_path)
    recogniser = Recogniser(config, BranchResolver(config), 2022)
    keep = [0, 1, 3, 8]  # 时间 姓名 部门 打卡状态
    punches = [punch(f"2022-0{m}-1{m}", n, "08:00", "正常") for m in range(1, 5) for n in ("赵六", "孙七")]

    def score(extra: dict[str, str]) -> float:
        rows = [[PUNCH_HEAD[c] for c in keep] + list(extra)]
        rows += [[r[c] for c in keep] + list(extra.values()) for r in punches]
        path = xlsx(tmp_path / f"{len(rows[0])}.xlsx", {"打卡记录": rows})
        sheet = read_file(path, path.name)[0]
        layouts = recogniser.recognise(sheet, SheetContext(path.name, "打卡记录", 2022))
        assert layouts[0].kind == "checkin"
        return layouts[0].score

    assert score({"打卡类型": "上班打卡", "打卡地点": "测试镇柳河村"}) == score({})
    assert score({"学习内容": "学习团章"}) < score({})


def test_derived_files_next_to_the_records_are_not_records(tmp_path):
    """A college's per-period folder also holds 未学习学生.xlsx and 学习率.xlsx: summaries, never records or
    a roster (the only roster-like sheet of the year would otherwise be a list of non-learners)."""
    config = _config(tmp_path, COLLEGE)
    raw = tmp_path / "raw"
    college_roster(raw)
    folder = raw / "第5期"
    xlsx(folder / "学习记录.xlsx", {"Sheet1": [["序号", "时间", "姓名", "学院", "班级"],
                                              [1, "2022-03-07 10:00:00", "李四", "信息学院", "计科2101班"]]})  # fmt: skip
    xlsx(folder / "未学习学生.xlsx", {"Sheet1": [["序号", "姓名", "学院", "班级"], [1, "张三", "信息学院", "计科2101班"],
                                               [2, "张三", "信息学院", "计科2102班"], [3, "王五", "外语学院", "英语2101班"]]})  # fmt: skip
    xlsx(
        folder / "学习率.xlsx",
        {"Sheet1": [["班级", "应学人数", "已学人数", "学习率"], ["计科2101班", 2, 1, "50%"]]},
    )
    result = run(raw, config)
    assert {s["file"] for s in result.summary_sheets} == {"第5期/未学习学生.xlsx", "第5期/学习率.xlsx"}
    assert len(result.tables["study_records"]) == 1 and len(result.tables["members"]) == 4
