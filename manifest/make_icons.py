"""Draw the Teams app icons with the standard library only (zlib + struct PNG writer).

    .venv/bin/python manifest/make_icons.py      # rewrites manifest/color.png and outline.png

color.png   192x192, opaque: a white graduation cap with an amber tassel and check badge
            on the brand colour (the manifest's accentColor).
outline.png 32x32, white on a transparent background (RGBA), as Teams requires.

Shapes live on a unit canvas (0..1 both ways, y down) and are anti-aliased by supersampling.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Callable

Shape = Callable[[float, float], bool]
RGB = tuple[int, int, int]

BRAND: RGB = (0x0E, 0x7C, 0x86)  # keep equal to accentColor in manifest.template.json
WHITE: RGB = (255, 255, 255)
CAP_SHADE: RGB = (0xD3, 0xEC, 0xEE)
AMBER: RGB = (0xFF, 0xB9, 0x00)
HERE = Path(__file__).resolve().parent


# ---- shapes -------------------------------------------------------------------------------

def polygon(*points: tuple[float, float]) -> Shape:
    def inside(x: float, y: float) -> bool:
        hit = False
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
        return hit
    return inside


def ellipse(cx: float, cy: float, rx: float, ry: float) -> Shape:
    return lambda x, y: ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0


def circle(cx: float, cy: float, r: float) -> Shape:
    return ellipse(cx, cy, r, r)


def stroke(points: list[tuple[float, float]], width: float) -> Shape:
    """A polyline with round caps and joins."""
    r2 = (width / 2) ** 2

    def near(x: float, y: float) -> bool:
        for (x1, y1), (x2, y2) in zip(points, points[1:]):
            dx, dy = x2 - x1, y2 - y1
            t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
            if (x - x1 - t * dx) ** 2 + (y - y1 - t * dy) ** 2 <= r2:
                return True
        return False
    return near


def union(*shapes: Shape) -> Shape:
    return lambda x, y: any(s(x, y) for s in shapes)


def minus(shape: Shape, cut: Shape) -> Shape:
    return lambda x, y: shape(x, y) and not cut(x, y)


def rect(x0: float, y0: float, x1: float, y1: float) -> Shape:
    return lambda x, y: x0 <= x <= x1 and y0 <= y <= y1


# ---- the mark -----------------------------------------------------------------------------

def board(grow: float = 0.0) -> Shape:
    """The flat top of the cap: a wide diamond."""
    return polygon((0.5, 0.20 - grow), (0.90 + grow, 0.38), (0.5, 0.56 + grow), (0.10 - grow, 0.38))


def cap_body() -> Shape:
    """The part that sits on the head: straight sides, rounded bottom."""
    return union(rect(0.27, 0.40, 0.73, 0.62), ellipse(0.5, 0.62, 0.23, 0.09))


def color_layers() -> list[tuple[Shape, RGB]]:
    tassel = stroke([(0.5, 0.38), (0.18, 0.46), (0.18, 0.64)], 0.030)
    return [
        (cap_body(), CAP_SHADE),
        (board(), WHITE),
        (tassel, AMBER),
        (ellipse(0.18, 0.68, 0.035, 0.06), AMBER),
        (circle(0.5, 0.38, 0.03), AMBER),
        (circle(0.74, 0.74, 0.155), AMBER),
        (stroke([(0.665, 0.745), (0.72, 0.80), (0.815, 0.69)], 0.045), WHITE),
    ]


def outline_shape() -> Shape:
    gap = 0.07  # transparent band that separates the board from the body in one colour
    body = minus(cap_body(), board(grow=gap))
    tassel = union(stroke([(0.17, 0.40), (0.17, 0.64)], 0.07), ellipse(0.17, 0.70, 0.06, 0.09))
    return union(board(), body, tassel)


# ---- rendering ----------------------------------------------------------------------------

def coverage(shape: Shape, px: int, py: int, size: int, samples: int) -> float:
    hits = 0
    for sy in range(samples):
        for sx in range(samples):
            if shape((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size):
                hits += 1
    return hits / (samples * samples)


def render_color(size: int, samples: int = 4) -> list[bytes]:
    rows = []
    layers = color_layers()
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r, g, b = (float(c) for c in BRAND)
            for shape, (lr, lg, lb) in layers:
                a = coverage(shape, px, py, size, samples)
                if a:
                    r, g, b = r + (lr - r) * a, g + (lg - g) * a, b + (lb - b) * a
            row += bytes((round(r), round(g), round(b)))
        rows.append(bytes(row))
    return rows


def render_outline(size: int, samples: int = 8) -> list[bytes]:
    shape = outline_shape()
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            row += bytes((*WHITE, round(255 * coverage(shape, px, py, size, samples))))
        rows.append(bytes(row))
    return rows


def png_bytes(width: int, height: int, rows: list[bytes], alpha: bool) -> bytes:
    """8-bit truecolour PNG (RGB or RGBA), filter 0 on every row."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    color_type = 6 if alpha else 2
    raw = b"".join(b"\x00" + row for row in rows)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def main() -> None:
    (HERE / "color.png").write_bytes(png_bytes(192, 192, render_color(192), alpha=False))
    (HERE / "outline.png").write_bytes(png_bytes(32, 32, render_outline(32), alpha=True))
    print(f"wrote {HERE / 'color.png'} and {HERE / 'outline.png'}")


if __name__ == "__main__":
    main()
