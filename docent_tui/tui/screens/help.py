"""The key help screen, built from the one key table."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from docent_tui.tui.keys import KEYS


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


class HelpScreen(ModalScreen[None]):
    """Every key, by context."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-dialog"):
            yield Static(key_table())
            yield Static(Text("escape to close", style="dim"))
