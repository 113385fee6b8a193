"""The report's chart as the PNG the .docx embeds, drawn with Pillow where Vega would put each element.

Rendering :func:`.report.progress_chart` through Vega (``vl-convert``) took 0.1–0.35 s per chart —
Vega measures every label with the CJK font through resvg — so 3–4 s of a report's 14 charts. The
chart is simple, and Vega's layout of it is a handful of rules: :func:`progress_layout` applies them
(the band scale of the rows, the nice axis and its label-overlap rule, the legend's grid, the view's
padding) with text widths measured by Pillow on the same font, and :func:`draw_png` paints the
shapes, anti-aliased, at twice the chart's size (as Vega's PNGs were). A report's charts take a fifth
of a second.

The constants below are Vega's defaults for this specification, read off its output;
``tests/test_report_chart.py`` lays Vega's own SVG beside :func:`progress_layout` for charts of
every shape, so a change of the specification that the drawing does not follow fails there.
Where the font is not installed, the specification is rendered through ``vl-convert`` as before.
"""

from __future__ import annotations

import io
import math
import os
import threading
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pandas as pd

from ..engine.statuses import STATUSES, status_label
from ..messages import t
from .colors import STATUS_COLORS
from .report import (
    BAR_STROKE,
    FONT,
    FONT_SIZE,
    LEGEND_COLUMNS,
    PLOT_WIDTH,
    TARGET_LINE,
    TARGET_STROKE,
    chart_rows,
    plot_height,
    progress_chart,
)

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

SCALE = 2  # PNG pixels per chart pixel (the report prints the chart 14.5 cm wide)

# Vega's layout of the specification.
PADDING = 5  # around the view
NICE_DOMAIN = (-100, 160)  # the x scale's domain after nice(): ticks every 20 (ceil(460 / 40) = 12 ticks)
TICK_STEP = 20
BAND_INNER, BAND_OUTER = 0.1, 0.05  # the y band scale's padding, in steps
TICK_SIZE, LABEL_PADDING = 5, 2  # an axis tick, and the gap from it to its label
AXIS_LABEL_Y, AXIS_TITLE_Y = 16, 31  # baselines of the x labels and of the x title below the plot's edge
LEGEND_Y = 51  # the legend's top below the plot
LEGEND_ROW, LEGEND_COLUMN_GAP = 16, 10
LEGEND_SYMBOL, LEGEND_SYMBOL_CENTRE, LEGEND_ENTRY_HEIGHT = 10, 6, 12.5  # a square's side and centre
LEGEND_LABEL_X, LEGEND_LABEL_Y = 16, 10  # where an entry's label starts, and its baseline
MIDDLE = round(0.3 * FONT_SIZE)  # how far below its y Vega puts a middle-aligned text's baseline
GRID, AXIS, TEXT = "#dddddd", "#888888", "#000000"

Anchor = Literal["start", "middle", "end"]


@dataclass(frozen=True)
class Box:
    """A filled rectangle with an outline (chart pixels, origin top left)."""

    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str
    stroke_width: float


@dataclass(frozen=True)
class Line:
    """A horizontal or vertical line, 1 px wide; ``dash`` = (on, off) lengths for a dashed one."""

    x1: float
    y1: float
    x2: float
    y2: float
    color: str
    dash: tuple[float, float] | None = None


@dataclass(frozen=True)
class Label:
    """A text whose baseline passes through (x, y), anchored there at its start, middle or end."""

    x: float
    y: float
    text: str
    anchor: Anchor = "start"
    bold: bool = False


@dataclass(frozen=True)
class Drawing:
    """The chart as shapes in painting order on a white canvas of ``width`` × ``height`` chart
    pixels; ``origin`` is the plot's top left corner."""

    width: int
    height: int
    origin: tuple[int, int]
    shapes: tuple[Box | Line | Label, ...]


# ------------------------------------------------------------------------------ the font
FONT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.fonts",
    "~/.local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)
# Noto CJK ships as NotoSansCJK-*.ttc (or NotoSansCJKsc-*.otf), its faces told apart by their names:
# only these few files are opened.
FONT_FILE_PREFIX = "notosanscjk"
MEASURE_SIZE = 1200  # widths are measured at 100 times the size: no hinting rounds them
ELLIPSIS = "…"
LATIN_ELLIPSIS = ["pwid"]  # the OpenType feature that gives the font's proportional "…" (on the baseline)


@cache
def font_face(style: str = "Regular") -> tuple[str, int] | None:
    """The file and face index of :data:`FONT` in ``style`` on this machine, or None."""
    from PIL import ImageFont

    for folder in FONT_DIRS:
        for root, _dirs, files in os.walk(Path(folder).expanduser()):
            for name in sorted(files):
                compact = name.lower().replace("-", "").replace("_", "")
                if not compact.startswith(FONT_FILE_PREFIX):
                    continue
                path = os.path.join(root, name)
                for index in range(16 if compact.endswith((".ttc", ".otc")) else 1):
                    try:
                        face = ImageFont.truetype(path, FONT_SIZE, index=index)
                    except OSError:  # past the last face of a collection, or not a font
                        break
                    if face.getname() == (FONT, style):
                        return path, index
    return None


def fonts_available() -> bool:
    """Whether :data:`FONT` is installed, so that the chart can be drawn without Vega."""
    return font_face("Regular") is not None


@cache
def _raqm() -> bool:
    from PIL import features

    return bool(features.check("raqm"))


_fonts = threading.local()  # FreeType faces are not for two threads at once: each thread opens its own


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    opened = _fonts.__dict__.setdefault("opened", {})
    if (bold, size) not in opened:
        found = (font_face("Bold") if bold else None) or font_face("Regular")
        assert found is not None  # progress_png draws only when fonts_available()
        # Raqm shapes text with HarfBuzz as resvg does for Vega (kerning); Pillow's basic layout without it.
        engine = ImageFont.Layout.RAQM if _raqm() else ImageFont.Layout.BASIC
        opened[bold, size] = ImageFont.truetype(found[0], size, index=found[1], layout_engine=engine)
    return opened[bold, size]


def _runs(text: str) -> list[tuple[str, list[str] | None]]:
    """``text`` as pieces to shape one after the other, each with its OpenType features.

    Vega's renderer shapes a label in the script of its first letter: in ``W01 孕产妇死亡…`` the cut
    mark is the Latin "…", dots on the baseline. Raqm would shape it with the Chinese before it, a
    centred "⋯"; there the mark is shaped on its own, as the Latin glyph.
    """
    letters = [c for c in text[:-1] if c.isalpha()] if text.endswith(ELLIPSIS) else []
    if _raqm() and letters and letters[0].isascii() and not letters[-1].isascii():
        return [(text[:-1], None), (ELLIPSIS, LATIN_ELLIPSIS)]
    return [(text, None)]


@lru_cache(maxsize=4096)
def text_width(text: str, bold: bool = False) -> float:
    """The width of ``text`` at the chart's font size as Vega measures it (chart pixels): without
    the spaces it begins or ends with."""
    font = _font(bold, MEASURE_SIZE)
    advance = sum(font.getlength(piece, features=feats) for piece, feats in _runs(text.strip()))
    return advance * FONT_SIZE / MEASURE_SIZE


# ------------------------------------------------------------------------------ the layout
def _round(x: float) -> int:
    """JavaScript's Math.round (halves up), with which Vega snaps ticks to pixels."""
    return math.floor(x + 0.5)


def _x(value: float) -> float:
    low, high = NICE_DOMAIN
    return (value - low) / (high - low) * PLOT_WIDTH


def _shown_ticks(xs: list[float], widths: list[float]) -> list[bool]:
    """Vega's ``labelOverlap`` on a linear axis: while neighbouring labels overlap, hide every other one.

    The first label is aligned at its start and the last at its end (``labelFlush``).
    """
    n = len(xs)
    spans = []
    for i, (x, w) in enumerate(zip(xs, widths, strict=True)):
        left = x if i == 0 else x - w if i == n - 1 else x - w / 2
        spans.append((left, left + w))

    def overlap(items: list[int]) -> bool:
        return any(spans[b][0] < spans[a][1] for a, b in pairwise(items))

    items = list(range(n))
    if len(items) >= 3 and overlap(items):
        while len(items) >= 3 and overlap(items):
            items = items[::2]
        if len(items) < 3 and items[-1] != n - 1:  # Vega then shows the last label instead
            items = [*items[:1], n - 1]
    return [i in items for i in range(n)]


def _bands(names: list[str], height: float) -> tuple[dict[str, float], float]:
    """The y band scale: each distinct name's band top (in data order) and the bands' height."""
    order = list(dict.fromkeys(names))
    n = len(order)
    step = height / max(1, n - BAND_INNER + 2 * BAND_OUTER)
    start = (height - step * (n - BAND_INNER)) * 0.5
    return {name: start + step * i for i, name in enumerate(order)}, step * (1 - BAND_INNER)


def progress_layout(rows: pd.DataFrame, lang: str = "zh") -> Drawing:
    """Every shape of :func:`.report.progress_chart` of ``rows`` where Vega places it (chart pixels)."""
    data = chart_rows(rows, lang)
    names = [str(n) for n in data["name"]]
    height = plot_height(len(data))
    tops, band = _bands(names, height)

    ticks = list(range(NICE_DOMAIN[0], NICE_DOMAIN[1] + 1, TICK_STEP))
    tick_texts = [str(v).replace("-", "\u2212") for v in ticks]  # d3-format writes a true minus sign
    shown = _shown_ticks([_x(v) for v in ticks], [text_width(s) for s in tick_texts])
    title = t("report_chart_axis", lang)
    legend = [(status_label(s, lang), STATUS_COLORS[s]) for s in STATUSES]
    columns = []  # each legend column as wide as its widest entry: square, gap, label, 1 px
    for c in range(LEGEND_COLUMNS):
        widest_label = max((text_width(label) for label, _ in legend[c::LEGEND_COLUMNS]), default=0.0)
        columns.append(math.ceil(LEGEND_LABEL_X + widest_label + 1))
    legend_rows = math.ceil(len(legend) / LEGEND_COLUMNS)

    # The view: the plot's corner comes after the padding and the widest y label, which ends 7 px
    # left of the plot (tick and gap); the right edge is the last grid line (1 px wide at 460.5)
    # unless the legend or the axis title reach further.
    widest = max((text_width(n) for n in names), default=0.0)
    left = math.ceil(max(TICK_SIZE + 1, widest + TICK_SIZE + LABEL_PADDING))
    legend_width = sum(columns) + LEGEND_COLUMN_GAP * (len(columns) - 1)
    right = math.ceil(max(PLOT_WIDTH + 1, legend_width, (PLOT_WIDTH + 1 + text_width(title, bold=True)) / 2))
    ox, oy = PADDING + left, PADDING + 1  # 1: the dashed target line's stroke reaches above the plot
    legend_top = oy + height + LEGEND_Y
    legend_height = math.ceil(LEGEND_ROW * (legend_rows - 1) + LEGEND_ENTRY_HEIGHT)

    shapes: list[Box | Line | Label] = []
    # The axes sit half a pixel off the plot, so that their 1-px lines cover whole pixels.
    bottom = oy + height + 0.5
    grid_xs = [ox + _round(_x(v)) + 0.5 for v in ticks]
    shapes += [Line(x, bottom, x, oy + 0.5, GRID) for x in grid_xs]
    shapes += [Line(x, bottom, x, bottom + TICK_SIZE, AXIS) for x in grid_xs]
    for i, (v, text) in enumerate(zip(ticks, tick_texts, strict=True)):
        if shown[i]:
            anchor: Anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
            shapes.append(Label(ox + _x(v) + 0.5, bottom + AXIS_LABEL_Y, text, anchor))
    shapes.append(Line(ox + 0.5, bottom, ox + PLOT_WIDTH + 0.5, bottom, AXIS))
    shapes.append(Label(ox + PLOT_WIDTH / 2 + 0.5, bottom + AXIS_TITLE_Y, title, "middle", bold=True))
    # The y axis of bands is drawn half a pixel up: its ticks round from each band's centre − 0.5.
    centres = {name: top + band / 2 - 0.5 for name, top in tops.items()}
    for centre in centres.values():
        y = oy + _round(centre) + 0.5
        shapes.append(Line(ox + 0.5, y, ox + 0.5 - TICK_SIZE, y, AXIS))
    label_x = ox + 0.5 - TICK_SIZE - LABEL_PADDING
    shapes += [Label(label_x, oy + centre + 0.5 + MIDDLE, name, "end") for name, centre in centres.items()]
    shapes.append(Line(ox + 0.5, oy + 0.5, ox + 0.5, bottom, AXIS))
    # Bars from 0; rows of one name would share its band and stack, as Vega-Lite stacks them.
    ends: dict[tuple[str, bool], float] = {}
    for name, value, status in zip(names, data["progress"].astype(float), data["status"], strict=True):
        start = ends.get((name, value < 0), 0.0)
        ends[name, value < 0] = start + value
        x1, x2 = sorted((_x(start), _x(start + value)))
        shapes.append(Box(ox + x1, oy + tops[name], x2 - x1, band, STATUS_COLORS[str(status)], BAR_STROKE, 0.5))
    target = ox + _x(TARGET_LINE)
    shapes.append(Line(target, oy, target, oy + height, TARGET_STROKE, dash=(4, 3)))
    # The legend: every status, row by row in columns, below the axis.
    for k, (label, color) in enumerate(legend):
        row, col = divmod(k, LEGEND_COLUMNS)
        x = ox + sum(columns[:col]) + LEGEND_COLUMN_GAP * col
        y = legend_top + LEGEND_ROW * row + (0.25 if row == 0 else 0)  # Vega's first row: a quarter pixel down
        corner = LEGEND_SYMBOL_CENTRE - LEGEND_SYMBOL / 2
        shapes.append(Box(x + corner, y + corner, LEGEND_SYMBOL, LEGEND_SYMBOL, color, BAR_STROKE, 1.5))
        shapes.append(Label(x + LEGEND_LABEL_X, y + LEGEND_LABEL_Y, label))
    return Drawing(ox + right + PADDING, legend_top + legend_height + PADDING, (ox, oy), tuple(shapes))


# ------------------------------------------------------------------------------ painting
def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _coverage(low: float, high: float) -> list[tuple[int, int, float]]:
    """The pixel runs [start, end) a span [low, high) covers, each with the fraction of a pixel covered."""
    if high <= low:
        return []
    first, last = math.floor(low), math.ceil(high) - 1
    if first == last:
        return [(first, first + 1, high - low)]
    runs = [(first, first + 1, first + 1 - low)]
    if last > first + 1:
        runs.append((first + 1, last, 1.0))
    runs.append((last, last + 1, high - last))
    return runs


def _fill(draw: ImageDraw.ImageDraw, x1: float, y1: float, x2: float, y2: float, rgb: tuple[int, int, int]) -> None:
    """An axis-aligned rectangle (image pixels), anti-aliased: a pixel partly inside gets the colour
    in proportion, as a vector renderer paints it."""
    for c0, c1, cx in _coverage(x1, x2):
        for r0, r1, cy in _coverage(y1, y2):
            alpha = round(255 * cx * cy)
            if alpha:
                draw.rectangle((c0, r0, c1 - 1, r1 - 1), fill=(*rgb, alpha))


def _line(draw: ImageDraw.ImageDraw, line: Line, s: int) -> None:
    rgb, half = _rgb(line.color), 0.5
    x1, x2 = sorted((line.x1, line.x2))
    y1, y2 = sorted((line.y1, line.y2))
    vertical = x1 == x2
    length = (y2 - y1) if vertical else (x2 - x1)
    on, off = line.dash or (length, 0.0)
    pos = 0.0
    while pos < length:  # dashes start at the line's first point (the top of a vertical one)
        a, b = pos, min(pos + on, length)
        if vertical:
            _fill(draw, (x1 - half) * s, (y1 + a) * s, (x1 + half) * s, (y1 + b) * s, rgb)
        else:
            _fill(draw, (x1 + a) * s, (y1 - half) * s, (x1 + b) * s, (y1 + half) * s, rgb)
        pos += on + off


def _box(draw: ImageDraw.ImageDraw, box: Box, s: int) -> None:
    x1, y1, x2, y2 = box.x * s, box.y * s, (box.x + box.width) * s, (box.y + box.height) * s
    _fill(draw, x1, y1, x2, y2, _rgb(box.fill))
    stroke, h = _rgb(box.stroke), box.stroke_width * s / 2  # the outline is centred on the edge
    if box.width == 0:  # a bar of no length: its outline is one vertical line
        _fill(draw, x1 - h, y1, x1 + h, y2, stroke)
        return
    _fill(draw, x1 - h, y1 - h, x2 + h, y1 + h, stroke)
    _fill(draw, x1 - h, y2 - h, x2 + h, y2 + h, stroke)
    _fill(draw, x1 - h, y1 + h, x1 + h, y2 - h, stroke)
    _fill(draw, x2 - h, y1 + h, x2 + h, y2 - h, stroke)


def _label(draw: ImageDraw.ImageDraw, label: Label, s: int) -> None:
    font, runs = _font(label.bold, FONT_SIZE * s), _runs(label.text)
    if len(runs) == 1:
        anchor = {"start": "ls", "middle": "ms", "end": "rs"}[label.anchor]
        draw.text((label.x * s, label.y * s), label.text, font=font, fill=_rgb(TEXT), anchor=anchor)
        return
    widths = [font.getlength(piece, features=feats) for piece, feats in runs]
    x = label.x * s - {"start": 0.0, "middle": 0.5, "end": 1.0}[label.anchor] * sum(widths)
    for (piece, feats), width in zip(runs, widths, strict=True):
        draw.text((x, label.y * s), piece, font=font, fill=_rgb(TEXT), anchor="ls", features=feats)
        x += width


def draw_png(drawing: Drawing, scale: int = SCALE) -> bytes:
    """The drawing as PNG bytes, ``scale`` image pixels per chart pixel."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (drawing.width * scale, drawing.height * scale), "white")
    draw = ImageDraw.Draw(image, "RGBA")  # colours with alpha blend into the image: anti-aliased edges
    for shape in drawing.shapes:
        if isinstance(shape, Box):
            _box(draw, shape, scale)
        elif isinstance(shape, Line):
            _line(draw, shape, scale)
        else:
            _label(draw, shape, scale)
    out = io.BytesIO()
    # The fastest compression: the files are a little larger, and the report waits for each one.
    image.save(out, "PNG", compress_level=1, dpi=(72, 72))
    return out.getvalue()


def progress_png(rows: pd.DataFrame, lang: str = "zh") -> bytes:
    """The report's chart of ``rows`` (label, status, progress_pct) as PNG bytes, :data:`SCALE` × its size."""
    if fonts_available():
        return draw_png(progress_layout(rows, lang))
    import vl_convert as vlc  # without the font Vega draws it, with the fonts the machine has

    return vlc.vegalite_to_png(progress_chart(rows, lang).to_dict(), scale=SCALE)
