"""Static facts of the sample town: branches, activity plans per year, study calendar."""

from __future__ import annotations

from datetime import date

from analysis.common.config import COMMITTEE
from tuanwei_sample.model import SampleBranch

TOWN = "示例镇"
COMMITTEE_FULL = "示例镇团委"
COMMITTEE_SPELLINGS = ("镇团委", "示例镇团委", "团委")
YEARS = (2021, 2022)
QUOTAS = {2021: 3, 2022: 4}
STUDY_TARGET = 0.9
CHECKIN_TARGET = 0.9

TAGANG = "塔岗村团支部"
LIUHE = "柳河村团支部"
SHIQIAO = "石桥村团支部"
DONGPO = "东坡村团支部"
NANGOU = "南沟村团支部"
BEILING = "北岭村团支部"
XIWAN = "西湾村团支部"
XINHUA = "新华社区团支部"
CHAOYANG = "朝阳社区团支部"
SCHOOL = "示例镇中学团支部"
COOP = "示例镇农业合作社团支部"
ORGAN = "示例镇机关团支部"

# (branch, members active on 2022-12-31)
BRANCHES: tuple[tuple[SampleBranch, int], ...] = (
    (SampleBranch(TAGANG, "村", ("塔岗村支部", "塔岗村"), ("塔岗团支部",), 0.95), 28),
    (SampleBranch(LIUHE, "村", ("柳河村",), ("柳河村支部",), 0.72), 24),
    (SampleBranch(SHIQIAO, "村", (), ("石桥村团总支", "石桥村支部"), 0.85), 22),
    (SampleBranch(DONGPO, "村", (), ("东坡村支部", "东坡村团支部 "), 0.68), 20),
    (SampleBranch(NANGOU, "村", (), ("南沟村支部",), 0.78), 18),
    (SampleBranch(BEILING, "村", (), ("北岭村 团支部",), 0.88), 16),
    (SampleBranch(XIWAN, "村", (), ("西湾村支部",), 0.75), 20),
    (SampleBranch(XINHUA, "社区", ("新华社区",), ("新华社区 团支部", "新华社区支部"), 0.97), 30),
    (SampleBranch(CHAOYANG, "社区", (), ("朝阳社区　团支部", "朝阳社区支部"), 0.82), 26),
    (SampleBranch(SCHOOL, "学校", ("示例镇中学", "镇中学团支部"), ("示例镇中学团委",), 0.97), 60),
    (SampleBranch(COOP, "企业", ("农业合作社团支部",), ("示例镇农业合作社支部",), 0.70), 14),
    (SampleBranch(ORGAN, "机关", ("镇机关团支部", "机关团支部"), ("示例镇机关支部",), 0.98), 22),
)

# Extra cadre posts (besides each branch's 团支部书记).
EXTRA_CADRES = {
    TAGANG: 2,
    LIUHE: 2,
    XINHUA: 2,
    CHAOYANG: 2,
    SCHOOL: 2,
    SHIQIAO: 1,
    DONGPO: 1,
    XIWAN: 1,
    ORGAN: 1,
}

# 青年大学习 calendar: weeks without a lesson (Spring Festival, National Day).
SKIPPED_WEEKS = {
    2021: (date(2021, 2, 8), date(2021, 2, 15), date(2021, 10, 4)),
    2022: (date(2022, 1, 31), date(2022, 2, 7), date(2022, 10, 3)),
}
LAST_WEEK = {2021: date(2021, 12, 20), 2022: date(2022, 12, 19)}
SEASON_SPLIT_2022 = 22  # 第十二季 has 22 lessons, then 第十三季
SPECIALS = {
    2021: (("五四特辑", date(2021, 5, 4)), ("特辑", date(2021, 7, 1)), ("特辑", date(2021, 11, 15))),
    2022: (("五四特辑", date(2022, 5, 4)), ("特辑", date(2022, 7, 1)), ("特辑", date(2022, 10, 17))),
}
# Which month goes to which study export layout (the rest: layout (a) monthly xlsx).
STUDY_CSV_MONTH = {2021: 11, 2022: 7}
STUDY_RAW_SHEET_MONTH = {2021: 4, 2022: 9}
SCHOOL_EXPORT_MONTHS = {2021: (9, 10, 11, 12), 2022: (3, 4, 5, 6)}

# Activity plans: (MM-DD, 活动名称, section, organiser, volunteers × hours per person or None).
Plan = tuple[str, str, str, str, tuple[int, float] | None]
IDE, VOL, YTH, SLF = "ideology", "volunteer", "youth_service", "self_building"
ACTIVITIES: dict[int, tuple[Plan, ...]] = {
    2022: (
        ("01-07", "对标定级评议", SLF, COMMITTEE, None),
        ("01-14", "主题团日活动", IDE, TAGANG, None),
        ("01-20", "扫雪清障", VOL, TAGANG, (12, 3)),
        ("02-14", "扫雪清障", VOL, LIUHE, (8, 2)),
        ("02-25", "组织生活会", IDE, ORGAN, None),
        ("03-05", "学雷锋环境整治", VOL, XINHUA, (15, 3)),
        ("03-11", "微团课", IDE, SCHOOL, None),
        ("03-12", "植树造林", VOL, COMMITTEE, (30, 4)),
        ("03-18", "青少年自护讲座", YTH, XINHUA, None),
        ("03-25", "主题团日活动", IDE, XINHUA, None),
        ("03-30", "团干部培训", SLF, COMMITTEE, None),
        ("04-02", "植树造林", VOL, BEILING, (12, 3)),
        ("04-08", "党史知识竞赛", IDE, COMMITTEE, None),
        ("04-16", "文明用餐", VOL, ORGAN, (6, 2)),
        ("04-22", "时代青年说", IDE, SCHOOL, None),
        ("04-23", "快乐阅读", YTH, CHAOYANG, None),
        ("05-04", "五四青年节主题活动“百年风华，青春向党”", IDE, COMMITTEE, None),
        ("05-10", "庆祝建团百年主题团日", IDE, CHAOYANG, None),
        ("05-18", "发展团员大会", SLF, SCHOOL, None),
        ("05-21", "登太湖山", IDE, COMMITTEE, None),
        ("05-28", "环境整治", VOL, SHIQIAO, (14, 3)),
        ("05-31", "关爱弱势群体走访", YTH, TAGANG, None),
        ("06-08", "示例镇校外少工委成立大会", SLF, COMMITTEE, None),
        ("06-08", "塔岗村校外少工委成立大会", SLF, TAGANG, None),
        ("06-15", "文明交通劝导", VOL, CHAOYANG, (8, 2.5)),
        ("06-17", "专题普法活动", IDE, COMMITTEE, None),
        ("06-24", "青少年法治宣传教育", YTH, SCHOOL, None),
        ("06-30", "环境整治", VOL, DONGPO, (10, 3)),
        ("07-01", "主题团日活动", IDE, LIUHE, None),
        ("07-12", "快乐阅读", YTH, XINHUA, None),
        ("07-15", "组织生活会", IDE, SHIQIAO, None),
        ("07-22", "文明用餐", VOL, XIWAN, (6, 2)),
        ("07-26", "家长学校", YTH, SCHOOL, None),
        ("08-05", "青少年自护讲座", YTH, LIUHE, None),
        ("08-13", "环境整治", VOL, NANGOU, (9, 3)),
        ("08-19", "微团课", IDE, BEILING, None),
        ("08-26", "青年之家揭牌启用", SLF, COMMITTEE, None),
        ("09-01", "青檬励学金发放", VOL, COMMITTEE, (4, 2)),
        ("09-09", "爱心募捐", YTH, CHAOYANG, None),
        ("09-16", "时代青年说", IDE, ORGAN, None),
        ("09-20", "情暖童心爱心助学", VOL, COMMITTEE, (5, 2)),
        ("09-23", "团干部培训", SLF, COMMITTEE, None),
        ("10-12", "发展团员入团仪式", SLF, COOP, None),
        ("10-17", "学习党的二十大精神宣讲", IDE, COMMITTEE, None),
        ("10-28", "主题团日活动", IDE, DONGPO, None),
        ("11-11", "组织生活会", IDE, COOP, None),
        ("11-18", "文明交通劝导", VOL, TAGANG, (10, 2)),
        ("11-25", "关爱弱势群体走访", YTH, COMMITTEE, None),
        ("11-30", "少工委换届选举", SLF, SCHOOL, None),
        ("12-02", "家长学校", YTH, XINHUA, None),
        ("12-09", "学习二十大精神微团课", IDE, NANGOU, None),
        ("12-16", "扫雪清障", VOL, ORGAN, (12, 2.5)),
        ("12-23", "专题普法进社区", IDE, XINHUA, None),
        ("12-26", "扫雪清障", VOL, CHAOYANG, (10, 3)),
        ("12-28", "对标定级评议", SLF, COMMITTEE, None),
    ),
    2021: (
        ("01-08", "扫雪清障", VOL, BEILING, (9, 2)),
        ("01-12", "对标定级评议", SLF, COMMITTEE, None),
        ("01-15", "主题团日活动", IDE, XINHUA, None),
        ("01-22", "扫雪清障", VOL, TAGANG, (11, 3)),
        ("03-05", "党史学习教育动员会", IDE, COMMITTEE, None),
        ("03-12", "植树造林", VOL, COMMITTEE, (28, 4)),
        ("03-19", "学党史 强信念 跟党走主题团日", IDE, TAGANG, None),
        ("03-26", "植树造林", VOL, LIUHE, (10, 3)),
        ("03-27", "青少年自护讲座", YTH, CHAOYANG, None),
        ("04-02", "团干部培训", SLF, COMMITTEE, None),
        ("04-09", "微团课", IDE, SCHOOL, None),
        ("04-17", "环境整治", VOL, XINHUA, (12, 3)),
        ("04-23", "党史知识竞赛", IDE, COMMITTEE, None),
        ("04-23", "快乐阅读", YTH, XINHUA, None),
        ("05-04", "五四青年节主题团日", IDE, COMMITTEE, None),
        ("05-04", "发展团员入团仪式", SLF, SCHOOL, None),
        ("05-15", "文明用餐", VOL, ORGAN, (5, 2)),
        ("05-21", "组织生活会", IDE, ORGAN, None),
        ("05-30", "关爱弱势群体走访", YTH, COMMITTEE, None),
        ("06-05", "环境整治", VOL, XIWAN, (8, 3)),
        ("06-11", "时代青年说", IDE, SCHOOL, None),
        ("06-25", "红色观影", IDE, CHAOYANG, None),
        ("06-26", "青少年法治宣传教育", YTH, SCHOOL, None),
        ("07-01", "庆祝建党100周年主题团日", IDE, COMMITTEE, None),
        ("07-01", "发展团员大会", SLF, SHIQIAO, None),
        ("07-09", "文明交通劝导", VOL, CHAOYANG, (7, 2)),
        ("07-16", "组织生活会", IDE, LIUHE, None),
        ("07-20", "快乐阅读", YTH, TAGANG, None),
        ("08-10", "青少年自护讲座", YTH, NANGOU, None),
        ("08-20", "微团课", IDE, SHIQIAO, None),
        ("08-21", "环境整治", VOL, SHIQIAO, (10, 3)),
        ("08-28", "团干部培训", SLF, COMMITTEE, None),
        ("09-03", "青檬励学金发放", VOL, COMMITTEE, (4, 2)),
        ("09-17", "主题团日活动", IDE, DONGPO, None),
        ("09-18", "爱心募捐", YTH, XINHUA, None),
        ("09-24", "文明用餐", VOL, COOP, (6, 2)),
        ("10-08", "团支部换届选举", SLF, COOP, None),
        ("10-15", "时代青年说", IDE, ORGAN, None),
        ("10-23", "家长学校", YTH, SCHOOL, None),
        ("10-30", "环境整治", VOL, DONGPO, (9, 2.5)),
        ("11-12", "学习六中全会精神宣讲", IDE, COMMITTEE, None),
        ("11-19", "推优入党评议会", SLF, ORGAN, None),
        ("11-26", "专题普法活动", IDE, NANGOU, None),
        ("12-04", "情暖童心爱心助学", VOL, COMMITTEE, (5, 2)),
        ("12-10", "关爱弱势群体走访", YTH, LIUHE, None),
        ("12-17", "组织生活会", IDE, XIWAN, None),
        ("12-25", "扫雪清障", VOL, ORGAN, (12, 2)),
        ("12-29", "对标定级评议", SLF, COMMITTEE, None),
    ),
}
# Ledger rows written twice: (year, MM-DD, name) → (second spelling of the name).
DUPLICATES = {
    (2022, "05-04", "五四青年节主题活动“百年风华，青春向党”"): '五四青年节主题活动"百年风华，青春向党"',
    (2022, "11-18", "文明交通劝导"): "文明交通 劝导",
    (2021, "07-01", "庆祝建党100周年主题团日"): "庆祝建党100周年 主题团日",
}
# Activities with a participant list: (year, MM-DD, name) → who takes part.
PARTICIPANT_LISTS = {
    (2022, "03-30", "团干部培训"): ("cadres", 20),
    (2022, "04-02", "植树造林"): (BEILING, 12),
    (2022, "05-04", "五四青年节主题活动“百年风华，青春向党”"): ("town", 18),
    (2022, "07-12", "快乐阅读"): (XINHUA, 10),
    (2021, "03-26", "植树造林"): (LIUHE, 10),
    (2021, "04-02", "团干部培训"): ("cadres", 18),
    (2021, "07-20", "快乐阅读"): (TAGANG, 12),
}
SECTION_WORDS = {IDE: "思想引领", VOL: "志愿服务", YTH: "成长成才", SLF: "自身建设"}
ALWAYS_BLANK_TYPE = ("登太湖山",)  # no keyword: the default category (ideology) applies

VILLAGE_SCHOOLS = ("示例镇中心小学", "示例镇中学", "示例县第一中学")
