"""The shared 10,000-run case in the real app: it opens, filters, sorts and scrolls to the end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import SelectionList

from docent_tui.core.library import Library
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.columns import ColumnsScreen
from docent_tui.tui.widgets.run_table import RunTable, format_cell
from docent_tui.tui.widgets.where_box import WhereBox
from tests.conftest import shared_file
from tests.test_sort_columns import put_column_cursor

CASE = "cases/many_runs_10k.json"
MODEL = "llama-3.1-70b"
F1 = "m:scores.f1"


@pytest.fixture(scope="module")
def case_runs() -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = json.loads(shared_file(CASE).read_text(encoding="utf-8"))
    return runs


def app_for(path: Path) -> DocentApp:
    library = Library()
    return DocentApp(library, load=[library.add_local(path)], filter_debounce=0.0)


def f1_of(run: dict[str, Any]) -> Any:
    scores = run["metadata"].get("scores")
    return scores.get("f1") if isinstance(scores, dict) else None


async def test_ten_thousand_runs_open_filter_sort_and_scroll(
    case_runs: list[dict[str, Any]],
) -> None:
    app = app_for(shared_file(CASE))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.browser.query_one(RunTable)
        assert table.total == len(case_runs) == 10_000
        assert "10,000 runs" in screen_text(app)

        await pilot.press("slash")
        box = app.browser.query_one(WhereBox)
        box.value = f"metadata_json->>'model' = '{MODEL}'"
        await settle(pilot)
        matching = [run for run in case_runs if run["metadata"].get("model") == MODEL]
        assert table.total == len(matching) > 900
        assert f"{len(matching):,} of 10,000 runs match" in screen_text(app)

        # Descending by f1: the list's head is the highest f1 values, NULLs at the end.
        await pilot.press("enter")
        await put_column_cursor(pilot, F1)
        await pilot.press("s", "s")
        await settle(pilot)
        assert table.sort is not None and table.sort.descending
        position = [column.key for column in table.columns].index(F1) + 1
        shown = [table.row(index) for index in range(200)]
        values = [float(row[position]) for row in shown if row is not None]
        expected = sorted((f1_of(run) for run in matching if f1_of(run) is not None), reverse=True)
        assert values == expected[:200]

        # The end of the list loads on demand and is the lowest (or missing) value.
        await pilot.press("G")
        await settle(pilot)
        assert table.cursor_row == len(matching) - 1
        last = table.row(len(matching) - 1)
        assert last is not None
        lowest = None if len(expected) < len(matching) else str(expected[-1])
        assert last[position] == lowest or float(last[position]) == expected[-1]

        # The cursor's run keeps the cursor when the filter widens again.
        kept = table.cursor_run_id
        await pilot.press("slash")
        box.value = "metadata_json->>'epoch' IS NOT NULL"
        await settle(pilot)
        assert table.total == 10_000
        assert table.cursor_run_id == kept


async def test_list_and_multi_line_columns_are_summarised_in_their_cells(
    case_runs: list[dict[str, Any]],
) -> None:
    app = app_for(shared_file(CASE))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        table = app.browser.query_one(RunTable)
        await pilot.press("c")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ColumnsScreen)
        listing = dialog.query_one(SelectionList)
        listing.select(("tags",))
        listing.select(("notes",))
        await pilot.press("enter")
        await settle(pilot)
        keys = [column.key for column in table.columns]
        assert keys[-2:] == ["m:tags", "m:notes"]
        # A short list reads as JSON; a 60-line note as its first line and a mark that more
        # follows. Rows are in file order.
        shown = [table.row(index) for index in range(200)]
        tags = [format_cell(row[len(keys) - 1]) for row in shown if row is not None]
        assert tags == [json.dumps(run["metadata"]["tags"]) for run in case_runs[:200]]
        noted = next(index for index, run in enumerate(case_runs) if "notes" in run["metadata"])
        first_line = case_runs[noted]["metadata"]["notes"].splitlines()[0]
        row = table.row(noted)
        assert row is not None and format_cell(row[len(keys)]) == first_line + " …"
        table.move_cursor(noted)
        await settle(pilot)
        assert first_line in screen_text(app)
        # A long list is counted, never spilled into the row.
        assert format_cell(list(range(6_700))) == "[6,700 items]"
