"""The per-file part of an ingest kept between runs, so that a new period's export costs one file.

What one raw file gives the ingest — its sheets recognised and cleaned into rows (pipeline ``_Run``: the
per-sheet accounting, the cleaned rows of each sheet, the rejected rows and warnings, the sheets skipped or
set aside, the branch texts not recognised) — depends on nothing but the file's bytes, its name (names
carry context: a branch, a period, a year), the configuration, the ingest code and the year. It is kept
under the processed folder (``ingest_cache/<key>/``: ``piece.json`` and one parquet file per sheet) with
all of these in its key. A later ingest replays the pieces of unchanged files into its ``_Run`` exactly
as reading them would have, and reads only the others; the cross-file assembly (roster de-duplication,
matching, duplicates across files, validation) always runs again on all of them.

Never trusted: an entry is used only when it parses, its key and every part's size and sha256 agree;
anything else is ignored and the file read again. Kept only when exact and private: a file's piece is
stored only when it reads back identical (parquet and JSON round trips checked when it is made) and when
the scrub of the processed folder would change nothing in it (so it holds no full ID or phone number);
files that failed to read, or whose name-and-branch-only list waits for the other files (the deferred
roster), are read every time. The new entries are written into the new processed folder and audited
like it; entries of files no longer present are not carried over (evicted with the old folder).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.common.paths import INGEST_CACHE_DIR

DIR_NAME = INGEST_CACHE_DIR  # inside the processed folder (data/processed/<Y>/ingest_cache/)
PIECE = "piece.json"
FORMAT = 1
# _Run's lists of one file's findings, replayed in order
LISTS = ("failures", "unknown_sheets", "summary_sheets", "set_aside", "unsure", "lookup")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _to_parquet(frame: pd.DataFrame) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=True), sink)
    return sink.getvalue()


def _from_parquet(data: bytes) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(io.BytesIO(data)).to_pandas()


# privacy.py's pseudonymous keys (p_4921212057695524): a key whose 16 hex digits happen to be digits only is
# not an identifier, whatever the long-digit mask of the processed tables makes of it
_KEY = re.compile(r"(?<![0-9A-Za-z])[a-z][a-z0-9]{0,7}_[0-9a-f]{16}(?![0-9a-f])")


def _private(frame: pd.DataFrame) -> bool:
    """No text cell the processed folder's scrub (processed_folder.private_table) would change, the
    pseudonymous keys apart."""
    from analysis.processed import processed_folder
    from analysis.safety import privacy

    for column in frame.columns:
        values = frame[column]
        if not (pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)):
            continue
        text = values.astype("str")
        suspect = text[text.str.contains(r"[0-9\uff10-\uff19]{11}", regex=True, na=False)]
        if suspect.empty:
            continue
        keep_long = column in processed_folder.NAME_COLUMNS or column in processed_folder.CODE_COLUMNS
        scrub = privacy.scrub_stored_text if keep_long else privacy.scrub_shown
        for value in suspect.map(lambda v: _KEY.sub(" ", v)):
            if scrub(value) != value:
                return False
    return True


@dataclass
class Piece:
    """One file's reading, ready to store: the JSON part and the parquet bytes of each sheet's rows."""

    key: str
    text: str  # piece.json
    parts: list[bytes]


@dataclass
class _Mark:
    """Where a file's reading starts in ``_Run``'s lists."""

    sources: int
    batches: dict[str, int]
    lists: dict[str, int]
    rejected: int
    warnings: int
    deferred: int
    unknown: dict[str, str | None]


@dataclass
class FileCache:
    """The cache of one processed folder for one ingest: looks entries up, records new ones."""

    folder: Path  # <processed>/ingest_cache (read from; the new processed folder gets its own)
    context: dict[str, Any]  # what every key holds besides the file: config, code, year, limits
    new: list[Piece] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)  # keys of entries used (carried over)
    read: list[str] = field(default_factory=list)  # names of the files read this time
    cached: list[str] = field(default_factory=list)  # names of the files taken from the cache

    def key(self, name: str, sha256: str) -> str:
        text = json.dumps({"format": FORMAT, "file": name, "sha256": sha256, **self.context}, sort_keys=True)
        return _sha(text.encode())

    # -- a file from the cache --------------------------------------------------------------------
    def replay(self, run: Any, name: str, sha256: str, report: Callable[..., Any]) -> bool:
        """Append the stored reading of ``name`` to ``run`` as reading it would (``report``: pipeline's
        SourceReport); False (nothing appended) when there is no usable entry."""
        key = self.key(name, sha256)
        loaded = self._load(key)
        if loaded is None:
            return False
        meta, frames = loaded
        base = len(run.sources)
        for i, (entry, frame) in enumerate(zip(meta["sources"], frames, strict=True)):
            run.sources.append(report(**entry["report"]))
            run.batches.setdefault(entry["table"], []).append(frame.assign(_src=base + i))
        for name_ in LISTS:
            getattr(run, name_).extend(meta["lists"][name_])
        run.ctx.rejected.extend(meta["rejected"])
        run.ctx.warnings.extend(meta["warnings"])
        for text, suggestion in meta["unknown"]:
            run.ctx.resolver.unknown.setdefault(text, suggestion)
        self.reused.append(key)
        self.cached.append(name)
        return True

    def _load(self, key: str) -> tuple[dict[str, Any], list[pd.DataFrame]] | None:
        folder = self.folder / key
        try:
            meta = json.loads((folder / PIECE).read_bytes())
            if meta.get("format") != FORMAT or meta.get("key_sha256") != key:
                return None
            frames = []
            for i, part in enumerate(meta["parts_sha256"]):
                data = (folder / f"{i}.parquet").read_bytes()
                if _sha(data) != part:
                    return None
                frames.append(_from_parquet(data))
            if len(frames) != len(meta["sources"]):
                return None
            return meta, frames
        except Exception:  # missing, truncated, corrupt, of another format: read the file again
            return None

    # -- a file read ------------------------------------------------------------------------------
    def mark(self, run: Any) -> _Mark:
        """Before a file is read: where its findings will start (the resolver's unknown branch texts are
        collected apart, so that the file's own are known even when another file had them first)."""
        unknown = run.ctx.resolver.unknown
        run.ctx.resolver.unknown = {}
        return _Mark(
            sources=len(run.sources),
            batches={t: len(f) for t, f in run.batches.items()},
            lists={n: len(getattr(run, n)) for n in LISTS},
            rejected=len(run.ctx.rejected),
            warnings=len(run.ctx.warnings),
            deferred=len(run.deferred),
            unknown=unknown,
        )

    def record(self, run: Any, name: str, sha256: str, mark: _Mark) -> None:
        """After a file is read: its unknown branch texts merged back, and its reading kept as a new entry
        when it can be stored exactly and privately."""
        own = run.ctx.resolver.unknown
        run.ctx.resolver.unknown = mark.unknown
        for text, suggestion in own.items():
            run.ctx.resolver.unknown.setdefault(text, suggestion)
        self.read.append(name)
        try:
            piece = self._piece(run, name, sha256, mark, own)
        except Exception:  # whatever cannot be stored exactly is simply read again next time
            piece = None
        if piece is not None:
            self.new.append(piece)

    def _piece(
        self, run: Any, name: str, sha256: str, mark: _Mark, own: dict[str, str | None]
    ) -> Piece | None:
        from analysis.processed import processed_folder

        lists = {n: getattr(run, n)[mark.lists[n] :] for n in LISTS}
        if lists["failures"] or len(run.deferred) != mark.deferred:
            return None  # a file not read (it may be fixed, or readable next time), a deferred roster
        sources = run.sources[mark.sources :]
        vocab = run.ctx.config.vocabulary
        pending = {t: list(f[mark.batches.get(t, 0) :]) for t, f in run.batches.items()}
        entries, parts = [], []
        for report in sources:
            table = vocab.kinds[report.kind].table
            frame = pending[table].pop(0)
            if list(frame.columns)[-1:] != ["_src"]:
                return None
            frame = frame.drop(columns="_src")
            if not _private(frame):
                return None  # an identifier the scrub would mask: never stored
            data = _to_parquet(frame)
            pd.testing.assert_frame_equal(_from_parquet(data), frame, check_exact=True)
            entries.append({"table": table, "report": dataclasses.asdict(report)})
            parts.append(data)
        if any(pending.values()):
            return None
        key = self.key(name, sha256)
        meta = {
            "format": FORMAT,
            "key_sha256": key,
            "sources": entries,
            "lists": lists,
            "rejected": run.ctx.rejected[mark.rejected :],
            "warnings": run.ctx.warnings[mark.warnings :],
            "unknown": [[k, v] for k, v in own.items()],
            "parts_sha256": [_sha(p) for p in parts],
        }
        text = json.dumps(meta, ensure_ascii=False)  # now: the run's reports change in the assembly
        if json.loads(text) != meta:
            return None  # tuples, non-string keys, NaN …: would not read back the same
        if processed_folder.private_report(meta) != meta:
            return None
        return Piece(key, text, parts)

    # -- writing ----------------------------------------------------------------------------------
    def save(self, new_folder: Path) -> None:
        """Into the new processed folder (``<tmp>/``, before it replaces the old): the new entries, each
        audited (one with a full identifier is dropped), and the entries this ingest used, carried over
        from the old folder (hard links where possible). Whatever fails here only costs a re-read."""
        from analysis.safety import safe_io
        from analysis.safety.audit import audit

        target = Path(new_folder) / DIR_NAME
        try:
            target.mkdir(exist_ok=True)
            for piece in self.new:
                entry = target / piece.key
                entry.mkdir(exist_ok=True)
                for i, data in enumerate(piece.parts):
                    safe_io.atomic_write_bytes(entry / f"{i}.parquet", data)
                safe_io.atomic_write_text(entry / PIECE, piece.text)  # last: an entry without it is none
                if audit(entry):
                    shutil.rmtree(entry, ignore_errors=True)
            for key in self.reused:
                _carry(self.folder / key, target / key)
        except Exception:
            shutil.rmtree(target, ignore_errors=True)


def _carry(old: Path, new: Path) -> None:
    if new.exists() or not old.is_dir():
        return
    new.mkdir()
    for file in old.iterdir():
        try:
            os.link(file, new / file.name)
        except OSError:
            shutil.copy2(file, new / file.name)


def summary_line(cache: FileCache | None) -> str | None:
    """读取 1 个文件，其余 21 个未变化（沿用上次的读取结果） — None when nothing came from the cache."""
    if cache is None or not cache.cached:
        return None
    return f"读取 {len(cache.read)} 个文件，其余 {len(cache.cached)} 个未变化（沿用上次的读取结果）"
