"""Is the year's data complete enough to sign? Coverage (records per branch and month or period, against
active members) and the gap and plausibility rules, each with a Chinese message that says what is wrong,
what it does to which number, and what to do.

A *serious* finding stops ``run`` before publishing (exit 4) unless the analyst passes ``--allow-gaps`` or
accepts it in town.yml (``accepted_gaps``); a *warning* is reported and printed only.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.common import formatting
from analysis.common.config import TownConfig
from analysis.common.paths import REJECTED_ROWS
from analysis.processed.load import Tables
from analysis.processed.pairs import checkin_pairs, member_rate_matrix, participation_pairs, study_periods


def _pct(value: float, signed: bool = False) -> str:
    """Thresholds and shares in the messages: whole percentages (formatting.percent)."""
    return formatting.percent(value, digits=0, signed=signed)


SERIOUS = "serious"
WARNING = "warning"


@dataclass(frozen=True)
class Thresholds:
    """town.yml ``completeness:`` — when a gap is worth stopping for."""

    min_branch_members: int = 5  # a branch this small may truly have nobody studying in a period
    town_rate_for_gap: float = 0.5  # a branch at 0 while the town is at least this high is a gap
    branch_share_of_town: float = 0.2  # …or when it is below this share of the town's rate
    unknown_sheet_rows: int = 5  # an unrecognised sheet with more rows than this is a gap
    member_change: float = 0.3  # members changed by more than this share against last year
    cadre_share: float = 0.3  # cadres as a share of members above this: posts misread (placeholders)
    activity_change: float = 3.0  # activities more than this many times (or under 1/this) last year's
    aid_per_recipient: tuple[float, float] = (50.0, 20000.0)  # yuan per recipient in a year
    hours_per_volunteer: float = 24.0  # hours one volunteer serves at one activity
    unmatched_share: float = 0.3  # share of study records matched to no member
    unread_sheet_share: float = 0.9  # a sheet whose rows lack their defining column this often: column unread
    unread_table_share: float = 0.1  # …serious when such sheets hold this share of the kind's rows
    never_share: float = 0.9  # members who never studied, while the records name half as many learners

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> Thresholds:
        def typed(k: str, v: Any) -> Any:
            default = getattr(cls(), k)
            return tuple(float(x) for x in v) if isinstance(default, tuple) else type(default)(v)

        return cls(**{k: typed(k, v) for k, v in raw.items() if hasattr(cls(), k)})


@dataclass(frozen=True)
class Finding:
    """One gap or implausibility. ``rule`` and ``subject`` identify it in town.yml's ``accepted_gaps``."""

    rule: str  # Chinese rule name, e.g. 团支部全年无学习记录
    severity: str  # serious / warning
    subject: str  # what it is about: a branch, a month, a file, a kind ("" for the whole town)
    message: str  # what is wrong, what it does to which number, what to do
    affects: tuple[str, ...] = ()  # indicator keys or key prefixes ("study.member_rate", "study.")

    @property
    def serious(self) -> bool:
        return self.severity == SERIOUS

    def affects_key(self, key: str) -> bool:
        return any(key == a or (a.endswith(".") and key.startswith(a)) for a in self.affects)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message,
            "affects": list(self.affects),
        }


@dataclass
class Assessment:
    """The findings of a year, split by what the gate does with them."""

    findings: list[Finding] = field(default_factory=list)
    accepted: list[Finding] = field(default_factory=list)  # serious, but accepted in town.yml

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.serious]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if not f.serious]

    def affected(self, key: str) -> list[Finding]:
        """Serious findings (accepted or not) that touch an indicator key."""
        return [f for f in self.blocking + self.accepted if f.affects_key(key)]

    def touching(self, prefixes: tuple[str, ...]) -> list[Finding]:
        """Serious findings (accepted or not) that touch any key under these prefixes ("study.", "org.")."""
        return [
            f
            for f in self.blocking + self.accepted
            if any(a.startswith(p) or p.startswith(a) for a in f.affects for p in prefixes)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "findings": [f.as_dict() for f in self.findings],
            "accepted": [f.as_dict() for f in self.accepted],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Assessment:
        def one(d: dict[str, Any]) -> Finding:
            return Finding(d["rule"], d["severity"], d["subject"], d["message"], tuple(d.get("affects", ())))

        return cls([one(d) for d in data.get("findings", [])], [one(d) for d in data.get("accepted", [])])

    def table(self) -> pd.DataFrame:
        """The findings as the workbook and the report list them (Chinese headers)."""
        rows = [
            {
                "严重程度": "严重" if f.serious else "提示",
                "类型": f.rule,
                "对象": f.subject,
                "说明": f.message,
            }
            for f in self.blocking + self.warnings
        ] + [
            {"严重程度": "已确认", "类型": f.rule, "对象": f.subject, "说明": f.message}
            for f in self.accepted
        ]
        return pd.DataFrame(rows, columns=["严重程度", "类型", "对象", "说明"])


# ------------------------------------------------------------------ coverage


def _month_label(ts: pd.Timestamp) -> str:
    return f"{ts.year}年{ts.month}月"


def _sources(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per key: the files (and sheets) its rows came from, '；'-joined (distinct pairs first: fast on long
    tables)."""
    pairs = frame[[*keys, "source_file", "source_sheet"]].drop_duplicates()
    where = pairs["source_file"].astype(str) + pairs["source_sheet"].astype(str).map(
        lambda s: f"（{s}）" if s else ""
    )
    pairs = pairs.assign(_where=where).sort_values("_where")
    several = pairs.duplicated(keys, keep=False).to_numpy()  # most keys have one source: no join
    joined = pairs[several].groupby(keys, observed=True)["_where"].agg("；".join)
    single = pairs[~several].set_index(keys)["_where"]
    return pd.concat([single, joined]).sort_index().rename("来源").reset_index()


def study_coverage(tables: Tables, year: int, matrix: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per branch and period of Y: members active on the period's date, those with a record, the records
    whose branch is that branch, and the files they came from. ``matrix``: the catalogue's 参学率 matrix
    (branch, period, numerator, denominator) when already computed — the same numbers, not recomputed."""
    records, members = tables.study_records, tables.members
    cols = ["类型", "团支部", "月份", "期次", "日期", "在册团员", "有记录团员", "记录数", "来源"]
    if records is None:
        return pd.DataFrame(columns=cols)
    periods = tables.study_periods(year)
    if periods.empty:
        return pd.DataFrame(columns=cols)
    in_year = records[records["period"].isin(periods["period"])]
    known = in_year.assign(branch=in_year["branch"].where(in_year["branch_resolved"])).dropna(
        subset=["branch"]
    )
    counts = known.groupby(["period", "branch"], observed=True).size().rename("记录数").reset_index()
    src = _sources(known, ["period", "branch"])
    if members is not None and not members.empty:
        if matrix is None:
            matrix = member_rate_matrix(participation_pairs(records, tables.membership, periods))
        grid = matrix[["period", "branch", "numerator", "denominator"]].rename(
            columns={"numerator": "有记录团员", "denominator": "在册团员"}
        )
        grid = grid.merge(counts, on=["period", "branch"], how="outer")
    else:
        grid = counts.assign(在册团员=pd.NA, 有记录团员=pd.NA)
    grid = grid.drop(columns=["date"], errors="ignore").merge(
        periods[["period", "date"]], on="period", how="left"
    )
    grid = grid.merge(src, on=["period", "branch"], how="left")
    grid["记录数"] = grid["记录数"].fillna(0).astype(int)
    grid["来源"] = grid["来源"].fillna("")
    grid["月份"] = grid["date"].map(_month_label)
    out = grid.rename(columns={"branch": "团支部", "period": "期次", "date": "日期"}).assign(
        类型="青年大学习"
    )
    return out[cols].sort_values(["日期", "团支部"]).reset_index(drop=True)


def checkin_coverage(tables: Tables, year: int) -> pd.DataFrame:
    """Per branch and month of Y: cadres active at the month's end, cadres checked in, rows, files."""
    cols = ["类型", "团支部", "月份", "在册团干部", "已打卡", "记录数", "来源"]
    checkins = tables.cadre_checkins
    if checkins is None:
        return pd.DataFrame(columns=cols)
    c = checkins[checkins["month"].dt.year == year]
    rows = c.assign(branch=c["branch"].fillna("（未注明）"))
    counts = rows.groupby(["month", "branch"]).size().rename("记录数").reset_index()
    out = counts.merge(_sources(rows, ["month", "branch"]), on=["month", "branch"], how="left")
    if tables.members is not None and not tables.members.empty:
        pairs = checkin_pairs(checkins, tables.membership, year)
        if len(pairs):
            grid = (
                pairs.groupby(["month", "branch"])["checked_in"]
                .agg(已打卡="sum", 在册团干部="size")
                .reset_index()
            )
            out = grid.merge(out, on=["month", "branch"], how="outer")
    for column in ("已打卡", "在册团干部"):
        if column not in out:
            out[column] = pd.NA
    out["记录数"] = out["记录数"].fillna(0).astype(int)
    out["来源"] = out["来源"].fillna("")
    out["月份"] = out["month"].map(_month_label)
    out = out.rename(columns={"branch": "团支部"}).assign(类型="团干部学习打卡")
    return out.sort_values(["month", "团支部"])[cols].reset_index(drop=True)


def activity_coverage(tables: Tables, year: int) -> pd.DataFrame:
    """Per organiser and month of Y: activities and the files they came from."""
    cols = ["类型", "团支部", "月份", "记录数", "来源"]
    acts = tables.activities
    if acts is None:
        return pd.DataFrame(columns=cols)
    a = acts[acts["date"].dt.year == year]
    a = a.assign(month=a["date"].dt.to_period("M").dt.to_timestamp())
    counts = a.groupby(["month", "organiser"]).size().rename("记录数").reset_index()
    out = counts.merge(_sources(a, ["month", "organiser"]), on=["month", "organiser"], how="left")
    out["月份"] = out["month"].map(_month_label)
    out = out.rename(columns={"organiser": "团支部"}).assign(类型="活动台账")
    return out.sort_values(["month", "团支部"])[cols].reset_index(drop=True)


def coverage(tables: Tables, year: int, matrix: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The coverage tables of the year, by kind (Chinese names, for the workbook and processed data)."""
    return {
        "青年大学习": study_coverage(tables, year, matrix),
        "团干部学习打卡": checkin_coverage(tables, year),
        "活动台账": activity_coverage(tables, year),
    }


# ------------------------------------------------------------------ rules


def _study_gaps(grid: pd.DataFrame, year: int, t: Thresholds) -> list[Finding]:
    if grid.empty or grid["在册团员"].isna().all():
        return []
    grid = grid.dropna(subset=["在册团员"])
    town = grid.groupby("期次")[["有记录团员", "在册团员"]].sum()
    town_rate = (town["有记录团员"] / town["在册团员"]).rename("town_rate")
    grid = grid.join(town_rate, on="期次")
    out: list[Finding] = []
    for branch, g in grid.groupby("团支部", sort=False):
        members = int(g["在册团员"].max())
        studied = g["有记录团员"].fillna(0)
        if studied.sum() == 0 and g["记录数"].sum() == 0:
            out.append(
                Finding(
                    "团支部全年无学习记录",
                    SERIOUS,
                    str(branch),
                    f"{branch}有 {members} 名团员，但 {year} 年 {len(g)} 期青年大学习中没有任何学习记录："
                    f"该团支部参学率会显示为 0%，全镇参学率因此偏低。请检查是否漏放了该团支部的导出，"
                    f"或运行 python -m analysis explain 查看该团支部的文件是否被识别",
                    ("study.member_rate", f"study.member_rate.{branch}", "study.never"),
                )
            )
            continue
        rate = studied / g["在册团员"]
        zero = g[
            (rate < g["town_rate"] * t.branch_share_of_town)
            & (g["在册团员"] >= t.min_branch_members)
            & (g["town_rate"] >= t.town_rate_for_gap)
        ]
        if len(zero):
            months = "、".join(dict.fromkeys(zero["月份"]))
            periods = "、".join(zero["期次"].head(8)) + ("等" if len(zero) > 8 else "")
            out.append(
                Finding(
                    "团支部某期无学习记录",
                    SERIOUS,
                    str(branch),
                    f"{branch}（{members} 名团员）在 {len(zero)} 期（{periods}，{months}）中几乎没有团员学习"
                    f"（不到全镇参学率的 {_pct(t.branch_share_of_town)}），而全镇这些期的参学率都在 "
                    f"{_pct(t.town_rate_for_gap)} 以上：多半是这几期该团支部的导出缺失。"
                    "缺失会拉低该团支部和全镇的参学率。请补充这几期的导出，或确认确实无人学习后在 town.yml 的 "
                    "accepted_gaps 中记录",
                    ("study.member_rate", f"study.member_rate.{branch}", "study.never"),
                )
            )
    return out


HOLE_CHANCE = 1e-4  # a run of empty periods this improbable at the branch's own level is a missing export


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, end) index pairs (inclusive) of the runs of True."""
    out, start = [], None
    for i, f in enumerate([*flags, False]):
        if f and start is None:
            start = i
        elif not f and start is not None:
            out.append((start, i - 1))
            start = None
    return out


def study_holes(grid: pd.DataFrame, t: Thresholds) -> pd.DataFrame:
    """Runs of periods in which a branch has no record at all although its own level in the periods it
    has records makes that improbable: the chance of a period without any learner among n members who
    each study with the branch's own rate r is (1 − r)^n; a run whose chances multiply below
    ``HOLE_CHANCE`` is a hole. Judged on the branch alone, whatever the rest of the town does (a half year
    missing for most branches lowers the town's rate too). Columns: branch, members, level, first, last,
    periods (labels)."""
    cols = ["branch", "members", "level", "first", "last", "periods"]
    grid = grid.dropna(subset=["在册团员"])
    if grid.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    for branch, g in grid.sort_values("日期").groupby("团支部", sort=False):
        members = g["在册团员"].astype(float)
        studied = g["有记录团员"].fillna(0).astype(float)
        empty = ((studied == 0) & (g["记录数"] == 0)).tolist()
        present = ~pd.Series(empty, index=g.index)
        if not present.any() or members.max() < t.min_branch_members:
            continue
        level = float((studied[present] / members[present].where(members[present] > 0)).mean())
        if not level or level != level:
            continue
        chance = (1 - min(level, 0.999)) ** members
        for a, b in _runs(empty):
            if float(chance.iloc[a : b + 1].prod()) < HOLE_CHANCE:
                rows.append(
                    {
                        "branch": branch,
                        "members": int(members.max()),
                        "level": level,
                        "first": g["日期"].iloc[a],
                        "last": g["日期"].iloc[b],
                        "periods": list(g["期次"].iloc[a : b + 1]),
                    }
                )
    return pd.DataFrame(rows, columns=cols)


def _period_span(periods: list[str]) -> str:
    return periods[0] if len(periods) == 1 else f"{periods[0]} 至 {periods[-1]} 共 {len(periods)} 期"


def _hole_findings(holes: pd.DataFrame, n_branches: int, year: int) -> list[Finding]:
    """One finding per branch (all its runs); when most branches share holes, one for the town as well."""
    out = []
    for branch, h in holes.groupby("branch", sort=False):
        runs = "、".join(
            f"{_period_span(r['periods'])}（{formatting.day(r['first'])} 至 {formatting.day(r['last'])}）"
            for _, r in h.head(6).iterrows()
        ) + ("等" if len(h) > 6 else "")
        n = sum(len(p) for p in h["periods"])
        out.append(
            Finding(
                "团支部某段时间无学习记录",
                SERIOUS,
                str(branch),
                f"{branch}（{h['members'].iloc[0]} 名团员，有记录的各期平均参学率 {_pct(h['level'].iloc[0])}）在"
                f"{runs}共 {n} 期没有任何学习记录：按该团支部自己的参学水平，这几乎不可能是真的无人学习，"
                "多半是这段时间的导出缺失（或同一期在不同导出中写法不同，被当成了两期）。"
                "缺失会拉低该团支部和全镇的参学率、增加从未参学人数。请补充这段时间的导出，或用 "
                "python -m analysis explain 查看期次是怎样识别的；确属实际情况时在 town.yml 的 accepted_gaps 中记录",
                ("study.member_rate", f"study.member_rate.{branch}", "study.never"),
            )
        )
    if n_branches and len(holes):
        per_period = holes.explode("periods").groupby("periods", sort=False)["branch"].nunique()
        shared = per_period[per_period >= max(2, (n_branches + 1) // 2)]
        if len(shared):
            labels = "、".join(shared.index[:8]) + ("等" if len(shared) > 8 else "")
            out.append(
                Finding(
                    "多数团支部同时缺少学习记录",
                    SERIOUS,
                    f"{year}年",
                    f"{len(shared)} 期（{labels}）中，{n_branches} 个团支部里多数都没有学习记录：多半是这段时间的"
                    "青年大学习导出没有放进原始数据文件夹，或同一期在不同导出中写法不同（例如期次只写在文件夹名中），"
                    "被当成了两期。全镇参学率和期数会因此不可信，请补齐导出或核对期次后重新导入",
                    ("study.",),
                )
            )
    return out


def _checkin_gaps(tables: Tables, year: int) -> list[Finding]:
    checkins = tables.cadre_checkins
    if checkins is None:
        return []
    months = sorted({int(m.month) for m in checkins.loc[checkins["month"].dt.year == year, "month"]})
    if not months:
        return []
    out = []
    inside = [m for m in range(months[0], months[-1] + 1) if m not in months]
    for m in inside:
        out.append(
            Finding(
                "月份无打卡记录",
                SERIOUS,
                f"{year}年{m}月",
                f"{year} 年 {m} 月没有任何团干部学习打卡记录，而前后月份都有：团干部打卡率按有记录的月份平均，"
                f"缺少这个月会改变全年打卡率。请补充 {m} 月的打卡导出",
                ("cadre.checkin_rate",),
            )
        )
    outside = [m for m in range(1, _last_month(year) + 1) if m < months[0] or m > months[-1]]
    if outside:
        serious = len(outside) >= CHECKIN_SPAN_MONTHS
        out.append(
            Finding(
                "打卡记录只覆盖部分月份",
                SERIOUS if serious else WARNING,
                f"{year}年",
                f"团干部学习打卡记录只覆盖 {months[0]}–{months[-1]} 月（{year} 年另外 {len(outside)} 个月没有记录）；"
                "全年打卡率只按这些月份计算"
                + (
                    "。缺这么多个月多半是漏放了部分月份的打卡导出：请补齐；本年确实从年中才开始打卡时，"
                    "在 town.yml 的 accepted_gaps 中记录"
                    if serious
                    else ""
                ),
                ("cadre.checkin_rate",),
            )
        )
    return out


def _last_month(year: int) -> int:
    """The last month of ``year`` whose exports can be complete: 12, or the month before this one while
    the year is still running (a mid-year run is not a year with its end missing)."""
    today = pd.Timestamp.today()
    return 12 if today.year > year else max(today.month - 1, 0)


CHECKIN_SPAN_MONTHS = 3  # months of the year without any check-in row before or after the export's span


def _period_span_gaps(tables: Tables, year: int) -> list[Finding]:
    """青年大学习 is released about weekly: a stretch of the year this long without any period (at the
    start, the end or inside) means exports are missing for the whole town."""
    periods = tables.study_periods(year)
    if periods is None or periods.empty:
        return []
    end = min(pd.Timestamp(year, 12, 31), pd.Timestamp.today().normalize())  # a year still running
    dates = [pd.Timestamp(year, 1, 1), *sorted(d for d in periods["date"] if d <= end), end]
    out = []
    for a, b in itertools.pairwise(dates):
        if (b - a).days > PERIOD_GAP_DAYS:
            out.append(
                Finding(
                    "一段时间没有任何期次",
                    SERIOUS,
                    f"{formatting.day(a)} 至 {formatting.day(b)}",
                    f"{formatting.day(a)} 至 {formatting.day(b)} 之间（{(b - a).days} 天）全镇没有任何一期青年大学习记录，"
                    "而青年大学习大约每周一期：多半是这段时间的导出没有放进原始数据文件夹。期数、人次和参学率都会因此不准，"
                    "请补齐导出；确属实际情况时在 town.yml 的 accepted_gaps 中记录",
                    ("study.",),
                )
            )
    return out


PERIOD_GAP_DAYS = 60
LEDGER_CHANCE = 1e-6  # activities come in bursts: only a much less likely empty stretch is a missing export


def _ledger_span(tables: Tables, year: int) -> list[Finding]:
    """An activity ledger that starts late or stops early: months at the start or the end of the year
    without any activity, although the ledger's own pace (activities per month where it has any) makes
    that improbable (Poisson: e^(−pace × months) < ``LEDGER_CHANCE``)."""
    acts = tables.activities
    if acts is None or acts.empty:
        return []
    months = acts.loc[acts["date"].dt.year == year, "date"].dt.month
    if months.empty:
        return []
    first, last = int(months.min()), int(months.max())
    pace = len(months) / (last - first + 1)
    out = []
    final = _last_month(year)
    for empty, where in ((first - 1, f"1–{first - 1} 月"), (max(final - last, 0), f"{last + 1}–{final} 月")):
        if empty and math.exp(-pace * empty) < LEDGER_CHANCE:
            out.append(
                Finding(
                    "活动台账只覆盖部分月份",
                    SERIOUS,
                    f"{year}年{where}",
                    f"活动台账在 {first}–{last} 月平均每月 {formatting.number(round(pace, 1))} 次活动，{year} 年 {where}却一次也没有："
                    "多半是这几个月的台账没有放进原始数据文件夹（或导出时只选了部分月份）。活动次数、参与人次和"
                    "志愿服务时长会因此偏少。请补齐台账；确属实际情况时在 town.yml 的 accepted_gaps 中记录",
                    ("act.",),
                )
            )
    return out


def _missing_kinds(tables: Tables, config: TownConfig, year: int) -> list[Finding]:
    labels = {k.table: k.label for k in config.vocabulary.kinds.values()}
    expected = {
        "members": (
            "每年都需要团员名册：团员人数、参学率、打卡率都以它为分母",
            ("org.", "study.member_rate", "study.never", "cadre."),
        ),
        "study_records": ("每年都需要青年大学习记录", ("study.",)),
    }
    targets = config.targets(year)
    if targets.recruitment_quota is not None:
        expected["recruitment"] = (f"town.yml 中设了 {year} 年发展团员指标", ("rec.",))
    if targets.checkin_rate_target is not None:
        expected["cadre_checkins"] = (f"town.yml 中设了 {year} 年团干部打卡率目标", ("cadre.",))
    out = []
    for table, (why, affects) in expected.items():
        if tables.get(table) is None:
            out.append(
                Finding(
                    "缺少导出",
                    SERIOUS,
                    labels[table],
                    f"没有导入任何{labels[table]}（{why}）：相关数字无法计算或不完整。请把{labels[table]}的导出放进本年的"
                    "原始数据文件夹；已经放了却没有导入时，运行 python -m analysis explain <文件> 查看原因",
                    affects,
                )
            )
    return out


def _ingest_findings(
    report: dict[str, Any], t: Thresholds, tables_rows: dict[str, int] | None = None
) -> list[Finding]:
    out = []
    totals = report.get("totals", {})
    if not totals.get("kept"):
        out.append(
            Finding(
                "没有导入任何数据",
                SERIOUS,
                "",
                "没有从任何文件中导入数据：报告中的所有数字都将为空。请检查原始数据文件夹，"
                "并用 python -m analysis explain <文件夹> 查看每个文件为什么没有被识别",
                ("",),
            )
        )
    for failed in report.get("failed_files", []):
        out.append(
            Finding(
                "无法读取的文件",
                SERIOUS,
                failed["file"],
                f"{failed['message']}（该文件的数据未计入任何数字）",
                (),
            )
        )
    for sheet in report.get("unknown_sheets", []):
        where = sheet["file"] + (f"（{sheet['sheet']}）" if sheet.get("sheet") else "")
        severity = SERIOUS if sheet.get("rows", 0) > t.unknown_sheet_rows else WARNING
        out.append(
            Finding(
                "未识别的工作表",
                severity,
                where,
                f"{where}有 {sheet.get('rows', 0)} 行数据但未能识别，未计入任何数字。{sheet.get('message', '')}",
                (),
            )
        )
    for sheet in report.get("unsure_sheets", []):
        where = sheet["file"] + (f"（{sheet['sheet']}）" if sheet.get("sheet") else "")
        runner = (
            f"，第二是“{sheet['runner_up']}”（相差 {sheet['margin']:g} 分）" if sheet.get("runner_up") else ""
        )
        out.append(
            Finding(
                "无法确定这张表是什么",
                SERIOUS,
                where,
                f"{where}（{sheet['rows']} 行）看起来像“{sheet['kind_label']}”（得分 {sheet['score']:g}{runner}），但"
                + "；".join(sheet["reasons"])
                + f"。为免算错，这张表没有计入任何数字。{sheet['hint']}",
                (),
            )
        )
    for sheet in report.get("set_aside_other_year", []):
        where = sheet["file"] + (f"（{sheet['sheet']}）" if sheet.get("sheet") else "")
        # last year's sheet beside this year's data of the same kind (a hidden 2021 sheet, an old copy)
        # changes no number; without this year's data it may be the wrong year's export in the folder
        own = (tables_rows or {}).get(sheet.get("table", ""), 0)
        severity = WARNING if own else SERIOUS
        extra = f"（本年度已有该类数据 {own} 行，这张表不影响任何数字）" if own else ""
        out.append(Finding("其他年度的数据", severity, where, f"{where}：{sheet['message']}{extra}", ()))
    return out


def _yearless_dates(report: dict[str, Any]) -> list[Finding]:
    info = report.get("yearless_dates") or {}
    if not info.get("count"):
        return []
    files = "、".join(info.get("files", []))
    return [
        Finding(
            "日期缺少年份",
            WARNING,
            "",
            f"{info['count']} 个日期没有写年份（{files}），已按标题、文件名或导入年度补上年份；"
            f"请在 {REJECTED_ROWS} 的“警告”表中核对",
            (),
        )
    ]


# ------------------------------------------------------------------ defining columns


@dataclass(frozen=True)
class Defining:
    """The columns without which a row of a table reaches no number: a row is usable when any of them is
    filled (``usable`` may refine that for the table)."""

    columns: tuple[str, ...]
    affects: tuple[str, ...]
    why: str  # what the missing column does to the numbers (Chinese, for the message)
    usable: Callable[[pd.DataFrame], pd.Series] | None = None


def _in_dated_period(records: pd.DataFrame) -> pd.Series:
    """A study record counts when its period is dated: by its own time or by another record's (a school's
    list without times, its period dated by the town's exports, is usable)."""
    dated = records.loc[records["recorded_at"].notna(), "period"].unique()
    return records["period"].isin(dated)


# The one place a kind's defining columns are named. Only columns the canonical schema lets be empty are
# listed: a row without a required one (a check-in's month, an activity's date, an aid amount) is rejected
# at ingest and listed in rejected_rows.xlsx instead.
DEFINING: dict[str, Defining] = {
    "study_records": Defining(
        ("recorded_at",),
        ("study.",),
        "期次的日期取自记录的学习时间：这些记录所在的期次无法确定日期，不计入期数、学习人次和参学率，"
        "团员会被算作从未参学",
        _in_dated_period,
    ),
    "recruitment": Defining(
        ("applied_date", "activist_date", "target_date", "joined_date"),
        ("rec.",),
        "发展团员的申请、积极分子、发展对象、新团员人数和平均用时都按这些日期计算，没有日期的人不计入任何一项",
    ),
}

DATE_FIX = (
    "请用 python -m analysis explain <文件> 查看日期列是怎样识别的：表头没有被识别时，在 town.yml 的 columns "
    "中写明它的表头；单元格只写了月日、写成中文数字（如“3月7日 20:15”“二〇二二年一月十三日”）等无法读取的形式时，"
    "请在导出中写成带年份的日期（如 2022-03-07 20:15）后重新导入"
)


def _sheets(file: str, sheets: list[str]) -> str:
    """A file and some of its sheets: 统计.xlsx（1月明细、2月明细等 12 个工作表）."""
    named = [s for s in sheets if s]
    if not named:
        return file
    more = f"等 {len(named)} 个工作表" if len(named) > 4 else ""
    return f"{file}（{'、'.join(named[:4])}{more}）"


def _unread_columns(tables: Tables, config: TownConfig, t: Thresholds) -> list[Finding]:
    """A kind read with rows, but sheets whose rows (nearly) all lack the kind's defining column: the
    column was not found or its cells cannot be read (dates without a year, in Chinese numerals). Serious
    when those sheets hold ``unread_table_share`` of the kind's rows, else a warning (one undated special
    period). A complete export fills the column on every row."""
    kinds = {k.table: k for k in config.vocabulary.kinds.values()}
    sources = {(s["file"], s["sheet"]): s for s in tables.report.get("sources", [])}
    out = []
    for table, spec in DEFINING.items():
        frame = tables.get(table)
        if frame is None or frame.empty or table not in kinds:
            continue
        kind = kinds[table]
        present = [c for c in spec.columns if c in frame]
        usable = frame[present].notna().any(axis=1) if present else pd.Series(False, index=frame.index)
        if spec.usable is not None:
            usable = usable | spec.usable(frame)
        if usable.all():
            continue
        per = (
            pd.DataFrame({"file": frame["source_file"], "sheet": frame["source_sheet"], "bad": ~usable})
            .groupby(["file", "sheet"], sort=False)["bad"]
            .agg(["sum", "size"])
        )
        bad = per[per["sum"] >= per["size"] * t.unread_sheet_share]
        if bad.empty:
            continue
        n_bad = int(bad["sum"].sum())
        labels = "".join(f"“{kind.label_of(c)}”" for c in spec.columns)
        what = labels if len(spec.columns) == 1 else f"{labels}中的任何一项"
        found: dict[str, dict[str, list[str]]] = {}  # how the column was read → file → its sheets
        for file, sheet in bad.index:
            cols = sources.get((file, sheet), {}).get("recognition", {}).get("columns", {})
            read = [cols[c].get("described") or kind.label_of(c) for c in spec.columns if c in cols]
            how = (
                f"读到了{'、'.join(read)}，但单元格无法读成日期"
                if read
                else f"没有找到{'这一列' if len(spec.columns) == 1 else '这些列'}（表头没有被识别，或内容不像日期）"
            )
            found.setdefault(how, {}).setdefault(file, []).append(sheet)
        detail = "；".join(
            "、".join(_sheets(file, sheets) for file, sheets in files.items()) + how
            for how, files in found.items()
        )
        share = n_bad / len(frame)
        serious = share >= t.unread_table_share
        out.append(
            Finding(
                "关键列没有读到",
                SERIOUS if serious else WARNING,
                kind.label,
                f"{kind.label}共 {len(frame)} 行，其中 {n_bad} 行（{_pct(share)}）没有可用的{what}：{detail}。"
                f"{spec.why}。{DATE_FIX}"
                + ("；确属实际情况时在 town.yml 的 accepted_gaps 中记录" if serious else ""),
                spec.affects,
            )
        )
    return out


def _study_reaches_nobody(tables: Tables, head: dict[str, float], t: Thresholds) -> list[Finding]:
    """Study records that name as many learners as half the roster, while (nearly) every member counts as
    never having studied: the records reach no member (no period of the year dated, another year's
    records, names or branches that match nobody). A complete year has a few members who never study."""
    records = tables.study_records
    members, never = head.get("org.members"), head.get("study.never")
    if records is None or records.empty or not members or never is None:
        return []
    if members < t.min_branch_members or never < members * t.never_share:
        return []
    learners = int(records["person_key"].nunique())
    if learners < members / 2:
        return []
    periods = int(head.get("study.periods", 0))
    return [
        Finding(
            "学习记录没有计入团员",
            SERIOUS,
            "",
            f"青年大学习记录中有 {learners} 名学习者，名册有 {int(members)} 名团员，却有 {int(never)} 名团员"
            f"（{_pct(never / members)}）被算作全年从未参学"
            + ("，本年没有任何一期" if not periods else f"（本年 {periods} 期）")
            + "：记录没有计入团员。常见原因：记录的学习时间没有读到（期次无法确定日期）、记录属于其他年度、"
            f"团支部或姓名的写法与名册对不上（见 {REJECTED_ROWS} 的“未识别的团支部”）。参学率和从未参学人数不可信，"
            "请用 python -m analysis explain 核对青年大学习的导出",
            ("study.",),
        )
    ]


def _neighbour_periods(tables: Tables, year: int) -> list[Finding]:
    """Periods in this year's exports that belong to the year before or after by their median record
    time (the period released in late December, records on both sides): assigned by the definitions,
    reported as information, never a gap."""
    records = tables.study_records
    if records is None or records.empty:
        return []
    # only periods with a record dated outside Y can have their median there (cheap on long tables)
    outside = records["recorded_at"].notna() & (records["recorded_at"].dt.year != year)
    if not outside.any():
        return []
    records = records[records["period"].isin(records.loc[outside, "period"].unique())]
    out = []
    for other in (year - 1, year + 1):
        periods = study_periods(records, other)
        for _, p in periods.iterrows():
            rows = records[records["period"] == p["period"]]
            inside = int((rows["recorded_at"].dt.year == year).sum())
            out.append(
                Finding(
                    "跨年期次",
                    WARNING,
                    str(p["period"]),
                    f"{p['period']}的中位记录时间是 {formatting.day(p['median_time'])}，按定义属于 {other} 年，"
                    f"不计入 {year} 年的期数、人次和参学率"
                    + (f"（其中 {inside} 条记录的日期在 {year} 年）" if inside else "")
                    + "。这是跨年发布的期次的正常情况，无需处理",
                    (),
                )
            )
    return out


def _across_exports(
    tables: Tables, year: int, t: Thresholds, previous: dict[str, float], head: dict[str, float]
) -> list[Finding]:
    """Numbers no town has: each points at an export read wrong (a post of "无", a log read as a ledger,
    lost stage dates, an amount in 万元 or minutes)."""
    out = []
    members, cadres = head.get("org.members"), head.get("org.cadres")
    if members and cadres is not None and cadres / members > t.cadre_share:
        out.append(
            Finding(
                "团干部占比过高",
                SERIOUS,
                "",
                f"年末团员 {int(members)} 人中有 {int(cadres)} 名团干部（{_pct(cadres / members)}，超过 {_pct(t.cadre_share)}）："
                "多半是名册的“团内职务”列把“无”“/”“普通团员”之类的写法当成了职务。请检查名册；"
                "团干部人数是打卡率的分母",
                ("org.cadres", "cadre."),
            )
        )
    now, before = head.get("act.count"), previous.get("act.count")
    if now and before and (now > before * t.activity_change or now * t.activity_change < before):
        out.append(
            Finding(
                "活动数量与上年相差过大",
                SERIOUS,
                "",
                f"{year} 年活动 {int(now)} 次，上年 {int(before)} 次：相差超过 {t.activity_change:g} 倍。"
                "常见原因：把打卡记录、签到表当成了活动台账，或漏放了部分台账。请用 python -m analysis explain 核对活动台账；"
                "确属实际情况时在 town.yml 的 accepted_gaps 中记录",
                ("act.",),
            )
        )
    rec = tables.recruitment
    if rec is not None and len(rec):
        stages = [
            ("applied_date", "递交申请"),
            ("activist_date", "确定积极分子"),
            ("target_date", "确定发展对象"),
            ("joined_date", "入团"),
        ]
        counts = [
            (label, int(rec[c].notna().sum())) for c, label in stages if c in rec and rec[c].notna().any()
        ]
        for (a, na), (b, nb) in itertools.pairwise(counts):
            if nb > na:
                out.append(
                    Finding(
                        "发展团员各阶段人数不合逻辑",
                        SERIOUS,
                        "",
                        f"发展团员台账中有{b}日期的 {nb} 人，多于有{a}日期的 {na} 人：每个人都要先经过前一个阶段，"
                        "多半是分阶段登记的名单中某些日期没有读到或被当成了重复。请用 python -m analysis explain 核对各份名单",
                        ("rec.",),
                    )
                )
                break
    amount, recipients = head.get("aid.amount"), head.get("aid.recipients")
    low, high = t.aid_per_recipient
    if amount is not None and recipients and not low <= amount / recipients <= high:
        out.append(
            Finding(
                "资助金额不合常理",
                SERIOUS,
                "",
                f"爱心助学平均每人 {formatting.money(amount / recipients)} 元（正常在 {low:g}–{high:g} 元之间）："
                "多半是金额的单位（元、万元）读错了，或金额列读成了别的列。请核对表头中的单位",
                ("aid.amount",),
            )
        )
    acts = tables.activities
    if acts is not None and len(acts):
        per = acts["total_hours"] / acts["volunteers"].astype("float64")
        per = per.fillna(acts["hours_per_person"])
        odd = acts[per > t.hours_per_volunteer]
        if len(odd):
            out.append(
                Finding(
                    "志愿服务时长不合常理",
                    SERIOUS,
                    "",
                    f"{len(odd)} 次活动中每名志愿者服务超过 {t.hours_per_volunteer:g} 小时（如“{odd['name'].iloc[0]}”）："
                    "多半是时长的单位是分钟或天，或把总时长当成了人均时长。请核对表头中的单位（写明“分钟”时会自动换算）",
                    ("act.volunteer_hours",),
                )
            )
    return out


def _plausibility(
    tables: Tables, year: int, t: Thresholds, previous: dict[str, float], head: dict[str, float]
) -> list[Finding]:
    out = _across_exports(tables, year, t, previous, head)
    now, before = head.get("org.members"), previous.get("org.members")
    if now is not None and before:
        change = (now - before) / before
        if abs(change) > t.member_change:
            out.append(
                Finding(
                    "团员人数变化过大",
                    SERIOUS,
                    "",
                    f"年末团员 {int(now)} 人，上年 {int(before)} 人，变化 {_pct(change, signed=True)}（超过 {_pct(t.member_change)}）："
                    "可能是名册不完整（漏了某些团支部）或导出了错误的范围。团员人数是参学率、打卡率的分母，"
                    "请核对名册；确属实际变化时在 town.yml 的 accepted_gaps 中记录",
                    ("org.", "study.member_rate", "study.never", "cadre."),
                )
            )
    records = tables.study_records
    if records is not None and tables.members is not None and not tables.members.empty:
        periods = tables.study_periods(year)
        r = records[records["period"].isin(periods["period"])]
        if len(r):
            share = float((r["member_id"].isna() | (r["match"] == "ambiguous")).mean())
            if share > t.unmatched_share:
                out.append(
                    Finding(
                        "学习记录未匹配比例过高",
                        SERIOUS,
                        "",
                        f"{_pct(share)} 的青年大学习记录没有对应到名册中的团员（超过 {_pct(t.unmatched_share)}）："
                        "参学率只计入对应到团员的记录，会因此偏低。常见原因：名册缺少某些团支部、"
                        f"团支部名称写法不同（见 {REJECTED_ROWS} 的“未识别的团支部”）、姓名写法不同",
                        ("study.member_rate", "study.member_rate.", "study.never"),
                    )
                )
    return out


def assess(
    tables: Tables,
    config: TownConfig,
    year: int,
    head: dict[str, float],
    previous: dict[str, float] | None = None,
    study_grid: pd.DataFrame | None = None,
) -> Assessment:
    """Every finding of the year; serious ones accepted in town.yml's ``accepted_gaps`` are set apart."""
    t = Thresholds.from_config(config.completeness)
    found: list[Finding] = []
    found += _ingest_findings(tables.report, t, tables.report.get("tables", {}))
    found += _missing_kinds(tables, config, year)
    grid = study_grid if study_grid is not None else study_coverage(tables, year)
    holes = study_holes(grid, t)
    found += _hole_findings(holes, grid.dropna(subset=["在册团员"])["团支部"].nunique(), year)
    found += [
        f
        for f in _study_gaps(grid, year, t)
        if f.rule != "团支部某期无学习记录" or f.subject not in set(holes["branch"])
    ]
    found += _checkin_gaps(tables, year)
    found += _period_span_gaps(tables, year)
    found += _ledger_span(tables, year)
    found += _plausibility(tables, year, t, previous or {}, head)
    unread = _unread_columns(tables, config, t)
    found += unread
    if not any(f.serious and f.affects_key("study.periods") for f in unread):  # the same cause, told once
        found += _study_reaches_nobody(tables, head, t)
    found += _yearless_dates(tables.report)
    found += _neighbour_periods(tables, year)
    result = Assessment()
    for f in found:
        if f.serious and _accepted(f, config.accepted_gaps):
            result.accepted.append(f)
        else:
            result.findings.append(f)
    return result


def _accepted(finding: Finding, accepted: tuple[dict[str, str], ...]) -> bool:
    return any(
        a.get("rule") == finding.rule and a.get("subject", "") in ("", finding.subject) for a in accepted
    )


def gate_message(assessment: Assessment) -> str:
    """The Chinese paragraph ``run`` ends with when the gate stops it."""
    lines = [f"数据完整性检查发现 {len(assessment.blocking)} 处严重缺口，报告未生成："]
    for i, f in enumerate(assessment.blocking, start=1):
        lines.append(f"  {i}. 【{f.rule}{'：' + f.subject if f.subject else ''}】{f.message}")
    lines.append(
        "请补齐导出后重新运行；缺口确属实际情况时，在 town.yml 的 accepted_gaps 中记录（写明 rule 和 subject），"
        "或加 --allow-gaps 生成标明“草稿（数据不完整）”的报告。"
    )
    return "\n".join(lines)


def print_findings(assessment: Assessment, console: Any) -> None:
    """Findings as ``ingest`` prints them (the same list ``run`` stops on)."""
    for f in assessment.blocking:
        console.print(
            f"[bold red]严重缺口：[/]【{f.rule}{'：' + f.subject if f.subject else ''}】{f.message}"
        )
    for f in assessment.warnings:
        console.print(f"[yellow]提示：[/]【{f.rule}{'：' + f.subject if f.subject else ''}】{f.message}")
    for f in assessment.accepted:
        console.print(f"已确认的缺口（town.yml）：【{f.rule}{'：' + f.subject if f.subject else ''}】")
    if not assessment.blocking:
        console.print("数据完整性检查：未发现严重缺口。")
