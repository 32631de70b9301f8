"""The WHERE box: per-collection history on Up/Down, and SQL highlighting that stays plain text."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.pilot import Pilot

from docent_tui.core.history import QueryHistory
from docent_tui.core.library import Library
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, send_burst, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.widgets.collection_list import CollectionList
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, SqlHighlighter, WhereBox
from tests.conftest import shared_file

INCLUDES_ZERO = "metadata_json->'scores'->>'includes' = '0'"
INCLUDES_ONE = "metadata_json->'scores'->>'includes' = '1.0'"


def make_app(*sources: Path) -> DocentApp:
    library = Library()
    for source in sources:
        library.add_local(source)
    return DocentApp(library, load=library.collections, filter_debounce=0.0)


def box_of(pilot: Pilot[None]) -> WhereBox:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    return screen.query_one(WhereBox)


async def test_history_survives_a_restart_and_skips_keystrokes() -> None:
    source = shared_file("inspect/agentic_sample.eval")
    app = make_app(source)
    collection_id = app.library.collections[0].id
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *INCLUDES_ZERO)
        await settle(pilot)
        assert app.screen.query_one(RunTable).total == 6  # applied while still typing
        await pilot.press(*" AND id IS NOT NULL")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    # Only the filter applied when editing ended, not every valid step typed on the way.
    assert QueryHistory().entries(collection_id) == [INCLUDES_ZERO + " AND id IS NOT NULL"]

    app = make_app(source)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "up")
        await settle(pilot)
        assert box_of(pilot).value == INCLUDES_ZERO + " AND id IS NOT NULL"
        assert app.screen.query_one(RunTable).total == 6


async def test_up_and_down_step_through_history_and_back_to_the_draft() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    history = QueryHistory()
    collection_id = app.library.collections[0].id
    history.record(collection_id, INCLUDES_ZERO)
    history.record(collection_id, INCLUDES_ONE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", *"name")
        await pilot.press("up")
        assert box.value == INCLUDES_ONE
        assert box.cursor_position == len(INCLUDES_ONE)
        await pilot.press("up")
        assert box.value == INCLUDES_ZERO
        await pilot.press("up")  # nothing older: stays
        assert box.value == INCLUDES_ZERO
        await pilot.press("down")
        assert box.value == INCLUDES_ONE
        await pilot.press("down")
        assert box.value == "name"
        assert app.focused is box
        await pilot.press("down")  # no longer in history: back to the list
        assert isinstance(app.focused, RunTable)


async def test_editing_a_history_entry_makes_down_leave() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    QueryHistory().record(app.library.collections[0].id, INCLUDES_ZERO)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", "up", "backspace")
        assert box.value == INCLUDES_ZERO[:-1]
        await pilot.press("down")
        assert isinstance(app.focused, RunTable)
        assert box.value == INCLUDES_ZERO[:-1]


async def test_down_goes_to_the_list_when_not_in_history() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "up")  # no history: nothing happens
        assert box_of(pilot).value == ""
        assert isinstance(app.focused, WhereBox)
        await pilot.press("down")
        assert isinstance(app.focused, RunTable)


async def test_each_collection_has_its_own_history() -> None:
    app = make_app(
        shared_file("inspect/popularity.eval"), shared_file("inspect/security-guide.eval")
    )
    first, second = (collection.id for collection in app.library.collections)
    history = QueryHistory()
    history.record(first, "name IS NULL")
    history.record(second, "id IS NOT NULL")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", "up")
        assert box.value == "name IS NULL"
        await pilot.press("escape", "escape")
        assert isinstance(app.focused, CollectionList)
        await pilot.press("j")
        await settle(pilot)
        assert app.screen.query_one(RunTable).total == 16
        await pilot.press("slash", "up")
        assert box.value == "id IS NOT NULL"
        await pilot.press("up")
        assert box.value == "id IS NOT NULL"


def test_highlighting_styles_tokens_by_kind() -> None:
    clause = "CAST(metadata_json->'scores'->>'reward' AS FLOAT) > 0.5 AND name ILIKE '%x' -- note"
    text = SqlHighlighter()(clause)
    assert text.plain == clause
    styled = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styled["CAST"] == "bold magenta"
    assert styled["AND"] == "bold magenta"
    assert styled["'scores'"] == "green"
    assert styled["'%x'"] == "green"
    assert styled["->>"] == "yellow"
    assert styled["0.5"] == "cyan"
    assert styled["-- note"] == "dim italic"
    assert "metadata_json" not in styled


def test_highlighting_survives_broken_and_hostile_input() -> None:
    highlighter = SqlHighlighter()
    for clause in ("name = 'unterminated", "x = $$ /* open", "'\x1b[31m' \x00\x9b\u202e", ""):
        text = highlighter(Text(clause))
        assert len(text.plain) == len(clause)  # cursor and selection offsets still line up
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text.plain)
        assert all(0 <= span.start <= span.end <= len(clause) for span in text.spans)
    assert highlighter(Text("'\x1b[31m'")).plain == "'␛[31m'"


async def test_markup_and_control_characters_in_the_box_are_shown_literally() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        box.value = "name = '[red]x[/red] [@click=app.quit]'"
        await settle(pilot)
        assert "name = '[red]x[/red] [@click=app.quit]'" in screen_text(app)
        box.value = "name = '\x1b[31mred'"
        await settle(pilot)
        shown = screen_text(app)
        assert "\x1b" not in shown
        assert "␛[31mred" in shown
        assert app.is_running


async def test_the_completion_list_opens_under_the_error_line() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"metadata_json->>'model' = 1 AND mod")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        error = screen.query_one(FilterError)
        box = box_of(pilot)
        assert error.display and box.menu.display
        assert "not a valid column" in screen_text(app)
        assert box.menu.region.y >= error.region.bottom, "the list would hide the error"


async def test_a_burst_of_keys_is_applied_in_the_order_typed() -> None:
    app = make_app(shared_file("inspect/agentic_sample.eval"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        box.value = "name IS NULL"
        await settle(pilot)
        # One SSH packet: the filter key, clear the line, type, fix a typo, move and insert.
        send_burst(app, "/", "ctrl+u", *"task_id", "backspace", "backspace", *"ix", "home", "(")
        await settle(pilot)
        assert box.value == "(task_ix"
        assert box.cursor_position == 1
