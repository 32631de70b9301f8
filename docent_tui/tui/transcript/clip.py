"""The size guard: very long text shows its head and says how much is hidden, never silently."""

from __future__ import annotations

from dataclasses import dataclass

# A block longer than this many lines or characters is cut to its head.
MAX_LINES = 400
MAX_CHARS = 100_000
# The head of a cut block: at most MAX_LINES lines and at most this many characters, so a
# megabyte on one line never reaches the wrapper.
HEAD_CHARS = 20_000


@dataclass(frozen=True)
class Clipped:
    """The part of a text to show, and what was left out."""

    text: str
    hidden_lines: int = 0
    hidden_chars: int = 0

    @property
    def clipped(self) -> bool:
        """True when part of the text is not shown."""
        return self.hidden_chars > 0

    def notice(self) -> str:
        """The line that says what is hidden."""
        if self.hidden_lines <= 1:
            return f"… {self.hidden_chars:,} more characters not shown"
        return f"… {self.hidden_lines:,} more lines ({self.hidden_chars:,} characters) not shown"


def needs_clip(text: str, max_lines: int = MAX_LINES, max_chars: int = MAX_CHARS) -> bool:
    """True when `text` is over either limit."""
    return len(text) > max_chars or text.count("\n", 0, max_chars + 1) >= max_lines


def clip(
    text: str,
    max_lines: int = MAX_LINES,
    max_chars: int = MAX_CHARS,
    head_chars: int = HEAD_CHARS,
) -> Clipped:
    """The head of `text` when it is over the limits, else all of it.

    A line cut in the middle counts as hidden in `hidden_lines`.
    """
    if not needs_clip(text, max_lines, max_chars):
        return Clipped(text)
    end = min(len(text), head_chars)
    position = -1
    for _ in range(max_lines):
        position = text.find("\n", position + 1, end)
        if position < 0:
            break
    else:
        end = position
    head = text[:end]
    rest = text[end:]
    if rest.startswith("\n"):
        rest = rest[1:]
    hidden_lines = rest.count("\n") + 1 if rest else 0
    return Clipped(head, hidden_lines, len(text) - len(head))


def text_size(text: str) -> tuple[int, int, bool]:
    """(characters, newlines) of what `clip` would show, and whether it cuts; cheap."""
    if len(text) <= MAX_CHARS:
        newlines = text.count("\n")
        if newlines < MAX_LINES:
            return len(text), newlines, False
    shown = min(len(text), HEAD_CHARS)
    return shown, min(text.count("\n", 0, shown), MAX_LINES - 1), True
