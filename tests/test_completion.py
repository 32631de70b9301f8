"""WHERE box completion: candidates and their ranges, common values, and the dropdown's keys."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from docent_tui.cli import add_demo
from docent_tui.core.completion import (
    Candidate,
    Completion,
    complete,
    sql_literal,
    value_candidates,
    value_query,
)
from docent_tui.core.engine import LocalEngine
from docent_tui.core.history import QueryHistory
from docent_tui.core.library import Library
from docent_tui.core.schema import DQLSchema, MetadataField
from docent_tui.demo import generate_runs
from docent_tui.demo.models import MODELS
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import send_burst, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, WhereBox

MODEL = "metadata_json->>'model'"
REWARD = "metadata_json->'scores'->>'reward'"
# A number is offered cast: `->>` gives text, and text < 0.5 is an error on a Docent server.
REWARD_NUMBER = f"CAST({REWARD} AS DOUBLE PRECISION)"
SCHEMA = DQLSchema(
    {
        ("agent_runs", "metadata_json"): (
            MetadataField(("model",), "str", 10),
            MetadataField(("scores",), "object", 10),
            MetadataField(("scores", "reward"), "number", 9),
            MetadataField(("scores", "accuracy"), "number", 9),
            MetadataField(("task",), "str", 8),
        )
    }
)


def at_end(text: str) -> Completion:
    return complete(text, len(text), SCHEMA)


def texts(found: Completion) -> list[str]:
    return [candidate.text for candidate in found.candidates]


# -------------------------------------------------------------------------- headless


def test_column_names_complete_with_the_typed_range() -> None:
    found = at_end("name = 'x' AND crea")
    assert texts(found) == ["created_at"]
    candidate = found.candidates[0]
    assert (candidate.start, candidate.end, candidate.kind) == (15, 19, "column")
    assert candidate.apply("name = 'x' AND crea") == ("name = 'x' AND created_at", 25)


def test_a_word_under_the_cursor_is_replaced_whole() -> None:
    found = complete("descr IS NULL", 3, SCHEMA)
    candidate = found.candidates[0]
    assert (candidate.text, candidate.start, candidate.end) == ("description", 0, 5)
    assert candidate.apply("descr IS NULL") == ("description IS NULL", 11)


def test_metadata_paths_complete_from_arrows_dotted_names_and_key_names() -> None:
    arrow = at_end("metadata_json->>'mo")
    assert texts(arrow) == [MODEL]
    assert (arrow.candidates[0].start, arrow.candidates[0].end) == (0, 19)
    assert arrow.candidates[0].label == "model"
    assert arrow.candidates[0].kind == "path"
    nested = at_end("name IS NULL OR metadata_json->'scores'->>'re")
    assert texts(nested) == [REWARD_NUMBER]
    assert nested.candidates[0].start == len("name IS NULL OR ")
    assert texts(at_end("metadata_json->'scores'->")) == [
        REWARD_NUMBER,
        "CAST(metadata_json->'scores'->>'accuracy' AS DOUBLE PRECISION)",
    ]
    assert texts(at_end("scores.re")) == [REWARD_NUMBER]
    assert texts(at_end("rew")) == [REWARD_NUMBER]
    # Inside a CAST the user typed, the path alone.
    assert texts(at_end("CAST( rew")) == [REWARD]
    assert texts(at_end("cast(metadata_json->'scores'->>'re")) == [REWARD]
    assert MODEL in texts(at_end("mod"))
    assert at_end("metadata_json->>'model'").candidates == ()  # complete: nothing to add


def test_keywords_complete_case_insensitively() -> None:
    found = at_end("name IS NOT NULL an")
    assert "AND" in texts(found)
    assert next(c for c in found.candidates if c.text == "AND").kind == "keyword"
    assert "ILIKE" in texts(at_end("name il"))
    assert "IS NOT NULL" in texts(at_end("name is"))
    assert at_end("name AND").candidates == ()  # typed in full


def test_nothing_is_offered_inside_other_literals_or_on_empty_tokens() -> None:
    assert at_end("").candidates == ()
    assert at_end("name IS NULL ").candidates == ()
    assert at_end("'name an").candidates == ()
    assert at_end("name = 'a' AND 12").candidates == ()


def test_a_literal_compared_to_a_path_asks_for_values() -> None:
    text = f"name IS NULL AND {REWARD} = '0.5"
    found = at_end(text)
    assert found.value_expression == REWARD
    assert (found.start, found.end, found.value_prefix) == (text.index("'0.5"), len(text), "0.5")
    assert at_end(f"{MODEL} ILIKE '%gpt").value_expression == MODEL
    assert at_end(f"{MODEL} NOT ILIKE '").value_expression == MODEL
    assert at_end(f"{MODEL} IN ('a', '").value_expression == MODEL
    assert at_end("name = '").value_expression == "name"
    assert at_end(f"{MODEL} > '").value_expression is None
    # A closing quote right after the cursor is part of the replaced literal.
    closed = complete(f"{MODEL} = '' AND id IS NOT NULL", len(MODEL) + 4, SCHEMA)
    assert (closed.start, closed.end) == (len(MODEL) + 3, len(MODEL) + 5)


def test_values_are_quoted_as_sql_literals_and_filtered_by_the_typed_part() -> None:
    found = at_end(f"{MODEL} = 'o")
    rows: list[list[Any]] = [
        ["anthropic/claude's", 5],
        ["openai/o'3", 4],
        [None, 3],
        ["line\nbreak", 2],
        ["zeta", 1],
    ]
    candidates = value_candidates(found, rows)
    # Values starting with the typed part come first; control characters are left out.
    assert [c.text for c in candidates] == ["'openai/o''3'", "'anthropic/claude''s'"]
    assert candidates[0] == Candidate(
        "'openai/o''3'", found.start, found.end, "openai/o'3", "value", "4 runs"
    )
    value, cursor = candidates[0].apply(f"{MODEL} = 'o")
    assert value == f"{MODEL} = 'openai/o''3'"
    assert cursor == len(value)
    assert sql_literal("it's") == "'it''s'"
    everything = value_candidates(at_end(f"{MODEL} ILIKE '%"), rows)
    assert len(everything) == 3
    counted = value_candidates(at_end(f"{MODEL} = 'z"), [["zeta", 21_495], ["zed", 1]])
    assert [c.detail for c in counted] == ["21,495 runs", "1 run"]
    spaced = value_candidates(at_end(f"{MODEL} = 'g"), [["gpt-4", 9], ["gpt-4 ", 8], [" gpt", 7]])
    assert [c.label for c in spaced] == ["gpt-4", "'gpt-4 '", "' gpt'"]
    assert [c.text for c in spaced] == ["'gpt-4'", "'gpt-4 '", "' gpt'"]


@pytest.fixture(scope="module")
def demo_engine() -> LocalEngine:
    engine = LocalEngine()
    engine.add_collection("demo", "demo", generate_runs(60))
    return engine


def test_the_value_query_validates_and_runs_on_the_local_engine(demo_engine: LocalEngine) -> None:
    result = demo_engine.execute("demo", value_query(MODEL))
    assert result.columns == ["value", "n"]
    counts = [row[1] for row in result.rows]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == 60
    assert {row[0] for row in result.rows} <= {model.name for model in MODELS}
    reward = demo_engine.execute("demo", value_query(REWARD))
    assert 0 < len(reward.rows) <= 20
    assert all(row[0] is not None for row in reward.rows)


def test_the_value_query_reads_keys_with_quotes() -> None:
    engine = LocalEngine()
    run = {"id": "r1", "name": None, "description": None, "created_at": None}
    engine.add_collection(
        "c", "c", [{**run, "metadata": {"o'k": "v'1"}, "transcripts": [], "transcript_groups": []}]
    )
    field = engine.introspect("c").metadata_fields[0]
    rows = engine.execute("c", value_query(field.dql())).rows
    assert rows == [["v'1", 1]]
    found = complete(f"{field.dql()} = '", len(field.dql()) + 3, None)
    assert found.value_expression is None  # values are offered after arrow paths only
    assert [c.text for c in value_candidates(at_end(f"{MODEL} = '"), rows)] == ["'v''1'"]


# -------------------------------------------------------------------------- the dropdown


def demo_app() -> DocentApp:
    library = Library()
    add_demo(library)
    return DocentApp(library, load=library.collections, filter_debounce=0.0)


def box_of(pilot: Pilot[None]) -> WhereBox:
    screen = pilot.app.screen
    assert isinstance(screen, BrowserScreen)
    return screen.query_one(WhereBox)


async def test_tab_inserts_a_path_then_values_complete_the_literal() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", *"metadata_json->>'mo")
        await settle(pilot)
        assert box.menu.is_open
        assert box.menu.chosen is not None and box.menu.chosen.text == MODEL
        await pilot.press("tab")
        assert box.value == MODEL
        assert box.cursor_position == len(MODEL)
        assert not box.menu.is_open
        assert app.focused is box
        await pilot.press(*" = '")
        await settle(pilot)
        assert box.menu.is_open
        labels = [candidate.label for candidate in box.menu.candidates]
        assert labels and set(labels) <= {model.name for model in MODELS}
        assert all(c.kind == "value" for c in box.menu.candidates)
        await pilot.press("down", "down", "up")
        assert box.menu.highlighted == 1
        second = box.menu.candidates[1]
        await pilot.press("enter")  # accepts while the menu is open; stays in the box
        assert box.value == f"{MODEL} = {sql_literal(second.label)}"
        assert app.focused is box
        assert not box.menu.is_open
        await settle(pilot)
        count = int(second.detail.split()[0].replace(",", ""))
        assert app.screen.query_one(RunTable).total == count
        await pilot.press("enter")  # closed: applies and goes to the list
        assert isinstance(app.focused, RunTable)


async def test_escape_closes_the_menu_then_restores_the_last_valid_filter() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", *"name IS NOT NULL AN")
        await settle(pilot)
        assert box.menu.is_open
        assert "AND" in [c.text for c in box.menu.candidates]
        await pilot.press("escape")
        assert not box.menu.is_open
        assert app.focused is box
        assert box.value == "name IS NOT NULL AN"
        await pilot.press("escape")
        assert isinstance(app.focused, RunTable)
        assert box.value.strip() == "name IS NOT NULL"  # the last filter that ran without error


def footer_keys(pilot: Pilot[None]) -> dict[str, str]:
    """What the footer shows: each shown key's display and description."""
    shown = pilot.app.screen.active_bindings.values()
    return {
        active.binding.key_display or active.binding.key: active.binding.description
        for active in shown
        if active.binding.show
    }


async def test_the_footer_names_what_the_keys_do_with_the_menu_open_and_closed() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash")
        await settle(pilot)
        closed = footer_keys(pilot)
        assert closed["↑↓"] == "History"
        assert closed["escape"] == "Restore last valid filter"
        assert "tab" not in closed
        await pilot.press(*"metadata_json->>'mo")
        await settle(pilot)
        assert box.menu.is_open
        opened = footer_keys(pilot)
        assert opened["↑↓"] == "Choose"
        assert opened["tab"] == "Complete"
        assert opened["escape"] == "Close list"
        await pilot.press("escape")
        await settle(pilot)
        assert footer_keys(pilot)["escape"] == "Restore last valid filter"


async def test_up_and_down_move_in_the_open_menu_and_step_history_when_closed() -> None:
    app = demo_app()
    QueryHistory().record(app.library.collections[0].id, "name IS NULL")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", *"i")
        await settle(pilot)
        assert box.menu.is_open and len(box.menu.candidates) > 1
        await pilot.press("down")
        assert box.menu.highlighted == 1
        await pilot.press("up", "up")
        assert box.menu.highlighted == 0
        assert box.value == "i"
        await pilot.press("escape", "up")
        assert box.value == "name IS NULL"
        assert not box.menu.is_open  # a history entry opens no menu
        await pilot.press("down")
        assert box.value == "i"
        assert app.focused is box


async def test_enter_applies_what_was_typed_unless_a_candidate_was_picked() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        box = box_of(pilot)
        await pilot.press("slash", *"name IS NOT NUL")
        await settle(pilot)
        assert box.menu.is_open and box.menu.chosen is not None  # NULL is offered
        await pilot.press("enter")  # nothing picked: Enter applies the text as typed
        await settle(pilot)
        assert box.value == "name IS NOT NUL" and not box.menu.is_open
        assert isinstance(app.focused, RunTable)
        assert "Unexpected token" in str(app.browser.query_one(FilterError).render())
        # The same keys in one burst (one SSH packet) after the list, then another filter.
        send_burst(app, "/", "ctrl+u", *"agent_runs.name LIKE 'math%' AND name IS NOT NUL", "L")
        send_burst(app, "enter", "/", "ctrl+u", *"name IS NULL", "enter")
        await settle(pilot)
        assert box.value == "name IS NULL" and app.browser.where_applied == "name IS NULL"
        assert isinstance(app.focused, RunTable)
