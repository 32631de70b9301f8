"""RemoteBackend: caching (zero-request revisits), restart, offline mode, channels, prefetch."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import zstandard

from docent_tui.core.backend import Backend, BackendStatus
from docent_tui.core.dql import DQLError, QueryCancelled
from docent_tui.core.remote.cache import RUN, DiskCache
from docent_tui.core.remote.client import DocentClient
from docent_tui.core.remote.errors import NotAuthorised, ServerUnavailable
from docent_tui.core.remote.remote_backend import (
    DEFAULT_ORDER,
    RemoteBackend,
    RemoteCollection,
    RemoteEvent,
    RunRefreshed,
    StatusChanged,
)
from tests.docent_server import REMOTE_COLLECTION_ID, SECOND_COLLECTION_ID, DocentTestServer

IDS_DQL = "SELECT id FROM agent_runs ORDER BY id LIMIT 3"
MOCK_API = "https://api.docent.example/rest"


@dataclass(frozen=True)
class Settings:
    api_key: str | None
    api_url: str
    frontend_url: str


async def no_sleep(delay: float) -> None:
    """Retries back off without waiting."""


class Events:
    def __init__(self) -> None:
        self.seen: list[RemoteEvent] = []

    def __call__(self, event: RemoteEvent) -> None:
        self.seen.append(event)

    @property
    def statuses(self) -> list[BackendStatus]:
        return [e.status for e in self.seen if isinstance(e, StatusChanged)]


class Backends:
    """Builds backends on the test server and closes them (and their clients) afterwards."""

    def __init__(self, server: DocentTestServer, cache_root: Path) -> None:
        self.server = server
        self.cache_root = cache_root
        self.made: list[RemoteBackend] = []

    def __call__(
        self,
        *,
        retries: int = 3,
        disk: bool = True,
        listener: Callable[[RemoteEvent], None] | None = None,
        key: str | None = None,
    ) -> RemoteBackend:
        server = self.server
        settings = Settings(
            server.api_key if key is None else key, server.api_url, server.frontend_url
        )
        client = DocentClient(settings, retries=retries, sleep=no_sleep)
        backend = RemoteBackend(
            client,
            settings,
            disk=DiskCache(self.cache_root) if disk else None,
            listener=listener,
        )
        self.made.append(backend)
        return backend

    async def close(self) -> None:
        for backend in self.made:
            await backend.aclose()


@pytest.fixture
async def backends(docent_server: DocentTestServer, tmp_path: Path) -> AsyncIterator[Backends]:
    made = Backends(docent_server, tmp_path / "remote-cache")
    yield made
    await made.close()


def run_fetches(server: DocentTestServer) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/agent_run"))


async def run_ids(backend: RemoteBackend) -> list[str]:
    result = await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    return [str(row[0]) for row in result.rows]


async def until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until `condition` holds (no timing involved)."""
    for _ in range(2000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


# ---------------------------------------------------------------------- caching


async def test_remote_backend_is_a_backend(backends: Backends) -> None:
    backend: Backend = backends()
    assert backend.status is BackendStatus.ONLINE and backend.status_detail == ""
    assert backend.default_order == DEFAULT_ORDER


async def test_revisits_cost_zero_requests(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    backend = backends()
    first = await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    schema = await backend.schema(REMOTE_COLLECTION_ID)
    collections = await backend.list_collections()
    run = await backend.get_run(REMOTE_COLLECTION_ID, str(first.rows[0][0]))
    before = docent_server.count()
    assert await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL) == first
    assert await backend.schema(REMOTE_COLLECTION_ID) is schema
    assert await backend.list_collections() == collections
    assert await backend.get_run(REMOTE_COLLECTION_ID, str(first.rows[0][0])) == run
    assert docent_server.count() == before


async def test_schema_combines_schema_and_metadata_kinds(backends: Backends) -> None:
    schema = await backends().schema(REMOTE_COLLECTION_ID)
    kinds = {field.kind for field in schema.metadata_fields}
    assert schema.metadata_fields
    assert kinds - {"object"}, "the metadata-fields answer should give scalar kinds"


async def test_collections_have_counts(backends: Backends) -> None:
    backend = backends()
    collections = {c.id: c for c in await backend.list_collections()}
    assert collections[REMOTE_COLLECTION_ID].run_count == 40
    second = await backend.get_collection(SECOND_COLLECTION_ID)
    assert isinstance(second, RemoteCollection)
    assert second.description == "a second, small collection"
    assert second.run_count == 5


async def test_missing_run_is_none_and_remembered(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    backend = backends()
    missing = "00000000-0000-4000-8000-000000000000"
    assert await backend.get_run(REMOTE_COLLECTION_ID, missing) is None
    assert await backend.get_run(REMOTE_COLLECTION_ID, missing) is None
    assert run_fetches(docent_server) == 1


async def test_restart_returns_the_disk_copy_then_refreshes(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    first = backends()
    run_id = (await run_ids(first))[0]
    run = await first.get_run(REMOTE_COLLECTION_ID, run_id)
    await first.wait_idle()

    events = Events()
    restarted = backends(listener=events)
    docent_server.clear_requests()
    assert await restarted.get_run(REMOTE_COLLECTION_ID, run_id) == run
    assert docent_server.count() == 0, "the cached run must not wait for the server"
    await restarted.wait_idle()
    assert run_fetches(docent_server) == 1, "one background refresh"
    assert not [e for e in events.seen if isinstance(e, RunRefreshed)], "nothing changed"


async def test_restart_is_not_held_up_by_a_slow_server(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    first = backends()
    run_id = (await run_ids(first))[0]
    run = await first.get_run(REMOTE_COLLECTION_ID, run_id)
    await first.wait_idle()
    docent_server.hang_next(1, path_contains="/agent_run")
    restarted = backends()
    try:
        assert await restarted.get_run(REMOTE_COLLECTION_ID, run_id) == run
        await restarted.aclose()  # stops the refresh, which the server would hold for ever
    finally:
        docent_server.release()


async def test_changed_run_is_refreshed_and_announced(
    backends: Backends, docent_server: DocentTestServer, tmp_path: Path
) -> None:
    run_id = (await run_ids(backends()))[0]
    disk = DiskCache(tmp_path / "remote-cache")
    stale = {"id": run_id, "name": "stale copy", "metadata": {}, "transcripts": []}
    disk.put(RUN, (docent_server.api_url, REMOTE_COLLECTION_ID, run_id), json.dumps(stale).encode())

    events = Events()
    backend = backends(listener=events)
    assert await backend.get_run(REMOTE_COLLECTION_ID, run_id) == stale
    await backend.wait_idle()
    assert RunRefreshed(REMOTE_COLLECTION_ID, run_id) in events.seen
    fresh = await backend.get_run(REMOTE_COLLECTION_ID, run_id)
    assert fresh is not None and fresh != stale and fresh["transcripts"]
    assert run_fetches(docent_server) == 1


# ---------------------------------------------------------------------- offline and status


async def test_offline_falls_back_to_the_disk_copy(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    online = backends()
    result = await online.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    schema = await online.schema(REMOTE_COLLECTION_ID)
    collections = await online.list_collections()
    collection = await online.get_collection(REMOTE_COLLECTION_ID)
    await online.wait_idle()

    events = Events()
    offline = backends(retries=0, listener=events)
    docent_server.fail_next(10, status=503)
    assert await offline.execute(REMOTE_COLLECTION_ID, IDS_DQL) == result
    host = f"127.0.0.1:{docent_server.port}"
    assert offline.status is BackendStatus.OFFLINE
    assert offline.status_detail == f"offline: cannot reach {host} — showing cached data"
    assert await offline.schema(REMOTE_COLLECTION_ID) == schema
    assert await offline.list_collections() == collections
    assert await offline.get_collection(REMOTE_COLLECTION_ID) == collection
    with pytest.raises(ServerUnavailable):
        await offline.execute(REMOTE_COLLECTION_ID, "SELECT name FROM agent_runs")
    assert events.statuses == [BackendStatus.OFFLINE], "one event per change"

    docent_server.reset()
    await offline.execute(REMOTE_COLLECTION_ID, "SELECT name FROM agent_runs")
    back: BackendStatus = offline.status
    assert back is BackendStatus.ONLINE and offline.status_detail == ""
    assert events.statuses == [BackendStatus.OFFLINE, BackendStatus.ONLINE]


async def test_dropped_connection_without_a_cache_raises(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    backend = backends(retries=0, disk=False)
    docent_server.drop_next(1)
    with pytest.raises(ServerUnavailable):
        await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    assert backend.status is BackendStatus.OFFLINE


async def test_once_offline_a_read_tries_once_instead_of_retrying(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    backend = backends(retries=3, disk=False)
    docent_server.fail_next(4, status=503)
    with pytest.raises(ServerUnavailable):
        await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    assert docent_server.count("/execute") == 4, "online: the first attempt and three retries"
    docent_server.clear_requests()
    docent_server.fail_next(4, status=503)
    with pytest.raises(ServerUnavailable):
        await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    assert docent_server.count("/execute") == 1, "offline: one attempt, so the UI answers fast"
    docent_server.reset()
    await backend.execute(REMOTE_COLLECTION_ID, IDS_DQL)
    assert backend.status is BackendStatus.ONLINE
    assert not backend.client.offline


async def test_offline_restart_opens_cached_runs(
    backends: Backends, docent_server: DocentTestServer
) -> None:
    first = backends()
    run_id = (await run_ids(first))[0]
    run = await first.get_run(REMOTE_COLLECTION_ID, run_id)
    await first.wait_idle()
    docent_server.drop_next(5)
    offline = backends(retries=0)
    assert await offline.get_run(REMOTE_COLLECTION_ID, run_id) == run
    await offline.wait_idle()
    assert offline.status is BackendStatus.OFFLINE


async def test_rejected_key_is_unauthorised_with_the_fix(backends: Backends) -> None:
    events = Events()
    backend = backends(key="dk_wrong_key", listener=events)
    for _ in range(2):
        with pytest.raises(NotAuthorised):
            await backend.check_key()
    assert backend.status is BackendStatus.UNAUTHORISED
    assert "DOCENT_API_KEY" in backend.status_detail
    assert events.statuses == [BackendStatus.UNAUTHORISED]


async def test_dql_errors_keep_the_backend_online(backends: Backends) -> None:
    backend = backends()
    with pytest.raises(DQLError) as caught:
        await backend.execute(REMOTE_COLLECTION_ID, "SELEC id FROM agent_runs")
    assert caught.value.position == 9
    assert backend.status is BackendStatus.ONLINE


async def test_the_key_is_never_written_to_disk(
    backends: Backends, docent_server: DocentTestServer, tmp_path: Path
) -> None:
    backend = backends()
    run_id = (await run_ids(backend))[0]
    await backend.get_run(REMOTE_COLLECTION_ID, run_id)
    await backend.schema(REMOTE_COLLECTION_ID)
    await backend.list_collections()
    await backend.get_collection(REMOTE_COLLECTION_ID)
    await backend.wait_idle()
    key = docent_server.api_key.encode()
    files = [Path(d) / n for d, _, names in os.walk(tmp_path / "remote-cache") for n in names]
    assert len(files) >= 5
    for path in files:
        data = path.read_bytes()
        assert key not in data
        payload = zstandard.ZstdDecompressor().decompress(data[data.index(b"\n") + 1 :])
        assert key not in payload


def test_web_urls_and_where_validation(backends: Backends) -> None:
    backend = backends()
    frontend = backends.server.frontend_url
    assert backend.web_url("c1") == f"{frontend}/dashboard/c1"
    assert backend.web_url("c1", "r/1") == f"{frontend}/dashboard/c1/agent_run/r%2F1"
    backend.validate_where("some_server_function(metadata_json->>'x') = 1")
    with pytest.raises(DQLError):
        backend.validate_where("a = 1 ORDER BY b")


# ---------------------------------------------------------------------- channels and prefetch


class FakeDocent:
    """An in-process Docent for concurrency tests: requests wait at `gate` until it opens."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.gate.set()
        self.active = 0
        self.max_active = 0
        self.fetched: list[str] = []
        self.queries: list[str] = []
        self.status = 200

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/agent_run"):
            self.fetched.append(request.url.params["agent_run_id"])
        elif path.endswith("/execute"):
            self.queries.append(json.loads(request.content)["dql"])
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            await self.gate.wait()
        finally:
            self.active -= 1
        if self.status != 200:
            return httpx.Response(self.status, json={"detail": "down"})
        if path.endswith("/agent_run"):
            run_id = request.url.params["agent_run_id"]
            return httpx.Response(200, json={"id": run_id, "metadata": {}, "transcripts": []})
        dql = json.loads(request.content)["dql"]
        answer: dict[str, Any] = {"columns": ["q"], "rows": [[dql]], "truncated": False}
        return httpx.Response(200, json=answer)


@pytest.fixture
async def fake() -> AsyncIterator[tuple[FakeDocent, RemoteBackend]]:
    docent = FakeDocent()
    settings = Settings("dk_fake", MOCK_API, "https://docent.example")
    client = DocentClient(
        settings, retries=0, sleep=no_sleep, transport=httpx.MockTransport(docent)
    )
    backend = RemoteBackend(client, settings, prefetch_concurrency=2)
    yield docent, backend
    docent.gate.set()
    await backend.aclose()


async def test_newer_query_on_a_channel_cancels_the_older(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    docent.gate.clear()
    older = asyncio.create_task(backend.execute("c", "Q1", channel="runs"))
    await until(lambda: docent.active == 1)
    other = asyncio.create_task(backend.execute("c", "Q9", channel="counts"))
    newer = asyncio.create_task(backend.execute("c", "Q2", channel="runs"))
    await until(lambda: docent.active == 2 and older.done())
    with pytest.raises(QueryCancelled):
        await older
    docent.gate.set()
    assert (await newer).rows == [["Q2"]]
    assert (await other).rows == [["Q9"]], "other channels are untouched"


async def test_older_generation_is_refused_without_a_request(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    await backend.execute("c", "Q1", channel="runs", generation=5)
    with pytest.raises(QueryCancelled):
        await backend.execute("c", "Q2", channel="runs", generation=4)
    await backend.execute("c", "Q3", channel="runs", generation=5)
    assert docent.queries == ["Q1", "Q3"]


async def test_cancelling_the_caller_is_not_query_cancelled(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    docent.gate.clear()
    task = asyncio.create_task(backend.execute("c", "Q1", channel="runs"))
    await until(lambda: docent.active == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert docent.active == 0


async def test_prefetch_is_bounded_and_fills_the_cache(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    docent.gate.clear()
    backend.prefetch("c", ["r1", "r2", "r3", "r4", "r5", "r1"])
    await until(lambda: docent.active == 2)
    for _ in range(50):
        await asyncio.sleep(0)
    assert docent.active == 2
    docent.gate.set()
    await backend.wait_idle()
    assert sorted(docent.fetched) == ["r1", "r2", "r3", "r4", "r5"]
    assert docent.max_active == 2
    assert await backend.get_run("c", "r3") == {"id": "r3", "metadata": {}, "transcripts": []}
    backend.prefetch("c", ["r1", "r2", "r6"])
    await backend.wait_idle()
    assert sorted(docent.fetched) == ["r1", "r2", "r3", "r4", "r5", "r6"]


async def test_get_run_shares_the_prefetch_in_flight(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    docent.gate.clear()
    backend.prefetch("c", ["r1"])
    await until(lambda: docent.active == 1)
    opened = asyncio.create_task(backend.get_run("c", "r1"))
    again = asyncio.create_task(backend.get_run("c", "r1"))
    for _ in range(20):
        await asyncio.sleep(0)
    docent.gate.set()
    assert (await opened) == (await again) == {"id": "r1", "metadata": {}, "transcripts": []}
    assert docent.fetched == ["r1"]


async def test_newer_prefetch_drops_ids_not_yet_started(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    backend.prefetch_concurrency = 1
    docent.gate.clear()
    backend.prefetch("c", ["a", "b", "c"])
    await until(lambda: docent.active == 1)
    backend.prefetch("c", ["x"])
    docent.gate.set()
    await backend.wait_idle()
    assert docent.fetched == ["a", "x"]


async def test_prefetch_failures_are_swallowed_and_mark_offline(
    fake: tuple[FakeDocent, RemoteBackend],
) -> None:
    docent, backend = fake
    docent.status = 503
    backend.prefetch("c", ["r1", "r2", "r3", "r4"])
    await backend.wait_idle()
    assert backend.status is BackendStatus.OFFLINE
    assert len(docent.fetched) == 2, "the queue is dropped once the server is unreachable"


def test_prefetch_without_a_running_loop_does_nothing() -> None:
    settings = Settings(None, MOCK_API, "https://docent.example")
    backend = RemoteBackend(DocentClient(settings), settings)
    backend.prefetch("c", ["r1"])
