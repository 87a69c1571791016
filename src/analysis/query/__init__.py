"""Ad-hoc participation questions over processed data: who studied, who did not, one member's record."""

from analysis.query.participation import (
    GridResult,
    MemberHistory,
    activity_grid,
    activity_participation,
    member_history,
    missing,
    participation_grid,
    select_periods,
)

__all__ = [
    "GridResult",
    "MemberHistory",
    "activity_grid",
    "activity_participation",
    "member_history",
    "missing",
    "participation_grid",
    "select_periods",
]
