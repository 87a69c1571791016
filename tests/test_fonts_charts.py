"""Chinese font cache and report chart style.

The real font is built once in the user cache (~11 s on first run, then cached); the cache-logic tests
use a temporary TUANWEI_CACHE_DIR and a fake, fast instantiation.
"""

from __future__ import annotations

import io
import itertools
import multiprocessing
import os
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from analysis.charts import fonts
from analysis.common.config import default_section_labels

REPORT_CHARACTERS = (
    "团支部青年大学习参学率 0123456789 95.5% 政治建设·思想引领 （全年） 2021—2022 “优秀” ≥90% 3×2"
)


@pytest.fixture(scope="session")
def charts() -> ModuleType:
    """The charts package on the Agg backend (its import applies the style and builds the font once)."""
    matplotlib.use("agg")
    from analysis import charts as charts_module

    return charts_module


@pytest.fixture
def plt(charts: ModuleType) -> Iterator[ModuleType]:
    import matplotlib.pyplot as pyplot

    yield pyplot
    pyplot.close("all")


# --- the font ----------------------------------------------------------------------------------------


def test_font_is_a_static_regular_noto_sans_sc(charts: ModuleType) -> None:
    path = fonts.font_path()
    with TTFont(path, lazy=True) as font:
        assert "fvar" not in font, "the cached font must be a static instance, not the variable font"
        assert font["OS/2"].usWeightClass == 400
        assert font["name"].getDebugName(1) == "Noto Sans SC"
    entry = matplotlib.font_manager.ttfFontProperty(matplotlib.font_manager.get_font(path))
    assert (entry.name, entry.weight, entry.style) == ("Noto Sans SC", 400, "normal")
    assert (path.parent / "OFL.txt").read_text(encoding="utf-8").find("SIL OPEN FONT LICENSE") >= 0


def test_register_sets_family_with_fallback_and_is_idempotent(charts: ModuleType) -> None:
    fm = matplotlib.font_manager
    family = fonts.register()
    assert family == "Noto Sans SC"
    path = str(fonts.font_path())
    entries_before = sum(entry.fname == path for entry in fm.fontManager.ttflist)
    assert fonts.register() == family
    assert sum(entry.fname == path for entry in fm.fontManager.ttflist) == entries_before >= 1

    rc = matplotlib.rcParams
    assert rc["font.family"][0] == family and "DejaVu Sans" in rc["font.family"]
    assert rc["font.sans-serif"][0] == family
    assert rc["axes.unicode_minus"] is False
    resolved = fm.findfont(fm.FontProperties(family=rc["font.family"]), fallback_to_default=False)
    assert Path(resolved) == fonts.font_path()


def test_apply_style_restores_fonts_after_a_reset(charts: ModuleType) -> None:
    matplotlib.rcdefaults()  # what seaborn.set_theme does to fonts, and more
    try:
        assert matplotlib.rcParams["font.family"] == ["sans-serif"]
        assert charts.apply_style() == "Noto Sans SC"
        assert matplotlib.rcParams["font.family"][0] == "Noto Sans SC"
        assert matplotlib.rcParams["axes.spines.top"] is False
    finally:
        charts.apply_style()


def test_prepare_prints_nothing(charts: ModuleType, capfd: pytest.CaptureFixture[str]) -> None:
    assert fonts.prepare() == fonts.font_path()
    assert capfd.readouterr() == ("", "")


def test_font_covers_every_character_class_of_the_report(charts: ModuleType) -> None:
    with TTFont(fonts.font_path(), lazy=True) as font:
        cmap = font.getBestCmap()
    missing = [c for c in REPORT_CHARACTERS if ord(c) not in cmap]
    assert not missing, f"Noto Sans SC lacks {missing}"


# --- rendering ---------------------------------------------------------------------------------------


def _render_png(fig) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def test_demo_figure_renders_without_missing_glyphs(charts: ModuleType, plt) -> None:
    fig = charts.demo_figure()
    assert _render_png(fig).startswith(b"\x89PNG")
    fm = matplotlib.font_manager
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text() and t.get_visible()]
    assert any("团支部" in t.get_text() for t in texts)
    for text in texts:
        assert Path(fm.findfont(text.get_fontproperties())) == fonts.font_path(), text.get_text()


def test_report_characters_render_without_missing_glyphs(charts: ModuleType, plt) -> None:
    fig, ax = charts.new_figure(4)
    ax.set_title(REPORT_CHARACTERS[:24])
    ax.set_xlabel(REPORT_CHARACTERS[24:])
    ax.text(0.5, 0.5, REPORT_CHARACTERS, ha="center")
    ax.plot([-1, 0, 1], [-2, 0, 2])  # negative tick labels: ASCII hyphen, not U+2212
    _render_png(fig)


def test_demo_labels_are_inside_the_figure_and_do_not_overlap(charts: ModuleType, plt) -> None:
    fig = charts.demo_figure()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = fig.axes
    figure_box = fig.bbox
    bar_labels = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(bar_labels) == 12
    target_labels = [
        label.get_window_extent(renderer)
        for child in ax.child_axes
        for label in child.get_xticklabels()
        if label.get_text()
    ]
    assert len(target_labels) == 1
    title = ax.title.get_window_extent(renderer)
    tick_labels = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
    for box in [*bar_labels, *target_labels, title, *tick_labels]:
        assert figure_box.x0 <= box.x0 and box.x1 <= figure_box.x1, box
        assert figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1, box
    # value labels end inside the plot area, never on top of each other, the title or the target label
    assert all(box.x1 <= ax.bbox.x1 + 1 for box in bar_labels)
    others = [*target_labels, title]
    for i, box in enumerate(bar_labels):
        assert not any(box.overlaps(other) for other in [*bar_labels[i + 1 :], *others])
    assert not target_labels[0].overlaps(title)
    assert not any(a.overlaps(b) for i, a in enumerate(tick_labels) for b in tick_labels[i + 1 :])


def test_save_writes_png_at_column_width_and_self_contained_svg(
    charts: ModuleType, plt, tmp_path: Path
) -> None:
    fig = charts.demo_figure()
    paths = charts.save(fig, tmp_path, "01_demo_youth_study")
    assert paths == {
        "png": tmp_path / "figures" / "01_demo_youth_study.png",
        "svg": tmp_path / "figures" / "01_demo_youth_study.svg",
    }
    assert not plt.fignum_exists(fig.number), "save() must close the figure"
    with Image.open(paths["png"]) as image:
        width, _ = image.size
        dpi = image.info["dpi"][0]
    expected = charts.COLUMN_WIDTH_CM / 2.54 * 300  # ≈ 1890 px
    assert abs(width - expected) <= 0.1 * expected
    assert dpi == pytest.approx(300, abs=1)
    root = ET.parse(paths["svg"]).getroot()
    assert root.tag.endswith("svg")
    assert not list(root.iter("{http://www.w3.org/2000/svg}text")), "SVG text must be drawn as paths"
    assert "@font-face" not in paths["svg"].read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "name",
    ["1_demo", "001_demo", "01-demo", "01_Demo", "01_", "01_图表", "../01_demo", "01_demo.png", "01_demo\n"],
)
def test_save_rejects_bad_names(charts: ModuleType, plt, tmp_path: Path, name: str) -> None:
    fig, _ = charts.new_figure()
    with pytest.raises(ValueError, match="图表文件名"):
        charts.save(fig, tmp_path, name)
    assert not (tmp_path / "figures").exists()


def test_figsize_and_section_palette(charts: ModuleType) -> None:
    assert charts.figsize() == pytest.approx((16 / 2.54, 9.6 / 2.54))
    assert charts.figsize(8, 8) == pytest.approx((8 / 2.54, 8 / 2.54))
    with pytest.raises(ValueError):
        charts.figsize(0)
    assert set(charts.SECTION_COLORS) == {"ideology", "volunteer", "youth_service", "self_building"}
    assert set(default_section_labels()) == set(charts.SECTION_COLORS)  # a colour for every section
    assert set(charts.YEAR_COLORS) == {"previous", "current"}

    def lightness(hex_color: str) -> float:  # CIE L*: the grey level the colour prints at
        rgb = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
        return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y

    levels = sorted(lightness(c) for c in charts.SECTION_COLORS.values())
    assert min(b - a for a, b in itertools.pairwise(levels)) >= 8, levels
    assert lightness(charts.YEAR_COLORS["previous"]) - lightness(charts.YEAR_COLORS["current"]) >= 20


def test_percent_axis_and_horizontal_target_line(charts: ModuleType, plt) -> None:
    fig, ax = charts.new_figure(6)
    bars = ax.bar(["甲", "乙"], [0.5, 0.99], color=charts.PRIMARY)
    charts.percent_axis(ax, "y")
    charts.add_target_line(ax, 0.8, "目标 80%", orientation="horizontal")
    charts.bar_labels(ax, bars, fmt="{:.0%}")
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()][:2] == ["0%", "20%"]
    assert ax.get_ylim()[1] > 0.99  # room for the label above the 99% bar
    (child,) = ax.child_axes
    assert [t.get_text() for t in child.get_yticklabels()] == ["目标 80%"]
    with pytest.raises(ValueError):
        charts.add_target_line(ax, 0.5, "x", orientation="diagonal")  # type: ignore[arg-type]


# --- wrap_label ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("机关团支部", 8, "机关团支部"),
        ("示例镇机关团支部", 8, "示例镇机关团支部"),
        ("示例镇农业专业合作社团支部", 8, "示例镇农业专业\n合作社团支部"),
        ("示例镇第一中学团委", 8, "示例镇第一\n中学团委"),
        ("示例镇青年创业园非公企业联合团支部", 8, "示例镇青年创\n业园非公企业\n联合团支部"),
        ("示例镇（社区）青年志愿服务队", 8, "示例镇（社区）\n青年志愿服务队"),
        ("政治建设·思想引领", 5, "政治建设·\n思想引领"),
        ("2023年度优秀团支部", 6, "2023年度\n优秀团支部"),
        ("Youth League branch", 8, "Youth\nLeague\nbranch"),
        ("第一行\n示例镇农业专业合作社团支部", 8, "第一行\n示例镇农业专业\n合作社团支部"),
    ],
)
def test_wrap_label_examples(charts: ModuleType, text: str, width: int, expected: str) -> None:
    assert charts.wrap_label(text, width) == expected


def test_wrap_label_respects_width_and_keeps_every_character(charts: ModuleType) -> None:
    text = "示例镇新时代文明实践所（站）青年突击队“红色代办”服务点"
    for width in range(3, 12):
        lines = charts.wrap_label(text, width).split("\n")
        assert all(len(line) <= width for line in lines), (width, lines)
        assert "".join(lines) == text
        assert not any(line[0] in "）”，。、" for line in lines[1:])
        assert not any(line[-1] in "（“" for line in lines)
    with pytest.raises(ValueError):
        charts.wrap_label("团支部", 0)


# --- cache logic (fast: fake instantiation in a temporary cache) ---------------------------------------


def _fake_instantiate(source: Path, target: Path) -> None:
    """Stands in for the 11 s fontTools call: records the call and writes the file slowly."""
    marker_dir = Path(os.environ["TUANWEI_TEST_MARKERS"])
    (marker_dir / f"{os.getpid()}-{time.monotonic_ns()}").touch()
    with open(target, "wb") as fh:
        for _ in range(5):
            fh.write(b"x" * 1000)
            fh.flush()
            time.sleep(0.05)


def _race_worker(queue) -> None:
    queue.put(str(fonts.font_path()))


@pytest.mark.skipif(sys.platform == "win32", reason="uses the fork start method")
def test_font_cache_is_built_once_when_processes_race(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    monkeypatch.setenv("TUANWEI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TUANWEI_TEST_MARKERS", str(markers))
    monkeypatch.setattr(fonts, "_instantiate", _fake_instantiate)

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_race_worker, args=(queue,)) for _ in range(4)]
    for worker in workers:
        worker.start()
    results = {queue.get(timeout=60) for _ in workers}
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0

    assert len(list(markers.iterdir())) == 1, "only one process may instantiate the font"
    (path,) = results
    path = Path(path)
    assert path.is_relative_to(tmp_path / "cache" / "fonts")
    assert path.read_bytes() == b"x" * 5000
    assert (path.parent / "OFL.txt").is_file()
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"], "temp files must not be left"
    assert fonts.font_path() == path  # cached now: no further build
    assert len(list(markers.iterdir())) == 1


def test_font_cache_key_follows_the_source_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUANWEI_CACHE_DIR", str(tmp_path))
    assert fonts.cache_dir() == tmp_path
    source = fonts.source_font_path()
    current = fonts._target_dir(source)
    assert current.parent == tmp_path / "fonts"
    monkeypatch.setattr(fonts, "_source_version", lambda: "0.1.1")
    assert fonts._target_dir(source) != current


def test_failed_build_leaves_no_partial_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUANWEI_CACHE_DIR", str(tmp_path))

    def broken(source: Path, target: Path) -> None:
        target.write_bytes(b"half a font")
        raise RuntimeError("disk full")

    monkeypatch.setattr(fonts, "_instantiate", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        fonts.font_path()
    folder = fonts._target_dir(fonts.source_font_path())
    assert not (folder / fonts.FONT_FILENAME).exists()
    assert not [p for p in folder.iterdir() if p.suffix == ".tmp"]
