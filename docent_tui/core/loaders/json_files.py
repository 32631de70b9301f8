"""JSON and JSONL files: Docent AgentRun objects, lists or lines, and Inspect AI `.json` logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _first_line_is_json(text: str) -> bool:
    """True when the first non-blank line is a complete JSON value on its own (JSONL)."""
    for line in text.splitlines():
        if line.strip():
            try:
                json.loads(line)
            except (ValueError, RecursionError):
                return False
            return True
    return False


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


def _jsonl_runs(text: str, source: _Source) -> Iterator[Item]:
    """One run per non-blank line; a bad line is reported and the others still load."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield source.problem(f"invalid JSON at column {error.colno}: {error.msg}", where)
            continue
        except RecursionError:
            yield source.problem("invalid JSON: nested too deeply", where)
            continue
        if isinstance(value, dict) and is_inspect_log(value):
            yield from _inspect_log_runs(value, source)
        else:
            yield from _run(value, where, source)


def iter_json_runs(path: Path, data: bytes) -> Iterator[Item]:
    """Runs of a JSON or JSONL file whose bytes are `data`; the format is read from the content.

    A `.jsonl` name, or a document that only parses line by line, selects JSONL.
    """
    source = _Source(path)
    text = _decode(data)
    jsonl_name = path.suffix.lower() == ".jsonl"
    if not text.strip():
        if not jsonl_name:
            yield source.problem("empty file")
        return
    if not jsonl_name:
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            if error.msg != "Extra data" and not _first_line_is_json(text):
                yield source.problem(_invalid_json_reason(path, error))
                return
        except RecursionError:
            yield source.problem("invalid JSON: nested too deeply")
            return
        else:
            yield from _document_runs(document, source)
            return
    yield from _jsonl_runs(text, source)


def _invalid_json_reason(path: Path, error: json.JSONDecodeError) -> str:
    if path.suffix.lower() == ".eval":
        return "not a zip archive and not JSON (an Inspect .eval log is a zip archive)"
    return f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
