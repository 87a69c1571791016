"""活动与志愿服务: activities held, person-times, volunteer hours, by section, month and organiser."""

from __future__ import annotations

import pandas as pd

from analysis.common.schemas import SECTION_KEYS
from analysis.indicators.common import in_year

SECTION_KEY_NAMES = {
    "ideology": "act.count.ideology",
    "volunteer": "act.count.volunteer",
    "youth_service": "act.count.youth_service",
    "self_building": "act.count.self_building",
}


def activities_of_year(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Distinct activities dated in Y (ingest already merged duplicates: same date, same normalised name,
    same organiser after branch resolution)."""
    a = activities[in_year(activities["date"], year)]
    return a.drop_duplicates("activity_id").sort_values("date").reset_index(drop=True)


def activity_headline(activities: pd.DataFrame, year: int) -> dict[str, float]:
    """act.* keys (docs/indicators.md).

    - act.count: distinct activities dated in Y;
    - act.count.<section>: the same per report section (ideology / volunteer / youth_service / self_building);
    - act.person_times: sum of 参与人数 over those activities (blank counts as 0);
    - act.volunteer_hours: sum over those activities of the row's volunteer hours: the total-hours column
      when present, else volunteers × hours per person.
    """
    a = activities_of_year(activities, year)
    out: dict[str, float] = {"act.count": len(a)}
    for section in SECTION_KEYS:
        out[SECTION_KEY_NAMES[section]] = int((a["section"] == section).sum())
    out["act.person_times"] = int(a["participants"].fillna(0).sum())
    out["act.volunteer_hours"] = float(a["volunteer_hours"].fillna(0).sum())
    return out


def by_section_month(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Activities per section × month (1–12), zeros included."""
    a = activities_of_year(activities, year)
    table = pd.crosstab(a["section"], a["date"].dt.month).reindex(
        index=SECTION_KEYS, columns=range(1, 13), fill_value=0
    )
    table.index.name = "section"
    table.columns.name = "month"
    return table


def by_section(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per section: activities, person-times, volunteers, volunteer hours."""
    a = activities_of_year(activities, year)
    g = a.groupby("section").agg(
        activities=("activity_id", "size"),
        person_times=("participants", lambda s: int(s.fillna(0).sum())),
        volunteers=("volunteers", lambda s: int(s.fillna(0).sum())),
        volunteer_hours=("volunteer_hours", "sum"),
    )
    return g.reindex(SECTION_KEYS, fill_value=0).reset_index()


def by_organiser(activities: pd.DataFrame, year: int) -> pd.DataFrame:
    """Per organiser (branch or 镇团委): activities, person-times, volunteer hours; most active first."""
    a = activities_of_year(activities, year)
    g = a.groupby("organiser").agg(
        activities=("activity_id", "size"),
        person_times=("participants", lambda s: int(s.fillna(0).sum())),
        volunteer_hours=("volunteer_hours", "sum"),
    )
    return g.sort_values(["activities", "person_times"], ascending=False).reset_index()


def top_activities(activities: pd.DataFrame, year: int, n: int = 10) -> pd.DataFrame:
    """The ``n`` activities with the most participants (ties: more volunteer hours, earlier date)."""
    a = activities_of_year(activities, year).assign(participants_filled=lambda d: d["participants"].fillna(0))
    a = a.sort_values(["participants_filled", "volunteer_hours", "date"], ascending=[False, False, True])
    return a.head(n)[
        ["date", "name", "section", "organiser", "participants", "volunteers", "volunteer_hours"]
    ].reset_index(drop=True)
