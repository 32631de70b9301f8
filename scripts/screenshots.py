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
from docent_tui.tui.app import DocentApp
from docent_tui.tui.screens.transcript import TranscriptScreen
from docent_tui.tui.widgets.run_table import RunTable

OUT = Path(__file__).resolve().parent.parent / "screenshots"
SIZE = (120, 36)
WHERE = (
    "metadata_json->>'model' ILIKE '%claude%'"
    " AND CAST(metadata_json->'scores'->>'accuracy' AS DOUBLE PRECISION) < 0.5"
)


async def settle(app: DocentApp) -> None:
    """Wait until every worker is done and the screen has repainted."""
    for _ in range(50):
        await app.workers.wait_for_complete()
        await asyncio.sleep(0)
        if not any(worker.is_running for worker in app.workers):
            break
    await app.animator.wait_until_complete()


async def main() -> None:
    os.environ.setdefault("DOCENT_TUI_HOME", tempfile.mkdtemp(prefix="docent-tui-shots-"))
    library = Library()
    add_demo(library)
    app = DocentApp(library, load=library.collections, where=WHERE, filter_debounce=0.0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app)
        await pilot.pause()
        await settle(app)
        OUT.mkdir(exist_ok=True)
        app.save_screenshot("run-list.svg", str(OUT))
        table = app.screen.query_one(RunTable)
        table.focus()
        await pilot.press("enter")
        await settle(app)
        await pilot.pause()
        assert isinstance(app.screen, TranscriptScreen), "the run did not open"
        await pilot.press("pagedown")
        await pilot.pause()
        app.save_screenshot("transcript.svg", str(OUT))
    print(f"wrote {OUT / 'run-list.svg'} and {OUT / 'transcript.svg'}")


if __name__ == "__main__":
    asyncio.run(main())
