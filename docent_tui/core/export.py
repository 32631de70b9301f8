"""Getting a run out: message and tool call text (Docent's rendering), Markdown and Docent JSON
exports, safe export file names, and the external pager/editor commands.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    RawMessage,
    ReasoningContent,
    TextContent,
    ToolCall,
    ToolMessage,
    UnknownContent,
    to_json_text,
)
from docent_tui.core.sanitize import neutralize, one_line
from docent_tui.core.tree import group_label, message_address, ordered_transcripts

# Longest export file name stem in UTF-8 bytes (before the collision counter and the suffix);
# file systems allow 255 bytes per name.
_STEM_BYTES = 100
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")
_DASHES = re.compile(r"-{2,}")
_BACKTICKS = re.compile(r"`+")
# Characters json.dumps leaves raw with ensure_ascii=False that a terminal would act on
# (C1 controls, DEL, text-reordering marks); escaped as \uXXXX so `cat export.json` is safe.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def scores_first(metadata: Mapping[str, Any]) -> dict[str, Any]:
    """Metadata with the `scores` key (when present) moved to the front."""
    if "scores" not in metadata:
        return dict(metadata)
    return {"scores": metadata["scores"], **{k: v for k, v in metadata.items() if k != "scores"}}


# --- Docent's text rendering (docent-api.md §B.6, §B.11) -----------------------------------------


def tool_call_text(call: ToolCall) -> str:
    """A tool call as Docent renders it: the view's content, else `fn(k=v, ...)`.

    String argument values are shown raw, other values as compact JSON (as the web UI does).
    """
    if call.view is not None and call.view.content:
        return call.view.content
    arguments = call.arguments
    if isinstance(arguments, dict):
        shown = ", ".join(
            f"{key}={value if isinstance(value, str) else _compact_json(value)}"
            for key, value in arguments.items()
        )
    elif isinstance(arguments, str):
        shown = arguments
    else:
        shown = _compact_json(arguments)
    return f"{call.function}({shown})"


def _compact_json(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    except (TypeError, ValueError):
        return str(value)


def message_text(message: ChatMessage, address: str) -> str:
    """One message wrapped as Docent shows it to judges: `<|T0B3; role: assistant|> … </|…|>`.

    The body is the last reasoning item (assistant messages), the text, then each tool call.
    Beyond Docent's rendering, a tool error and non-empty message metadata are appended, so a
    copied message says why it failed.
    """
    tag = f"{address}; role: {message.role}"
    body = ""
    if isinstance(message, AssistantMessage):
        reasoning = [item for item in message.content_items if isinstance(item, ReasoningContent)]
        if reasoning:
            body += f"<reasoning>\n{reasoning[-1].display_text}\n</reasoning>\n"
    body += message.text
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            body += f"\n<tool call>\n{tool_call_text(call)}\n</tool call>"
    if isinstance(message, ToolMessage) and message.error is not None:
        body += f"\n<error>\n{message.error_text}\n</error>"
    if isinstance(message, RawMessage) and message.problem:
        body += f"\n<error>\n{message.problem}\n</error>"
    if message.metadata:
        metadata = to_json_text(message.metadata, indent=2)
        body += f"\n<|message metadata|>\n{metadata}\n</|message metadata|>"
    return f"<|{tag}|>\n{body}\n</|{tag}|>"


def tool_call_copy(call: ToolCall) -> str:
    """A tool call for the clipboard: the function name, then its arguments as indented JSON."""
    arguments = call.arguments
    shown = arguments if isinstance(arguments, str) else to_json_text(arguments, indent=2)
    return f"{call.function}\n{shown}"


# --- Markdown ------------------------------------------------------------------------------------


def _fence(text: str, info: str = "") -> str:
    """`text` as a fenced code block whose fence is longer than any backtick run inside."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _code_span(text: str) -> str:
    """`text` as an inline code span, safe whatever backticks it holds."""
    flat = one_line(text, 300)
    longest = max((len(run) for run in _BACKTICKS.findall(flat)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{ticks}{pad}{flat}{pad}{ticks}"


def _plain(text: str, limit: int = 200) -> str:
    """Untrusted text for a heading or list line: one line, Markdown punctuation escaped."""
    return re.sub(r"([\\`*_\[\]<>#|!~])", r"\\\1", one_line(text, limit))


def _metadata_block(metadata: Mapping[str, Any]) -> str:
    return _fence(to_json_text(scores_first(metadata), indent=2), "json")


def _message_heading(message: ChatMessage, address: str) -> str:
    parts = [address, "unreadable message" if isinstance(message, RawMessage) else message.role]
    if isinstance(message, AssistantMessage) and message.model:
        parts.append(message.model)
    if isinstance(message, ToolMessage) and message.function:
        parts.append(message.function)
    return "### " + " · ".join(_plain(part, 120) for part in parts)


def _message_markdown(message: ChatMessage, address: str) -> Iterator[str]:
    yield _message_heading(message, address)
    if isinstance(message, RawMessage):
        yield "**Could not read this message:** " + _code_span(message.problem or "unknown problem")
        yield _fence(message.text, "json")
        return
    tool_call_id = getattr(message, "tool_call_id", None)
    if isinstance(tool_call_id, str) and tool_call_id:
        yield "Result of tool call " + _code_span(tool_call_id)
    if isinstance(message, ToolMessage) and message.error is not None:
        yield "**Error:**"
        yield _fence(message.error_text or "", "text")
    for item in message.content_items:
        if isinstance(item, ReasoningContent):
            if item.redacted and not item.summary:
                yield "> *reasoning redacted*"
            elif item.display_text:
                yield "*reasoning:*"
                yield _fence(item.display_text, "text")
        elif isinstance(item, TextContent):
            if item.refusal:
                yield "**Refusal:**"
            if not item.text:
                continue
            # Always fenced: inlined, content could forge headings, results or HTML.
            yield _fence(item.text, "text")
        elif isinstance(item, UnknownContent):
            yield f"*[{_plain(item.type, 40)} content not exported]*"
    if isinstance(message, AssistantMessage):
        for call in message.tool_calls:
            line = "**→ " + _plain(call.function or "(no function)", 120) + "**"
            if call.id:
                line += " " + _code_span(call.id)
            yield line
            if call.parse_error:
                yield "**Parse error:**"
                yield _fence(call.parse_error, "text")
            arguments = call.arguments
            if isinstance(arguments, str):
                yield _fence(arguments, "text")
            elif arguments != {}:
                yield _fence(to_json_text(arguments, indent=2), "json")
    if message.metadata:
        yield "Message metadata:"
        yield _metadata_block(message.metadata)


def _run_markdown_parts(run: AgentRun) -> Iterator[str]:
    yield "# " + _plain(run.name or run.id or "(unnamed run)")
    facts = [f"- Agent run id: {_code_span(run.id)}" if run.id else ""]
    if run.created_at:
        facts.append(f"- Created: {_code_span(run.created_at)}")
    facts.append(f"- Messages: {run.message_count:,} in {len(run.transcripts):,} transcript(s)")
    yield "\n".join(fact for fact in facts if fact)
    if run.description:
        yield _fence(run.description, "text")
    if run.metadata:
        yield "## Metadata"
        yield _metadata_block(run.metadata)
    for ordered in ordered_transcripts(run):
        transcript = ordered.transcript
        title = ordered.label
        if transcript.name:
            title += " · " + _plain(transcript.name)
        yield f"## {title}"
        facts = [f"- Transcript id: {_code_span(transcript.id)}" if transcript.id else ""]
        if ordered.group_path:
            path = " › ".join(group_label(group) for group in ordered.group_path)
            facts.append("- Group: " + _plain(path, 300))
        yield "\n".join(fact for fact in facts if fact) or "- (no id)"
        if transcript.description:
            yield _fence(transcript.description, "text")
        if transcript.metadata:
            yield "Transcript metadata:"
            yield _metadata_block(transcript.metadata)
        for block, message in enumerate(transcript.messages):
            yield from _message_markdown(message, message_address(ordered.index, block))


def run_markdown(run: AgentRun) -> str:
    """A readable Markdown document of the whole run, safe to print on a terminal.

    Untrusted text never breaks the document's structure: code is fenced with a fence longer
    than any backtick run in it, and control characters are made visible.
    """
    document = "\n\n".join(part for part in _run_markdown_parts(run) if part) + "\n"
    return neutralize(document.replace("\r\n", "\n"))


# --- Docent JSON ---------------------------------------------------------------------------------


def run_record(run: AgentRun) -> dict[str, Any]:
    """The run as a Docent AgentRun JSON object (plus `created_at`), as loaded.

    Messages that could not be read are written back exactly as the source had them.
    """
    record = run.model_dump(mode="json")
    for transcript, dumped in zip(run.transcripts, record["transcripts"], strict=True):
        for index, message in enumerate(transcript.messages):
            if isinstance(message, RawMessage):
                dumped["messages"][index] = message.raw
    return record


def run_json(run: AgentRun) -> str:
    """The run as indented Docent AgentRun JSON; loads back into an equal run."""
    text = json.dumps(run_record(run), indent=2, ensure_ascii=False, default=str)
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text) + "\n"


# --- files and external programs -----------------------------------------------------------------


def _stem(run: AgentRun) -> str:
    """A file name stem from the run's name or id: letters, digits, `.`, `-`, `_` only."""
    stem = _DASHES.sub("-", _UNSAFE_NAME.sub("-", run.name or run.id or "")).strip(".-_")
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[: max(len(stem) - 8, 0)]
    return stem.rstrip(".-_") or "agent-run"


def export_path(directory: Path, run: AgentRun, suffix: str) -> Path:
    """A new file in `directory` named after the run (`name.md`, then `name-1.md`, ...)."""
    suffix = suffix if suffix.startswith(".") else f".{suffix}"
    stem = _stem(run)
    candidate = directory / f"{stem}{suffix}"
    counter = 0
    while candidate.exists():
        counter += 1
        candidate = directory / f"{stem}-{counter}{suffix}"
    return candidate


def write_export(directory: Path, run: AgentRun, suffix: str, text: str) -> Path:
    """Write `text` to a new export file (never overwriting one) and return its path.

    Raises OSError when the directory cannot be written.
    """
    while True:
        path = export_path(directory, run, suffix)
        try:
            with path.open("x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            continue  # another writer took the name between the check and the open
        return path


def _command(value: str | None, default: str) -> list[str]:
    if value:
        try:
            parts = shlex.split(value)
        except ValueError:
            parts = []
        if parts:
            return parts
    return [default]


def pager_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """`$PAGER` as an argument list, or `less`."""
    env = os.environ if environ is None else environ
    return _command(env.get("PAGER"), "less")


def editor_command(environ: Mapping[str, str] | None = None) -> list[str]:
    """`$VISUAL`, else `$EDITOR`, as an argument list, or `vi`."""
    env = os.environ if environ is None else environ
    return _command(env.get("VISUAL") or env.get("EDITOR"), "vi")


def write_temp_file(text: str, suffix: str = ".txt") -> Path:
    """Write neutralised text (no terminal control sequences) to a new temporary file.

    For handing content to a pager or editor, which may pass bytes straight to the terminal;
    the caller deletes the file.
    """
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", prefix="docent-tui-", suffix=suffix, delete=False
    ) as handle:
        handle.write(neutralize(text.replace("\r\n", "\n")))
    return Path(handle.name)
