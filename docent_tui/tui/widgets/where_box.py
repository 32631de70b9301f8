"""The DQL WHERE box: one boolean expression that filters the run list as you type."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input, Static

from docent_tui.core.sanitize import neutralize, strip_sgr

PLACEHOLDER = "DQL WHERE clause, e.g. metadata_json->>'model' ILIKE '%gpt%'"


class WhereBox(Input):
    """An Input that hands focus back to the run list and can restore the last valid filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "leave", "To the run list", show=False),
        Binding("escape", "restore", "Restore last valid filter", show=False),
    ]

    class Leave(Message):
        """Focus should go back to the run list."""

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(value=value, placeholder=PLACEHOLDER, id=id)
        self.last_valid = value

    def action_leave(self) -> None:
        self.post_message(self.Leave())

    def action_restore(self) -> None:
        if self.value != self.last_valid:
            self.value = self.last_valid
            self.cursor_position = len(self.value)
        self.post_message(self.Leave())


class FilterError(Static):
    """The engine's message for an invalid clause, shown as plain text under the box."""

    def show_error(self, message: str, where: str, position: int | None) -> None:
        text = Text(neutralize(strip_sgr(message).strip()))
        if position is not None and 0 <= position <= len(where):
            caret = Text("\n")
            caret.append(neutralize(where.replace("\n", " ")))
            caret.append("\n" + " " * position + "^")
            text.append_text(caret)
        self.update(text)
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False
