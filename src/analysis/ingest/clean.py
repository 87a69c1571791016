"""Per-kind cleaning: the data rows of one sheet (canonical column names, raw values) → canonical
rows, with every rejected row and every warning recorded against its file, sheet, Excel row and column.

Identity matching needs the whole roster, so record kinds leave ``member_id``/``match`` to the pipeline.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from analysis.common.columns import map_unique, map_unique_fields, map_unique_str
from analysis.common.config import COMMITTEE, TownConfig
from analysis.common.vocabulary import KindDef
from analysis.ingest.branches import BranchResolver
from analysis.ingest.normalize import (
    blank_mask,
    canonical_period,
    code_text,
    compact,
    date_column,
    identity_fields,
    is_blank,
    month_of,
    normalize_name,
    number_column,
    parse_flag,
    present_mask,
    split_identity,
    text_column,
    without_placeholders,
)
from analysis.ingest.recognise import Layout
from analysis.safety import privacy


def scrub(value: Any, limit: int = 60) -> str:
    """A cell value as shown in reports of problems: identifiers masked, numbers that lost digits hidden."""
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = privacy.scrub_text(str(value))
    if re.fullmatch(r"\d(\.\d+)?[eE]\+?\d+", text) or (
        isinstance(value, (int, float)) and abs(value) >= 1e10
    ):
        text = "（数字，已隐藏）"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Source:
    """Where a batch of rows comes from."""

    file: str
    sheet: str
    layout: Layout
    kind: KindDef
    year: int

    def column_label(self, column: str) -> str:
        """The column as the analyst sees it: its header and letter, or its Chinese name and source."""
        return self.layout.header_of(column, self.kind.label_of(column))

    @property
    def year_hint(self) -> int:
        """The year written in the sheet's title, name, file or folder name, else the ingest year."""
        return self.layout.year_hint or self.year


@dataclass
class Context:
    """Shared state of one ingest: configuration, branch resolver, collected problems."""

    config: TownConfig
    year: int
    resolver: BranchResolver
    rejected: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)


class Issues:
    """Rejections and warnings for the rows of one source."""

    def __init__(self, rows: pd.DataFrame, src: Source, ctx: Context):
        self.rows, self.src, self.ctx = rows, src, ctx
        self.rejected = pd.Series(False, index=rows.index)

    def _records(
        self, mask: pd.Series, column: str, message: str | pd.Series, raw: str | None
    ) -> list[dict[str, Any]]:
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return []
        msgs = message[mask] if isinstance(message, pd.Series) else pd.Series(message, index=mask.index[mask])
        values = (
            self.rows.loc[mask, raw] if raw and raw in self.rows else pd.Series("", index=mask.index[mask])
        )
        rows = self.rows.loc[mask, "_row"]
        return [
            {
                "file": self.src.file,
                "sheet": self.src.sheet,
                "row": int(r),
                "column": self.src.column_label(column),
                "value": scrub(v),
                "reason": str(m),
            }
            for r, v, m in zip(rows, values, msgs, strict=True)
        ]

    def reject(self, mask: pd.Series, column: str, reason: str | pd.Series, raw: str | None = None) -> None:
        """Reject rows not yet rejected (one reason per row: the first problem found)."""
        mask = mask.fillna(False).astype(bool) & ~self.rejected
        self.ctx.rejected += self._records(mask, column, reason, raw or column)
        self.rejected |= mask

    def warn(self, mask: pd.Series, column: str, message: str | pd.Series, raw: str | None = None) -> None:
        mask = mask.fillna(False).astype(bool) & ~self.rejected
        self.ctx.warnings += self._records(mask, column, message, raw or column)

    def keep(self, frame: pd.DataFrame) -> pd.DataFrame:
        if not self.rejected.any():  # the usual case: no copy of a long table
            return frame
        return frame[~self.rejected.reindex(frame.index).to_numpy()]


def _col(rows: pd.DataFrame, name: str) -> pd.Series:
    return rows[name] if name in rows else pd.Series(None, index=rows.index, dtype=object)


# the unit a header states is the unit of its numbers: 金额（万元）, 服务时长（分钟）
MONEY_UNITS = (("万元", 10000.0), ("千元", 1000.0))
HOUR_UNITS = (("分钟", 1 / 60), ("min", 1 / 60))


def header_unit(layout: Layout, column: str, units: tuple[tuple[str, float], ...]) -> float:
    """The factor to the canonical unit (元, 小时) that the column's header states; 1 when it states none."""
    col = layout.columns.get(column)
    header = (compact(layout.headers.get(col, "")) or "").lower() if col is not None else ""
    return next((factor for unit, factor in units if unit in header), 1.0)


def _opt(rows: pd.DataFrame, name: str) -> pd.Series:
    """An optional column: placeholders (无, 暂无, /, -, —, 空, (空), 否 …) are missing values."""
    return without_placeholders(_col(rows, name))


def _provenance(rows: pd.DataFrame, src: Source) -> dict[str, Any]:
    return {"source_file": src.file, "source_sheet": src.sheet, "source_row": rows["_row"].astype("Int64")}


def _dates(
    rows: pd.DataFrame, column: str, issues: Issues, year: int | None, *, required: bool, label: str
) -> pd.Series:
    raw = _col(rows, column) if required else _opt(rows, column)
    parsed = date_column(raw, year)
    blank = raw.pipe(blank_mask)
    bad = ~blank & parsed["value"].isna()
    if required:
        issues.reject(blank, column, f"缺少{label}")
    if bad.any():  # messages are built for the bad rows only
        reason = (
            parsed.loc[bad, "problem"]
            .fillna("")
            .map(lambda p: f"{label}无法识别：{p}" + ("" if required else "（已留空）"))
        )
        full = pd.Series("", index=raw.index, dtype=object)
        full[bad] = reason
        (issues.reject if required else issues.warn)(bad, column, full)
    _warn_yearless(parsed, parsed["value"], issues, column, label)
    return parsed["value"]


def _warn_yearless(parsed: pd.DataFrame, value: pd.Series, issues: Issues, column: str, label: str) -> None:
    """A date written without a year ("1.22") is never silently this year: each one is warned, with the
    place its year was taken from."""
    yearless = parsed["yearless"].astype(bool) & value.notna()
    if yearless.any():
        source = issues.src.layout.year_source or f"导入年度 {issues.src.year}"
        issues.warn(
            yearless,
            column,
            value.dt.strftime(f"{label}没有写年份，按 %Y 年（取自{source}）记为 %Y-%m-%d，请核对"),
        )


def _names(
    rows: pd.DataFrame, issues: Issues, column: str = "name", required: bool = True
) -> tuple[pd.Series, pd.Series]:
    raw = _col(rows, column)
    display = text_column(raw)
    norm = map_unique_str(raw, normalize_name)
    if required:
        issues.reject(norm.isna(), column, "缺少姓名")
    return display, norm


def _ids(rows: pd.DataFrame, issues: Issues, column: str = "id_number") -> pd.Series:
    """Normalised 18/15-digit IDs (NA otherwise); lossy numbers and bad checksums are warned."""
    raw = _col(rows, column)
    ids = privacy.normalize_ids(raw)
    present = raw.pipe(present_mask)
    lossy = raw.map(privacy.id_is_lossy_number)
    issues.warn(
        lossy,
        column,
        "身份证号被存成了数字，末几位已丢失；请把该列设为文本后重新导出（本行不用身份证号匹配）",
    )
    issues.warn(present & ids.isna() & ~lossy, column, "身份证号位数不对（应为 18 位），本行不用身份证号匹配")
    bad_sum = (
        ids.notna()
        & (ids.str.len() == 18)
        & ~ids.map(lambda v: privacy.id_checksum_ok(v) if isinstance(v, str) else True).astype(bool)
    )
    issues.warn(bad_sum, column, "身份证号校验位不正确，请核对")
    return ids


def _years(rows: pd.DataFrame, issues: Issues, src: Source) -> pd.Series:
    """A 年度 column (2022, "2022年", "2022年度"); blank or unreadable → the sheet's year (warned)."""
    raw = _col(rows, "year")
    text = raw.map(lambda v: re.sub(r"年度?$", "", compact(v) or "") if not is_blank(v) else "")
    values, _ = number_column(text.replace("", None))
    valid = values.notna() & (values % 1 == 0) & values.between(1990, 2100)
    issues.warn(raw.pipe(present_mask) & ~valid, "year", f"年度无法识别，按 {src.year_hint} 年处理")
    return values.where(valid, src.year_hint).astype("Int64")


def _birth_and_gender(
    rows: pd.DataFrame, ids: pd.Series, issues: Issues, year: int
) -> tuple[pd.Series, pd.Series]:
    birth = (
        _dates(rows, "birth_date", issues, None, required=False, label="出生日期")
        if "birth_date" in rows
        else pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
    )
    from_id = ids.map(
        lambda v: privacy.birth_date_from_id(v) if isinstance(v, str) and len(v) == 18 else None
    )
    exact = pd.to_datetime(from_id, errors="coerce")
    # 出生年月 written to the month only ("2000.05"): the ID number's day is the exact date
    same_month = (birth.dt.year == exact.dt.year) & (birth.dt.month == exact.dt.month)
    birth = birth.where(~same_month.fillna(False).astype(bool), exact).fillna(exact)
    gender = map_unique_str(_col(rows, "gender"), _gender)
    from_id_gender = ids.map(
        lambda v: privacy.gender_from_id(v) if isinstance(v, str) and len(v) == 18 else None
    )
    gender = gender.fillna(from_id_gender.astype("str"))
    return birth.astype("datetime64[us]"), gender


def _gender(value: Any) -> str | None:
    text = compact(value)
    if not text:
        return None
    if text in ("男", "男性", "M", "m", "1"):
        return "男"
    if text in ("女", "女性", "F", "f", "2", "0"):
        return "女"
    return None


def _keys(name_norm: pd.Series, ids: pd.Series, birth: pd.Series, extra: pd.Series) -> pd.Series:
    """Stable pseudonymous person keys: from the ID number, else name + birth date, else name + ``extra``."""
    by_id = privacy.pseudonyms(ids.where(ids.notna()), kind="p")
    birth_text = birth.dt.strftime("%Y-%m-%d")
    by_birth = privacy.pseudonyms(pd.DataFrame({"n": name_norm, "b": birth_text}), kind="p")
    by_extra = privacy.pseudonyms(
        pd.DataFrame({"n": name_norm, "e": extra.astype(object).fillna("")}), kind="p"
    )
    return by_id.fillna(by_birth).fillna(by_extra).astype("str")


def _unverified_codes(rows: pd.DataFrame, src: Source, column: str) -> tuple[pd.Series, pd.Series]:
    """(codes, the column as an identity): a column read as 学号 by its content alone (header 编号, see
    recognise.Recogniser._codes) gives its codes apart — the pipeline makes them 学号 when they are the
    roster's — and no identity; any other column is the identity it says."""
    source = src.layout.sources.get(column)
    raw = _col(rows, column)
    if source is None or source.how != "code":
        return pd.Series(None, index=rows.index, dtype="str"), raw
    return map_unique_str(raw, code_text), pd.Series(None, index=rows.index, dtype=object)


def _branches(rows: pd.DataFrame, column: str, ctx: Context, allow_committee: bool = False) -> pd.Series:
    return ctx.resolver.resolve(_col(rows, column), allow_committee=allow_committee)


def _unknown_branch(raw: pd.Series, resolved: pd.Series, ctx: Context) -> tuple[pd.Series, pd.Series]:
    mask = raw.pipe(present_mask) & resolved.isna()

    def message(v: Any) -> str:
        key = compact(v) or ""
        hint = ctx.resolver.unknown.get(key)
        tail = f"，最接近的是“{hint}”" if hint else ""
        return f"团支部“{key}”不在 config/town.yml 中{tail}；请在 town.yml 中添加该团支部或别名"

    return mask, raw.map(message)


# ------------------------------------------------------------------ roster

_STATUS = (
    ("满28", "满28周岁离团"),
    ("超龄", "满28周岁离团"),
    ("自行脱团", "自行脱团"),
    ("脱团", "自行脱团"),
    ("自愿退团", "自愿退团"),
    ("退团", "自愿退团"),
    ("开除", "开除团籍"),
    ("出团", "出团"),
    ("正常", "正常"),
)


def _status(value: Any) -> tuple[str, bool]:
    text = compact(value) or "正常"
    pending = "待审核" in text or "审核中" in text
    for key, status in _STATUS:
        if key in text:
            return status, pending
    return text.replace("(待审核)", "").replace("待审核", "") or "正常", pending


def roster(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    raw_branch = _col(rows, "branch")
    branch = _branches(rows, "branch", ctx)
    issues.reject(raw_branch.pipe(blank_mask), "branch", "缺少所在团支部")
    unknown, message = _unknown_branch(raw_branch, branch, ctx)
    issues.reject(unknown, "branch", message)
    ids = _ids(rows, issues)
    birth, gender = _birth_and_gender(rows, ids, issues, ctx.year)
    join = date_column(_opt(rows, "join_month"), None, month_only=True)
    join_raw = _opt(rows, "join_month")
    issues.warn(
        join_raw.pipe(present_mask) & join["value"].isna(),
        "join_month",
        join["problem"].fillna("入团年月无法识别").astype(str) + "（视为入团日期未知）",
    )
    issues.warn(join["alternative"].notna(), "join_month", join["problem"].astype(str))
    precision = join["precision"].map(
        lambda p: "month" if p == "month" else ("day" if p in ("day", "time") else None)
    )
    status_pairs = map_unique(_col(rows, "status"), lambda v: _status(v))
    status = status_pairs.map(lambda p: p[0]).astype("str")
    pending = status_pairs.map(lambda p: p[1]).astype(bool)
    leave = _dates(rows, "leave_date", issues, None, required=False, label="离团日期")
    aged_out = (status == "满28周岁离团") & leave.isna() & birth.notna()
    leave = leave.where(~aged_out, birth + pd.DateOffset(years=ctx.config.leave_age))
    undated = (status != "正常") & leave.isna() & ~pending
    issues.warn(undated, "status", "团籍状态为离团但没有离团日期，视为在统计期之前已离团")
    position = text_column(_opt(rows, "position"))
    flag = _col(rows, "is_cadre").map(parse_flag)
    is_cadre = flag.where(
        flag.notna(), position.notna() & ~position.fillna("").str.contains("无|团员", regex=True)
    ).astype(bool)
    phone = privacy.normalize_phones(_col(rows, "phone"))
    member_no = map_unique_str(_opt(rows, "member_no"), code_text)
    student_no = map_unique_str(_opt(rows, "student_no"), code_text)
    key = _keys(name_norm, ids, birth, member_no.fillna(student_no).fillna(branch))
    out = pd.DataFrame(
        {
            "member_id": key,
            "name": name,
            "name_norm": name_norm,
            "gender": gender,
            "birth_date": birth,
            "id_masked": privacy.mask_ids(ids),
            "phone_masked": privacy.mask_phones(phone),
            "phone_key": privacy.pseudonyms(phone.where(phone.notna()), kind="t"),  # working column
            "id_valid": ids.map(lambda v: isinstance(v, str) and len(v) == 18 and privacy.id_checksum_ok(v)),
            "branch": branch,
            "join_date": join["value"],
            "join_precision": precision.astype("str"),
            "status": status,
            "status_pending": pending,
            "leave_date": leave,
            "is_cadre": is_cadre,
            "position": position,
            "political_status": text_column(_opt(rows, "political_status")),
            "education": text_column(_opt(rows, "education")),
            "occupation": text_column(_opt(rows, "occupation")),
            "ethnicity": text_column(_opt(rows, "ethnicity")),
            "member_no": member_no,
            "student_no": student_no,
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ transfers


def transfers(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    to_raw, from_raw = _col(rows, "to_branch"), _col(rows, "from_branch")
    to_branch = _branches(rows, "to_branch", ctx)
    from_branch = _branches(rows, "from_branch", ctx)
    issues.reject(to_raw.pipe(blank_mask), "to_branch", "缺少转入团支部")
    unknown, message = _unknown_branch(to_raw, to_branch, ctx)
    issues.reject(unknown, "to_branch", message)
    unknown_from, message_from = _unknown_branch(from_raw, from_branch, ctx)
    issues.warn(unknown_from, "from_branch", message_from)
    date = _dates(rows, "date", issues, src.year_hint, required=True, label="转接日期")
    ids = _ids(rows, issues)
    out = pd.DataFrame(
        {
            "member_id": None,
            "name": name,
            "name_norm": name_norm,
            "from_branch": from_branch,
            "to_branch": to_branch,
            "date": date,
            "match": "unmatched",
            "id_key": privacy.pseudonyms(ids.where(ids.notna()), kind="p"),
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ study records

_NOT_STUDIED = {"未学习", "未学", "否", "×", "未完成", "未参学", "0"}


def study(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    """Records of 青年大学习; rows of a status column saying 未学习 are not records (caller counts them)."""
    issues = Issues(rows, src, ctx)
    period_raw = text_column(_col(rows, "period"))
    periods = map_unique_fields(
        _col(rows, "period"), canonical_period, ("label", "needs_year", "number", "special")
    )
    issues.reject(period_raw.isna(), "period", "缺少期次")
    label = periods["label"].astype("str")
    needs_year = periods["needs_year"].astype(bool)
    special = periods["special"].astype(bool)
    recorded = _dates(rows, "recorded_at", issues, src.year_hint, required=False, label="学习时间")
    if needs_year.any():  # "第5期": the year of the record's own time, else of the import
        yearless = needs_year.to_numpy()  # positional: a melted sheet's index repeats
        fallback_year = recorded[yearless].dt.year.fillna(src.year_hint).astype(int)
        number = periods["number"][yearless].astype(str).str.replace(".0", "", regex=False)
        label = label.copy()
        label[yearless] = (fallback_year.astype(str) + "年第" + number + "期").to_numpy()
    unknown_label = label.notna() & ~label.str.contains("期|特辑|月", regex=True)
    issues.warn(unknown_label, "period", "期次格式无法识别，按原文作为一期处理", raw="period")
    fields = ("name", "student_no", "id_number", "id_tail")
    code_no, identity = _unverified_codes(rows, src, "identity")
    ident = identity_fields(identity)
    from_name = identity_fields(_col(rows, "name"))  # "20190101张三" in 姓名 too
    name_norm, student, id_text, id_tail = (from_name[f].fillna(ident[f]) for f in fields)

    issues.reject(
        name_norm.isna() & student.isna() & id_text.isna(),
        "name",
        "缺少姓名或学号",
        raw="name" if "name" in rows else "identity",
    )
    branch_raw = _col(rows, "branch")
    branch = _branches(rows, "branch", ctx)
    scope = map_unique_str(branch_raw, ctx.resolver.parent).where(branch.isna())
    has_branch_text = branch_raw.pipe(present_mask) & scope.isna()
    branch_text = text_column(branch_raw)
    out = pd.DataFrame(
        {
            "period": label,
            "period_raw": period_raw,
            "is_special": special,
            "recorded_at": recorded,
            "name": name_norm,
            "name_norm": name_norm,
            "student_no": student,
            "branch": branch.fillna(branch_text),
            "branch_canonical": branch,
            "branch_resolved": branch.notna(),
            "has_branch_text": has_branch_text,
            "scope": scope,
            "id_key": privacy.pseudonyms(id_text.where(id_text.notna()), kind="p"),
            "id_tail": id_tail.fillna(id_text.str[-4:]),
            "code_no": code_no,  # working: 学号 once the roster confirms them (pipeline)
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


_NOT_DONE = re.compile(r"退回|驳回|拒绝|撤销|撤回|未通过|不通过|待|审核中|审批中|办理中|未完成|失败|取消")


def not_done(rows: pd.DataFrame) -> pd.Series:
    """Transfers whose 状态 says they have not (yet) taken effect (待审核, 已退回 …): not transfers."""
    status = map_unique_str(_col(rows, "status"), lambda v: compact(v) or "")
    return status.str.contains(_NOT_DONE).fillna(False).astype(bool)


def not_studied(rows: pd.DataFrame) -> pd.Series:
    """Rows whose 学习情况 column says the person did not study (layout d): not records."""
    status = map_unique(_col(rows, "study_status"), lambda v: compact(v) or "")
    return status.isin(_NOT_STUDIED).astype(bool)


# ------------------------------------------------------------------ cadre check-ins


def checkins(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    year = src.year_hint
    month_raw = _col(rows, "month")
    month = map_unique(month_raw, lambda v: month_of(v, year))
    month = pd.to_datetime(month, errors="coerce")
    date = _dates(rows, "checkin_date", issues, year, required=False, label="打卡日期")
    # an event log (one row per check-in, a timestamp, no month column): the month of each check-in
    undated = month_raw.pipe(blank_mask)
    month = month.where(~undated, date.dt.to_period("M").dt.to_timestamp())
    issues.reject(undated & date.isna(), "month", "缺少月份")
    issues.reject(~undated & month.isna(), "month", "月份无法识别")
    day = _event_days(month_raw, year)
    flag = _col(rows, "checked_in").map(parse_flag)
    raw_flag = _col(rows, "checked_in")
    unclear = raw_flag.pipe(present_mask) & flag.isna()
    issues.warn(unclear, "checked_in", "打卡情况无法识别，按未打卡处理")
    if "checked_in" in src.layout.constants and "checkin_date" in src.layout.columns:
        flag = pd.Series(
            None, index=flag.index, dtype=object
        )  # a list named for check-ins with a date column: each row's date decides
    checked = flag.where(flag.notna(), date.notna()).astype(bool)
    # a punch log: one row per punch (打卡状态 正常 / 未打卡 …) dated to the day, by its date column or by its
    # month column — each row is an event, the day of a punch its check-in date; the pipeline folds a
    # cadre's events into the month and sets aside those of other years
    event = (undated & date.notna()) | day.notna()
    date = date.fillna(day.where(checked))
    branch = _branches(rows, "branch", ctx)
    unknown, message = _unknown_branch(_col(rows, "branch"), branch, ctx)
    issues.warn(unknown, "branch", message)
    out = pd.DataFrame(
        {
            "month": month,
            "branch": branch,
            "name": name,
            "name_norm": name_norm,
            "member_id": None,
            "match": "unmatched",
            "checked_in": checked,
            "checkin_date": date,
            "_event": event,  # working: a row of a log dated to the day (pipeline: fold, other years)
            "branch_canonical": branch,
            "has_branch_text": _col(rows, "branch").pipe(present_mask),
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


def _event_days(month_raw: pd.Series, year: int) -> pd.Series:
    """The days a month column gives to the day (a punch log's 时间 / 日期: 2022/03/07 星期一): each row is
    then one dated event. A column whose days are all the 1st holds months written as dates, not events."""
    parsed = date_column(_opt(pd.DataFrame({"m": month_raw}), "m"), year)
    day = parsed["value"].where(parsed["precision"].isin(["day", "time"]))
    if day.notna().any() and (day.dropna().dt.day == 1).all():
        return pd.Series(pd.NaT, index=month_raw.index, dtype="datetime64[us]")
    return day.dt.normalize()


# ------------------------------------------------------------------ activities

_QUOTES = re.compile(r"[\"'“”‘’《》「」『』〈〉【】()（）\[\]<>·•・,，。.、:：;；!！?？—\-_~～/\\|]")


def activity_name_norm(value: Any) -> str | None:
    """An activity name for de-duplication: no spaces, quotes, brackets or punctuation."""
    text = compact(value)
    return _QUOTES.sub("", text) if text else None


def section_of(type_text: str | None, name: str | None, config: TownConfig) -> tuple[str, str]:
    """(section key, source): the 活动类型 column when it names a section, else name keywords, else default."""
    if type_text:
        for section in config.sections:
            parts = re.split(r"[·・.]", section.label)
            if type_text in section.label or any(p and p in type_text for p in parts):
                return section.key, "column"
        for section in config.sections:
            if any(k in type_text for k in section.keywords):
                return section.key, "column"
    if name:
        for section in config.sections:
            if any(k in name for k in section.keywords):
                return section.key, "keyword"
    return config.default_section, "default"


def activities(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name = text_column(_col(rows, "activity_name"))
    issues.reject(name.isna(), "activity_name", "缺少活动名称")
    year = src.year_hint
    raw_date = _col(rows, "date")
    parsed = date_column(raw_date, year)
    value = _resolve_ambiguous(parsed["value"], parsed["alternative"])
    chose = parsed["alternative"].notna()
    messages = pd.Series(
        [
            f"日期是数字，可能是 {a.month} 月 {a.day} 日，也可能是 {b.month} 月 {b.day} 日（数字会丢掉末尾的 0）；"
            f"已按前后行的日期取 {v:%Y-%m-%d}，请核对"
            if pd.notna(b) and pd.notna(v)
            else ""
            for a, b, v in zip(parsed["value"], parsed["alternative"], value, strict=True)
        ],
        index=rows.index,
    )
    issues.warn(chose, "date", messages)
    _warn_yearless(parsed, value, issues, "date", "活动日期")
    sections_month = rows["_month"]
    issues.reject(raw_date.pipe(blank_mask) & sections_month.isna(), "date", "缺少活动日期")
    month_only = raw_date.pipe(blank_mask) & sections_month.notna()
    value = value.where(
        ~month_only,
        pd.to_datetime(
            {"year": year, "month": sections_month.fillna(1).astype(int), "day": 1}, errors="coerce"
        ),
    )
    issues.warn(month_only, "date", "缺少活动日期，按所在月份分隔行记为当月 1 日")
    issues.reject(
        value.isna() & ~raw_date.pipe(blank_mask),
        "date",
        parsed["problem"].fillna("日期无法识别").map(lambda p: f"活动日期无法识别：{p}"),
    )
    outside = value.notna() & (value.dt.year != ctx.year)
    issues.warn(outside, "date", value.dt.strftime(f"活动日期 %Y-%m-%d 不在 {ctx.year} 年内，不计入本年"))
    organiser_raw = _col(rows, "organiser")
    organiser = _branches(rows, "organiser", ctx, allow_committee=True)
    blank_org = organiser_raw.pipe(blank_mask)
    issues.warn(blank_org, "organiser", "组织单位为空，记为镇团委")
    unknown, message = _unknown_branch(organiser_raw, organiser, ctx)
    issues.warn(unknown, "organiser", message.str.replace("；", "，按原文记为组织者；", regex=False))
    organiser = organiser.fillna(text_column(organiser_raw)).fillna(COMMITTEE)
    counts: dict[str, pd.Series] = {}
    for column, label in (
        ("participants", "参与人数"),
        ("volunteers", "志愿者人数"),
        ("beneficiaries", "受益人数"),
    ):
        values, bad = number_column(_col(rows, column))
        invalid = bad | (values < 0) | (values.notna() & (values % 1 != 0))
        issues.warn(invalid, column, f"{label}不是非负整数，已留空")
        counts[column] = values.where(~invalid).round().astype("Int64")
    hours: dict[str, pd.Series] = {}
    for column, label in (("hours_per_person", "人均服务时长"), ("total_hours", "服务总时长")):
        values, bad = number_column(_col(rows, column))
        invalid = bad | (values < 0)
        issues.warn(invalid, column, f"{label}不是非负数，已留空")
        hours[column] = values.where(~invalid) * header_unit(src.layout, column, HOUR_UNITS)
    volunteer_hours = (
        hours["total_hours"]
        .fillna(counts["volunteers"].astype("float64") * hours["hours_per_person"])
        .fillna(0.0)
    )
    type_text = text_column(_opt(rows, "activity_type"))
    sections = [
        section_of(t if isinstance(t, str) else None, n if isinstance(n, str) else None, ctx.config)
        for t, n in zip(type_text, name, strict=True)
    ]
    norm = map_unique_str(_col(rows, "activity_name"), activity_name_norm)
    date_key = value.dt.strftime("%Y-%m-%d")
    activity_id = [
        "a_" + hashlib.sha1(f"{d}|{n}|{o}".encode()).hexdigest()[:12]
        for d, n, o in zip(date_key.fillna(""), norm.fillna(""), organiser.fillna(""), strict=True)
    ]
    out = pd.DataFrame(
        {
            "activity_id": activity_id,
            "date": value,
            "name": name,
            "name_norm": norm,
            "section": [s for s, _ in sections],
            "section_source": [s for _, s in sections],
            "activity_type": type_text,
            "organiser": organiser,
            "participants": counts["participants"],
            "volunteers": counts["volunteers"],
            "hours_per_person": hours["hours_per_person"],
            "total_hours": hours["total_hours"],
            "volunteer_hours": volunteer_hours,
            "beneficiaries": counts["beneficiaries"],
            "location": text_column(_opt(rows, "location")),
            "note": text_column(_opt(rows, "note")),
            "volunteer_name": text_column(_col(rows, "volunteer_name")),  # working: per-volunteer details
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


def _resolve_ambiguous(value: pd.Series, alternative: pd.Series) -> pd.Series:
    """Pick between a float date's two readings (6.3 → June 3 or June 30) by the ledger's order."""
    if not alternative.notna().any():
        return value
    result = value.copy()
    known = value.where(alternative.isna())
    prev_known = known.ffill()
    next_known = known.bfill()

    def fits(d: pd.Timestamp, lo: pd.Timestamp, hi: pd.Timestamp) -> bool:
        return (pd.isna(lo) or d >= lo) and (pd.isna(hi) or d <= hi)

    for i in alternative.index[alternative.notna()]:
        lo, hi = prev_known.get(i), next_known.get(i)
        if fits(alternative[i], lo, hi) and not fits(value[i], lo, hi):
            result[i] = alternative[i]
    return result


# ------------------------------------------------------------------ activity participants


def participants(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    activity = text_column(_col(rows, "activity_name"))
    issues.reject(activity.isna(), "activity_name", "缺少活动名称")
    ident = map_unique(_col(rows, "name"), split_identity)
    code_no, identity = _unverified_codes(rows, src, "identity")
    extra = map_unique(identity, split_identity)
    name_norm = ident.map(lambda i: i.name).astype("str")
    issues.reject(name_norm.isna(), "name", "缺少姓名")
    date = _dates(rows, "date", issues, src.year_hint, required=False, label="活动日期")
    branch = _branches(rows, "branch", ctx)
    id_text = extra.map(lambda i: i.id_number).astype("str")
    out = pd.DataFrame(
        {
            "date": date,
            "activity_name": activity,
            "name": text_column(_col(rows, "name")).where(name_norm.isna(), name_norm),
            "name_norm": name_norm,
            "branch": branch,
            "member_id": None,
            "match": "unmatched",
            "branch_canonical": branch,
            "has_branch_text": _col(rows, "branch").pipe(present_mask),
            "student_no": extra.map(lambda i: i.student_no)
            .astype("str")
            .fillna(ident.map(lambda i: i.student_no).astype("str")),
            "id_key": privacy.pseudonyms(id_text.where(id_text.notna()), kind="p"),
            "code_no": code_no,  # working: 学号 once the roster confirms them (pipeline)
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ recruitment


def recruitment(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    ids = _ids(rows, issues)
    birth, gender = _birth_and_gender(rows, ids, issues, ctx.year)
    dates = {
        c: _dates(rows, c, issues, src.year_hint, required=False, label=lbl)
        for c, lbl in (
            ("applied_date", "申请日期"),
            ("activist_date", "确定积极分子日期"),
            ("target_date", "确定发展对象日期"),
            ("joined_date", "入团日期"),
        )
    }
    order = ["applied_date", "activist_date", "target_date", "joined_date"]
    for earlier, later in itertools.pairwise(order):
        wrong = dates[earlier].notna() & dates[later].notna() & (dates[later] < dates[earlier])
        issues.warn(wrong, later, "日期早于上一阶段日期，请核对")
    raw_branch = _col(rows, "branch")
    branch = _branches(rows, "branch", ctx)
    unknown, message = _unknown_branch(raw_branch, branch, ctx)
    issues.warn(unknown, "branch", message.str.replace("；", "，按原文保留；", regex=False))
    league_no = map_unique_str(_col(rows, "league_no"), code_text)
    joined_year = dates["joined_date"].dt.year
    bad_no = league_no.notna() & ~league_no.str.fullmatch(r"\d{12}|\d{16}").fillna(False).astype(bool)
    issues.warn(bad_no, "league_no", "发展团员编号应为 12 位（或 16 位）数字")
    prefix = pd.to_numeric(league_no.str[:4], errors="coerce")
    mismatch = (
        ~bad_no
        & league_no.notna()
        & joined_year.notna()
        & (prefix != joined_year)
        & ~(prefix.isin([2017, 2018]) & joined_year.isin([2017, 2018]))
    )
    issues.warn(mismatch, "league_no", "发展团员编号前 4 位与入团年份不一致")
    for column, label in (("applied_date", "申请"), ("joined_date", "入团")):
        age = (dates[column] - birth).dt.days / 365.2425
        messages = [f"{label}时年龄约 {a:.1f} 岁，不足 14 周岁，请核对" if pd.notna(a) else "" for a in age]
        issues.warn(age < 14, column, pd.Series(messages, index=age.index))
    out = pd.DataFrame(
        {
            "person_id": _keys(name_norm, ids, birth, branch.fillna(text_column(raw_branch))),
            "name": name,
            "name_norm": name_norm,
            "gender": gender,
            "birth_date": birth,
            "id_masked": privacy.mask_ids(ids),
            "branch": branch.fillna(text_column(raw_branch)),
            **dates,
            "league_no": league_no,
            "stage": text_column(_opt(rows, "stage")),
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ aid


def aid(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    amount, bad = number_column(_col(rows, "amount"))
    amount = amount * header_unit(src.layout, "amount", MONEY_UNITS)
    issues.reject(_col(rows, "amount").pipe(blank_mask), "amount", "缺少金额")
    issues.reject(bad | (amount < 0), "amount", "金额不是非负数")
    programme = text_column(_col(rows, "programme"))
    issues.warn(programme.isna(), "programme", "缺少资助项目，记为“未注明项目”")
    programme = programme.fillna("未注明项目")
    date = _dates(rows, "date", issues, src.year_hint, required=False, label="发放日期")
    issues.warn(date.isna() & ~issues.rejected, "date", f"缺少发放日期，按 {ctx.year} 年计")
    date = date.fillna(pd.Timestamp(ctx.year, 12, 31))
    ids = _ids(rows, issues)
    raw_branch = _col(rows, "branch")
    branch = _branches(rows, "branch", ctx).fillna(text_column(raw_branch))
    by_id = privacy.pseudonyms(ids.where(ids.notna()), kind="p")
    by_name = privacy.pseudonyms(
        pd.DataFrame({"n": name_norm, "b": branch.astype(object).fillna("")}), kind="r"
    )
    out = pd.DataFrame(
        {
            "programme": programme,
            "recipient_key": by_id.fillna(by_name),
            "name": name,
            "id_masked": privacy.mask_ids(ids),
            "branch": branch,
            "school": text_column(_opt(rows, "school")),
            "amount": amount,
            "date": date,
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ branch ratings

_RATINGS = (
    ("软弱涣散", "软弱涣散"),
    ("后进", "后进"),
    ("不予定级", "不予定级"),
    ("不定级", "不予定级"),
    ("五星", "五星"),
    ("5星", "五星"),
    ("★★★★★", "五星"),
    ("四星", "四星"),
    ("4星", "四星"),
    ("★★★★", "四星"),
    ("三星", "三星"),
    ("3星", "三星"),
    ("★★★", "三星"),
    ("二星", "二星"),
    ("2星", "二星"),
    ("★★", "二星"),
)


def rating_from_text(value: Any) -> str | None:
    text = compact(value)
    if not text:
        return None
    for key, rating in _RATINGS:
        if key in text:
            return rating
    return None


def rating_from_score(score: float) -> str:
    """五星 ≥ 90, 四星 80–89, 三星 70–79, 后进 60–69, 软弱涣散 < 60 (docs/definitions.md, section 5)."""
    if score >= 90:
        return "五星"
    if score >= 80:
        return "四星"
    if score >= 70:
        return "三星"
    if score >= 60:
        return "后进"
    return "软弱涣散"


def ratings(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    raw_branch = _col(rows, "branch")
    branch = _branches(rows, "branch", ctx)
    issues.reject(raw_branch.pipe(blank_mask), "branch", "缺少团支部")
    unknown, message = _unknown_branch(raw_branch, branch, ctx)
    issues.reject(unknown, "branch", message)
    score, bad = number_column(_col(rows, "score"))
    issues.warn(bad | (score < 0) | (score > 100), "score", "得分应在 0–100 之间，已留空")
    score = score.where(~(bad | (score < 0) | (score > 100)))
    rating = map_unique_str(_col(rows, "rating"), rating_from_text)
    from_score = score.map(lambda s: rating_from_score(s) if pd.notna(s) else None).astype("str")
    unreadable = rating.isna() & ~_col(rows, "rating").pipe(blank_mask)
    issues.warn(unreadable & from_score.notna(), "rating", "定级结果无法识别，按得分推定")
    issues.reject(rating.isna() & from_score.isna(), "rating", "定级结果无法识别且无得分")
    years = _years(rows, issues, src)
    out = pd.DataFrame(
        {
            "year": years,
            "branch": branch,
            "score": score,
            "rating": rating.fillna(from_score),
            "rating_raw": text_column(_col(rows, "rating")).fillna(""),
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


# ------------------------------------------------------------------ member reviews

_REVIEW = ("不合格", "基本合格", "合格", "优秀")


def reviews(rows: pd.DataFrame, src: Source, ctx: Context) -> pd.DataFrame:
    issues = Issues(rows, src, ctx)
    name, name_norm = _names(rows, issues)
    result = map_unique(
        _col(rows, "review_result"), lambda v: next((r for r in _REVIEW if r in (compact(v) or "")), None)
    ).astype("str")
    issues.reject(result.isna(), "review_result", "评议结果应为 优秀 / 合格 / 基本合格 / 不合格")
    branch = _branches(rows, "branch", ctx)
    years = _years(rows, issues, src)
    out = pd.DataFrame(
        {
            "year": years,
            "name": name,
            "name_norm": name_norm,
            "branch": branch,
            "member_id": None,
            "match": "unmatched",
            "result": result,
            "branch_canonical": branch,
            "has_branch_text": _col(rows, "branch").pipe(present_mask),
            **_provenance(rows, src),
        },
        index=rows.index,
    )
    return issues.keep(out)


CLEANERS = {
    "roster": roster,
    "transfers": transfers,
    "study": study,
    "checkin": checkins,
    "activities": activities,
    "participants": participants,
    "recruitment": recruitment,
    "aid": aid,
    "ratings": ratings,
    "reviews": reviews,
}
