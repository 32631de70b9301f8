"""A list of every file, sample or line of a collection that could not be loaded."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from docent_tui.core.library import Collection
from docent_tui.core.sanitize import one_line
from docent_tui.tui.screens.dialog import Dialog


class ProblemsScreen(Dialog[None]):
    """Shows a collection's load problems, one line each."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,exclamation_mark", "dismiss", "Close"),
    ]

    def __init__(self, collection: Collection) -> None:
        super().__init__()
        self.collection = collection

    def compose(self) -> ComposeResult:
        problems = self.collection.problems
        text = Text(
            one_line(f"{self.collection.name}: {len(problems)} item(s) skipped"), style="bold"
        )
        for problem in problems:
            text.append("\n• " + one_line(str(problem), limit=400))
        ignored = self.collection.ignored_files
        if ignored:
            text.append(f"\n\n{len(ignored)} file(s) ignored (not .eval, .json or .jsonl):")
            for path in ignored:
                text.append("\n• " + one_line(path, limit=400), style="dim")
        text.append("\n\nescape to close", style="dim")
        with VerticalScroll(id="problems-dialog"):
            yield Static(text)
