"""Text a worker typed, made safe to store and to print: no control characters."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (ESC starts terminal sequences:
# colours, clearing the screen, OSC 8 hyperlinks; CSI is also a single C1 byte, U+009B).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """`text` without C0/C1 control characters; newline and tab are kept."""
    return _CONTROLS.sub("", text)
