"""Sorting the run list by a column (`s`) and choosing its columns (`c`), local and remote."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot
from textual.widgets import SelectionList

from docent_tui.cli import add_demo
from docent_tui.core.column_prefs import ColumnPrefs, default_path
from docent_tui.core.library import Library
from docent_tui.core.run_list import PAGE_SIZE, RunSort, next_sort
from docent_tui.demo import DEMO_COLLECTION_ID
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.columns import ColumnsScreen
from docent_tui.tui.widgets.run_table import RunTable, fit_cell
from docent_tui.tui.widgets.where_box import WhereBox
from tests.docent_server import REMOTE_COLLECTION_ID, DocentTestServer
from tests.test_app_remote import make_app as make_remote_app
from tests.test_app_remote import settle_all

SIZE = (140, 40)
REWARD = "m:scores.reward"


def demo_app() -> DocentApp:
    library = Library()
    add_demo(library)
    return DocentApp(library, load=library.collections, filter_debounce=0.0)


def table_of(app: DocentApp) -> RunTable:
    return app.browser.query_one(RunTable)


def keys_of(table: RunTable) -> list[str]:
    return [column.key for column in table.columns]


async def put_column_cursor(pilot: Pilot[None], key: str) -> None:
    """Move the column cursor onto `key` with the arrow keys."""
    app = pilot.app
    assert isinstance(app, DocentApp)
    table = table_of(app)
    target = keys_of(table).index(key)
    while table.cursor_column > target:
        await pilot.press("left")
    while table.cursor_column < target:
        await pilot.press("l")
    assert table.cursor_column == target


def first_page(table: RunTable, key: str) -> list[tuple[str, Any]]:
    """(run id, value) of the loaded first page, in list order."""
    position = keys_of(table).index(key) + 1
    rows = [table.row(index) for index in range(min(table.total, PAGE_SIZE))]
    return [(str(row[0]), row[position]) for row in rows if row is not None]


def expected_ids(
    pairs: list[tuple[str, Any]], descending: bool, value: Callable[[Any], Any]
) -> list[str]:
    """Run ids sorted by value (NULLs last both ways), the id breaking ties ascending."""
    ordered = sorted(pairs, key=lambda pair: pair[0])
    present = [pair for pair in ordered if pair[1] is not None]
    present.sort(key=lambda pair: value(pair[1]), reverse=descending)
    return [pair[0] for pair in present + [pair for pair in ordered if pair[1] is None]]


async def all_values(app: DocentApp, collection_id: str, expression: str) -> list[tuple[str, Any]]:
    backend = app.library.backend_for(collection_id)
    assert backend is not None
    dql = f"SELECT agent_runs.id, {expression} FROM agent_runs"
    return [(str(row[0]), row[1]) for row in (await backend.execute(collection_id, dql)).rows]


async def check_cycle(
    pilot: Pilot[None], collection_id: str, key: str, value: Callable[[Any], Any]
) -> None:
    """`s` three times: ascending, descending, then the default order again."""
    app = pilot.app
    assert isinstance(app, DocentApp)
    table = table_of(app)
    default = [run_id for run_id, _ in first_page(table, key)]
    column = table.columns[keys_of(table).index(key)]
    pairs = await all_values(app, collection_id, column.expression)
    await put_column_cursor(pilot, key)
    for descending, arrow in ((False, "▲"), (True, "▼")):
        await pilot.press("s")
        await settle_all(pilot)
        assert table.sort == RunSort(key, descending)
        shown = [run_id for run_id, _ in first_page(table, key)]
        assert shown == expected_ids(pairs, descending, value)[: len(shown)]
        titles = table.header_titles()
        assert titles[keys_of(table).index(key)].endswith(arrow)
        assert sum(title.endswith(("▲", "▼")) for title in titles) == 1
        assert arrow in screen_text(app)
    await pilot.press("s")
    await settle_all(pilot)
    assert table.sort is None
    assert [run_id for run_id, _ in first_page(table, key)] == default
    assert "▲" not in screen_text(app) and "▼" not in screen_text(app)


def test_s_cycles_ascending_descending_default() -> None:
    assert next_sort(None, "run") == RunSort("run")
    assert next_sort(RunSort("run"), "run") == RunSort("run", descending=True)
    assert next_sort(RunSort("run", descending=True), "run") is None
    assert next_sort(RunSort("run", descending=True), REWARD) == RunSort(REWARD)


async def test_sort_by_a_string_column_and_back() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await check_cycle(pilot, DEMO_COLLECTION_ID, "run", str)


async def test_sort_by_a_numeric_metadata_column_sorts_numbers() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert REWARD in keys_of(table_of(app))
        await check_cycle(pilot, DEMO_COLLECTION_ID, REWARD, float)
        # Numerically: 0.5 before 0.25 would be text order.
        await pilot.press("s")
        await settle(pilot)
        values = [float(v) for _, v in first_page(table_of(app), REWARD) if v is not None]
        assert values == sorted(values) and len(values) > 10


async def test_sorting_keeps_the_cursor_run() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(7)
        await settle(pilot)
        kept = table.cursor_run_id
        assert kept is not None
        await put_column_cursor(pilot, REWARD)
        await pilot.press("s")
        await settle(pilot)
        assert table.sort == RunSort(REWARD)
        assert table.cursor_run_id == kept
        assert keys_of(table)[table.cursor_column] == REWARD
        await pilot.press("s")
        await settle(pilot)
        assert table.cursor_run_id == kept


async def test_sort_follows_the_where_box() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        await put_column_cursor(pilot, REWARD)
        await pilot.press("s", "s")
        await settle(pilot)
        app.browser.query_one(WhereBox).value = "metadata_json->>'model' ILIKE '%gpt%'"
        await settle(pilot)
        assert table.sort == RunSort(REWARD, descending=True)
        assert 0 < table.total < 300
        values = [float(v) for _, v in first_page(table, REWARD) if v is not None]
        assert values == sorted(values, reverse=True)


async def test_column_chooser_adds_and_removes_and_is_kept_across_launches() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        before = keys_of(table)
        assert "created_at" in before and "m:difficulty" not in before
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ColumnsScreen)
        listing = dialog.query_one(SelectionList)
        assert set(listing.selected) == {column.choice for column in table.columns}
        # Space on the highlighted row unchecks created_at (the second choice).
        listing.highlighted = 1
        await pilot.press("space")
        listing.select(("difficulty",))
        await pilot.press("enter")
        await settle(pilot)
        after = keys_of(table)
        assert after == [key for key in before if key != "created_at"] + ["m:difficulty"]
        assert "difficulty" in screen_text(app)
        assert table.total == 300
    saved = default_path()
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert json.loads(saved.read_text())["collections"][DEMO_COLLECTION_ID][-1] == ["difficulty"]

    again = demo_app()
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert keys_of(table_of(again)) == after
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert keys_of(table_of(again)) == after


async def test_removing_the_sorted_column_returns_to_the_default_order() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        default = [run_id for run_id, _ in first_page(table, "run")]
        await put_column_cursor(pilot, REWARD)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ColumnsScreen)
        app.screen.query_one(SelectionList).deselect(("scores", "reward"))
        await pilot.press("enter")
        await settle(pilot)
        assert REWARD not in keys_of(table)
        assert table.sort is None
        assert [run_id for run_id, _ in first_page(table, "run")] == default


def test_a_corrupt_column_file_is_ignored_and_replaced() -> None:
    path = default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json", encoding="utf-8")
    prefs = ColumnPrefs()
    assert prefs.get("c1") is None
    prefs.set("c1", ["run", ("scores", "reward"), "run"])
    assert ColumnPrefs().get("c1") == ["run", ("scores", "reward")]
    path.write_text(json.dumps({"collections": {"c1": ["bogus", 3, ["a", "b"]]}}))
    assert ColumnPrefs().get("c1") == [("a", "b")]


async def test_a_remote_collection_sorts_in_its_query(docent_server: DocentTestServer) -> None:
    app = make_remote_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot)
        table = table_of(app)
        assert table.total > 0
        await check_cycle(pilot, REMOTE_COLLECTION_ID, "run", str)
        sent = [
            request.body.get("dql", "")
            for request in docent_server.requests
            if request.path.endswith("/execute") and isinstance(request.body, dict)
        ]
        assert any(
            "ORDER BY coalesce(agent_runs.name, agent_runs.id) IS NULL" in dql
            and "DESC, agent_runs.id LIMIT" in dql
            for dql in sent
        )
        counts = [dql for dql in sent if "count() AS n" in dql]
        assert counts and all("ORDER BY" not in dql for dql in counts)


def test_a_cut_cell_keeps_the_part_that_differs_between_rows() -> None:
    assert fit_cell("openai/gpt-4o", 8) == "…gpt-4o "
    assert fit_cell("inspect_evals/swe_bench_verified", 12) == "…swe_bench_…"
    assert fit_cell("2026-06-02 09:02:11", 12) == "06-02 09:02 "
    assert fit_cell("a long sentence / with a slash", 10) == "a long se…"
    assert fit_cell("short", 8) == "short   "


async def test_column_widths_follow_the_terminal_without_a_new_query() -> None:
    app = demo_app()
    async with app.run_test(size=(220, 40)) as pilot:
        await settle(pilot)
        table = table_of(app)
        generation, first = table.generation, table.row(0)
        assert first is not None
        created = str(first[keys_of(table).index("created_at") + 1])
        full = created.replace("T", " ")[:19]  # 2026-06-02 09:00:00
        assert full in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        # The same table and rows, laid out again: the timestamp in its compact form.
        assert table_of(app) is table and table.generation == generation
        assert full not in screen_text(app)
        assert full[5:16] in screen_text(app)  # 06-02 09:00
        header = screen_text(app).splitlines()[table.region.y]
        assert header.split()[0] == "run" and "created" in header
        await pilot.resize_terminal(220, 40)
        await settle(pilot)
        assert full in screen_text(app) and table.generation == generation


async def test_columns_past_the_edge_are_marked_and_follow_the_column_cursor() -> None:
    app = demo_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        table = table_of(app)

        def header() -> str:
            return screen_text(app).splitlines()[table.region.y]

        assert header().startswith("run") and header().rstrip().endswith("›")
        assert "accur" not in header()
        last = len(table.columns) - 1
        await pilot.press(*["l"] * last)
        await settle(pilot)
        assert header().startswith("‹") and "accur" in header()
        assert not header().rstrip().endswith("›")
        await pilot.press("s")  # sorts by the column now in view
        await settle(pilot)
        assert table.sort is not None and table.sort.key == keys_of(table)[last]
        assert "▲" in header()
        await pilot.press(*["h"] * last)
        await settle(pilot)
        assert header().startswith("run")
