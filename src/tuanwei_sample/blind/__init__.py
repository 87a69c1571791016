"""Blind dialects: the sample town's year written by hands that never read the recognisers.

Each module in this package registers one writer with :func:`register`. A writer is given the sample town
(the model of :mod:`tuanwei_sample.model`), a year and an empty folder; it writes that year's raw exports
into the folder in the shape some real platform or office hands over, and returns the town *as written*:
the same town with each study record's ``identifiable`` set to whether the written record can be credited
to one member (see :class:`tuanwei_sample.model.StudyRecord`). The truth of the dialect is
``truth.expected_indicators(returned_town, year, recoverable=True)``.

The writers were written from the project's domain guide and public descriptions of the platforms only, never from
src/analysis/ingest or tuanwei_sample.dialects: what they expose is what the rules lack.
``python -m tuanwei_sample.blind [NAME…]`` writes, ingests and compares each one (see :mod:`.check`).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

from tuanwei_sample.model import SampleTown

Writer = Callable[[SampleTown, int, Path], SampleTown]

BLIND: dict[str, Writer] = {}


def register(name: str) -> Callable[[Writer], Writer]:
    """Register a blind dialect's writer under ``name``."""

    def wrap(fn: Writer) -> Writer:
        BLIND[name] = fn
        return fn

    return wrap


def writers() -> dict[str, Writer]:
    """Every blind dialect of this package, by name (modules are imported on first use)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_") and info.name != "check":
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(sorted(BLIND.items()))


# What each blind dialect exposed first, and the general rule that now reads it (docs/dialects.md).
FINDINGS: dict[str, list[tuple[str, str]]] = {
    "zhtj_offices": [
        (
            "团支部写成正式名称 共青团塔岗村支部委员会：名册整表被拒、活动重复计数",
            "正式名称按层级化为简称（共青团…支部委员会 → …团支部，…工作委员会 → …团工委）后再识别",
        ),
        (
            "发展团员分阶段登记（申请人登记表、积极分子名册、发展对象名册、新团员名单）：后几份的行被当作重复，积极分子 2 人、发展对象 4 人",
            "同一人的各阶段行合并为一行，保留见到的每个阶段日期，日期冲突时警告",
        ),
        (
            "金额写成 ￥1,000.00：整张表找不到表头",
            "金额中的 ¥/￥/人民币、千分位和“元”“元整”在识别和清洗时去掉",
        ),
        ("团内职务写“无、暂无、/、—”", "占位写法在可选列中视为空值（未改变结果，已由规则覆盖）"),
        (
            "打卡情况表的月份在合并单元格（2022年每月学习打卡情况）下的第二行表头：只读到 1 月、打卡率 0%"
            "（数据完整性检查以“打卡记录只覆盖部分月份”停止了运行）",
            "两行表头时按下一行判断宽表的月份、期次或团支部",
        ),
        (
            "组织关系转接表有申请时间和办结时间两列，取了申请时间：两个团支部的参学率有偏差",
            "有多个日期列时优先办结/完成时间，其次不是申请时间的日期",
        ),
    ],
    "qndxx_backoffice": [
        (
            "季只写在上级文件夹名（第十二季/示例镇团委-第五期.xlsx）：两季的第5期被当成同一期，77 期而不是 51 期",
            "文件名只有“第N期”时，从外层文件夹或标题中找“第X季”补全",
        ),
        (
            "归属组织用“-”分隔的路径（示例县-示例镇团委-塔岗团支部）未识别",
            "组织路径按任何分隔符切分，取最后一级",
        ),
        (
            "学号是身份证后四位（910X张璐、张璐910x）",
            "身份字符串中 3 位数字加 X 的后四位视为学号，可与名册的学号或身份证尾号对应",
        ),
        (
            "数据完整性检查逐团支部逐期报出 332 处缺口",
            "每个团支部一条、全镇一条，并提示“可能是同一期写法不同”",
        ),
    ],
    "dingtalk_ledgers": [
        (
            "按月的打卡名单（只列已打卡的人，没有“是否打卡”列）被读成团员名册：团员 326 人、团干部 52 人",
            "工作表名、标题或文件名写明是打卡的名单，列出的人即为已打卡",
        ),
        (
            "钉钉打卡原始记录（打卡人、打卡时间，每月多次）未识别",
            "没有月份列时按打卡时间取月份；“打卡人”“部门”识别为姓名和团支部",
        ),
        (
            "问卷星导出中的“(跳过)”“(空)”使志愿者人数、时长列不被采用：志愿服务时长 0",
            "占位写法在判断列内容和解析数字时视为空",
        ),
        (
            "第二批发放的日期只写在表头上方的“发放时间：”一行：一笔发放被当成重复",
            "表头上方写明“日期：”“时间：”的完整日期，作为整张表的日期",
        ),
        (
            "资助表的标题写“花名册”，一度被怀疑为团员名册",
            "名称中同时写明本类型（资金发放、励学金）时不怀疑；表头证据很强（得分 ≥ 10）时不因标题中的一个词怀疑",
        ),
    ],
    "village_clerks": [
        (
            "每个团支部一个文件、期次横排的学习登记表丢失了标题中的团支部：两个团支部的同名团员合并为一人",
            "宽表（期次或月份横排）展开时保留工作表的标题、文件名、文件夹给出的团支部",
        ),
        (
            "出生年月只写到月，满28周岁离团日期提前半个月",
            "出生年月与身份证号同年同月时，以身份证号中的出生日期为准",
        ),
        (".ods 名册被拒绝", ".ods、.xlsb、.xlsm 与 .xlsx 同样读取；.zip 逐个成员读取"),
    ],
    "subdistrict_plain": [
        (
            "志愿汇导出（每名志愿者一行、服务时长以分钟计）被当作活动台账，各行作为重复被丢弃：志愿服务时长 0",
            "有“志愿者姓名”的活动行是逐人明细：按活动合并为志愿者人数和总时长；同一活动的台账行缺少的数字由明细补上；表头写“分钟”时换算为小时",
        ),
        (
            "团费收缴登记表被读成爱心助学：受助 315 人",
            "名称写明团费、党费、缴费、工资等不属于任何一类数据的表不导入（列为未导入），不再被猜成资助",
        ),
        (
            "打卡统计表中写“未打卡”的行按标题“打卡情况”算作已打卡：打卡率 100%",
            "有打卡日期列时按每行的日期判断，标题只对没有日期列的名单起作用",
        ),
        (
            "青年大学习记录中“身份证号”列的脱敏号码（990102********5029）没有用于区分同名团员",
            "脱敏身份证号可作为身份列：取后四位与名册中的身份证号尾号对应",
        ),
        ("“合计：10人，其中……”的表尾被当作被拒绝的数据行", "以“合计：”“总计：”开头的表尾行作为合计行跳过"),
    ],
    "forms_and_wecom": [
        (
            "腾讯问卷名册中同一人提交两次：团员 312 人、团干部 30 人",
            "身份证号相同即同一人，取后一次提交；姓名和手机号相同而身份证号校验位错误的一行并入正确的一行",
        ),
        (
            "企业微信“月报”（应打卡天数、缺卡次数等统计列）被当作打卡名单：打卡率偏高",
            "表头有“天数”“次数”“汇总”“统计”等统计列的表判为统计表，列为“无法确定这张表是什么”",
        ),
        (
            "企业微信打卡记录（时间列是带星期的日期、打卡时间只有时刻、账号 TW0001、打卡状态 正常/迟到/地点异常/未打卡）："
            "表头下的第一行数据被当作表头，整表被判为“无法确定这张表是什么”，打卡率无法计算（数据完整性检查停止了运行）",
            "一行中日期、时刻、编号、团支部名称等数据值占三成以上时不作为表头；表头中没有用到的列只在更像别的类型时才扣分"
            "（打卡类型、打卡地点属于打卡）",
        ),
        (
            "打卡记录每次打卡一行：同月的多次打卡被计为 351 行“重复”，次年 1 月的 5 次打卡留在本年的表中",
            "按日的逐条打卡按人按月合并：当月有一次打卡即为已打卡（未打卡、缺卡、旷工不算），同月其他打卡记为“并入同一人同月的"
            "逐条记录”，不在本年度的打卡单独记为跳过",
        ),
        (
            "平台“编号”列实为学号，同支部同名团员成了歧义匹配：两名段月玲都算作全年未参学（参学人次、参学率、"
            "中学团支部参学率、从未参学人数不对）",
            "表头只写“编号、账号、ID、序号”的列按内容判断：不是逐行递增的编号串作为待核对的学号，"
            "一半以上与名册中的学号相同时按学号对应团员（否则不用，并在导入报告中说明）",
        ),
    ],
    "county_template": [
        (
            "县团委统一模板中灰色的“填写示例”行被当作数据：多出 1 次活动、1 笔资助、1 名发展团员",
            "表头下方写有“示例”“填写示例”“请勿删除”的行作为填写示例行跳过",
        ),
        (
            "打卡矩阵末尾的“全年打卡次数”合计列使整张表被怀疑为统计表",
            "宽表（月份、期次横排的打卡或学习矩阵）末尾的合计列不使其成为统计表",
        ),
        (
            "汇总表（各团支部的人数、参学率、打卡率）被列为“无法确定这张表是什么”",
            "名称写明汇总、统计且表头都是统计列的表直接作为统计表跳过",
        ),
        (
            "“填报单位（盖章）：…联系电话：…”一行被当作表头",
            "两个以上单元格为“某某：…”的填报信息行不作为表头候选",
        ),
        (
            "隐藏的“数据字典”工作表（下拉选项的可选值）被读成对标定级：6 行被拒绝，列在 rejected_rows.xlsx 中",
            "名为数据字典、下拉选项、代码表等，或隐藏且各列是互不重复的可选值列表的工作表不导入，列在“未导入的文件”中",
        ),
    ],
    "history_exports": [
        (
            "多年的青年大学习后台导出中，每年同一天发布的“五四特辑”“特辑”被合并为一期：2022 年少了 2 期",
            "同名特辑在不同年份的同一天发布时，期次标签带上年份",
        ),
    ],
    "forwarded_files": [
        (
            "隐藏工作表中的上年数据（2021年台账、2021年度评议）使运行停止",
            "本年度已有同类数据时，上年的工作表只作提示（不影响任何数字）；没有本年数据时仍为严重缺口",
        ),
    ],
}


def findings_markdown() -> str:
    """The blind-dialect section of docs/dialects.md."""
    lines = [
        "",
        "## 盲写方言（src/tuanwei_sample/blind/）",
        "",
        "由没有读过识别规则的人，只根据领域说明和各平台导出的公开资料写出的示例镇 2022 年导出。"
        "每种都由 `make test`（tests/test_blind_dialects.py）导入并与真值比较；"
        "`python -m tuanwei_sample.blind` 可以逐个查看。下表记录每种方言最先暴露的问题和修复它的通用规则。",
    ]
    for name, rows in FINDINGS.items():
        lines += ["", f"### {name}", "", "| 最先出错的地方 | 修复的规则 |", "|---|---|"]
        lines += [f"| {what} | {rule} |" for what, rule in rows]
    return "\n".join(lines) + "\n"
