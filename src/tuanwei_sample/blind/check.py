"""Write a blind dialect, ingest it as ``python -m analysis ingest`` does, and compare with its truth."""

from __future__ import annotations

import math
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.common import paths, schemas
from analysis.common.config import load_config
from analysis.indicators.catalogue import headline
from analysis.ingest.pipeline import IngestResult, ingest_year
from analysis.processed.completeness import Assessment, assess
from analysis.processed.load import Tables
from tuanwei_sample import build_town
from tuanwei_sample.blind import writers
from tuanwei_sample.truth import expected_indicators


@dataclass
class Outcome:
    name: str
    year: int
    got: dict[str, float]
    want: dict[str, float]
    result: IngestResult
    assessment: Assessment

    @property
    def wrong(self) -> dict[str, tuple[float | None, float | None]]:
        keys = set(self.got) | set(self.want)
        return {
            k: (self.got.get(k), self.want.get(k))
            for k in sorted(keys)
            if k not in self.got
            or k not in self.want
            or not math.isclose(self.got[k], self.want[k], rel_tol=0, abs_tol=1e-9)
        }


def run(name: str, year: int, folder: Path) -> Outcome:
    """Write dialect ``name`` for ``year`` into ``folder/<year>``, ingest it with the sample's town.yml."""
    config = load_config(paths.SAMPLE_CONFIG)
    raw = folder / str(year)
    raw.mkdir(parents=True, exist_ok=True)
    town = writers()[name](build_town(), year, raw)
    result = ingest_year(raw, config, year)
    frames = dict.fromkeys(schemas.TABLES) | result.tables
    tables = Tables(year=year, folder=folder / "processed", frames=frames, report=result.report())
    got = headline(tables, config, year)
    return Outcome(
        name,
        year,
        got,
        expected_indicators(town, year, recoverable=True),
        result,
        assess(tables, config, year, got),
    )


def main(argv: list[str]) -> int:
    names = argv or list(writers())
    bad = 0
    for name in names:
        with tempfile.TemporaryDirectory() as tmp:
            out = run(name, 2022, Path(tmp))
        print(
            f"== {name}: {len(out.want) - len(out.wrong)}/{len(out.want)} right, "
            f"{len(out.assessment.blocking)} serious findings"
        )
        for key, (got, want) in out.wrong.items():
            print(f"   {key}: got {got} want {want}")
        for f in out.assessment.blocking:
            print(f"   SERIOUS [{f.rule}] {f.subject}: {f.message[:160]}")
        for s in out.result.sources:
            print(
                f"   {s.file} | {s.sheet} → {s.kind} read={s.rows_read} kept={s.kept} rej={s.rejected} dup={s.duplicates} score={s.recognition.get('score')}"
            )
        for u in out.result.unknown_sheets:
            print(f"   UNKNOWN {u}")
        bad += bool(out.wrong or out.assessment.blocking)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
