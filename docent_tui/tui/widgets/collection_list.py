"""The collection pane: every open collection with its run count and load state."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from docent_tui.core.library import Collection, CollectionState
from docent_tui.core.sanitize import one_line

_STATE_STYLE = {
    CollectionState.FAILED: "$error",
    CollectionState.LOADING: "$warning",
    CollectionState.PENDING: "$text-muted",
    CollectionState.READY: "$text-muted",
}


def collection_prompt(collection: Collection) -> Content:
    """Two plain-text lines: the name, then the run count or what went wrong."""
    summary_style = _STATE_STYLE[collection.state]
    if collection.state is CollectionState.READY and collection.problems:
        summary_style = "$warning"
    return Content.assemble(
        (one_line(collection.name, limit=60), "bold"),
        "\n",
        (one_line(collection.summary, limit=120), summary_style),
    )


class CollectionList(OptionList):
    """An option per collection; its id is the collection id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def show(self, collections: Sequence[Collection]) -> None:
        """Add new collections, refresh known ones and drop gone ones, keeping the highlight."""
        wanted = {collection.id for collection in collections}
        for index in reversed(range(self.option_count)):
            option_id = self.get_option_at_index(index).id
            if option_id not in wanted:
                self.remove_option_at_index(index)
        for collection in collections:
            prompt = collection_prompt(collection)
            try:
                self.replace_option_prompt(collection.id, prompt)
            except OptionDoesNotExist:
                self.add_option(Option(prompt, id=collection.id))
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    def highlight_collection(self, collection_id: str) -> None:
        """Put the highlight on a collection, if it is listed."""
        with contextlib.suppress(OptionDoesNotExist):
            self.highlighted = self.get_option_index(collection_id)
