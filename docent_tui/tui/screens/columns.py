"""A dialog choosing the run list's columns from the collection's metadata paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import SelectionList, Static
from textual.widgets.selection_list import Selection

from docent_tui.core.run_list import ColumnChoice
from docent_tui.core.sanitize import one_line
from docent_tui.tui.screens.dialog import Dialog


class ColumnsScreen(Dialog[list[ColumnChoice] | None]):
    """Check the columns to show; enter applies the choice, escape keeps the columns as they are.

    Dismisses with the chosen columns: those already shown in their order, then the newly
    checked ones in list order; or None when cancelled.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: enter in the list would otherwise toggle the highlighted path.
        Binding("enter", "apply", "Apply", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self, choices: Sequence[tuple[ColumnChoice, str]], current: Sequence[ColumnChoice]
    ) -> None:
        super().__init__()
        self.choices = list(choices)
        self.current = list(current)

    def compose(self) -> ComposeResult:
        selections = [
            # Content, not a str: metadata keys are untrusted and never read as markup.
            Selection(Content(one_line(label, limit=200)), value, value in self.current)
            for value, label in self.choices
        ]
        with Vertical(id="columns-dialog"):
            yield Static(Content("Columns"), id="columns-title")
            yield SelectionList[ColumnChoice](*selections, id="columns-list")
            yield Static(
                Content("space toggles · enter applies · escape cancels"), id="columns-hint"
            )

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_apply(self) -> None:
        checked = set(self.query_one(SelectionList).selected)
        kept = [choice for choice in self.current if choice in checked]
        added = [value for value, _ in self.choices if value in checked and value not in kept]
        self.dismiss(kept + added)

    def action_cancel(self) -> None:
        self.dismiss(None)
