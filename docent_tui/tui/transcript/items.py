"""The flat list of things the transcript viewer draws, and cheap height estimates for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from docent_tui.core.models import AgentRun, AssistantMessage, ChatMessage, ToolMessage
from docent_tui.core.sanitize import one_line
from docent_tui.core.tool_links import link_tool_calls
from docent_tui.core.tree import (
    OrderedTranscript,
    group_label,
    message_address,
    ordered_transcripts,
)
from docent_tui.tui.transcript.blocks import (
    COLLAPSED,
    EXPANDED_LINES,
    MAX_MESSAGE_LINES,
    AnsweredCall,
    Block,
    Part,
    Size,
    measure_message,
    message_parts,
    prepare,
)

ItemKind = Literal["separator", "message", "notice"]

# Columns taken by the coloured gutter in front of a message's body.
GUTTER = 2


@dataclass(slots=True)
class Item:
    """One drawable unit: a transcript separator, a message, or a one-line notice.

    A tool message's item knows the call it answers (`answers`, None when no call matches);
    an assistant message's item knows the result blocks of each of its calls (`results`).
    """

    kind: ItemKind
    transcript_index: int
    block: int = -1
    message: ChatMessage | None = None
    label: str = ""
    answers: AnsweredCall | None = None
    results: tuple[tuple[int, ...], ...] = ()
    # Estimate inputs: lines that do not depend on the width (header, labels, blank line), and
    # per text block (lines, characters) as drawn collapsed, then expanded.
    fixed_lines: int = 2
    block_sizes: tuple[Size, ...] = ()
    _collapsible: bool | None = field(default=None, repr=False, compare=False)

    @property
    def address(self) -> str | None:
        """`T{t}B{b}` for a message, None otherwise."""
        if self.kind != "message":
            return None
        return message_address(self.transcript_index, self.block)

    def parts(self) -> list[Part]:
        """What the message shows under its header (empty for separators and notices)."""
        if self.message is None:
            return []
        results = self.results if isinstance(self.message, AssistantMessage) else None
        return message_parts(self.message, self.transcript_index, self.answers, results)

    @property
    def collapsible(self) -> bool:
        """True when the expanded rendering shows more than the default one."""
        if self._collapsible is None:
            self._collapsible = self._compute_collapsible()
        return self._collapsible

    def _compute_collapsible(self) -> bool:
        lines = 0
        for part in self.parts():
            if not isinstance(part, Block):
                lines += 1
                continue
            shown = prepare(part, COLLAPSED[part.kind]).shown
            if shown.clipped:
                return True
            lines += shown.text.count("\n") + 1
            if lines > MAX_MESSAGE_LINES:
                return True
        return False

    def estimate(self, width: int, expanded: bool = False) -> int:
        """A cheap guess of the rendered height at `width`; corrected when rendered."""
        columns = max(1, width - GUTTER)
        guess = self.fixed_lines
        for collapsed_lines, collapsed_chars, expanded_lines, expanded_chars in self.block_sizes:
            lines, chars = (
                (expanded_lines, expanded_chars) if expanded else (collapsed_lines, collapsed_chars)
            )
            guess += max(lines, chars // columns + 1)
        cap = (EXPANDED_LINES if expanded else MAX_MESSAGE_LINES) + 3
        return min(guess, cap) if self.kind == "message" else guess


def separator_label(entry: OrderedTranscript) -> str:
    """`T1 · name · outer › inner` for a transcript (already safe to show)."""
    parts = [entry.label, one_line(entry.transcript.name or "(unnamed transcript)", 80)]
    if entry.group_path:
        parts.append(" › ".join(one_line(group_label(group), 40) for group in entry.group_path))
    return " · ".join(parts)


def _sizes(message: ChatMessage) -> tuple[int, tuple[Size, ...]]:
    labels, sizes = measure_message(message)
    # The header and the blank line after the body.
    return labels + 2, sizes


def _message_items(entry: OrderedTranscript) -> list[Item]:
    """One item per message of a transcript, with its tool call links."""
    messages = entry.transcript.messages
    links = link_tool_calls(messages)
    items: list[Item] = []
    for block, message in enumerate(messages):
        item = Item("message", entry.index, block, message)
        if isinstance(message, ToolMessage):
            found = links.call_for(block)
            if found is not None:
                call_block, call_index = found
                answered = messages[call_block]
                assert isinstance(answered, AssistantMessage)
                item.answers = AnsweredCall(call_block, call_index, answered.tool_calls[call_index])
        elif isinstance(message, AssistantMessage) and message.tool_calls:
            item.results = tuple(
                tuple(links.results_for(block, index)) for index in range(len(message.tool_calls))
            )
        item.fixed_lines, item.block_sizes = _sizes(message)
        items.append(item)
    return items


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
        if not entry.transcript.messages:
            items.append(Item("notice", entry.index, label="(no messages)"))
        items.extend(_message_items(entry))
    return items
