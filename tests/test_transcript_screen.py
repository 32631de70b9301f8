"""The transcript screen as a reader drives it: search, jumps, expanding, outline, metadata,
copying, the pager and editor, export, untrusted text, and a small terminal.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static

from docent_tui.core.export import message_text
from docent_tui.core.library import Library
from docent_tui.core.loaders import iter_file_runs
from docent_tui.core.models import AgentRun
from docent_tui.core.search import RunSearch
from docent_tui.demo import generate_runs
from docent_tui.tui.app import DocentApp, stylesheet_path
from docent_tui.tui.pilot_support import screen_text, settle
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.screens.choose import ChooseScreen
from docent_tui.tui.screens.metadata import MetadataScreen
from docent_tui.tui.screens.outline import OutlineScreen
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.transcript import TranscriptView
from docent_tui.tui.widgets.search_bar import SearchBar
from tests.conftest import shared_file

BIG = (120, 40)
SMALL = (80, 24)
AGENTIC = "inspect/agentic_sample.eval"
WEB_URL = "https://docent.example/dashboard/c0ffee/agent_run/run-1"


class _ScreenApp(App[None]):
    """Shows one transcript screen, as the run list would push it."""

    CSS_PATH = stylesheet_path()

    def __init__(self, screen: TranscriptScreen) -> None:
        super().__init__()
        self.transcript = screen

    def on_mount(self) -> None:
        self.push_screen(self.transcript)


def _load(relative: str, index: int = 0) -> AgentRun:
    """Run `index` of a file in ../shared/data (unreadable samples skipped)."""
    records = (item for item in iter_file_runs(shared_file(relative)) if isinstance(item, dict))
    return AgentRun.from_record(next(itertools.islice(records, index, None)))


def _generated_record(index: int) -> dict[str, Any]:
    return next(itertools.islice(generate_runs(40), index, None))


def _generated(index: int) -> AgentRun:
    return AgentRun.from_record(_generated_record(index))


@contextlib.asynccontextmanager
async def _open(
    run: AgentRun, size: tuple[int, int] = BIG, web_url: str | None = None
) -> AsyncIterator[tuple[Pilot[None], TranscriptScreen]]:
    app = _ScreenApp(TranscriptScreen(run, "collection-1" if web_url else None, web_url))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.transcript.is_current
        yield pilot, app.transcript


def _notes(pilot: Pilot[None]) -> list[str]:
    return [str(notification.message) for notification in pilot.app._notifications]


def _status(screen: TranscriptScreen) -> str:
    content = screen.query_one("#transcript-status", Static).content
    return content.plain if isinstance(content, Text) else str(content)


def _view_text(view: TranscriptView) -> str:
    """The transcript lines on screen (not the status line, which repeats the query)."""
    return "\n".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))


def _seen_or_explained(
    pilot: Pilot[None], screen: TranscriptScreen, query: str, address: str
) -> None:
    """A counted hit is on screen, or a notice says it is not drawn and where to see it."""
    if query in _view_text(screen.view):
        return
    notes = _notes(pilot)
    assert notes and notes[-1].startswith(f"The hit in {address} is not drawn here"), notes


async def _search(pilot: Pilot[None], query: str) -> None:
    """Type a query into the search box and wait for the search worker."""
    await pilot.press("slash", *query, "enter")
    await settle(pilot)


# --- search --------------------------------------------------------------------------------------


async def test_search_counts_hits_shows_the_first_and_walks_them_in_order() -> None:
    run = _load(AGENTIC)
    expected = [hit.address for hit in RunSearch(run).find("python")]
    assert len(expected) == 11
    async with _open(run) as (pilot, screen):
        view = screen.view
        await pilot.press("slash")
        bar = screen.query_one(SearchBar)
        assert bar.display and bar.has_focus
        assert "search this run" in screen_text(pilot.app)
        await pilot.press(*"python", "enter")
        await settle(pilot)
        assert not bar.display and view.has_focus
        assert "“python” 1/11 messages, 20 matches" in _status(screen)
        assert "“python” 1/11 messages, 20 matches" in screen_text(pilot.app)
        # The first hit is in the system prompt's hidden tail: the prompt opens to show it.
        assert view.current_address == "T0B0" and view.is_expanded(0)
        assert "'python' tool" in _view_text(view)
        # Back from the first hit wraps to the last, which comes to the top like any other.
        await pilot.press("N")
        assert _notes(pilot)[-1] == "Search wrapped to the last hit."
        assert "“python” 11/11 messages" in _status(screen)
        assert view.current_address == expected[10]
        await pilot.press("N")
        assert "“python” 10/11 messages" in _status(screen)
        assert view.current_address == expected[9]
        await pilot.press("n", "n")
        assert _notes(pilot)[-1] == "Search wrapped to the first hit."
        assert "“python” 1/11 messages" in _status(screen)
        visited = [view.current_address]
        for _ in range(3):
            await pilot.press("n")
            visited.append(view.current_address)
        assert visited == expected[:4]
        assert "“python” 4/11 messages" in _status(screen)
        assert "python" in _view_text(view).lower()
        await pilot.press("N")
        assert view.current_address == expected[2]
        assert "“python” 3/11 messages" in _status(screen)


async def test_a_hit_in_the_hidden_part_of_a_huge_tool_output_is_expanded_and_shown() -> None:
    run = _load("cases/huge_tool_output.json")
    async with _open(run) as (pilot, screen):
        view = screen.view
        index = view.item_at((0, 5))  # the 40,000-line worker log
        assert index is not None and not view.is_expanded(index)
        await _search(pilot, "h 1234 o")
        assert "“h 1234 o” 1/1 messages, 1 matches" in _status(screen)
        assert view.current_address == "T0B5"
        assert view.is_expanded(index)
        assert "001234 INFO worker[2] processed batch 1234 ok" in screen_text(pilot.app)
        await pilot.press("y")  # all 40,000 lines, with a warning that it is a lot for OSC 52
        assert pilot.app.clipboard.count("processed batch") == 40_000
        note = _notes(pilot)[-1]
        assert note.startswith("Copied T0B5 (") and "$PAGER" in note


async def test_a_hit_deep_in_a_long_real_transcript() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    async with _open(run) as (pilot, screen):
        view = screen.view
        # Step 2000's output is lines 2000-2019: the hit is its last line, past the 15-line head.
        await _search(pilot, "2019: c")
        assert "“2019: c” 1/20 messages, 20 matches" in _status(screen)
        assert view.current_address == "T0B4003"
        index = view.item_at((0, 4003))
        assert index is not None and view.is_expanded(index)
        assert "│ 2019: code line" in screen_text(pilot.app)
        await pilot.press("n")
        assert view.current_address == "T0B4005"
        assert "“2019: c” 2/20 messages" in _status(screen)
        await pilot.press("N")
        assert view.current_address == "T0B4003"


async def test_a_query_not_in_the_run_says_not_found() -> None:
    async with _open(_load(AGENTIC), SMALL) as (pilot, screen):
        await pilot.press("right_square_bracket", "right_square_bracket")
        assert screen.view.current_address == "T0B2"
        await _search(pilot, "zqx")
        assert "“zqx” not found" in _status(screen)
        assert "not found" in screen_text(pilot.app)
        assert screen.view.current_address == "T0B2"
        await pilot.press("n")
        assert "“zqx” is not in this run." in _notes(pilot)
        assert screen.view.current_address == "T0B2"


async def test_a_hit_past_the_expanded_limit_points_to_the_pager() -> None:
    record = _generated_record(13)
    messages = record["transcripts"][0]["messages"]
    messages[3]["content"] = "\n".join(f"line {n}" for n in range(20_010))
    async with _open(AgentRun.from_record(record)) as (pilot, screen):
        await _search(pilot, "20009")
        assert "“20009” 1/1 messages, 1 matches" in _status(screen)
        assert screen.view.current_address == "T0B3"
        assert "line 20009" not in _view_text(screen.view)
        note = _notes(pilot)[-1]
        assert note.startswith("The hit in T0B3 is not drawn here") and "$PAGER" in note


async def test_a_hit_in_a_tool_call_view_is_seen_or_explained() -> None:
    run = _load(AGENTIC)
    # Each Inspect tool call has a markdown `view` ("```bash\nls\n```") besides its arguments.
    async with _open(run) as (pilot, screen):
        await _search(pilot, "```bash")
        assert "“```bash” 1/2 messages, 2 matches" in _status(screen)
        assert screen.view.current_address == "T0B2"
        _seen_or_explained(pilot, screen, "```bash", "T0B2")


async def test_a_hit_in_message_metadata_is_seen_or_explained() -> None:
    run = _generated(29)  # assistant messages carry {"usage": {"output_tokens": ...}} metadata
    async with _open(run) as (pilot, screen):
        await _search(pilot, "output_t")
        assert "“output_t” 1/4 messages, 4 matches" in _status(screen)
        assert screen.view.current_address == "T0B2"
        _seen_or_explained(pilot, screen, "output_t", "T0B2")


async def test_escape_in_the_search_box_closes_it_without_searching() -> None:
    async with _open(_load(AGENTIC)) as (pilot, screen):
        view = screen.view
        await pilot.press("slash", *"py", "escape")
        await settle(pilot)
        assert not screen.query_one(SearchBar).display and view.has_focus
        assert "py" not in _status(screen)
        assert view.current_address == "T0B0" and not view.is_expanded(0)
        await pilot.press("n")
        assert "Nothing searched yet: press / to search." in _notes(pilot)


# --- jumps ---------------------------------------------------------------------------------------


async def test_error_jumps_on_a_generated_run() -> None:
    run = _generated(13)  # errors at T0B7 and T0B39 of 62 messages
    async with _open(run, SMALL) as (pilot, screen):
        view = screen.view
        await pilot.press("e")
        assert view.current_address == "T0B7"
        assert "✗" in screen_text(pilot.app)
        await pilot.press("e")
        assert view.current_address == "T0B39"
        await pilot.press("e")
        assert "No later errors in this run." in _notes(pilot)
        assert view.current_address == "T0B39"
        await pilot.press("E")
        assert view.current_address == "T0B7"
        await pilot.press("E")
        assert "No earlier errors in this run." in _notes(pilot)
        assert view.current_address == "T0B7"


async def test_error_jumps_reach_the_last_error_of_a_real_run() -> None:
    run = _load("docent/tool_call_error.agent_runs.json")  # 11 tool results, all errors
    async with _open(run) as (pilot, screen):
        view = screen.view
        await pilot.press("right_square_bracket")
        visited = []
        for _ in range(9):
            await pilot.press("e")
            visited.append(view.current_address)
        # The last errors are on the last screen; each still comes to the top in turn.
        assert visited == [f"T0B{block}" for block in range(2, 11)]
        assert "✗ output_limit: " in screen_text(pilot.app)
        await pilot.press("e")
        assert _notes(pilot)[-1] == "No later errors in this run."
        assert view.current_address == "T0B10"
        await pilot.press("E")
        assert view.current_address == "T0B9"
        await pilot.press("c")  # its tool_call_id matches no call in the run
        assert _notes(pilot)[-1] == "No tool call in this message."


async def test_e_from_the_top_of_a_run_that_starts_with_an_error_moves_on() -> None:
    run = _load("docent/tool_call_error.agent_runs.json")  # T0B0 is an error already
    async with _open(run) as (pilot, screen):
        await pilot.press("e")
        first = screen.view.current_address
        await pilot.press("e")
        assert (first, screen.view.current_address) == ("T0B0", "T0B1")


async def test_tool_call_jumps_and_one_function() -> None:
    run = _load(AGENTIC)  # python at B6 B8 B13 B15 B20, submit at B10 B17 B22, bash at B2 B4
    async with _open(run, SMALL) as (pilot, screen):
        view = screen.view
        await pilot.press("r")
        assert _notes(pilot)[-1] == "No reasoning in this run."
        await pilot.press("e")
        assert _notes(pilot) == ["No errors in this run."]  # a new notice replaces the last
        assert view.current_address == "T0B0"
        visited = []
        for key in "ttT":
            await pilot.press(key)
            visited.append(view.current_address)
        assert visited == ["T0B2", "T0B4", "T0B2"]
        await pilot.press("f")
        chooser = pilot.app.screen
        assert isinstance(chooser, ChooseScreen)
        text = screen_text(pilot.app)
        assert "all tool calls" in text and "python  (5)" in text and "bash  (2)" in text
        await pilot.press("j", "j", "enter")  # submit
        assert screen.is_current
        assert "t/T: submit calls" in _status(screen)
        visited = []
        for key in "ttT":
            await pilot.press(key)
            visited.append(view.current_address)
        assert visited == ["T0B10", "T0B17", "T0B10"]
        await pilot.press("T")
        assert "No earlier submit calls in this run." in _notes(pilot)
        await pilot.press("f", "enter")  # all tool calls again
        assert "t/T:" not in _status(screen)
        await pilot.press("t")
        assert view.current_address == "T0B13"


async def test_user_and_reasoning_jumps() -> None:
    run = _generated(13)  # user at B1 B31; reasoning at B6 B8 B14 B20 ...
    async with _open(run, SMALL) as (pilot, screen):
        view = screen.view
        await pilot.press("u")
        assert view.current_address == "T0B1"
        await pilot.press("u")
        assert view.current_address == "T0B31"
        await pilot.press("u")
        assert _notes(pilot)[-1] == "No later user messages in this run."
        await pilot.press("U")
        assert view.current_address == "T0B1"
        visited = []
        for key in "rrrR":
            await pilot.press(key)
            visited.append(view.current_address)
        assert visited == ["T0B6", "T0B8", "T0B14", "T0B8"]
        assert "reasoning" in screen_text(pilot.app)


async def test_outline_and_jumps_across_transcripts_and_groups() -> None:
    run = _generated(31)  # T0 planner and T1 executor in group "solver", then T2 grader
    async with _open(run) as (pilot, screen):
        view = screen.view
        assert "T0 · planner · solver" in screen_text(pilot.app)
        await pilot.press("l")
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "▣ solver" in text and "T1 · executor  8 messages" in text
        await pilot.press("j", "j", "j", "enter")  # T0B0 → T0B1, T0B2, then transcript T1
        await pilot.pause()
        assert view.current_address == "T1B0"
        assert "T1 · executor · solver" in screen_text(pilot.app)
        visited = []
        for key in "uuU":
            await pilot.press(key)
            visited.append(view.current_address)
        assert visited == ["T1B1", "T2B0", "T1B1"]


# --- reading -------------------------------------------------------------------------------------


async def test_space_expands_and_collapses_the_current_message() -> None:
    async with _open(_load(AGENTIC)) as (pilot, screen):
        view = screen.view
        tail = "call the submit() function with the flag"
        assert "more lines (913 characters) not shown · space to expand" in screen_text(pilot.app)
        assert tail not in screen_text(pilot.app)
        await pilot.press("space")
        assert view.is_expanded(0)
        assert "space to expand" not in screen_text(pilot.app)
        assert tail in screen_text(pilot.app)
        await pilot.press("space")
        assert not view.is_expanded(0)
        assert "space to expand" in screen_text(pilot.app)
        await pilot.press("right_square_bracket", "space")  # the short user message
        assert view.current_address == "T0B1" and not view.is_expanded(1)
        assert _notes(pilot) == ["Nothing is hidden in this message."]


async def test_outline_enter_goes_to_a_message_and_escape_stays() -> None:
    async with _open(_load(AGENTIC)) as (pilot, screen):
        view = screen.view
        await pilot.press("l")
        await pilot.pause()
        outline = pilot.app.screen
        assert isinstance(outline, OutlineScreen)
        assert "T0B3 tool  crackme.py" in screen_text(pilot.app)
        await pilot.press("j", "j", "j", "enter")
        await pilot.pause()
        assert screen.is_current
        assert view.current_address == "T0B3"
        assert "tool  T0B3" in screen_text(pilot.app)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("j", "j", "escape")
        assert screen.is_current
        assert view.current_address == "T0B3"
        await pilot.resize_terminal(*SMALL)
        await settle(pilot)
        assert view.current_address == "T0B3"  # a smaller terminal keeps the place
        assert "tool  T0B3" in screen_text(pilot.app)


async def test_metadata_shows_the_scores_and_the_current_message() -> None:
    run = _load(AGENTIC)
    async with _open(run) as (pilot, screen):
        assert "scores includes=0" in screen_text(pilot.app)  # always in the header
        await pilot.press("right_square_bracket", "right_square_bracket", "m")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MetadataScreen)
        text = screen_text(pilot.app)
        assert f"id: {run.id}" in text
        assert '"scores": {' in text and '"includes": 0' in text
        await pilot.press("G")
        await pilot.pause()
        text = screen_text(pilot.app)
        assert "Message T0B2" in text and "role: assistant" in text
        await pilot.press("escape")
        assert screen.is_current
        assert screen.view.current_address == "T0B2"


# --- getting things out --------------------------------------------------------------------------


async def test_copy_message_tool_call_run_id_and_web_url() -> None:
    run = _load(AGENTIC)
    async with _open(run, web_url=WEB_URL) as (pilot, _screen):
        app = pilot.app
        await pilot.press("right_square_bracket", "right_square_bracket", "y")
        assert app.clipboard == message_text(run.transcripts[0].messages[2], "T0B2")
        assert app.clipboard.startswith("<|T0B2; role: assistant|>\n")
        assert "<tool call>\n```bash\nls\n```" in app.clipboard  # the call's view
        assert _notes(pilot)[-1] == f"Copied T0B2 ({len(app.clipboard):,} characters)"
        await pilot.press("c")
        assert app.clipboard == 'bash\n{\n  "cmd": "ls"\n}'
        assert _notes(pilot)[-1].startswith("Copied tool call bash (")
        await pilot.press("right_square_bracket", "y")  # the result: the call it answers
        assert app.clipboard.startswith("<|T0B3; role: tool|>\n")
        await pilot.press("c")
        assert app.clipboard == 'bash\n{\n  "cmd": "ls"\n}'
        await pilot.press("Y")
        assert app.clipboard == run.id
        await pilot.press("w")
        assert app.clipboard == WEB_URL
        assert _notes(pilot)[-1] == f"Copied {WEB_URL}"
        await pilot.press("u", "c")  # a user message has no tool call
        assert _notes(pilot)[-1] == "No tool call in this message."
        assert app.clipboard == WEB_URL


async def test_the_web_url_key_on_a_local_run_says_there_is_none() -> None:
    async with _open(_load(AGENTIC)) as (pilot, _screen):
        assert "web URL" not in screen_text(pilot.app).split("\n")[-1]  # not in the footer
        await pilot.press("w")
        assert pilot.app.clipboard == ""
        assert _notes(pilot) == ["Local runs have no Docent web page."]


def _copying_script(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A program that copies the file it is given to `<name>.got` and writes that file's path
    to `<name>.path`; returns (program, copy)."""
    got = tmp_path / f"{name}.got"
    script = tmp_path / f"{name}.sh"
    given = tmp_path / f"{name}.path"
    script.write_text(f'#!/bin/sh\ncp "$1" "{got}"\nprintf %s "$1" > "{given}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script, got


def _no_suspend(self: App[Any]) -> contextlib.AbstractContextManager[None]:
    return contextlib.nullcontext()


async def test_pager_and_editor_get_the_message_with_controls_made_visible(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, paged = _copying_script(tmp_path, "pager")
    editor, edited = _copying_script(tmp_path, "editor")
    monkeypatch.setenv("PAGER", str(pager))
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setattr(App, "suspend", _no_suspend)
    run = _load("cases/ansi_control_injection.json")
    async with _open(run) as (pilot, screen):
        await pilot.press(*["right_square_bracket"] * 3)
        assert screen.view.current_address == "T0B3"
        await pilot.press("o")
        text = paged.read_text(encoding="utf-8")
        assert text.startswith("<|T0B3; role: tool|>\n[sgr_colors]\n␛[31mred␛[0m")
        assert "\x1b" not in text
        assert not Path((tmp_path / "pager.path").read_text(encoding="utf-8")).exists()
        await pilot.press("O")
        assert edited.read_text(encoding="utf-8") == text
        assert _notes(pilot) == []
        # A failing or missing program is one line, not a crash.
        monkeypatch.setenv("PAGER", "false")
        await pilot.press("o")
        assert _notes(pilot)[-1] == "false exited with status 1"
        monkeypatch.setenv("PAGER", str(tmp_path / "no-such-pager"))
        await pilot.press("o")
        assert _notes(pilot)[-1].startswith(f"Could not run {tmp_path / 'no-such-pager'}: ")
        assert screen.is_current
        # The clipboard gets the same safe text: a paste carries no escape sequences.
        await pilot.press("y")
        assert "␛[31mred␛[0m" in pilot.app.clipboard and "\x1b" not in pilot.app.clipboard


async def test_headless_pager_reports_that_it_cannot_hand_over_the_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pager, paged = _copying_script(tmp_path, "pager")
    monkeypatch.setenv("PAGER", str(pager))
    async with _open(_load(AGENTIC), SMALL) as (pilot, screen):
        await pilot.press("o")
        assert _notes(pilot) == ["This terminal cannot hand the screen to another program."]
        assert not paged.exists()
        assert screen.is_current and pilot.app.is_running


async def test_export_markdown_then_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = _generated(31)  # three transcripts, one transcript group, a name with slashes
    async with _open(run) as (pilot, screen):
        await pilot.press("x")
        assert isinstance(pilot.app.screen, ChooseScreen)
        assert "Export this run as" in screen_text(pilot.app)
        await pilot.press("escape")  # cancelled: nothing written
        assert screen.is_current
        assert sorted(path.name for path in tmp_path.iterdir() if path.is_file()) == []
        markdown = tmp_path / "intercode_ctf-60-epoch-1.md"
        exported = tmp_path / "intercode_ctf-60-epoch-1.json"
        await pilot.press("x", "enter")
        await pilot.pause()
        assert _notes(pilot)[-1] == f"Exported to {markdown}"
        await pilot.press("x", "j", "enter")
        await pilot.pause()
        assert _notes(pilot)[-1] == f"Exported to {exported}"
        assert screen.is_current
    text = markdown.read_text(encoding="utf-8")
    assert text.startswith("# intercode\\_ctf/60/epoch-1\n")
    assert f"- Agent run id: `{run.id}`" in text
    for transcript in ("## T0", "## T1", "## T2"):
        assert transcript in text
    assert "### T2B0 · " in text
    assert AgentRun.from_record(json.loads(exported.read_text(encoding="utf-8"))) == run


# --- untrusted text and small terminals ----------------------------------------------------------


async def test_markup_and_escape_sequences_in_content_stay_literal() -> None:
    record = _generated_record(13)
    record["name"] = "[b]run[/b] [@click=app.quit]x[/]"
    messages = record["transcripts"][0]["messages"]
    assert messages[3]["role"] == "tool"
    messages[3]["content"] = "[red]x[/red] then \x1b[31mred\x1b[0m and [@click=app.quit]quit[/]"
    messages[2]["content"] = "Plain [bold]not bold[/bold] text"
    run = AgentRun.from_record(record)
    async with _open(run) as (pilot, screen):
        await pilot.press("right_square_bracket", "right_square_bracket")
        text = screen_text(pilot.app)
        assert "[b]run[/b] [@click=app.quit]x[/]" in text
        assert "[red]x[/red] then ␛[31mred␛[0m and [@click=app.quit]quit[/]" in text
        assert "Plain [bold]not bold[/bold] text" in text
        assert "\x1b" not in text
        await _search(pilot, "[red]x")
        assert "“[red]x” 1/1 messages, 1 matches" in _status(screen)
        assert screen.is_current and pilot.app.is_running


async def test_everything_fits_and_works_at_80x24_from_the_run_list() -> None:
    app = _docent_app(shared_file(AGENTIC))
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        opened = app.screen
        assert isinstance(opened, TranscriptScreen)
        screen: TranscriptScreen = opened
        run = screen.run
        rows = screen_text(app).split("\n")
        assert len(rows) == 24
        first = next(n for n, row in enumerate(rows) if row.startswith("system  T0B0"))
        assert 2 <= first <= 5  # the transcript starts under a header of a few lines
        assert rows[0].startswith(f" {run.id}")
        assert "scores includes=" in "\n".join(rows[:first])
        assert rows[-2].startswith(f" T0B0 · {run.message_count} messages")  # status
        assert "esc Back" in rows[-1] and "/ Search" in rows[-1]  # footer
        # Letters typed into the search box are text: q does not quit, l and m open nothing.
        await pilot.press("slash", *"qlmxY", "space", "n")
        assert screen.query_one(SearchBar).value == "qlmxY n"
        await pilot.press("escape")
        await settle(pilot)
        assert app.is_running and screen.is_current
        assert screen.view.current_address == "T0B0" and not screen.view.is_expanded(0)
        assert app.clipboard == "" and _notes(pilot) == []
        assert "qlmxY" not in _status(screen)  # escape searched nothing
        await pilot.press("t")
        first_call = screen.view.current_address
        assert first_call is not None and first_call != "T0B0"
        assert f" {first_call} · " in screen_text(app).split("\n")[-2]
        hits = [hit.address for hit in RunSearch(run).find("subm")]
        await _search(pilot, "subm")  # the first hit from the current message on
        place = next(n for n, hit in enumerate(hits) if int(hit[3:]) >= int(first_call[3:]))
        assert f"“subm” {place + 1}/{len(hits)} messages" in _status(screen)
        assert screen.view.current_address == hits[place]
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, OutlineScreen)
        assert f"{hits[place]} assistant  → submit: " in screen_text(app)
        await pilot.press("escape", "escape")
        assert isinstance(app.screen, BrowserScreen)


def _docent_app(*sources: Path) -> DocentApp:
    library = Library()
    for source in sources:
        library.add_local(source)
    return DocentApp(library, load=library.collections, filter_debounce=0.0)


async def test_keys_queued_behind_a_dialogs_answer_never_close_the_screen_beneath() -> None:
    library = Library()
    library.add_generated("demo-c", "demo", "generated", lambda: generate_runs(3))
    app = DocentApp(library, load=library.collections, filter_debounce=0.0)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        transcript = app.screen
        assert isinstance(transcript, TranscriptScreen)
        for key, dialog in (("l", OutlineScreen), ("x", ChooseScreen), ("m", MetadataScreen)):
            await pilot.press(key)
            await settle(pilot)
            shown = app.screen
            assert isinstance(shown, dialog)
            # Four Enters (or Escapes) handled before the dialog is gone: one answer only.
            for _ in range(4):
                shown.dismiss(None)
            await settle(pilot)
            assert app.screen is transcript
            assert isinstance(app.screen_stack[-2], BrowserScreen)
