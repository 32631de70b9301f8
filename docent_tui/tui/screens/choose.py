"""A small keyboard picker: a title and a list of options; enter chooses, escape cancels."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from docent_tui.core.sanitize import one_line
from docent_tui.tui.screens.dialog import Dialog


class ChooseScreen(Dialog[str | None]):
    """Dismisses with the value of the chosen `(value, label)` option, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Cancel"),
        Binding("j", "move('down')", "Down", show=False),
        Binding("k", "move('up')", "Up", show=False),
    ]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.choice_values = [value for value, _ in options]
        self.choice_labels = [label for _, label in options]

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-dialog"):
            yield Static(Text(one_line(self.title_text, 200), style="bold"), id="choose-title")
            yield OptionList(
                *(Option(Text(one_line(label, 300))) for label in self.choice_labels),
                id="choose-list",
            )
            yield Static(Text("enter choose  ·  escape cancel", style="dim"), id="choose-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.focus()
        if self.choice_values:
            options.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choice_values[event.option_index])

    def action_move(self, direction: str) -> None:
        options = self.query_one(OptionList)
        if direction == "down":
            options.action_cursor_down()
        else:
            options.action_cursor_up()
