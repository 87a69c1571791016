"""Indicators of docs/indicators.md computed from the sample town's truth (what a perfect pipeline reports).

The ingest cannot always reach these values: name-only study records of two same-named members of one
branch are ambiguous and never credited (``StudyRecord.identifiable`` marks them).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, datetime, timedelta

from tuanwei_sample.model import SampleTown, StudyRecord


def median_time(times: list[datetime]) -> datetime:
    """Median timestamp; the midpoint of the two middle ones for an even count."""
    ordered = sorted(times)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return ordered[mid - 1] + (ordered[mid] - ordered[mid - 1]) / 2


def period_dates(town: SampleTown, year: int) -> dict[str, date]:
    """Canonical period label → calendar date of its median record time (periods of ``year``)."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for r in town.study_in(year):
        times[r.period].append(r.recorded_at)
    dates = {label: median_time(ts).date() for label, ts in times.items()}
    return {label: d for label, d in dates.items() if d.year == year}


def expected_indicators(
    town: SampleTown, year: int, leave_age: int = 28, recoverable: bool = False
) -> dict[str, float]:
    """The indicator keys (docs/indicators.md) for ``year`` from the truth (keys without inputs are omitted).

    ``recoverable=True``: what an ingest following docs/definitions.md can reach — records that are not
    ``identifiable`` are credited to no member; their learner is (branch, name), so two same-named
    members' records of one period count once.
    """
    end = date(year, 12, 31)
    active = town.members_active_on(end)
    out: dict[str, float] = {
        "org.members": len(active),
        "org.branches": len({p.branch_on(end) for p in active}),
        "org.cadres": sum(p.is_cadre for p in active),
        "org.overage": sum(p.age_on(end) >= leave_age and not p.is_cadre for p in active),
    }
    acts = town.activities_in(year)
    out["act.count"] = len(acts)
    for key in ("ideology", "volunteer", "youth_service", "self_building"):
        out[f"act.count.{key}"] = sum(a.section == key for a in acts)
    out["act.person_times"] = sum(a.participants for a in acts)
    out["act.volunteer_hours"] = sum(a.volunteer_hours for a in acts)

    dates = period_dates(town, year)
    records = [r for r in town.study_in(year) if r.period in dates]
    out["study.periods"] = len(dates)
    names = {p.pid: p.name for p in town.people}

    def learner(r: StudyRecord) -> str:
        return r.person if r.identifiable or not recoverable else f"{r.branch}|{names[r.person]}"

    out["study.learner_times"] = len({(learner(r), r.period) for r in records})
    learners: dict[str, set[str]] = defaultdict(set)
    for r in records:
        learners[r.period].add(learner(r))
    rates: dict[str | None, list[float]] = defaultdict(list)
    for label, day in dates.items():
        members = town.members_active_on(day)
        for branch in [None, *town.branch_names]:
            group = [p for p in members if branch is None or p.branch_on(day) == branch]
            if group:
                rates[branch].append(sum(p.pid in learners[label] for p in group) / len(group))
    if rates[None]:
        out["study.member_rate"] = statistics.fmean(rates[None])
    for branch in town.branch_names:
        if rates[branch]:
            out[f"study.member_rate.{branch}"] = statistics.fmean(rates[branch])
    studied = {r.person for r in records if r.identifiable or not recoverable}  # ambiguous: never credited
    out["study.never"] = sum(
        p.pid not in studied for p in town.people if p.active_on(date(year, 1, 1)) and p.active_on(end)
    )

    months = sorted({c.month for c in town.checkins if c.month.year == year})
    if months:
        monthly = []
        for month in months:
            month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            cadres = {p.pid for p in town.cadres_active_on(month_end)}
            done = {
                c.person for c in town.checkins if c.month == month and c.checked_in and c.person in cadres
            }
            monthly.append(len(done) / len(cadres))
        out["cadre.checkin_rate"] = statistics.fmean(monthly)

    recruits = town.recruits_in(year)
    if recruits:
        joined = [r for r in recruits if r.joined and r.joined.year == year]
        out["rec.new_members"] = len(joined)
        out["rec.applications"] = sum(bool(r.applied and r.applied.year == year) for r in recruits)
        out["rec.activists"] = sum(bool(r.activist and r.activist.year == year) for r in recruits)
        out["rec.targets"] = sum(bool(r.target and r.target.year == year) for r in recruits)
        days = [(r.joined - r.applied).days for r in joined if r.joined and r.applied]
        if days:
            out["rec.median_days"] = statistics.median(days)
    if year in town.quotas:
        out["rec.quota"] = town.quotas[year]
    aid = [a for a in town.aid if a.date.year == year]
    if aid:
        out["aid.recipients"] = len({a.id_number for a in aid})
        out["aid.amount"] = sum(a.amount for a in aid)
    return out
