"""Which tool call each tool result answers, within one transcript.

Results are matched by `tool_call_id`. Real data breaks that in two ways, and both are handled:
ids go missing (some converters drop them) and ids get reused (providers number calls `call_0`,
`call_1`, ... afresh every turn). A newer call with an id shadows every older call with the same
id, so a result can never link back to an earlier turn once the id was issued again. A result
without an id (or with an id no call carries) falls back to position: the unanswered calls of the
nearest preceding assistant message, then the latest unanswered call of the same function.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from docent_tui.core.models import (
    AssistantMessage,
    ChatMessage,
    ToolCall,
    ToolMessage,
    to_json_text,
)
from docent_tui.core.sanitize import one_line

# A call is named by (block of its assistant message, index in that message's tool_calls).
CallRef = tuple[int, int]
# Calls of one function looked at, newest first, when a result falls back to its function name.
_SCAN_LIMIT = 64


@dataclass
class ToolLinks:
    """Call <-> result links of one transcript (blocks are 0-based message indices)."""

    _call_of: dict[int, CallRef] = field(default_factory=dict)
    _results_of: dict[CallRef, list[int]] = field(default_factory=dict)

    def call_for(self, block: int) -> CallRef | None:
        """`(call block, call index)` of the call the tool message at `block` answers."""
        return self._call_of.get(block)

    def results_for(self, call_block: int, call_index: int) -> list[int]:
        """Blocks of the tool messages answering a call, in transcript order (often one)."""
        return list(self._results_of.get((call_block, call_index), ()))

    @property
    def linked_results(self) -> int:
        """How many tool messages are linked to a call."""
        return len(self._call_of)

    def _link(self, block: int, call: CallRef) -> None:
        self._call_of[block] = call
        self._results_of.setdefault(call, []).append(block)


def _ids_of(message: ToolMessage) -> list[str]:
    """The non-empty ids a tool message names (a list is allowed by the lenient model)."""
    raw = message.tool_call_id
    if isinstance(raw, str):
        return [raw] if raw else []
    if isinstance(raw, list):
        return [ident for ident in raw if ident]
    return []


def link_tool_calls(messages: Sequence[ChatMessage]) -> ToolLinks:
    """Link every tool message of one transcript to the call it answers; O(messages + calls)."""
    links = ToolLinks()
    # Newest assistant message issuing each id, and the call indices with that id in it.
    by_id: dict[str, tuple[int, list[int]]] = {}
    # Latest calls per function name, newest last (unanswered ones are picked from the end).
    by_function: dict[str, list[CallRef]] = {}
    calls: dict[CallRef, ToolCall] = {}
    answered: set[CallRef] = set()
    last_assistant: int | None = None

    for block, message in enumerate(messages):
        if isinstance(message, AssistantMessage) and message.tool_calls:
            last_assistant = block
            fresh: dict[str, list[int]] = {}
            for index, call in enumerate(message.tool_calls):
                ref = (block, index)
                calls[ref] = call
                if call.id:
                    fresh.setdefault(call.id, []).append(index)
                by_function.setdefault(call.function, []).append(ref)
            for ident, indices in fresh.items():
                by_id[ident] = (block, indices)
            continue
        if not isinstance(message, ToolMessage):
            continue
        found = _by_id(message, by_id, answered)
        if found is None:
            found = _by_position(message, last_assistant, calls, answered, by_function, messages)
        if found is not None:
            answered.add(found)
            links._link(block, found)
    return links


def _by_id(
    message: ToolMessage, by_id: dict[str, tuple[int, list[int]]], answered: set[CallRef]
) -> CallRef | None:
    """The call with the message's id in the newest message issuing it; first unanswered wins.

    When every such call is answered already this is a repeated result: it joins the last one.
    """
    for ident in _ids_of(message):
        found = by_id.get(ident)
        if found is None:
            continue
        block, indices = found
        for index in indices:
            if (block, index) not in answered:
                return block, index
        return block, indices[-1]
    return None


def _by_position(
    message: ToolMessage,
    last_assistant: int | None,
    calls: dict[CallRef, ToolCall],
    answered: set[CallRef],
    by_function: dict[str, list[CallRef]],
    messages: Sequence[ChatMessage],
) -> CallRef | None:
    """Fallback for results without a usable id.

    A result naming an id that no call carries may only take calls that have no id themselves
    (a call with an id will be claimed by its own result).
    """
    named = bool(_ids_of(message))
    function = message.function or None

    def usable(ref: CallRef) -> bool:
        if ref in answered:
            return False
        return not (named and calls[ref].id)

    if last_assistant is not None:
        assistant = messages[last_assistant]
        assert isinstance(assistant, AssistantMessage)
        candidates = [(last_assistant, i) for i in range(len(assistant.tool_calls))]
        free = [ref for ref in candidates if usable(ref)]
        if function is not None:
            same = [ref for ref in free if calls[ref].function == function]
            if same:
                return same[0]
        elif free:
            return free[0]
    if function is not None:
        recent = by_function.get(function, [])
        # Answered calls at the end can never be picked again; dropping them keeps this O(1).
        while recent and recent[-1] in answered:
            recent.pop()
        for ref in reversed(recent[-_SCAN_LIMIT:]):
            if usable(ref):
                return ref
    return None


def _argument_value(value: Any) -> str:
    """Strings raw, anything else as JSON (as Docent's web UI prints arguments)."""
    return value if isinstance(value, str) else to_json_text(value)


def call_text(call: ToolCall) -> str:
    """Docent's canonical text of a call: the view's content, else `fn(k=v, ...)` (§B.6)."""
    if call.view is not None and call.view.content:
        return call.view.content
    arguments = call.arguments
    if isinstance(arguments, dict):
        inner = ", ".join(f"{key}={_argument_value(value)}" for key, value in arguments.items())
    elif arguments in (None, ""):
        inner = ""
    else:
        inner = _argument_value(arguments)
    return f"{call.function}({inner})"


def _first_view_line(content: str) -> str:
    """The first line of a view that is not a code fence or blank."""
    for line in content.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("```"):
            return stripped
    return ""


def call_summary(call: ToolCall, limit: int = 100) -> str:
    """One safe line naming a call: its view's title or first line, else `fn(k=v, ...)`.

    Each argument value is cut on its own so that every key stays visible.
    """
    view = call.view
    if view is not None and (view.title or view.content):
        first = _first_view_line(view.content)
        title = view.title or ""
        if title and first:
            return one_line(f"{title}: {first}", limit)
        return one_line(title or first, limit)
    arguments = call.arguments
    if isinstance(arguments, dict):
        parts = (f"{one_line(str(key), 30)}={_short(value)}" for key, value in arguments.items())
        inner = ", ".join(parts)
    elif arguments in (None, ""):
        inner = ""
    else:
        inner = _short(arguments)
    name = one_line(call.function or "(no function)", 60)
    return one_line(f"{name}({inner})", limit)


def _short(value: Any) -> str:
    text = _argument_value(value)
    # Cutting first keeps a megabyte argument from being copied whole into one line.
    return one_line(text[:200], 40)


def unanswered_calls(messages: Sequence[ChatMessage], links: ToolLinks) -> Iterable[CallRef]:
    """Every call of the transcript that no tool message answers, in order."""
    for block, message in enumerate(messages):
        if isinstance(message, AssistantMessage):
            for index in range(len(message.tool_calls)):
                if not links.results_for(block, index):
                    yield block, index
