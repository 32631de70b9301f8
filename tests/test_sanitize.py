"""Untrusted text loses every control sequence but keeps what a reader needs."""

from __future__ import annotations

from docent_tui.core.sanitize import neutralize, one_line, strip_sgr


def test_escape_sequences_become_visible_symbols() -> None:
    text = "\x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07 \x1b]8;;http://x\x1b\\link"
    shown = neutralize(text)
    assert "\x1b" not in shown and "\x07" not in shown
    assert shown.startswith("␛[31mred␛[0m")
    assert "␛]52;c;aGk=␇" in shown


def test_c1_bidi_and_nul_are_neutralised() -> None:
    shown = neutralize("a\x00b\x9bc\u202ed\x7f")
    assert shown == "a␀b<U+009B>c<U+202E>d␡"


def test_newlines_and_tabs_survive_carriage_returns_do_not() -> None:
    assert neutralize("a\tb\nc\rd") == "a\tb\nc␍d"


def test_one_line_folds_and_marks_cuts() -> None:
    assert one_line("first\nsecond") == "first ⏎ second"
    assert one_line("abcdef", limit=4) == "abc…"
    assert one_line("abc", limit=4) == "abc"


def test_strip_sgr_removes_sqlglot_underlines() -> None:
    assert strip_sgr("SELEC id \x1b[4mFROM\x1b[0m agent_runs") == "SELEC id FROM agent_runs"
