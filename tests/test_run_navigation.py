"""Moving between runs: J/K in the transcript follow the run list, and the list's selection
survives re-filtering while the run still matches.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from docent_tui.cli import add_demo
from docent_tui.core.engine import LocalEngine
from docent_tui.core.library import Library
from docent_tui.core.remote.remote_backend import DEFAULT_ORDER
from docent_tui.core.run_list import (
    PAGE_SIZE,
    columns_for_choices,
    default_columns,
    rank_query,
    ranked_position,
    select_query,
    sort_order,
)
from docent_tui.demo import generate_runs
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import WhereBox
from tests.docent_server import REMOTE_COLLECTION_ID, DocentTestServer
from tests.test_app_remote import make_app as make_remote_app
from tests.test_app_remote import settle_all

SIZE = (120, 40)


def demo_app() -> DocentApp:
    library = Library()
    add_demo(library)
    return DocentApp(library, load=library.collections, filter_debounce=0.0)


def table_of(app: DocentApp) -> RunTable:
    return app.browser.query_one(RunTable)


def transcript(app: DocentApp) -> TranscriptScreen:
    screen = app.screen
    assert isinstance(screen, TranscriptScreen)
    return screen


def notices(app: DocentApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


async def open_row(pilot: Pilot[None], row: int) -> TranscriptScreen:
    app = pilot.app
    assert isinstance(app, DocentApp)
    table_of(app).move_cursor(row)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    return transcript(app)


async def test_j_and_k_open_the_next_and_previous_run_in_place() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        first, second = table.run_id_at(0), table.run_id_at(1)
        screen = await open_row(pilot, 0)
        assert screen.run.id == first
        await pilot.press("slash", *"the", "enter")
        await settle(pilot)
        assert "“the”" in screen_text(app)
        await pilot.press("J")
        await settle(pilot)
        assert transcript(app) is screen, "the transcript screen is reused, not stacked"
        assert len(app.screen_stack) == 3  # default screen, run list, one transcript
        assert screen.run.id == second
        assert table.cursor_row == 1
        assert "“the”" not in screen_text(app), "the search of the previous run is gone"
        assert screen.view.scroll_offset.y == 0
        await pilot.press("K")
        await settle(pilot)
        assert screen.run.id == first
        assert table.cursor_row == 0
        await pilot.press("J", "J")
        await settle(pilot)
        assert screen.run.id == table.run_id_at(2)
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)
        assert table.cursor_row == 2
        assert table.cursor_run_id == screen.run.id


async def test_the_ends_of_the_list_are_said() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        screen = await open_row(pilot, 0)
        await pilot.press("K")
        await settle(pilot)
        assert "This is the first run of the list." in notices(app)
        assert screen.run.id == table.run_id_at(0)
        await pilot.press("escape", "end")
        await settle(pilot)
        last = table.total - 1
        assert table.cursor_row == last
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("J")
        await settle(pilot)
        assert "This is the last run of the list." in notices(app)
        assert transcript(app).run.id == table.run_id_at(last)
        assert table.cursor_row == last


async def test_a_row_not_loaded_yet_is_fetched_then_opened() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        edge = PAGE_SIZE - 1
        screen = await open_row(pilot, edge)
        assert table.row(PAGE_SIZE) is None, "the next page has not been asked for"
        await pilot.press("J")
        assert any("loading…" in text for text in notices(app))
        await settle(pilot)
        assert transcript(app) is screen
        assert screen.run.id == table.run_id_at(PAGE_SIZE)
        assert table.cursor_row == PAGE_SIZE


async def test_j_follows_the_filtered_list() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.browser.query_one(WhereBox).value = "metadata_json->>'model' ILIKE '%claude%'"
        await settle(pilot)
        table = table_of(app)
        assert 1 < table.total < 300
        screen = await open_row(pilot, 0)
        await pilot.press("J")
        await settle(pilot)
        assert screen.run.id == table.run_id_at(1)
        assert "claude" in str(screen.run.metadata.get("model"))


async def test_the_selection_survives_refiltering_beyond_the_first_page() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        first = table.run_id_at(0)
        table.move_cursor(250)
        await settle(pilot)
        kept = table.cursor_run_id
        assert kept is not None
        box = app.browser.query_one(WhereBox)
        # One run ahead of it drops out: it is still in the result, one row up, past page 0.
        box.value = f"agent_runs.id <> '{first}'"
        await settle(pilot)
        assert table.total == 299
        assert table.cursor_run_id == kept
        assert table.cursor_row == 249
        # A filter that drops it puts the cursor on the first row.
        box.value = f"agent_runs.id <> '{kept}'"
        await settle(pilot)
        assert table.cursor_row == 0
        assert table.cursor_run_id != kept


async def test_a_kept_run_deep_in_the_list_is_scrolled_into_view_after_a_short_result() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(250)
        await settle(pilot)
        kept = table.cursor_run_id
        box = app.browser.query_one(WhereBox)
        box.value = f"agent_runs.id = '{kept}'"  # one run: the list fits, no scroll bar
        await settle(pilot)
        assert table.total == 1
        box.value = ""
        await settle(pilot)
        assert (table.total, table.cursor_row, table.cursor_run_id) == (300, 250, kept)
        top = int(table.scroll_offset.y)
        assert top <= 250 < top + table.size.height - 1


async def test_the_selection_survives_refiltering_within_the_first_page() -> None:
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(40)
        await settle(pilot)
        kept = table.cursor_run_id
        assert kept is not None
        run = app.library.engine.get_run(app.browser.collection_id or "", kept)
        assert run is not None
        model = run["metadata"]["model"]
        app.browser.query_one(WhereBox).value = f"metadata_json->>'model' = '{model}'"
        await settle(pilot)
        assert table.total < 300
        assert table.cursor_run_id == kept
        assert table.cursor_row < 40


def _ranked_runs() -> list[dict[str, Any]]:
    """Demo runs with ties and missing times, the cases the remote order must break."""
    runs = list(generate_runs(30, seed=3))
    for index in (3, 11, 12):
        runs[index]["created_at"] = None
    for index in (5, 6, 7):
        runs[index]["created_at"] = runs[4]["created_at"]
    return runs


def test_rank_query_counts_the_runs_ahead_in_the_remote_order() -> None:
    engine = LocalEngine()
    engine.add_collection("c", "ranked", _ranked_runs())
    where = "metadata_json->>'model' NOT ILIKE '%gpt%'"
    listed = f"SELECT agent_runs.id FROM agent_runs WHERE ({where}) ORDER BY {DEFAULT_ORDER.sql}"
    order = [row[0] for row in engine.execute("c", listed).rows]
    assert 0 < len(order) < 30
    for position, run_id in enumerate(order):
        rows = engine.execute("c", rank_query(where, run_id, DEFAULT_ORDER)).rows
        assert ranked_position(rows) == position
    excluded = next(r["id"] for r in _ranked_runs() if r["id"] not in order)
    assert (
        ranked_position(engine.execute("c", rank_query(where, excluded, DEFAULT_ORDER)).rows)
        is None
    )


def test_rank_query_counts_the_runs_ahead_in_every_column_sort() -> None:
    runs = _ranked_runs()
    for index in (2, 9, 17):
        del runs[index]["metadata"]["scores"]  # missing scores sort last both ways
    for index in (4, 5):
        runs[index]["name"] = runs[6]["name"]  # equal names: the id breaks the tie
    runs[8]["metadata"]["scores"]["reward"] = "n/a"  # not a number: last, with the missing
    runs[10]["metadata"]["scores"]["reward"] = "0.25"  # reads as a number: sorted as one
    for index, tags in enumerate([["web browsing"], ["Web Exploitation"], ["a", "B"], ["A", "b"]]):
        runs[index]["metadata"]["tags"] = tags  # a list column: case and size decide
    engine = LocalEngine()
    engine.add_collection("c", "ranked", runs)
    schema = engine.introspect("c")
    columns = [*default_columns(schema), *columns_for_choices(schema, [("tags",)])]
    assert columns[-1].key == "m:tags"
    where = "metadata_json->>'model' <> 'nobody'"
    reward = next(column for column in columns if column.key == "m:scores.reward")
    listed = select_query(where, ["agent_runs.id"], sort_order(reward, False).sql)
    ids = [row[0] for row in engine.execute("c", listed).rows]

    def value(run: dict[str, Any]) -> float | None:
        found = run["metadata"].get("scores", {}).get("reward")
        return None if found is None or found == "n/a" else float(found)

    by_id = {run["id"]: value(run) for run in runs}
    numbers = sorted(v for v in by_id.values() if v is not None)
    assert [by_id[run_id] for run_id in ids] == [*numbers, *[None] * (len(runs) - len(numbers))]
    for column in columns:
        for descending in (False, True):
            order = sort_order(column, descending)
            listed = select_query(where, ["agent_runs.id"], order.sql)
            ids = [row[0] for row in engine.execute("c", listed).rows]
            assert len(ids) == len(runs)
            for position, run_id in enumerate(ids):
                rows = engine.execute("c", rank_query(where, run_id, order)).rows
                assert ranked_position(rows) == position, (column.key, descending, position)


def test_position_counts_the_matching_runs_inserted_before() -> None:
    engine = LocalEngine()
    runs = _ranked_runs()
    engine.add_collection("c", "ranked", runs)
    where = "metadata_json->>'model' NOT ILIKE '%gpt%'"
    listed = [
        row[0] for row in engine.execute("c", f"SELECT id FROM agent_runs WHERE {where}").rows
    ]
    assert [engine.position("c", where, run_id) for run_id in listed] == list(range(len(listed)))
    excluded = next(r["id"] for r in runs if r["id"] not in listed)
    assert engine.position("c", where, excluded) is None
    assert engine.position("c", where, "no such run") is None
    assert engine.position("c", "", runs[-1]["id"]) == len(runs) - 1


def _numbered_runs(count: int) -> list[dict[str, Any]]:
    """Small runs numbered 0..count-1 in metadata, inserted in that order."""
    return [
        {"id": f"run-{index:05d}", "name": f"n{index}", "metadata": {"n": index}, "transcripts": []}
        for index in range(count)
    ]


async def test_the_selection_survives_refiltering_past_ten_thousand_rows() -> None:
    library = Library()
    collection = library.add_generated(
        "c0000000-0000-0000-0000-00000000000a", "numbered", "test", lambda: _numbered_runs(10_400)
    )
    app = DocentApp(library, load=[collection], filter_debounce=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = table_of(app)
        table.move_cursor(10_300)
        await settle(pilot)
        assert table.cursor_run_id == "run-10300"
        box = app.browser.query_one(WhereBox)
        # Natural (insertion) order: 200 runs ahead of it drop out.
        box.value = "CAST(metadata_json->>'n' AS INTEGER) >= 200"
        await settle(pilot)
        assert (table.total, table.cursor_row, table.cursor_run_id) == (10_200, 10_100, "run-10300")
        # Sorted by n, descending: it moves near the top, and a later filter keeps it there.
        table.cursor_column = [column.key for column in table.columns].index("m:n")
        await pilot.press("s", "s")
        await settle(pilot)
        assert table.sort is not None and table.sort.descending
        assert (table.cursor_row, table.cursor_run_id) == (99, "run-10300")
        box.value = "CAST(metadata_json->>'n' AS INTEGER) < 10350"
        await settle(pilot)
        assert (table.cursor_row, table.cursor_run_id) == (49, "run-10300")
        # Sorted ascending, it is past row 10,000 again.
        await pilot.press("s")
        await settle(pilot)
        table.cursor_column = [column.key for column in table.columns].index("m:n")
        await pilot.press("s")
        await settle(pilot)
        assert table.sort is not None and not table.sort.descending
        assert (table.cursor_row, table.cursor_run_id) == (10_300, "run-10300")
        assert "n10300" in screen_text(app)  # its row is on screen


async def test_j_and_k_on_a_remote_collection(docent_server: DocentTestServer) -> None:
    app = make_remote_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=SIZE) as pilot:
        await settle_all(pilot)
        table = table_of(app)
        await pilot.press("enter")
        await settle_all(pilot)
        screen = transcript(app)
        assert screen.run.id == table.run_id_at(0)
        await pilot.press("J")
        await settle_all(pilot)
        assert transcript(app) is screen
        assert screen.run.id == table.run_id_at(1)
        expected = f"/dashboard/{REMOTE_COLLECTION_ID}/agent_run/{screen.run.id}"
        assert screen.web_url is not None and screen.web_url.endswith(expected)
        await pilot.press("K", "K")
        await settle_all(pilot)
        assert screen.run.id == table.run_id_at(0)
        assert "This is the first run of the list." in notices(app)
        await pilot.press("escape")
        assert table.cursor_row == 0
