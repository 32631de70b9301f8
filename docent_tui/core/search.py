"""Case-insensitive literal search over a whole run, collapsed and hidden content included.

Each message's searchable text is built once (lazily, on the first search) in the form the
viewer displays it: control characters neutralised, CRLF folded to LF. Counting uses the cached
lower-cased text, which is fast; the few messages where `str.lower()` and the regular expression's
case folding could disagree (see `_fold_alphabet`) are counted with the regular expression itself,
so `find()` counts exactly what `pattern()` highlights.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from re import _casefix  # type: ignore[attr-defined]
from typing import Any

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    RawMessage,
    ReasoningContent,
    TextContent,
    ToolMessage,
    UnknownContent,
    to_json_text,
)
from docent_tui.core.sanitize import neutralize
from docent_tui.core.tree import message_address, ordered_transcripts

# Separates the parts of one message's text; neutralised text and queries never contain it, so a
# match can never span two parts (which the viewer shows apart).
_SEPARATOR = "\x00"
# Strings in unknown content items longer than this that look like base64 or a data URL are left
# out of the index: the viewer shows a placeholder for them, and they match almost anything.
_LONG_STRING = 200
_BLOB = re.compile(r"^(data:[^,]{0,200},|[A-Za-z0-9+/=\s]+$)")


@functools.cache
def _fold_alphabet() -> frozenset[str]:
    """Characters whose case-insensitive matching in `re` is not just `lower(a) == lower(b)`.

    `re` also treats pairs such as s/ſ, i/ı and σ/ς as equal (its extra case table), and
    `str.lower()` turns İ into two characters and Σ into σ or ς by context. These are the table's
    characters and every character that lower-cases into one (all in the BMP), plus İ and the
    combining dot it lower-cases to.
    """
    table: set[str] = set()
    for code, others in _casefix._EXTRA_CASES.items():
        table.add(chr(code))
        table.update(map(chr, others))
    chars = {
        chr(code) for code in range(0x10000) if chr(code) in table or chr(code).lower() in table
    }
    return frozenset({*chars, "\u0130", "\u0307"})


@functools.cache
def _special_text() -> re.Pattern[str]:
    """Finds a non-ASCII character of the fold alphabet (ASCII ones only matter in queries)."""
    chars = sorted(char for char in _fold_alphabet() if not char.isascii())
    return re.compile("[" + "".join(re.escape(char) for char in chars) + "]")


def display_text(text: str) -> str:
    """`text` as the viewer shows it: CRLF folded to LF, control characters made visible."""
    return neutralize(text.replace("\r\n", "\n"))


def _without_blobs(value: Any, depth: int = 0) -> Any:
    """A JSON value with long base64 or data-URL strings replaced by a short marker."""
    if depth > 50:
        return "…"
    if isinstance(value, str):
        if len(value) > _LONG_STRING and _BLOB.match(value[:4096]):
            return f"… ({len(value):,} characters)"
        return value
    if isinstance(value, dict):
        return {str(key): _without_blobs(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_blobs(item, depth + 1) for item in value]
    return value


def arguments_text(arguments: Any) -> str:
    """Tool call arguments as the viewer shows them: a raw string as is, else indented JSON."""
    if isinstance(arguments, str):
        return arguments
    if isinstance(arguments, dict) and not arguments:
        return ""
    return to_json_text(arguments, indent=2)


def message_parts(message: ChatMessage) -> list[str]:
    """Every piece of searchable text of a message, raw (not yet neutralised), in display order."""
    parts: list[str] = []
    if isinstance(message, RawMessage) and message.problem:
        parts.append(message.problem)
    if isinstance(message, ToolMessage) and message.error is not None:
        parts.append(message.error_text or "")
    content = message.content
    if isinstance(content, str):
        parts.append(content)
    else:
        for item in content:
            if isinstance(item, TextContent):
                parts.append(item.text)
            elif isinstance(item, ReasoningContent):
                parts.append(item.display_text)
            elif isinstance(item, UnknownContent):
                parts.append(to_json_text(_without_blobs(item.raw), indent=2))
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            parts.append(call.function)
            if call.id:
                parts.append(call.id)
            if call.parse_error:
                parts.append(call.parse_error)
            parts.append(arguments_text(call.arguments))
            if call.view is not None:
                parts.append(call.view.content)
    tool_call_id = getattr(message, "tool_call_id", None)
    if isinstance(tool_call_id, str):
        parts.append(tool_call_id)
    elif isinstance(tool_call_id, list):
        parts.extend(item for item in tool_call_id if isinstance(item, str))
    if isinstance(message, ToolMessage) and message.function:
        parts.append(message.function)
    if message.metadata:
        parts.append(to_json_text(message.metadata, indent=2))
    return [part for part in parts if part]


def message_search_text(message: ChatMessage) -> str:
    """One message's searchable text in display form, its parts joined by a separator."""
    return _SEPARATOR.join(display_text(part) for part in message_parts(message))


@dataclass(frozen=True)
class Hit:
    """A message containing the query, and how many times it does."""

    transcript_index: int
    block: int
    count: int

    @property
    def position(self) -> tuple[int, int]:
        """`(transcript_index, block)`."""
        return (self.transcript_index, self.block)

    @property
    def address(self) -> str:
        """`T{transcript}B{block}`."""
        return message_address(self.transcript_index, self.block)


class RunSearch:
    """The searchable text of every message of a run, in canonical order (built on first use)."""

    def __init__(self, run: AgentRun) -> None:
        self.run = run
        self._positions: list[tuple[int, int]] = []
        self._lowered: list[str] = []
        # Text of the messages whose case folding needs the regular expression, by position.
        self._special: dict[int, str] = {}
        self._built = False
        self._total = 0
        # find() runs in worker threads; a search started while another is building must wait.
        self._lock = threading.Lock()

    def _build(self) -> None:
        with self._lock:
            if not self._built:
                self._build_index()

    def _build_index(self) -> None:
        for ordered in ordered_transcripts(self.run):
            for block, message in enumerate(ordered.transcript.messages):
                text = message_search_text(message)
                if not text.isascii() and _special_text().search(text) is not None:
                    self._special[len(self._positions)] = text
                self._positions.append((ordered.index, block))
                self._lowered.append(text.lower())
        self._built = True

    @property
    def message_count(self) -> int:
        """Messages in the run (builds the index)."""
        if not self._built:
            self._build()
        return len(self._positions)

    @property
    def total(self) -> int:
        """Matches found by the most recent `find()` (0 before any search)."""
        return self._total

    @staticmethod
    def pattern(query: str) -> re.Pattern[str] | None:
        """The compiled case-insensitive literal the viewer highlights; None for a blank query."""
        if not query.strip():
            return None
        return re.compile(re.escape(display_text(query)), re.IGNORECASE)

    def find(self, query: str) -> list[Hit]:
        """Messages containing `query` (case-insensitive, literal), in canonical order."""
        pattern = self.pattern(query)
        if pattern is None:
            self._total = 0
            return []
        if not self._built:
            self._build()
        needle = display_text(query).lower()
        alphabet = _fold_alphabet()
        # Queries with i/s (ASCII) need `re` only in messages holding ı, ſ, ...; queries with a
        # non-ASCII letter of the alphabet need it everywhere (on the lower-cased text, which
        # `re` folds exactly like the original for every message not kept in `_special`).
        special_query = any(char in alphabet for char in needle)
        everywhere = special_query and not all(
            char.isascii() for char in needle if char in alphabet
        )
        hits: list[Hit] = []
        for index, lowered in enumerate(self._lowered):
            special = self._special.get(index) if special_query else None
            if special is not None:
                count = sum(1 for _ in pattern.finditer(special))
            elif everywhere:
                count = sum(1 for _ in pattern.finditer(lowered))
            elif needle in lowered:
                count = lowered.count(needle)
            else:
                continue
            if count:
                transcript_index, block = self._positions[index]
                hits.append(Hit(transcript_index, block, count))
        self._total = sum(hit.count for hit in hits)
        return hits
