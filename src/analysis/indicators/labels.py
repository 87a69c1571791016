"""Chinese names of the catalogue tables and their columns (workbook sheets, notebook and document tables)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.common.config import default_section_labels

TABLE_TITLES: dict[str, str] = {
    "summary": "指标汇总",
    "org_by_branch": "各团支部团员",
    "org_by_age": "团员年龄结构",
    "org_by_gender": "团员性别",
    "org_by_political": "团员政治面貌",
    "study_periods": "青年大学习各期",
    "study_matrix": "参学率（支部×期次）",
    "study_ranking": "各团支部参学率排名",
    "study_members_low": "未参学或少参学团员",
    "cadre_by_month": "团干部打卡（按月）",
    "cadre_by_branch": "团干部打卡（按支部）",
    "cadre_unmatched": "名册外的打卡记录",
    "act_section_month": "活动（板块×月份）",
    "act_by_section": "活动（按板块）",
    "act_by_organiser": "活动（按组织者）",
    "act_top": "参与人数最多的活动",
    "act_list": "活动清单",
    "rec_funnel": "发展团员各阶段",
    "rec_by_branch": "发展团员（按支部）",
    "rec_durations": "发展各阶段用时",
    "rec_new_members": "新发展团员名单",
    "rec_checks": "发展团员核查提示",
    "aid_by_programme": "爱心助学（按项目）",
    "ratings_distribution": "对标定级分布",
    "ratings_table": "对标定级结果",
    "reviews_distribution": "团员教育评议",
    "coverage_study": "完整性·青年大学习",
    "coverage_checkin": "完整性·团干部打卡",
    "coverage_activities": "完整性·活动台账",
}

COLUMNS: dict[str, str] = {
    "key": "指标键",
    "label": "指标",
    "unit": "单位",
    "value": "本年",
    "previous": "上年",
    "change": "变化",
    "target": "目标",
    "met": "是否达标",
    "branch": "团支部",
    "members": "团员数",
    "cadres": "团干部",
    "overage": "超龄团员",
    "age_band": "年龄段",
    "gender": "性别",
    "political_status": "政治面貌",
    "period": "期次",
    "median_time": "记录时间中位数",
    "date": "日期",
    "learners": "参学人数（含非团员）",
    "numerator": "完成人数",
    "denominator": "应参学人数",
    "rate": "比率",
    "periods": "期数",
    "band": "档次",
    "rank": "排名",
    "member_id": "成员键",
    "periods_active": "在团期数",
    "periods_studied": "参学期数",
    "whole_year": "全年在团",
    "never": "全年未参学",
    "rarely": "参学不足一半",
    "name": "姓名",
    "month": "月份",
    "checked_in": "已打卡",
    "source_file": "来源文件",
    "source_row": "来源行号",
    "section": "板块",
    "activities": "活动次数",
    "person_times": "参与人次",
    "volunteers": "志愿者人数",
    "volunteer_hours": "志愿服务时长（小时）",
    "organiser": "组织者",
    "participants": "参与人数",
    "hours_per_person": "人均时长（小时）",
    "total_hours": "总时长（小时）",
    "location": "地点",
    "stage": "阶段",
    "people": "人数",
    "from": "从",
    "to": "到",
    "median_days": "用时中位数（天）",
    "applied_date": "申请日期",
    "activist_date": "确定积极分子日期",
    "target_date": "确定发展对象日期",
    "joined_date": "入团日期",
    "league_no": "发展团员编号",
    "check": "核查项",
    "detail": "说明",
    "programme": "资助项目",
    "recipients": "受助人数",
    "payments": "发放笔数",
    "amount": "金额（元）",
    "rating": "定级结果",
    "branches": "团支部数",
    "score": "得分",
    "result": "评议结果",
    "share": "占比",
}

RATE_COLUMNS = {"rate", "share"}
# where a generic column has a more telling name in one table
TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "study_periods": {"rate": "团员参学率"},
    "study_matrix": {"rate": "参学率"},
    "study_ranking": {"rate": "参学率（各期平均）", "members": "团员数（最多时）"},
    "study_members_low": {"rate": "个人参学率"},
    "cadre_by_month": {"rate": "打卡率", "numerator": "已打卡团干部", "denominator": "月末在册团干部"},
    "cadre_by_branch": {"rate": "打卡率", "numerator": "已打卡人月", "denominator": "应打卡人月"},
    "act_top": {"name": "活动名称"},
    "act_list": {"name": "活动名称"},
}


def column_names(table: str | None) -> dict[str, str]:
    """English → Chinese column names for one catalogue table."""
    return COLUMNS | TABLE_COLUMNS.get(table or "", {})


def section_names(values: pd.Series, sections: Mapping[str, str] | None = None) -> pd.Series:
    """Section keys shown by their labels: ``sections`` is the town's (`Catalogue.section_labels`), else
    the built-in ones."""
    labels = sections or default_section_labels()
    return values.map(lambda s: labels.get(s, s))


def chinese(
    frame: pd.DataFrame, table: str | None = None, sections: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Columns renamed to Chinese; section keys shown by their labels (`section_names`)."""
    out = frame.copy()
    if "section" in out:
        out["section"] = section_names(out["section"], sections)
    names = column_names(table)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


def percent_columns(frame: pd.DataFrame, table: str | None = None) -> list[str]:
    """Chinese names of the columns holding rates (formatted as percentages)."""
    names = column_names(table)
    return [names[c] for c in frame.columns if c in RATE_COLUMNS]
