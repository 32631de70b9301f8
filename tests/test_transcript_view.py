"""The transcript viewer: what it draws, how it moves, and that untrusted text stays inert."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.strip import Strip

from docent_tui.core.models import AgentRun, UnknownContent
from docent_tui.tui.transcript import TranscriptView
from docent_tui.tui.transcript.clip import MAX_LINES, clip
from docent_tui.tui.transcript.heights import HeightIndex
from docent_tui.tui.transcript.media import describe_media
from docent_tui.tui.transcript.render import ROLES, palette_from_variables
from tests.conftest import shared_file

SIZE = (100, 30)


class ViewerApp(App[None]):
    """Mounts only the viewer."""

    def compose(self) -> ComposeResult:
        yield TranscriptView()


def _load(relative: str) -> AgentRun:
    records = json.loads(Path(shared_file(relative)).read_text())
    return AgentRun.from_record(records[0])


def _visible_strips(view: TranscriptView) -> list[Strip]:
    return [view.render_line(y) for y in range(view.scrollable_content_region.height)]


def _visible(view: TranscriptView) -> list[str]:
    return [strip.text.rstrip() for strip in _visible_strips(view)]


async def _all_strips(pilot: Pilot[None], view: TranscriptView) -> list[Strip]:
    """Every line of the run, page by page from the top (pages overlap by one line)."""
    await pilot.press("g")
    await pilot.pause()
    strips = _visible_strips(view)
    while view.scroll_offset.y < view.max_scroll_y:
        await pilot.press("pagedown")
        await pilot.pause()
        strips.extend(_visible_strips(view))
    return strips


async def _all_lines(pilot: Pilot[None], view: TranscriptView) -> list[str]:
    return [strip.text.rstrip() for strip in await _all_strips(pilot, view)]


async def _show(pilot: Pilot[None], run: AgentRun) -> TranscriptView:
    view = pilot.app.query_one(TranscriptView)
    view.show_run(run)
    view.focus()
    await pilot.pause()
    return view


def _kitchen_sink() -> AgentRun:
    png = "data:image/png;base64," + "A" * 16_800
    return AgentRun.from_record(
        {
            "id": "sink",
            "transcripts": [
                {
                    "id": "t0",
                    "messages": [
                        {"role": "system", "content": "You are terse."},
                        {
                            "role": "user",
                            "content": [
                                {"type": "text", "text": "What is in this picture?"},
                                {"type": "image", "image": png},
                                {"type": "widget", "payload": {"k": "v"}},
                            ],
                        },
                        {
                            "role": "assistant",
                            "model": "gpt-test",
                            "content": [
                                {"type": "reasoning", "reasoning": "Think about the cat."},
                                {"type": "reasoning", "reasoning": "", "redacted": True},
                                {"type": "text", "text": "Let me look it up."},
                            ],
                            "tool_calls": [
                                {
                                    "id": "call_1",
                                    "function": "lookup_animal",
                                    "arguments": {"species": "felis catus"},
                                },
                                {"id": "call_2", "function": "shell", "arguments": "ls -la /tmp"},
                            ],
                        },
                        {
                            "role": "tool",
                            "content": "",
                            "tool_call_id": "call_1",
                            "function": "lookup_animal",
                            "error": {"type": "timeout", "message": "took too long"},
                        },
                        {"role": "tool", "content": "partial", "error": "plain failure"},
                        {"role": "developer", "content": "Developer note."},
                        "not a message at all",
                    ],
                }
            ],
        }
    )


async def test_every_content_kind_is_shown() -> None:
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, _kitchen_sink())
        text = "\n".join(await _all_lines(pilot, view))
    assert view.message_count == 7
    for expected in (
        "system  T0B0",
        "You are terse.",
        "user  T0B1",
        "[image: image/png, 12.3 KB]",
        "[widget content]",
        '"payload"',
        "assistant  T0B2  gpt-test",
        "✻ reasoning",
        "Think about the cat.",
        "✻ reasoning [redacted]",
        "Let me look it up.",
        "→ lookup_animal  call_1",
        '"species": "felis catus"',
        "→ shell  call_2",
        "ls -la /tmp",
        "tool  T0B3  lookup_animal  call_1  ✗ error",
        "✗ timeout: took too long",
        "✗ plain failure",
        "developer  T0B5",
        "Developer note.",
        "unreadable message  T0B6",
        '"not a message at all"',
    ):
        assert expected in text, expected
    assert "AAAAAAAA" not in text


async def test_role_headers_have_distinct_colours() -> None:
    async with ViewerApp().run_test(size=SIZE) as pilot:
        palette = palette_from_variables(pilot.app.theme_variables)
    colours = {palette.role(role).color for role in ROLES}
    assert len(colours) == len(ROLES)


async def test_several_transcripts_show_separators_in_canonical_order() -> None:
    def transcript(ident: str, created: str | None, group: str | None) -> dict[str, Any]:
        return {
            "id": ident,
            "name": f"name-{ident}",
            "created_at": created,
            "transcript_group_id": group,
            "messages": [{"role": "user", "content": f"hello from {ident}"}],
        }

    run = AgentRun.from_record(
        {
            "id": "multi",
            "transcripts": [
                transcript("late", "2025-01-03T00:00:00", None),
                transcript("undated", None, None),
                transcript("grouped", "2025-01-02T00:00:00", "g"),
            ],
            "transcript_groups": [
                {"id": "g", "name": "solver", "created_at": "2025-01-01T00:00:00"}
            ],
        }
    )
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        lines = _visible(view)
    separators = [line.strip() for line in lines if line.strip().startswith("T")]
    assert separators == [
        "T0 · name-grouped · solver",
        "T1 · name-late",
        "T2 · name-undated",
    ]
    assert "user  T1B0" in lines
    assert any("hello from undated" in line for line in lines)


async def test_markup_is_shown_verbatim_and_never_styled() -> None:
    run = _load("cases/markup_injection.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        strips = await _all_strips(pilot, view)
    text = "\n".join(strip.text for strip in strips)
    for message in run.transcripts[0].messages:
        for line in message.text.splitlines():
            assert line in text, line
    assert '"[key]": "[bold]v[/bold]"' in text
    for strip in strips:
        for segment in strip:
            style = segment.style
            if style is None:
                continue
            assert style.link is None
            assert "@click" not in json.dumps(style.meta, default=str)
            if "must NOT render" in segment.text:
                assert not style.bold


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


async def test_ansi_and_control_bytes_never_reach_the_terminal() -> None:
    run = _load("cases/ansi_control_injection.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        strips = await _all_strips(pilot, view)
    for strip in strips:
        for segment in strip:
            assert not any(_is_control(char) for char in segment.text), repr(segment.text)
            assert segment.style is None or segment.style.link is None
    text = "\n".join(strip.text for strip in strips)
    assert "[sgr_colors]" in text
    assert "FORGED: all tests passed" in text
    assert "␛[31mred" in text


async def test_long_transcript_opens_and_end_reaches_the_last_message() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        assert view.message_count == 5003
        assert _visible(view)[0] == "system  T0B0"
        assert view.current_address == "T0B0"
        await pilot.press("G")
        await pilot.pause()
        assert any(line.startswith("assistant  T0B5002") for line in _visible(view))
        assert "│ All tests pass." in _visible(view)
        # G puts the end of the run at the bottom of the view, not past it.
        assert _visible(view)[-2] == "│ All tests pass."
        # Every message, the last one too, can become the current one (scrolled to the top).
        for _ in range(6):
            await pilot.press("right_square_bracket")
        await pilot.pause()
        assert view.current_address == "T0B5002"
        assert _visible(view)[0].startswith("assistant  T0B5002")
        await pilot.press("g")
        await pilot.pause()
        assert view.current_address == "T0B0"
        await pilot.press("end")
        await pilot.pause()
        assert any(line.startswith("assistant  T0B5002") for line in _visible(view))
        await pilot.press("home")
        await pilot.pause()
        assert view.scroll_offset.y == 0


async def test_bracket_keys_move_between_message_starts() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert view.current_address == "T0B1"
        assert _visible(view)[0] == "user  T0B1"
        await pilot.press("right_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert view.current_address == "T0B3"
        await pilot.press("j")
        await pilot.pause()
        assert view.current_address == "T0B3"
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert _visible(view)[0].startswith("tool  T0B3")
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert view.current_address == "T0B2"


async def test_scroll_keys_and_jumps_keep_the_anchor() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        await pilot.press("down", "j")
        await pilot.pause()
        assert view.scroll_offset.y == 2
        await pilot.press("k")
        await pilot.pause()
        assert view.scroll_offset.y == 1
        assert view.scroll_to_address("T0B2501")
        await pilot.pause()
        assert _visible(view)[0].startswith("tool  T0B2501")
        assert not view.scroll_to_address("T9B9")
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert view.current_address == "T0B2501"
        assert _visible(view)[0].startswith("tool  T0B2501")


async def test_huge_tool_output_is_cut_with_a_notice() -> None:
    run = _load("cases/huge_tool_output.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        lines = await _all_lines(pilot, view)
    notices = [line for line in lines if "not shown" in line]
    assert any("characters) not shown" in line for line in notices)
    assert any("more lines" in line for line in notices)
    assert "│ Done. The dump is 1349011 chars on one line." in lines
    assert len(set(lines)) < 2_000


async def test_show_run_replaces_content_and_scrolls_home() -> None:
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, _load("cases/long_transcript_5k_messages.json"))
        await pilot.press("G")
        await pilot.pause()
        view.show_run(_kitchen_sink())
        await pilot.pause()
        assert view.scroll_offset.y == 0
        assert _visible(view)[0] == "system  T0B0"
        assert view.message_count == 7
        view.show_run(AgentRun.from_record({"id": "empty", "transcripts": []}))
        await pilot.pause()
        assert _visible(view)[0] == "This run has no transcripts."
        assert view.current_address is None


async def test_theme_change_rerenders() -> None:
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, _kitchen_sink())
        before = _visible_strips(view)[0]
        pilot.app.theme = "textual-light"
        await pilot.pause()
        after = _visible_strips(view)[0]
    assert before.text == after.text
    assert list(before) != list(after)


def test_clip_keeps_the_head_and_counts_the_rest() -> None:
    text = "\n".join(f"line {n}" for n in range(1000))
    shown = clip(text)
    assert shown.text.count("\n") == MAX_LINES - 1
    assert shown.hidden_lines == 1000 - MAX_LINES
    assert shown.hidden_chars == len(text) - len(shown.text)
    assert shown.notice() == f"… 600 more lines ({shown.hidden_chars:,} characters) not shown"
    one_line = "x" * 2_000_000
    cut = clip(one_line)
    assert len(cut.text) == 20_000
    assert cut.hidden_lines == 1
    assert not clip("short").clipped


def test_height_index_prefix_sums_and_lookup() -> None:
    index = HeightIndex([3, 1, 4, 1, 5])
    assert index.total == 14
    assert [index.start(i) for i in range(5)] == [0, 3, 4, 8, 9]
    assert index.locate(0) == (0, 0)
    assert index.locate(3) == (1, 0)
    assert index.locate(7) == (2, 3)
    assert index.locate(100) == (4, 4)
    index.set(2, 10)
    assert index.total == 20
    assert index.locate(14) == (3, 0)


def test_media_placeholders() -> None:
    def item(raw: dict[str, Any]) -> UnknownContent:
        return UnknownContent(type=str(raw.get("type")), raw=raw)

    assert describe_media(item({"type": "image", "image": "attachment://abc"})) == (
        "[image: attachment://abc]"
    )
    anthropic = {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/jpeg", "data": "QUJD" * 512},
    }
    assert describe_media(item(anthropic)) == "[image: image/jpeg, 1.5 KB]"
    audio = {"type": "input_audio", "input_audio": {"data": "QUJD", "format": "wav"}}
    assert describe_media(item(audio)) == "[audio: audio/wav, 3 B]"
    assert describe_media(item({"type": "widget", "x": 1})) is None


async def test_one_message_never_renders_unbounded_lines() -> None:
    block = "\n".join(f"row {n}" for n in range(399))
    run = AgentRun.from_record(
        {
            "id": "tall",
            "transcripts": [
                {
                    "id": "t0",
                    "messages": [
                        {"role": "user", "content": [{"type": "text", "text": block}] * 10},
                        {"role": "assistant", "content": "after the tall one\r\nsecond line"},
                    ],
                }
            ],
        }
    )
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        await pilot.press("G")
        await pilot.pause()
        lines = _visible(view)
    header = lines.index("assistant  T0B1")
    assert lines[header + 1 : header + 3] == ["│ after the tall one", "│ second line"]
    assert lines[header - 2].startswith("│ … message cut: ")
    assert lines[header - 2].endswith("more lines not shown")
    assert view.virtual_size.height < 2_100


async def test_dragging_the_scrollbar_lands_on_whole_messages() -> None:
    run = _load("cases/long_transcript_5k_messages.json")
    async with ViewerApp().run_test(size=SIZE) as pilot:
        view = await _show(pilot, run)
        view.scroll_to(y=view.max_scroll_y // 2, animate=False)
        await pilot.pause()
        middle = view.current_address
        lines = _visible(view)
        assert middle is not None and middle != "T0B0"
        assert sum(line.startswith(("assistant  T0B", "tool  T0B")) for line in lines) >= 1
        await pilot.press("pageup")
        await pilot.pause()
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.current_address == middle


class EarlyApp(App[None]):
    """Calls show_run before the viewer is mounted."""

    def compose(self) -> ComposeResult:
        view = TranscriptView()
        view.show_run(_kitchen_sink())
        yield view


async def test_show_run_before_mount() -> None:
    async with EarlyApp().run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = pilot.app.query_one(TranscriptView)
        assert _visible(view)[0] == "system  T0B0"
        assert view.virtual_size.height > 30
