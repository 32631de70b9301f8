"""The flat list of things the transcript viewer draws, and cheap height estimates for them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    RawMessage,
    ReasoningContent,
    TextContent,
    ToolMessage,
    UnknownContent,
)
from docent_tui.core.sanitize import one_line
from docent_tui.core.tree import (
    OrderedTranscript,
    group_label,
    message_address,
    ordered_transcripts,
)
from docent_tui.tui.transcript.clip import text_size

ItemKind = Literal["separator", "message", "notice"]

# Columns taken by the coloured gutter in front of a message's body.
GUTTER = 2
# Lines guessed for the JSON of an unknown content item before it is rendered.
_RAW_ITEM_LINES = 6


@dataclass
class Item:
    """One drawable unit: a transcript separator, a message, or a one-line notice."""

    kind: ItemKind
    transcript_index: int
    block: int = -1
    message: ChatMessage | None = None
    label: str = ""
    # Lines that do not depend on the width, and characters of text that wraps with the width.
    fixed_lines: int = 2
    text_chars: int = 0

    @property
    def address(self) -> str | None:
        """`T{t}B{b}` for a message, None otherwise."""
        if self.kind != "message":
            return None
        return message_address(self.transcript_index, self.block)

    def estimate(self, width: int) -> int:
        """A cheap guess of the rendered height at `width`; corrected when rendered."""
        return self.fixed_lines + self.text_chars // max(1, width - GUTTER)


def _add_text(item: Item, text: str) -> None:
    if not text:
        return
    chars, newlines, cut = text_size(text)
    item.text_chars += chars
    item.fixed_lines += newlines + 1 + (1 if cut else 0)


def _measure_message(item: Item, message: ChatMessage) -> None:
    """Fill in the estimate inputs, mirroring the layout in render.py."""
    if isinstance(message, RawMessage):
        item.fixed_lines += 1
    if isinstance(message, ToolMessage) and message.error is not None:
        item.fixed_lines += 1
    content = message.content
    if isinstance(content, str):
        _add_text(item, content)
    else:
        for part in content:
            if isinstance(part, TextContent):
                _add_text(item, part.text)
            elif isinstance(part, ReasoningContent):
                item.fixed_lines += 1
                _add_text(item, part.display_text)
            elif isinstance(part, UnknownContent):
                item.fixed_lines += (
                    1 if part.type in ("image", "audio", "video") else _RAW_ITEM_LINES
                )
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            item.fixed_lines += 1
            arguments = call.arguments
            if isinstance(arguments, str):
                _add_text(item, arguments)
            elif isinstance(arguments, dict):
                item.fixed_lines += len(arguments) + 2
            else:
                item.fixed_lines += 1


def separator_label(entry: OrderedTranscript) -> str:
    """`T1 · name · outer › inner` for a transcript (already safe to show)."""
    parts = [entry.label, one_line(entry.transcript.name or "(unnamed transcript)", 80)]
    if entry.group_path:
        parts.append(" › ".join(one_line(group_label(group), 40) for group in entry.group_path))
    return " · ".join(parts)


def build_items(run: AgentRun) -> list[Item]:
    """Separators (when there are several transcripts), messages and notices, in canonical order."""
    ordered = ordered_transcripts(run)
    items: list[Item] = []
    if not ordered:
        items.append(Item("notice", -1, label="This run has no transcripts."))
    several = len(ordered) > 1
    for entry in ordered:
        if several:
            items.append(Item("separator", entry.index, label=separator_label(entry)))
        messages = entry.transcript.messages
        if not messages:
            items.append(Item("notice", entry.index, label="(no messages)"))
        for block, message in enumerate(messages):
            item = Item("message", entry.index, block, message)
            _measure_message(item, message)
            items.append(item)
    return items
