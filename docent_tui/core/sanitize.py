"""Make untrusted text safe to put on a terminal: no control sequences survive."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidi/format characters that can
# reorder or hide text on screen.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_ANSI_SGR = re.compile(r"\x1b\[[0-9;]*m")


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # Unicode "control pictures": ␛, ␀, ␍ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"<U+{code:04X}>"


def neutralize(text: str) -> str:
    """Replace every control or text-reordering character with a visible stand-in.

    Tabs and newlines are kept; carriage returns become ␍ so they cannot overwrite a line.
    """
    return _UNSAFE.sub(_visible, text)


def one_line(text: str, limit: int | None = None) -> str:
    """Neutralise `text` and fold it onto one line, marking a cut with an ellipsis."""
    flat = neutralize(text).replace("\n", " ⏎ ").replace("\t", " ")
    if limit is not None and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


def strip_sgr(text: str) -> str:
    """Drop ANSI colour/underline codes (sqlglot puts them in parse errors)."""
    return _ANSI_SGR.sub("", text)
