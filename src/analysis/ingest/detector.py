"""Recognition's tunables on one documented object (as frictionless-py's ``Detector``): how far to look
for a header, how many cells judge a column, how well content must fit, when a reading is a close call,
when its columns make so strong a case that a word in a title does not put it in doubt. ``DETECTOR`` is the
one the ingest uses; the values were calibrated on the dialect pool, the blind dialects and the negative
examples of the tests (a check-in log read as a ledger scored 3.25; correct readings score 5–30)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Detector:
    header_scan_rows: int = 15  # rows from the top where a header row may start (title rows above it)
    sample_values: int = 120  # non-blank cells of a column looked at to judge its content
    head_rows: int = 600  # rows read once per column for every candidate header row (5 × sample_values)
    close_call: float = 2.0  # a winner ahead of the runner-up by less than this is reported as a close call
    min_fit: dict[str, float] = field(default_factory=lambda: {"text": 0.0, "branch": 0.0})
    default_min_fit: float = 0.3  # a header-matched column whose cells fit its content less is not taken
    infer_fit: dict[str, float] = field(default_factory=lambda: {"branch": 0.6})
    default_infer_fit: float = 0.8  # a column found by its content alone must fit at least this well
    strong_reading: float = 10.0  # a reading scoring this much is not doubted for a word in a title
    other_year_share: float = 0.5  # a sheet whose dated rows fall in another year more often is set aside
    special_gap_days: int = 4  # records of one 特辑 title this many days apart belong to different weeks

    def min_fit_of(self, content: str) -> float:
        return self.min_fit.get(content, self.default_min_fit)

    def infer_fit_of(self, content: str) -> float:
        return self.infer_fit.get(content, self.default_infer_fit)


DETECTOR = Detector()
