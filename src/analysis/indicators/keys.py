"""The indicators.json keys: Chinese names, units and display formats (definitions live in the
functions that compute them; contracts.md lists them)."""

from __future__ import annotations

from dataclasses import dataclass

from analysis import formatting


@dataclass(frozen=True)
class KeyInfo:
    label: str
    unit: str = ""
    kind: str = "count"  # count / rate / number / money

    def format(self, value: float | None) -> str:
        return formatting.value(value, self.kind)


KEYS: dict[str, KeyInfo] = {
    "org.members": KeyInfo("团员总数", "人"),
    "org.branches": KeyInfo("有团员的团支部", "个"),
    "org.cadres": KeyInfo("团干部", "人"),
    "org.overage": KeyInfo("超龄团员（满28周岁、非团干部）", "人"),
    "act.count": KeyInfo("开展活动", "次"),
    "act.count.ideology": KeyInfo("政治建设·思想引领活动", "次"),
    "act.count.volunteer": KeyInfo("中心大局·志愿服务活动", "次"),
    "act.count.youth_service": KeyInfo("需求服务·成长成才活动", "次"),
    "act.count.self_building": KeyInfo("自身建设·履职基础活动", "次"),
    "act.person_times": KeyInfo("活动参与", "人次"),
    "act.volunteer_hours": KeyInfo("志愿服务时长", "小时", "number"),
    "study.periods": KeyInfo("青年大学习期数", "期"),
    "study.learner_times": KeyInfo("青年大学习参学", "人次"),
    "study.member_rate": KeyInfo("团员参学率（各期平均）", "", "rate"),
    "study.never": KeyInfo("全年未参学团员", "人"),
    "cadre.checkin_rate": KeyInfo("团干部每月学习打卡率", "", "rate"),
    "rec.new_members": KeyInfo("发展团员", "名"),
    "rec.quota": KeyInfo("发展团员指标", "名"),
    "rec.applications": KeyInfo("递交入团申请书", "人"),
    "rec.activists": KeyInfo("确定入团积极分子", "人"),
    "rec.targets": KeyInfo("确定发展对象", "人"),
    "rec.median_days": KeyInfo("申请至入团用时（中位数）", "天", "number"),
    "aid.recipients": KeyInfo("爱心助学受助人数", "人"),
    "aid.amount": KeyInfo("爱心助学资助金额", "元", "money"),
}

BRANCH_RATE_PREFIX = "study.member_rate."


def info(key: str) -> KeyInfo:
    """KeyInfo of a key, including the per-branch 参学率 keys."""
    if key in KEYS:
        return KEYS[key]
    if key.startswith(BRANCH_RATE_PREFIX):
        return KeyInfo(f"{key[len(BRANCH_RATE_PREFIX) :]}参学率", "", "rate")
    raise KeyError(key)


def ordered(keys: list[str]) -> list[str]:
    """Keys in catalogue order, per-branch rates after study.member_rate."""
    base = [k for k in KEYS if k in keys]
    branch = sorted(k for k in keys if k.startswith(BRANCH_RATE_PREFIX))
    if "study.member_rate" in base:
        i = base.index("study.member_rate") + 1
        return base[:i] + branch + base[i:]
    return base + branch
