"""The transcript's modal screens, driven with Pilot: outline, metadata and the option picker."""

from __future__ import annotations

import itertools
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Tree

from docent_tui.core.loaders import iter_file_runs
from docent_tui.core.models import AgentRun, parse_tool_call
from docent_tui.demo import generate_runs
from docent_tui.tui.app import stylesheet_path
from docent_tui.tui.pilot_support import screen_text
from docent_tui.tui.screens.choose import ChooseScreen
from docent_tui.tui.screens.metadata import MAX_CHARS, MAX_LINES, MetadataScreen, clipped_json
from docent_tui.tui.screens.outline import (
    OutlineScreen,
    OutlineTree,
    call_summary,
    message_summary,
)
from tests.conftest import shared_file

_NO_RESULT = object()


class _ScreenApp(App[None]):
    """Pushes one screen and records what it dismisses with."""

    CSS_PATH = stylesheet_path()

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__()
        self.pushed = screen
        self.result: object = _NO_RESULT

    def on_mount(self) -> None:
        self.push_screen(self.pushed, self._record)

    def _record(self, result: object) -> None:
        self.result = result


def _grouped_run() -> AgentRun:
    """A generated run with a transcript group and three transcripts."""
    records = itertools.islice(generate_runs(40), 40)
    runs = [AgentRun.from_record(record) for record in records]
    return next(run for run in runs if run.transcript_groups)


def _load(relative: str) -> AgentRun:
    items = iter_file_runs(shared_file(relative))
    return next(AgentRun.from_record(item) for item in items if isinstance(item, dict))


def _cursor(pilot: Pilot[None]) -> Any:
    tree = pilot.app.screen.query_one(OutlineTree)
    node = tree.cursor_node
    return None if node is None else node.data


# --- outline -------------------------------------------------------------------------------------


async def test_outline_opens_at_the_current_message_and_enter_returns_an_address() -> None:
    app = _ScreenApp(OutlineScreen(_grouped_run(), "T1B3"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _cursor(pilot) == "T1B3"
        text = screen_text(app)
        assert "T0 · planner" in text
        assert "T1B2 assistant  → bash: ls -la" in text
        await pilot.press("down", "j")
        assert _cursor(pilot) == "T1B5"
        await pilot.press("k")
        assert _cursor(pilot) == "T1B4"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "T1B4"


async def test_outline_transcripts_groups_and_escape() -> None:
    app = _ScreenApp(OutlineScreen(_grouped_run(), None))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(OutlineTree)
        group = tree.cursor_node
        assert group is not None and group.data is None  # the group comes first
        await pilot.press("enter")  # enter on a group folds it instead of leaving
        await pilot.pause()
        assert isinstance(app.screen, OutlineScreen)
        assert not group.is_expanded
        await pilot.press("j")
        assert _cursor(pilot) == "T2"  # T0 and T1 are inside the folded group
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None

    app = _ScreenApp(OutlineScreen(_grouped_run(), "T2"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _cursor(pilot) == "T2"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == "T2"


async def test_outline_of_a_long_real_transcript_reaches_the_end() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    last = f"T0B{len(run.transcripts[0].messages) - 1}"
    app = _ScreenApp(OutlineScreen(run, "T0B2500"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _cursor(pilot) == "T0B2500"
        assert "T0B2500" in screen_text(app)
        await pilot.press("G")
        await pilot.pause()
        assert last in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == last


async def test_outline_labels_are_never_markup_and_mark_errors() -> None:
    run = _load("cases/markup_injection.json")
    app = _ScreenApp(OutlineScreen(run, "T0B0"))
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        tree: Tree[str | None] = app.screen.query_one(OutlineTree)
        labels = [str(node.label) for node in tree.root.children[0].children]
    assert any("[" in label for label in labels)
    failing = AgentRun.from_record(
        {
            "id": "r",
            "transcripts": [
                {
                    "id": "t",
                    "messages": [
                        {
                            "role": "tool",
                            "content": "out",
                            "error": {"type": "timeout", "message": "slow\nsecond line"},
                        }
                    ],
                }
            ],
        }
    )
    summary, failed = message_summary(failing.transcripts[0].messages[0])
    assert (summary, failed) == ("✗ timeout: slow", True)


# --- metadata ------------------------------------------------------------------------------------


async def test_metadata_shows_scores_first_and_the_current_message() -> None:
    run = _load("docent/agentic_sample.agent_runs.json")
    app = _ScreenApp(MetadataScreen(run, "T0B1"))
    async with app.run_test(size=(100, 200)) as pilot:
        await pilot.pause()
        text = screen_text(app)
    assert "Agent run" in text and f"id: {run.id}" in text
    assert text.index('"scores"') < text.index('"model"')
    assert "Transcript T0" in text
    assert "Message T0B1" in text
    assert "role: user" in text


async def test_metadata_keys_and_values_are_shown_literally() -> None:
    run = AgentRun.from_record(
        {
            "id": "[b]run[/b]",
            "metadata": {"[bold]key": "[red]value[/red]", "scores": {"[@click=app.quit]x": 1}},
            "transcripts": [
                {
                    "id": "t0",
                    "transcript_group_id": "g",
                    "metadata": {"note": "[i]transcript[/i]"},
                    "messages": [
                        {"role": "user", "content": "hi", "metadata": {"[dim]m": "\x1b[31mv"}},
                    ],
                }
            ],
            "transcript_groups": [{"id": "g", "name": "[u]group", "metadata": {"g": 1}}],
        }
    )
    app = _ScreenApp(MetadataScreen(run, "T0B0"))
    async with app.run_test(size=(100, 200)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert app.screen.is_modal
    for literal in (
        "id: [b]run[/b]",
        '"[bold]key": "[red]value[/red]"',
        '"[@click=app.quit]x": 1',
        '"note": "[i]transcript[/i]"',
        "Group [u]group",
        "groups: [u]group",
        '"[dim]m": "\\u001b[31mv"',
    ):
        assert literal in text, literal
    assert "\x1b" not in text


async def test_metadata_scrolls_with_the_keyboard_and_closes() -> None:
    run = _load("docent/agentic_sample.agent_runs.json")
    app = _ScreenApp(MetadataScreen(run, "T0B1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        scroll = app.screen.query_one("#metadata-dialog")
        assert scroll.has_focus
        await pilot.press("j", "j", "pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 2
        await pilot.press("g")
        await pilot.pause()
        assert scroll.scroll_y == 0
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


def test_large_metadata_is_cut_with_a_notice() -> None:
    text, notice = clipped_json({f"key{n}": n for n in range(MAX_LINES * 2)})
    assert text.count("\n") == MAX_LINES - 1
    assert notice is not None and "more lines" in notice
    small, no_notice = clipped_json({"a": 1})
    assert small == '{\n  "a": 1\n}' and no_notice is None
    one_line, cut = clipped_json({"blob": "x" * 1_000_000})
    assert len(one_line) == MAX_CHARS
    assert cut == f"… 1 more line ({1_000_016 - MAX_CHARS:,} characters) not shown"


# --- choose --------------------------------------------------------------------------------------


async def test_choose_returns_the_chosen_value() -> None:
    options = [("", "all tool calls"), ("bash", "bash  (3)"), ("[b]x", "[b]x  (1)")]
    app = _ScreenApp(ChooseScreen("t/T jump to calls of", options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "[b]x  (1)" in screen_text(app)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
    assert app.result == "[b]x"

    app = _ScreenApp(ChooseScreen("pick", options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == ""

    app = _ScreenApp(ChooseScreen("pick", options))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "escape")
        await pilot.pause()
    assert app.result is None


def test_outline_summaries_of_tool_calls() -> None:
    def summary(arguments: Any) -> str:
        return call_summary(parse_tool_call({"id": "1", "function": "fn", "arguments": arguments}))

    assert summary({"cmd": "ls -la\nsecond line", "timeout": 30}) == "fn: ls -la"
    assert summary({"only": "value"}) == "fn: value"
    assert summary({"n": 3, "deep": {"a": [1, 2]}, "list": [1]}) == "fn: n=3, deep={…}, list=[…]"
    assert summary("raw [b]string[/b]") == "fn: raw [b]string[/b]"
    assert summary({}) == "fn"
