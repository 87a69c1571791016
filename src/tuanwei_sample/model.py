"""Ground truth of the synthetic sample town: canonical branch names, exact dates, distinct records.

Everything a test needs to compare what the ingest recovers against what was generated. Branch names
are the canonical names of town.yml; the committee as an organiser is ``COMMITTEE`` (镇团委).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

Cell = str | int | float | date | datetime | None

STATUS_ACTIVE = "正常"
STATUS_AGED_OUT = "满28周岁离团"
STATUS_LAPSED = "自行脱团"


@dataclass(frozen=True)
class SampleBranch:
    name: str  # canonical name, as in town.yml
    type: str  # 村 / 社区 / 学校 / 企业 / 机关
    aliases: tuple[str, ...]  # listed in town.yml
    variants: tuple[str, ...]  # unlisted spellings used in exports (suffix variants, spaces)
    study_rate: float  # planned mean 青年大学习 participation probability of its members


@dataclass(frozen=True)
class Person:
    """A League member (on the roster of at least one sample year)."""

    pid: str
    name: str
    gender: str
    birth_date: date
    id_number: str  # 18 characters, upper-case X
    phone: str
    ethnicity: str
    political_status: str
    education: str
    occupation: str
    join_date: date  # exact; the roster shows only the month, the recruitment export the day
    member_no: str  # 团员编号 on the roster
    branch_history: tuple[tuple[date, str], ...]  # (from this day on, canonical branch)
    leave_date: date | None = None  # first day no longer a member
    leave_status: str | None = None  # 满28周岁离团 / 自行脱团
    leave_date_written: bool = True  # False: the roster leaves 离团日期 blank (满28周岁离团 only)
    is_cadre: bool = False
    position: str | None = None
    student_no: str | None = None  # 学号 (school members)
    never_studies: bool = False

    @property
    def branch(self) -> str:
        """The latest branch (the roster's 所在团支部)."""
        return self.branch_history[-1][1]

    def branch_on(self, day: date) -> str:
        current = self.branch_history[0][1]
        for start, name in self.branch_history:
            if start <= day:
                current = name
        return current

    def active_on(self, day: date) -> bool:
        """Joined on or before ``day`` and not left before or on it (docs/definitions.md, “某日在团”)."""
        return self.join_date <= day and (self.leave_date is None or self.leave_date > day)

    def age_on(self, day: date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))

    def status_at(self, day: date) -> str:
        """团籍状态 as a roster exported on ``day`` shows it."""
        if self.leave_date is not None and self.leave_date <= day and self.leave_status:
            return self.leave_status
        return STATUS_ACTIVE

    def on_roster(self, year: int) -> bool:
        """On the year-end roster of ``year``: joined by then and not left before that year."""
        end = date(year, 12, 31)
        return self.join_date <= end and (self.leave_date is None or self.leave_date.year >= year)


@dataclass(frozen=True)
class Youth:
    """A non-member who studies 青年大学习 (never on the roster)."""

    pid: str
    name: str
    branch: str
    student_no: str | None = None


@dataclass(frozen=True)
class StudyPeriod:
    """One 青年大学习 period.

    Canonical labels: ``第12季第5期`` (2022, season style, Arabic numerals), ``2021年第12期`` (2021,
    year style); specials ``特辑:<title>(MM-DD)`` where MM-DD is the release day, which is also the
    calendar date of the period's earliest record (so two periods titled 特辑 stay apart).
    """

    label: str
    year: int
    opens: datetime
    closes: datetime  # nominal deadline, Sunday 20:00; a few records come later
    season: int | None = None
    number: int | None = None
    title: str | None = None  # special title: 五四特辑 / 特辑

    @property
    def is_special(self) -> bool:
        return self.title is not None


@dataclass(frozen=True)
class StudyRecord:
    """One distinct (person, period) participation; ``recorded_at`` is the first submission."""

    year: int  # the period's year (special labels such as 特辑:五四特辑(05-04) recur across years)
    period: str  # canonical label
    person: str  # Person.pid or Youth.pid
    is_member: bool
    branch: str  # canonical branch of the person at ``recorded_at``
    recorded_at: datetime
    file: str  # export holding the record, relative to the sample folder ("2022/….xlsx")
    raw_period: str  # the period text as written
    raw_identity: str  # the name / identity cell as written
    raw_branch: str | None  # the branch cell as written (None: the layout has no branch column)
    identifiable: bool = True  # False: a name-only record of a name two members of the branch share


@dataclass(frozen=True)
class Transfer:
    person: str
    name: str
    id_number: str
    from_branch: str
    to_branch: str
    date: date  # on this day the member already belongs to ``to_branch``


@dataclass(frozen=True)
class Activity:
    """A distinct activity of the ledger (duplicate ledger rows are listed in ``written``)."""

    year: int
    date: date
    name: str
    organiser: str  # canonical branch name or 镇团委
    section: str  # ideology / volunteer / youth_service / self_building
    activity_type: str | None  # 活动类型 cell as written (None: blank)
    participants: int
    volunteers: int | None
    hours_per_person: float | None  # 2022 ledger: 小时 per volunteer
    total_hours: float | None  # 2021 ledger: 服务总时长(小时)
    beneficiaries: int | None
    location: str
    note: str | None
    written: tuple[tuple[str, str], ...]  # (活动名称, 组织团支部) of each ledger row; 2 rows = a duplicate

    @property
    def volunteer_hours(self) -> float:
        if self.total_hours is not None:
            return self.total_hours
        if self.volunteers is not None and self.hours_per_person is not None:
            return self.volunteers * self.hours_per_person
        return 0.0


@dataclass(frozen=True)
class ActivityParticipant:
    year: int
    date: date
    activity: str  # Activity.name
    person: str | None  # Person.pid; None for a non-member
    name: str
    branch: str


@dataclass(frozen=True)
class Recruit:
    """A person in the 发展团员 pipeline (one row per export year in which they appear)."""

    rid: str
    name: str
    id_number: str
    gender: str
    birth_date: date
    branch: str
    applied: date | None
    activist: date | None
    target: date | None
    joined: date | None
    league_no: str | None  # 发展团员编号 as written (may be malformed)
    league_no_valid: bool
    person: str | None  # Person.pid once joined
    years: tuple[int, ...]  # recruitment exports listing this person

    def stage_at(self, day: date) -> str:
        if self.joined and self.joined <= day:
            return "已入团"
        if self.target and self.target <= day:
            return "发展对象"
        if self.activist and self.activist <= day:
            return "入团积极分子"
        return "递交入团申请书"


@dataclass(frozen=True)
class AidPayment:
    year: int
    programme: str
    name: str
    id_number: str
    village: str  # 所在村 as written
    branch: str  # canonical branch of that village / community
    school: str
    amount: float
    date: date


@dataclass(frozen=True)
class Rating:
    year: int
    branch: str
    score: float | None
    rating: str  # 五星 / 四星 / 三星 / 后进 / 不予定级
    rating_raw: str  # as written (2021: 5星 / 4星 / 3星)


@dataclass(frozen=True)
class Review:
    year: int
    person: str
    name: str
    branch: str
    result: str  # 优秀 / 合格 / 基本合格 / 不合格


@dataclass(frozen=True)
class Checkin:
    month: date  # first day of the month
    person: str | None  # None: a row for someone not on the roster
    name: str
    branch: str
    checked_in: bool
    checkin_date: date | None


@dataclass(frozen=True)
class ExportSheet:
    title: str
    rows: tuple[tuple[Cell, ...], ...]
    merges: tuple[str, ...] = ()
    text_columns: tuple[int, ...] = ()  # 1-based columns formatted as text (@)
    header_row: int = 1  # 1-based row of the (first) header row; 0: not a data sheet (a summary)
    header_depth: int = 1  # 2: a two-row merged header (flattened as "上层/下层")


@dataclass(frozen=True)
class ExportFile:
    path: str  # relative to the sample folder, e.g. "2022/活动台账_2022.xlsx"
    format: str  # xlsx / csv
    sheets: tuple[ExportSheet, ...]
    encoding: str = "utf-8"  # csv only: utf-8-sig / gbk


@dataclass(frozen=True)
class SampleTown:
    """The sample town: truth (canonical) plus the raw exports laid out from it."""

    seed: int
    town: str
    committee: str
    years: tuple[int, ...]
    quotas: dict[int, int]
    branches: tuple[SampleBranch, ...]
    people: tuple[Person, ...]
    youths: tuple[Youth, ...]
    transfers: tuple[Transfer, ...]
    periods: tuple[StudyPeriod, ...]
    study: tuple[StudyRecord, ...]
    study_duplicates: tuple[StudyRecord, ...]  # extra submissions a few minutes after the first
    activities: tuple[Activity, ...]
    activity_participants: tuple[ActivityParticipant, ...]
    recruits: tuple[Recruit, ...]
    aid: tuple[AidPayment, ...]
    ratings: tuple[Rating, ...]
    reviews: tuple[Review, ...]
    checkins: tuple[Checkin, ...]
    exports: tuple[ExportFile, ...] = field(repr=False, default=())

    @property
    def branch_names(self) -> list[str]:
        return [b.name for b in self.branches]

    def person(self, pid: str) -> Person:
        return next(p for p in self.people if p.pid == pid)

    def members_active_on(self, day: date, branch: str | None = None) -> list[Person]:
        return [p for p in self.people if p.active_on(day) and (branch is None or p.branch_on(day) == branch)]

    def roster(self, year: int) -> list[Person]:
        """People on the year-end roster of ``year`` (including those who left during the year)."""
        return [p for p in self.people if p.on_roster(year)]

    def cadres_active_on(self, day: date) -> list[Person]:
        return [p for p in self.members_active_on(day) if p.is_cadre]

    def joined_in(self, year: int) -> list[Person]:
        return [p for p in self.people if p.join_date.year == year]

    def periods_in(self, year: int) -> list[StudyPeriod]:
        return [p for p in self.periods if p.year == year]

    def study_in(self, year: int) -> list[StudyRecord]:
        return [r for r in self.study if r.year == year]

    def activities_in(self, year: int) -> list[Activity]:
        return [a for a in self.activities if a.year == year]

    def recruits_in(self, year: int) -> list[Recruit]:
        return [r for r in self.recruits if year in r.years]

    def export(self, path: str) -> ExportFile:
        return next(f for f in self.exports if f.path == path)


class Scribe(Protocol):
    """What laying the truth out as exports needs from the builder: its random generator and spellings."""

    rng: random.Random

    def spell(self, branch: str, canonical_share: float = 0.5) -> str: ...

    def noisy_name(self, name: str, share: float = 0.03) -> str: ...
