"""A Docent server behind the app's `Backend` interface, with caching, prefetch and offline mode.

Every method runs on the app's event loop (that includes `prefetch` and the listener calls);
disk work and big JSON parses run in worker threads. Answers are cached in memory for the
session, so revisiting a page or a run costs no request, and on disk, so a restart opens
seen runs at once and a server that cannot be reached still shows what was seen before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from docent_tui.core.backend import BackendStatus, rank_by_query
from docent_tui.core.dql import DQLError, QueryCancelled, validate_where_clause
from docent_tui.core.engine import DQLResult
from docent_tui.core.remote.cache import (
    COLLECTION,
    COLLECTIONS,
    DQL,
    RUN,
    SCHEMA,
    DiskCache,
    MemoryCache,
    dql_key,
)
from docent_tui.core.remote.client import (
    DocentClient,
    FetchedRun,
    RemoteSettings,
    cache_origin,
    host_of,
    segment,
)
from docent_tui.core.remote.errors import (
    BadResponse,
    NotAuthorised,
    NotFound,
    RemoteError,
    ServerUnavailable,
)
from docent_tui.core.run_list import NEWEST_FIRST, ListOrder
from docent_tui.core.schema import DQLSchema, schema_from_server

__all__ = [
    "DEFAULT_ORDER",
    "RemoteBackend",
    "RemoteCollection",
    "RemoteEvent",
    "RunRefreshed",
    "StatusChanged",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_ORDER = NEWEST_FIRST
"""Newest first, with the id as tie-break so pages under OFFSET are stable."""


@dataclass(frozen=True)
class StatusChanged:
    """The backend's status changed; `detail` is the one-line reason (empty when online)."""

    status: BackendStatus
    detail: str


@dataclass(frozen=True)
class RunRefreshed:
    """A run shown from the disk cache changed (or vanished) on the server."""

    collection_id: str
    run_id: str


RemoteEvent = StatusChanged | RunRefreshed


@dataclass(frozen=True)
class RemoteCollection:
    """One row of the collection list."""

    id: str
    name: str | None
    description: str | None
    run_count: int | None
    created_at: str | None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> RemoteCollection:
        """Read a `CollectionRow`; ValueError when it has no id."""
        cid = row.get("id")
        if not isinstance(cid, str) or not cid:
            raise ValueError("a collection without an id")
        count = row.get("agent_run_count")
        return cls(
            id=cid,
            name=_optional_str(row.get("name")),
            description=_optional_str(row.get("description")),
            run_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
            created_at=_optional_str(row.get("created_at")),
        )


@dataclass
class _Ticket:
    """A query in flight on a channel; a newer query there sets `superseded` and cancels it."""

    task: asyncio.Future[DQLResult] | None = None
    superseded: bool = False


class RemoteBackend:
    """Reads a Docent server through `client`; see the module docstring.

    `memory` defaults to a fresh MemoryCache; without `disk` nothing is kept across restarts.
    The backend owns `client`: `aclose()` stops the background work, then closes it.
    """

    def __init__(
        self,
        client: DocentClient,
        settings: RemoteSettings,
        *,
        memory: MemoryCache | None = None,
        disk: DiskCache | None = None,
        listener: Callable[[RemoteEvent], None] | None = None,
        prefetch_concurrency: int = 2,
    ) -> None:
        self.client = client
        self.settings = settings
        self.memory = memory if memory is not None else MemoryCache()
        self.disk = disk
        self.listener = listener
        self.prefetch_concurrency = max(1, prefetch_concurrency)
        self._api = cache_origin(settings.api_url)
        self._host = host_of(settings.api_url)
        self._status = BackendStatus.ONLINE
        self._detail = ""
        self._channels: dict[str, _Ticket] = {}
        self._generations: dict[str, int] = {}
        self._run_tasks: dict[tuple[str, str], asyncio.Task[FetchedRun | None]] = {}
        self._missing: set[tuple[str, str]] = set()
        self._queue: deque[tuple[str, str]] = deque()
        self._workers: set[asyncio.Task[None]] = set()
        self._background: set[asyncio.Task[Any]] = set()
        self._writes: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ status

    @property
    def status(self) -> BackendStatus:
        return self._status

    @property
    def status_detail(self) -> str:
        return self._detail

    @property
    def default_order(self) -> ListOrder | None:
        return DEFAULT_ORDER

    def web_url(self, collection_id: str, run_id: str | None = None) -> str | None:
        base = f"{self.settings.frontend_url.rstrip('/')}/dashboard/{segment(collection_id)}"
        return base if run_id is None else f"{base}/agent_run/{segment(run_id)}"

    def _set_status(self, status: BackendStatus, detail: str) -> None:
        if status is self._status and detail == self._detail:
            return
        self._status, self._detail = status, detail
        self.client.offline = status is BackendStatus.OFFLINE
        self._emit(StatusChanged(status, detail))

    def _emit(self, event: RemoteEvent) -> None:
        if self.listener is None:
            return
        try:
            self.listener(event)
        except Exception:
            logger.exception("the remote backend's listener failed")

    async def _remote(self, call: Awaitable[T]) -> T:
        """Await a client call, setting the status from its outcome."""
        try:
            value = await call
        except ServerUnavailable:
            offline = f"offline: cannot reach {self._host} — showing cached data"
            self._set_status(BackendStatus.OFFLINE, offline)
            raise
        except NotAuthorised as exc:
            self._set_status(BackendStatus.UNAUTHORISED, exc.message)
            raise
        except (DQLError, NotFound):
            self._set_status(BackendStatus.ONLINE, "")
            raise
        self._set_status(BackendStatus.ONLINE, "")
        return value

    # ------------------------------------------------------------------ collections

    async def check_key(self) -> None:
        """Ask the server whether it accepts the key; raises NotAuthorised when it does not."""
        await self._remote(self.client.check_key())

    async def list_collections(self, *, refresh: bool = False) -> list[RemoteCollection]:
        """The collections the key may read (cached for the session unless `refresh`)."""
        key = (COLLECTIONS,)
        cached = self.memory.small.get(key)
        if isinstance(cached, list) and not refresh:
            return list(cached)
        try:
            rows: Any = await self._remote(self.client.list_collections())
        except ServerUnavailable:
            rows = await self._disk_json(COLLECTIONS, (self._api,))
            if not isinstance(rows, list):
                raise
            return _collections(rows)
        collections = _collections(rows)
        body = await asyncio.to_thread(_encode, rows)
        self.memory.small.put(key, collections, len(body))
        self._write_later(COLLECTIONS, (self._api,), body)
        return list(collections)

    async def get_collection(self, collection_id: str) -> RemoteCollection:
        """One collection's row with its run count; NotFound when it does not exist."""
        key = (COLLECTION, collection_id)
        cached = self.memory.small.get(key)
        if isinstance(cached, RemoteCollection):
            return cached
        disk_key = (self._api, collection_id)
        try:
            row: Any = await self._remote(self.client.get_collection(collection_id))
        except ServerUnavailable:
            stored = await self._disk_json(COLLECTION, disk_key)
            if not isinstance(stored, dict):
                raise
            with contextlib.suppress(ValueError):
                return RemoteCollection.from_json(stored)
            raise
        try:
            collection = RemoteCollection.from_json(row)
        except ValueError:
            raise BadResponse(f"Collection {collection_id} from {self._host} has no id.") from None
        body = await asyncio.to_thread(_encode, row)
        self.memory.small.put(key, collection, len(body))
        self._write_later(COLLECTION, disk_key, body)
        return collection

    # ------------------------------------------------------------------ DQL

    def validate_where(self, where: str) -> None:
        """Check only the shape of the WHERE text; the server judges names and functions."""
        validate_where_clause(where, rules=False)

    async def schema(self, collection_id: str) -> DQLSchema:
        """The collection's DQL schema, with metadata kinds; cached for the session."""
        key = (SCHEMA, collection_id)
        cached = self.memory.small.get(key)
        if isinstance(cached, DQLSchema):
            return cached
        disk_key = (self._api, collection_id)
        try:
            answers = await self._remote(self._schema_answers(collection_id))
        except ServerUnavailable:
            stored = await self._disk_json(SCHEMA, disk_key)
            if not isinstance(stored, dict):
                raise
            return schema_from_server(stored.get("schema"), stored.get("fields"))
        result = schema_from_server(answers["schema"], answers["fields"])
        body = await asyncio.to_thread(_encode, answers)
        self.memory.small.put(key, result, len(body))
        self._write_later(SCHEMA, disk_key, body)
        return result

    async def _schema_answers(self, collection_id: str) -> dict[str, Any]:
        """The schema and the metadata fields, fetched together; the fields are optional."""
        schema: dict[str, Any] | BaseException
        fields: dict[str, Any] | BaseException
        schema, fields = await asyncio.gather(
            self.client.get_dql_schema(collection_id),
            self.client.get_metadata_fields(collection_id),
            return_exceptions=True,
        )
        if isinstance(schema, BaseException):
            raise schema
        if isinstance(fields, BaseException) and (
            isinstance(fields, ServerUnavailable | NotAuthorised)
            or not isinstance(fields, RemoteError)
        ):
            raise fields
        return {"schema": schema, "fields": fields if isinstance(fields, dict) else None}

    async def execute(
        self,
        collection_id: str,
        dql: str,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> DQLResult:
        """Run `dql` on the server; a repeat of a query already answered costs no request.

        A newer call on the same channel cancels this one (QueryCancelled); a call with an
        older generation than the channel's latest is refused at once. When the server cannot
        be reached the last answer stored on disk is returned, if there is one.
        """
        ticket = self._claim(channel, generation)
        try:
            cached = self.memory.small.get((DQL, collection_id, dql))
            if isinstance(cached, DQLResult):
                return cached
            task = asyncio.ensure_future(self._fetch_dql(collection_id, dql))
            ticket.task = task
            try:
                return await task
            except asyncio.CancelledError:
                current = asyncio.current_task()
                if ticket.superseded and (current is None or current.cancelling() == 0):
                    raise QueryCancelled(f"a newer query on {channel!r} took over") from None
                raise
        finally:
            if channel is not None and self._channels.get(channel) is ticket:
                del self._channels[channel]

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
        """The run's row in the list, by one DQL query (cached like any other)."""
        return await rank_by_query(
            self,
            collection_id,
            where,
            run_id,
            order or DEFAULT_ORDER,
            channel=channel,
            generation=generation,
        )

    def _claim(self, channel: str | None, generation: int | None) -> _Ticket:
        ticket = _Ticket()
        if channel is None:
            return ticket
        if generation is not None:
            if generation < self._generations.get(channel, generation):
                raise QueryCancelled(f"a newer query on {channel!r} took over")
            self._generations[channel] = generation
        previous = self._channels.get(channel)
        self._channels[channel] = ticket
        if previous is not None:
            previous.superseded = True
            if previous.task is not None:
                previous.task.cancel()
        return ticket

    async def _fetch_dql(self, collection_id: str, dql: str) -> DQLResult:
        disk_key = dql_key(self._api, collection_id, dql)
        try:
            answer = await self._remote(self.client.execute_dql(collection_id, dql))
        except ServerUnavailable:
            stored = await self._disk_json(DQL, disk_key)
            if stored is None:
                raise
            try:
                return DQLResult.from_json(stored)
            except ValueError:
                raise ServerUnavailable(self._offline_message(), None) from None
        try:
            result = DQLResult.from_json(answer)
        except ValueError as exc:
            raise BadResponse(f"The DQL answer from {self._host} is malformed: {exc}.") from None
        body = await asyncio.to_thread(_encode, answer)
        self.memory.small.put((DQL, collection_id, dql), result, len(body))
        self._write_later(DQL, disk_key, body)
        return result

    def _offline_message(self) -> str:
        return f"Could not reach Docent at {self._host}, and nothing is cached for this."

    # ------------------------------------------------------------------ runs

    async def get_run(self, collection_id: str, run_id: str) -> dict[str, Any] | None:
        """The run: from memory, else from disk (refreshed in the background), else fetched."""
        key = (collection_id, run_id)
        if key in self._missing:
            return None
        body = self.memory.runs.get(key)
        if body is not None:
            return await asyncio.to_thread(_parse_run, body)
        if key not in self._run_tasks and self.disk is not None:
            entry = await asyncio.to_thread(self.disk.get, RUN, (self._api, collection_id, run_id))
            run = None if entry is None else await asyncio.to_thread(_parse_run_or_none, entry.body)
            if entry is not None and run is not None:
                self.memory.runs.put(key, entry.body, len(entry.body))
                # The last step before returning: the refresh starts after this caller resumes.
                self._spawn(self._refresh_run(collection_id, run_id, entry.body))
                return run
        body = self.memory.runs.get(key)
        if body is not None:
            return await asyncio.to_thread(_parse_run, body)
        fetched = await asyncio.shield(self._run_task(collection_id, run_id))
        return None if fetched is None else fetched.run

    def _run_task(self, collection_id: str, run_id: str) -> asyncio.Task[FetchedRun | None]:
        """The one fetch of this run in flight, started if there is none."""
        key = (collection_id, run_id)
        task = self._run_tasks.get(key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch_run(collection_id, run_id))
            self._run_tasks[key] = task

            def forget(done: asyncio.Task[FetchedRun | None]) -> None:
                if self._run_tasks.get(key) is done:
                    del self._run_tasks[key]
                _retrieve(done)

            task.add_done_callback(forget)
        return task

    async def _fetch_run(self, collection_id: str, run_id: str) -> FetchedRun | None:
        key = (collection_id, run_id)
        disk_key = (self._api, collection_id, run_id)
        fetched = await self._remote(self.client.fetch_agent_run(collection_id, run_id))
        if fetched is None:
            self._missing.add(key)
            self.memory.runs.discard(key)
            if self.disk is not None:
                self._track_write(asyncio.to_thread(self.disk.remove, RUN, disk_key))
            return None
        self._missing.discard(key)
        self.memory.runs.put(key, fetched.body, len(fetched.body))
        self._write_later(RUN, disk_key, fetched.body)
        return fetched

    async def _refresh_run(self, collection_id: str, run_id: str, cached: bytes) -> None:
        """Fetch a run shown from disk; tell the listener when the server's copy differs."""
        try:
            fetched = await asyncio.shield(self._run_task(collection_id, run_id))
        except (RemoteError, DQLError):
            return  # the status already says why
        if fetched is None or fetched.body != cached:
            self._emit(RunRefreshed(collection_id, run_id))

    def prefetch(self, collection_id: str, run_ids: Sequence[str]) -> None:
        """Start fetching these runs in the background, at most `prefetch_concurrency` at once.

        Call from the event-loop thread only (it schedules tasks on the running loop; without
        one it does nothing). Ids not yet started from an earlier call are dropped; runs
        cached or in flight are skipped; failures are swallowed (the status still changes).
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        self._queue = deque((collection_id, rid) for rid in dict.fromkeys(run_ids))
        while len(self._workers) < self.prefetch_concurrency and self._queue:
            worker = asyncio.get_running_loop().create_task(self._prefetch_worker())
            self._workers.add(worker)
            worker.add_done_callback(self._workers.discard)
            worker.add_done_callback(_retrieve)

    async def _prefetch_worker(self) -> None:
        while self._queue:
            collection_id, run_id = self._queue.popleft()
            key = (collection_id, run_id)
            if self._known(key):
                continue
            if self.disk is not None:
                disk_key = (self._api, collection_id, run_id)
                if await asyncio.to_thread(self.disk.contains, RUN, disk_key):
                    continue
                if self._known(key):
                    continue
            try:
                await asyncio.shield(self._run_task(collection_id, run_id))
            except (ServerUnavailable, NotAuthorised):
                self._queue.clear()  # the rest would fail the same way
            except (RemoteError, DQLError):
                continue
            except Exception as exc:  # a prefetch is only a guess; it never breaks anything
                logger.debug("prefetch of a run failed: %r", exc)

    def forget(self, collection_id: str) -> None:
        """Drop the session's answers about a collection (not its runs) and the collection list.

        The next filter, schema or count asks the server again; disk copies stay for offline.
        """
        self.memory.small.discard_where(
            lambda key: key == (COLLECTIONS,) or (len(key) > 1 and key[1] == collection_id)
        )
        self._missing = {key for key in self._missing if key[0] != collection_id}

    def _known(self, key: tuple[str, str]) -> bool:
        return key in self._missing or key in self.memory.runs or key in self._run_tasks

    # ------------------------------------------------------------------ background work

    def _spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_retrieve)

    def _write_later(self, kind: str, key: tuple[str, ...], body: bytes) -> None:
        """Store an answer on disk in a worker thread; the caller does not wait for it."""
        if self.disk is not None:
            self._track_write(asyncio.to_thread(_put_quietly, self.disk, kind, key, body))

    def _track_write(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._writes.add(task)
        task.add_done_callback(self._writes.discard)
        task.add_done_callback(_retrieve)

    async def _disk_json(self, kind: str, key: tuple[str, ...]) -> Any:
        """The parsed body of a disk entry, or None when there is none (or no disk cache)."""
        if self.disk is None:
            return None
        entry = await asyncio.to_thread(self.disk.get, kind, key)
        if entry is None:
            return None
        try:
            return await asyncio.to_thread(json.loads, entry.body)
        except ValueError:
            return None

    async def wait_idle(self) -> None:
        """Wait until prefetches, background refreshes and disk writes have finished."""
        while True:
            pending = [*self._workers, *self._background, *self._run_tasks.values(), *self._writes]
            if not pending:
                return
            await asyncio.gather(*pending, return_exceptions=True)

    async def aclose(self) -> None:
        """Stop prefetching and refreshing, let started disk writes finish, close the client."""
        self._queue.clear()
        for task in [*self._workers, *self._background, *self._run_tasks.values()]:
            task.cancel()
        pending = [*self._workers, *self._background, *self._run_tasks.values(), *self._writes]
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
        await self.client.aclose()


def _optional_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _collections(rows: list[Any]) -> list[RemoteCollection]:
    """The rows that are collections; one bad row does not hide the others."""
    found = []
    for row in rows:
        if isinstance(row, dict):
            with contextlib.suppress(ValueError):
                found.append(RemoteCollection.from_json(row))
    return found


def _encode(value: Any) -> bytes:
    """Compact JSON; ASCII-escaped, so a lone surrogate in server text cannot fail the encode."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _parse_run(body: bytes) -> dict[str, Any]:
    run = json.loads(body)
    if not isinstance(run, dict):
        raise BadResponse("A cached agent run is not a JSON object.")
    return run


def _parse_run_or_none(body: bytes) -> dict[str, Any] | None:
    try:
        return _parse_run(body)
    except (ValueError, BadResponse):
        return None


def _put_quietly(disk: DiskCache, kind: str, key: tuple[str, ...], body: bytes) -> None:
    """A failed cache write (disk full, permissions) only costs a later refetch."""
    try:
        disk.put(kind, key, body)
    except OSError as exc:
        logger.warning("could not write the remote cache: %s", exc)


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Mark a background task's exception as seen; its effect is already in the status."""
    if not task.cancelled():
        exc = task.exception()
        if exc is not None and not isinstance(exc, RemoteError | DQLError):
            logger.warning("remote background work failed: %r", exc)
