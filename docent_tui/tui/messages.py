"""Messages that workers post to the screens; workers never touch widgets themselves."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.message import Message

from docent_tui.core.models import AgentRun
from docent_tui.core.run_list import RunColumn


class CollectionsChanged(Message):
    """A collection was added, made progress loading, finished or failed."""


class RunsReady(Message):
    """A filter finished: the exact count and the first page of rows."""

    def __init__(
        self,
        generation: int,
        collection_id: str,
        where: str,
        columns: Sequence[RunColumn],
        total: int,
        first_page: list[list[Any]],
        pages: dict[int, list[list[Any]]] | None = None,
    ) -> None:
        self.generation = generation
        self.collection_id = collection_id
        self.where = where
        self.columns = columns
        self.total = total
        self.first_page = first_page
        # Further pages fetched with the first: the one holding the run the cursor was on.
        self.pages = pages or {}
        # Set when these rows are shown in place of a filter that failed.
        self.failure: FilterFailed | None = None
        super().__init__()


class FilterFailed(Message):
    """The WHERE clause was refused or failed; the previous rows stay on screen."""

    def __init__(self, generation: int, where: str, message: str, position: int | None) -> None:
        self.generation = generation
        self.where = where
        self.message = message
        self.position = position
        super().__init__()


class PageReady(Message):
    """A further page of rows for the current result."""

    def __init__(self, generation: int, page: int, rows: list[list[Any]]) -> None:
        self.generation = generation
        self.page = page
        self.rows = rows
        super().__init__()


class PageFailed(Message):
    """A further page could not be fetched; it is asked for again when next shown."""

    def __init__(self, generation: int, page: int, reason: str) -> None:
        self.generation = generation
        self.page = page
        self.reason = reason
        super().__init__()


class RunOpened(Message):
    """A run was fetched and parsed, ready for the transcript viewer."""

    def __init__(
        self,
        collection_id: str,
        run: AgentRun,
        web_url: str | None = None,
        *,
        in_place: bool = False,
    ) -> None:
        self.collection_id = collection_id
        self.run = run
        self.web_url = web_url
        # Shown in the transcript already on screen (J/K) instead of a new one.
        self.in_place = in_place
        super().__init__()


class RunOpenFailed(Message):
    """A run could not be opened (not found or unreadable)."""

    def __init__(self, run_id: str, reason: str) -> None:
        self.run_id = run_id
        self.reason = reason
        super().__init__()


class RunsFailed(Message):
    """The run list could not be fetched (server unreachable, not authorised...)."""

    def __init__(self, generation: int, reason: str) -> None:
        self.generation = generation
        self.reason = reason
        super().__init__()


class RemoteChanged(Message):
    """A remote backend went online/offline, or refreshed a run in the background."""

    def __init__(self, collection_id: str | None = None, run_id: str | None = None) -> None:
        self.collection_id = collection_id
        self.run_id = run_id
        super().__init__()


class ShowCollection(Message):
    """Go to this collection, and open this run, once it is listed."""

    def __init__(self, collection_id: str, run_id: str | None = None) -> None:
        self.collection_id = collection_id
        self.run_id = run_id
        super().__init__()
