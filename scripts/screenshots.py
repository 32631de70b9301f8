"""Regenerate screenshots/*.svg from the real app running on the built-in demo.

Usage: python scripts/screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from docent_tui.cli import add_demo
from docent_tui.core.library import Library
from docent_tui.core.models import AgentRun, ToolMessage
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
    print(f"wrote {OUT / 'run-list.svg'} and {OUT / 'transcript.svg'}")


if __name__ == "__main__":
    asyncio.run(main())
