"""Random messy cells under every export kind's header: the ingest never crashes, never reports an
internal error, and the row accounting always balances."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
import pytest

from analysis.common.config import load_config
from analysis.common.vocabulary import builtin
from analysis.ingest.pipeline import ingest_year

TOWN = "town: 测试镇\nbranches:\n  - {name: 塔岗村团支部, type: 村, aliases: [塔岗村]}\n  - {name: 新华社区团支部, type: 社区}\n"
POOL = [
    None, "", " ", "\u3000", 0, -3, 12, 3.5, 6.3, 2019.1, 44621, 1e17, 110105194912310029, True,
    "合计", "小计：", "（三月份）", "=1+1", "'", "张三", "阿依古丽·买买提", "20190101张三", "张三-20190101",
    "11010519491231002x", "13812345678", "塔岗村", "塔刚村支部", "镇团委", "新华社区 团支部", "2022-03-06 19:45:12",
    "2022年3月5日", "2022.13.45", "6.30", "三月", "第十二季第五期", " 2022年第16期", "五四特辑", "12", "是", "否", "√",
    "优秀", "五星", "4星", "500元", "1,036", "全体团员", "x" * 300, dt.datetime(2022, 5, 4, 10, 0), dt.date(2021, 12, 31),
]  # fmt: skip


def _header(kind: str, rng: random.Random) -> list[str]:
    spec = builtin().kinds[kind]
    names = [col.label for col in spec.columns.values()]
    rng.shuffle(names)
    return names[: rng.randint(min(len(spec.requires) + 2, len(names)), len(names))]


@pytest.mark.parametrize("seed", range(12))
def test_random_cells_never_crash(seed: int, tmp_path: Path):
    rng = random.Random(seed)
    (tmp_path / "town.yml").write_text(TOWN, encoding="utf-8")
    config = load_config(tmp_path / "town.yml")
    raw = tmp_path / "raw"
    raw.mkdir()
    for kind in builtin().kinds:
        wb = openpyxl.Workbook()
        ws = wb.active
        if rng.random() < 0.5:
            ws.append([f"{kind} 导出"])  # a title row
        header = _header(kind, rng)
        ws.append(header)
        for _ in range(rng.randint(1, 25)):
            ws.append([rng.choice(POOL) for _ in header])
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
        wb.save(raw / f"{kind}.xlsx")
    result = ingest_year(raw, config, 2022)
    assert not [f for f in result.failures if "内部错误" in f["message"]], result.failures
    assert all(s.balanced() for s in result.sources)
