"""Command line: `docent-tui [SOURCE ...]` opens the browser; `query` prints DQL results."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docent_tui import __version__
from docent_tui.core.engine import DQLError, DQLResult
from docent_tui.core.library import CollectionState, Library
from docent_tui.core.sanitize import one_line, strip_sgr

EXIT_OK = 0
EXIT_INVALID_QUERY = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docent-tui",
        description="Browse Docent agent runs from local files in the terminal.",
        epilog="docent-tui query SOURCE DQL [--json] runs one DQL query and prints the result.",
    )
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="a Docent AgentRun JSON/JSONL file, an Inspect .eval/.json log, or a directory",
    )
    parser.add_argument("--where", default="", metavar="CLAUSE", help="start with this filter")
    parser.add_argument("--demo", action="store_true", help="open the built-in demo collection")
    parser.add_argument("--version", action="version", version=f"docent-tui {__version__}")
    return parser


def _query_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docent-tui query", description="Run one DQL query against a local source."
    )
    parser.add_argument("source", metavar="SOURCE", help="a file or a directory")
    parser.add_argument("dql", metavar="DQL", help="a DQL SELECT statement")
    parser.add_argument("--json", action="store_true", help="print the execute-response object")
    return parser


def add_demo(library: Library) -> None:
    from docent_tui.demo import DEMO_COLLECTION_ID, DEMO_RUNS, generate_runs

    library.add_generated(
        DEMO_COLLECTION_ID, "demo", f"built-in demo ({DEMO_RUNS} runs)", generate_runs
    )


def run_app(argv: Sequence[str]) -> int:
    args = _app_parser().parse_args(argv)
    missing = [source for source in args.sources if not Path(source).exists()]
    if missing:
        # TODO: a SOURCE that is not on disk names a remote Docent collection (URL or id).
        for source in missing:
            print(f"docent-tui: {one_line(source)}: no such file or directory", file=sys.stderr)
        return EXIT_SOURCE
    library = Library()
    if args.demo or not args.sources:
        add_demo(library)
    for source in args.sources:
        library.add_local(Path(source))

    from docent_tui.tui.app import DocentApp

    DocentApp(library, load=library.collections, where=args.where).run()
    return EXIT_OK


def format_table(result: DQLResult) -> str:
    """Plain aligned columns with control characters neutralised, like the app shows them."""

    def cell(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, dict | list):
            value = json.dumps(value, ensure_ascii=False)
        return one_line(str(value), limit=80)

    header = [one_line(column, limit=80) for column in result.columns]
    body = [[cell(value) for value in row] for row in result.rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    footer = f"({result.row_count} row{'s' if result.row_count != 1 else ''}"
    if result.truncated:
        footer += f"; truncated at the limit of {result.applied_limit}"
    lines.append(footer + ")")
    return "\n".join(lines)


def run_query(argv: Sequence[str]) -> int:
    args = _query_parser().parse_args(argv)
    library = Library()
    collection = library.add_local(Path(args.source))
    library.load(collection)
    if collection.state is CollectionState.FAILED:
        reason = f"{collection.source}: {collection.error or 'could not load'}"
        print(f"docent-tui: {one_line(reason)}", file=sys.stderr)
        return EXIT_SOURCE
    for problem in collection.problems:
        print(f"docent-tui: skipped {one_line(str(problem))}", file=sys.stderr)
    try:
        result = library.engine.execute(collection.id, args.dql)
    except DQLError as error:
        print(f"docent-tui: {strip_sgr(error.message)}", file=sys.stderr)
        return EXIT_INVALID_QUERY
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=True))
    else:
        print(format_table(result))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments[:1] == ["query"]:
            return run_query(arguments[1:])
        return run_app(arguments)
    except SystemExit as exit_:  # argparse reports usage errors this way
        return int(exit_.code) if isinstance(exit_.code, int) else EXIT_USAGE


if __name__ == "__main__":
    raise SystemExit(main())
