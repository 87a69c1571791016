"""A Chinese font for matplotlib on machines without a system CJK font.

The `justmytype-intl-cjk` package ships Noto Sans SC (SIL OFL 1.1) as a variable font whose default
instance is Thin (100); matplotlib would draw every chart with it. On first use we instantiate a static
Regular (400) with fontTools (~11 s), cache it per user, and register it with matplotlib in each process.

Cache layout (``<cache>`` is ``$TUANWEI_CACHE_DIR`` or ``platformdirs.user_cache_dir("tuanwei-analysis")``)::

    <cache>/fonts/noto-sans-sc-regular-<version>-<key>/NotoSansSC-Regular.ttf
    <cache>/fonts/noto-sans-sc-regular-<version>-<key>/OFL.txt
    <cache>/fonts/noto-sans-sc-regular-<version>-<key>.lock

``<key>`` hashes the package version, the source file's size and ``RECIPE_VERSION``. The mtime is left out
on purpose: pip stamps files with the install time, so every new virtualenv would rebuild the same font.

Run ``python -m analysis.charts.fonts`` (or call `prepare`) during set-up so the first report does not pay the
build time; it prints nothing.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import logging
import os
import tempfile
from pathlib import Path

from analysis.common import formatting
from analysis.common.errors import AnalysisError
from analysis.common.paths import cache_dir

__all__ = ["FALLBACK_FAMILIES", "cache_dir", "font_path", "prepare", "register", "source_font_path"]

_log = logging.getLogger(__name__)

SOURCE_PACKAGE = "justmytype-intl-cjk"
SOURCE_MODULE = "justmytype_intl_cjk"
SOURCE_RELPATH = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")
FONT_FILENAME = "NotoSansSC-Regular.ttf"
LICENSE_FILENAME = "OFL.txt"
WEIGHT = 400
# Bump when the way the static font is made changes (axis values, options) to force a rebuild.
RECIPE_VERSION = 1
# Latin fallbacks after the CJK family; DejaVu Sans ships with matplotlib.
FALLBACK_FAMILIES = ("DejaVu Sans",)
LOCK_TIMEOUT_S = 600.0


def source_font_path() -> Path:
    """The variable Noto Sans SC file shipped by `justmytype-intl-cjk`."""
    try:
        root = importlib.resources.files(SOURCE_MODULE)
    except ModuleNotFoundError as exc:
        raise AnalysisError(
            f"未安装中文字体包 {SOURCE_PACKAGE}，图表无法显示中文",
            hint=f"请在项目虚拟环境中运行 pip install {SOURCE_PACKAGE}",
        ) from exc
    path = Path(str(root.joinpath(*SOURCE_RELPATH)))
    if not path.is_file():
        raise AnalysisError(
            f"字体包 {SOURCE_PACKAGE} 中缺少文件 {'/'.join(SOURCE_RELPATH)}",
            hint=f"请重新安装：pip install --force-reinstall {SOURCE_PACKAGE}",
        )
    return path


def _source_version() -> str:
    try:
        return importlib.metadata.version(SOURCE_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _target_dir(source: Path) -> Path:
    version = _source_version()
    token = f"{version}|{source.stat().st_size}|wght={WEIGHT}|recipe={RECIPE_VERSION}"
    key = hashlib.sha256(token.encode()).hexdigest()[:10]
    safe_version = "".join(c if c.isalnum() or c in ".-" else "_" for c in version)
    return cache_dir() / "fonts" / f"noto-sans-sc-regular-{safe_version}-{key}"


def _write_atomic(target: Path, write) -> None:
    """Call ``write(tmp_path)`` on a temp file next to *target*, then move it into place atomically."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a shared TUANWEI_CACHE_DIR must stay readable
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _instantiate(source: Path, target: Path) -> None:
    """Write the static ``wght=WEIGHT`` instance of *source* to *target* (slow: ~11 s)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    with TTFont(source) as varfont:
        static = instancer.instantiateVariableFont(varfont, {"wght": WEIGHT}, updateFontNames=True)
        static.save(target)


def _build(source: Path, folder: Path) -> None:
    license_src = source.with_name(LICENSE_FILENAME)
    if license_src.is_file():
        _write_atomic(folder / LICENSE_FILENAME, lambda tmp: tmp.write_bytes(license_src.read_bytes()))
    _log.info("正在生成中文字体缓存（仅首次，约 10 秒）：%s", folder / FONT_FILENAME)
    # The font goes last: its presence means the folder is complete.
    _write_atomic(folder / FONT_FILENAME, lambda tmp: _instantiate(source, tmp))


def font_path() -> Path:
    """The static Noto Sans SC Regular TTF, built once per install and cached (safe across processes)."""
    source = source_font_path()
    folder = _target_dir(source)
    target = folder / FONT_FILENAME
    if target.is_file():
        return target

    from filelock import FileLock, Timeout

    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder.with_name(folder.name + ".lock")), timeout=LOCK_TIMEOUT_S)
        with lock:
            if not target.is_file():  # another process may have finished while we waited
                _build(source, folder)
    except Timeout as exc:
        raise AnalysisError(
            f"等待另一进程生成中文字体超时（{formatting.number(LOCK_TIMEOUT_S)} 秒）：{folder}",
            hint="请确认没有卡住的分析进程后重试",
        ) from exc
    except OSError as exc:
        raise AnalysisError(
            f"无法写入字体缓存目录 {folder}：{exc}",
            hint="可设置环境变量 TUANWEI_CACHE_DIR 指向一个可写目录",
        ) from exc
    return target


def register() -> str:
    """Make matplotlib draw Chinese with the cached Noto Sans SC Regular; idempotent.

    Adds the font to matplotlib's font manager (once per process), sets ``font.family`` and
    ``font.sans-serif`` to it with Latin fallbacks and turns off the Unicode minus. Call again after
    anything that resets fonts (``seaborn.set_theme``, ``matplotlib.rcdefaults``). Returns the family name.
    """
    import matplotlib as mpl
    from matplotlib import font_manager

    path = str(font_path())
    family = font_manager.FontProperties(fname=path).get_name()
    if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
        found = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        if Path(found).resolve() != Path(path).resolve():
            _log.warning("字体族 %s 解析到了另一个文件 %s（期望 %s）", family, found, path)

    fallbacks = [f for f in FALLBACK_FAMILIES if f != family]
    mpl.rcParams["font.family"] = [family, *fallbacks]
    others = [f for f in mpl.rcParams["font.sans-serif"] if f != family and f not in fallbacks]
    mpl.rcParams["font.sans-serif"] = [family, *fallbacks, *others]
    mpl.rcParams["axes.unicode_minus"] = False
    return family


def prepare() -> Path:
    """Build the font cache if needed (for set-up scripts); prints nothing. Returns the font path."""
    return font_path()


if __name__ == "__main__":
    prepare()
