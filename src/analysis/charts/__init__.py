"""Charts for the annual report. Importing this package applies the report style (fonts included).

The first import on a machine builds the cached Chinese font (~11 s, see `analysis.fonts`).
"""

from analysis.charts.style import (
    COLUMN_WIDTH_CM,
    GREY,
    PRIMARY,
    SECONDARY,
    SECTION_COLORS,
    SECTION_LABELS,
    TARGET,
    YEAR_COLORS,
    add_target_line,
    apply_style,
    bar_labels,
    demo_figure,
    figsize,
    height_for_rows,
    new_figure,
    percent_axis,
    save,
    value_grid,
    wrap_label,
)

__all__ = [
    "COLUMN_WIDTH_CM",
    "GREY",
    "PRIMARY",
    "SECONDARY",
    "SECTION_COLORS",
    "SECTION_LABELS",
    "TARGET",
    "YEAR_COLORS",
    "add_target_line",
    "apply_style",
    "bar_labels",
    "demo_figure",
    "figsize",
    "height_for_rows",
    "new_figure",
    "percent_axis",
    "save",
    "value_grid",
    "wrap_label",
]

apply_style()
