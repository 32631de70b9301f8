"""Time the run list at 100,000 local runs, and Textual's DataTable refilled with the same rows.

Prints tables, asserts nothing. The input is fixed: 100,000 runs from the demo generator (seed 0),
loaded by the real app (on-disk engine, as `docent-tui` runs it) in a 120x40 headless terminal.
Usage: `python benchmarks/run_list.py [--runs N] [--datatable-refills K] [--memory-limit SIZE]`
(`--datatable-refills 0` skips the DataTable; `--memory-limit` sets DuckDB's, as `128MB`).

Targets (issue 6): keystroke -> updated table <= 100 ms p95 after the debounce (the debounce is
set to 0 here, so the time is the query and the repaint); one page of scrolling <= 16 ms; the app
plus its data <= 300 MB RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docent_tui.core.engine import DISK_MEMORY_LIMIT, LocalEngine
from docent_tui.core.library import CollectionState, Library
from docent_tui.core.run_list import RUN_ID_ALIAS, page_select_items, select_query
from docent_tui.demo.runs import write_jsonl
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, send_burst, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import WhereBox

SIZE = (120, 40)
# Each filter is typed but for its last character; the timed keystroke completes it.
FILTERS = [
    "metadata_json->>'model' = 'openai/gpt-4o'",
    "metadata_json->>'model' ILIKE '%claude%'",
    "metadata_json->>'task' = 'inspect_evals/math'",
    "CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) < 0.5",
    "metadata_json->>'difficulty' IN ('hard', 'medium')",
    "metadata_json->>'model' ILIKE '%gpt%' AND metadata_json->>'task' ILIKE '%ctf%'",
    "metadata_json->'scores'->>'accuracy' = '1'",
    "agent_runs.name LIKE 'math/%'",
    "metadata_json->>'level' IS NULL",
    "metadata_json->>'model' <> 'openai/o3-mini'",
]
REPEATS = 3
PAGE_DOWNS = 40
POLL_S = 0.0005


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    values: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


async def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the event loop run until `condition` holds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there")
        await asyncio.sleep(POLL_S)


def summary(label: str, samples: list[float], target: str = "") -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{label:<38} {statistics.median(ordered):9.1f} {p95:9.1f} {ordered[-1]:9.1f}"
        f"   n={len(ordered):<3} {target}"
    )


class TableBench:
    """Drives the real app: filters typed into the WHERE box, pages scrolled, a column sorted."""

    def __init__(self, pilot: Pilot[None]) -> None:
        self.pilot = pilot
        self.app = pilot.app
        assert isinstance(self.app, DocentApp)

    @property
    def screen(self) -> BrowserScreen:
        screen = self.app.screen
        assert isinstance(screen, BrowserScreen)
        return screen

    def applied(self, where: str) -> bool:
        table = self.screen.query_one(RunTable)
        return self.screen.where_applied == where and table.generation == self.screen.generation

    async def type_filter(self, where: str) -> float:
        """Put all but the last character in the box, then time the last keystroke (ms)."""
        box = self.screen.query_one(WhereBox)
        assert self.app.focused is box
        box.value = where[:-1]
        box.cursor_position = len(box.value)
        await settle(self.pilot)  # whatever that text started is over before the timed key
        start = time.perf_counter()
        send_burst(self.app, where[-1])
        await until(lambda: self.applied(where))
        screen_text(self.app)  # the whole frame, as the terminal would receive it
        return (time.perf_counter() - start) * 1000

    async def page_down(self) -> tuple[float, float]:
        """(key -> repainted, key -> every visible row loaded), in ms."""
        table = self.screen.query_one(RunTable)
        table.focus()
        start = time.perf_counter()
        table.action_page(1)
        screen_text(self.app)
        painted = (time.perf_counter() - start) * 1000
        top = int(table.scroll_offset.y)
        rows = range(top, min(top + table.size.height - 1, table.total))
        await until(lambda: all(table.row(index) is not None for index in rows))
        screen_text(self.app)
        return painted, (time.perf_counter() - start) * 1000

    async def sort(self) -> float:
        """`s` on the third column (a metadata column): to the re-sorted table, in ms."""
        table = self.screen.query_one(RunTable)
        table.focus()
        generation = self.screen.generation
        start = time.perf_counter()
        send_burst(self.app, "s")
        await until(
            lambda: (
                self.screen.generation > generation and table.generation == self.screen.generation
            )
        )
        screen_text(self.app)
        return (time.perf_counter() - start) * 1000


async def bench_app(
    source: Path, memory_limit: str
) -> tuple[list[str], dict[str, list[float]], list[str], list[str]]:
    """The app's table and its keystroke times per filter; also the column titles and the select
    list the DataTable baseline reuses."""
    library = Library(LocalEngine.on_disk(memory_limit))
    collection = library.add_local(source)
    app = DocentApp(library, load=[collection], filter_debounce=0)
    lines: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        start = time.perf_counter()
        await until(lambda: collection.state is not CollectionState.LOADING, timeout=600)
        await settle(pilot)
        loaded_s = time.perf_counter() - start
        gc.collect()
        after_load, load_peak = rss_mb()
        bench = TableBench(pilot)
        table = bench.screen.query_one(RunTable)
        await pilot.press("l")  # the column cursor onto created_at, then a metadata column
        await pilot.press("l")
        await pilot.press("slash")
        await settle(pilot)
        by_filter: dict[str, list[float]] = {where: [] for where in FILTERS}
        matched: dict[str, int] = {}
        for _ in range(REPEATS):
            for where in FILTERS:
                by_filter[where].append(await bench.type_filter(where))
                matched[where] = table.total
        keystrokes = [ms for samples in by_filter.values() for ms in samples]
        await bench.type_filter(" ")  # back to every run (a blank box; its one key is a space)
        await pilot.press("enter")
        painted, loaded = [], []
        for _ in range(PAGE_DOWNS):
            page_painted, page_loaded = await bench.page_down()
            painted.append(page_painted)
            loaded.append(page_loaded)
        sorts = [await bench.sort() for _ in range(6)]
        await settle(pilot)
        gc.collect()
        browsing, peak = rss_mb()
        columns = [column.title for column in table.columns]
        items = page_select_items(table.columns)
    library.close()
    lines.append(f"{collection.run_count:,} runs loaded in {loaded_s:.1f} s")
    lines.append("")
    lines.append(f"{'docent-tui run list':<38} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}")
    lines.append(summary("keystroke -> updated table", keystrokes, "(target p95 <= 100)"))
    lines.append(summary("page down -> repainted", painted, "(target <= 16)"))
    lines.append(summary("page down -> visible rows loaded", loaded))
    lines.append(summary("sort (s) -> re-sorted table", sorts))
    lines.append("")
    lines.append(f"{'keystroke -> updated table, per filter':<62} {'rows':>7} {'p50 ms':>8}")
    for where, samples in by_filter.items():
        lines.append(f"  {where[:60]:<60} {matched[where]:>7,} {statistics.median(samples):8.1f}")
    lines.append("")
    lines.append("memory (this process: the app and its data)")
    lines.append(f"  after loading                        {after_load:7.0f} MB")
    lines.append(f"  after filtering, scrolling, sorting  {browsing:7.0f} MB   (target <= 300)")
    lines.append(f"  peak, loading included               {max(peak, load_peak):7.0f} MB")
    return lines, by_filter, columns, items


class DataTableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable()


async def bench_datatable(
    source: Path, titles: list[str], items: list[str], refills: int
) -> tuple[list[str], list[float]]:
    """Textual's DataTable showing every matching row: fetch them all, clear, add, repaint."""
    engine = LocalEngine.on_disk()
    library = Library(engine)
    collection = library.add_local(source)
    library.load(collection)
    app = DataTableApp()
    fetch_ms: list[float] = []
    fill_ms: list[float] = []
    rows_shown: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*titles)
        for where in FILTERS[:refills]:
            start = time.perf_counter()
            rows = all_rows(engine, collection.id, where, items)
            fetched = time.perf_counter()
            table.clear()
            table.add_rows(row[1:] for row in rows)
            await pilot.pause()
            screen_text(app)
            fill_ms.append((time.perf_counter() - fetched) * 1000)
            fetch_ms.append((fetched - start) * 1000)
            rows_shown.append(len(rows))
    library.close()
    totals = [a + b for a, b in zip(fetch_ms, fill_ms, strict=True)]
    lines = [
        f"{'DataTable, refilled per filter':<38} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9}",
        summary("query every matching row", fetch_ms),
        summary("clear + add_rows + repaint", fill_ms),
        summary("keystroke -> updated table", totals),
        f"  rows per refill: {', '.join(f'{count:,}' for count in rows_shown)}",
    ]
    return lines, totals


def all_rows(engine: LocalEngine, collection_id: str, where: str, items: list[str]) -> list[Any]:
    """Every row of the filter, read in 10,000-row pages (the DQL cap)."""
    rows: list[Any] = []
    page = 10_000
    while True:
        dql = select_query(where, items, f'"{RUN_ID_ALIAS}"', limit=page, offset=len(rows))
        batch = engine.execute(collection_id, dql).rows
        rows.extend(batch)
        if len(batch) < page:
            return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--datatable-refills", type=int, default=4)
    parser.add_argument("--memory-limit", default=DISK_MEMORY_LIMIT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="docent-tui-bench-") as folder:
        os.environ["DOCENT_TUI_HOME"] = folder
        source = Path(folder) / "runs.jsonl"
        start = time.perf_counter()
        write_jsonl(source, args.runs, 0)
        size_mb = source.stat().st_size / 1e6
        print(
            f"generated {args.runs:,} runs ({size_mb:.0f} MB JSONL) in "
            f"{time.perf_counter() - start:.1f} s; terminal {SIZE[0]}x{SIZE[1]}"
        )
        lines, by_filter, titles, items = asyncio.run(bench_app(source, args.memory_limit))
        print(f"DuckDB memory limit {args.memory_limit}")
        print("\n".join(lines))
        if args.datatable_refills <= 0:
            return
        print()
        table_lines, totals = asyncio.run(
            bench_datatable(source, titles, items, args.datatable_refills)
        )
        print("\n".join(table_lines))
        ours = statistics.median(
            ms for where in FILTERS[: args.datatable_refills] for ms in by_filter[where]
        )
        theirs = statistics.median(totals)
        print()
        print(
            f"keystroke -> updated table, p50 over the same {len(totals)} filters: "
            f"DataTable {theirs:.0f} ms, docent-tui {ours:.1f} ms ({theirs / ours:.0f}x faster)"
        )


if __name__ == "__main__":
    main()
