"""Folder safety: before anything is written, every folder a command reads and writes is resolved and
checked, so that no flag combination can overwrite the analyst's raw exports (docs/definitions.md, section 1: "where a
run writes").

A folder that would be written (processed data, reports; last year's processed data) is refused when
it equals, contains or lies inside a raw folder the command reads, when it contains the configuration
file (the folder is replaced as a whole when published), when it overlaps another output folder, or when
it already holds files that are clearly not ours (it would be replaced, and those files lost).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from analysis.common.errors import AnalysisError
from analysis.common.paths import PROCESSED_OUTPUTS, REPORT_OUTPUTS, YearPaths

# What a processed or reports folder of ours holds: a folder without any of these is someone else's.
PROCESSED_MARKERS = set(PROCESSED_OUTPUTS)
REPORTS_MARKERS = set(REPORT_OUTPUTS)


DEFAULTS = {"--processed": "data/processed/{year}", "--reports": "reports/{year}"}


@dataclass(frozen=True)
class Folder:
    label: str  # how the message names it: "2022 年原始数据文件夹", "报告文件夹"
    path: Path
    flag: str = ""  # the option that sets it, for the hint

    @property
    def real(self) -> Path:
        return _real(self.path)


def _real(path: Path) -> Path:
    """The absolute path with symbolic links and ``..`` resolved (case-folded where the file system
    ignores case), so that two spellings of one folder compare equal."""
    resolved = Path(os.path.realpath(path))
    return Path(os.path.normcase(resolved)) if os.name == "nt" else resolved


def _inside(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def _relation(out: Folder, raw: Folder) -> str | None:
    """How an output folder overlaps a raw folder, as a sentence; None when they are apart."""
    o, r = out.real, raw.real
    if o == r:
        return f"{out.label}与 {raw.label}是同一个文件夹（{out.path}）"
    if r in o.parents:
        return f"{out.label} {out.path} 位于 {raw.label} {raw.path} 之内"
    if o in r.parents:
        return f"{out.label} {out.path} 包含了 {raw.label} {raw.path}"
    return None


def check_raw_folder(raw: Path, year: int, flag_given: bool) -> None:
    """--raw must name a folder: a file (a single export) gets its own message."""
    if raw.is_file():
        raise AnalysisError(
            f"原始数据位置 {raw} 是一个文件，而不是文件夹",
            hint=f"请把 {year} 年的全部导出文件放进一个文件夹，再用 --raw 指定该文件夹"
            + ("。" if flag_given else f"（默认为 data/raw/{year}）。"),
        )


def check_folders(yp: YearPaths, previous: YearPaths | None, *, reports: bool) -> None:
    """Refuse (AnalysisError, exit 2) a combination of folders where a write could touch raw data, the
    configuration or another output. Call before anything is created on disk."""
    raws = [Folder(f"{yp.year} 年原始数据文件夹", yp.raw, "--raw")]
    outputs = [Folder("处理后数据文件夹", yp.processed, "--processed")]
    if reports:
        outputs.append(Folder("报告文件夹", yp.reports, "--reports"))
    if previous is not None:
        raws.append(Folder(f"{previous.year} 年原始数据文件夹（用于同比）", previous.raw, "--raw"))
        outputs.append(
            Folder(f"{previous.year} 年处理后数据文件夹（用于同比）", previous.processed, "--processed")
        )

    for out in outputs:
        for raw in raws:
            relation = _relation(out, raw)
            if relation is not None:
                raise AnalysisError(
                    f"{relation}，写入会覆盖原始导出文件，已停止（尚未写入任何内容）",
                    hint=f"程序从不写入原始数据文件夹。请用 {out.flag} 指定原始数据文件夹以外的位置"
                    f"（默认为 {DEFAULTS[out.flag].format(year=yp.year)}）。",
                )
        if _inside(_real(yp.config), out.real):
            raise AnalysisError(
                f"配置文件 {yp.config} 位于 {out.label} {out.path} 之内；该文件夹每次运行都会被整体替换，"
                "配置文件会丢失，已停止（尚未写入任何内容）",
                hint=f"请把配置文件放到其他位置（默认 config/town.yml），或用 {out.flag} 指定另一个文件夹。",
            )
    _check_outputs_apart(outputs)
    for out in outputs:
        markers = REPORTS_MARKERS if out.flag == "--reports" else PROCESSED_MARKERS
        _check_ours(out, markers)


def _check_outputs_apart(outputs: list[Folder]) -> None:
    """Two output folders must not be the same or nested (publishing one would delete the other);
    the only nesting allowed is last year's processed data inside this year's processed folder."""
    for i, a in enumerate(outputs):
        for b in outputs[i + 1 :]:
            if a.flag == b.flag == "--processed":
                continue  # Y−1 inside (or next to) Y: the layout paths.YearPaths.previous chose
            if _inside(a.real, b.real) or _inside(b.real, a.real):
                raise AnalysisError(
                    f"{a.label} {a.path} 与 {b.label} {b.path} 重叠，生成报告时其中一个会被另一个覆盖，"
                    "已停止（尚未写入任何内容）",
                    hint="请为 --processed 和 --reports 指定互不包含的两个文件夹。",
                )


def _check_ours(out: Folder, markers: set[str]) -> None:
    """An existing, non-empty output folder must look like one this program wrote: the folder is
    replaced as a whole, and whatever else it holds would be lost."""
    try:
        entries = {p.name for p in out.path.iterdir()} if out.path.is_dir() else set()
    except OSError:
        return  # unreadable: the write itself will report the fault with the path
    entries = {e for e in entries if not e.startswith(".")}
    if not entries or entries & markers:
        return
    shown = "、".join(sorted(entries)[:3]) + ("等" if len(entries) > 3 else "")
    raise AnalysisError(
        f"{out.label} {out.path} 中已有其他文件（{shown}），不是本程序生成的；"
        "该文件夹会被整体替换，为避免丢失这些文件，已停止（尚未写入任何内容）",
        hint=f"请用 {out.flag} 指定一个新的或空的文件夹。",
    )


SAMPLE_MARK = "python -m analysis sample"  # in the first line of the sample's town.yml


def check_sample_folder(out: Path) -> None:
    """``sample --out`` writes town.yml, README.md and year folders of exports: only into a new or empty
    folder or an earlier sample, never over an analyst's configuration or exports."""
    try:
        entries = [p for p in out.iterdir() if not p.name.startswith(".")] if out.is_dir() else []
    except OSError:
        return
    if not entries:
        return
    try:
        head = (out / "town.yml").read_text(encoding="utf-8")[:500]
    except (OSError, UnicodeDecodeError):
        head = ""
    if SAMPLE_MARK not in head:
        raise AnalysisError(
            f"文件夹 {out} 中已有其他文件，不是之前生成的示例数据；写入示例数据会覆盖其中的同名文件，已停止",
            hint="请用 --out 指定一个新的或空的文件夹。",
        )
