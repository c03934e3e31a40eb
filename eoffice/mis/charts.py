"""Charts drawn on the server with pygal: plain SVG, no script. The page shows the SVG as an
image (its own answer, so the page's CSP stays strict) and the PDF report carries the same SVG
inline, drawn by WeasyPrint."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass

import pygal
from pygal.style import Style

# pygal puts a legacy finder (for its map plugins, unused here) on sys.meta_path: every later
# import that misses then warns (ImportWarning: find_spec not found), which breaks anything run
# with warnings as errors. Take it off again.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

FONTS = "Noto Sans, Noto Sans Devanagari, DejaVu Sans, sans-serif"
COLOURS = ("#1f5fa8", "#e0a020", "#d9602b", "#a4161a", "#2f8f5b", "#6d4c9f")
STYLE = Style(
    font_family=FONTS,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#666666",
    colors=COLOURS,
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=11,
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
COMMENT = re.compile(r"<!--.*?-->", re.S)
MAX_BARS = 40  # past this a chart is unreadable: the table has every row


@dataclass(frozen=True)
class Chart:
    """What to draw: a title, the bars' labels, and named series of values (one per label)."""

    title: str
    labels: list[str]
    series: list[tuple[str, list[float | int | None]]]
    stacked: bool = True
    horizontal: bool = False
    y_title: str | None = None

    def bars(self) -> int:
        return len(self.labels)


def render(chart: Chart, width: int = 900, height: int = 420) -> str:
    """The chart as an SVG document (no XML declaration, no script, no comments)."""
    labels = chart.labels[:MAX_BARS]
    if chart.horizontal:
        kind = pygal.HorizontalStackedBar if chart.stacked else pygal.HorizontalBar
    else:
        kind = pygal.StackedBar if chart.stacked else pygal.Bar
    config = {
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": True,
        "width": width,
        "height": max(height, 24 * len(labels) + 120) if chart.horizontal else height,
        "style": STYLE,
        "title": chart.title,
        "x_label_rotation": 0 if chart.horizontal or len(labels) <= 8 else 35,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(len(chart.series), 6) or 1,
        "print_values": False,
        "show_y_guides": True,
        "truncate_label": -1,
        "no_data_text": "—",
        "y_title": chart.y_title,
        "min_scale": 1,
        "max_scale": 8,
    }
    plot = kind(**config)
    plot.x_labels = labels
    for name, values in chart.series:
        plot.add(name, [v if v else None for v in values[:MAX_BARS]])
    svg = plot.render(is_unicode=True)
    return COMMENT.sub("", SCRIPT.sub("", svg))
