"""Local sources: a file or a directory of log files, and the runs read from them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docent_tui.core.loaders.eval_archive import ZIP_MAGIC, iter_eval_runs
from docent_tui.core.loaders.json_files import Item, iter_json_runs
from docent_tui.core.loaders.problems import LoadProblem

SUPPORTED_SUFFIXES = (".eval", ".json", ".jsonl")


@dataclass
class SourceScan:
    """The files of a local source: supported ones in load order, and the ones left out.

    `problems` holds directories that could not be listed (they are skipped, not fatal).
    """

    root: Path
    files: list[Path]
    ignored: list[Path]
    problems: list[LoadProblem] = field(default_factory=list)


def scan_source(path: Path) -> SourceScan:
    """A file gives itself (whatever its extension); a directory gives its .eval/.json/.jsonl
    files recursively, sorted by relative path, with every other file listed as ignored."""
    if not path.is_dir():
        return SourceScan(root=path, files=[path], ignored=[])
    files: list[Path] = []
    ignored: list[Path] = []
    problems: list[LoadProblem] = []

    def unlistable(error: OSError) -> None:
        where = error.filename if isinstance(error.filename, str) else str(path)
        problems.append(LoadProblem(where, f"cannot list directory: {error.strerror or error}"))

    for folder, subfolders, names in os.walk(path, onerror=unlistable):
        subfolders.sort()
        for name in names:
            candidate = Path(folder) / name
            if candidate.suffix.lower() in SUPPORTED_SUFFIXES:
                files.append(candidate)
            else:
                ignored.append(candidate)
    files.sort(key=lambda file: file.relative_to(path).parts)
    ignored.sort(key=lambda file: file.relative_to(path).parts)
    return SourceScan(root=path, files=files, ignored=ignored, problems=problems)


def iter_file_runs(path: Path) -> Iterator[Item]:
    """Runs of one file, the format detected from its content (zip magic: Inspect .eval).

    A file that cannot be read at all yields exactly one LoadProblem; nothing is raised for
    bad data.
    """
    try:
        handle = path.open("rb")
    except OSError as error:
        yield LoadProblem(str(path), f"cannot read file: {error.strerror or error}")
        return
    with handle:
        try:
            is_zip = handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
            handle.seek(0)
        except OSError as error:
            yield LoadProblem(str(path), f"cannot read file: {error.strerror or error}")
            return
        if is_zip:
            yield from iter_eval_runs(path)
        else:
            yield from _readable(path, iter_json_runs(path, handle))


def _readable(path: Path, items: Iterator[Item]) -> Iterator[Item]:
    """`items`, ending with one LoadProblem if reading the file fails part way."""
    try:
        yield from items
    except OSError as error:
        yield LoadProblem(str(path), f"cannot read file: {error.strerror or error}")


def iter_source_runs(path: Path) -> Iterator[dict[str, Any] | LoadProblem]:
    """Runs of every file of `scan_source(path)` in order, after any directory problems."""
    return iter_scan_runs(scan_source(path))


def iter_scan_runs(scan: SourceScan) -> Iterator[dict[str, Any] | LoadProblem]:
    """Runs of every file of a scan in order, after any directory problems."""
    yield from scan.problems
    for file in scan.files:
        yield from iter_file_runs(file)
