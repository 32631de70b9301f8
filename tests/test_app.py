"""The app driven by Textual's Pilot: loading, live filtering, opening runs, untrusted text."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from docent_tui.cli import add_demo
from docent_tui.core.library import CollectionState, Library
from docent_tui.core.run_list import PAGE_SIZE
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text as pilot_screen_text
from docent_tui.tui.pilot_support import settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.screens.help import HelpScreen
from docent_tui.tui.screens.problems import ProblemsScreen
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.widgets.collection_list import CollectionList
from docent_tui.tui.widgets.run_summary import RunSummary
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, WhereBox
from tests.conftest import shared_file

CONTROL_BYTES = [chr(c) for c in range(0x20) if c not in (0x0A,)] + ["\x7f", "\x9b", "\x9d"]


def make_app(*sources: Path, where: str = "", debounce: float = 0.0) -> DocentApp:
    library = Library()
    for source in sources:
        library.add_local(source)
    return DocentApp(library, load=library.collections, where=where, filter_debounce=debounce)


def screen_text(pilot: Pilot[None]) -> str:
    return pilot_screen_text(pilot.app)


def browser(pilot: Pilot[None]) -> BrowserScreen:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    return screen


async def test_lists_the_runs_of_an_inspect_log() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = browser(pilot).query_one(RunTable)
        assert table.total == 15
        text = screen_text(pilot)
        assert "agentic_sample.eval" in text
        assert "15 runs" in text
        assert "openai/gpt-4o" in text


async def test_filter_narrows_the_list_live() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, WhereBox)
        clause = "CAST(metadata_json->'scores'->>'includes' AS DOUBLE PRECISION) > 0.5"
        await pilot.press(*clause)
        await settle(pilot)
        table = browser(pilot).query_one(RunTable)
        assert table.total == 9
        assert "9 of 15 runs match" in screen_text(pilot)
        await pilot.press("enter")
        assert isinstance(app.focused, RunTable)


async def test_model_filter_from_the_command_line() -> None:
    where = "metadata_json->>'model' ILIKE '%gpt%'"
    app = make_app(shared_file("inspect/agentic_sample.eval"), where=where)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert browser(pilot).query_one(RunTable).total == 15
        assert browser(pilot).where_applied == where


async def test_invalid_clause_shows_the_error_and_keeps_the_rows() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        await pilot.press("slash", *"metadata_json->>'model' = ")
        await settle(pilot)
        error = screen.query_one(FilterError)
        assert error.display
        assert screen.query_one(RunTable).total == 15
        assert "filter not applied" in screen_text(pilot)
        await pilot.press("escape")
        assert screen.query_one(WhereBox).value == ""
        assert isinstance(app.focused, RunTable)


async def test_sorting_clause_in_the_box_is_refused() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"name IS NULL ORDER BY id")
        await settle(pilot)
        assert browser(pilot).query_one(FilterError).display
        assert browser(pilot).query_one(RunTable).total == 15


async def test_filter_is_debounced_and_enter_applies_at_once() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"), debounce=3600.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        await pilot.press("slash", *"metadata_json->'scores'->>'includes' = '0'")
        await settle(pilot)
        assert screen.where_applied == ""  # the debounce timer has not fired
        assert screen.query_one(RunTable).total == 15
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one(RunTable).total == 6


async def test_a_newer_query_replaces_an_older_one() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        box = screen.query_one(WhereBox)
        box.value = "metadata_json->'scores'->>'includes' = '0'"
        screen.run_filter()
        box.value = "metadata_json->'scores'->>'includes' = '1.0'"
        screen.run_filter()
        await settle(pilot)
        assert screen.where_applied == "metadata_json->'scores'->>'includes' = '1.0'"
        assert screen.query_one(RunTable).total == 9


async def test_enter_opens_the_transcript_and_escape_returns() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        text = screen_text(pilot)
        assert "system" in text
        assert "scores" in text
        await pilot.press("escape")
        assert isinstance(app.screen, BrowserScreen)
        assert app.screen.query_one(RunTable).cursor_row == 1


async def test_every_shared_file_opens(shared_data: Path) -> None:
    sources = sorted((shared_data / "inspect").iterdir()) + sorted(
        (shared_data / "docent").iterdir()
    )
    app = make_app(*sources)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        collections = app.library.collections
        assert len(collections) == len(sources)
        for collection in collections:
            assert collection.state is CollectionState.READY, collection
            assert collection.run_count > 0, collection


async def test_broken_files_give_a_one_line_reason() -> None:
    broken = [shared_file("cases/truncated.eval"), shared_file("cases/not_a_zip.eval")]
    good = shared_file("docent/tool_call_error.agent_runs.json")
    app = make_app(*broken, good)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        states = {c.name: c for c in app.library.collections}
        for path in broken:
            collection = states[path.name]
            assert collection.state is CollectionState.FAILED
            assert collection.error and "\n" not in collection.error
        assert states[good.name].state is CollectionState.READY
        text = screen_text(pilot)
        assert "failed:" in text


async def test_a_directory_with_a_broken_file_loads_the_rest(tmp_path: Path) -> None:
    (tmp_path / "good.json").write_bytes(
        shared_file("docent/tool_call_error.agent_runs.json").read_bytes()
    )
    (tmp_path / "bad.eval").write_bytes(shared_file("cases/not_a_zip.eval").read_bytes())
    (tmp_path / "notes.txt").write_text("not a log")
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        collection = app.library.collections[0]
        assert collection.run_count == 1
        assert len(collection.problems) == 1
        assert collection.ignored_files == [str(tmp_path / "notes.txt")]
        assert "skipped" in screen_text(pilot)
        await pilot.press("exclamation_mark")
        assert isinstance(app.screen, ProblemsScreen)
        assert "bad.eval" in screen_text(pilot)
        assert "notes.txt" in screen_text(pilot)


async def test_markup_in_data_is_shown_verbatim() -> None:
    app = make_app(shared_file("cases/markup_injection.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "[bold]run name" in text  # the cell may be cut to fit, never styled
        assert "gpt-4o [preview]" in text
        assert "[red]T1[/red]" in text
        assert "[@click=app.quit]" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen)
        text = screen_text(pilot)
        assert "[bold]run name with markup[/bold]" in text
        assert "Textual cannot handle bracket [00] foo bar" in text
        assert isinstance(app.screen, TranscriptScreen)  # [@click=app.quit] did nothing


async def test_control_sequences_never_reach_the_terminal() -> None:
    app = make_app(shared_file("cases/ansi_control_injection.json"))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        for text in (screen_text(pilot),):
            assert not any(byte in text for byte in CONTROL_BYTES)
            assert "␛[5mblink" in text
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot)
        assert not any(byte in text for byte in CONTROL_BYTES)
        assert "␛[31mred" in text


async def test_help_and_quit_keys() -> None:
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert browser(pilot).query_one(RunTable).total == 300
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "Run list" in screen_text(pilot)
        await pilot.press("end")
        await pilot.pause()
        assert "export the run" in screen_text(pilot), "the help scrolls at 80x24"
        await pilot.press("escape")
        await pilot.press("q")
        assert not app.is_running


async def test_switching_collections_and_back_navigation() -> None:
    app = make_app(
        shared_file("inspect/popularity.eval"), shared_file("inspect/security-guide.eval")
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        assert screen.query_one(RunTable).total == 10
        # At 80 columns the run list has the width; escape shows the collections to choose.
        collections = screen.query_one(CollectionList)
        assert not collections.display
        assert screen.query_one(RunTable).size.width == 80
        await pilot.press("escape")
        assert isinstance(app.focused, CollectionList)
        assert collections.display
        await pilot.press("j")
        await settle(pilot)
        assert screen.query_one(RunTable).total == 16
        await pilot.press("enter")
        assert isinstance(app.focused, RunTable)
        assert not collections.display
        # A wider terminal shows both side by side.
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        assert collections.display
        assert screen.query_one(RunTable).size.width < 100


async def test_slash_inside_the_box_is_text() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"CAST(metadata_json->>'epoch' AS INT) / 1 = 1")
        await settle(pilot)
        box = browser(pilot).query_one(WhereBox)
        assert box.value == "CAST(metadata_json->>'epoch' AS INT) / 1 = 1"
        assert browser(pilot).query_one(RunTable).total == 15


async def test_an_invalid_startup_filter_still_lists_every_run() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"), where="bogus ==")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        assert screen.query_one(RunTable).total == 15
        assert screen.query_one(FilterError).display
        assert "filter not applied" in screen_text(pilot)
        await pilot.press("slash", "escape")
        await settle(pilot)
        assert screen.query_one(WhereBox).value == ""
        assert not screen.query_one(FilterError).display
        assert screen.query_one(RunTable).total == 15


async def test_switching_collection_with_an_invalid_filter_shows_the_new_runs() -> None:
    app = make_app(
        shared_file("inspect/popularity.eval"), shared_file("inspect/security-guide.eval")
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = browser(pilot)
        await pilot.press("slash", *"metadata_json->>'model' = 'x' AND", "enter")
        await settle(pilot)
        assert screen.query_one(FilterError).display
        await pilot.press("escape", "escape", "down")
        await settle(pilot)
        table = screen.query_one(RunTable)
        assert table.total == 16
        run_id = table.cursor_run_id
        assert run_id is not None
        assert app.library.engine.get_run(screen.collection_id or "", run_id) is not None


async def test_a_failed_collection_shows_no_chart_of_the_one_before() -> None:
    good = shared_file("inspect/agentic_sample.eval")
    app = make_app(good, shared_file("cases/truncated.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        summary = app.browser.query_one(RunSummary)
        assert summary.display, "the good collection has a chart of its scores"
        await pilot.press("escape", "down", "enter")
        await settle(pilot)
        assert app.browser.collection_id == app.library.collections[1].id
        assert not summary.display
        assert "runs with a value" not in screen_text(pilot)


async def wait_until(pilot: Pilot[None], condition: Callable[[], object]) -> None:
    """Let the app run until `condition` holds (at most 10 s): loading workers run in threads."""
    for _ in range(200):
        await pilot.pause(0.05)
        if condition():
            return


def gated_runs(count: int, gate: threading.Event) -> Callable[[], Iterator[dict[str, Any]]]:
    """A source of `count` demo runs that stops after the engine's first batch until `gate`."""
    from docent_tui.demo import generate_runs

    def source() -> Iterator[dict[str, Any]]:
        runs = list(generate_runs(count))
        yield from runs[:1_100]  # past the engine's first batch, so those are stored
        gate.wait(timeout=30)
        yield from runs[1_100:]

    return source


async def test_runs_are_listed_while_the_collection_is_still_loading() -> None:
    gate = threading.Event()
    library = Library()
    library.add_generated("slow-c", "slow", "generated", gated_runs(2_400, gate))
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.browser.query_one(RunTable)
        await wait_until(pilot, lambda: table.total)
        assert library.collections[0].state is CollectionState.LOADING
        assert table.total == 1_000
        assert "still loading" in screen_text(pilot)
        # The summary's line is held while loading, so the list does not move when it comes.
        summary = app.browser.query_one(RunSummary)
        assert summary.display and summary.distribution is None
        assert "chart follows once loading completes" in screen_text(pilot)
        top = table.region.y
        gate.set()
        await wait_until(pilot, lambda: library.collections[0].state is CollectionState.READY)
        await settle(pilot)
        assert table.total == 2_400
        assert "still loading" not in screen_text(pilot)
        assert "2,400 runs" in screen_text(pilot)
        assert summary.distribution is not None and table.region.y == top


async def test_a_run_that_moved_while_loading_is_found_again_when_loading_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from docent_tui.core.backend import LocalBackend

    gate = threading.Event()
    # Runs inserted between locating the cursor's run and reading its page shift it out of
    # that page: here the located row is simply off by a page while the collection loads.
    locate = LocalBackend.locate

    async def shifted(self: LocalBackend, *args: Any, **kwargs: Any) -> int | None:
        row = await locate(self, *args, **kwargs)
        return row + PAGE_SIZE if row is not None and not gate.is_set() else row

    monkeypatch.setattr(LocalBackend, "locate", shifted)
    library = Library()
    library.add_generated("slow-c", "slow", "generated", gated_runs(1_500, gate))
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.browser.query_one(RunTable)
        await wait_until(pilot, lambda: table.total)
        assert library.collections[0].state is CollectionState.LOADING
        table.focus()
        table.move_cursor(150)
        kept = table.cursor_run_id
        await pilot.press("s")  # by run name: the run lands past the first page
        await wait_until(
            pilot, lambda: table.sort is not None and table.generation == app.browser.generation
        )  # not `settle`: the loading worker waits for the gate
        assert library.collections[0].state is CollectionState.LOADING
        assert table.sort is not None and table.cursor_run_id != kept  # not placed yet
        gate.set()
        await wait_until(pilot, lambda: library.collections[0].state is CollectionState.READY)
        await settle(pilot)
        assert table.total == 1_500
        assert table.cursor_run_id == kept
