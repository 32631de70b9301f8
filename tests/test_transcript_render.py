"""What one message looks like: collapsed by default, expanded on demand, always inert."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.style import Style
from textual.strip import Strip

from docent_tui.core.models import AgentRun
from docent_tui.tui.transcript.blocks import (
    EXPANDED_CHARS,
    EXPANDED_LINES,
    SYNTAX_LIMIT,
    Block,
    block_size,
    reindent_json,
)
from docent_tui.tui.transcript.clip import show_text
from docent_tui.tui.transcript.items import Item, build_items
from docent_tui.tui.transcript.media import find_blob
from docent_tui.tui.transcript.render import Palette, palette_from_variables, render_item
from tests.conftest import shared_file

WIDTH = 100
PALETTE: Palette = palette_from_variables({})
EXPAND = " · space to expand"
PAGER = " · o opens the whole message in $PAGER"


def _console() -> Console:
    return Console(width=WIDTH, color_system="truecolor", force_terminal=True)


def _items(*messages: dict[str, Any]) -> list[Item]:
    record = {"id": "r", "transcripts": [{"id": "t0", "messages": list(messages)}]}
    return build_items(AgentRun.from_record(record))


def _item(message: dict[str, Any]) -> Item:
    return _items(message)[0]


def _strips(
    item: Item, *, expanded: bool = False, search: str | None = None, width: int = WIDTH
) -> list[Strip]:
    pattern = re.compile(search) if search is not None else None
    return render_item(item, width, PALETTE, _console(), expanded=expanded, search=pattern)


def _lines(item: Item, **options: Any) -> list[str]:
    return [strip.text.rstrip() for strip in _strips(item, **options)]


def _body(lines: list[str]) -> list[str]:
    """The lines under the header, without the gutter and the closing blank line."""
    return [line[2:] for line in lines[1:-1]]


def _matched(strips: list[Strip]) -> list[str]:
    """The runs of text drawn in the search-match style, per line."""
    found: list[str] = []
    for strip in strips:
        run = ""
        for segment in strip:
            style = segment.style
            if style is not None and style.bgcolor == PALETTE.match.bgcolor:
                run += segment.text
            elif run:
                found.append(run)
                run = ""
        if run:
            found.append(run)
    return found


def _numbered(count: int, word: str = "line") -> str:
    return "\n".join(f"{word} {n}" for n in range(count))


# --- collapse and expand -------------------------------------------------------------------------


def test_long_tool_output_shows_a_head_and_expands() -> None:
    output = _numbered(100)
    item = _item({"role": "tool", "content": output, "tool_call_id": "c1", "function": "bash"})
    assert item.collapsible
    body = _body(_lines(item))
    assert body[1:16] == [f"line {n}" for n in range(15)]
    hidden = len(output) - len(_numbered(15))
    assert body[16] == f"… 85 more lines ({hidden:,} characters) not shown{EXPAND}"
    assert len(body) == 17
    expanded = _body(_lines(item, expanded=True))
    assert expanded[1:] == [f"line {n}" for n in range(100)]
    assert item.estimate(WIDTH) < item.estimate(WIDTH, expanded=True)


def test_short_tool_output_is_not_collapsible() -> None:
    item = _item({"role": "tool", "content": "total 0\ndone"})
    assert not item.collapsible
    assert _lines(item) == _lines(item, expanded=True)
    assert not any("not shown" in line for line in _lines(item))


def test_one_huge_line_counts_characters() -> None:
    item = _item({"role": "tool", "content": "x" * 50_000})
    notice = _body(_lines(item))[-1]
    assert notice == f"… {50_000 - 1_500:,} more characters not shown{EXPAND}"


def test_tool_arguments_collapse_after_twenty_lines() -> None:
    arguments = {f"key_{n:02}": n for n in range(30)}
    item = _item({"role": "assistant", "content": "", "tool_calls": [_call("c", "f", arguments)]})
    assert item.collapsible
    body = _body(_lines(item))
    assert body[0] == "→ f  c  ⇢ no result"
    assert body[1:21] == ["{", *(f'  "key_{n:02}": {n},' for n in range(19))]
    assert body[21].startswith("… 12 more lines (") and body[21].endswith(EXPAND)
    expanded = _body(_lines(item, expanded=True))
    assert expanded[-1] == "}"
    assert '  "key_29": 29' in expanded


def test_reasoning_collapses_after_ten_lines() -> None:
    reasoning = _numbered(25, "thought")
    item = _item(
        {
            "role": "assistant",
            "content": [
                {"type": "reasoning", "reasoning": reasoning},
                {"type": "text", "text": "ok"},
            ],
        }
    )
    body = _body(_lines(item))
    assert body[0] == "✻ reasoning"
    assert body[1:11] == [f"thought {n}" for n in range(10)]
    assert body[11].startswith("… 15 more lines (") and body[11].endswith(EXPAND)
    assert body[12] == "ok"
    assert "thought 24" in _body(_lines(item, expanded=True))


def test_system_prompt_starts_collapsed() -> None:
    item = _item({"role": "system", "content": _numbered(10, "rule")})
    assert item.collapsible
    body = _body(_lines(item))
    assert body[:3] == ["rule 0", "rule 1", "rule 2"]
    assert body[3].startswith("… 7 more lines (") and body[3].endswith(EXPAND)
    assert _body(_lines(item, expanded=True)) == [f"rule {n}" for n in range(10)]
    assert not _item({"role": "system", "content": "Be brief."}).collapsible


def test_user_text_is_only_cut_by_the_size_guard() -> None:
    short = _item({"role": "user", "content": _numbered(300)})
    assert not short.collapsible
    assert _body(_lines(short))[-1] == "line 299"
    long = _item({"role": "user", "content": _numbered(450)})
    assert long.collapsible
    assert _body(_lines(long))[-1].endswith(f"not shown{EXPAND}")
    assert _body(_lines(long, expanded=True))[-1] == "line 449"


def test_expanded_message_stops_at_the_guard_and_points_to_the_pager() -> None:
    block = _numbered(3_000, "row")
    item = _item({"role": "tool", "content": [{"type": "text", "text": block}] * 8})
    strips = _strips(item, expanded=True)
    assert len(strips) <= EXPANDED_LINES + 3
    # 8 blocks of 3,000 lines under a link line: all but the guard's last line are shown.
    shown = EXPANDED_LINES - 1
    cut = f"│ … {24_000 - shown:,} more lines not shown here{PAGER}"
    assert strips[-2].text.rstrip() == cut
    assert strips[-3].text.rstrip() == f"│ row {shown % 3_000 - 1}"


def test_huge_tool_output_renders_in_both_modes() -> None:
    records = json.loads(Path(shared_file("cases/huge_tool_output.json")).read_text())
    run = AgentRun.from_record(records[0])
    items = build_items(run)
    dump, log = items[3], items[5]
    assert dump.collapsible and log.collapsible
    collapsed = _lines(dump)
    assert len(collapsed) < 40
    assert collapsed[-2].endswith(f"more characters not shown{EXPAND}")
    collapsed_log = _lines(log)
    assert len(collapsed_log) < 40
    assert re.search(r"… [\d,]+ more lines \([\d,]+ characters\) not shown", collapsed_log[-2])

    dump_text = dump.message.text if dump.message else ""
    expanded = _lines(dump, expanded=True)
    # The 1.35 MB line is folded at the width up to the guard (the link line is one of its
    # lines), which says how much it left out: header, link, rows, the cut, a blank line.
    rows = EXPANDED_LINES - 1
    assert rows * (WIDTH - 2) < min(EXPANDED_CHARS, len(dump_text))
    assert len(expanded) == 4 + rows
    assert expanded[2].endswith(dump_text[: WIDTH - 2][-20:])
    hidden = len(dump_text) - rows * (WIDTH - 2)
    assert expanded[-2] == f"│ … {hidden:,} more characters not shown here{PAGER}"
    expanded_log = _lines(log, expanded=True)
    assert len(expanded_log) <= EXPANDED_LINES + 4
    assert expanded_log[-2].endswith(f"not shown here{PAGER}")
    assert "│ 000000 INFO worker[0] processed batch 0 ok" in expanded_log
    for item in (dump, log):
        assert abs(item.estimate(WIDTH, expanded=True) - len(_lines(item, expanded=True))) < 500


# --- Markdown, highlighting, inert content -------------------------------------------------------


def _segments(strips: list[Strip]) -> list[tuple[str, Style | None]]:
    return [(segment.text, segment.style) for strip in strips for segment in strip]


def test_markdown_renders_and_links_stay_plain_text() -> None:
    text = (
        "# Findings\n\n"
        "Some **bold** words\nand a kept line break.\n\n"
        "- first point\n- second point\n\n"
        "```python\ndef answer():\n    return 42\n```\n\n"
        "See [the docs](https://example.com/docs) and ![chart](https://example.com/c.png).\n\n"
        "<b>raw html</b> stays"
    )
    item = _item({"role": "assistant", "content": text})
    strips = _strips(item)
    lines = [strip.text.rstrip() for strip in strips]
    joined = "\n".join(lines)
    assert "# Findings" not in joined and "Findings" in joined
    assert "│ Some bold words" in lines and "│ and a kept line break." in lines
    assert "│  • first point" in lines and "│  • second point" in lines
    assert "```" not in joined and "def answer():" in joined
    assert "the docs (https://example.com/docs)" in joined
    assert "🖼 chart (https://example.com/c.png)" in joined
    assert "<b>raw html</b> stays" in joined
    segments = _segments(strips)
    assert any(text == "bold" and style is not None and style.bold for text, style in segments)
    code = [style for text, style in segments if text.strip() == "def"]
    assert code and all(style is not None and style.color is not None for style in code)
    for text, style in segments:
        assert "\x1b]8" not in text
        assert style is None or style.link is None


def test_markdown_too_deep_or_wide_falls_back_to_plain_text() -> None:
    deep = "> " * 30 + "deep inside"
    lines = _body(_lines(_item({"role": "user", "content": deep})))
    assert lines == [deep]
    nested = "> > quoted twice"
    narrow = _body(_lines(_item({"role": "user", "content": nested}), width=6))
    assert "".join(narrow).replace(" ", "") == ">>quotedtwice"


def test_markup_like_content_is_shown_literally() -> None:
    hostile = "[red]x[/red] and [@click=app.quit]quit[/] and [link=https://a.example]y[/link]"
    for role in ("user", "assistant", "tool", "system"):
        strips = _strips(_item({"role": role, "content": hostile}))
        assert f"│ {hostile}" in [strip.text.rstrip() for strip in strips], role
        for text, style in _segments(strips):
            if style is None:
                continue
            assert style.link is None
            assert "@click" not in json.dumps(style.meta, default=str)
            if "x" in text and "[red]" in text:
                assert style.color is None or style.color.name != "red"


def test_control_bytes_are_neutralised_in_markdown_and_code() -> None:
    text = "Before \x1b[31mred\x1b[0m after\x07\n\n```bash\necho \x1b]0;title\x07 \x9b2J\n```"
    item = _item({"role": "assistant", "content": text})
    strips = _strips(item)
    for segment_text, _ in _segments(strips):
        assert not any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in segment_text)
    joined = "\n".join(strip.text for strip in strips)
    assert "␛[31mred␛[0m after␇" in joined
    assert "echo ␛]0;title␇ <U+009B>2J" in joined


def test_json_arguments_and_results_are_highlighted_when_small() -> None:
    items = _items(
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [_call("c", "search", {"query": "cats", "limit": 5})],
        },
        {"role": "tool", "content": '{"hits":[{"id":1,"score":1.50}],"next":null,"e":[]}'},
        {"role": "tool", "content": json.dumps({"blob": "y" * SYNTAX_LIMIT})},
    )
    arguments = _strips(items[0])
    key_styles = [style for text, style in _segments(arguments) if text == '"query"']
    assert key_styles and all(style is not None and style.color for style in key_styles)
    result = _body([strip.text.rstrip() for strip in _strips(items[1])])
    assert result[1:] == [
        "{",
        '  "hits": [',
        "    {",
        '      "id": 1,',
        '      "score": 1.50',
        "    }",
        "  ],",
        '  "next": null,',
        '  "e": []',
        "}",
    ]
    big = _strips(items[2])
    styles = {style for text, style in _segments(big[2:-1]) if text.startswith('{"blob"')}
    assert styles == {Style()} or styles == {None}


def test_reindent_keeps_every_token() -> None:
    text = '{"a":1e5,"b":[true,{},"x,y:{z}\\"q"],"c":{"d":-0.10}}'
    pretty = reindent_json(text)
    assert json.loads(pretty) == json.loads(text)
    assert "1e5" in pretty and "-0.10" in pretty and '"x,y:{z}\\"q"' in pretty
    assert pretty.splitlines()[0] == "{" and '  "a": 1e5,' in pretty.splitlines()


def test_search_highlights_text_arguments_results_errors_and_reasoning() -> None:
    items = _items(
        {
            "role": "assistant",
            "content": [
                {"type": "reasoning", "reasoning": "maybe the needle is here"},
                {"type": "text", "text": "Looking for the **needle** now"},
            ],
            "tool_calls": [_call("c", "grep", {"pattern": "needle"}), _call("d", "sh", "needle")],
        },
        {
            "role": "tool",
            "content": "found a needle\n" + "hay\n" * 3,
            "tool_call_id": "c",
            "error": {"type": "exit", "message": "needle broke"},
        },
    )
    assistant = _matched(_strips(items[0], search="needle"))
    assert assistant == ["needle"] * 4
    tool = _matched(_strips(items[1], search="needle"))
    assert tool == ["needle"] * 2
    assert _matched(_strips(items[0])) == []


def test_search_highlights_in_collapsed_and_folded_text() -> None:
    long_line = ("hay " * 30_000) + "needle"
    item = _item({"role": "tool", "content": long_line})
    assert _matched(_strips(item, search="needle")) == []
    assert _matched(_strips(item, expanded=True, search="needle")) == ["needle"]


# --- blobs and media ----------------------------------------------------------------------------


def _b64(size: int) -> str:
    return base64.b64encode(bytes(range(256)) * (size // 256)).decode()


def test_base64_blobs_and_data_urls_become_placeholders() -> None:
    blob = _b64(3_072)
    url = "data:image/png;base64," + _b64(1_024)
    text = f"Here is the file:\n{blob}\nand the image {url} done"
    for role in ("user", "tool"):
        item = _item({"role": role, "content": text})
        strips = _strips(item)
        joined = "\n".join(strip.text for strip in strips)
        assert "[base64 data, 3.0 KB]" in joined, role
        assert "[image/png data, 1.0 KB]" in joined, role
        assert blob[:40] not in joined and "iVBOR" not in joined
        assert item.message is not None and blob in item.message.text
    plain = _strips(_item({"role": "tool", "content": text}))
    placeholder = [style for seg, style in _segments(plain) if seg.startswith("[base64 data")]
    assert placeholder == [PALETTE.placeholder]


def test_wrapped_base64_is_one_placeholder_and_short_tokens_stay() -> None:
    blob = _b64(2_048)
    wrapped = "\n".join(blob[index : index + 76] for index in range(0, len(blob), 76))
    found = find_blob(f"pem:\n{wrapped}\nend")
    assert found is not None and found.label == "[base64 data, 2.0 KB]"
    digest = "a3f5" * 16
    assert find_blob(f"sha256 {digest} and token {'Ab1' * 20}") is None
    assert find_blob("x" * 5_000) is None


def test_show_text_folds_blobs_and_counts_what_the_original_hides() -> None:
    blob = _b64(3_072)
    text = f"a\r\n{blob}\nb\x1b\nc\nd"
    shown = show_text(text, max_lines=3, max_chars=100, head_chars=100)
    assert shown.text == "a\n[base64 data, 3.0 KB]\nb␛"
    assert shown.text[shown.placeholders[0][0] : shown.placeholders[0][1]].startswith("[base64")
    assert (shown.hidden_lines, shown.hidden_chars) == (2, len("\nc\nd"))
    assert show_text("plain\ttext").text == "plain\ttext"


def test_media_items_show_type_and_size() -> None:
    png = "data:image/png;base64," + "A" * 16_800
    item = _item(
        {
            "role": "user",
            "content": [{"type": "text", "text": "see"}, {"type": "image", "image": png}],
        }
    )
    joined = "\n".join(_lines(item))
    assert "[image: image/png, 12.3 KB]" in joined
    assert "AAAA" not in joined


# --- tool call links --------------------------------------------------------------------------


def _call(ident: str | None, function: str, arguments: Any) -> dict[str, Any]:
    return {"id": ident, "function": function, "arguments": arguments}


def test_tool_link_lines() -> None:
    items = _items(
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                _call("c1", "bash", {"cmd": "ls -la"}),
                _call("c2", "python", {"code": "print(1)"}),
                _call("c3", "bash", {"cmd": "false"}),
            ],
        },
        {"role": "tool", "content": "a.txt", "tool_call_id": "c1", "function": "bash"},
        {"role": "tool", "content": "1", "tool_call_id": "c2"},
        {"role": "tool", "content": "1 again", "tool_call_id": "c2"},
        {"role": "tool", "content": "lost", "tool_call_id": "elsewhere", "function": "bash"},
    )
    calls = _body(_lines(items[0]))
    assert calls == [
        "→ bash  c1  ⇢ result T0B1",
        "{",
        '  "cmd": "ls -la"',
        "}",
        "→ python  c2  ⇢ results T0B2, T0B3",
        "{",
        '  "code": "print(1)"',
        "}",
        "→ bash  c3  ⇢ no result",
        "{",
        '  "cmd": "false"',
        "}",
    ]
    assert _body(_lines(items[1]))[0] == "↳ answers T0B0 → bash(cmd=ls -la)"
    assert _body(_lines(items[3]))[0] == "↳ answers T0B0 → python(code=print(1))"
    assert _body(_lines(items[4]))[0] == "↳ answers no call in this transcript"
    assert items[1].answers is not None and items[1].answers.index == 0
    assert items[0].results == ((1,), (2, 3), ())


def test_link_lines_are_cut_never_wrapped() -> None:
    items = _items(
        {"role": "assistant", "content": "", "tool_calls": [_call("id" * 30, "f" * 50, {})]},
        {"role": "tool", "content": "ok", "tool_call_id": "id" * 30},
    )
    for item, height in zip(items, (3, 4), strict=True):
        lines = _lines(item, width=30)
        assert len(lines) == height and lines[1].endswith("…"), lines


def test_estimates_stay_close_to_the_rendering() -> None:
    items = _items(
        {"role": "system", "content": _numbered(40)},
        {"role": "user", "content": "Please **look**.\n\n- a\n- b"},
        {"role": "assistant", "content": "", "tool_calls": [_call("c", "bash", {"cmd": "ls"})]},
        {"role": "tool", "content": _numbered(500), "tool_call_id": "c"},
    )
    for item in items:
        for expanded in (False, True):
            actual = len(_strips(item, expanded=expanded))
            assert abs(item.estimate(WIDTH, expanded) - actual) <= 3, (item.address, expanded)


def test_measuring_mirrors_the_parts_drawn() -> None:
    hostile = json.loads(Path(shared_file("cases/markup_injection.json")).read_text())[0]
    records = [hostile, _kitchen_sink_record()]
    for record in records:
        for item in build_items(AgentRun.from_record(record)):
            if item.kind != "message":
                continue
            parts = item.parts()
            blocks = [part for part in parts if isinstance(part, Block)]
            assert item.fixed_lines == 2 + len(parts) - len(blocks), item.address
            assert item.block_sizes == tuple(block_size(block) for block in blocks), item.address


def _kitchen_sink_record() -> dict[str, Any]:
    return {
        "id": "sink",
        "transcripts": [
            {
                "id": "t0",
                "messages": [
                    {"role": "system", "content": "terse"},
                    {
                        "role": "user",
                        "content": [
                            {"type": "text", "text": "look", "refusal": True},
                            {"type": "image", "image": "attachment://1"},
                            {"type": "widget", "payload": {"k": "v"}},
                        ],
                    },
                    {
                        "role": "assistant",
                        "content": [
                            {"type": "reasoning", "reasoning": "hmm"},
                            {"type": "reasoning", "reasoning": "", "redacted": True},
                            {"type": "text", "text": ""},
                        ],
                        "tool_calls": [
                            _call("a", "f", {"x": 1}),
                            _call("b", "g", "raw args"),
                            _call("c", "h", {}),
                            {**_call("d", "i", [1, 2]), "parse_error": "bad json"},
                        ],
                    },
                    {"role": "tool", "content": "", "tool_call_id": "a", "error": "boom"},
                    {"role": "assistant", "content": ""},
                    {"role": "developer", "content": "note"},
                    "not a message",
                ],
            }
        ],
    }
