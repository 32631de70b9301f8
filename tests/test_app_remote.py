"""The app against a Docent server: collections, live filters, runs, caching, errors."""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from docent_tui.cli import add_demo
from docent_tui.core.library import CollectionState, Library
from docent_tui.core.remote.config import DocentSettings
from docent_tui.core.remote.connect import RemoteTarget, connect
from docent_tui.core.remote.remote_backend import RemoteBackend, RemoteEvent
from docent_tui.demo import DEMO_COLLECTION_ID, generate_runs
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.widgets.collection_list import CollectionList
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, WhereBox
from tests.docent_server import (
    REMOTE_COLLECTION_ID,
    SECOND_COLLECTION_ID,
    DocentTestServer,
)

REMOTE_RUNS = [run["id"] for run in generate_runs(40)]
THIRD_COLLECTION_ID = "c0ffee00-1111-4222-8333-444455556666"


def settings_for(server: DocentTestServer, key: str | None = None) -> DocentSettings:
    return DocentSettings(
        api_key=server.api_key if key is None else key,
        api_url=server.api_url,
        frontend_url=server.frontend_url,
        domain="127.0.0.1",
    )


def no_delay(
    settings: DocentSettings, listener: Callable[[RemoteEvent], None] | None
) -> RemoteBackend:
    """The app's backend, retrying without waiting."""
    return connect(settings, listener, backoff=lambda _attempt: 0.0)


def make_app(
    server: DocentTestServer,
    *,
    key: str | None = None,
    collection_id: str | None = None,
    run_id: str | None = None,
    demo: bool = False,
) -> DocentApp:
    library = Library()
    if demo:
        add_demo(library)
    target = RemoteTarget(settings_for(server, key), collection_id, run_id)
    return DocentApp(
        library, load=library.collections, filter_debounce=0.0, remote=target, connector=no_delay
    )


def browser(pilot: Pilot[None]) -> BrowserScreen:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    return screen


async def settle_all(pilot: Pilot[None]) -> None:
    """Workers done, and the backend's prefetches and cache writes too."""
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, DocentApp)
    if app.remote_backend is not None:
        await app.remote_backend.wait_idle()
    await settle(pilot)


async def type_filter(pilot: Pilot[None], where: str) -> None:
    box = pilot.app.browser.query_one(WhereBox)
    box.value = where
    await settle_all(pilot)


async def test_lists_the_servers_collections_and_their_runs(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        names = {c.id: c for c in app.library.collections}
        assert set(names) == {REMOTE_COLLECTION_ID, SECOND_COLLECTION_ID}
        assert names[REMOTE_COLLECTION_ID].run_count == 40
        table = app.browser.query_one(RunTable)
        assert table.total == 40
        text = screen_text(app)
        assert "demo-remote" in text
        assert "40 runs" in text
        assert "127.0.0.1" in text
        # Pages are asked for in a stable order: newest first, ids breaking ties.
        pages = [r.body["dql"] for r in docent_server.requests if r.path.endswith("/execute")]
        assert any("ORDER BY agent_runs.created_at DESC, agent_runs.id" in q for q in pages)


async def test_local_and_remote_collections_sit_side_by_side(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, demo=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        ids = [c.id for c in app.library.collections]
        assert ids[0] == DEMO_COLLECTION_ID
        assert REMOTE_COLLECTION_ID in ids and SECOND_COLLECTION_ID in ids
        listing = app.browser.query_one(CollectionList)
        assert listing.option_count == 3


async def test_filter_runs_on_the_server_and_revisiting_it_costs_nothing(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        claude = "metadata_json->>'model' ILIKE '%claude%'"
        await type_filter(pilot, claude)
        expected = sum("claude" in r["metadata"]["model"] for r in generate_runs(40))
        assert app.browser.query_one(RunTable).total == expected
        assert f"{expected} of 40 runs match" in screen_text(app)
        await type_filter(pilot, "metadata_json->>'model' ILIKE '%gpt%'")
        docent_server.clear_requests()
        await type_filter(pilot, claude)
        assert app.browser.query_one(RunTable).total == expected
        assert docent_server.count("/execute") == 0


async def test_a_filter_the_server_refuses_shows_its_message_and_keeps_the_rows(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        await type_filter(pilot, "nonexistent_column = 1")
        error = app.browser.query_one(FilterError)
        assert "nonexistent_column" in str(error.render())
        assert app.browser.query_one(RunTable).total == 40


async def test_a_broken_clause_is_caught_before_any_request(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        docent_server.clear_requests()
        await type_filter(pilot, "metadata_json->>'model' = 'x' ORDER BY id")
        assert "only the condition" in str(app.browser.query_one(FilterError).render())
        assert docent_server.count("/execute") == 0


async def test_open_a_run_and_copy_its_web_url(docent_server: DocentTestServer) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        run_id = app.browser.query_one(RunTable).cursor_run_id
        assert run_id is not None
        await pilot.press("enter")
        await settle_all(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.run.id == run_id
        await pilot.press("w")
        expected = (
            f"{docent_server.frontend_url}/dashboard/{REMOTE_COLLECTION_ID}/agent_run/{run_id}"
        )
        assert app.clipboard == expected


async def test_a_run_named_on_the_command_line_opens_directly(
    docent_server: DocentTestServer,
) -> None:
    run_id = REMOTE_RUNS[7]
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID, run_id=run_id)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        screen = app.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.run.id == run_id
        await pilot.press("escape")
        assert browser(pilot).collection_id == REMOTE_COLLECTION_ID


async def test_a_missing_collection_is_reported(docent_server: DocentTestServer) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    app = make_app(docent_server, collection_id=missing)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        assert any("was not found" in str(n.message) for n in app._notifications)
        assert isinstance(app.screen, BrowserScreen)


async def test_moving_the_cursor_prefetches_the_next_runs(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        await pilot.press("j")
        await settle_all(pilot)
        assert docent_server.count("/agent_run") >= 1
        docent_server.clear_requests()
        await pilot.press("j")
        await settle_all(pilot)
        docent_server.clear_requests()
        # The run under the cursor was fetched ahead: opening it sends nothing.
        await pilot.press("enter")
        await settle_all(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        assert docent_server.count("/agent_run") == 0


async def test_a_wrong_key_says_how_to_fix_it(docent_server: DocentTestServer) -> None:
    app = make_app(docent_server, key="dk_wrong")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        [collection] = app.library.collections
        assert collection.state is CollectionState.FAILED
        assert "DOCENT_API_KEY" in (collection.error or "")
        assert "dk_wrong" not in screen_text(app)


async def test_an_unreachable_server_marks_the_cached_collection_offline(
    docent_server: DocentTestServer,
) -> None:
    first = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        await pilot.press("enter")
        await settle_all(pilot)
        opened = first.screen
        assert isinstance(opened, TranscriptScreen)
        run_id = opened.run.id
    # A new launch while the server drops every connection: the cache still answers.
    docent_server.drop_next(1000)
    second = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID, run_id=run_id)
    async with second.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        screen = second.screen
        assert isinstance(screen, TranscriptScreen)
        assert screen.run.id == run_id
        await pilot.press("escape")
        await settle_all(pilot)
        assert second.browser.query_one(RunTable).total == 40
        text = screen_text(second)
        assert "offline" in text
    docent_server.reset()


async def test_reload_asks_the_server_again(docent_server: DocentTestServer) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        table = app.browser.query_one(RunTable)
        table.move_cursor(3)
        chosen = table.cursor_run_id
        docent_server.clear_requests()
        await pilot.press("r")
        await settle_all(pilot)
        assert docent_server.count("/execute") >= 2, "count and first page fetched again"
        assert docent_server.count("/schema") == 1
        assert table.total == 40
        assert table.cursor_run_id == chosen, "the cursor stays on its run"


async def test_connecting_is_not_shown_as_a_failure(docent_server: DocentTestServer) -> None:
    docent_server.hang_next(1, path_contains="/collections")
    app = make_app(docent_server)
    async with app.run_test(size=(120, 40)) as pilot:
        while docent_server.hanging == 0:
            await pilot.pause()
        [placeholder] = app.library.collections
        assert placeholder.state is CollectionState.LOADING
        assert placeholder.summary == "connecting…"
        docent_server.release()
        await settle_all(pilot)
        assert {c.id for c in app.library.collections} == {
            REMOTE_COLLECTION_ID,
            SECOND_COLLECTION_ID,
        }


async def test_a_server_failure_replaces_an_old_filter_error(
    docent_server: DocentTestServer,
) -> None:
    app = make_app(docent_server, collection_id=REMOTE_COLLECTION_ID)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle_all(pilot)
        await type_filter(pilot, "nonexistent_column = 1")
        assert "nonexistent_column" in str(app.browser.query_one(FilterError).render())
        docent_server.fail_next(100, status=500)
        await type_filter(pilot, "agent_runs.name IS NOT NULL")
        assert str(app.browser.query_one(FilterError).render()).strip() == ""
        assert "HTTP 500" in screen_text(app)


async def test_rows_that_failed_to_load_are_asked_for_again() -> None:
    # Its own server: more than one page of runs, without changing the shared one.
    with DocentTestServer() as server:
        server.add_collection(THIRD_COLLECTION_ID, "big-remote", generate_runs(450, seed=2))
        app = make_app(server, collection_id=THIRD_COLLECTION_ID)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle_all(pilot)
            table = app.browser.query_one(RunTable)
            assert table.total == 450
            server.fail_next(100, status=500)
            await pilot.press("G")
            await settle_all(pilot)
            assert table.cursor_run_id is None
            assert "some rows could not load" in screen_text(app)
            await pilot.press("enter")
            assert any("not loaded yet" in str(n.message) for n in app._notifications)
            server.reset()
            await pilot.press("k")
            await settle_all(pilot)
            assert table.run_id_at(448) is not None
