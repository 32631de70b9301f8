"""Completion for the WHERE box: columns, metadata JSON paths, SQL keywords and common values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from docent_tui.core.dql import TABLES
from docent_tui.core.sanitize import neutralize
from docent_tui.core.schema import DQLSchema, MetadataField

KEYWORDS: tuple[str, ...] = (
    "AND",
    "OR",
    "NOT",
    "ILIKE",
    "LIKE",
    "IN",
    "IS NULL",
    "IS NOT NULL",
    "BETWEEN",
    "EXISTS",
    "CAST",
    "AS",
    "NULL",
    "TRUE",
    "FALSE",
)
MAX_CANDIDATES = 50
VALUE_LIMIT = 20
# Longer values are left out of the menu: nobody compares against them by hand.
MAX_VALUE_CHARS = 200

_JSON_COLUMNS = ("metadata_json", "metadata")
_STRING = r"'(?:[^']|'')*'"
_STEP = rf"\s*->>?\s*{_STRING}"
# A column or metadata path right before a comparison whose string literal is being typed.
_VALUE_TARGET = re.compile(
    rf"(?P<expr>\b(?:metadata_json|metadata)(?:{_STEP})+"
    r"|\b(?:id|name|description|created_at)\b)"
    rf"\s*(?:=|!=|<>|(?:NOT\s+)?I?LIKE|(?:NOT\s+)?IN\s*\((?:\s*{_STRING}\s*,)*)\s*$",
    re.IGNORECASE,
)
# A metadata path being typed: complete steps, then maybe an arrow and part of a key.
_PATH_TAIL = re.compile(
    rf"\b(?P<column>metadata_json|metadata)(?P<steps>(?:{_STEP})*)"
    r"(?P<partial>\s*-(?:>>?)?(?:\s*'(?P<key>(?:[^']|'')*))?)?$",
    re.IGNORECASE,
)
_KEY = re.compile(r"'((?:[^']|'')*)'")
_WORD = re.compile(r"[A-Za-z0-9_.]*$")
_WORD_REST = re.compile(r"[A-Za-z0-9_]*")
_LITERAL_REST = re.compile(r"[^'\s]*'(?!')")


@dataclass(frozen=True)
class Candidate:
    """One completion: `text` replaces the box's characters `start:end`."""

    text: str
    start: int
    end: int
    label: str
    kind: str
    """"column", "path", "keyword" or "value"."""
    detail: str = ""
    """A short note shown after the label: a path's value kind, a value's run count."""

    def apply(self, value: str) -> tuple[str, int]:
        """The box text with this candidate inserted, and the cursor after it."""
        return value[: self.start] + self.text + value[self.end :], self.start + len(self.text)


@dataclass(frozen=True)
class Completion:
    """What the box offers at the cursor.

    With `value_expression`, the cursor is in a string literal compared to that expression:
    its common values (see `value_query`) complete the literal `start:end`, typed so far as
    `value_prefix`.
    """

    candidates: Sequence[Candidate] = ()
    value_expression: str | None = None
    start: int = 0
    end: int = 0
    value_prefix: str = ""


def sql_literal(value: Any) -> str:
    """`value` as a SQL string literal, quotes doubled."""
    return "'" + str(value).replace("'", "''") + "'"


def value_query(expression: str) -> str:
    """DQL for the most common non-null values of `expression` in agent_runs, with counts."""
    return (
        f"SELECT {expression} AS value, count() AS n FROM agent_runs "
        f"WHERE {expression} IS NOT NULL GROUP BY {expression} "
        f"ORDER BY count() DESC LIMIT {VALUE_LIMIT}"
    )


def _open_literal(before: str) -> int | None:
    """Where the string literal open at the end of `before` starts, or None when none is."""
    start: int | None = None
    for index, char in enumerate(before):
        if char == "'":
            start = index if start is None else None
    return start


def complete(text: str, cursor: int, schema: DQLSchema | None) -> Completion:
    """What to offer for the token ending at `cursor` in the box text `text`."""
    cursor = max(0, min(cursor, len(text)))
    before = text[:cursor]
    quote = _open_literal(before)
    path = _PATH_TAIL.search(before)
    if quote is not None:
        target = _VALUE_TARGET.search(before[:quote])
        if target is not None:
            # A closing quote right after the cursor belongs to the literal being replaced.
            rest = _LITERAL_REST.match(text, cursor)
            return Completion(
                value_expression=" ".join(target.group("expr").split()),
                start=quote,
                end=rest.end() if rest is not None else cursor,
                value_prefix=before[quote + 1 :].replace("''", "'"),
            )
        if path is None or path.group("key") is None:
            return Completion()  # inside some other string literal
    fields = schema.metadata_fields if schema is not None else ()
    if path is not None and (path.group("steps") or path.group("partial")):
        return Completion(tuple(_path_candidates(path, fields, cursor, before)))
    word = _WORD.search(before)
    prefix = word.group(0) if word is not None else ""
    if not prefix or prefix[0].isdigit():
        return Completion()
    start = cursor - len(prefix)
    if start > 0 and before[start - 1] == '"':
        return Completion()  # a quoted identifier
    tail = _WORD_REST.match(text, cursor)
    end = tail.end() if tail is not None else cursor
    return Completion(tuple(_word_candidates(prefix, start, end, schema, before)))


def _path_candidates(
    match: re.Match[str], fields: Sequence[MetadataField], cursor: int, before: str
) -> list[Candidate]:
    """Paths extending the typed `metadata_json->'a'->'b` (keys compared exactly, last by
    prefix)."""
    done = tuple(key.replace("''", "'") for key in _KEY.findall(match.group("steps")))
    partial = (match.group("key") or "").replace("''", "'")
    typed = match.group(0)
    found = []
    for item in fields:
        if len(item.path) <= len(done) or item.path[: len(done)] != done:
            continue
        if not item.path[len(done)].startswith(partial):
            continue
        found.append(_path_candidate(item, match.start(), cursor, before))
    found.sort(key=lambda candidate: candidate.label.count("."))
    return [c for c in found if c.text != typed][:MAX_CANDIDATES]


def _path_candidate(item: MetadataField, start: int, end: int, before: str) -> Candidate:
    """A path to insert; a number comes cast, since `->>` gives text and `text < 0.5` is an
    error on a Docent server (unless a CAST( is already typed around it)."""
    text = item.dql()
    if item.kind == "number" and not _CAST_OPEN.search(before[:start]):
        text = f"CAST({text} AS DOUBLE PRECISION)"
    return Candidate(text, start, end, dotted(item.path), "path", item.kind)


_CAST_OPEN = re.compile(r"cast\s*\(\s*$", re.IGNORECASE)


def dotted(path: Sequence[str]) -> str:
    """A path as people say it: scores.reward."""
    return ".".join(path)


def _word_candidates(
    prefix: str, start: int, end: int, schema: DQLSchema | None, before: str
) -> list[Candidate]:
    lower = prefix.lower()
    columns = [
        Candidate(name, start, end, name, "column")
        for name in TABLES["agent_runs"].columns
        if name.startswith(lower) and name != lower
    ]
    keywords = [
        Candidate(word, start, end, word, "keyword")
        for word in KEYWORDS
        if word.lower().startswith(lower) and word.lower() != lower
    ]
    whole: list[Candidate] = []
    part: list[Candidate] = []
    for item in schema.metadata_fields if schema is not None else ():
        name = dotted(item.path).lower()
        if name.startswith(lower):
            whole.append(_path_candidate(item, start, end, before))
        elif any(name[i:].startswith(lower) for i in _segment_starts(name)):
            part.append(_path_candidate(item, start, end, before))
    return (columns + keywords + whole + part)[:MAX_CANDIDATES]


def _segment_starts(name: str) -> Iterable[int]:
    return (index + 1 for index, char in enumerate(name) if char == ".")


def value_candidates(completion: Completion, rows: Iterable[Sequence[Any]]) -> list[Candidate]:
    """Literals for the values in `rows` (value, count) that contain the typed part."""
    typed = completion.value_prefix.strip("%").lower()
    first: list[Candidate] = []
    rest: list[Candidate] = []
    for row in rows:
        if not row or row[0] is None:
            continue
        value = str(row[0])
        if len(value) > MAX_VALUE_CHARS or not value.isprintable() or neutralize(value) != value:
            continue
        lowered = value.lower()
        if typed not in lowered:
            continue
        count = row[1] if len(row) > 1 else None
        detail = _runs(count) if count is not None else ""
        # Spaces at either end would be invisible in the menu: show those values quoted.
        label = value if value and value.strip() == value else sql_literal(value)
        candidate = Candidate(
            sql_literal(value), completion.start, completion.end, label, "value", detail
        )
        (first if lowered.startswith(typed) else rest).append(candidate)
    return first + rest


__all__ = [
    "KEYWORDS",
    "Candidate",
    "Completion",
    "complete",
    "dotted",
    "sql_literal",
    "value_candidates",
    "value_query",
]


def _runs(count: Any) -> str:
    """`21,495 runs`: a value's count as the server or engine gave it (a number, or its text)."""
    try:
        number = int(count)
    except (TypeError, ValueError):
        return f"{count} runs"
    return f"{number:,} run{'s' if number != 1 else ''}"
