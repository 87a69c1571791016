"""docs/tables.md and docs/indicators.md, generated from the schemas and the indicator functions'
docstrings (so the documentation and the code cannot drift apart)."""

from __future__ import annotations

import inspect
from pathlib import Path

from analysis import schemas
from analysis.indicators import activities, cadre, org, recruitment, services, study
from analysis.indicators.keys import KEYS

SOURCES = {
    "org.": org.org_headline,
    "act.": activities.activity_headline,
    "study.periods": study.study_periods,
    "study.learner_times": study.learner_times,
    "study.member_rate": study.member_rate,
    "study.never": study.never_studied,
    "cadre.": cadre.checkin_rate,
    "rec.": recruitment.recruitment_headline,
    "aid.": services.aid_headline,
}
EXTRA = [study.participation_pairs, study.member_rate_matrix, study.branch_rates, study.member_participation]


def _source(key: str):
    for prefix, func in sorted(SOURCES.items(), key=lambda kv: -len(kv[0])):
        if key == prefix or (prefix.endswith(".") and key.startswith(prefix)):
            return func
    raise KeyError(key)


def indicators_markdown() -> str:
    lines = [
        "# 指标定义（indicators.json）",
        "",
        "本文件由 `python -m analysis docs` 根据 `src/analysis/indicators/` 中各函数的文档字符串生成，请勿手工修改。",
        "键名与定义见 shared 合同（contracts.md）；比率为 0–1 的小数。某项输入（导出文件）不存在时，对应的键不出现。",
        "",
        "| 键 | 中文名称 | 单位 | 计算函数 |",
        "|---|---|---|---|",
    ]
    for key, ki in KEYS.items():
        func = _source(key)
        lines.append(
            f"| `{key}` | {ki.label} | {ki.unit or ('比率' if ki.kind == 'rate' else '')} | `{func.__module__}.{func.__name__}` |"
        )
    lines.append(
        "| `study.member_rate.<团支部>` | 各团支部参学率 | 比率 | `analysis.indicators.study.branch_rates` |"
    )
    lines += ["", "## 定义", ""]
    seen = set()
    for func in [*dict.fromkeys(SOURCES.values()), *EXTRA]:
        if func in seen:
            continue
        seen.add(func)
        lines += [f"### `{func.__module__}.{func.__name__}`", "", inspect.getdoc(func) or "", ""]
    return "\n".join(lines)


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in (("tables.md", schemas.markdown()), ("indicators.md", indicators_markdown())):
        path = folder / name
        path.write_text(text.rstrip() + "\n", encoding="utf-8")
        out.append(path)
    return out
