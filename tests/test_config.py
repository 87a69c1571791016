"""config/town.yml as a new user writes it: every optional key documented and loadable; Chinese names for
kinds and columns; clear Chinese errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.common import paths
from analysis.common.config import load_config
from analysis.common.errors import ConfigError

CONFIG = paths.ROOT / "config" / "town.yml"


def _uncommented(text: str) -> str:
    """The shipped town.yml with its optional examples switched on (the "# " before each setting removed)."""
    head, optional = text.split("# 以下为可选设置。")
    lines = []
    for line in optional.splitlines():
        if re.match(r"# ([a-z_]+:|  )", line):
            lines.append(line[2:])
    return head + "\n" + "\n".join(lines) + "\n"


def test_every_optional_setting_is_shown_and_loads(tmp_path):
    text = CONFIG.read_text(encoding="utf-8")
    for key in ("parents", "files", "columns", "aid_programmes", "completeness", "accepted_gaps", "limits",
                "committee_aliases", "leave_age"):  # fmt: skip
        assert key in text, key
    path = tmp_path / "town.yml"
    path.write_text(_uncommented(text), encoding="utf-8")
    config = load_config(path)
    assert config.file_kinds == {"*期.xlsx": "study", "名单.xlsx": "roster"}
    assert config.vocabulary.kinds["recruitment"].columns["applied_date"].spellings == ("递交入团申请书时间",)
    assert [p.name for p in config.parents] == ["示例镇社区团总支"]
    assert config.completeness["member_change"] == 0.3
    assert config.accepted_gaps[0]["rule"] == "团支部全年无学习记录"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("town: 镇\nbranch:\n  - {name: A村团支部}\n", "是不是“branches”"),
        ("town: 镇\nbranches:\n  - name: A村团支部\n   aliases: [x]\n", "第 4 行"),
        ("town: 镇\nbranches:\n\t- {name: A}\n", "Tab"),
        (
            "town: 镇\nbranches:\n  - {name: A村团支部, aliases: [B村]}\n  - {name: B村团支部}\n",
            "另一个团支部的名称",
        ),
        ("town: 镇\nbranches:\n  - {name: A村团支部}\nfiles: {'*.xlsx': 学习}\n", "类型“学习”未知"),
        (
            "town: 镇\nbranches:\n  - {name: A村团支部}\ncolumns: {青年大学习: {期: [x]}}\n",
            "不是青年大学习的列",
        ),
        ("town: 镇\nbranches:\n  - {name: A村团支部}\ncompleteness: {member_chang: 0.2}\n", "member_change"),
    ],
)
def test_config_errors_are_chinese_and_point_at_the_problem(tmp_path: Path, text: str, message: str):
    path = tmp_path / "town.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    shown = err.value.render()
    assert message in shown
    assert not re.search(r"[A-Za-z]{5,} [a-z]{3,}", shown.replace(str(path), ""))  # no English sentences


def test_kinds_and_columns_accept_chinese_names(tmp_path):
    path = tmp_path / "town.yml"
    path.write_text(
        "town: 镇\nbranches:\n  - {name: A村团支部}\nfiles: {'*期.xlsx': 青年大学习, '*.csv': 发展团员台账}\n"
        "columns: {组织关系转接: {转入团支部: [接收单位]}}\n",
        encoding="utf-8",
    )
    config = load_config(path)
    assert config.file_kinds == {"*期.xlsx": "study", "*.csv": "recruitment"}
    assert config.vocabulary.kinds["transfers"].columns["to_branch"].spellings == ("接收单位",)


@pytest.mark.slow  # two fresh interpreters
def test_config_fingerprint_is_the_same_in_every_process():
    """The fingerprint decides whether processed data is current: it must not depend on string hashing
    (a set's order), or every run re-ingests."""
    import subprocess
    import sys

    code = (
        "from analysis.common import paths; from analysis.common.config import load_config; "
        "from analysis.ingest.pipeline import config_fingerprint; "
        "print(config_fingerprint(load_config(paths.SAMPLE_CONFIG)))"
    )
    prints = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(prints) == 1


def test_every_gate_threshold_is_described_in_town_yml():
    """The analyst tunes the gate in town.yml's completeness: section: each threshold is named there."""
    import dataclasses

    from analysis.common import paths
    from analysis.processed.completeness import Thresholds

    text = paths.CONFIG_FILE.read_text(encoding="utf-8")
    missing = [f.name for f in dataclasses.fields(Thresholds) if f"#   {f.name}:" not in text]
    assert missing == []
    from analysis.common.config import COMPLETENESS_KEYS

    assert set(COMPLETENESS_KEYS) == {f.name for f in dataclasses.fields(Thresholds)}
