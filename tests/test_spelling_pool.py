"""Every header spelling of the dialect pool (src/tuanwei_sample/spellings.yml) is read as its column, in a
sheet whose other headers are the pool's first spellings: the recognition rules, not an alias list, must
carry each of them."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.ingest.branches import BranchResolver
from analysis.ingest.readers import RawSheet
from analysis.ingest.recognise import Recogniser, SheetContext
from tuanwei_sample.dialects import pool

BRANCHES = ["塔岗村团支部", "柳河村团支部", "新华社区团支部"]
VALUES: dict[str, list] = {
    "name": ["张三", "李四", "王五"],
    "gender": ["男", "女", "男"],
    "birth_date": ["2004-05-01", "2003-01-09", "2005-11-30"],
    "id_number": ["990103200405010017", "990103200301090021", "990103200511300036"],
    "id_type": ["普通居民身份证"] * 3,
    "phone": ["13812345678", "13912345678", "13712345678"],
    "ethnicity": ["汉族"] * 3,
    "political_status": ["共青团员"] * 3,
    "education": ["高中", "本科", "初中"],
    "occupation": ["学生", "农民", "企业职工"],
    "branch": BRANCHES,
    "member_no": ["201900000001", "201900000002", "201900000003"],
    "join_month": ["2019.10", "2018年5月", "2020-03"],
    "status": ["正常", "正常", "满28周岁离团"],
    "leave_date": [None, None, "2022-05-01"],
    "is_cadre": ["是", "否", "否"],
    "position": ["团支部书记", None, None],
    "student_no": ["20190101", "20190102", "20190103"],
    "identity": ["20190101", "20190102", "20190103"],
    "period": ["第十二季第5期", "第十二季第5期", "第十二季第6期"],
    "recorded_at": ["2022-03-06 19:45:12", "2022-03-06 20:45:12", "2022-03-13 19:45:12"],
    "seq": [1, 2, 3],
    "number": ["88231", "88232", "88233"],
    "month": ["2022年1月", "2022年2月", "2022年3月"],
    "checked_in": ["是", "否", "是"],
    "checkin_date": ["2022-01-05", None, "2022-03-07"],
    "date": ["2022-03-12", "2022-05-04", "2022-06-30"],
    "activity_name": ["植树造林", "五四主题团日", "快乐阅读"],
    "activity_type": ["志愿服务", "思想引领", "成长成才"],
    "organiser": ["塔岗村团支部", "镇团委", "新华社区团支部"],
    "participants": [20, 50, 15],
    "volunteers": [10, None, 5],
    "hours_per_person": [2, None, 3],
    "total_hours": [20, None, 15],
    "location": ["塔岗村", "镇政府", "新华社区"],
    "beneficiaries": [100, None, 30],
    "note": [None, "联合团县委开展", None],
    "applied_date": ["2021-09-01", "2022-02-01", "2021-03-05"],
    "activist_date": ["2021-12-01", "2022-06-01", "2021-07-01"],
    "target_date": ["2022-03-01", None, "2022-01-10"],
    "joined_date": ["2022-05-04", None, "2022-05-04"],
    "league_no": ["202200000001", None, "202200000002"],
    "stage": ["已入团", "入团积极分子", "已入团"],
    "programme": ["青檬励学金"] * 3,
    "school": ["示例镇中学", "示例县第一中学", "示例镇中学"],
    "amount": [1000, 1000, 500],
    "score": [92, 85, 71],
    "rating": ["五星", "四星", "三星"],
    "review_result": ["优秀", "合格", "合格"],
    "from_branch": ["塔岗村团支部", "柳河村团支部", "新华社区团支部"],
    "to_branch": ["新华社区团支部", "塔岗村团支部", "柳河村团支部"],
    "status_transfer": ["已完成"] * 3,
}
VALUES_BY_KIND = {("aid", "branch"): ["塔岗村", "柳河村", "新华社区"], ("transfers", "status"): VALUES["status_transfer"],
                  ("aid", "date"): ["2022-09-01"] * 3}  # fmt: skip

CASES = [
    (kind, column, spelling)
    for kind, columns in pool().items()
    for column, spellings in columns.items()
    for spelling in spellings
]


@pytest.fixture(scope="module")
def recogniser():
    config = load_config(paths.SAMPLE_CONFIG)
    return Recogniser(config, BranchResolver(config), 2022)


def _sheet(kind: str, column: str, spelling: str) -> tuple[RawSheet, int]:
    columns = list(pool()[kind])
    header = [spelling if c == column else pool()[kind][c][0] for c in columns]
    body = [[VALUES_BY_KIND.get((kind, c), VALUES[c])[i] for c in columns] for i in range(3)]
    cells = pd.DataFrame([header, *body], dtype=object)
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return RawSheet("导出.xlsx", "Sheet1", cells), columns.index(column)


@pytest.mark.parametrize(("kind", "column", "spelling"), CASES)
def test_pool_spelling_is_read_as_its_column(recogniser, kind, column, spelling):
    sheet, col = _sheet(kind, column, spelling)
    layouts = recogniser.recognise(sheet, SheetContext("导出.xlsx", "Sheet1", 2022))
    assert layouts and not layouts[0].missing, (kind, column, spelling)
    best = layouts[0]
    assert best.kind == kind, (spelling, best.kind, best.score, layouts[1].kind if len(layouts) > 1 else None)
    if column in ("seq", "number"):  # distractor columns of the platform export: read as nothing
        assert col not in best.columns.values() or best.columns.get("seq") == col
        return
    assert best.columns.get(column) == col, (
        spelling,
        {k: best.headers.get(v) for k, v in best.columns.items()},
    )
