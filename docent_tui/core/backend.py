"""The one interface the app reads collections through, whether local (DuckDB) or remote."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from enum import Enum
from typing import Any, Protocol

from docent_tui.core.engine import DQLResult, LocalEngine
from docent_tui.core.run_list import ListOrder, rank_query, ranked_position
from docent_tui.core.schema import DQLSchema


class BackendStatus(Enum):
    """Whether answers are live; the app marks a collection by its backend's status."""

    ONLINE = "online"
    OFFLINE = "offline"
    """The server cannot be reached: answers come from the cache, or fail."""
    UNAUTHORISED = "unauthorised"
    """The server refused the key; nothing new can be read until the user fixes it."""


class Backend(Protocol):
    """Answers DQL and run reads for the collections it holds.

    The async methods are called on the app's event loop; they must never block it (work that
    takes long runs in a thread). DQL errors raise `docent_tui.core.dql.DQLError`, a query
    superseded on its channel raises `QueryCancelled`, and remote failures raise the
    exceptions in `docent_tui.core.remote.errors`.
    """

    @property
    def status(self) -> BackendStatus: ...

    @property
    def status_detail(self) -> str:
        """One line saying why the backend is not online, with the fix; empty when online."""
        ...

    @property
    def default_order(self) -> ListOrder | None:
        """ORDER BY for run-list pages when the user chose none (None: natural order)."""
        ...

    def validate_where(self, where: str) -> None:
        """Check the WHERE box text before any query; DQLError positions are box-relative."""
        ...

    async def schema(self, collection_id: str) -> DQLSchema: ...

    async def execute(
        self,
        collection_id: str,
        dql: str,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> DQLResult:
        """Run `dql`. A newer call on the same channel supersedes an older one."""
        ...

    async def locate(
        self,
        collection_id: str,
        where: str,
        run_id: str,
        order: ListOrder | None,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> int | None:
        """The row of run `run_id` in the run list of the WHERE box text `where` in ORDER BY
        `order` (None: the default order); None when the run does not match."""
        ...

    async def get_run(self, collection_id: str, run_id: str) -> dict[str, Any] | None:
        """The agent run as Docent's AgentRun JSON, or None when it is not in the collection."""
        ...

    def prefetch(self, collection_id: str, run_ids: Sequence[str]) -> None:
        """Start fetching runs the user is likely to open next; never raises."""
        ...

    def forget(self, collection_id: str) -> None:
        """Drop the session's cached answers about a collection, so the next ask is fresh."""
        ...

    def web_url(self, collection_id: str, run_id: str | None = None) -> str | None:
        """The Docent web page of a collection or run; None when there is none (local)."""
        ...


async def rank_by_query(
    backend: Backend,
    collection_id: str,
    where: str,
    run_id: str,
    order: ListOrder,
    *,
    channel: str | None = None,
    generation: int | None = None,
) -> int | None:
    """`Backend.locate` for an order DQL can name: one `rank_query`."""
    dql = rank_query(where, run_id, order)
    result = await backend.execute(collection_id, dql, channel=channel, generation=generation)
    return ranked_position(result.rows)


class LocalBackend:
    """The embedded engine behind the `Backend` interface; its queries run in threads."""

    def __init__(self, engine: LocalEngine) -> None:
        self.engine = engine

    @property
    def status(self) -> BackendStatus:
        return BackendStatus.ONLINE

    @property
    def status_detail(self) -> str:
        return ""

    @property
    def default_order(self) -> ListOrder | None:
        return None

    def validate_where(self, where: str) -> None:
        self.engine.validate_where(where)

    async def schema(self, collection_id: str) -> DQLSchema:
        return await asyncio.to_thread(self.engine.introspect, collection_id)

    async def execute(
        self,
        collection_id: str,
        dql: str,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> DQLResult:
        # A cancelled caller leaves the thread running; the next query on the channel stops it.
        return await asyncio.to_thread(
            self.engine.execute, collection_id, dql, channel=channel, generation=generation
        )

    async def locate(
        self,
        collection_id: str,
        where: str,
        run_id: str,
        order: ListOrder | None,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> int | None:
        if order is None:  # insertion order, which DQL cannot name
            return await asyncio.to_thread(
                self.engine.position,
                collection_id,
                where,
                run_id,
                channel=channel,
                generation=generation,
            )
        return await rank_by_query(
            self, collection_id, where, run_id, order, channel=channel, generation=generation
        )

    async def get_run(self, collection_id: str, run_id: str) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.engine.get_run, collection_id, run_id)

    def prefetch(self, collection_id: str, run_ids: Sequence[str]) -> None:
        """Local runs are read in milliseconds; there is nothing to prefetch."""

    def forget(self, collection_id: str) -> None:
        """Local answers are never cached; each query reads the engine."""

    def web_url(self, collection_id: str, run_id: str | None = None) -> str | None:
        return None
