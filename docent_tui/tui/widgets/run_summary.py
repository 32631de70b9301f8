"""The summary line above the run list: a sparkline of one numeric field over the filtered runs."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from docent_tui.core.summary import Distribution, summary_text


class RunSummary(Static):
    """One line of plain text, hidden while there is nothing to show."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.distribution: Distribution | None = None

    def on_mount(self) -> None:
        self.display = False

    def show(self, distribution: Distribution) -> None:
        """Draw the distribution (labels come from metadata keys: never markup)."""
        self.distribution = distribution
        self.update(Text(summary_text(distribution)))
        self.remove_class("-waiting")
        self.display = True

    def wait(self, note: str) -> None:
        """Hold the line with a note until there is a chart, so the list below stays put."""
        self.distribution = None
        self.update(Text(note))
        self.add_class("-waiting")
        self.display = True

    def hide(self) -> None:
        self.distribution = None
        self.display = False
