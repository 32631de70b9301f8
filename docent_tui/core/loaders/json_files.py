"""JSON and JSONL files: Docent AgentRun objects, lists or lines, and Inspect AI `.json` logs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from docent_tui.core.loaders.docent_runs import is_inspect_log, normalise_run, type_name
from docent_tui.core.loaders.ids import absolute_key
from docent_tui.core.loaders.inspect_samples import eval_key, header_metadata, sample_to_run
from docent_tui.core.loaders.problems import DataShapeError, LoadProblem

Item = dict[str, Any] | LoadProblem


class _Source:
    """The file a JSON value came from: its display text and the key stable ids derive from."""

    def __init__(self, path: Path) -> None:
        self.text = str(path)
        self.origin = absolute_key(path)

    def problem(self, reason: str, item: str | None = None) -> LoadProblem:
        return LoadProblem(self.text, reason, item)


def _decode(data: bytes) -> str:
    """UTF-8 text (a BOM is skipped); invalid bytes become U+FFFD rather than failing the file."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-8-sig", errors="replace")


def _content_lines(handle: BinaryIO) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a file with their 1-based numbers, read one at a time."""
    for number, raw in enumerate(handle, start=1):
        line = _decode(raw) if number == 1 else raw.decode("utf-8", errors="replace")
        if line.strip():
            yield number, line


_NOT_JSON = object()


def _parse_line(line: str) -> Any:
    """The JSON value a line holds on its own, or `_NOT_JSON`."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError):
        return _NOT_JSON


def _run(value: Any, where: str, source: _Source) -> Iterator[Item]:
    try:
        run, problems = normalise_run(value, source.origin, where, source.text)
    except DataShapeError as error:
        yield source.problem(str(error), where)
        return
    yield from problems
    yield run


def _inspect_log_runs(log: dict[str, Any], source: _Source) -> Iterator[Item]:
    samples = log.get("samples")
    if samples is None:
        yield source.problem("Inspect log holds no samples (a header-only log)")
        return
    if not isinstance(samples, list):
        yield source.problem(f"Inspect log samples is {type_name(samples)}, expected a list")
        return
    eval_info = log.get("eval")
    eval_id = eval_key(eval_info, source.origin)
    header = header_metadata(eval_info)
    for index, sample in enumerate(samples):
        where = f"sample {index}"
        try:
            run, problems = sample_to_run(sample, eval_id, header, where, source.text)
        except DataShapeError as error:
            yield source.problem(str(error), where)
            continue
        except RecursionError:
            yield source.problem("sample is nested too deeply", where)
            continue
        yield from problems
        yield run


def _document_runs(document: Any, source: _Source) -> Iterator[Item]:
    """Runs of a whole-file JSON document: an Inspect log, one run, or a list of runs."""
    if isinstance(document, list):
        for index, value in enumerate(document):
            yield from _run(value, f"run {index}", source)
    elif isinstance(document, dict) and is_inspect_log(document):
        yield from _inspect_log_runs(document, source)
    elif isinstance(document, dict):
        yield from _run(document, "run 0", source)
    else:
        yield source.problem(
            f"not a Docent agent run or Inspect log: the file holds {type_name(document)}"
        )


def _jsonl_runs(lines: Iterable[tuple[int, str]], source: _Source) -> Iterator[Item]:
    """One run per non-blank line; a bad line is reported and the others still load."""
    for number, line in lines:
        where = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield source.problem(f"invalid JSON at column {error.colno}: {error.msg}", where)
            continue
        except RecursionError:
            yield source.problem("invalid JSON: nested too deeply", where)
            continue
        yield from _line_runs(value, where, source)


def _line_runs(value: Any, where: str, source: _Source) -> Iterator[Item]:
    if isinstance(value, dict) and is_inspect_log(value):
        yield from _inspect_log_runs(value, source)
    else:
        yield from _run(value, where, source)


def iter_json_runs(path: Path, handle: BinaryIO) -> Iterator[Item]:
    """Runs of a JSON or JSONL file read from `handle`; the format is read from the content.

    A `.jsonl` name, or a first line that is a whole JSON value with more lines after it,
    selects JSONL, which is streamed line by line so a large file is never held whole.
    """
    source = _Source(path)
    lines = _content_lines(handle)
    first = next(lines, None)
    if first is None:
        if path.suffix.lower() != ".jsonl":
            yield source.problem("empty file")
        return
    if path.suffix.lower() == ".jsonl":
        yield from _jsonl_runs(itertools.chain([first], lines), source)
        return
    value = _parse_line(first[1])
    if value is not _NOT_JSON:
        second = next(lines, None)
        if second is None:
            yield from _document_runs(value, source)
        else:
            yield from _line_runs(value, f"line {first[0]}", source)
            yield from _jsonl_runs(itertools.chain([second], lines), source)
        return
    handle.seek(0)
    text = _decode(handle.read())
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            yield source.problem(_invalid_json_reason(path, error))
            return
        # Several values, the first spanning lines: read as JSONL, each bad line reported.
        numbered = enumerate(text.split("\n"), start=1)
        yield from _jsonl_runs(((n, line) for n, line in numbered if line.strip()), source)
    except RecursionError:
        yield source.problem("invalid JSON: nested too deeply")
    else:
        del text
        yield from _document_runs(document, source)


def _invalid_json_reason(path: Path, error: json.JSONDecodeError) -> str:
    if path.suffix.lower() == ".eval":
        return "not a zip archive and not JSON (an Inspect .eval log is a zip archive)"
    return f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
