"""Run-wide search: what is searched, case-insensitive literal matching, counts that agree with
the highlight pattern, canonical order."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from docent_tui.core.loaders import iter_file_runs
from docent_tui.core.models import AgentRun
from docent_tui.core.search import Hit, RunSearch, display_text, message_search_text
from docent_tui.core.tree import ordered_transcripts
from docent_tui.demo import generate_runs
from tests.conftest import shared_file


def _runs(relative: str) -> list[AgentRun]:
    items = iter_file_runs(shared_file(relative))
    return [AgentRun.from_record(item) for item in items if isinstance(item, dict)]


def _run(*messages: dict[str, Any], metadata: dict[str, Any] | None = None) -> AgentRun:
    transcript = {"id": "t", "messages": list(messages), "metadata": metadata or {}}
    return AgentRun.from_record({"id": "r", "transcripts": [transcript]})


def _pattern_counts(search: RunSearch, run: AgentRun, query: str) -> list[Hit]:
    """What the highlight pattern finds in each message's displayed text."""
    pattern = search.pattern(query)
    assert pattern is not None
    hits = []
    for ordered in ordered_transcripts(run):
        for block, message in enumerate(ordered.transcript.messages):
            count = len(pattern.findall(message_search_text(message)))
            if count:
                hits.append(Hit(ordered.index, block, count))
    return hits


@pytest.mark.parametrize(
    "relative",
    ["docent/agentic_sample.agent_runs.json", "cases/ansi_control_injection.json"],
)
def test_counts_agree_with_the_highlight_pattern_on_real_runs(relative: str) -> None:
    queries = ["bash", "E", "error", "picoCTF{", "import", "[", "\x1b", "␛[", "zzz-not-there"]
    for run in _runs(relative):
        search = RunSearch(run)
        for query in queries:
            hits = search.find(query)
            assert hits == _pattern_counts(search, run, query), (run.id, query)
            assert search.total == sum(hit.count for hit in hits)


def test_generated_runs_find_tool_arguments_reasoning_and_metadata() -> None:
    runs = [AgentRun.from_record(record) for record in itertools.islice(generate_runs(40), 40)]
    found_somewhere = {"cmd": False, "picoctf": False}
    for run in runs:
        search = RunSearch(run)
        for query in found_somewhere:
            hits = search.find(query)
            assert hits == _pattern_counts(search, run, query)
            found_somewhere[query] |= bool(hits)
        positions = [hit.position for hit in search.find("e")]
        assert positions == sorted(positions)
    assert all(found_somewhere.values())


def test_every_searchable_part_of_a_message_is_found() -> None:
    run = _run(
        {"role": "system", "content": "system prompt"},
        {
            "role": "assistant",
            "content": [
                {"type": "reasoning", "reasoning": "hidden-thought"},
                {"type": "text", "text": "visible answer"},
                {"type": "image", "image": "data:image/png;base64," + "QUJD" * 400},
                {"type": "widget", "payload": {"label": "odd-item"}},
            ],
            "tool_calls": [
                {
                    "id": "call-77",
                    "function": "run_query",
                    "arguments": {"sql": "SELECT 1", "limit": 5},
                    "view": {"format": "markdown", "content": "view-only-text"},
                },
                {"id": "call-78", "function": "shell", "arguments": "raw-string-args"},
            ],
        },
        {
            "role": "tool",
            "content": "ok",
            "tool_call_id": "call-77",
            "function": "run_query",
            "error": {"type": "timeout", "message": "deadline-exceeded"},
            "metadata": {"trace": "meta-value"},
        },
    )
    search = RunSearch(run)
    expected = {
        "hidden-thought": [(0, 1)],
        "visible answer": [(0, 1)],
        "odd-item": [(0, 1)],
        "call-77": [(0, 1), (0, 2)],
        "run_query": [(0, 1), (0, 2)],
        '"limit": 5': [(0, 1)],
        "raw-string-args": [(0, 1)],
        "view-only-text": [(0, 1)],
        "deadline-exceeded": [(0, 2)],
        "timeout": [(0, 2)],
        "meta-value": [(0, 2)],
        "SYSTEM PROMPT": [(0, 0)],
        # Base64 image data is shown as a placeholder and never matches.
        "QUJDQUJD": [],
    }
    for query, positions in expected.items():
        assert [hit.position for hit in search.find(query)] == positions, query
    assert search.message_count == 3


def test_matching_is_literal_case_insensitive_and_counted_per_message() -> None:
    run = _run(
        {"role": "user", "content": "a.c abc A.C (x) [y] ERROR error Error"},
        {"role": "user", "content": "nothing here"},
    )
    search = RunSearch(run)
    assert search.find("a.c") == [Hit(0, 0, 2)]
    assert search.find("(x)") == [Hit(0, 0, 1)]
    assert search.find("[y]") == [Hit(0, 0, 1)]
    assert search.find("error") == [Hit(0, 0, 3)]
    assert search.total == 3
    assert search.find("here")[0].address == "T0B1"


def test_blank_queries_find_nothing() -> None:
    search = RunSearch(_run({"role": "user", "content": "   spaced   "}))
    for query in ("", "   ", "\t"):
        assert search.find(query) == []
        assert search.pattern(query) is None
        assert search.total == 0


def test_control_characters_are_searched_as_displayed() -> None:
    run = _run({"role": "tool", "content": "\x1b[31mred\x1b[0m\r\nnext\rline"})
    search = RunSearch(run)
    assert search.find("␛[31mred") == [Hit(0, 0, 1)]
    # The escape character itself is neutralised in the query too.
    assert search.find("\x1b[0m") == [Hit(0, 0, 1)]
    # CRLF is shown as a line break, a lone CR as a visible ␍.
    assert search.find("next␍line") == [Hit(0, 0, 1)]
    pattern = search.pattern("\x1b[31m")
    assert pattern is not None
    assert pattern.findall(display_text("\x1b[31mX")) == ["␛[31m"]


def test_parts_of_a_message_never_match_across_each_other() -> None:
    run = _run(
        {
            "role": "assistant",
            "content": "ends with foo",
            "tool_calls": [{"id": "c", "function": "bar", "arguments": {}}],
        }
    )
    search = RunSearch(run)
    assert search.find("foo") == [Hit(0, 0, 1)]
    assert search.find("foobar") == []
    assert search.find("foo\nbar") == []


def test_unicode_case_folding_counts_match_the_pattern() -> None:
    texts = [
        "plain ascii s and i",
        "long ſ, dotless ı, theta ϴ ϑ θ Θ, ΟΔΟΣ σς, İstanbul, Kelvin K, µ μ Μ, ß ẞ",
        "Cyrillic в ᲀ т ᲄ ᲅ and ASCII STOP",
    ]
    run = _run(*({"role": "user", "content": text} for text in texts))
    search = RunSearch(run)
    queries = ["s", "S", "ſ", "i", "I", "ı", "İ", "θ", "ϴ", "σ", "Σ", "ς", "k", "K", "μ", "ß", "т"]
    queries += ["ᲄ", "st", "STOP", "\u0307", "i\u0307"]
    for query in queries:
        assert search.find(query) == _pattern_counts(search, run, query), query


def test_hits_follow_docents_canonical_transcript_order() -> None:
    def transcript(ident: str, created: str | None, text: str) -> dict[str, Any]:
        return {
            "id": ident,
            "created_at": created,
            "messages": [{"role": "user", "content": text}],
        }

    run = AgentRun.from_record(
        {
            "id": "r",
            "transcripts": [
                transcript("late", "2025-01-03T00:00:00", "needle late"),
                transcript("undated", None, "needle undated"),
                transcript("early", "2025-01-01T00:00:00", "needle early"),
            ],
        }
    )
    hits = RunSearch(run).find("needle")
    assert [hit.position for hit in hits] == [(0, 0), (1, 0), (2, 0)]
    names = [ordered.transcript.id for ordered in ordered_transcripts(run)]
    assert names == ["early", "late", "undated"]


def test_index_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import docent_tui.core.search as search_module

    calls: list[int] = []
    original = search_module.message_search_text

    def counting(message: Any) -> str:
        calls.append(1)
        return original(message)

    monkeypatch.setattr(search_module, "message_search_text", counting)
    run = _run(*({"role": "user", "content": f"message {n}"} for n in range(5)))
    search = RunSearch(run)
    assert calls == []
    for query in ("message", "1", "x"):
        search.find(query)
    assert len(calls) == 5


def test_huge_tool_output_is_searchable() -> None:
    (run,) = _runs("cases/huge_tool_output.json")
    search = RunSearch(run)
    hits = search.find("the dump is")
    assert hits == _pattern_counts(search, run, "the dump is")
    assert hits
