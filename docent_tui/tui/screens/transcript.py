"""The transcript screen: one run, every transcript in Docent's order, full width."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from docent_tui.core.models import AgentRun
from docent_tui.core.sanitize import one_line
from docent_tui.tui.transcript import TranscriptView


def run_header(run: AgentRun) -> Text:
    """Run name or id, model and task, and the scores, which stay visible while reading."""
    title = Text(one_line(run.name or run.id, limit=100), style="bold")
    metadata = run.metadata
    for key in ("model", "task"):
        value = metadata.get(key)
        if isinstance(value, str | int | float):
            title.append(f"  {key}: ", style="dim")
            title.append(one_line(str(value), limit=60))
    scores = metadata.get("scores")
    if isinstance(scores, dict) and scores:
        title.append("\nscores ", style="dim")
        parts = []
        for name, value in list(scores.items())[:8]:
            shown = value if isinstance(value, str | int | float | bool) else json.dumps(value)
            parts.append(f"{name}={shown}")
        more = len(scores) - 8
        suffix = f"  (+{more} more)" if more > 0 else ""
        title.append(one_line("  ".join(parts), limit=200) + suffix)
    return title


class TranscriptScreen(Screen[None]):
    """Shows one run; escape returns to the run list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, run: AgentRun) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        yield Static(run_header(self.run), id="run-header")
        yield TranscriptView(id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(TranscriptView)
        view.show_run(self.run)
        view.focus()
