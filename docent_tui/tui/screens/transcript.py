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
        Binding("w", "copy_web_url", "Copy web URL"),
    ]

    def __init__(
        self, run: AgentRun, collection_id: str | None = None, web_url: str | None = None
    ) -> None:
        super().__init__()
        self.run = run
        self.collection_id = collection_id
        self.web_url = web_url

    def compose(self) -> ComposeResult:
        yield Static(run_header(self.run), id="run-header")
        yield TranscriptView(id="transcript")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(TranscriptView)
        view.show_run(self.run)
        view.focus()

    def show_refreshed(self, run: AgentRun) -> None:
        """Show a newer copy of the same run, staying at the same message."""
        view = self.query_one(TranscriptView)
        address = view.current_address
        self.run = run
        self.query_one("#run-header", Static).update(run_header(run))
        view.show_run(run)
        if address is not None:
            view.scroll_to_address(address)
        self.notify("The run changed on the server; showing the new version.", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Local runs have no web page: the key is left out of the footer for them.
        return not (action == "copy_web_url" and self.web_url is None)

    def action_copy_web_url(self) -> None:
        copy_web_url(self, self.web_url)


def copy_web_url(screen: Screen[None], url: str | None) -> None:
    """Put a run's Docent web address on the clipboard (OSC 52, so it works over SSH)."""
    if url is None:
        screen.notify("Local runs have no Docent web page.", severity="warning", markup=False)
        return
    screen.app.copy_to_clipboard(url)
    screen.notify(f"Copied {one_line(url, limit=400)}", markup=False)
