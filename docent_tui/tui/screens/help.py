"""The key help screen, built from the one key table."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from docent_tui.tui.keys import KEYS
from docent_tui.tui.screens.dialog import Dialog


def key_table() -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
    table.add_column(style="bold")
    table.add_column(style="bold cyan", no_wrap=True)
    table.add_column()
    previous = ""
    for key in KEYS:
        context = key.context if key.context != previous else ""
        table.add_row(Text(context), Text(key.keys), Text(key.action))
        previous = key.context
    return table


class HelpScreen(Dialog[None]):
    """Every key, by context."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
        Binding("pagedown,space", "scroll(20)", "Page down", show=False),
        Binding("pageup", "scroll(-20)", "Page up", show=False),
        Binding("G,end", "scroll(1000000)", "End", show=False),
        Binding("g,home", "scroll(-1000000)", "Top", show=False),
    ]

    def action_scroll(self, lines: int) -> None:
        dialog = self.query_one("#help-dialog", VerticalScroll)
        dialog.scroll_to(y=dialog.scroll_y + lines, animate=False)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(key_table())
            yield Static(Text("escape to close", style="dim"))
