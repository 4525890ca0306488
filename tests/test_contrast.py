"""The text colours the cards may use reach WCAG AA (4.5:1) on the Agents Playground's light
theme, measured from the host config the playground ships (Teams' own light theme uses the same
palette); "Good" does not, which is why the cards don't use it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from card_reading import THEME_COLOURS

BUNDLE = Path(__file__).resolve().parents[1] / "node_modules" / "@microsoft" / "m365agentsplayground" / "dist"
AA = 4.5


def host_config_styles() -> dict:
    """The playground's Adaptive Card host config `containerStyles`, read from its web bundle."""
    for script in sorted(BUNDLE.glob("client/static/js/main.*.js")):
        source = script.read_text(encoding="utf-8", errors="replace")
        start = source.find('"containerStyles":{"default":{"foregroundColors"')
        if start < 0:
            continue
        start = source.index("{", start + len('"containerStyles":'))
        depth = 0
        for end in range(start, len(source)):
            depth += {"{": 1, "}": -1}.get(source[end], 0)
            if depth == 0:
                return json.loads(source[start:end + 1])
    raise AssertionError(f"no host config in {BUNDLE}: is node_modules installed (npm ci)?")


def rgb(colour: str, over: tuple[float, float, float] = (255, 255, 255)) -> tuple[float, ...]:
    """#RRGGBB or #AARRGGBB (alpha first, as Adaptive Cards writes it) blended over `over`."""
    digits = colour.lstrip("#")
    alpha = int(digits[:2], 16) / 255 if len(digits) == 8 else 1.0
    channels = [int(digits[i:i + 2], 16) for i in range(len(digits) - 6, len(digits), 2)]
    return tuple(alpha * c + (1 - alpha) * o for c, o in zip(channels, over))


def luminance(colour: tuple[float, ...]) -> float:
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: tuple[float, ...], background: tuple[float, ...]) -> float:
    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


STYLES = host_config_styles() if BUNDLE.is_dir() else {}


def test_good_on_white_fails_aa_as_reported() -> None:
    good = STYLES["default"]["foregroundColors"]["good"]["default"]
    assert round(contrast(rgb(good), rgb(STYLES["default"]["backgroundColor"])), 2) == 2.07


# Where the cards put text: default text (normal and subtle) and Attention text (never subtle,
# card_reading.assert_theme_aware checks it) on the plain and emphasis containers; the "good"
# container (a passed quiz) holds default text only.
PLACES = [(style, "Default", shade) for style in ("default", "emphasis", "good") for shade in ("default", "subtle")]
PLACES += [(style, "Attention", "default") for style in ("default", "emphasis")]


def test_every_allowed_colour_is_measured() -> None:
    assert {colour for _, colour, _ in PLACES} == THEME_COLOURS


@pytest.mark.parametrize(("style", "colour", "shade"), PLACES)
def test_allowed_colours_reach_aa_where_the_cards_use_them(style: str, colour: str, shade: str) -> None:
    container = STYLES[style]
    background = rgb(container["backgroundColor"])
    foreground = container["foregroundColors"][colour.lower()][shade]
    assert contrast(rgb(foreground, background), background) >= AA, (style, colour, foreground)


def test_the_cards_use_only_container_styles_measured_here() -> None:
    used = set()
    for path in (Path(__file__).resolve().parents[1] / "cards").glob("*.py"):
        used |= set(re.findall(r'style="(default|emphasis|good|attention|warning|accent)"', path.read_text()))
    assert used <= {"default", "emphasis", "good"}, used
