"""Deterministic simulation of the sample town's truth; all randomness comes from one random.Random(seed)."""

from __future__ import annotations

import dataclasses
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from analysis.common.config import COMMITTEE, default_sections
from tuanwei_sample import catalog as cat
from tuanwei_sample import county
from tuanwei_sample.identity import IdentityFactory
from tuanwei_sample.layout import lay_out
from tuanwei_sample.model import (
    STATUS_AGED_OUT,
    STATUS_LAPSED,
    Activity,
    ActivityParticipant,
    AidPayment,
    Checkin,
    Person,
    Rating,
    Recruit,
    Review,
    SampleBranch,
    SampleTown,
    StudyPeriod,
    StudyRecord,
    Transfer,
    Youth,
)

YEAR_END = {y: date(y, 12, 31) for y in cat.YEARS}
_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (十二, 二十, 二十一)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN_DIGITS[ones]
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def birthday(birth: date, age: int) -> date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # 29 February
        return date(birth.year + age, 3, 1)


def classify(text: str) -> str | None:
    """The section the default keyword rules give ``text`` (None: no keyword, the default applies)."""
    for key, spec in default_sections().items():
        if any(word in text for word in spec["keywords"]):
            return key
    return None


def branch_stem(name: str) -> str:
    return name.removesuffix("团支部")


class Builder:
    """Builds the truth step by step; ``self.rng`` is the only random generator."""

    def __init__(self, seed: int, scale: county.Scale | None = None):
        self.seed = seed
        self.rng = random.Random(seed)
        self.ids = IdentityFactory(self.rng)
        self.scale = scale or county.make_scale(None, None, None)
        generated = county.plan_branches(seed, self.scale)
        self.generated = {b.name for b, _ in generated}
        self.plan: tuple[tuple[SampleBranch, int], ...] = cat.BRANCHES + tuple(generated)
        self.branches = tuple(b for b, _ in self.plan)
        self.branch_by_name = {b.name: b for b in self.branches}
        # Generated schools need more 学号 than the sample's 6 classes × 50 seats per intake.
        self._classes = 40 if any(b.type == "学校" for b, _ in generated) else 6
        self.people: list[Person] = []
        self._index: dict[str, int] = {}  # pid → position in self.people
        self.special: dict[str, str] = {}  # role → pid
        self.propensity: dict[str, float] = {}
        self._member_nos: set[str] = set()
        self._student_nos: set[str] = set()
        self.base: dict[str, list[str]] = {}  # branch → ordinary members generated in bulk
        self._singled: list[str] = []  # members already given a special trait
        self.never: list[str] = []  # members who never study
        self.cadre_pids: list[str] = []
        self.joiner_dates: dict[str, tuple[date, date, date, date]] = {}  # applied, activist, target, joined
        self.transfer_date = date(2022, 6, 15)

    # -- small helpers -------------------------------------------------------------------------
    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def spell(self, branch: str, canonical_share: float = 0.5) -> str:
        """A spelling of a branch as an export writes it: canonical, a listed alias or a variant."""
        if branch == COMMITTEE:
            return self.rng.choice(cat.COMMITTEE_SPELLINGS)
        b = self.branch_by_name[branch]
        others = b.aliases + b.variants
        if not others or self.rng.random() < canonical_share:
            return b.name
        return self.rng.choice(others)

    def noisy_name(self, name: str, share: float = 0.03) -> str:
        """Leading/trailing ASCII or full-width spaces on a small share of names."""
        if self.rng.random() >= share:
            return name
        return self.rng.choice((f" {name}", f"{name} ", f"{name}\u3000", f"\u3000{name}"))

    def _member_no(self, year: int) -> str:
        while True:
            number = f"{year}{self.rng.randrange(10**8):08d}"
            if number not in self._member_nos:
                self._member_nos.add(number)
                return number

    def _student_no(self, birth: date) -> str:
        enrol = birth.year + (13 if birth.month >= 9 else 12)
        while True:
            number = f"{enrol}{self.rng.randint(1, self._classes):02d}{self.rng.randint(1, 50):02d}"
            if number not in self._student_nos:
                self._student_nos.add(number)
                return number

    def _education(self, btype: str, age: int, student: bool) -> str:
        if student:
            return "初中" if age <= 15 else "高中"
        if btype == "机关":
            return self.rng.choices(("本科", "硕士研究生"), (80, 20))[0]
        if age <= 18:
            return self.rng.choice(("高中", "中专"))
        return self.rng.choices(("初中", "高中", "中专", "大专", "本科"), (12, 20, 15, 28, 25))[0]

    def _occupation(self, btype: str, age: int, education: str, student: bool) -> str:
        rng = self.rng
        if student:
            return "学生"
        if btype == "机关":
            return rng.choice(("公务员", "事业单位人员"))
        if btype == "企业":
            return "企业职工"
        if age <= 22 and education in ("大专", "本科") and rng.random() < 0.5:
            return "学生"
        if btype == "村":
            return rng.choices(("农民", "外出务工人员", "个体经营者", "企业职工"), (30, 35, 15, 20))[0]
        return rng.choices(("企业职工", "个体经营者", "自由职业者", "社区工作者"), (45, 20, 20, 15))[0]

    def replace(self, pid: str, **changes) -> Person:
        i = self._index[pid]
        self.people[i] = dataclasses.replace(self.people[i], **changes)
        return self.people[i]

    def get(self, pid: str) -> Person:
        return self.people[self._index[pid]]

    # -- people --------------------------------------------------------------------------------
    def new_person(
        self,
        branch: SampleBranch,
        birth: date,
        join: date,
        *,
        gender: str | None = None,
        student: bool | None = None,
        occupation: str | None = None,
        education: str | None = None,
        political: str | None = None,
    ) -> Person:
        rng = self.rng
        gender = gender or rng.choice(("男", "女"))
        age = birthday_age(birth, YEAR_END[2022])
        student = branch.type == "学校" if student is None else student
        education = education or self._education(branch.type, age, student)
        occupation = occupation or self._occupation(branch.type, age, education, student)
        if political is None:
            political = (
                rng.choices(("共青团员", "中共党员", "中共预备党员"), (90, 6, 4))[0]
                if age >= 22
                else "共青团员"
            )
        person = Person(
            pid=f"P{len(self.people) + 1:04d}",
            name=self.ids.name(gender),
            gender=gender,
            birth_date=birth,
            id_number=self.ids.id_number(birth, gender),
            phone=self.ids.phone(),
            ethnicity=rng.choices(("汉族", "回族", "满族"), (96, 2, 2))[0],
            political_status=political,
            education=education,
            occupation=occupation,
            join_date=join,
            member_no=self._member_no(join.year),
            branch_history=((join, branch.name),),
            student_no=self._student_no(birth) if student else None,
        )
        self._index[person.pid] = len(self.people)
        self.people.append(person)
        return person

    def base_join(self, birth: date) -> date:
        lo = birthday(birth, 14) + timedelta(days=20)
        return self.day(lo, min(date(2020, 12, 20), birthday(birth, 18)))

    def make_people(self) -> None:
        b = self.branch_by_name
        # Members on the 2022-12-31 roster who are not generated as ordinary base members.
        specials_active = {
            cat.SCHOOL: 5,  # teacher secretary, 2 joiners of 2021, 2 of 2022
            cat.ORGAN: 1,  # secretary aged 30
            cat.DONGPO: 1,  # secretary turning 28 in 2022
            cat.SHIQIAO: 2,  # joiner of 2021, overage member
            cat.BEILING: 1,  # joiner of 2022
            cat.COOP: 1,  # joiner of 2022
            cat.XINHUA: 1,  # transferred in from 塔岗村
        }
        births = {
            "学校": (date(2004, 1, 1), date(2006, 9, 30)),
            "机关": (date(1995, 1, 1), date(2000, 12, 31)),
            "企业": (date(1995, 1, 1), date(2003, 12, 31)),
            "村": (date(1995, 1, 1), date(2006, 6, 30)),
            "社区": (date(1995, 1, 1), date(2006, 6, 30)),
        }
        for branch, size in self.plan:
            self.base[branch.name] = []
            for _ in range(size - specials_active.get(branch.name, 0)):
                birth = self.day(*births[branch.type])
                self.base[branch.name].append(self.new_person(branch, birth, self.base_join(birth)).pid)
        rng = self.rng

        def special(role: str, branch: str, birth: date, join: date | None = None, **kw) -> Person:
            p = self.new_person(b[branch], birth, join or self.base_join(birth), **kw)
            self.special[role] = p.pid
            return p

        # Branch secretaries who are not ordinary members.
        special(
            "school_secretary",
            cat.SCHOOL,
            self.day(date(1996, 1, 1), date(1996, 12, 31)),
            student=False,
            education="本科",
            occupation="教师",
            political="中共党员",
        )
        special(
            "organ_secretary", cat.ORGAN, self.day(date(1992, 3, 1), date(1992, 10, 31)), political="中共党员"
        )
        special(
            "cadre_turns_28", cat.DONGPO, self.day(date(1994, 3, 1), date(1994, 6, 30)), political="中共党员"
        )
        # Reaches 28 in November 2022, not processed yet: still 正常 on the roster (org.overage).
        special(
            "overage_pending",
            cat.SHIQIAO,
            self.day(date(1994, 11, 1), date(1994, 11, 25)),
            political="中共党员",
        )
        # The one transfer of 2022.
        mover = special(
            "transfer", cat.TAGANG, self.day(date(1999, 1, 1), date(1999, 12, 31)), occupation="个体经营者"
        )
        self.replace(
            mover.pid, branch_history=((mover.join_date, cat.TAGANG), (self.transfer_date, cat.XINHUA))
        )

        # Leavers: aged out (满28周岁离团) and lapsed (自行脱团).
        for role, branch, year, written, political in (
            ("aged_2021_a", cat.TAGANG, 2021, True, None),
            ("aged_2021_b", cat.XIWAN, 2021, False, None),
            ("aged_2022_a", cat.LIUHE, 2022, True, "中共党员"),
            ("aged_2022_b", cat.DONGPO, 2022, False, None),
            ("aged_2022_c", cat.CHAOYANG, 2022, True, None),
        ):
            birth = self.day(date(year - 28, 2, 1), date(year - 28, 10, 31))
            p = special(role, branch, birth, political=political)
            leave = birthday(birth, 28) + timedelta(days=rng.randint(5, 25) if written else 0)
            self.replace(p.pid, leave_date=leave, leave_status=STATUS_AGED_OUT, leave_date_written=written)
        for role, branch, start, end in (
            ("lapsed_2021", cat.DONGPO, date(2021, 4, 1), date(2021, 6, 30)),
            ("lapsed_2022", cat.NANGOU, date(2022, 8, 1), date(2022, 8, 31)),
        ):
            p = special(role, branch, self.day(date(1997, 1, 1), date(2000, 12, 31)))
            self.replace(p.pid, leave_date=self.day(start, end), leave_status=STATUS_LAPSED)

        # New members (dates of the recruitment pipeline; the roster shows only the month).
        for role, branch, birth_range, applied, activist, target, joined in (
            (
                "join_2021_a",
                cat.SCHOOL,
                (date(2006, 10, 1), date(2006, 12, 20)),
                (date(2021, 1, 4), date(2021, 1, 15)),
                (date(2021, 1, 20), date(2021, 1, 29)),
                (date(2021, 4, 26), date(2021, 4, 30)),
                date(2021, 5, 4),
            ),
            (
                "join_2021_b",
                cat.SCHOOL,
                (date(2006, 10, 1), date(2006, 12, 20)),
                (date(2021, 1, 4), date(2021, 1, 15)),
                (date(2021, 1, 20), date(2021, 1, 29)),
                (date(2021, 4, 26), date(2021, 4, 30)),
                date(2021, 5, 4),
            ),
            (
                "join_2021_c",
                cat.SHIQIAO,
                (date(2002, 1, 1), date(2002, 12, 31)),
                (date(2020, 9, 1), date(2020, 9, 20)),
                (date(2020, 12, 1), date(2020, 12, 20)),
                (date(2021, 5, 6), date(2021, 5, 20)),
                date(2021, 7, 1),
            ),
            (
                "join_2022_a",
                cat.SCHOOL,
                (date(2007, 11, 1), date(2007, 11, 30)),
                (date(2022, 1, 4), date(2022, 1, 14)),
                (date(2022, 1, 20), date(2022, 1, 28)),
                (date(2022, 4, 26), date(2022, 4, 29)),
                date(2022, 5, 4),
            ),
            (
                "join_2022_b",
                cat.SCHOOL,
                (date(2008, 1, 2), date(2008, 1, 10)),
                (date(2022, 1, 12), date(2022, 1, 18)),
                (date(2022, 1, 24), date(2022, 1, 28)),
                (date(2022, 4, 26), date(2022, 4, 29)),
                date(2022, 5, 4),
            ),
            (
                "join_2022_c",
                cat.BEILING,
                (date(2004, 1, 1), date(2004, 12, 31)),
                (date(2021, 3, 8), date(2021, 3, 26)),
                (date(2021, 7, 5), date(2021, 7, 16)),
                (date(2022, 3, 14), date(2022, 3, 25)),
                date(2022, 7, 1),
            ),
            (
                "join_2022_d",
                cat.COOP,
                (date(1999, 1, 1), date(1999, 12, 31)),
                (date(2021, 9, 1), date(2021, 9, 10)),
                (date(2021, 12, 13), date(2021, 12, 24)),
                (date(2022, 6, 13), date(2022, 6, 24)),
                date(2022, 10, 12),
            ),
        ):
            p = special(role, branch, self.day(*birth_range), joined)
            self.joiner_dates[p.pid] = (self.day(*applied), self.day(*activist), self.day(*target), joined)

        self._cadres()
        self._renames()
        self._propensities()

    def _cadres(self) -> None:
        secretaries = {
            cat.SCHOOL: self.special["school_secretary"],
            cat.ORGAN: self.special["organ_secretary"],
            cat.DONGPO: self.special["cadre_turns_28"],
        }
        extra_posts = ("组织委员", "宣传委员")
        for branch in self.branches:
            pool = [self.get(pid) for pid in self.base[branch.name]]
            secretary = secretaries.get(branch.name) or min(pool, key=lambda p: (p.birth_date, p.pid)).pid
            self.replace(secretary, is_cadre=True, position="团支部书记")
            self.cadre_pids.append(secretary)
            min_age = 16 if branch.type == "学校" else 18
            eligible = [
                p.pid
                for p in pool
                if p.pid != secretary and birthday_age(p.birth_date, YEAR_END[2021]) >= min_age
            ]
            posts = ("团支部副书记", "组织委员") if branch.type == "学校" else extra_posts
            extra = (
                county.extra_cadres(len(pool))
                if branch.name in self.generated
                else cat.EXTRA_CADRES.get(branch.name, 0)
            )
            for post, pid in zip(posts, self.rng.sample(eligible, min(extra, len(eligible))), strict=False):
                self.replace(pid, is_cadre=True, position=post)
                self.cadre_pids.append(pid)

    def _ordinary(self, branch: str, gender: str | None = None, exclude: tuple[str, ...] = ()) -> str:
        """A random ordinary (non-cadre, not yet singled out) base member of a branch."""
        pool = [
            pid
            for pid in self.base[branch]
            if not self.get(pid).is_cadre
            and pid not in self._singled
            and pid not in exclude
            and (gender is None or self.get(pid).gender == gender)
        ]
        pid = self.rng.choice(pool)
        self._singled.append(pid)
        return pid

    def _renames(self) -> None:
        # Minority names with a middle dot.
        for branch, gender in ((cat.XINHUA, "女"), (cat.ORGAN, "男"), (cat.SCHOOL, "女")):
            pid = self._ordinary(branch, gender)
            self.replace(pid, name=self.ids.minority_name(gender), ethnicity="维吾尔族")
            self.special[f"minority_{branch}"] = pid
        # One name in two branches; one name twice in the same branch (told apart by ID / 学号 only).
        first = self._ordinary(cat.LIUHE)
        second = self._ordinary(cat.CHAOYANG, self.get(first).gender)
        self.replace(second, name=self.get(first).name)
        self.special["same_name_other_branch_a"], self.special["same_name_other_branch_b"] = first, second
        first = self._ordinary(cat.SCHOOL)
        second = self._ordinary(cat.SCHOOL, self.get(first).gender)
        self.replace(second, name=self.get(first).name)
        self.special["same_name_same_branch_a"], self.special["same_name_same_branch_b"] = first, second
        # Members who never study.
        for branch in (cat.LIUHE, cat.DONGPO, cat.COOP, cat.NANGOU):
            pid = self._ordinary(branch)
            self.replace(pid, never_studies=True)
            self.never.append(pid)

    def _propensities(self) -> None:
        rng = self.rng
        for p in self.people:
            rate = self.branch_by_name[p.branch_history[0][1]].study_rate
            if p.never_studies:
                value = 0.0
            elif p.is_cadre:
                value = min(0.995, max(rate, 0.9) + rng.uniform(0, 0.05))
            elif rng.random() < 0.03:
                value = rng.uniform(0.2, 0.5)
            else:
                value = min(0.995, max(0.2, rng.gauss(rate, 0.05)))
            self.propensity[p.pid] = value

    def make_youths(self) -> None:
        """Non-members who study (about 8% of the study records)."""
        rng = self.rng
        self.youths: list[Youth] = []
        weights = [size for _, size in self.plan]
        count = round(36 * self.scale.members / county.SAMPLE_MEMBERS)
        for i in range(count):
            school = i < 7
            branch = cat.SCHOOL if school else rng.choices([b.name for b in self.branches], weights)[0]
            if branch == cat.SCHOOL:
                birth = self.day(date(2005, 1, 1), date(2008, 6, 30))
                student_no = self._student_no(birth)
            else:
                student_no = None
            youth = Youth(f"Y{i + 1:03d}", self.ids.name(rng.choice(("男", "女"))), branch, student_no)
            self.youths.append(youth)
            self.propensity[youth.pid] = rng.uniform(0.45, 0.85)

    # -- 青年大学习 ------------------------------------------------------------------------------
    def make_periods(self) -> None:
        self.periods: list[StudyPeriod] = []
        for year in cat.YEARS:
            monday = date(year, 1, 1) + timedelta(days=(7 - date(year, 1, 1).weekday()) % 7)
            regular = []
            while monday <= cat.LAST_WEEK[year]:
                if monday not in cat.SKIPPED_WEEKS[year]:
                    regular.append(monday)
                monday += timedelta(days=7)
            for n, start in enumerate(regular, start=1):
                if year == 2022:
                    season, number = (
                        (12, n) if n <= cat.SEASON_SPLIT_2022 else (13, n - cat.SEASON_SPLIT_2022)
                    )
                    label = f"第{season}季第{number}期"
                else:
                    season, number, label = None, n, f"{year}年第{n}期"
                self.periods.append(self._period(label, year, start, season, number, None))
            for title, start in cat.SPECIALS[year]:
                self.periods.append(
                    self._period(f"特辑:{title}({start:%m-%d})", year, start, None, None, title)
                )
        self.periods.sort(key=lambda p: (p.opens, p.label))

    @staticmethod
    def _period(label: str, year: int, start: date, season, number, title) -> StudyPeriod:
        return StudyPeriod(
            label=label,
            year=year,
            opens=datetime.combine(start, time(10, 0)),
            closes=datetime.combine(start + timedelta(days=6), time(20, 0)),
            season=season,
            number=number,
            title=title,
        )

    def _timestamp(self, period: StudyPeriod) -> datetime:
        rng = self.rng
        if rng.random() < 0.012:  # late: Sunday night after 20:00 up to Monday 09:00
            return period.closes + timedelta(seconds=rng.randrange(13 * 3600))
        offset = rng.choices(range(7), (30, 18, 12, 10, 9, 8, 13))[0]
        day = period.opens.date() + timedelta(days=offset)
        lo = 10 * 3600 if offset == 0 else 7 * 3600
        hi = 20 * 3600 if offset == 6 else 24 * 3600
        return datetime.combine(day, time(0)) + timedelta(seconds=rng.randrange(lo, hi))

    def study_file(self, year: int, month: int, school_export: bool) -> tuple[str, str]:
        """(relative path, layout) of the export holding a record of ``month``."""
        if school_export:
            months = cat.SCHOOL_EXPORT_MONTHS[year]
            return f"{year}/示例镇中学青年大学习记录（{year}年{months[0]}-{months[-1]}月）.xlsx", "b"
        if month == cat.STUDY_CSV_MONTH[year]:
            return f"{year}/青年大学习_{year}年{month:02d}月.csv", "csv"
        layout = "c" if month == cat.STUDY_RAW_SHEET_MONTH[year] else "a"
        return f"{year}/青年大学习_{year}年{month:02d}月.xlsx", layout

    def raw_period(self, period: StudyPeriod, numerals: str) -> str:
        if period.title:
            text = period.title
        elif period.season:
            number = cn_number(period.number or 0) if numerals == "chinese" else str(period.number)
            text = f"第{cn_number(period.season)}季第{number}期"
        else:
            text = f"{period.year}年第{period.number}期"
        return f" {text}" if self.rng.random() < 0.025 else text

    def raw_identity(self, layout: str, name: str, student_no: str | None) -> str:
        if layout == "c" and student_no:
            return self.rng.choice(
                (
                    f"{student_no}{name}",
                    f"{student_no} {name}",
                    f"{student_no}-{name}",
                    f"{name}-{student_no}",
                )
            )
        return self.noisy_name(name, 0.01 if layout == "b" else 0.03)

    def make_study(self) -> None:
        rng = self.rng
        numerals: dict[tuple[int, int], str] = {}
        for year in cat.YEARS:
            for month in range(1, 13):
                forced = "arabic" if month in cat.SCHOOL_EXPORT_MONTHS[year] else None
                numerals[(year, month)] = forced or rng.choice(("arabic", "chinese"))
        learners: list[tuple[str, str, bool, Person | None, Youth | None]] = [
            (p.pid, p.name, True, p, None) for p in self.people
        ] + [(y.pid, y.name, False, None, y) for y in self.youths]
        by_name: dict[str, list[Person]] = defaultdict(list)
        for p in self.people:
            by_name[p.name].append(p)
        self.study: list[StudyRecord] = []
        self.study_duplicates: list[StudyRecord] = []
        files: dict[tuple[int, int, bool], tuple[str, str]] = {}
        for period in self.periods:
            month, year = period.opens.month, period.year
            if year not in self.scale.years:  # a scaled town lays out only some years: skip the others
                continue
            factor = 0.93 if period.is_special else (0.96 if month in (7, 8) else 1.0)
            records: list[StudyRecord] = []
            for pid, name, is_member, person, youth in learners:
                if rng.random() >= self.propensity[pid] * factor:
                    continue
                at = self._timestamp(period)
                if person is not None:
                    if not person.active_on(at.date()):
                        continue
                    branch, student_no = person.branch_on(at.date()), person.student_no
                else:
                    assert youth is not None
                    branch, student_no = youth.branch, youth.student_no
                school_export = (
                    bool(student_no) and month in cat.SCHOOL_EXPORT_MONTHS[year] and branch == cat.SCHOOL
                )
                key = (year, month, school_export)
                if key not in files:
                    files[key] = self.study_file(year, month, school_export)
                path, layout = files[key]
                carries_number = bool(student_no) and layout in ("b", "c")
                namesakes = [
                    q for q in by_name[name] if q.active_on(at.date()) and q.branch_on(at.date()) == branch
                ]
                style = (
                    "chinese" if layout == "b" else ("arabic" if layout == "c" else numerals[(year, month)])
                )
                records.append(
                    StudyRecord(
                        year=year,
                        period=period.label,
                        person=pid,
                        is_member=is_member,
                        branch=branch,
                        recorded_at=at,
                        file=path,
                        raw_period=self.raw_period(period, style),
                        raw_identity=self.raw_identity(layout, name, student_no),
                        raw_branch=None if layout == "b" else self.spell(branch),
                        identifiable=carries_number or not is_member or len(namesakes) == 1,
                    )
                )
            # The earliest record falls on the release day (the 特辑 label uses that date).
            first = min(records, key=lambda r: r.recorded_at)
            if first.recorded_at.date() != period.opens.date():
                at = period.opens + timedelta(seconds=rng.randrange(3600))
                records[records.index(first)] = dataclasses.replace(first, recorded_at=at)
            for record in records:
                self.study.append(record)
                if rng.random() < 0.006:
                    later = record.recorded_at + timedelta(seconds=rng.randrange(120, 900))
                    self.study_duplicates.append(dataclasses.replace(record, recorded_at=later))

    # -- recruitment, transfers, check-ins, reviews, ratings, aid ------------------------------
    def make_recruits(self) -> None:
        rng = self.rng
        self.recruits: list[Recruit] = []
        malformed = self.special["join_2022_d"]
        for pid, (applied, activist, target, joined) in self.joiner_dates.items():
            p = self.get(pid)
            years = tuple(y for y in cat.YEARS if applied.year <= y and joined.year >= y)
            number = p.member_no if pid != malformed else p.member_no[:7] + p.member_no[8:]
            self.recruits.append(
                Recruit(
                    f"R{len(self.recruits) + 1:02d}",
                    p.name,
                    p.id_number,
                    p.gender,
                    p.birth_date,
                    p.branch,
                    applied,
                    activist,
                    target,
                    joined,
                    number,
                    pid != malformed,
                    pid,
                    years,
                )
            )
        for branch, birth_range, applied, activist, target, years in (
            (
                cat.SCHOOL,
                (date(2009, 2, 1), date(2009, 6, 30)),
                (date(2022, 3, 1), date(2022, 3, 10)),
                None,
                None,
                (2022,),
            ),
            (
                cat.LIUHE,
                (date(2005, 1, 1), date(2005, 9, 30)),
                (date(2022, 10, 10), date(2022, 10, 28)),
                None,
                None,
                (2022,),
            ),
            (
                cat.XINHUA,
                (date(2003, 1, 1), date(2003, 12, 31)),
                (date(2022, 3, 7), date(2022, 3, 18)),
                (date(2022, 6, 13), date(2022, 6, 24)),
                None,
                (2022,),
            ),
            (
                cat.CHAOYANG,
                (date(2006, 1, 1), date(2006, 8, 31)),
                (date(2021, 11, 1), date(2021, 11, 12)),
                (date(2022, 4, 11), date(2022, 4, 22)),
                None,
                (2021, 2022),
            ),
            (
                cat.TAGANG,
                (date(2004, 1, 1), date(2004, 12, 31)),
                (date(2021, 9, 6), date(2021, 9, 17)),
                (date(2021, 12, 13), date(2021, 12, 24)),
                (date(2022, 9, 19), date(2022, 9, 30)),
                (2021, 2022),
            ),
            (
                cat.SCHOOL,
                (date(2007, 5, 1), date(2007, 5, 31)),
                (date(2022, 2, 14), date(2022, 2, 25)),
                (date(2022, 5, 16), date(2022, 5, 27)),
                (date(2022, 11, 7), date(2022, 11, 18)),
                (2022,),
            ),
            (
                cat.XIWAN,
                (date(2004, 1, 1), date(2004, 12, 31)),
                (date(2021, 4, 5), date(2021, 4, 16)),
                None,
                None,
                (2021,),
            ),
        ):
            gender = rng.choice(("男", "女"))
            birth = self.day(*birth_range)
            self.recruits.append(
                Recruit(
                    rid=f"R{len(self.recruits) + 1:02d}",
                    name=self.ids.name(gender),
                    id_number=self.ids.id_number(birth, gender),
                    gender=gender,
                    birth_date=birth,
                    branch=branch,
                    applied=self.day(*applied),
                    activist=self.day(*activist) if activist else None,
                    target=self.day(*target) if target else None,
                    joined=None,
                    league_no=None,
                    league_no_valid=True,
                    person=None,
                    years=years,
                )
            )

    def make_transfers(self) -> None:
        p = self.get(self.special["transfer"])
        self.transfers = [Transfer(p.pid, p.name, p.id_number, cat.TAGANG, cat.XINHUA, self.transfer_date)]

    def make_checkins(self) -> None:
        rng = self.rng
        self.checkins: list[Checkin] = []
        cadres = [p for p in self.people if p.is_cadre]
        diligence = {p.pid: rng.uniform(0.75, 0.98) for p in cadres}
        outsider = self.ids.name("女")
        for month in range(1, 13):
            first = date(2022, month, 1)
            end = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            for p in cadres:
                if not p.active_on(end):
                    continue
                done = rng.random() < diligence[p.pid]
                when = self.day(first, end) if done else None
                self.checkins.append(Checkin(first, p.pid, p.name, p.branch_on(end), done, when))
            if month == 6:  # someone checking in who is not on the roster
                self.checkins.append(Checkin(first, None, outsider, cat.ORGAN, True, date(2022, 6, 17)))

    def make_reviews(self) -> None:
        rng = self.rng
        self.reviews: list[Review] = []
        for year in cat.YEARS:
            end = YEAR_END[year]
            failed = self.never[0] if year == 2022 else None
            by_branch: dict[str, list[Person]] = defaultdict(list)
            for p in self.people:
                if p.active_on(end):
                    by_branch[p.branch_on(end)].append(p)
            for branch in self.branches:
                members = by_branch[branch.name]
                ordinary = [p.pid for p in members if p.pid not in self.never]
                best = set(rng.sample(ordinary, round(len(members) * rng.uniform(0.15, 0.28))))
                for p in members:
                    if p.pid == failed:
                        result = "不合格"
                    elif p.pid in self.never:
                        result = "基本合格"
                    else:
                        result = "优秀" if p.pid in best else "合格"
                    self.reviews.append(Review(year, p.pid, p.name, branch.name, result))

    def make_ratings(self) -> None:
        rng = self.rng
        self.ratings: list[Rating] = []
        names = [b.name for b in self.branches]
        bands = {"五星": (90, 97), "四星": (80, 89), "三星": (70, 79), "后进": (60, 69)}
        grades = county.grade_plan(len(names), (("五星", 4), ("四星", 5), ("三星", 2), ("后进", 1)))
        rng.shuffle(grades)
        for name, grade in zip(names, grades, strict=True):
            score = rng.randint(*bands[grade]) + rng.choice((0, 0.5))
            self.ratings.append(Rating(2022, name, score, grade, grade))
        old = {"五星": "5星", "四星": "4星", "三星": "3星"}
        grades = county.grade_plan(len(names) - 1, (("五星", 3), ("四星", 5), ("三星", 3)))
        rng.shuffle(grades)
        for name in names:
            if name == cat.COOP:  # not rated in 2021
                self.ratings.append(Rating(2021, name, None, "不予定级", "不予定级"))
                continue
            grade = grades.pop()
            self.ratings.append(Rating(2021, name, float(rng.randint(*bands[grade])), grade, old[grade]))

    def make_aid(self) -> None:
        rng = self.rng
        villages = [b for b in self.branches if b.type in ("村", "社区")]
        children = []
        for _ in range(18):
            gender = rng.choice(("男", "女"))
            birth = self.day(date(2006, 9, 1), date(2015, 8, 31))
            age = birthday_age(birth, date(2022, 9, 1))
            school = cat.VILLAGE_SCHOOLS[0] if age <= 12 else rng.choice(cat.VILLAGE_SCHOOLS[1:])
            branch = rng.choice(villages)
            children.append((self.ids.name(gender), self.ids.id_number(birth, gender), branch, school))
        self.aid: list[AidPayment] = []
        plan = {
            2022: (children[0:6], children[6:12], date(2022, 9, 1), date(2022, 9, 20)),
            2021: (children[8:13], children[13:18], date(2021, 9, 3), date(2021, 12, 4)),
        }
        for year in cat.YEARS:
            lemon, warm, lemon_day, warm_day = plan[year]
            for programme, group, day, amount in (
                ("青檬励学金", lemon, lemon_day, 1000.0),
                ("情暖童心", warm, warm_day, 500.0),
            ):
                for name, id_number, branch, school in group:
                    self.aid.append(
                        AidPayment(
                            year,
                            programme,
                            name,
                            id_number,
                            branch_stem(branch.name),
                            branch.name,
                            school,
                            amount,
                            day,
                        )
                    )
        name, id_number, branch, school = children[6]  # paid twice in 2022
        self.aid.append(
            AidPayment(
                2022,
                "情暖童心",
                name,
                id_number,
                branch_stem(branch.name),
                branch.name,
                school,
                500.0,
                date(2022, 12, 20),
            )
        )

    # -- activities ----------------------------------------------------------------------------
    def make_activities(self) -> None:
        rng = self.rng
        self.activities: list[Activity] = []
        self.participants: list[ActivityParticipant] = []
        for year in cat.YEARS:
            for mmdd, name, section, organiser, volunteer in cat.ACTIVITIES[year] + self._branch_plans(year):
                day = date(year, int(mmdd[:2]), int(mmdd[3:]))
                listed = cat.PARTICIPANT_LISTS.get((year, mmdd, name))
                people = self._participants(year, day, name, listed) if listed else []
                volunteers, hours = volunteer if volunteer else (None, None)
                if people:
                    participants = len(people)
                elif section == "volunteer":
                    participants = (volunteers or 0) + rng.randint(0, 8)
                else:
                    participants = rng.randint(15, 60) if section == "ideology" else rng.randint(8, 40)
                if section == "youth_service" or (section == "volunteer" and rng.random() < 0.5):
                    beneficiaries = rng.randint(20, 200)
                else:
                    beneficiaries = None
                blank_share = 0.2 if year == 2022 else 0.4
                if name in cat.ALWAYS_BLANK_TYPE or (
                    classify(name) == section and rng.random() < blank_share
                ):
                    activity_type = None
                else:
                    activity_type = cat.SECTION_WORDS[section]
                written = [(name, self.spell(organiser))]
                duplicate = cat.DUPLICATES.get((year, mmdd, name))
                if duplicate:
                    other = written[0][1]
                    while other == written[0][1]:
                        other = self.spell(organiser, 0.3)
                    written.append((duplicate, other))
                note = "联合团县委开展" if organiser == COMMITTEE and rng.random() < 0.3 else None
                self.activities.append(
                    Activity(
                        year=year,
                        date=day,
                        name=name,
                        organiser=organiser,
                        section=section,
                        activity_type=activity_type,
                        participants=participants,
                        volunteers=volunteers,
                        hours_per_person=float(hours) if hours is not None and year == 2022 else None,
                        total_hours=float(volunteers * hours)
                        if volunteers and hours and year == 2021
                        else None,
                        beneficiaries=beneficiaries,
                        location=self._location(name, organiser),
                        note=note,
                        written=tuple(written),
                    )
                )
                self.participants += people

    def _branch_plans(self, year: int) -> tuple[cat.Plan, ...]:
        """Activities of the generated branches (none in the sample town), from their own generator."""
        if not self.generated:
            return ()
        rng = random.Random(self.seed * 31 + year)
        plans: list[cat.Plan] = []
        for branch in self.branches:
            if branch.name not in self.generated:
                continue
            days = sorted(rng.sample(range(1, 360), rng.randint(2, 6)))
            for n in days:
                day = date(year, 1, 1) + timedelta(days=n)
                name, section, volunteer = rng.choice(county.BRANCH_ACTIVITIES)
                key = (year, f"{day:%m-%d}", name)
                if key in cat.PARTICIPANT_LISTS or key in cat.DUPLICATES:
                    continue
                crew = (rng.randint(5, 20), rng.choice((2, 2.5, 3))) if volunteer else None
                plans.append((f"{day:%m-%d}", name, section, branch.name, crew))
        return tuple(sorted(plans, key=lambda p: p[0]))

    def _participants(
        self, year: int, day: date, name: str, listed: tuple[str, int]
    ) -> list[ActivityParticipant]:
        who, count = listed
        active = [p for p in self.people if p.active_on(day)]
        if who == "cadres":
            pool = [p for p in active if p.is_cadre]
        elif who == "town":
            pool = active
            count -= 1  # one non-member youth takes part too
        else:
            pool = [p for p in active if p.branch_on(day) == who]
        chosen = sorted(self.rng.sample(pool, count), key=lambda p: p.pid)
        rows = [ActivityParticipant(year, day, name, p.pid, p.name, p.branch_on(day)) for p in chosen]
        if who == "town":
            youth = self.rng.choice([y for y in self.youths if y.student_no is None])
            rows.append(ActivityParticipant(year, day, name, None, youth.name, youth.branch))
        return rows

    @staticmethod
    def _location(name: str, organiser: str) -> str:
        if organiser == COMMITTEE:
            if "太湖山" in name:
                return "太湖山"
            if "植树" in name:
                return "太湖山林场"
            if any(w in name for w in ("培训", "定级", "少工委")):
                return "镇政府会议室"
            return "镇文化站"
        if organiser == cat.SCHOOL:
            return "示例镇中学"
        if organiser == cat.ORGAN:
            return "镇政府会议室"
        if organiser == cat.COOP:
            return "示例镇农业合作社"
        return f"{branch_stem(organiser)}党群服务中心"

    # -- assembly ------------------------------------------------------------------------------
    def build(self) -> SampleTown:
        self.make_people()
        self.make_youths()
        self.make_periods()
        self.make_study()
        self.make_recruits()
        self.make_transfers()
        self.make_checkins()
        self.make_reviews()
        self.make_ratings()
        self.make_aid()
        self.make_activities()
        town = SampleTown(
            seed=self.seed,
            town=cat.TOWN,
            committee=cat.COMMITTEE_FULL,
            years=self.scale.years,
            quotas=dict(cat.QUOTAS),
            branches=self.branches,
            people=tuple(self.people),
            youths=tuple(self.youths),
            transfers=tuple(self.transfers),
            periods=tuple(self.periods),
            study=tuple(sorted(self.study, key=lambda r: (r.recorded_at, r.person))),
            study_duplicates=tuple(sorted(self.study_duplicates, key=lambda r: (r.recorded_at, r.person))),
            activities=tuple(self.activities),
            activity_participants=tuple(self.participants),
            recruits=tuple(self.recruits),
            aid=tuple(self.aid),
            ratings=tuple(self.ratings),
            reviews=tuple(self.reviews),
            checkins=tuple(self.checkins),
        )
        return dataclasses.replace(town, exports=tuple(lay_out(town, self)))


def birthday_age(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def build_town(
    seed: int = 2022, *, members: int | None = None, branches: int | None = None, years: int | None = None
) -> SampleTown:
    """The synthetic sample town for ``seed``: truth plus raw exports (same seed, same town).

    With default arguments: the bundled sample town (12 branches, ~300 members, 2021 and 2022). A larger
    ``members`` / ``branches`` keeps the sample's 12 branches and adds generated ones (see
    tuanwei_sample.county), e.g. ``members=20_000, branches=200`` for a county (~1M study records a
    year); ``years=1`` lays out 2022 only.
    """
    return Builder(seed, county.make_scale(members, branches, years)).build()
