"""The catalogue of a year: every headline key of indicators.json plus the tables the report needs,
computed once from the canonical tables (and the previous year's, for year-over-year)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis import __version__
from analysis.codegraph import CATALOGUE, code_fingerprint
from analysis.common.config import LEAVE_AGE, TownConfig, YearTargets, default_section_labels
from analysis.common.paths import CATALOGUE_META
from analysis.indicators import activities as act
from analysis.indicators import cadre, org, recruitment, services, study
from analysis.indicators.keys import BRANCH_RATE_PREFIX, KeyInfo, info, ordered
from analysis.processed import completeness
from analysis.processed.completeness import Assessment
from analysis.processed.load import Tables

COVERAGE_TABLES = {
    "青年大学习": "coverage_study",
    "团干部学习打卡": "coverage_checkin",
    "活动台账": "coverage_activities",
}


@dataclass
class Catalogue:
    """Headline numbers and tables of one report year, with the town.yml wording they are shown with
    (section labels, leaving age): charts, tables and the document take names from here."""

    year: int
    town: str
    headline: dict[str, float]
    previous: dict[str, float] = field(default_factory=dict)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    targets: YearTargets = field(default_factory=YearTargets)
    notes: dict[str, Any] = field(default_factory=dict)
    assessment: Assessment = field(default_factory=Assessment)
    section_labels: dict[str, str] = field(default_factory=default_section_labels)
    leave_age: int = LEAVE_AGE

    def info(self, key: str) -> KeyInfo:
        """Name, unit and format of a key, named with this town's section labels and leaving age."""
        return info(key, self.section_labels, self.leave_age)

    def section_label(self, section: str) -> str:
        return self.section_labels.get(section, section)

    def value(self, key: str) -> float | None:
        return self.headline.get(key)

    def change(self, key: str) -> float | None:
        if key in self.headline and key in self.previous:
            return self.headline[key] - self.previous[key]
        return None

    def indicators_json(self) -> dict[str, Any]:
        """docs/definitions.md, section 2: {"year": Y, "indicators": {KEY: number}} (absent inputs → key omitted)."""
        return {
            "year": self.year,
            "indicators": {k: _json_number(self.headline[k]) for k in ordered(list(self.headline))},
        }

    def summary_table(self) -> pd.DataFrame:
        """One row per key: Chinese name, this year, last year, change, target, met."""
        rows = []
        for key in ordered(list(self.headline)):
            ki = self.info(key)
            target, met = self.target_of(key)
            rows.append(
                {
                    "key": key,
                    "label": ki.label,
                    "unit": ki.unit,
                    "value": self.headline[key],
                    "previous": self.previous.get(key),
                    "change": self.change(key),
                    "target": target,
                    "met": met,
                }
            )
        return pd.DataFrame(rows)

    def target_of(self, key: str) -> tuple[float | None, str | None]:
        """(target, '达标'/'未达标') for keys with a configured target."""
        value = self.headline.get(key)
        target: float | None = None
        if key == "study.member_rate" or key.startswith(BRANCH_RATE_PREFIX):
            target = self.targets.study_rate_target
        elif key == "rec.new_members":
            target = self.targets.recruitment_quota
        elif key == "cadre.checkin_rate":
            target = self.targets.checkin_rate_target
        if target is None or value is None:
            return target, None
        return target, "达标" if value >= target - 1e-12 else "未达标"

    # -- persistence (a cache for the notebooks; the deliverables are indicators.json/xlsx) ----------
    def save(self, folder: Path, fingerprint: str) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in self.tables.items():
            frame.to_parquet(folder / f"{name}.parquet", index=False)
        meta = {
            "fingerprint": fingerprint,
            "year": self.year,
            "town": self.town,
            "headline": self.headline,
            "previous": self.previous,
            "targets": self.targets.__dict__,
            "notes": self.notes,
            "assessment": self.assessment.as_dict(),
            "section_labels": self.section_labels,
            "leave_age": self.leave_age,
            "tables": list(self.tables),
        }
        (folder / CATALOGUE_META).write_text(
            json.dumps(meta, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
        )

    @staticmethod
    def stored_fingerprint(folder: Path) -> str | None:
        """The fingerprint a saved catalogue was made for (None when there is none)."""
        try:
            return json.loads((folder / CATALOGUE_META).read_text(encoding="utf-8")).get("fingerprint")
        except (OSError, json.JSONDecodeError):
            return None

    @classmethod
    def load(cls, folder: Path, fingerprint: str) -> Catalogue | None:
        meta_file = folder / CATALOGUE_META
        if not meta_file.is_file():
            return None
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if meta.get("fingerprint") != fingerprint:
                return None
            tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in meta["tables"]}
        except Exception:  # a damaged cache (a file truncated or swapped) is computed again
            return None
        return cls(
            year=meta["year"],
            town=meta["town"],
            headline=meta["headline"],
            previous=meta["previous"],
            tables=tables,
            targets=YearTargets(**meta["targets"]),
            notes=meta["notes"],
            assessment=Assessment.from_dict(meta.get("assessment", {})),
            section_labels=meta.get("section_labels") or default_section_labels(),
            leave_age=int(meta.get("leave_age", LEAVE_AGE)),
        )


def _json_number(value: float) -> float | int:
    """Counts stay integers, everything else a float (numpy scalars become plain Python numbers)."""
    return int(value) if isinstance(value, (int, np.integer)) else float(value)


def headline(tables: Tables, config: TownConfig, year: int) -> dict[str, float]:
    """Every key (docs/indicators.md) whose inputs are present (others omitted, never 0 or null)."""
    return _compute(tables, config, year, with_tables=False)[0]


def _compute(
    tables: Tables, config: TownConfig, year: int, with_tables: bool
) -> tuple[dict[str, float], dict[str, pd.DataFrame], dict[str, Any]]:
    out: dict[str, float] = {}
    t: dict[str, pd.DataFrame] = {}
    notes: dict[str, Any] = {}
    members = tables.members
    membership = tables.membership
    targets = config.targets(year)

    if members is not None:
        out.update(org.org_headline(members, membership, year, config.leave_age))
        if with_tables:
            t["org_by_branch"] = org.members_by_branch(
                members, membership, year, config.branch_names, config.leave_age
            )
            t["org_by_age"] = org.members_by_age(members, membership, year, config.leave_age)
            t["org_by_gender"] = org.members_by(members, membership, year, "gender")
            t["org_by_political"] = org.members_by(members, membership, year, "political_status")

    records = tables.study_records
    if records is not None:
        periods = tables.study_periods(year)
        out["study.periods"] = len(periods)
        out["study.learner_times"] = study.learner_times(records, periods)
        notes["undated_periods"] = study.undated_periods(records)
        if members is not None:
            pairs = study.participation_pairs(records, membership, periods)
            rate = study.member_rate(pairs)
            if rate is not None:
                out["study.member_rate"] = rate
            matrix = study.member_rate_matrix(pairs)
            ranking = study.branch_rates(matrix)
            for _, row in ranking.iterrows():
                out[f"{BRANCH_RATE_PREFIX}{row['branch']}"] = float(row["rate"])
            out["study.never"] = study.never_studied(records, membership, periods, year)
            if with_tables:
                t["study_periods"] = periods.merge(
                    study.town_rate_by_period(pairs), on=["period", "date"], how="left"
                )
                t["study_matrix"] = matrix
                t["study_ranking"] = ranking
                per = study.member_participation(pairs, membership, members, year)
                t["study_members_low"] = per[per["never"] | per["rarely"]].reset_index(drop=True)
        elif with_tables:
            t["study_periods"] = periods

    checkins = tables.cadre_checkins
    if checkins is not None and members is not None:
        pairs_c = cadre.checkin_pairs(checkins, membership, year)
        rate_c = cadre.checkin_rate(pairs_c)
        if rate_c is not None:
            out["cadre.checkin_rate"] = rate_c
        if with_tables:
            t["cadre_by_month"] = cadre.checkin_by_month(pairs_c)
            t["cadre_by_branch"] = cadre.checkin_by_branch(pairs_c)
            t["cadre_unmatched"] = cadre.unmatched_checkins(checkins, year)

    activities = tables.activities
    if activities is not None:
        out.update(act.activity_headline(activities, year))
        if with_tables:
            month = act.by_section_month(activities, year)
            month.columns = [f"{m}月" for m in month.columns]
            t["act_section_month"] = month.reset_index()
            t["act_by_section"] = act.by_section(activities, year)
            t["act_by_organiser"] = act.by_organiser(activities, year)
            t["act_top"] = act.top_activities(activities, year)
            t["act_list"] = act.activities_of_year(activities, year)[
                [
                    "date",
                    "name",
                    "section",
                    "organiser",
                    "participants",
                    "volunteers",
                    "hours_per_person",
                    "total_hours",
                    "volunteer_hours",
                    "location",
                ]
            ]

    rec = tables.recruitment
    if rec is not None:
        out.update(recruitment.recruitment_headline(rec, year, targets.recruitment_quota))
        if with_tables:
            t["rec_funnel"] = recruitment.funnel(rec, year)
            t["rec_by_branch"] = recruitment.funnel_by_branch(rec, year)
            t["rec_durations"] = recruitment.stage_durations(rec, year)
            t["rec_new_members"] = recruitment.new_member_list(rec, year)
            t["rec_checks"] = recruitment.recruitment_checks(rec, year)
    elif targets.recruitment_quota is not None:
        out["rec.quota"] = int(targets.recruitment_quota)

    aid = tables.aid
    if aid is not None:
        out.update(services.aid_headline(aid, year))
        if with_tables:
            t["aid_by_programme"] = services.aid_by_programme(aid, year)

    if with_tables and tables.branch_ratings is not None:
        t["ratings_distribution"] = services.rating_distribution(tables.branch_ratings, year)
        t["ratings_table"] = services.ratings_table(tables.branch_ratings, year)
    if with_tables and tables.member_reviews is not None:
        t["reviews_distribution"] = services.review_distribution(tables.member_reviews, year)
    return out, t, notes


def compute(tables: Tables, config: TownConfig, year: int, previous: Tables | None = None) -> Catalogue:
    """The whole catalogue of ``year`` (with last year's headline when ``previous`` is given)."""
    head, tabs, notes = _compute(tables, config, year, with_tables=True)
    prev = headline(previous, config, year - 1) if previous is not None else {}
    for kind, frame in completeness.coverage(tables, year, tabs.get("study_matrix")).items():
        tabs[COVERAGE_TABLES[kind]] = frame
    return Catalogue(
        year=year,
        town=config.town,
        headline=head,
        previous=prev,
        tables=tabs,
        targets=config.targets(year),
        notes=notes,
        assessment=completeness.assess(tables, config, year, head, prev, tabs[COVERAGE_TABLES["青年大学习"]]),
        section_labels=config.section_labels,
        leave_age=config.leave_age,
    )


def fingerprint(tables: Tables, config_hash: str, previous: Tables | None) -> str:
    """What a cached catalogue depends on: processed data (this and last year), configuration, the code
    computing it (its import graph)."""
    parts = [
        __version__,
        code_fingerprint(CATALOGUE),
        config_hash,
        json.dumps(tables.report.get("inputs"), sort_keys=True),
        json.dumps(previous.report.get("inputs"), sort_keys=True) if previous is not None else "-",
        str(tables.report.get("generated_at")),
        tables.digest,  # the verified tables themselves (processed_folder.Snapshot)
        previous.digest if previous is not None else "-",
    ]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
