"""The generated part of docs/: tables.md (schemas), indicators.md (keys.py and the indicator functions'
docstrings), recognition.md (resources/kinds.yml) and dialects.md (the sample's spelling pool), so the
documentation and the code cannot drift apart. docs/definitions.md is written by hand."""

from __future__ import annotations

import inspect
from pathlib import Path

from analysis.common import schemas
from analysis.indicators import activities, cadre, org, recruitment, services, study
from analysis.indicators.keys import BRANCH_RATE_PREFIX, KEYS, info

SOURCES = {
    "org.": org.org_headline,
    "act.": activities.activity_headline,
    "study.periods": study.study_periods,
    "study.learner_times": study.learner_times,
    "study.member_rate.": study.branch_rates,
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
        "本文件由 `python -m analysis docs` 根据 `src/analysis/indicators/keys.py` 与各计算函数的文档字符串生成，请勿手工修改。",
        "术语（“在团”“所在团支部”“中位记录时间”等）和口径细则见 [definitions.md](definitions.md)；"
        "比率为 0–1 的小数。某项输入（导出文件）不存在时，对应的键不出现。",
        "",
        "| 键 | 中文名称 | 单位 | 定义 | 计算函数 |",
        "|---|---|---|---|---|",
    ]
    rows = [(key, ki) for key, ki in KEYS.items()]
    rows.append(("study.member_rate.<团支部>", info(f"{BRANCH_RATE_PREFIX}<团支部>")))
    for key, ki in rows:
        func = _source(key)
        unit = ki.unit or ("比率" if ki.kind == "rate" else "")
        lines.append(
            f"| `{key}` | {ki.label} | {unit} | {ki.definition} | `{func.__module__}.{func.__name__}` |"
        )
    lines += [
        "",
        "名称中的板块名称和离团年龄按 town.yml（`categories`、`membership.leave_age`）显示，上表为默认值。",
        "",
        "## 计算函数（开发者说明）",
        "",
    ]
    seen = set()
    for func in [*dict.fromkeys(SOURCES.values()), *EXTRA]:
        if func in seen:
            continue
        seen.add(func)
        lines += [f"### `{func.__module__}.{func.__name__}`", "", inspect.getdoc(func) or "", ""]
    return "\n".join(lines)


def recognition_markdown() -> str:
    """docs/recognition.md: how each export kind and column is recognised (resources/kinds.yml)."""
    from analysis.common.vocabulary import builtin

    vocab = builtin()
    lines = [
        "# 导出文件的识别规则",
        "",
        "本文件由 `python -m analysis docs` 根据 `src/analysis/resources/kinds.yml` 生成，请勿手工修改。",
        "",
        "每个工作表都按全部类型打分：表头按**含义**对应到规范列（下表的“概念”），再用单元格内容确认；",
        "只有一种类型才有的列（权重 4，如申请日期、转出/转入、打卡、期次）分量更重，表头中出现别的类型的这类列会扣分。",
        "缺少的列可以按内容找出，或取自工作表名、标题行、文件名、文件夹名（“可取自上下文”）。",
        "得分最高的类型胜出；与第二名相差不到 2 分时在导入报告中提示。`python -m analysis explain <文件>` 可查看每一步。",
        "town.yml 的 `columns:` 中补充的写法优先于这些规则。",
        "",
        "## 表头概念",
        "",
        "表头（全角转半角、去空格、英文转小写后）包含下列任一写法，即带有该概念。以 `re:` 开头的是正则表达式。",
        "",
        "| 概念 | 写法 |",
        "|---|---|",
    ]
    for concept, words in vocab.concepts.items():
        written = "、".join(w.replace("|", r"\|") for w in words)
        lines.append(f"| {concept} | {written} |")
    for kind in vocab.kinds.values():
        needs = "；".join(" 或 ".join(kind.label_of(c) for c in group) for group in kind.requires)
        lines += [
            "",
            f"## {kind.label}（`{kind.key}`，写入 `{kind.table}`）",
            "",
            f"town.yml 中也可写作：{'、'.join(kind.names)}。必需：{needs}。",
            "",
            "| 列 | 规范名 | 规则（概念 & 概念 !排除） | 内容 | 权重 | 可取自上下文 | 合并单元格向下填充 |",
            "|---|---|---|---|---|---|---|",
        ]
        for col in kind.columns.values():
            rules = "；".join(
                " & ".join(sorted(r.required)) + "".join(f" !{e}" for e in sorted(r.excluded))
                for r in col.rules
            )
            lines.append(
                f"| {col.label} | `{col.key}` | {rules} | {col.content} | {col.weight} | "
                f"{'是' if col.context else ''} | {'是' if col.group else ''} |"
            )
    return "\n".join(lines)


def dialects_markdown() -> str:
    """docs/dialects.md: the dialect test and its pool of real-world spellings (tuanwei_sample)."""
    from tuanwei_sample.blind import findings_markdown
    from tuanwei_sample.dialects import pool_markdown

    return pool_markdown().rstrip("\n") + "\n" + findings_markdown()


DOCS = {
    "tables.md": schemas.markdown,
    "indicators.md": indicators_markdown,
    "recognition.md": recognition_markdown,
    "dialects.md": dialects_markdown,
}


def write_docs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, make in DOCS.items():
        text = make()
        path = folder / name
        path.write_text(text.rstrip() + "\n", encoding="utf-8")
        out.append(path)
    return out
