"""Render one transcript item into Strips at a given width (Rich renderables, never markup).

Every string taken from the data goes through `neutralize` and into `Text(...)` (or, for
Markdown, into a parser whose output Rich turns into Text); nothing is parsed as Rich or Textual
markup, and no hyperlinks are made. Work is proportional to what is shown: blocks are cut to
their limits before anything is laid out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.color import Color
from textual.strip import Strip

from docent_tui.core.models import (
    AssistantMessage,
    ChatMessage,
    RawMessage,
    SystemMessage,
    ToolMessage,
    UserMessage,
)
from docent_tui.core.sanitize import one_line
from docent_tui.tui.transcript.blocks import (
    COLLAPSED,
    EXPANDED_CHARS,
    EXPANDED_LINES,
    MAX_MESSAGE_LINES,
    Block,
    Label,
    Limits,
    Part,
    Prepared,
    StyleName,
    expanded_limits,
    prepare,
)
from docent_tui.tui.transcript.clip import Clipped
from docent_tui.tui.transcript.items import GUTTER, Item
from docent_tui.tui.transcript.markdown import DARK_CODE_THEME, LIGHT_CODE_THEME, SafeMarkdown

ROLES = ("system", "user", "assistant", "tool", "unknown")
# Plain text longer than this is folded at the width (fast) instead of word-wrapped by Rich.
FAST_WRAP_CHARS = 100_000
_EXPAND_HINT = " · space to expand"
_PAGER_HINT = " · o opens the whole message in $PAGER"


@dataclass(frozen=True)
class Palette:
    """Rich styles for the viewer, derived from the app theme."""

    roles: Mapping[str, Style]
    address: Style
    meta: Style
    reasoning: Style
    error: Style
    notice: Style
    separator: Style
    placeholder: Style
    match: Style
    current: Style
    dark: bool

    def role(self, name: str) -> Style:
        """The style of a role (`unknown` for anything unlisted)."""
        return self.roles.get(name, self.roles["unknown"])

    def named(self, name: StyleName) -> Style:
        """The style a part of a message asks for by name."""
        if name == "tool":
            return self.role("tool")
        if name == "reasoning_marker":
            return self.reasoning + Style(bold=True)
        if name == "":
            return Style()
        style: Style = getattr(self, name)
        return style


def _colour(variables: Mapping[str, str], name: str, fallback: str) -> Color:
    """A theme colour made opaque over the background."""
    background = Color.parse(variables.get("background", "#000000"))
    try:
        colour = Color.parse(variables.get(name, fallback))
    except Exception:
        colour = Color.parse(fallback)
    return background + colour


def palette_from_variables(variables: Mapping[str, str], dark: bool = True) -> Palette:
    """Role colours and accents from Textual theme variables (`app.theme_variables`)."""

    def rich(name: str, fallback: str) -> Any:
        return _colour(variables, name, fallback).rich_color

    primary = _colour(variables, "text-primary", "#57A5E2")
    error = _colour(variables, "text-error", "#D17E92")
    roles = {
        "system": Style(color=rich("foreground-muted", "#999999"), bold=True),
        "user": Style(color=rich("text-success", "#8AD4A1"), bold=True),
        "assistant": Style(color=primary.rich_color, bold=True),
        "tool": Style(color=rich("text-accent", "#FFC473"), bold=True),
        "unknown": Style(color=primary.blend(error, 0.5).rich_color, bold=True),
    }
    muted = rich("foreground-muted", "#999999")
    return Palette(
        roles=roles,
        address=Style(color=muted),
        meta=Style(color=rich("foreground", "#E0E0E0")),
        reasoning=Style(color=muted, italic=True),
        error=Style(color=rich("text-error", "#D17E92"), bold=True),
        notice=Style(color=rich("text-warning", "#FFC473"), italic=True),
        separator=Style(
            color=rich("foreground", "#E0E0E0"), bgcolor=rich("panel", "#242F38"), bold=True
        ),
        placeholder=Style(color=rich("text-secondary", "#5684A5"), italic=True),
        match=Style(color=rich("background", "#1E1E1E"), bgcolor=rich("warning", "#FFA62B")),
        current=Style(bgcolor=rich("panel", "#242F38")),
        dark=dark,
    )


def role_name(message: ChatMessage) -> str:
    """The palette role for a message."""
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, UserMessage):
        return "user"
    if isinstance(message, AssistantMessage):
        return "assistant"
    if isinstance(message, ToolMessage):
        return "tool"
    return "unknown"


def header_text(item: Item, palette: Palette) -> Text:
    """`assistant  T0B3  gpt-4o` / `tool  T0B4  bash  call_1  ✗ error`."""
    message = item.message
    assert message is not None
    role = role_name(message)
    shown_role = message.role if role == "unknown" else role
    if isinstance(message, RawMessage):
        shown_role = "unreadable message"
    header = Text(
        one_line(shown_role, 40),
        style=palette.role(role),
        end="",
        no_wrap=True,
        overflow="ellipsis",
    )
    header.append(f"  {item.address}", style=palette.address)
    detail: str | None = None
    if isinstance(message, AssistantMessage):
        detail = message.model
    elif isinstance(message, ToolMessage):
        detail = message.function
    if detail:
        header.append("  " + one_line(detail, 80), style=palette.meta)
    if isinstance(message, ToolMessage):
        if isinstance(message.tool_call_id, str) and message.tool_call_id:
            header.append("  " + one_line(message.tool_call_id, 60), style=palette.address)
        if message.error is not None:
            header.append("  ✗ error", style=palette.error)
    return header


# --- turning renderables into lines -------------------------------------------------------------

# One rendered line: segments filling exactly the width they were rendered at.
Line = list[Segment]


def _rows(console: Console, renderables: Iterable[RenderableType], width: int) -> list[Line]:
    """Render to lines of exactly `width` cells."""
    options = console.options.update(width=width, height=None, highlight=False, markup=False)
    lines: list[Line] = []
    for renderable in renderables:
        lines.extend(console.render_lines(renderable, options, pad=True))
    return lines


def _lines(console: Console, renderables: Iterable[RenderableType], width: int) -> list[Strip]:
    """Render to strips of exactly `width` cells."""
    return [Strip(line, width) for line in _rows(console, renderables, width)]


def _chunks(line: str, width: int) -> list[str]:
    """A line cut into pieces of at most `width` cells (an empty line stays one piece)."""
    if not line:
        return [""]
    if line.isascii():
        return [line[index : index + width] for index in range(0, len(line), width)]
    return chop_cells(line, width) or [""]


def _padded(segments: Line, cells: int, width: int, style: Style) -> Line:
    if cells < width:
        segments.append(Segment(" " * (width - cells), style))
    return segments


def _fold(text: Text, width: int, console: Console) -> list[Line]:
    """Fold a long plain text at exactly `width` cells, without Rich's word wrapping.

    Rich wraps a megabyte in about a second; cutting at the width is linear and cheap.
    """
    if "\t" in text.plain:
        text.expand_tabs(4)
    base = console.get_style(text.style) if isinstance(text.style, str) else text.style
    lines: list[Line] = []
    if not text.spans:
        for plain_line in text.plain.split("\n"):
            for chunk in _chunks(plain_line, width):
                lines.append(_padded([Segment(chunk, base)], cell_len(chunk), width, base))
        return lines
    for line in text.split("\n", allow_blank=True):
        offsets: list[int] = []
        position = 0
        for chunk in _chunks(line.plain, width)[:-1]:
            position += len(chunk)
            offsets.append(position)
        for piece in line.divide(offsets) if offsets else [line]:
            segments = list(piece.render(console, end=""))
            lines.append(_padded(segments, cell_len(piece.plain), width, base))
    return lines


def _highlight_segments(
    line: list[Segment], pattern: re.Pattern[str], style: Style
) -> list[Segment]:
    """A rendered line with `style` laid over every match of `pattern` in its text."""
    plain = "".join(segment.text for segment in line)
    matches = [found.span() for found in pattern.finditer(plain) if found.end() > found.start()]
    if not matches:
        return line
    result: list[Segment] = []
    offset = 0
    for segment in line:
        text, seg_style, control = segment
        start, end = offset, offset + len(text)
        offset = end
        cuts = {start, end}
        for match_start, match_end in matches:
            if match_start < end and match_end > start:
                cuts.update((max(start, match_start), min(end, match_end)))
        bounds = sorted(cuts)
        for left, right in pairwise(bounds):
            piece = text[left - start : right - start]
            piece_style = seg_style
            if any(a <= left and right <= b for a, b in matches):
                piece_style = seg_style + style if seg_style is not None else style
            result.append(Segment(piece, piece_style, control))
    return result


class _Highlighted:
    """A renderable with search matches highlighted on its rendered lines (for Markdown)."""

    def __init__(self, renderable: RenderableType, pattern: re.Pattern[str], style: Style) -> None:
        self.renderable = renderable
        self.pattern = pattern
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in console.render_lines(self.renderable, options, pad=False):
            yield from _highlight_segments(line, self.pattern, self.style)
            yield Segment.line()


# --- one message ---------------------------------------------------------------------------------


def _label_rows(label: Label, width: int, palette: Palette, console: Console) -> list[Line]:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    for run, style in label.styled_runs():
        text.append(run, style=palette.named(style))
    text.truncate(width, overflow="ellipsis")
    return _rows(console, [text], width)


def _json_text(code: str, palette: Palette) -> Text:
    """JSON highlighted by pygments, as a Text that can take search highlights."""
    theme = DARK_CODE_THEME if palette.dark else LIGHT_CODE_THEME
    text = Syntax(code, "json", theme=theme, word_wrap=True).highlight(code)
    text.rstrip()
    text.overflow = "fold"
    text.no_wrap = False
    text.end = ""
    return text


def _plain_text(shown: Clipped, style: Style, palette: Palette) -> Text:
    text = Text(shown.text, style=style, overflow="fold", end="")
    for start, end in shown.placeholders:
        text.stylize(palette.placeholder, start, end)
    return text


def _block_rows(
    prepared: Prepared,
    style: Style,
    width: int,
    palette: Palette,
    console: Console,
    search: re.Pattern[str] | None,
) -> list[Line]:
    shown = prepared.shown
    if prepared.syntax == "markdown":
        markdown = SafeMarkdown(shown.text, dark=palette.dark)
        if markdown.fits(width):
            renderable: RenderableType = markdown
            if search is not None:
                renderable = _Highlighted(markdown, search, palette.match)
            try:
                return _rows(console, [renderable], width)
            except Exception:  # Markdown that Rich cannot lay out is still shown, as text
                pass
    text = _json_text(shown.text, palette) if prepared.syntax == "json" else None
    if text is None:
        text = _plain_text(shown, style, palette)
    if search is not None:
        text.highlight_regex(search, palette.match)
    if len(shown.text) > FAST_WRAP_CHARS:
        return _fold(text, width, console)
    return _rows(console, [text], width)


class _Body:
    """The lines of a message body, kept within the message's guard."""

    def __init__(self, width: int, expanded: bool) -> None:
        self.width = width
        self.expanded = expanded
        self.lines: list[Line] = []
        self.lines_left = EXPANDED_LINES if expanded else MAX_MESSAGE_LINES
        self.chars_left = EXPANDED_CHARS
        self.hidden_lines = 0
        self.hidden_chars = 0

    @property
    def full(self) -> bool:
        return self.lines_left <= 0

    def add(self, lines: list[Line]) -> None:
        if len(lines) > self.lines_left:
            self.hidden_lines += len(lines) - self.lines_left
            lines = lines[: self.lines_left]
        self.lines.extend(lines)
        self.lines_left -= len(lines)

    def skip(self, part: Part) -> None:
        """Count a part that is not drawn because the guard is reached."""
        if isinstance(part, Block) and part.text is not None:
            self.hidden_lines += part.text.count("\n") + 1
            self.hidden_chars += len(part.text)
        else:
            self.hidden_lines += 1

    def limits_for(self, block: Block) -> Limits:
        if not self.expanded:
            return COLLAPSED[block.kind]
        return expanded_limits(self.lines_left, self.chars_left, self.width)

    def notice(self) -> str:
        if not self.expanded:
            return f"… message cut: {self.hidden_lines:,}+ more lines not shown"
        if self.hidden_lines > 1:
            return f"… {self.hidden_lines:,} more lines not shown here{_PAGER_HINT}"
        return f"… {self.hidden_chars:,} more characters not shown here{_PAGER_HINT}"


def _body_rows(
    item: Item,
    width: int,
    palette: Palette,
    console: Console,
    expanded: bool,
    search: re.Pattern[str] | None,
) -> list[Line]:
    body = _Body(width, expanded)
    for part in item.parts():
        if body.full:
            body.skip(part)
            continue
        if isinstance(part, Label):
            body.add(_label_rows(part, width, palette, console))
            continue
        prepared = prepare(part, body.limits_for(part))
        shown = prepared.shown
        body.add(_block_rows(prepared, palette.named(part.style), width, palette, console, search))
        body.chars_left -= len(shown.text)
        if shown.clipped and expanded:
            # Expanded, only the message's guard cuts a block: the rest of it is the rest of
            # the message, told in the message's notice.
            body.hidden_lines += shown.hidden_lines
            body.hidden_chars += shown.hidden_chars
            body.lines_left = 0
        elif shown.clipped:
            notice = Text(shown.notice() + _EXPAND_HINT, style=palette.notice, end="")
            body.lines.extend(_rows(console, [notice], width))
    if body.hidden_lines or body.hidden_chars:
        notice = Text(body.notice(), style=palette.notice, end="")
        body.lines.extend(_rows(console, [notice], width))
    return body.lines


def render_item(
    item: Item,
    width: int,
    palette: Palette,
    console: Console,
    *,
    expanded: bool = False,
    search: re.Pattern[str] | None = None,
) -> list[Strip]:
    """The item's lines at `width`, each exactly `width` cells wide.

    `expanded` shows collapsed parts in full (up to the per-message guard); `search` lays the
    match style over every match in the message's text, arguments, results and errors.
    """
    width = max(1, width)
    if item.kind == "separator":
        label = Text(f" {item.label} ", style=palette.separator, overflow="ellipsis", end="")
        label.truncate(width, overflow="ellipsis", pad=True)
        return [*_lines(console, [label], width), Strip.blank(width)]
    if item.kind == "notice":
        notice = Text(item.label, style=palette.address, end="")
        return [*_lines(console, [notice], width), Strip.blank(width)]
    message = item.message
    assert message is not None
    header = header_text(item, palette)
    header.truncate(width, overflow="ellipsis")
    strips = _lines(console, [header], width)
    body_width = max(1, width - GUTTER)
    body = _body_rows(item, body_width, palette, console, expanded, search)
    if width - GUTTER < 1:
        strips.extend(Strip(line, width) for line in body)
    else:
        gutter = Segment("│ ", palette.role(role_name(message)) + Style(bold=False))
        strips.extend(Strip([gutter, *line], width) for line in body)
    strips.append(Strip.blank(width))
    return strips


def error_strips(
    item: Item, width: int, problem: str, palette: Palette, console: Console
) -> list[Strip]:
    """Stand-in lines for an item whose rendering failed, so one bad item never blanks the run."""
    where = item.address or item.kind
    text = Text(one_line(f"{where}: could not render ({problem})"), style=palette.error, end="")
    return [*_lines(console, [text], max(1, width)), Strip.blank(max(1, width))]
