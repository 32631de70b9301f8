"""Run, transcript (with its groups) and message metadata, as highlighted JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from docent_tui.core.export import scores_first
from docent_tui.core.models import AgentRun, ChatMessage, to_json_text
from docent_tui.core.sanitize import neutralize, one_line
from docent_tui.core.tree import OrderedTranscript, group_label, ordered_transcripts, parse_address
from docent_tui.tui.screens.dialog import Dialog

# JSON longer than this (characters) is shown as plain text: highlighting it would stall the UI.
HIGHLIGHT_LIMIT = 20_000
# Beyond these, JSON is cut with an explicit "… N more lines" notice.
MAX_LINES = 2_000
MAX_CHARS = 200_000
_TRANSCRIPT = re.compile(r"^T(\d+)$")


def clipped_json(value: Any) -> tuple[str, str | None]:
    """Indented, neutralised JSON of `value`, and the notice when it had to be cut."""
    text = neutralize(to_json_text(value, indent=2))
    total_lines = text.count("\n") + 1
    notice: str | None = None
    if total_lines > MAX_LINES or len(text) > MAX_CHARS:
        head = text[:MAX_CHARS]
        lines = head.split("\n")[:MAX_LINES]
        kept = "\n".join(lines)
        hidden_lines = total_lines - len(lines)
        hidden_chars = len(text) - len(kept)
        if hidden_lines > 0:
            lines_word = "line" if hidden_lines == 1 else "lines"
            notice = f"… {hidden_lines:,} more {lines_word} ({hidden_chars:,} characters) not shown"
        else:
            notice = f"… {hidden_chars:,} more characters not shown"
        text = kept
    return text, notice


def json_renderables(value: Any, dark: bool) -> list[RenderableType]:
    """Highlighted JSON (plain text when large), followed by a cut notice when needed."""
    text, notice = clipped_json(value)
    shown: list[RenderableType] = []
    if len(text) <= HIGHLIGHT_LIMIT:
        theme = "ansi_dark" if dark else "ansi_light"
        shown.append(Syntax(text, "json", theme=theme, word_wrap=True, background_color="default"))
    else:
        shown.append(Text(text, overflow="fold"))
    if notice is not None:
        shown.append(Text(notice, style="italic dim"))
    return shown


def _facts(pairs: list[tuple[str, Any]]) -> Text:
    """`key: value` lines for ids, names and roles; empty values are left out."""
    text = Text()
    for key, value in pairs:
        if value in (None, "", []):
            continue
        shown = value if isinstance(value, str) else to_json_text(value)
        if text:
            text.append("\n")
        text.append(f"{key}: ", style="dim")
        text.append(one_line(shown, 400))
    return text


class Heading(Text):
    """A section title (its own widget class, so sections get space above them)."""


def _heading(title: str) -> Heading:
    return Heading(one_line(title, 200), style="bold")


class MetadataScreen(Dialog[None]):
    """Metadata of the run, the current transcript and its groups, and the current message."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,m", "dismiss", "Close"),
        Binding("j", "scroll('down')", "Down", show=False),
        Binding("k", "scroll('up')", "Up", show=False),
        Binding("g", "scroll('home')", "Top", show=False),
        Binding("G", "scroll('end')", "Bottom", show=False),
    ]

    def __init__(self, run: AgentRun, address: str | None = None) -> None:
        super().__init__()
        self.run = run
        self.address = address

    def _locate(self) -> tuple[OrderedTranscript | None, tuple[int, ChatMessage] | None]:
        """The transcript and (block, message) the address names, where they exist."""
        if not self.address:
            return None, None
        address = self.address.strip()
        position = parse_address(address)
        match = _TRANSCRIPT.match(address)
        index = position[0] if position is not None else (int(match.group(1)) if match else None)
        if index is None:
            return None, None
        ordered = ordered_transcripts(self.run)
        if not 0 <= index < len(ordered):
            return None, None
        transcript = ordered[index]
        if position is None or not 0 <= position[1] < len(transcript.transcript.messages):
            return transcript, None
        return transcript, (position[1], transcript.transcript.messages[position[1]])

    def _sections(self) -> Iterator[RenderableType | Heading]:
        dark = self.app.current_theme.dark
        run = self.run
        yield _heading("Agent run")
        yield _facts(
            [
                ("id", run.id),
                ("name", run.name),
                ("description", run.description),
                ("created", run.created_at),
            ]
        )
        yield from self._metadata(run.metadata, dark)
        transcript, located = self._locate()
        if transcript is not None:
            current = transcript.transcript
            yield _heading(f"Transcript {transcript.label}")
            path = " › ".join(group_label(group) for group in transcript.group_path)
            yield _facts(
                [
                    ("id", current.id),
                    ("name", current.name),
                    ("description", current.description),
                    ("created", current.created_at),
                    ("groups", path),
                    ("messages", f"{len(current.messages):,}"),
                ]
            )
            yield from self._metadata(current.metadata, dark)
            for group in transcript.group_path:
                yield _heading(f"Group {group_label(group)}")
                yield _facts(
                    [("id", group.id), ("name", group.name), ("description", group.description)]
                )
                yield from self._metadata(group.metadata, dark)
        if transcript is not None and located is not None:
            block, message = located
            yield _heading(f"Message {transcript.label}B{block}")
            yield _facts(
                [
                    ("id", message.id),
                    ("role", message.role),
                    ("tool_call_id", getattr(message, "tool_call_id", None)),
                    ("function", getattr(message, "function", None)),
                    ("model", getattr(message, "model", None)),
                ]
            )
            yield from self._metadata(message.metadata, dark)

    @staticmethod
    def _metadata(metadata: Mapping[str, Any], dark: bool) -> Iterator[RenderableType]:
        if not metadata:
            yield Text("no metadata", style="dim italic")
            return
        yield from json_renderables(scores_first(metadata), dark)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="metadata-dialog"):
            for renderable in self._sections():
                kind = "metadata-heading" if isinstance(renderable, Heading) else "metadata-block"
                yield Static(renderable, classes=kind)
            yield Static(
                Text("j/k pgup/pgdn scroll  ·  escape close", style="dim"), id="metadata-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#metadata-dialog", VerticalScroll).focus()

    def action_scroll(self, where: str) -> None:
        scroll = self.query_one("#metadata-dialog", VerticalScroll)
        if where == "down":
            scroll.scroll_down(animate=False)
        elif where == "up":
            scroll.scroll_up(animate=False)
        elif where == "home":
            scroll.scroll_home(animate=False)
        else:
            scroll.scroll_end(animate=False)
