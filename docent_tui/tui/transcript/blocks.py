"""What a message shows, part by part, and how much of each part in either reading mode.

A message body is a sequence of one-line labels (tool call lines, markers, placeholders) and
text blocks. Each block has a kind that fixes how much of it the default (collapsed) reading mode
shows; the expanded mode shows everything up to a per-message guard. render.py draws these parts;
`measure_message` mirrors them cheaply for the height estimates of every message of a run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

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
from docent_tui.core.sanitize import one_line
from docent_tui.core.tool_links import call_summary
from docent_tui.core.tree import message_address
from docent_tui.tui.transcript.clip import (
    HEAD_CHARS,
    MAX_CHARS,
    MAX_LINES,
    Clipped,
    clip,
    show_text,
)
from docent_tui.tui.transcript.media import describe_media, raw_preview

BlockKind = Literal["text", "system", "reasoning", "output", "arguments", "preview"]
# Names of palette styles (render.py maps them); "" is the default text style.
StyleName = Literal[
    "", "tool", "address", "meta", "error", "placeholder", "reasoning", "reasoning_marker"
]
Highlight = Literal["markdown", "json"] | None

# User and assistant text up to this many characters is shown as Markdown, plain above.
MARKDOWN_LIMIT = 20_000
# JSON (tool arguments and results) up to this many characters is highlighted, plain above.
SYNTAX_LIMIT = 20_000
# Tool results longer than this are not even tried as JSON.
_JSON_SNIFF_LIMIT = 200_000
# The expanded mode's guard: at most this many rendered lines and characters per message.
EXPANDED_LINES = 5_000
EXPANDED_CHARS = 600_000
# The collapsed mode never renders more lines than this for one message.
MAX_MESSAGE_LINES = 2_000


@dataclass(frozen=True)
class Limits:
    """How much of a block to show: lines, characters before cutting, characters of the head."""

    lines: int
    chars: int
    head: int


_GUARD = Limits(MAX_LINES, MAX_CHARS, HEAD_CHARS)
# The default reading mode: long tool output, arguments and reasoning show a head.
COLLAPSED: dict[BlockKind, Limits] = {
    "text": _GUARD,
    "system": Limits(3, 300, 300),
    "reasoning": Limits(10, 1_200, 1_200),
    "output": Limits(15, 1_500, 1_500),
    "arguments": Limits(20, 2_000, 2_000),
    "preview": Limits(40, 4_000, 4_000),
}


@dataclass(frozen=True)
class AnsweredCall:
    """The tool call a tool message answers: its message's block, its index, the call."""

    block: int
    index: int
    call: ToolCall


Runs = tuple[tuple[str, StyleName], ...]


@dataclass(slots=True)
class Label:
    """One line made of styled runs; cut with an ellipsis, never wrapped.

    `make` builds runs that cost something (call summaries) only when the line is drawn.
    """

    runs: Runs = ()
    make: Callable[[], Runs] | None = None

    def styled_runs(self) -> Runs:
        """The runs to draw."""
        return self.make() if self.make is not None else self.runs


@dataclass(slots=True)
class Block:
    """A text block: its kind, its text (or how to make it), and how to show it.

    `make` builds texts that are costly (the JSON of tool arguments) only when drawn; `guess`
    is their (lines, characters) for estimates.
    """

    kind: BlockKind
    text: str | None = None
    make: Callable[[], str] | None = None
    guess: tuple[int, int] = (1, 0)
    style: StyleName = ""
    markdown: bool = False
    # None: sniff for JSON; True: known to be JSON; False: never JSON.
    json: bool | None = False

    def source(self) -> str:
        """The full text of the block."""
        if self.text is not None:
            return self.text
        return self.make() if self.make is not None else ""


Part = Label | Block
# (lines, characters) guessed for the JSON preview of an unknown content item.
_PREVIEW_GUESS = (6, 0)


@dataclass(frozen=True)
class Prepared:
    """A block cut to its limits and ready to draw (neutralised, blobs folded)."""

    shown: Clipped
    syntax: Highlight


# --- the parts of a message ------------------------------------------------------------------


def _text_kind(message: ChatMessage) -> BlockKind:
    if isinstance(message, ToolMessage):
        return "output"
    if isinstance(message, SystemMessage):
        return "system"
    return "text"


def _results_label(results: tuple[int, ...], transcript: int) -> str:
    if not results:
        return "  ⇢ no result"
    shown = ", ".join(message_address(transcript, block) for block in results[:3])
    more = f" +{len(results) - 3}" if len(results) > 3 else ""
    return f"  ⇢ {'result' if len(results) == 1 else 'results'} {shown}{more}"


def _call_runs(call: ToolCall, results: tuple[int, ...] | None, transcript: int) -> Runs:
    runs: list[tuple[str, StyleName]] = [
        ("→ ", "tool"),
        (one_line(call.function or "(no function)", 60), "tool"),
    ]
    if call.id:
        runs.append(("  " + one_line(call.id, 40), "address"))
    if results is not None:
        runs.append((_results_label(results, transcript), "meta"))
    return tuple(runs)


def _call_parts(call: ToolCall, results: tuple[int, ...] | None, transcript: int) -> list[Part]:
    parts: list[Part] = [Label(make=lambda: _call_runs(call, results, transcript))]
    if call.parse_error:
        parts.append(Block("text", "parse error: " + call.parse_error, style="error"))
    arguments = call.arguments
    if isinstance(arguments, str):
        if arguments:
            parts.append(Block("arguments", arguments, json=None))
    elif not (isinstance(arguments, dict) and not arguments):
        parts.append(
            Block(
                "arguments",
                make=lambda: to_json_text(arguments, indent=2),
                guess=_json_guess(arguments),
                json=True,
            )
        )
    return parts


def _json_guess(value: Any) -> tuple[int, int]:
    """(lines, characters) of indented JSON of a value, guessed from its top level only."""
    if isinstance(value, dict):
        items = list(value.values())
    elif isinstance(value, list):
        items = value
    else:
        return 1, (len(str(value)) if isinstance(value, int | float | str) else 20)
    chars = sum(len(item) + 8 if isinstance(item, str) else 16 for item in items)
    return len(items) + 2, chars


def _link_label(answers: AnsweredCall | None, transcript: int) -> Label:
    if answers is None:
        return Label((("↳ answers no call in this transcript", "address"),))
    return Label(
        make=lambda: (
            ("↳ answers ", "address"),
            (message_address(transcript, answers.block), "meta"),
            (" → ", "address"),
            (call_summary(answers.call, 100), "meta"),
        )
    )


def _unknown_parts(part: UnknownContent) -> list[Part]:
    placeholder = describe_media(part)
    if placeholder is not None:
        return [Label(((placeholder, "placeholder"),))]
    raw = part.raw
    return [
        Label(make=lambda: ((f"[{one_line(part.type, 40)} content]", "placeholder"),)),
        Block("preview", make=lambda: raw_preview(raw), guess=_PREVIEW_GUESS, style="address"),
    ]


def _reasoning_parts(part: ReasoningContent) -> list[Part]:
    marker = "✻ reasoning"
    if part.redacted:
        marker += " [redacted]" + (" · summary" if part.summary else "")
    parts: list[Part] = [Label(((marker, "reasoning_marker"),))]
    if (not part.redacted or part.summary) and part.display_text:
        parts.append(Block("reasoning", part.display_text, style="reasoning"))
    return parts


def _text_block(kind: BlockKind, text: str, markdown: bool) -> Block:
    return Block(
        kind,
        text,
        markdown=markdown and len(text) <= MARKDOWN_LIMIT,
        json=None if kind == "output" else False,
    )


def message_parts(
    message: ChatMessage,
    transcript: int,
    answers: AnsweredCall | None = None,
    results: tuple[tuple[int, ...], ...] | None = None,
) -> list[Part]:
    """Everything under a message's header, in order.

    `answers` is the call a tool message answers; `results` the result blocks of each of an
    assistant message's calls (None when links were not computed).
    """
    parts: list[Part] = []
    if isinstance(message, RawMessage):
        parts.append(Block("text", message.problem or "could not read this message", style="error"))
    if isinstance(message, ToolMessage):
        parts.append(_link_label(answers, transcript))
        if message.error is not None:
            parts.append(Block("text", "✗ " + (message.error_text or "error"), style="error"))
    kind = _text_kind(message)
    markdown = isinstance(message, UserMessage | AssistantMessage)
    content = message.content
    if isinstance(content, str):
        # The common case, without building a content item for it.
        if content:
            parts.append(_text_block(kind, content, markdown))
        content = []
    for part in content:
        if isinstance(part, TextContent):
            if part.refusal:
                parts.append(Label((("refusal", "error"),)))
            if part.text:
                parts.append(_text_block(kind, part.text, markdown))
        elif isinstance(part, ReasoningContent):
            parts.extend(_reasoning_parts(part))
        else:
            parts.extend(_unknown_parts(part))
    if isinstance(message, AssistantMessage):
        for index, call in enumerate(message.tool_calls):
            answered = None
            if results is not None:
                answered = results[index] if index < len(results) else ()
            parts.extend(_call_parts(call, answered, transcript))
    if not parts:
        parts.append(Label((("(empty)", "address"),)))
    return parts


# --- preparing a block -------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_SCALAR = re.compile(r'[^\s,:{}\[\]"]+')
_CLOSING = {"{": "}", "[": "]"}


def reindent_json(text: str, indent: int = 2) -> str:
    """Valid one-line JSON laid out one value per line, every token kept exactly as written."""
    out: list[str] = []
    depth = 0
    position = 0
    length = len(text)
    while position < length:
        char = text[position]
        if char == '"':
            found = _JSON_STRING.match(text, position)
            end = found.end() if found is not None else length
            out.append(text[position:end])
            position = end
        elif char in _CLOSING:
            following = position + 1
            while following < length and text[following] in " \t\r\n":
                following += 1
            if following < length and text[following] == _CLOSING[char]:
                out.append(char + _CLOSING[char])
                position = following + 1
                continue
            depth += 1
            out.append(char + "\n" + " " * (indent * depth))
            position += 1
        elif char in "}]":
            depth = max(0, depth - 1)
            out.append("\n" + " " * (indent * depth) + char)
            position += 1
        elif char == ",":
            out.append(",\n" + " " * (indent * depth))
            position += 1
        elif char == ":":
            out.append(": ")
            position += 1
        elif char in " \t\r\n":
            position += 1
        else:
            found = _JSON_SCALAR.match(text, position)
            end = found.end() if found is not None else position + 1
            out.append(text[position:end])
            position = end
    return "".join(out)


def _json_display(block: Block, source: str) -> str | None:
    """The block as JSON to highlight (reindented when it is on one line), or None."""
    if block.json is False or len(source) > _JSON_SNIFF_LIMIT:
        return None
    if block.json is None and source.lstrip()[:1] not in ("{", "["):
        return None
    folded = show_text(source, max_lines=len(source) + 1, max_chars=SYNTAX_LIMIT)
    if folded.clipped:
        return None
    text = folded.text
    if block.json is None:
        try:
            value = json.loads(text)
        except ValueError:
            return None
        if not isinstance(value, dict | list):
            return None
    if "\n" not in text.strip():
        text = reindent_json(text.strip())
    return text


def prepare(block: Block, limits: Limits) -> Prepared:
    """The part of a block to draw under `limits`, and how to highlight it."""
    source = block.source()
    display = _json_display(block, source)
    if display is not None:
        return Prepared(clip(display, limits.lines, limits.chars, limits.head), "json")
    shown = show_text(source, limits.lines, limits.chars, limits.head)
    return Prepared(shown, "markdown" if block.markdown else None)


def expanded_limits(lines_left: int, chars_left: int, width: int) -> Limits:
    """Limits for one block in the expanded mode, from what the message's guard has left.

    Characters are also capped at what `lines_left` rows of `width` can hold, so a block never
    costs more than it can show.
    """
    chars = max(0, min(chars_left, lines_left * max(1, width)))
    return Limits(max(1, lines_left), chars, chars)


# --- measuring, for estimates --------------------------------------------------------------------


def _count_lines(text: str) -> int:
    """Lines of a text; counted on its first MAX_CHARS characters and extrapolated beyond."""
    if len(text) <= MAX_CHARS:
        return text.count("\n") + 1
    counted = text.count("\n", 0, MAX_CHARS)
    return counted * len(text) // MAX_CHARS + 1


# (lines, characters) collapsed, then expanded, of one block as drawn, notices included.
Size = tuple[int, int, int, int]


def text_size(kind: BlockKind, text: str | None, guess: tuple[int, int] = (1, 0)) -> Size:
    """Cheap guess of a block's size in both modes (`guess` stands in for a lazy text)."""
    limits = COLLAPSED[kind]
    if text is None:
        lines, chars = guess
    else:
        chars = len(text)
        if chars <= MAX_CHARS:
            lines = text.count("\n") + 1
            if lines <= limits.lines and chars <= limits.chars:
                # The common case: short enough to look the same in both modes.
                return lines, chars, lines, chars
        else:
            lines = _count_lines(text)
    over = lines > EXPANDED_LINES or chars > EXPANDED_CHARS
    expanded_lines, expanded_chars = min(lines, EXPANDED_LINES) + over, min(chars, EXPANDED_CHARS)
    if lines <= limits.lines and chars <= limits.chars:
        return lines, chars, expanded_lines, expanded_chars
    head = min(chars, limits.head)
    if text is not None:
        lines = text.count("\n", 0, head) + 1
    return min(lines, limits.lines) + 1, head, expanded_lines, expanded_chars


def block_size(block: Block) -> Size:
    """`text_size` of a block."""
    return text_size(block.kind, block.text, block.guess)


def measure_message(message: ChatMessage) -> tuple[int, tuple[Size, ...]]:
    """(label lines, block sizes) of what `message_parts` returns, without building the parts.

    This runs for every message when a run opens, so it mirrors `message_parts` step by step
    instead of calling it.
    """
    labels = 0
    sizes: list[Size] = []
    if isinstance(message, RawMessage):
        sizes.append(text_size("text", message.problem or "could not read this message"))
    if isinstance(message, ToolMessage):
        labels += 1
        if message.error is not None:
            sizes.append(text_size("text", "✗ " + (message.error_text or "error")))
    kind = _text_kind(message)
    content = message.content
    if isinstance(content, str):
        if content:
            sizes.append(text_size(kind, content))
        content = []
    for part in content:
        if isinstance(part, TextContent):
            labels += 1 if part.refusal else 0
            if part.text:
                sizes.append(text_size(kind, part.text))
        elif isinstance(part, ReasoningContent):
            labels += 1
            if (not part.redacted or part.summary) and part.display_text:
                sizes.append(text_size("reasoning", part.display_text))
        else:
            labels += 1
            if describe_media(part) is None:
                sizes.append(text_size("preview", None, _PREVIEW_GUESS))
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            labels += 1
            if call.parse_error:
                sizes.append(text_size("text", "parse error: " + call.parse_error))
            arguments = call.arguments
            if isinstance(arguments, str):
                if arguments:
                    sizes.append(text_size("arguments", arguments))
            elif not (isinstance(arguments, dict) and not arguments):
                sizes.append(text_size("arguments", None, _json_guess(arguments)))
    if not labels and not sizes:
        labels = 1
    return labels, tuple(sizes)
