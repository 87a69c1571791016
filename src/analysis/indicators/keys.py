"""The indicators.json keys: Chinese names, units, display formats and definitions (in the words of
docs/definitions.md; docs/indicators.md is generated from them, the functions computing each key say how).

Two names follow town.yml: the per-section activity counts carry the section labels (``categories``) and
the over-age count the leaving age (``membership.leave_age``); `info` takes both, `KEYS` holds the
defaults."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from analysis.common import formatting
from analysis.common.config import LEAVE_AGE, SECTIONS, default_section_labels


@dataclass(frozen=True)
class KeyInfo:
    label: str
    unit: str = ""
    kind: str = "count"  # count / rate / number / money
    definition: str = ""  # in Chinese; terms as in docs/definitions.md

    def format(self, value: float | None) -> str:
        return formatting.value(value, self.kind)


SECTION_COUNT_PREFIX = "act.count."


def overage_label(leave_age: int) -> str:
    return f"超龄团员（满{leave_age}周岁、非团干部）"


def section_count_label(section_label: str) -> str:
    return f"{section_label}活动"


def section_count_definition(section_label: str) -> str:
    return f"同 act.count，只计归入“{section_label}”板块的活动"


KEYS: dict[str, KeyInfo] = {
    "org.members": KeyInfo("团员总数", "人", definition="Y 年 12 月 31 日在团的团员"),
    "org.branches": KeyInfo(
        "有团员的团支部", "个", definition="Y 年 12 月 31 日有至少 1 名在团团员的团支部（按当日所在团支部）"
    ),
    "org.cadres": KeyInfo("团干部", "人", definition="Y 年 12 月 31 日在团、且是团干部的团员"),
    "org.overage": KeyInfo(
        overage_label(LEAVE_AGE),
        "人",
        definition="Y 年 12 月 31 日在团、当日已满离团年龄（默认 28 周岁）、且不是团干部的团员（出生日期不明的不计）",
    ),
    "act.count": KeyInfo(
        "开展活动",
        "次",
        definition="日期在 Y 年的不同活动（同一日期、同一规范化名称、同一组织者的记录算一次）",
    ),
    **{
        f"{SECTION_COUNT_PREFIX}{k}": KeyInfo(
            section_count_label(default_section_labels()[k]),
            "次",
            definition=section_count_definition(default_section_labels()[k]),
        )
        for k in SECTIONS
    },
    "act.person_times": KeyInfo("活动参与", "人次", definition="上述活动的参与人数之和"),
    "act.volunteer_hours": KeyInfo(
        "志愿服务时长",
        "小时",
        "number",
        definition="上述活动的志愿服务时长之和（有总时长列时取总时长，否则为志愿者人数 × 人均时长）",
    ),
    "study.periods": KeyInfo(
        "青年大学习期数", "期", definition="Y 年的青年大学习期数：中位记录时间落在 Y 年的规范期次"
    ),
    "study.learner_times": KeyInfo(
        "青年大学习参学",
        "人次",
        definition="Y 年各期中不同的（人，期次）对的个数，团员和非团员都计",
    ),
    "study.member_rate": KeyInfo(
        "团员参学率（各期平均）",
        "",
        "rate",
        definition="对 Y 年的每一期：在该期中位记录日期在团、且该期至少有一条记录的团员 ÷ 当日在团的团员；再对各期取平均",
    ),
    "study.never": KeyInfo(
        "全年未参学团员",
        "人",
        definition="Y 年 1 月 1 日和 12 月 31 日都在团、且 Y 年任何一期都没有记录的团员",
    ),
    "cadre.checkin_rate": KeyInfo(
        "团干部每月学习打卡率",
        "",
        "rate",
        definition="对打卡导出中出现的 Y 年每个月：当月已打卡的团干部 ÷ 当月月末在团的团干部；再对各月取平均",
    ),
    "rec.new_members": KeyInfo("发展团员", "名", definition="入团日期在 Y 年的人"),
    "rec.quota": KeyInfo(
        "发展团员指标", "名", definition="town.yml 中 Y 年的发展团员指标（recruitment_quota）"
    ),
    "rec.applications": KeyInfo("递交入团申请书", "人", definition="递交入团申请书日期在 Y 年的人"),
    "rec.activists": KeyInfo("确定入团积极分子", "人", definition="确定为入团积极分子的日期在 Y 年的人"),
    "rec.targets": KeyInfo("确定发展对象", "人", definition="确定为发展对象的日期在 Y 年的人"),
    "rec.median_days": KeyInfo(
        "申请至入团用时（中位数）",
        "天",
        "number",
        definition="rec.new_members 中两个日期都有的人，从递交申请书到入团的天数的中位数",
    ),
    "aid.recipients": KeyInfo("爱心助学受助人数", "人", definition="Y 年发放的爱心助学的不同受助人"),
    "aid.amount": KeyInfo("爱心助学资助金额", "元", "money", definition="Y 年发放的爱心助学金额之和（元）"),
}
BRANCH_RATE_DEFINITION = "同 study.member_rate，只计当日所在团支部为该团支部（规范名称）的团员"

BRANCH_RATE_PREFIX = "study.member_rate."


def info(key: str, sections: Mapping[str, str] | None = None, leave_age: int | None = None) -> KeyInfo:
    """KeyInfo of a key, including the per-branch 参学率 keys; ``sections`` (section key → label) and
    ``leave_age`` name the keys that follow town.yml (defaults: the built-in labels, 28)."""
    if key == "org.overage" and leave_age is not None:
        return replace(KEYS[key], label=overage_label(leave_age))
    section = key[len(SECTION_COUNT_PREFIX) :] if key.startswith(SECTION_COUNT_PREFIX) else None
    if section and sections and section in sections:
        label = sections[section]
        return replace(
            KEYS[key], label=section_count_label(label), definition=section_count_definition(label)
        )
    if key in KEYS:
        return KEYS[key]
    if key.startswith(BRANCH_RATE_PREFIX):
        return KeyInfo(f"{key[len(BRANCH_RATE_PREFIX) :]}参学率", "", "rate", BRANCH_RATE_DEFINITION)
    raise KeyError(key)


def ordered(keys: list[str]) -> list[str]:
    """Keys in catalogue order, per-branch rates after study.member_rate."""
    base = [k for k in KEYS if k in keys]
    branch = sorted(k for k in keys if k.startswith(BRANCH_RATE_PREFIX))
    if "study.member_rate" in base:
        i = base.index("study.member_rate") + 1
        return base[:i] + branch + base[i:]
    return base + branch
