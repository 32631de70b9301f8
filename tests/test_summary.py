"""The run list's summary line: its DQL on the local engine, and the line in the app."""

from __future__ import annotations

import copy
import math
from collections.abc import Iterator
from typing import Any

import pytest

from docent_tui.cli import add_demo
from docent_tui.core.dql import validate_dql
from docent_tui.core.engine import LocalEngine
from docent_tui.core.library import Library
from docent_tui.core.schema import DQLSchema, MetadataField
from docent_tui.core.summary import (
    BUCKETS,
    Distribution,
    default_field,
    read_distribution,
    sparkline,
    summary_query,
    summary_text,
)
from docent_tui.demo import generate_runs
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.widgets.run_summary import RunSummary
from docent_tui.tui.widgets.run_table import RunTable

REWARD = MetadataField(("scores", "reward"), "number", 0)
# Runs whose reward is not a number: each must be left out, never break the query.
ODD_REWARDS: dict[int, Any] = {0: "0.5", 1: "abc", 2: True, 3: {"a": 1}, 4: [1, 2], 5: ""}


def _runs() -> list[dict[str, Any]]:
    runs = list(generate_runs(200))
    for index, value in ODD_REWARDS.items():
        runs[index]["metadata"].setdefault("scores", {})["reward"] = value
    runs[6]["metadata"]["scores"]["reward"] = 1e-9
    return runs


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    local = LocalEngine()
    local.add_collection("c", "demo", copy.deepcopy(_runs()))
    yield local
    local.close()


def expected(runs: list[dict[str, Any]], keep: Any) -> Distribution:
    """The same statistics computed in Python, bucket for bucket."""
    values = [
        float(reward)
        for run in runs
        if keep(run)
        for reward in [run["metadata"].get("scores", {}).get("reward")]
        if isinstance(reward, (int, float)) and not isinstance(reward, bool)
    ]
    if not values:
        return Distribution("reward", 0, None, None, None, ())
    low, high = min(values), max(values)
    buckets = [0] * BUCKETS
    for value in values:
        index = 0 if high == low else min(math.floor((value - low) * BUCKETS / (high - low)), 9)
        buckets[index] += 1
    return Distribution("reward", len(values), low, high, sum(values) / len(values), tuple(buckets))


@pytest.mark.parametrize(
    ("where", "keep"),
    [
        ("", lambda run: True),
        (
            "metadata_json->>'model' LIKE '%a%'",
            lambda run: "a" in str(run["metadata"].get("model", "")),
        ),
    ],
)
def test_query_matches_a_python_computation(engine: LocalEngine, where: str, keep: Any) -> None:
    query = summary_query(where, REWARD)
    validate_dql(query)  # inside the server's whitelist
    result = engine.execute("c", query)
    got = read_distribution(REWARD, result.columns, result.rows)
    want = expected(_runs(), keep)
    assert got.count == want.count > 100
    assert got.buckets == want.buckets
    assert (got.low, got.high) == (want.low, want.high)
    assert got.mean == pytest.approx(want.mean)


def test_values_that_are_not_numbers_are_left_out(engine: LocalEngine) -> None:
    ids = [run["id"] for index, run in enumerate(_runs()) if index in ODD_REWARDS]
    where = "agent_runs.id IN (" + ", ".join(f"'{i}'" for i in ids) + ")"
    result = engine.execute("c", summary_query(where, REWARD))
    got = read_distribution(REWARD, result.columns, result.rows)
    assert got.count == 0
    assert got.buckets == (0,) * BUCKETS
    assert summary_text(got) == "reward  no runs with a value"


def test_no_matching_run_gives_an_empty_summary(engine: LocalEngine) -> None:
    result = engine.execute("c", summary_query("1 = 0", REWARD))
    assert result.rows == []
    got = read_distribution(REWARD, result.columns, result.rows)
    assert got.count == 0
    assert summary_text(got) == "reward  no runs with a value"


def test_equal_values_land_in_the_first_bucket(engine: LocalEngine) -> None:
    run_id = _runs()[10]["id"]
    result = engine.execute("c", summary_query(f"agent_runs.id = '{run_id}'", REWARD))
    got = read_distribution(REWARD, result.columns, result.rows)
    assert got.count == 1
    assert got.buckets == (1,) + (0,) * (BUCKETS - 1)


def test_default_field_prefers_scores() -> None:
    def schema(*fields: MetadataField) -> DQLSchema:
        return DQLSchema({("agent_runs", "metadata_json"): fields})

    epoch = MetadataField(("epoch",), "number", 5)
    model = MetadataField(("model",), "str", 5)
    assert default_field(schema(model, epoch, REWARD)) == REWARD
    assert default_field(schema(model, epoch)) == epoch
    assert default_field(schema(model)) is None


def test_sparkline_and_text() -> None:
    assert sparkline([0, 1, 4, 8]) == " ▁▄█"
    assert sparkline([0, 0]) == "  "
    line = summary_text(Distribution("reward", 1204, 0.0, 1.0, 0.53, (1, 2, 8)))
    assert line == "reward  0 ▁▂█ 1   mean 0.53 · 1,204 runs with a value"


async def test_summary_line_shows_and_follows_the_filter() -> None:
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        summary = screen.query_one(RunSummary)
        assert summary.display and summary.distribution is not None
        before = summary.distribution.count
        assert before > 0
        assert "with a value" in screen_text(app)
        assert "reward" in screen_text(app)
        await pilot.press("slash", *"metadata_json->>'model' LIKE '%claude%'")
        await settle(pilot)
        table = screen.query_one(RunTable)
        assert 0 < table.total < 300
        assert summary.distribution is not None
        assert 0 < summary.distribution.count < before
        assert f"{summary.distribution.count:,} run" in screen_text(app)
        await pilot.press(*" AND 1 = 0")
        await settle(pilot)
        assert summary.distribution is not None and summary.distribution.count == 0
        assert "no runs with a value" in screen_text(app)


async def test_summary_charts_the_numeric_column_under_the_column_cursor() -> None:
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowserScreen)
        summary = screen.query_one(RunSummary)
        table = screen.query_one(RunTable)
        keys = [column.key for column in table.columns]
        assert summary.distribution is not None and summary.distribution.label == "reward"
        # On the accuracy column: accuracy is charted.
        await pilot.press(*["l"] * keys.index("m:scores.accuracy"))
        await settle(pilot)
        assert summary.distribution is not None and summary.distribution.label == "accuracy"
        assert str(screen_text(app)).count("accuracy") >= 2  # the header and the summary
        assert summary.distribution.low == 0 and summary.distribution.high == 1
        assert sum(summary.distribution.buckets) == summary.distribution.count
        # A text column has nothing to chart: the first score comes back.
        await pilot.press(*["h"] * (keys.index("m:scores.accuracy") - keys.index("m:model")))
        await settle(pilot)
        assert summary.distribution is not None and summary.distribution.label == "reward"
        # The chosen column stays charted across filters.
        await pilot.press(*["l"] * (keys.index("m:scores.accuracy") - keys.index("m:model")))
        await pilot.press("slash", *"metadata_json->>'model' LIKE '%claude%'")
        await settle(pilot)
        assert 0 < table.total < 300
        assert summary.distribution is not None and summary.distribution.label == "accuracy"
        assert 0 < summary.distribution.count <= table.total
