"""The report's chart, drawn with Pillow, puts every element where Vega puts it for the same specification.

``charts.report_png`` draws the chart without Vega (which took seconds per report). These tests lay
Vega's own SVG of ``charts.report.progress_chart`` (rendered by vl-convert) beside the drawing: the
canvas, the plot's corner, and every line, bar, legend square and text to a tenth of a pixel.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pandas as pd
import pytest

from dashboard.charts import report_png as chart
from dashboard.charts.report import FONT, progress_chart
from dashboard.engine.statuses import STATUSES
from dashboard.reports.content import DIRECTION_OR_RELATIVE

pytestmark = pytest.mark.skipif(not chart.fonts_available(), reason=f"{FONT} is not installed")

SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.e]+),([-\d.e]+)\)")
RECT_PATH = re.compile(r"^M([-\d.e]+),([-\d.e]+)h([-\d.e]+)v([-\d.e]+)h[-\d.e]+Z$")
SHORT_HEX = {"#ddd": "#dddddd", "#888": "#888888"}

Shapes = tuple[tuple[int, int], tuple[float, float], set, set, set]


def _r(x: float) -> float:
    return round(x, 1) + 0.0  # + 0.0: -0.0 and 0.0 alike


def vega_shapes(svg: str) -> Shapes:
    """Canvas size, plot corner, and the lines, boxes and visible texts of Vega's SVG from that corner."""
    root = ET.fromstring(svg)
    lines, boxes, texts = set(), set(), set()
    corner = TRANSLATE.search(root.find(f"{SVG}g").get("transform"))
    ox, oy = float(corner.group(1)), float(corner.group(2))

    def walk(node: ET.Element, dx: float, dy: float) -> None:
        for child in node:
            tag = child.tag.replace(SVG, "")
            m = TRANSLATE.search(child.get("transform", ""))
            x, y = (dx + float(m.group(1)), dy + float(m.group(2))) if m else (dx, dy)
            if tag == "g":
                walk(child, x, y)
            elif tag == "line" and child.get("opacity", "1") != "0":
                (xa, ya), (xb, yb) = sorted([(x, y), (x + float(child.get("x2", 0)), y + float(child.get("y2", 0)))])
                colour = SHORT_HEX.get(child.get("stroke"), child.get("stroke"))
                lines.add((_r(xa), _r(ya), _r(xb), _r(yb), colour, child.get("stroke-dasharray")))
            elif tag == "path" and "background" not in child.get("class", "") and child.get("fill"):
                px, py, w, h = (float(v) for v in RECT_PATH.match(child.get("d")).groups())
                stroke = (child.get("stroke"), child.get("stroke-width"))
                boxes.add((_r(x + px), _r(y + py), _r(w), _r(h), child.get("fill"), *stroke))
            elif tag == "text" and child.get("opacity", "1") != "0":
                texts.add((_r(x), _r(y), child.text, child.get("text-anchor"), child.get("font-weight") == "bold"))

    walk(root, -ox, -oy)
    return (int(root.get("width")), int(root.get("height"))), (ox, oy), lines, boxes, texts


def _shifted(shape, dx: float, dy: float):
    if isinstance(shape, chart.Line):
        return replace(shape, x1=shape.x1 + dx, y1=shape.y1 + dy, x2=shape.x2 + dx, y2=shape.y2 + dy)
    return replace(shape, x=shape.x + dx, y=shape.y + dy)


def drawn_shapes(drawing: chart.Drawing) -> Shapes:
    """The same from our drawing."""
    lines, boxes, texts = set(), set(), set()
    ox, oy = drawing.origin
    for s in (_shifted(shape, -ox, -oy) for shape in drawing.shapes):
        if isinstance(s, chart.Line):
            (xa, ya), (xb, yb) = sorted([(s.x1, s.y1), (s.x2, s.y2)])
            dash = ",".join(f"{d:g}" for d in s.dash) if s.dash else None
            lines.add((_r(xa), _r(ya), _r(xb), _r(yb), s.color, dash))
        elif isinstance(s, chart.Box):
            boxes.add((_r(s.x), _r(s.y), _r(s.width), _r(s.height), s.fill, s.stroke, f"{s.stroke_width:g}"))
        else:
            texts.add((_r(s.x), _r(s.y), s.text, s.anchor, s.bold))
    return (drawing.width, drawing.height), (float(ox), float(oy)), lines, boxes, texts


def _rows(labels: list[str], progress: list[float | None]) -> pd.DataFrame:
    statuses = [STATUSES[i % len(STATUSES)] for i in range(len(labels))]
    return pd.DataFrame({"label": labels, "status": statuses, "progress_pct": progress})


CASES = {
    "three rows, one cut, one without a value": _rows(
        ["W01 孕产妇死亡率", "W02 住院分娩率很长很长的指标名称超过十六个字", "C10 5岁以下儿童生长迟缓率"],
        [10, 200, None],
    ),
    "one row": _rows(["E05 Under-5 mortality rate"], [-30]),
    "two rows (bands on half pixels)": _rows(["A", "B"], [10, 20]),
    "five rows (bands on fractions)": _rows([f"C{i:02d} 儿童指标{i}" for i in range(5)], [-120, -50, 0, 99.5, 151]),
    "a domain's worth": _rows(
        [f"W{i:02d} {'妇女健康指标名称' * (i % 3 + 1)}" for i in range(1, 14)], [i * 13 - 40 for i in range(13)]
    ),
}


def assert_same_layout(rows: pd.DataFrame, lang: str) -> None:
    vlc = pytest.importorskip("vl_convert")
    vega = vega_shapes(vlc.vegalite_to_svg(progress_chart(rows, lang).to_dict()))
    ours = drawn_shapes(chart.progress_layout(rows, lang))
    for part, theirs, mine in zip(("canvas", "corner", "lines", "boxes", "texts"), vega, ours, strict=True):
        assert mine == theirs, part


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("case", list(CASES))
def test_drawing_matches_vega_layout(case, lang):
    assert_same_layout(CASES[case], lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_indicator_label_of_the_plan_as_vega_lays_it_out(rules, lang):
    # The labels the report draws: code and name of each indicator with a number to reach.
    codes = [
        c for c in rules.indicators if rules.target_for(rules.city.code, c).check.kind not in DIRECTION_OR_RELATIVE
    ]
    labels = [f"{c} {rules.indicators[c].name(lang)}" for c in codes]
    assert_same_layout(_rows(labels, [(i * 37) % 300 - 120 for i in range(len(labels))]), lang)


def test_png_is_the_drawing_at_twice_the_size():
    from PIL import Image

    rows = CASES["three rows, one cut, one without a value"]
    drawing = chart.progress_layout(rows, "zh")
    image = Image.open(io.BytesIO(chart.progress_png(rows, "zh")))
    assert image.format == "PNG" and image.size == (drawing.width * chart.SCALE, drawing.height * chart.SCALE)
    image = image.convert("RGB")
    bar = next(s for s in drawing.shapes if isinstance(s, chart.Box) and s.width > 5)  # the first row's bar
    centre = ((bar.x + bar.width / 2) * chart.SCALE, (bar.y + bar.height / 2) * chart.SCALE)
    assert image.getpixel(centre) == tuple(int(bar.fill[i : i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((1, 1)) == (255, 255, 255)
