"""Render one transcript item into Strips at a given width (Rich renderables, never markup).

Every string taken from the data goes through `neutralize` and into `Text(...)`; nothing is
parsed as Rich or Textual markup, and no hyperlinks are made.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console, RenderableType
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
    ReasoningContent,
    SystemMessage,
    TextContent,
    ToolCall,
    ToolMessage,
    UnknownContent,
    UserMessage,
    to_json_text,
)
from docent_tui.core.sanitize import neutralize, one_line
from docent_tui.tui.transcript.clip import clip
from docent_tui.tui.transcript.items import GUTTER, Item
from docent_tui.tui.transcript.media import describe_media, raw_preview

ROLES = ("system", "user", "assistant", "tool", "unknown")
# Tool arguments larger than this are shown as plain text instead of highlighted JSON.
SYNTAX_LIMIT = 20_000
# A message's body never renders more lines than this, whatever its blocks hold.
MAX_MESSAGE_LINES = 2_000
# Unknown content items show at most this much raw JSON.
_RAW_LINES = 40
_RAW_CHARS = 4_000


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
    dark: bool

    def role(self, name: str) -> Style:
        """The style of a role (`unknown` for anything unlisted)."""
        return self.roles.get(name, self.roles["unknown"])


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


def _safe(text: str, style: Style | str = "") -> Text:
    """Untrusted text as a Rich Text: neutralised, folded when too long, never markup."""
    return Text(neutralize(text.replace("\r\n", "\n")), style=style, overflow="fold", end="")


def _text_block(text: str, style: Style | str, palette: Palette) -> list[RenderableType]:
    """A text with the size guard applied."""
    if not text:
        return []
    shown = clip(text)
    blocks: list[RenderableType] = [_safe(shown.text, style)]
    if shown.clipped:
        # TODO: an expand key (space) to show the whole block, and `o` to open it in $PAGER.
        blocks.append(Text(shown.notice(), style=palette.notice, end=""))
    return blocks


def _arguments_block(call: ToolCall, palette: Palette) -> list[RenderableType]:
    """Tool call arguments: pretty JSON (highlighted when small), or the raw string as given."""
    arguments = call.arguments
    if isinstance(arguments, str):
        return _text_block(arguments, "", palette)
    if isinstance(arguments, dict) and not arguments:
        return []
    code = to_json_text(arguments, indent=2)
    shown = clip(code)
    blocks: list[RenderableType]
    if len(shown.text) <= SYNTAX_LIMIT:
        theme = "ansi_dark" if palette.dark else "ansi_light"
        blocks = [Syntax(neutralize(shown.text), "json", theme=theme, word_wrap=True)]
    else:
        blocks = [_safe(shown.text)]
    if shown.clipped:
        blocks.append(Text(shown.notice(), style=palette.notice, end=""))
    return blocks


def _tool_call_blocks(call: ToolCall, palette: Palette) -> list[RenderableType]:
    line = Text("→ ", style=palette.role("tool"), end="")
    line.append(one_line(call.function or "(no function)", 120), style=palette.role("tool"))
    if call.id:
        line.append("  " + one_line(call.id, 60), style=palette.address)
    blocks: list[RenderableType] = [line]
    if call.parse_error:
        blocks.append(_safe("parse error: " + call.parse_error, palette.error))
    blocks.extend(_arguments_block(call, palette))
    return blocks


def _unknown_item_blocks(part: UnknownContent, palette: Palette) -> list[RenderableType]:
    placeholder = describe_media(part)
    if placeholder is not None:
        return [Text(placeholder, style=palette.placeholder, end="")]
    label = Text(f"[{one_line(part.type, 40)} content]", style=palette.placeholder, end="")
    shown = clip(raw_preview(part.raw), _RAW_LINES, _RAW_CHARS, _RAW_CHARS)
    blocks: list[RenderableType] = [label, _safe(shown.text, palette.address)]
    if shown.clipped:
        blocks.append(Text(shown.notice(), style=palette.notice, end=""))
    return blocks


def _reasoning_blocks(part: ReasoningContent, palette: Palette) -> list[RenderableType]:
    marker = "✻ reasoning"
    if part.redacted:
        marker += " [redacted]" + (" · summary" if part.summary else "")
    marker_style = palette.reasoning + Style(bold=True)
    blocks: list[RenderableType] = [Text(marker, style=marker_style, end="")]
    if not part.redacted or part.summary:
        blocks.extend(_text_block(part.display_text, palette.reasoning, palette))
    return blocks


def header_text(item: Item, palette: Palette) -> Text:
    """`assistant  T0B3  gpt-4o` / `tool  T0B4  bash  ✗ error`."""
    message = item.message
    assert message is not None
    role = role_name(message)
    shown_role = message.role if role == "unknown" else role
    if isinstance(message, RawMessage):
        shown_role = "unreadable message"
    header = Text(one_line(shown_role, 40), style=palette.role(role), end="")
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


def body_blocks(message: ChatMessage, palette: Palette) -> list[RenderableType]:
    """Everything under a message's header."""
    blocks: list[RenderableType] = []
    if isinstance(message, RawMessage):
        blocks.append(_safe(message.problem or "could not read this message", palette.error))
    if isinstance(message, ToolMessage) and message.error is not None:
        blocks.append(_safe("✗ " + (message.error_text or "error"), palette.error))
    for part in message.content_items:
        if isinstance(part, TextContent):
            if part.refusal:
                blocks.append(Text("refusal", style=palette.error, end=""))
            blocks.extend(_text_block(part.text, "", palette))
        elif isinstance(part, ReasoningContent):
            blocks.extend(_reasoning_blocks(part, palette))
        else:
            blocks.extend(_unknown_item_blocks(part, palette))
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            blocks.extend(_tool_call_blocks(call, palette))
    if not blocks:
        blocks.append(Text("(empty)", style=palette.address, end=""))
    return blocks


def _lines(
    console: Console,
    renderables: Iterable[RenderableType],
    width: int,
    budget: int | None = None,
) -> list[Strip]:
    """Render to strips of exactly `width` cells; stop once past `budget` lines."""
    options = console.options.update(width=width, height=None, highlight=False, markup=False)
    strips: list[Strip] = []
    for renderable in renderables:
        if budget is not None and len(strips) > budget:
            break
        for line in console.render_lines(renderable, options, pad=True):
            strips.append(Strip(line, width))
    return strips


def render_item(item: Item, width: int, palette: Palette, console: Console) -> list[Strip]:
    """The item's lines at `width`, each exactly `width` cells wide."""
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
    strips = _lines(console, [header_text(item, palette)], width)
    body_width = max(1, width - GUTTER)
    body = _lines(console, body_blocks(message, palette), body_width, MAX_MESSAGE_LINES)
    if len(body) > MAX_MESSAGE_LINES:
        hidden = len(body) - MAX_MESSAGE_LINES
        # TODO: the expand key will lift this cap too.
        notice = Text(f"… message cut: {hidden:,}+ more lines not shown", style=palette.notice)
        body = body[:MAX_MESSAGE_LINES] + _lines(console, [notice], body_width)
    if width - GUTTER < 1:
        strips.extend(body)
    else:
        gutter = Strip([Segment("│ ", palette.role(role_name(message)) + Style(bold=False))], 2)
        strips.extend(Strip.join([gutter, line]) for line in body)
    strips.append(Strip.blank(width))
    return strips


def error_strips(
    item: Item, width: int, problem: str, palette: Palette, console: Console
) -> list[Strip]:
    """Stand-in lines for an item whose rendering failed, so one bad item never blanks the run."""
    where = item.address or item.kind
    text = Text(one_line(f"{where}: could not render ({problem})"), style=palette.error, end="")
    return [*_lines(console, [text], max(1, width)), Strip.blank(max(1, width))]
