"""The yearly run: ingest when needed, compute the catalogue, execute every notebook, write the
workbook, the summary document, HTML copies and the manifest — into a staging folder that replaces
reports/<Y> only when everything succeeded. Unchanged steps are skipped (manifest of input hashes)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from analysis import __version__, codegraph
from analysis.common import faults, formatting, paths
from analysis.common.config import load_config
from analysis.common.errors import AnalysisError, GapsFound
from analysis.common.paths import (
    BULLETIN_DIR,
    FAILED_NOTEBOOKS_SUFFIX,
    FIGURES_DIR,
    INDICATORS_JSON,
    INDICATORS_XLSX,
    MANIFEST,
    NOTEBOOKS_OUT_DIR,
    REJECTED_ROWS,
    SECTIONS_DIR,
    SUMMARY_DOCX,
)
from analysis.ingest.pipeline import config_fingerprint, raw_files
from analysis.ingest.summary import accounting_line
from analysis.processed.completeness import gate_message
from analysis.processed.workspace import PROCESSED_WHO, raw_fingerprint, recover_leftovers, refuse_read_only
from analysis.report import notebook_runner as nbs
from analysis.report.context import STAGING_ENV, YearContext, build_context
from analysis.report.workbook import write_workbook
from analysis.safety import folders, locks, processes, safe_io
from analysis.safety.audit import audit, format_findings

# What a run cut short (killed, power lost) leaves next to reports/<Y>: removed by the next run.
REPORT_LEFTOVERS = (".staging", ".old")
CHILD_INGEST_BYTES = 20 * 1024 * 1024  # larger raw folders are ingested in a child process
LOCK_WAIT_SECONDS = 600
HEADLINE_KEYS = ["org.members", "act.count", "act.volunteer_hours", "study.member_rate", "rec.new_members"]
PACKAGES = [
    "pandas",
    "pandera",
    "pyarrow",
    "matplotlib",
    "papermill",
    "python-calamine",
    "openpyxl",
    "python-docx",
]


def _digest(*parts: Any) -> str:
    return hashlib.sha256(
        json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def _frame_digest(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()


@dataclass
class StepLog:
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)

    def record(self, name: str, key: str, status: str, seconds: float) -> None:
        self.steps[name] = {"key": key, "status": status, "seconds": round(seconds, 3)}


def report_code(notebooks: list[nbs.Notebook]) -> str:
    """Fingerprint of the code a run executes: the run's own import graph and the modules the notebooks
    import (their sources are keyed separately)."""
    roots = set(codegraph.REPORT)
    for nb in notebooks:
        roots |= codegraph.notebook_imports(nb.path)
    return codegraph.code_fingerprint(sorted(roots))


def _previous_manifest(reports: Path) -> dict[str, Any]:
    try:
        return json.loads((reports / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _parameters(ctx: YearContext) -> dict[str, Any]:
    """The notebooks' parameters: the year's real folders (outputs are redirected to the staging folder
    through STAGING_ENV, so an executed notebook re-run later in JupyterLab writes to the real report)."""
    yp = ctx.paths
    return {
        "year": str(yp.year),
        "raw_dir": str(yp.raw),
        "processed_dir": str(yp.processed),
        "reports_dir": str(yp.reports),
        "config_path": str(yp.config),
    }


def _forget_outputs(staging: Path, nb: nbs.Notebook) -> None:
    """Before a notebook runs again, remove what it wrote last time (its section and its figures)."""
    section = staging / SECTIONS_DIR / f"{nb.name}.json"
    if not section.is_file():
        return
    for item in json.loads(section.read_text(encoding="utf-8")).get("items", []):
        if item.get("type") == "figure":
            for suffix in (".png", ".svg"):
                (staging / FIGURES_DIR / f"{item['name']}{suffix}").unlink(missing_ok=True)
    section.unlink()


def _notebook_key(nb: nbs.Notebook, ctx: YearContext, code: str) -> str:
    cat = ctx.catalogue
    parts = nbs.depends_on(nb, list(cat.tables) + list(cat.headline) + list(cat.previous))
    tables = {n: _frame_digest(cat.tables[n]) for n in parts if n in cat.tables}
    head = {
        n: (cat.headline.get(n), cat.previous.get(n)) for n in parts if n in cat.headline or n in cat.previous
    }
    yp = ctx.paths
    return _digest(
        nb.source_hash(),
        code,
        str(yp.raw),
        str(yp.processed),
        str(yp.config),
        tables,
        head,
        cat.targets.__dict__,
    )


def run_year(
    yp: paths.YearPaths, force: bool = False, console: Console | None = None, allow_gaps: bool = False
) -> int:
    """``python -m analysis run``: returns the exit code (0 on success).

    Every folder is checked before anything is written (folders.py); the report is built in a staging
    folder next to reports/<Y> and swapped in only when complete."""
    console = console or Console()
    prev_paths = yp.previous()
    folders.check_raw_folder(yp.raw, yp.year, flag_given=True)
    folders.check_folders(yp, prev_paths, reports=True)
    if not raw_files(yp.raw):
        raise AnalysisError(
            f"{yp.raw} 中没有找到导出文件（xlsx、xls、csv）",
            hint=f"请把 {yp.year} 年的导出文件放到该文件夹（文件名不限）后再运行。",
        )
    refuse_read_only(yp.reports.parent, "报告所在的文件夹", "--reports")
    with contextlib.ExitStack() as held:
        # the reports folder's lock, then each processed folder's (in one order: no two runs deadlock);
        # the processed folders stay locked while the notebooks read them
        held.enter_context(locks.folder_lock(yp.reports, "报告生成任务", console.print, LOCK_WAIT_SECONDS))
        recover_leftovers(yp.reports, REPORT_LEFTOVERS)  # no other run is using them: we hold the lock
        processed = [yp.processed] + ([prev_paths.processed] if prev_paths is not None else [])
        for folder in sorted(processed, key=lambda p: str(p.resolve())):
            held.enter_context(
                locks.folder_lock(folder, PROCESSED_WHO, console.print, LOCK_WAIT_SECONDS, tidy=True)
            )
        return _run_locked(yp, prev_paths, force, console, allow_gaps)


def _run_locked(
    yp: paths.YearPaths, prev_paths: paths.YearPaths | None, force: bool, console: Console, allow_gaps: bool
) -> int:
    started = time.perf_counter()
    log = StepLog()
    inputs_before = {str(yp.year): raw_fingerprint(yp.raw)}
    if prev_paths is not None:
        inputs_before[str(prev_paths.year)] = raw_fingerprint(prev_paths.raw)
    notebooks = nbs.report_notebooks()
    code = report_code(notebooks)
    total_steps = 3 + len(notebooks)
    previous = {} if force else _previous_manifest(yp.reports)
    old_steps = previous.get("steps", {})

    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress,
        contextlib.ExitStack() as workers,
    ):
        task = progress.add_task("导入数据并计算指标…", total=total_steps)
        t0 = time.perf_counter()
        raw_bytes = sum(f["bytes"] for files in inputs_before.values() for f in files)
        # A town-sized year: the notebook workers start (and their kernels import) on the second core
        # while this process ingests; a county-sized one keeps that memory for the ingest.
        prestart = raw_bytes <= CHILD_INGEST_BYTES and not _likely_unchanged(
            previous, code, inputs_before, yp
        )
        staging = yp.reports.parent / f".{yp.reports.name}.staging"
        redirect = {STAGING_ENV: f"{yp.reports}{os.pathsep}{staging}"}  # set here too, further down
        pool = workers.enter_context(nbs.started_workers(paths.ROOT, prestart, redirect))
        if raw_bytes > CHILD_INGEST_BYTES:
            _prepare_in_child(yp, force)  # the ingest's memory is given back before the notebooks start
            force = False
        ctx = build_context(yp, force=force)
        log.record("ingest+catalogue", ctx.catalogue_fingerprint, "ran", time.perf_counter() - t0)
        progress.advance(task)
        if ctx.catalogue.assessment.blocking and not allow_gaps:
            raise GapsFound(gate_message(ctx.catalogue.assessment))  # the gate: nothing is published

        indicators_key = _digest(ctx.catalogue_fingerprint, code)
        keys = {f"notebook:{nb.name}": _notebook_key(nb, ctx, code) for nb in notebooks}
        complete = (yp.reports / MANIFEST).is_file() and all(
            (yp.reports / p).exists() for p in (INDICATORS_JSON, INDICATORS_XLSX, SUMMARY_DOCX)
        )
        unchanged = (
            complete
            and old_steps.get("indicators", {}).get("key") == indicators_key
            and all(old_steps.get(k, {}).get("key") == v for k, v in keys.items())
        )
        if unchanged and previous.get("package_sha256") == code:
            progress.update(task, completed=total_steps)
            for name, step in old_steps.items():
                log.record(name, step["key"], "skipped", 0.0)
            _finish(ctx, console, time.perf_counter() - started, skipped=True)
            return 0

        _refuse_to_replace(yp.reports)
        faults.remove_tree(staging)
        reuse = complete and not force and previous.get("package_sha256") == code
        os.environ.update(redirect)
        try:
            with faults.writing(staging):
                if reuse:  # start from the last report: steps whose inputs did not change keep their outputs
                    shutil.copytree(yp.reports, staging, ignore=shutil.ignore_patterns("~$*"))
                else:
                    staging.mkdir(parents=True)
                    if (yp.reports / BULLETIN_DIR).is_dir():  # the bulletins are not the run's to remove
                        shutil.copytree(yp.reports / BULLETIN_DIR, staging / BULLETIN_DIR)
            t0 = time.perf_counter()
            if reuse and old_steps.get("indicators", {}).get("key") == indicators_key:
                log.record("indicators", indicators_key, "skipped", 0.0)
            else:
                doc = ctx.catalogue.indicators_json()
                with faults.writing(staging):
                    safe_io.atomic_write_text(
                        staging / INDICATORS_JSON, json.dumps(doc, ensure_ascii=False, indent=2)
                    )
                    write_workbook(ctx.catalogue, staging / INDICATORS_XLSX, members=ctx.tables.members)
                log.record("indicators", indicators_key, "ran", time.perf_counter() - t0)
            progress.advance(task)

            params = _parameters(ctx)
            jobs = []
            for nb in notebooks:
                name = f"notebook:{nb.name}"
                out = staging / NOTEBOOKS_OUT_DIR / nb.path.name
                if reuse and old_steps.get(name, {}).get("key") == keys[name] and out.is_file():
                    log.record(name, keys[name], "skipped", 0.0)
                    progress.advance(task)
                    continue
                nbs.check_parameters(nb, params)
                _forget_outputs(staging, nb)
                jobs.append(nbs.Job(nb, out, yp.reports / NOTEBOOKS_OUT_DIR / nb.path.name))
            if jobs:
                progress.update(task, description=f"运行分析笔记本（{len(jobs)} 个）…")

            def done(job: nbs.Job, seconds: float) -> None:
                log.record(f"notebook:{job.nb.name}", keys[f"notebook:{job.nb.name}"], "ran", seconds)
                progress.advance(task)

            try:
                with faults.writing(staging), workers:  # the workers end with the notebooks
                    nbs.run_jobs(jobs, params, paths.ROOT, done, pool=pool)
            except nbs.NotebookFailed as failed:
                fault = faults.fault_from_text(failed.detail)  # the disk filled up under the kernel
                if fault is not None:
                    raise fault from None
                raise _keep_failed(failed, yp.reports) from None

            progress.update(task, description="生成年度总结草稿…")
            t0 = time.perf_counter()
            from analysis.report.summary_doc import build_summary

            with faults.writing(staging):
                build_summary(ctx, staging, staging / SUMMARY_DOCX)
            log.record("summary", _digest(code, ctx.catalogue_fingerprint), "ran", time.perf_counter() - t0)
            progress.advance(task)

            findings = audit(staging)
            if findings:
                raise AnalysisError(
                    "报告文件中发现完整的身份证号或手机号码，已停止发布：\n" + format_findings(findings),
                    hint="请检查原始数据中备注等自由文本列，或联系维护人员。",
                )
            inputs_after = {str(yp.year): raw_fingerprint(yp.raw)}
            if prev_paths is not None:
                inputs_after[str(prev_paths.year)] = raw_fingerprint(prev_paths.raw)
            if inputs_after != inputs_before:
                raise AnalysisError("运行期间原始数据文件发生了变化", hint="请在导出文件不再变动时重新运行。")
            manifest = _manifest(ctx, log, code, inputs_before, started)
            with faults.writing(staging):
                safe_io.atomic_write_text(
                    staging / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2)
                )
            _publish(staging, yp.reports)
        except BaseException:
            faults.remove_tree(staging)
            raise
        finally:
            os.environ.pop(STAGING_ENV, None)
    _finish(ctx, console, time.perf_counter() - started, skipped=False)
    return 0


def _prepare(yp: paths.YearPaths, force: bool) -> None:
    build_context(yp, force=force)


def _prepare_in_child(yp: paths.YearPaths, force: bool) -> None:
    """Ingest both years and compute the catalogue in a spawned process (same result, memory freed).
    The child watches this process and is stopped with it (processes.py)."""
    with processes.worker_pool(1) as pool:
        with processes.signals_blocked():
            future = pool.submit(_prepare, yp, force)
        future.result()


def _refuse_to_replace(reports: Path) -> None:
    """A published report the analyst made read-only, or one open in Excel or Word, is never replaced."""
    frozen = faults.read_only_inside(reports) if reports.exists() else None
    if frozen is not None:
        raise AnalysisError(
            f"报告文件夹 {reports} 已设为只读（{frozen}），程序不会替换已发布的报告",
            hint="如需重新生成，请先取消该文件夹及其中文件的只读属性，或用 --reports 指定另一个文件夹。",
        )
    locked = faults.locked_file(reports)
    if locked is not None:
        raise AnalysisError(
            f"报告文件 {locked} 正被其他程序打开，无法替换",
            hint="请先在 Excel、WPS 或 Word 中关闭该文件，再重新运行；之前的报告保持不变。",
        )


def _keep_failed(failed: nbs.NotebookFailed, reports: Path) -> AnalysisError:
    """Keep the failed notebook next to the report for the analyst to open; the error says where."""
    kept = reports.parent / f"{reports.name}{FAILED_NOTEBOOKS_SUFFIX}" / failed.nb.path.name
    try:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(failed.output, kept)
    except OSError:
        return AnalysisError(failed.message)
    return failed.saved_at(kept)


def _publish(staging: Path, reports: Path) -> None:
    """Swap the finished staging folder into place; the old report is removed only afterwards, and put
    back if the swap fails half-way (a file held open on Windows, a permission) — the previous report
    stays readable whatever happens."""
    old = reports.parent / f".{reports.name}.old"
    faults.remove_tree(old)
    with faults.writing(reports):
        if reports.exists():
            os.replace(reports, old)
        try:
            os.replace(staging, reports)
        except BaseException:
            if old.exists() and not reports.exists():
                os.replace(old, reports)
            raise
    faults.remove_tree(old)
    faults.remove_tree(reports.parent / f"{reports.name}{FAILED_NOTEBOOKS_SUFFIX}")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "tuanwei-analysis": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def _likely_unchanged(
    previous: dict[str, Any], code: str, inputs: dict[str, Any], yp: paths.YearPaths
) -> bool:
    """The last run had the same code, raw files and configuration: its steps will most likely all be
    skipped (the run then starts no notebook workers ahead)."""
    if not previous or previous.get("package_sha256") != code or previous.get("raw_inputs") != inputs:
        return False
    try:
        return previous.get("config", {}).get("sha256") == config_fingerprint(load_config(yp.config))
    except AnalysisError:
        return False


def _manifest(
    ctx: YearContext, log: StepLog, code: str, inputs: dict[str, Any], started: float
) -> dict[str, Any]:
    yp = ctx.paths
    return {
        "year": yp.year,
        "town": ctx.config.town,
        "versions": _versions(),
        "package_sha256": code,
        "config": {"path": str(yp.config), "sha256": config_fingerprint(ctx.config)},
        "raw_inputs": inputs,
        "catalogue_fingerprint": ctx.catalogue_fingerprint,
        "parameters": _parameters(ctx),
        "steps": log.steps,
        "seconds": round(time.perf_counter() - started, 3),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _finish(ctx: YearContext, console: Console, seconds: float, skipped: bool) -> None:
    yp = ctx.paths
    cat = ctx.catalogue
    folder = yp.reports / FIGURES_DIR
    figures = sorted(folder.glob("*.png")) if folder.is_dir() else []
    parts = []
    for key in HEADLINE_KEYS:
        if key in cat.headline:
            ki = cat.info(key)
            parts.append(f"{ki.label} {ki.format(cat.headline[key])}{ki.unit}")
    report = ctx.tables.report
    warnings = int(report.get("warnings", 0))
    rejected = int(report.get("totals", {}).get("rejected", 0))
    failed = len(report.get("failed_files", [])) + len(report.get("unknown_sheets", []))
    state = "（内容无变化，已跳过全部步骤）" if skipped else ""
    gaps = cat.assessment.blocking
    done = "[bold yellow]完成（草稿：数据不完整）[/]" if gaps else "[bold green]完成[/]"
    console.print(
        f"{done}{state}：{cat.town} {yp.year} 年报告已生成于 {yp.reports}（{len(figures)} 张图表、{SUMMARY_DOCX}、{INDICATORS_XLSX}），用时 {formatting.number(round(seconds, 1))} 秒。"
    )
    if parts:
        console.print("主要数据：" + "；".join(parts) + "。")
    t = report.get("totals", {})
    if t:
        console.print("导入：" + accounting_line(t))
    problems = f"导入警告 {warnings} 条，被拒绝的行 {rejected} 行"
    if failed:
        problems += f"，未能导入的文件或工作表 {failed} 个"
    console.print(f"{problems}；详见 {yp.processed / REJECTED_ROWS}。")
    if gaps:
        console.print(
            f"[yellow]数据有 {len(gaps)} 处严重缺口（--allow-gaps）：{SUMMARY_DOCX} 标题为“草稿（数据不完整）”，"
            f"首页列出缺口；{INDICATORS_XLSX} 的“数据完整性”表有完整清单。[/]"
        )
    elif cat.assessment.warnings:
        console.print(
            f"数据完整性提示 {len(cat.assessment.warnings)} 条，见 {INDICATORS_XLSX} 的“数据完整性”表。"
        )
