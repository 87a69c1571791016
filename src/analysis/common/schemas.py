"""Canonical tables: the contract between ingest and indicators.

Each table is a pandera model; every column carries its Chinese label (``title``) and meaning
(``description``). docs/tables.md is generated from these models (``python -m analysis docs``), and the
workbooks use the labels as Chinese headers, so this module is the one place a column is described.

Every table also carries its provenance: the raw file, sheet and Excel row a record came from.
Full 身份证号 and 手机号码 never enter a canonical table: only a pseudonymous key and a masked form.
"""

from __future__ import annotations

import functools

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

SECTION_KEYS = ["ideology", "volunteer", "youth_service", "self_building"]
MATCH_KINDS = ["id", "student_no", "name_branch", "name_town", "ambiguous", "unmatched"]


def _f(title: str, description: str, **kwargs) -> pa.Field:  # type: ignore[valid-type]
    return pa.Field(title=title, description=description, **kwargs)


class _Provenance(pa.DataFrameModel):
    source_file: Series[str] = _f("来源文件", "原始导出文件名（相对 data/raw/<年>/）")
    source_sheet: Series[str] = _f("来源工作表", "工作表名称；CSV 为空字符串")
    source_row: Series[pd.Int64Dtype] = _f("来源行号", "在 Excel 中看到的行号（从 1 开始）", ge=1)

    class Config:
        coerce = True
        strict = False


class Members(_Provenance):
    """团员名册 (roster): one row per member."""

    member_id: Series[str] = _f("成员键", "由身份证号等生成的稳定化名键，跨年度不变", unique=True)
    name: Series[str] = _f("姓名", "名册上的姓名（保留少数民族姓名中的·）")
    name_norm: Series[str] = _f("规范姓名", "去除空格、全角转半角后的姓名，用于匹配")
    gender: Series[str] = _f("性别", "男 / 女", nullable=True, isin=["男", "女"])
    birth_date: Series[pd.Timestamp] = _f("出生日期", "出生日期（缺失时由身份证号推出）", nullable=True)
    id_masked: Series[str] = _f("身份证号（脱敏）", "如 110***********123X", nullable=True)
    phone_masked: Series[str] = _f("手机号码（脱敏）", "如 138****5678", nullable=True)
    branch: Series[str] = _f("所在团支部", "名册中的团支部（规范名称）")
    join_date: Series[pd.Timestamp] = _f(
        "入团日期", "入团日期；名册只有年月时取当月 1 日，发展团员台账中的确切日期优先", nullable=True
    )
    join_precision: Series[str] = _f("入团日期精度", "day（到日）/ month（到月）/ 空（未知）", nullable=True)
    status: Series[str] = _f("团籍状态", "正常 / 满28周岁离团 / 自行脱团 / 自愿退团 / 开除团籍 等")
    status_pending: Series[bool] = _f("状态待审核", "团籍状态带“待审核”")
    leave_date: Series[pd.Timestamp] = _f(
        "离团日期", "离团日期；满28周岁离团且无日期时取28周岁生日", nullable=True
    )
    is_cadre: Series[bool] = _f("是否团干部", "是否为团干部")
    position: Series[str] = _f("团内职务", "团内现任职务", nullable=True)
    political_status: Series[str] = _f("政治面貌", "共青团员 / 中共党员 / 中共预备党员 等", nullable=True)
    education: Series[str] = _f("学历", "全日制学历或最高学历", nullable=True)
    occupation: Series[str] = _f("职业", "职业或工作单位", nullable=True)
    ethnicity: Series[str] = _f("民族", "民族", nullable=True)
    member_no: Series[str] = _f("团员编号", "智慧团建团员编号", nullable=True)
    student_no: Series[str] = _f("学号", "学号/卡号/工号（学校团支部）", nullable=True)


class Transfers(_Provenance):
    """组织关系转接: a member moving from one branch to another on a date."""

    member_id: Series[str] = _f("成员键", "匹配到的团员；未匹配为空", nullable=True)
    name: Series[str] = _f("姓名", "转接记录上的姓名")
    from_branch: Series[str] = _f("转出团支部", "转出团支部（规范名称）", nullable=True)
    to_branch: Series[str] = _f("转入团支部", "转入团支部（规范名称）")
    date: Series[pd.Timestamp] = _f("转接日期", "当天起属于转入团支部")
    match: Series[str] = _f("匹配方式", "见“匹配方式”说明", isin=MATCH_KINDS)


class StudyRecords(_Provenance):
    """青年大学习: one row per learner per period (after de-duplication)."""

    period: Series[str] = _f("期次", "规范期次，如“第12季第5期”“2022年第12期”“特辑:五四特辑(05-04)”")
    period_raw: Series[str] = _f("原始期次", "导出中的期次文字")
    is_special: Series[bool] = _f("特辑", "是否特辑")
    recorded_at: Series[pd.Timestamp] = _f("学习时间", "报名/学习时间；缺失时为空", nullable=True)
    name: Series[str] = _f("姓名", "记录中的姓名", nullable=True)
    name_norm: Series[str] = _f("规范姓名", "用于匹配的姓名", nullable=True)
    student_no: Series[str] = _f("学号", "记录中的学号/卡号/工号", nullable=True)
    branch: Series[str] = _f("团支部", "记录中的团支部（能识别时为规范名称）", nullable=True)
    branch_resolved: Series[bool] = _f("团支部已识别", "团支部是否识别为配置中的规范名称")
    member_id: Series[str] = _f("成员键", "匹配到的团员；歧义或未匹配为空", nullable=True)
    match: Series[str] = _f(
        "匹配方式", "id / student_no / name_branch / name_town / ambiguous / unmatched", isin=MATCH_KINDS
    )
    person_key: Series[str] = _f("学习者键", "计人次用：匹配到的团员键，否则为（团支部, 姓名或身份标识）")


class CadreCheckins(_Provenance):
    """团干部每月学习打卡: one row per cadre per month."""

    month: Series[pd.Timestamp] = _f("月份", "当月 1 日")
    branch: Series[str] = _f("团支部", "团支部（规范名称）", nullable=True)
    name: Series[str] = _f("姓名", "团干部姓名")
    name_norm: Series[str] = _f("规范姓名", "用于匹配的姓名")
    member_id: Series[str] = _f("成员键", "匹配到的团员；未匹配为空", nullable=True)
    match: Series[str] = _f("匹配方式", "匹配方式", isin=MATCH_KINDS)
    checked_in: Series[bool] = _f("已打卡", "当月是否完成学习打卡")
    checkin_date: Series[pd.Timestamp] = _f("打卡日期", "打卡日期（有时）", nullable=True)


class Activities(_Provenance):
    """活动台账: one row per distinct activity (same date, normalised name and organiser = one)."""

    activity_id: Series[str] = _f("活动键", "由日期、规范名称、组织者生成", unique=True)
    date: Series[pd.Timestamp] = _f("活动日期", "活动日期")
    name: Series[str] = _f("活动名称", "台账中的活动名称")
    name_norm: Series[str] = _f("规范活动名称", "去除空格、引号、书名号后的名称，用于去重")
    section: Series[str] = _f(
        "报告板块", "ideology / volunteer / youth_service / self_building", isin=SECTION_KEYS
    )
    section_source: Series[str] = _f(
        "板块来源", "column（活动类型列）/ keyword（名称关键词）/ default（默认）"
    )
    activity_type: Series[str] = _f("活动类型", "台账中的活动类型原文", nullable=True)
    organiser: Series[str] = _f("组织者", "规范团支部名称，或“镇团委”")
    participants: Series[pd.Int64Dtype] = _f("参与人数", "参与人数", nullable=True, ge=0)
    volunteers: Series[pd.Int64Dtype] = _f("志愿者人数", "志愿者人数", nullable=True, ge=0)
    hours_per_person: Series[float] = _f("人均服务时长（小时）", "每名志愿者服务小时数", nullable=True, ge=0)
    total_hours: Series[float] = _f("服务总时长（小时）", "台账中的总时长列", nullable=True, ge=0)
    volunteer_hours: Series[float] = _f(
        "志愿服务时长（小时）", "总时长列优先，否则 志愿者人数 × 人均时长；均无为 0", ge=0
    )
    beneficiaries: Series[pd.Int64Dtype] = _f("受益人数", "受益人数", nullable=True, ge=0)
    location: Series[str] = _f("地点", "活动地点", nullable=True)
    note: Series[str] = _f("备注", "备注", nullable=True)


class ActivityParticipants(_Provenance):
    """活动参与名单: who took part in which activity (when participant lists exist)."""

    date: Series[pd.Timestamp] = _f("活动日期", "活动日期", nullable=True)
    activity_name: Series[str] = _f("活动名称", "活动名称")
    name: Series[str] = _f("姓名", "参与人姓名")
    name_norm: Series[str] = _f("规范姓名", "用于匹配的姓名")
    branch: Series[str] = _f("团支部", "团支部（规范名称）", nullable=True)
    member_id: Series[str] = _f("成员键", "匹配到的团员", nullable=True)
    match: Series[str] = _f("匹配方式", "匹配方式", isin=MATCH_KINDS)


class Recruitment(_Provenance):
    """发展团员: one row per person in the recruitment pipeline."""

    person_id: Series[str] = _f("人员键", "与团员名册相同规则生成的化名键", unique=True)
    name: Series[str] = _f("姓名", "姓名")
    name_norm: Series[str] = _f("规范姓名", "用于匹配的姓名")
    gender: Series[str] = _f("性别", "男 / 女", nullable=True, isin=["男", "女"])
    birth_date: Series[pd.Timestamp] = _f("出生日期", "出生日期（缺失时由身份证号推出）", nullable=True)
    id_masked: Series[str] = _f("身份证号（脱敏）", "脱敏身份证号", nullable=True)
    branch: Series[str] = _f("所在团支部", "团支部（规范名称）", nullable=True)
    applied_date: Series[pd.Timestamp] = _f("申请日期", "递交入团申请书日期", nullable=True)
    activist_date: Series[pd.Timestamp] = _f("确定积极分子日期", "确定为入团积极分子日期", nullable=True)
    target_date: Series[pd.Timestamp] = _f("确定发展对象日期", "确定为发展对象日期", nullable=True)
    joined_date: Series[pd.Timestamp] = _f("入团日期", "入团日期", nullable=True)
    league_no: Series[str] = _f("发展团员编号", "12 位（或 16 位）编号，前 4 位为入团年份", nullable=True)
    stage: Series[str] = _f("当前阶段", "申请 / 积极分子 / 发展对象 / 团员 等", nullable=True)


class Aid(_Provenance):
    """爱心助学: one row per payment to a recipient."""

    programme: Series[str] = _f("资助项目", "如 青檬励学金、情暖童心")
    recipient_key: Series[str] = _f("受助人键", "有身份证号时由其生成，否则由（姓名, 村/团支部）生成")
    name: Series[str] = _f("姓名", "受助人姓名")
    id_masked: Series[str] = _f("身份证号（脱敏）", "脱敏身份证号", nullable=True)
    branch: Series[str] = _f("村（社区）/团支部", "所在村或团支部（能识别时为规范名称）", nullable=True)
    school: Series[str] = _f("学校", "就读学校", nullable=True)
    amount: Series[float] = _f("金额（元）", "资助金额（元）", ge=0)
    date: Series[pd.Timestamp] = _f("发放日期", "发放日期")


class BranchRatings(_Provenance):
    """对标定级: one row per branch and year."""

    year: Series[pd.Int64Dtype] = _f("年度", "定级年度")
    branch: Series[str] = _f("团支部", "团支部（规范名称）")
    score: Series[float] = _f("得分", "定级得分", nullable=True, ge=0, le=100)
    rating: Series[str] = _f(
        "定级结果", "五星 / 四星 / 三星 / 后进 / 软弱涣散 / 不予定级（旧制“5星…2星”映射到对应等次）"
    )
    rating_raw: Series[str] = _f("定级原文", "导出中的定级文字")


class MemberReviews(_Provenance):
    """团员教育评议: one row per member and year."""

    year: Series[pd.Int64Dtype] = _f("年度", "评议年度")
    name: Series[str] = _f("姓名", "姓名")
    name_norm: Series[str] = _f("规范姓名", "用于匹配的姓名")
    branch: Series[str] = _f("团支部", "团支部（规范名称）", nullable=True)
    member_id: Series[str] = _f("成员键", "匹配到的团员", nullable=True)
    match: Series[str] = _f("匹配方式", "匹配方式", isin=MATCH_KINDS)
    result: Series[str] = _f(
        "评议结果", "优秀 / 合格 / 基本合格 / 不合格", isin=["优秀", "合格", "基本合格", "不合格"]
    )


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "members": Members,
    "transfers": Transfers,
    "study_records": StudyRecords,
    "cadre_checkins": CadreCheckins,
    "activities": Activities,
    "activity_participants": ActivityParticipants,
    "recruitment": Recruitment,
    "aid": Aid,
    "branch_ratings": BranchRatings,
    "member_reviews": MemberReviews,
}

TABLE_LABELS: dict[str, str] = {
    "members": "团员名册",
    "transfers": "组织关系转接",
    "study_records": "青年大学习记录",
    "cadre_checkins": "团干部学习打卡",
    "activities": "活动台账",
    "activity_participants": "活动参与名单",
    "recruitment": "发展团员",
    "aid": "爱心助学",
    "branch_ratings": "对标定级",
    "member_reviews": "团员教育评议",
}


def columns(table: str) -> list[str]:
    """Canonical column order of a table (provenance columns last)."""
    names = list(TABLES[table].to_schema().columns)
    return [c for c in names if not c.startswith("source_")] + [c for c in names if c.startswith("source_")]


def labels(table: str) -> dict[str, str]:
    """English column name → Chinese label, for headers."""
    return {name: col.title or name for name, col in TABLES[table].to_schema().columns.items()}


def empty(table: str) -> pd.DataFrame:
    """An empty frame with the table's columns and dtypes (a fresh copy each time)."""
    return _empty(table).copy()


@functools.cache
def _empty(table: str) -> pd.DataFrame:
    schema = TABLES[table].to_schema()
    return schema.coerce_dtype(pd.DataFrame({name: pd.Series(dtype="object") for name in columns(table)}))


def markdown() -> str:
    """docs/tables.md: every canonical table and column, from the models above."""
    lines = [
        "# 规范数据表（canonical tables）",
        "",
        "本文件由 `python -m analysis docs` 根据 `src/analysis/common/schemas.py` 生成，请勿手工修改。",
        "每张表另有来源列 source_file / source_sheet / source_row（原始文件、工作表、Excel 行号）。",
        "",
    ]
    for table, model in TABLES.items():
        schema = model.to_schema()
        lines += [f"## {table} · {TABLE_LABELS[table]}", "", (model.__doc__ or "").strip(), ""]
        lines += ["| 列 | 中文名 | 类型 | 可空 | 含义 |", "|---|---|---|---|---|"]
        for name, col in schema.columns.items():
            if name.startswith("source_"):
                continue
            lines.append(
                f"| `{name}` | {col.title} | {col.dtype} | {'是' if col.nullable else '否'} | {col.description} |"
            )
        lines.append("")
    return "\n".join(lines)
