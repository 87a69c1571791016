"""Chinese sentences built from the numbers, so the notebooks, the workbook and the summary document
say the same thing. Each function returns a list of sentences (empty when its inputs are absent), set
by the one typography rule (`formatting.typeset`: "团员300名", "2022年12月31日", "90%")."""

from __future__ import annotations

import functools
from collections.abc import Callable

from analysis.common import formatting
from analysis.indicators.catalogue import Catalogue

Sentences = Callable[[Catalogue], list[str]]


def _typeset(function: Sentences) -> Sentences:
    @functools.wraps(function)
    def wrapper(cat: Catalogue) -> list[str]:
        return [formatting.typeset(s) for s in function(cat)]

    return wrapper


def _n(value: float | None) -> str:
    return formatting.number(value, missing=formatting.DASH)


def _pct(value: float | None) -> str:
    return formatting.percent(value, missing=formatting.DASH)


def change(cat: Catalogue, key: str) -> float | None:
    """This year − last year as the reader sees it: for a rate, from the percentages as shown
    (`formatting.shown_change`), so "82.6%, 比上年提高0.1个百分点" adds up."""
    if key not in cat.headline or key not in cat.previous:
        return None
    return formatting.shown_change(cat.headline[key], cat.previous[key], cat.info(key).kind)


def _yoy(cat: Catalogue, key: str, unit: str = "") -> str:
    """'，比上年增加3次' / '，比上年提高1.2个百分点' / '，与上年持平' / '' (no previous year)."""
    words = _change_words(cat, key, unit)
    if not words:
        return ""
    return "，与上年持平" if words == "持平" else f"，比上年{words}"


def _change_words(cat: Catalogue, key: str, unit: str = "") -> str:
    value = change(cat, key)
    if value is None:
        return ""
    return formatting.change_words(value, cat.info(key).kind, unit, sep="")


@_typeset
def organisation(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "org.members" not in h:
        return []
    out = [
        f"截至{cat.year}年12月31日，全镇共有团员{_n(h['org.members'])}名{_yoy(cat, 'org.members', '名')}，"
        f"分布在{_n(h['org.branches'])}个团支部，其中团干部{_n(h['org.cadres'])}名。"
    ]
    if h.get("org.overage"):
        out.append(
            f"年满{cat.leave_age}周岁且不担任团内职务的团员{_n(h['org.overage'])}名，应按规定办理离团手续。"
        )
    return out


@_typeset
def study(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "study.periods" not in h:
        return []
    out = [
        f"全年组织开展“青年大学习”{_n(h['study.periods'])}期，累计参学{_n(h['study.learner_times'])}人次{_yoy(cat, 'study.learner_times', '人次')}。"
    ]
    rate = h.get("study.member_rate")
    if rate is not None:
        sentence = f"团员平均参学率为{_pct(rate)}{_yoy(cat, 'study.member_rate')}"
        sentence += _against(rate, cat.targets.study_rate_target, "目标")
        out.append(sentence + "。")
    ranking = cat.tables.get("study_ranking")
    if ranking is not None and len(ranking):
        top = ranking.iloc[0]
        low = ranking.iloc[-1]
        out.append(
            f"参学率最高的是{top['branch']}（{_pct(top['rate'])}），最低的是{low['branch']}（{_pct(low['rate'])}）。"
        )
    if h.get("study.never"):
        out.append(f"全年在册但从未参学的团员{_n(h['study.never'])}名，需由所在团支部逐一督促。")
    return out


@_typeset
def activities(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "act.count" not in h:
        return []
    sections = [s for s in cat.section_labels if f"act.count.{s}" in h]
    by_section = "、".join(f"{cat.section_label(s)}类{_n(h[f'act.count.{s}'])}次" for s in sections)
    out = [
        f"全年共开展各类活动{_n(h['act.count'])}次{_yoy(cat, 'act.count', '次')}，参与{_n(h['act.person_times'])}人次。"
        + (f"其中{by_section}。" if by_section else "")
    ]
    by_section = cat.tables.get("act_by_section")
    if by_section is not None:
        vol = by_section.set_index("section").loc["volunteer"]
        out.append(
            f"全年共开展志愿服务活动{_n(vol['activities'])}次，参与{_n(vol['person_times'])}人次，"
            f"累计服务{_n(h['act.volunteer_hours'])}小时{_yoy(cat, 'act.volunteer_hours', '小时')}。"
        )
    return out


@_typeset
def recruitment(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "rec.new_members" not in h:
        return []
    quota = h.get("rec.quota")
    sentence = f"全年发展团员{_n(h['rec.new_members'])}名"
    if quota is not None:
        done = h["rec.new_members"] >= quota
        sentence += f"，发展指标{_n(quota)}名，{'已完成' if done else '未完成'}指标"
    out = [sentence + "。"]
    out.append(
        f"全年递交入团申请书{_n(h['rec.applications'])}人，确定入团积极分子{_n(h['rec.activists'])}人，"
        f"确定发展对象{_n(h['rec.targets'])}人。"
    )
    if "rec.median_days" in h:
        out.append(f"新团员从递交申请书到入团用时的中位数为{_n(h['rec.median_days'])}天。")
    checks = cat.tables.get("rec_checks")
    if checks is not None and len(checks):
        out.append(f"发展材料核查发现{len(checks)}处需要核对的问题（编号、年龄或日期），详见指标工作簿。")
    return out


@_typeset
def cadres(cat: Catalogue) -> list[str]:
    rate = cat.headline.get("cadre.checkin_rate")
    if rate is None:
        return []
    months = cat.tables.get("cadre_by_month")
    n = len(months) if months is not None else 0
    sentence = f"团干部每月学习打卡{n}个月，平均打卡率{_pct(rate)}"
    sentence += _against(rate, cat.targets.checkin_rate_target, "要求")
    return [sentence + "。"]


@_typeset
def ratings_reviews(cat: Catalogue) -> list[str]:
    out = []
    dist = cat.tables.get("ratings_distribution")
    if dist is not None and len(dist):
        parts = "、".join(f"{r['rating']}{int(r['branches'])}个" for _, r in dist.iterrows())
        out.append(f"{cat.year}年度团支部对标定级结果：{parts}。")
    reviews = cat.tables.get("reviews_distribution")
    if reviews is not None and reviews["members"].sum():
        by = reviews.set_index("result")
        out.append(
            f"团员教育评议共评议{int(reviews['members'].sum())}人，其中优秀{int(by.loc['优秀', 'members'])}人"
            f"（{_pct(by.loc['优秀', 'share'])}）、合格{int(by.loc['合格', 'members'])}人、"
            f"基本合格{int(by.loc['基本合格', 'members'])}人、不合格{int(by.loc['不合格', 'members'])}人。"
        )
    return out


@_typeset
def services(cat: Catalogue) -> list[str]:
    h = cat.headline
    out = []
    by_section = cat.tables.get("act_by_section")
    if by_section is not None and "act.count.youth_service" in h:
        row = by_section.set_index("section").loc["youth_service"]
        out.append(
            f"聚焦青少年需求，全年开展{cat.section_label('youth_service')}类活动{_n(h['act.count.youth_service'])}次"
            f"{_yoy(cat, 'act.count.youth_service', '次')}，参与{_n(row['person_times'])}人次。"
        )
    if "aid.recipients" in h:
        out.append(
            f"积极开展爱心助学，全年资助{_n(h['aid.recipients'])}名学生，发放资助金{_n(h['aid.amount'])}元"
            f"{_yoy(cat, 'aid.amount', '元')}。"
        )
    return out


OVERVIEW_FACTS = 8  # the overview names at most this many headline facts


@_typeset
def overview(cat: Catalogue) -> list[str]:
    """The year in one paragraph: the headline facts (members, 青年大学习, check-ins, activities,
    volunteer hours, recruitment, aid), each with last year's change and its target where there is
    one. Not the sections' sentences again: those follow in their own sections."""
    h = cat.headline
    facts: list[str] = []
    if "org.members" in h:
        fact = f"全镇共有团员{_n(h['org.members'])}名{_yoy(cat, 'org.members', '名')}"
        if "org.branches" in h:
            fact += f"，分布在{_n(h['org.branches'])}个团支部"
        facts.append(fact)
    if "study.member_rate" in h:
        periods = f"组织“青年大学习”{_n(h['study.periods'])}期，" if "study.periods" in h else ""
        facts.append(
            f"{periods}团员平均参学率{_pct(h['study.member_rate'])}{_yoy(cat, 'study.member_rate')}"
            + _against(h["study.member_rate"], cat.targets.study_rate_target, "目标")
        )
    elif "study.periods" in h:
        facts.append(f"组织“青年大学习”{_n(h['study.periods'])}期")
    if "cadre.checkin_rate" in h:
        facts.append(
            f"团干部每月学习打卡率{_pct(h['cadre.checkin_rate'])}{_yoy(cat, 'cadre.checkin_rate')}"
            + _against(h["cadre.checkin_rate"], cat.targets.checkin_rate_target, "要求")
        )
    if "act.count" in h:
        fact = f"开展各类活动{_n(h['act.count'])}次{_yoy(cat, 'act.count', '次')}"
        if "act.person_times" in h:
            fact += f"，参与{_n(h['act.person_times'])}人次"
        facts.append(fact)
    if h.get("act.volunteer_hours"):
        facts.append(
            f"累计志愿服务{_n(h['act.volunteer_hours'])}小时{_yoy(cat, 'act.volunteer_hours', '小时')}"
        )
    if "rec.new_members" in h:
        fact = f"发展团员{_n(h['rec.new_members'])}名{_yoy(cat, 'rec.new_members', '名')}"
        quota = h.get("rec.quota")
        if quota is not None:
            done = h["rec.new_members"] >= quota
            fact += f"，{'完成' if done else '未完成'}{_n(quota)}名的发展指标"
        facts.append(fact)
    if "aid.recipients" in h:
        fact = f"爱心助学资助学生{_n(h['aid.recipients'])}名"
        if "aid.amount" in h:
            fact += f"、发放资助金{_n(h['aid.amount'])}元{_yoy(cat, 'aid.amount', '元')}"
        facts.append(fact)
    if not facts:
        return []
    return [f"{cat.year}年，" + "；".join(facts[:OVERVIEW_FACTS]) + "。"]


def _against(value: float, target: float | None, word: str) -> str:
    """'，达到90%的目标' / '，未达到90%的要求' / '' (no target)."""
    if target is None:
        return ""
    return f"，{'达到' if value >= target - 1e-12 else '未达到'}{_pct(target)}的{word}"


@_typeset
def completeness(cat: Catalogue) -> list[str]:
    """What the completeness check found, in one or two sentences (the list itself is in the workbook)."""
    a = cat.assessment
    hints = f"提示{len(a.warnings)}条" if a.warnings else ""
    if not a.blocking:
        head = "数据完整性检查未发现严重缺口"
        if a.accepted:
            head += f"（另有{len(a.accepted)}处已确认的缺口，见上文）"
        where = "，详见指标工作簿的“数据完整性”表" if hints else ""
        return [f"{head}{'，' + hints if hints else ''}{where}。"]
    listed = "；".join(f"{f.rule}：{f.subject}" if f.subject else f.rule for f in a.blocking[:5])
    more = f"等{len(a.blocking)}处" if len(a.blocking) > 5 else ""
    return [
        f"数据完整性检查发现严重缺口（{listed}{more}），本报告为草稿（数据不完整），受影响的数字在文中注明。",
        "补齐导出，或确认缺口属实并在本镇配置的 accepted_gaps 中记录后，重新生成报告。",
    ]
