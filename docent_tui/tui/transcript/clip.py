"""The size guard: very long text shows its head and says how much is hidden, never silently."""

from __future__ import annotations

from dataclasses import dataclass

from docent_tui.core.sanitize import neutralize
from docent_tui.tui.transcript.media import Blob, find_blob

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
    # Spans of `text` that are placeholders for folded base64 blobs.
    placeholders: tuple[tuple[int, int], ...] = ()

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


def _hidden_after(text: str, cut: int) -> tuple[int, int]:
    """(lines, characters) of `text` from `cut` on, as `Clipped` counts them."""
    if cut >= len(text):
        return 0, 0
    start = cut + 1 if text.startswith("\n", cut) else cut
    lines = text.count("\n", start) + 1 if start < len(text) else 0
    return lines, len(text) - cut


def _segments(
    text: str, max_lines: int, max_chars: int
) -> tuple[list[tuple[int, int, Blob | None]], bool]:
    """Plain stretches and blobs from the start of `text` until it is past a limit.

    Returns the segments and whether the whole text fits the limits. A blob counts as its
    placeholder's length; only blobs within reach of the limits are looked for.
    """
    segments: list[tuple[int, int, Blob | None]] = []
    position = shown = newlines = 0
    while position < len(text):
        reach = max_chars + 1 - shown
        if reach <= 0 or newlines >= max_lines:
            return segments, False
        blob = find_blob(text, position, position + reach)
        end = blob.start if blob is not None else min(len(text), position + reach)
        if end > position:
            segments.append((position, end, None))
            shown += end - position
            newlines += text.count("\n", position, end)
            position = end
        if blob is not None:
            segments.append((blob.start, blob.end, blob))
            shown += len(blob.label)
            position = blob.end
    return segments, shown <= max_chars and newlines < max_lines


def _head(
    text: str, segments: list[tuple[int, int, Blob | None]], max_lines: int, head_chars: int
) -> tuple[list[tuple[int, int, Blob | None]], int]:
    """The segments of the head (at most `max_lines` lines and `head_chars` characters)."""
    head: list[tuple[int, int, Blob | None]] = []
    shown = newlines = 0
    for start, end, blob in segments:
        if blob is not None:
            if shown + len(blob.label) > head_chars:
                return head, start
            head.append((start, end, blob))
            shown += len(blob.label)
            continue
        if newlines >= max_lines:
            return head, start
        stop = min(end, start + head_chars - shown)
        position = start - 1
        for _ in range(max_lines - newlines):
            position = text.find("\n", position + 1, stop)
            if position < 0:
                break
        else:
            head.append((start, position, None))
            return head, position
        head.append((start, stop, None))
        newlines += text.count("\n", start, stop)
        shown += stop - start
        if stop < end:
            return head, stop
    return head, segments[-1][1] if segments else 0


def show_text(
    text: str,
    max_lines: int = MAX_LINES,
    max_chars: int = MAX_CHARS,
    head_chars: int = HEAD_CHARS,
) -> Clipped:
    """`text` ready for the screen: neutralised, blobs folded, cut like `clip`.

    The counts of what is hidden refer to the original text (what `$PAGER` would show). The
    work is proportional to the part shown, not to the length of `text`.
    """
    segments, fits = _segments(text, max_lines, max_chars)
    cut = len(text)
    if not fits:
        segments, cut = _head(text, segments, max_lines, min(head_chars, max_chars))
    pieces: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    for start, end, blob in segments:
        if blob is None:
            piece = neutralize(text[start:end].replace("\r\n", "\n"))
        else:
            piece = blob.label
            spans.append((length, length + len(piece)))
        pieces.append(piece)
        length += len(piece)
    hidden_lines, hidden_chars = _hidden_after(text, cut)
    return Clipped("".join(pieces), hidden_lines, hidden_chars, tuple(spans))
