"""Draw the step illustrations of the training modules with the standard library only, with the
shapes and PNG writer of make_icons.py. One flat picture per module, 16:9, on a light panel.

    .venv/bin/python manifest/make_images.py      # rewrites content/images/<module>.png

Shapes are drawn on a canvas 16 wide and 9 high (y down); the content YAML names each file
(`image: {url: images/<name>.png, alt: ...}`) with alt text in every language.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_icons import (  # noqa: E402
    AMBER, BRAND, RGB, WHITE, Shape, circle, ellipse, minus, png_bytes, polygon, rect, stroke, union,
)

OUT = Path(__file__).resolve().parent.parent / "content" / "images"
WIDTH, HEIGHT, SAMPLES = 480, 270, 2
PANEL: RGB = (0xEE, 0xF6, 0xF7)
INK: RGB = (0x24, 0x3A, 0x3D)
GREEN: RGB = (0x10, 0x7C, 0x10)
RED: RGB = (0xC4, 0x31, 0x4B)
GREY: RGB = (0xB8, 0xC4, 0xC6)


def rounded(x0: float, y0: float, x1: float, y1: float, r: float) -> Shape:
    return union(rect(x0 + r, y0, x1 - r, y1), rect(x0, y0 + r, x1, y1 - r),
                 circle(x0 + r, y0 + r, r), circle(x1 - r, y0 + r, r),
                 circle(x0 + r, y1 - r, r), circle(x1 - r, y1 - r, r))


def frame(x0: float, y0: float, x1: float, y1: float, r: float, width: float) -> Shape:
    return minus(rounded(x0, y0, x1, y1, r), rounded(x0 + width, y0 + width, x1 - width, y1 - width, max(r - width, 0.01)))


def check(cx: float, cy: float, size: float, colour: RGB = GREEN) -> list[tuple[Shape, RGB]]:
    return [(circle(cx, cy, size), colour),
            (stroke([(cx - size * 0.45, cy), (cx - size * 0.1, cy + size * 0.35), (cx + size * 0.5, cy - size * 0.35)],
                    size * 0.25), WHITE)]


def cross(cx: float, cy: float, size: float) -> list[tuple[Shape, RGB]]:
    d = size * 0.4
    return [(circle(cx, cy, size), RED),
            (union(stroke([(cx - d, cy - d), (cx + d, cy + d)], size * 0.22),
                   stroke([(cx - d, cy + d), (cx + d, cy - d)], size * 0.22)), WHITE)]


def laptop(x: float, y: float, w: float, h: float) -> list[tuple[Shape, RGB]]:
    return [(rounded(x, y, x + w, y + h, 0.25), INK), (rect(x + 0.3, y + 0.3, x + w - 0.3, y + h - 0.3), WHITE),
            (polygon((x - 0.6, y + h + 0.1), (x + w + 0.6, y + h + 0.1), (x + w + 0.2, y + h + 0.6), (x - 0.2, y + h + 0.6)), INK)]


def phone(x: float, y: float, w: float, h: float) -> list[tuple[Shape, RGB]]:
    return [(rounded(x, y, x + w, y + h, 0.4), INK), (rounded(x + 0.25, y + 0.5, x + w - 0.25, y + h - 0.5, 0.15), WHITE)]


def shield(cx: float, cy: float, s: float) -> Shape:
    return polygon((cx - s, cy - s), (cx, cy - 1.25 * s), (cx + s, cy - s), (cx + s, cy), (cx, cy + 1.4 * s),
                   (cx - s, cy))


def lines(x: float, y: float, w: float, count: int, gap: float = 0.55) -> list[tuple[Shape, RGB]]:
    return [(rounded(x, y + i * gap, x + (w if i % 2 == 0 else w * 0.7), y + i * gap + 0.22, 0.1), GREY)
            for i in range(count)]


def mfa() -> list[tuple[Shape, RGB]]:
    return [*laptop(2.0, 2.0, 6.0, 4.0), *lines(2.8, 2.9, 3.2, 3), (rounded(2.8, 4.6, 5.4, 5.3, 0.2), BRAND),
            (stroke([(8.6, 4.5), (9.6, 4.5)], 0.12), BRAND), (stroke([(10.0, 4.5), (10.4, 4.5)], 0.12), BRAND),
            *phone(10.8, 1.6, 3.0, 5.8), *check(12.3, 4.3, 0.9)]


def password() -> list[tuple[Shape, RGB]]:
    key = union(circle(4.5, 4.5, 1.5), rect(5.6, 4.2, 10.5, 4.8), rect(9.2, 4.8, 9.8, 5.8), rect(10.0, 4.8, 10.5, 5.5))
    lock = union(rounded(10.5, 3.8, 14.0, 7.2, 0.3))
    shackle = minus(ellipse(12.25, 3.8, 1.2, 1.6), ellipse(12.25, 3.8, 0.75, 1.15))
    return [(shackle, INK), (lock, AMBER), (circle(12.25, 5.2, 0.35), INK), (rect(12.1, 5.2, 12.4, 6.3), INK),
            (minus(key, circle(4.5, 4.5, 0.6)), BRAND)]


def compliance() -> list[tuple[Shape, RGB]]:
    return [*laptop(3.5, 1.8, 8.0, 5.0), (shield(7.5, 3.9, 1.2), BRAND),
            (stroke([(7.0, 3.9), (7.4, 4.3), (8.1, 3.5)], 0.22), WHITE), *check(11.7, 6.4, 0.9)]


def apps() -> list[tuple[Shape, RGB]]:
    layers: list[tuple[Shape, RGB]] = []
    for row in range(2):
        for col in range(3):
            x, y = 3.5 + col * 3.3, 1.5 + row * 3.3
            colour = BRAND if (row, col) != (1, 2) else GREY
            layers.append((rounded(x, y, x + 2.6, y + 2.6, 0.4), colour))
    return layers + check(5.9, 1.7, 0.55) + cross(12.5, 5.0, 0.55)


def outlook() -> list[tuple[Shape, RGB]]:
    envelope = rounded(4.0, 2.0, 12.0, 7.0, 0.3)
    return [(envelope, BRAND), (stroke([(4.3, 2.3), (8.0, 5.0), (11.7, 2.3)], 0.3), WHITE),
            (circle(12.0, 2.2, 1.0), AMBER), (rect(11.85, 1.6, 12.15, 2.4), WHITE), (circle(12.0, 2.75, 0.17), WHITE)]


def labels() -> list[tuple[Shape, RGB]]:
    page = polygon((4.5, 1.0), (9.5, 1.0), (11.0, 2.5), (11.0, 8.0), (4.5, 8.0))
    tag = polygon((9.0, 5.0), (12.5, 5.0), (13.5, 6.0), (12.5, 7.0), (9.0, 7.0))
    return [(page, WHITE), (frame(4.5, 1.0, 11.0, 8.0, 0.05, 0.12), INK),
            *lines(5.3, 2.2, 4.5, 5), (tag, AMBER), (circle(12.4, 6.0, 0.25), WHITE)]


def cloud() -> list[tuple[Shape, RGB]]:
    shape = union(circle(6.5, 4.6, 1.8), circle(8.8, 3.6, 2.3), circle(11.0, 4.9, 1.6), rect(6.5, 4.6, 11.0, 6.5),
                  circle(6.5, 5.2, 1.3), circle(11.0, 5.2, 1.3))
    folder = union(rounded(7.2, 4.6, 10.6, 7.4, 0.2), rounded(7.2, 4.2, 8.6, 5.0, 0.2))
    return [(shape, BRAND), (folder, AMBER), (rect(7.4, 5.2, 10.4, 5.35), WHITE)]


def teams() -> list[tuple[Shape, RGB]]:
    left = union(rounded(2.5, 1.5, 9.0, 4.8, 0.6), polygon((3.5, 4.6), (4.8, 4.6), (3.2, 6.0)))
    right = union(rounded(7.0, 4.2, 13.5, 7.5, 0.6), polygon((12.4, 7.3), (11.2, 7.3), (12.8, 8.5)))
    return [(left, WHITE), *lines(3.3, 2.3, 4.8, 3, 0.7), (right, BRAND),
            (rounded(7.8, 5.1, 12.5, 5.35, 0.1), WHITE), (rounded(7.8, 6.1, 10.8, 6.35, 0.1), WHITE)]


def security() -> list[tuple[Shape, RGB]]:
    return [(shield(8.0, 3.7, 2.4), BRAND), (shield(8.0, 3.8, 1.9), WHITE),
            (shield(8.0, 3.85, 1.6), BRAND),
            (stroke([(7.0, 4.1), (7.8, 4.9), (9.2, 3.3)], 0.4), WHITE)]


PICTURES = {
    "mfa-sign-in": mfa, "password-reset": password, "device-compliance": compliance, "allowed-apps": apps,
    "outlook": outlook, "sensitivity-labels": labels, "sharepoint-onedrive": cloud, "teams": teams,
    "windows-security": security,
}


def render(layers: list[tuple[Shape, RGB]]) -> list[bytes]:
    scale = 9.0 / HEIGHT
    rows = []
    for py in range(HEIGHT):
        row = bytearray()
        for px in range(WIDTH):
            r, g, b = (float(c) for c in PANEL)
            for shape, (lr, lg, lb) in layers:
                hits = sum(shape((px + (sx + 0.5) / SAMPLES) * scale, (py + (sy + 0.5) / SAMPLES) * scale)
                           for sy in range(SAMPLES) for sx in range(SAMPLES))
                if hits:
                    a = hits / (SAMPLES * SAMPLES)
                    r, g, b = r + (lr - r) * a, g + (lg - g) * a, b + (lb - b) * a
            row += bytes((round(r), round(g), round(b)))
        rows.append(bytes(row))
    return rows


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(PICTURES):
        (OUT / f"{name}.png").write_bytes(png_bytes(WIDTH, HEIGHT, render(PICTURES[name]()), alpha=False))
        print(f"wrote {OUT / name}.png")


if __name__ == "__main__":
    main(sys.argv[1:])
