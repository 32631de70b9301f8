"""Regenerate screenshots/*.svg from the real app: the built-in demo, and a Docent server.

The server is the Docent-compatible test server from tests/ (run from a checkout).

Usage: python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from docent_tui.cli import add_demo
from docent_tui.core.library import Library
from docent_tui.core.models import AgentRun, ToolMessage
from docent_tui.core.remote.config import DocentSettings
from docent_tui.core.remote.connect import RemoteTarget
from docent_tui.demo import generate_runs
from docent_tui.tui.app import DocentApp
from docent_tui.tui.pilot_support import settle
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.transcript import TranscriptView
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import WhereBox

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 36)
WHERE = (
    "metadata_json->>'model' ILIKE '%claude%'"
    " AND CAST(metadata_json->'scores'->>'accuracy' AS DOUBLE PRECISION) < 0.5"
)
ERROR_WHERE = (
    "metadata_json->>'task' ILIKE '%cybench%' AND id IN (SELECT transcripts.agent_run_id"
    ' FROM transcripts WHERE transcripts.messages LIKE \'%"type": "timeout"%\')'
)


def first_tool_error_call(run: AgentRun) -> str:
    """The address of the message just before the first failed tool result."""
    for position, message in enumerate(run.transcripts[0].messages):
        if isinstance(message, ToolMessage) and message.error is not None:
            return f"T0B{max(position - 1, 0)}"
    return "T0B0"


async def main() -> None:
    os.environ.setdefault("DOCENT_TUI_HOME", tempfile.mkdtemp(prefix="docent-tui-shots-"))
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, where=WHERE, filter_debounce=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause()
        await settle(pilot)
        OUT.mkdir(exist_ok=True)
        app.save_screenshot("run-list.svg", str(OUT))
        app.screen.query_one(WhereBox).value = ERROR_WHERE
        app.screen.query_one(RunTable).focus()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TranscriptScreen), "the run did not open"
        view = app.screen.query_one(TranscriptView)
        assert view.scroll_to_address(first_tool_error_call(app.screen.run)), "no tool error"
        await pilot.pause()
        app.save_screenshot("transcript.svg", str(OUT))
    await narrow()
    await remote()
    print(f"wrote {', '.join(str(OUT / name) for name in SHOTS)}")


SHOTS = ("run-list.svg", "transcript.svg", "run-list-80x24.svg", "remote.svg")
NARROW_WHERE = "metadata_json->>'model' ILIKE '%gpt%'"


async def narrow() -> None:
    """An 80x24 terminal: the run list alone, sorted by reward (highest first), which the
    summary charts because the column cursor is on it."""
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, where=NARROW_WHERE, filter_debounce=0.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RunTable)
        keys = [column.key for column in table.columns]
        await pilot.press(*["l"] * keys.index("m:scores.reward"), "s", "s")
        await settle(pilot)
        app.save_screenshot("run-list-80x24.svg", str(OUT))


# A fixed port, so the host shown in the screenshot does not change between runs.
REMOTE_PORT = 48731
REMOTE_WHERE = (
    "metadata_json->>'task' ILIKE '%swe_bench%' AND metadata_json->>'model' ILIKE '%gpt%'"
)


async def remote() -> None:
    """A Docent server's collections next to a local one, the server's runs filtered."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.docent_server import (
        REMOTE_COLLECTION_ID,
        SECOND_COLLECTION_ID,
        DocentTestServer,
    )

    server = DocentTestServer(port=REMOTE_PORT)
    server.add_collection(REMOTE_COLLECTION_ID, "swe-sweep-2026-11", generate_runs(300))
    server.add_collection(SECOND_COLLECTION_ID, "ctf-evals", generate_runs(120, seed=3))
    with server:
        settings = DocentSettings(
            api_key=server.api_key,
            api_url=server.api_url,
            frontend_url=server.frontend_url,
            domain="127.0.0.1",
        )
        library = Library()
        add_demo(library)
        target = RemoteTarget(settings, REMOTE_COLLECTION_ID)
        app = DocentApp(
            library,
            load=library.collections,
            where=REMOTE_WHERE,
            filter_debounce=0.0,
            remote=target,
        )
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.screen.query_one(RunTable).focus()
            await settle(pilot)
            app.save_screenshot("remote.svg", str(OUT))


if __name__ == "__main__":
    asyncio.run(main())
