"""Typed jumps through a run: errors, tool calls (optionally of one function), user messages,
reasoning. Targets are `(transcript_index, block)` addresses in Docent's canonical order.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from enum import Enum

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    RawMessage,
    ReasoningContent,
    ToolCall,
    ToolMessage,
    UserMessage,
)
from docent_tui.core.tree import ordered_transcripts

Address = tuple[int, int]


class Jump(Enum):
    """What a jump key looks for."""

    ERROR = "error"
    TOOL_CALL = "tool_call"
    USER = "user"
    REASONING = "reasoning"


def is_error(message: ChatMessage) -> bool:
    """A tool result with an error, an unreadable message, or a tool call that failed to parse."""
    if isinstance(message, ToolMessage):
        return message.error is not None
    if isinstance(message, RawMessage):
        return True
    if isinstance(message, AssistantMessage):
        return any(call.parse_error for call in message.tool_calls)
    return False


def tool_calls(message: ChatMessage, function: str | None = None) -> list[ToolCall]:
    """An assistant message's tool calls, only those of `function` when it is given."""
    if not isinstance(message, AssistantMessage):
        return []
    if function is None:
        return list(message.tool_calls)
    return [call for call in message.tool_calls if call.function == function]


def is_user(message: ChatMessage) -> bool:
    """A user message."""
    return isinstance(message, UserMessage)


def has_reasoning(message: ChatMessage) -> bool:
    """A message with at least one reasoning content item."""
    content = message.content
    return not isinstance(content, str) and any(
        isinstance(item, ReasoningContent) for item in content
    )


def _matches(message: ChatMessage, kind: Jump, function: str | None) -> bool:
    if kind is Jump.ERROR:
        return is_error(message)
    if kind is Jump.TOOL_CALL:
        return bool(tool_calls(message, function))
    if kind is Jump.USER:
        return is_user(message)
    return has_reasoning(message)


def jump_targets(run: AgentRun, kind: Jump, function: str | None = None) -> list[Address]:
    """Addresses of the messages a jump of `kind` stops at, in canonical order.

    `function` only applies to tool call jumps.
    """
    return [
        (ordered.index, block)
        for ordered in ordered_transcripts(run)
        for block, message in enumerate(ordered.transcript.messages)
        if _matches(message, kind, function)
    ]


def next_target(targets: list[Address], current: Address | None, forward: bool) -> Address | None:
    """The first target after `current` (or before it, going back); None past the last one.

    `targets` must be sorted (as `jump_targets` returns them). Without a current position,
    forward gives the first target and backward the last.
    """
    if not targets:
        return None
    if current is None:
        return targets[0] if forward else targets[-1]
    if forward:
        index = bisect_right(targets, current)
        return targets[index] if index < len(targets) else None
    index = bisect_left(targets, current)
    return targets[index - 1] if index > 0 else None


def functions_used(run: AgentRun) -> list[tuple[str, int]]:
    """Tool call function names with their call counts, most used first (then by name)."""
    counts: Counter[str] = Counter(
        call.function
        for transcript in run.transcripts
        for message in transcript.messages
        for call in tool_calls(message)
    )
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
