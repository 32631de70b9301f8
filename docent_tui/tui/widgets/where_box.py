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
    """An Input that hands focus back to the run list, optionally restoring the shown filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "leave", "To the run list", show=False),
        Binding("escape", "leave(True)", "Restore last valid filter", show=False),
    ]

    class Leave(Message):
        """Focus should go back to the run list; with `restore`, the box should show the filter
        the list is showing."""

        def __init__(self, restore: bool) -> None:
            self.restore = restore
            super().__init__()

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(value=value, placeholder=PLACEHOLDER, id=id)

    def action_leave(self, restore: bool = False) -> None:
        self.post_message(self.Leave(restore))


class FilterError(Static):
    """The engine's message for an invalid clause, shown as plain text under the box."""

    def show_error(self, message: str, where: str, position: int | None) -> None:
        """The message's first line, then the clause with a caret under the position if known.

        sqlglot's messages repeat the query below their first line; the caret replaces that.
        """
        lines = [line for line in strip_sgr(message).strip().splitlines() if line.strip()]
        text = Text(neutralize(lines[0] if lines else "Invalid filter."))
        if position is not None and 0 <= position <= len(where):
            excerpt, caret = _excerpt(where, position, self.size.width or 80)
            text.append("\n" + neutralize(excerpt) + "\n" + " " * caret + "^")
        else:
            for line in lines[1:3]:
                text.append("\n" + neutralize(line))
        self.update(text)
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False


def _excerpt(where: str, position: int, width: int) -> tuple[str, int]:
    """One line of the clause around `position`, and the caret's column in it."""
    flat = where.replace("\n", " ").replace("\t", " ")
    room = max(width - 4, 20)
    start = max(0, min(position - room // 2, len(flat) - room))
    excerpt = flat[start : start + room]
    caret = position - start
    if start > 0:
        excerpt = "…" + excerpt[1:]
    if start + room < len(flat):
        excerpt = excerpt[:-1] + "…"
    return excerpt, caret
