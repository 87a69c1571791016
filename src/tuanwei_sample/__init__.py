"""The bundled synthetic sample town (示例镇): a deterministic generator of raw exports plus ground truth.

``build_town(seed)`` returns a :class:`SampleTown` holding the truth (canonical branch names, exact dates,
distinct records) and the raw exports laid out from it; ``write_sample(out_dir, seed)`` writes
``out_dir/town.yml`` and ``out_dir/<year>/…``. Same seed, same rows (one ``random.Random(seed)``).
"""

from __future__ import annotations

from pathlib import Path

from tuanwei_sample.build import build_town
from tuanwei_sample.model import (
    Activity,
    ActivityParticipant,
    AidPayment,
    Checkin,
    ExportFile,
    ExportSheet,
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
from tuanwei_sample.writer import town_yaml, write_town

__all__ = [
    "Activity",
    "ActivityParticipant",
    "AidPayment",
    "Checkin",
    "ExportFile",
    "ExportSheet",
    "Person",
    "Rating",
    "Recruit",
    "Review",
    "SampleBranch",
    "SampleTown",
    "StudyPeriod",
    "StudyRecord",
    "Transfer",
    "Youth",
    "build_town",
    "town_yaml",
    "write_sample",
]


def write_sample(out_dir: Path, seed: int = 2022) -> list[Path]:
    """Write the sample town (town.yml and the raw exports of each year) into ``out_dir``."""
    return write_town(build_town(seed), Path(out_dir), with_examples=True)
