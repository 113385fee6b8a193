"""The status colours every chart and the report share (no plotting library: the report's image
is drawn without Altair, so the colours live apart from the pages' charts)."""

from __future__ import annotations

# Blue for good, orange for bad (told apart with every common colour-vision deficiency), and each a
# different lightness (CIELAB L* 25, 52, 87, 73, 39, 94), so a greyscale print still separates them.
STATUS_COLORS = {
    "achieved": "#0b3c6e",  # dark blue
    "on_track": "#3a7fc1",  # blue
    "needs_acceleration": "#fdd49e",  # pale orange
    "limited": "#f5a05a",  # orange
    "deterioration": "#a63603",  # dark orange-brown
    "no_data": "#eeeeee",  # light grey (cells get a grey outline)
    "not_achieved": "#cc79a7",  # reddish purple (Okabe–Ito); between blue and orange in greyscale
}
# Text on a status colour: white on the dark ones.
STATUS_TEXT = {"achieved": "white", "on_track": "white", "deterioration": "white"}
