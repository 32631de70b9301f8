"""Command line: `docent-tui [SOURCE ...]` opens the browser; `query` prints DQL results."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docent_tui import __version__
from docent_tui.core.engine import DQLError, DQLResult, LocalEngine
from docent_tui.core.library import CollectionState, Library
from docent_tui.core.remote.connect import RemoteTarget
from docent_tui.core.remote.targets import parse_target
from docent_tui.core.sanitize import neutralize, one_line, strip_sgr

EXIT_OK = 0
EXIT_INVALID_QUERY = 1
EXIT_USAGE = 2
EXIT_SOURCE = 3
# The app (not `query`) stopped on an unexpected error, which Textual has printed.
EXIT_CRASH = 1
EXIT_INTERRUPTED = 130


def retry_backoff(attempt: int) -> float:
    """Seconds before retry `attempt` of a failed read (tests replace it with no wait)."""
    from docent_tui.core.remote.client import default_backoff

    return default_backoff(attempt)


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docent-tui",
        description="Browse Docent agent runs in the terminal: local files or a Docent server.",
        epilog="docent-tui query SOURCE DQL [--json] runs one DQL query and prints the result.",
    )
    parser.add_argument(
        "sources",
        nargs="*",
        metavar="SOURCE",
        help="a Docent AgentRun JSON/JSONL file, an Inspect .eval/.json log, a directory, "
        "a Docent collection id or a Docent dashboard URL",
    )
    parser.add_argument("--where", default="", metavar="CLAUSE", help="start with this filter")
    parser.add_argument("--demo", action="store_true", help="open the built-in demo collection")
    _add_profile(parser)
    parser.add_argument("--version", action="version", version=f"docent-tui {__version__}")
    return parser


def _add_profile(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile", default=None, metavar="NAME", help="the [NAME] section of docent.env to use"
    )


def _query_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docent-tui query", description="Run one DQL query against a collection."
    )
    parser.add_argument(
        "source", metavar="SOURCE", help="a file, a directory, a collection id or a dashboard URL"
    )
    parser.add_argument("dql", metavar="DQL", help="a DQL SELECT statement")
    parser.add_argument("--json", action="store_true", help="print the execute-response object")
    _add_profile(parser)
    return parser


def add_demo(library: Library) -> None:
    from docent_tui.demo import DEMO_COLLECTION_ID, DEMO_RUNS, generate_runs

    library.add_generated(
        DEMO_COLLECTION_ID, "demo", f"built-in demo ({DEMO_RUNS} runs)", generate_runs
    )


class SourceError(Exception):
    """A SOURCE or the Docent settings cannot be used; the message is one line."""


def _confirm_host(host: str, configured: str) -> bool:
    """Ask before sending the API key to a host other than the configured one."""
    if not sys.stdin.isatty():
        return False
    prompt = (
        f"{host} is not your configured Docent host ({configured}). "
        f"Send your Docent API key to {host}? [y/N] "
    )
    try:
        return input(prompt).strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def remote_target(source: str | None, profile: str | None) -> RemoteTarget:
    """The server, collection and run a command-line SOURCE (or no SOURCE) names."""
    from docent_tui.core.remote.config import ConfigError, resolve_settings
    from docent_tui.core.remote.targets import Decision, parse_target, settings_for_target

    try:
        settings = resolve_settings(profile=profile)
    except ConfigError as error:
        raise SourceError(str(error)) from None
    if source is None:
        return RemoteTarget(settings, settings.collection_id)
    for note in settings.notes:
        print(f"docent-tui: {one_line(note, limit=300)}", file=sys.stderr)
    target = parse_target(source)
    if target is None:
        raise SourceError(f"{source}: no such file or directory, nor a Docent URL or collection id")
    try:
        decision = settings_for_target(target, settings)
    except ConfigError as error:
        raise SourceError(str(error)) from None
    confirmation = decision.kind is Decision.NEEDS_CONFIRMATION
    if confirmation and not _confirm_host(target.host or "", settings.frontend_host):
        raise SourceError(
            f"{target.host} is not your configured Docent host ({settings.frontend_host}); "
            "add a profile for it to docent.env and pass --profile NAME"
        )
    return RemoteTarget(decision.settings, target.collection_id, target.run_id)


def run_app(argv: Sequence[str]) -> int:
    args = _app_parser().parse_args(argv)
    local = [source for source in args.sources if Path(source).exists()]
    remote = [source for source in args.sources if not Path(source).exists()]
    if len(remote) > 1:
        print("docent-tui: open one remote collection at a time", file=sys.stderr)
        return EXIT_USAGE
    try:
        target = remote_target(remote[0], args.profile) if remote else None
        if target is None and not args.sources and not args.demo:
            configured = remote_target(None, args.profile)
            target = configured if configured.settings.has_api_key else None
    except SourceError as error:
        print(f"docent-tui: {one_line(str(error), limit=300)}", file=sys.stderr)
        return EXIT_SOURCE
    library = _library()
    if library is None:
        return EXIT_USAGE
    try:
        if args.demo or (not args.sources and target is None):
            add_demo(library)
        for source in local:
            library.add_local(Path(source))

        from docent_tui.tui.app import DocentApp

        app = DocentApp(library, load=library.collections, where=args.where, remote=target)
        app.run()
    finally:
        library.close()
    # Textual has printed what went wrong; scripts see it in the exit code.
    return EXIT_OK if not app.return_code else EXIT_CRASH


def _library() -> Library | None:
    """The library over an on-disk engine, or None (said on stderr) for a bad memory budget."""
    try:
        return Library(LocalEngine.on_disk())
    except ValueError as error:
        print(f"docent-tui: {one_line(str(error), limit=300)}", file=sys.stderr)
        return None


def format_table(result: DQLResult) -> str:
    """Plain aligned columns with control characters neutralised, like the app shows them."""

    def cell(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "true" if value else "false"
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
    if not Path(args.source).exists() and parse_target(args.source) is not None:
        return _run_remote_query(args.source, args.dql, args.profile, args.json)
    library = _library()
    if library is None:
        return EXIT_USAGE
    try:
        return _run_local_query(library, Path(args.source), args.dql, args.json)
    finally:
        library.close()


def _run_local_query(library: Library, source: Path, dql: str, as_json: bool) -> int:
    collection = library.add_local(source)
    library.load(collection)
    if collection.state is CollectionState.FAILED:
        reason = f"{collection.source}: {collection.error or 'could not load'}"
        print(f"docent-tui: {one_line(reason)}", file=sys.stderr)
        return EXIT_SOURCE
    for problem in collection.problems:
        print(f"docent-tui: skipped {one_line(str(problem))}", file=sys.stderr)
    try:
        result = library.engine.execute(collection.id, dql)
    except DQLError as error:
        print(f"docent-tui: {dql_error_text(error.message)}", file=sys.stderr)
        return EXIT_INVALID_QUERY
    _print_result(result, as_json)
    return EXIT_OK


def dql_error_text(message: str) -> str:
    """A DQL error as terminal-safe lines: sqlglot's underline dropped, controls made visible."""
    return neutralize(strip_sgr(message))


def _print_result(result: DQLResult, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result.to_json(), ensure_ascii=True))
    else:
        print(format_table(result))


def _run_remote_query(source: str, dql: str, profile: str | None, as_json: bool) -> int:
    """`docent-tui query` on a Docent server, through the same cache the app uses."""
    from docent_tui.core.backend import BackendStatus
    from docent_tui.core.remote.connect import connect
    from docent_tui.core.remote.errors import NotFound, RemoteError

    try:
        target = remote_target(source, profile)
    except SourceError as error:
        print(f"docent-tui: {one_line(str(error), limit=300)}", file=sys.stderr)
        return EXIT_SOURCE
    if target.collection_id is None:
        print("docent-tui: the URL names no collection", file=sys.stderr)
        return EXIT_USAGE
    collection_id = target.collection_id
    if not target.settings.has_api_key:
        print(
            "docent-tui: no DOCENT_API_KEY found (environment or docent.env); trying without one",
            file=sys.stderr,
        )

    async def execute() -> tuple[DQLResult, str]:
        backend = connect(target.settings, backoff=retry_backoff)
        try:
            result = await backend.execute(collection_id, dql)
            offline = backend.status is BackendStatus.OFFLINE
            return result, backend.status_detail if offline else ""
        finally:
            await backend.aclose()

    try:
        result, note = asyncio.run(execute())
    except DQLError as error:
        print(f"docent-tui: {dql_error_text(error.message)}", file=sys.stderr)
        return EXIT_INVALID_QUERY
    except NotFound as error:
        print(f"docent-tui: {one_line(error.message, limit=300)}", file=sys.stderr)
        return EXIT_INVALID_QUERY
    except RemoteError as error:
        print(f"docent-tui: {one_line(error.message, limit=300)}", file=sys.stderr)
        return EXIT_SOURCE
    if note:
        print(f"docent-tui: {one_line(note, limit=300)}", file=sys.stderr)
    _print_result(result, as_json)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        if arguments[:1] == ["query"]:
            return run_query(arguments[1:])
        return run_app(arguments)
    except SystemExit as exit_:  # argparse reports usage errors this way
        return int(exit_.code) if isinstance(exit_.code, int) else EXIT_USAGE
    except KeyboardInterrupt:  # ctrl+c outside the app (loading, quitting, a query)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    raise SystemExit(main())
