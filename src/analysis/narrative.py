"""Chinese sentences built from the numbers, so the notebooks, the workbook and the summary document
say the same thing. Each function returns a list of sentences (empty when its inputs are absent)."""

from __future__ import annotations

from analysis.indicators.catalogue import Catalogue
from analysis.indicators.keys import info


def _n(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value):,}" if float(value).is_integer() else f"{value:,.1f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _yoy(cat: Catalogue, key: str, unit: str = "") -> str:
    """'，比上年增加 3 次' / '，与上年持平' / '' (no previous year)."""
    change = cat.change(key)
    if change is None:
        return ""
    kind = info(key).kind
    if abs(change) < 1e-9:
        return "，与上年持平"
    word = "增加" if change > 0 else "减少"
    if kind == "rate":
        return f"，比上年{'提高' if change > 0 else '下降'} {abs(change) * 100:.1f} 个百分点"
    return f"，比上年{word} {_n(abs(change))}{unit}"


def organisation(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "org.members" not in h:
        return []
    out = [
        f"截至 {cat.year} 年 12 月 31 日，全镇共有团员 {_n(h['org.members'])} 名{_yoy(cat, 'org.members', '名')}，"
        f"分布在 {_n(h['org.branches'])} 个团支部，其中团干部 {_n(h['org.cadres'])} 名。"
    ]
    if h.get("org.overage"):
        out.append(f"年满 28 周岁且不担任团内职务的团员 {_n(h['org.overage'])} 名，应按规定办理离团手续。")
    return out


def study(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "study.periods" not in h:
        return []
    out = [
        f"全年组织开展“青年大学习” {_n(h['study.periods'])} 期，累计参学 {_n(h['study.learner_times'])} 人次{_yoy(cat, 'study.learner_times', '人次')}。"
    ]
    rate = h.get("study.member_rate")
    if rate is not None:
        sentence = f"团员平均参学率为 {_pct(rate)}{_yoy(cat, 'study.member_rate')}"
        target = cat.targets.study_rate_target
        if target is not None:
            sentence += f"，{'达到' if rate >= target else '未达到'} {_pct(target)} 的目标"
        out.append(sentence + "。")
    ranking = cat.tables.get("study_ranking")
    if ranking is not None and len(ranking):
        top = ranking.iloc[0]
        low = ranking.iloc[-1]
        out.append(
            f"参学率最高的是{top['branch']}（{_pct(top['rate'])}），最低的是{low['branch']}（{_pct(low['rate'])}）。"
        )
    if h.get("study.never"):
        out.append(f"全年在册但从未参学的团员 {_n(h['study.never'])} 名，需由所在团支部逐一督促。")
    return out


def activities(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "act.count" not in h:
        return []
    out = [
        f"全年共开展各类活动 {_n(h['act.count'])} 次{_yoy(cat, 'act.count', '次')}，参与 {_n(h['act.person_times'])} 人次。"
        f"其中思想引领类 {_n(h['act.count.ideology'])} 次、志愿服务类 {_n(h['act.count.volunteer'])} 次、"
        f"成长成才类 {_n(h['act.count.youth_service'])} 次、自身建设类 {_n(h['act.count.self_building'])} 次。"
    ]
    by_section = cat.tables.get("act_by_section")
    if by_section is not None:
        vol = by_section.set_index("section").loc["volunteer"]
        out.append(
            f"全年共开展志愿服务活动 {_n(vol['activities'])} 次，参与 {_n(vol['person_times'])} 人次，"
            f"累计服务 {_n(h['act.volunteer_hours'])} 小时{_yoy(cat, 'act.volunteer_hours', '小时')}。"
        )
    return out


def recruitment(cat: Catalogue) -> list[str]:
    h = cat.headline
    if "rec.new_members" not in h:
        return []
    quota = h.get("rec.quota")
    sentence = f"全年发展团员 {_n(h['rec.new_members'])} 名"
    if quota is not None:
        done = h["rec.new_members"] >= quota
        sentence += f"，发展指标 {_n(quota)} 名，{'已完成' if done else '未完成'}指标"
    out = [sentence + "。"]
    out.append(
        f"全年递交入团申请书 {_n(h['rec.applications'])} 人，确定入团积极分子 {_n(h['rec.activists'])} 人，"
        f"确定发展对象 {_n(h['rec.targets'])} 人。"
    )
    if "rec.median_days" in h:
        out.append(f"新团员从递交申请书到入团用时的中位数为 {_n(h['rec.median_days'])} 天。")
    checks = cat.tables.get("rec_checks")
    if checks is not None and len(checks):
        out.append(f"发展材料核查发现 {len(checks)} 处需要核对的问题（编号、年龄或日期），详见指标工作簿。")
    return out


def cadres(cat: Catalogue) -> list[str]:
    rate = cat.headline.get("cadre.checkin_rate")
    if rate is None:
        return []
    months = cat.tables.get("cadre_by_month")
    n = len(months) if months is not None else 0
    sentence = f"团干部每月学习打卡 {n} 个月，平均打卡率 {_pct(rate)}"
    target = cat.targets.checkin_rate_target
    if target is not None:
        sentence += f"，{'达到' if rate >= target else '未达到'} {_pct(target)} 的要求"
    return [sentence + "。"]


def ratings_reviews(cat: Catalogue) -> list[str]:
    out = []
    dist = cat.tables.get("ratings_distribution")
    if dist is not None and len(dist):
        parts = "、".join(f"{r['rating']} {int(r['branches'])} 个" for _, r in dist.iterrows())
        out.append(f"{cat.year} 年度团支部对标定级结果：{parts}。")
    reviews = cat.tables.get("reviews_distribution")
    if reviews is not None and reviews["members"].sum():
        by = reviews.set_index("result")
        out.append(
            f"团员教育评议共评议 {int(reviews['members'].sum())} 人，其中优秀 {int(by.loc['优秀', 'members'])} 人"
            f"（{_pct(by.loc['优秀', 'share'])}）、合格 {int(by.loc['合格', 'members'])} 人、"
            f"基本合格 {int(by.loc['基本合格', 'members'])} 人、不合格 {int(by.loc['不合格', 'members'])} 人。"
        )
    return out


def services(cat: Catalogue) -> list[str]:
    h = cat.headline
    out = []
    by_section = cat.tables.get("act_by_section")
    if by_section is not None and "act.count.youth_service" in h:
        row = by_section.set_index("section").loc["youth_service"]
        out.append(
            f"聚焦青少年需求，全年开展需求服务·成长成才类活动 {_n(h['act.count.youth_service'])} 次"
            f"{_yoy(cat, 'act.count.youth_service', '次')}，参与 {_n(row['person_times'])} 人次。"
        )
    if "aid.recipients" in h:
        out.append(
            f"积极开展爱心助学，全年资助 {_n(h['aid.recipients'])} 名学生，发放资助金 {_n(h['aid.amount'])} 元"
            f"{_yoy(cat, 'aid.amount', '元')}。"
        )
    return out


def overview(cat: Catalogue) -> list[str]:
    """The headline sentences of every section, in report order."""
    return organisation(cat) + study(cat) + cadres(cat) + activities(cat) + recruitment(cat) + services(cat)


def completeness(cat: Catalogue) -> list[str]:
    """What the completeness check found, in one or two sentences (the list itself is in the workbook)."""
    a = cat.assessment
    hints = f"提示 {len(a.warnings)} 条" if a.warnings else ""
    if not a.blocking:
        head = "数据完整性检查未发现严重缺口"
        if a.accepted:
            head += f"（另有 {len(a.accepted)} 处已在 town.yml 中确认的缺口）"
        return [f"{head}{'，' + hints if hints else ''}，详见 indicators.xlsx 的“数据完整性”表。"]
    listed = "；".join(f"{f.rule}：{f.subject}" if f.subject else f.rule for f in a.blocking[:5])
    more = f"等 {len(a.blocking)} 处" if len(a.blocking) > 5 else ""
    return [
        f"数据完整性检查发现严重缺口（{listed}{more}），本报告为草稿（数据不完整），受影响的数字在文中注明。",
        "补齐导出或在 town.yml 的 accepted_gaps 中确认后重新生成。",
    ]
