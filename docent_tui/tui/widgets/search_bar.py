"""The transcript's search box: typed after `/`, searched on Enter, closed with Escape."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class SearchBar(Input):
    """A one-line Input docked under the transcript; hidden until `/`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close search", show=False),
    ]

    class Closed(Message):
        """The reader left the box without searching."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(placeholder="search this run (Enter; n/N for next/previous hit)", id=id)

    def open(self, query: str = "") -> None:
        self.value = query
        self.display = True
        self.focus()

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())
