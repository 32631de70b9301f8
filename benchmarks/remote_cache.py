"""Remote browsing with 100 ms of injected latency: the cached client against plain requests.

Opens 20 runs in turn, revisits them, then "restarts" (a new client over the same disk cache)
and revisits them again; also walks the 20 runs as the run list does, prefetching the next ones.
Prints requests and wall time per pass for the cached backend and for a baseline that asks the
server every time. Fixed sizes: a 200-run demo collection on the test server in tests/.

    python benchmarks/remote_cache.py [--latency-ms 100] [--runs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docent_tui.core.remote.cache import DiskCache, MemoryCache
from docent_tui.core.remote.client import DocentClient
from docent_tui.core.remote.config import DocentSettings
from docent_tui.core.remote.remote_backend import RemoteBackend
from docent_tui.demo import generate_runs
from tests.docent_server import (
    REMOTE_COLLECTION_ID,
    REMOTE_COLLECTION_NAME,
    DocentTestServer,
)

COLLECTION_RUNS = 200
# Seconds a person spends on a run before moving to the next (not counted as waiting).
READING = 0.3
# Filters revisited in the DQL pass: the run list's count and first page for each.
FILTERS = (
    "metadata_json->>'model' ILIKE '%claude%'",
    "CAST(metadata_json->'scores'->>'accuracy' AS DOUBLE PRECISION) = 0",
    "metadata_json->>'task' ILIKE '%swe%'",
)


@dataclass
class Pass:
    name: str
    requests: int
    seconds: float
    slowest_open_ms: float


def settings_for(server: DocentTestServer) -> DocentSettings:
    return DocentSettings(
        api_key=server.api_key,
        api_url=server.api_url,
        frontend_url=server.frontend_url,
        domain="127.0.0.1",
        collection_id=None,
        profile=None,
        config_file=None,
    )


async def timed_pass(
    name: str,
    server: DocentTestServer,
    steps: list[Callable[[], Awaitable[Any]]],
    settle: Callable[[], Awaitable[None]] | None = None,
    reading: float = 0.0,
) -> Pass:
    """Run `steps` in turn; count every request, including background ones finished by settle.

    `reading` seconds pass after each step, as a person reads the run; they are not counted.
    """
    server.clear_requests()
    slowest = 0.0
    seconds = 0.0
    for step in steps:
        begin = time.perf_counter()
        await step()
        waited = time.perf_counter() - begin
        slowest = max(slowest, waited)
        seconds += waited
        if reading:
            await asyncio.sleep(reading)
    if settle is not None:
        await settle()
    return Pass(name, server.count(), seconds, slowest * 1000)


async def baseline(server: DocentTestServer, run_ids: list[str]) -> list[Pass]:
    """A client with no cache: every open is a request."""
    passes = []
    for name in ("open 20 runs", "revisit them", "restart, revisit", "walk the list"):
        async with DocentClient(settings_for(server)) as client:
            steps = [
                (lambda rid=rid: client.get_agent_run(REMOTE_COLLECTION_ID, rid)) for rid in run_ids
            ]
            passes.append(await timed_pass(name, server, steps))
    async with DocentClient(settings_for(server)) as client:
        steps = [
            (lambda rid=rid: client.get_agent_run(REMOTE_COLLECTION_ID, rid)) for rid in run_ids
        ]
        passes.append(await timed_pass("walk, reading each", server, steps, reading=READING))
    return passes


def backend_for(server: DocentTestServer, cache_root: Path) -> RemoteBackend:
    settings = settings_for(server)
    return RemoteBackend(
        DocentClient(settings), settings, memory=MemoryCache(), disk=DiskCache(cache_root)
    )


def opens(backend: RemoteBackend, run_ids: list[str]) -> list[Callable[[], Awaitable[Any]]]:
    return [(lambda rid=rid: backend.get_run(REMOTE_COLLECTION_ID, rid)) for rid in run_ids]


def walk(backend: RemoteBackend, run_ids: list[str]) -> list[Callable[[], Awaitable[Any]]]:
    """Open each run after asking for the next ones ahead, as the run list's cursor does."""

    async def step(index: int) -> Any:
        backend.prefetch(REMOTE_COLLECTION_ID, run_ids[index + 1 : index + 4])
        return await backend.get_run(REMOTE_COLLECTION_ID, run_ids[index])

    return [(lambda index=index: step(index)) for index in range(len(run_ids))]


async def cached(server: DocentTestServer, run_ids: list[str], root: Path) -> list[Pass]:
    passes = []
    first = backend_for(server, root / "a")
    passes.append(await timed_pass("open 20 runs", server, opens(first, run_ids), first.wait_idle))
    passes.append(await timed_pass("revisit them", server, opens(first, run_ids), first.wait_idle))
    await first.aclose()
    # A new process: empty memory, the same disk cache; cached runs refresh in the background.
    second = backend_for(server, root / "a")
    passes.append(
        await timed_pass("restart, revisit", server, opens(second, run_ids), second.wait_idle)
    )
    await second.aclose()
    walker = backend_for(server, root / "b")
    passes.append(
        await timed_pass("walk the list", server, walk(walker, run_ids), walker.wait_idle)
    )
    await walker.aclose()
    reader = backend_for(server, root / "d")
    passes.append(
        await timed_pass(
            "walk, reading each", server, walk(reader, run_ids), reader.wait_idle, READING
        )
    )
    await reader.aclose()
    return passes


async def filters(server: DocentTestServer, root: Path) -> tuple[Pass, Pass, Pass]:
    """The run list's count + first page for a few filters, then the same filters again."""
    from docent_tui.core.run_list import RUN_COLUMN, count_query, page_query

    backend = backend_for(server, root / "c")
    queries = [
        q for where in FILTERS for q in (count_query(where), page_query(where, [RUN_COLUMN], 0))
    ]
    steps = [(lambda q=q: backend.execute(REMOTE_COLLECTION_ID, q)) for q in queries]
    first = await timed_pass("filters", server, steps)
    again = await timed_pass("same filters again", server, steps)
    await backend.aclose()
    async with DocentClient(settings_for(server)) as client:
        plain = [(lambda q=q: client.execute_dql(REMOTE_COLLECTION_ID, q)) for q in queries]
        base = await timed_pass("same filters, no cache", server, plain)
    return first, again, base


def table(title: str, rows: list[tuple[Pass, Pass]]) -> None:
    print(title)
    print(
        f"{'pass':<20}{'baseline req':>13}{'baseline s':>12}{'cached req':>12}{'cached s':>10}"
        f"{'slowest open':>14}"
    )
    for base, mine in rows:
        print(
            f"{mine.name:<20}{base.requests:>13}{base.seconds:>12.2f}{mine.requests:>12}"
            f"{mine.seconds:>10.2f}{mine.slowest_open_ms:>12.1f}ms"
        )


async def main_async(latency: float, count: int) -> None:
    server = DocentTestServer()
    server.add_collection(
        REMOTE_COLLECTION_ID, REMOTE_COLLECTION_NAME, generate_runs(COLLECTION_RUNS)
    )
    with server, tempfile.TemporaryDirectory(prefix="docent-tui-bench-") as tmp:
        run_ids = [str(run["id"]) for run in generate_runs(count)]
        server.latency = latency
        base = await baseline(server, run_ids)
        mine = await cached(server, run_ids, Path(tmp))
        print(
            f"{count} runs of a {COLLECTION_RUNS}-run collection, {latency * 1000:.0f} ms "
            "injected latency per request; requests include background refreshes/prefetches."
        )
        table("\nopening runs", list(zip(base, mine, strict=True)))
        first, again, plain = await filters(server, Path(tmp))
        print(f"\nrun-list filters ({len(FILTERS)} filters: count + first page each)")
        print(f"{'pass':<24}{'requests':>10}{'wall s':>9}")
        for result in (first, again, plain):
            print(f"{result.name:<24}{result.requests:>10}{result.seconds:>9.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main_async(args.latency_ms / 1000, args.runs))


if __name__ == "__main__":
    main()
