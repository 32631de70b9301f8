"""Time the transcript viewer: open a run to its first screen, then jump to the end.

Prints numbers, asserts nothing. Inputs are fixed: the shared 5,003-message case file and a
generated 10,000-message run. Usage: `python benchmarks/transcript_open.py`.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

from docent_tui.core.models import AgentRun
from docent_tui.tui.transcript import TranscriptView

REPO_ROOT = Path(__file__).resolve().parent.parent
LONG_CASE = REPO_ROOT.parent / "shared" / "data" / "cases" / "long_transcript_5k_messages.json"
SIZE = (120, 40)


class _BenchApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TranscriptView()


def generated_record(messages: int = 10_000) -> dict[str, Any]:
    """A deterministic run: a system prompt, then assistant/tool pairs of varied size."""
    items: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a careful agent.\n" * 20},
        {"role": "user", "content": "Please investigate the repository."},
    ]
    step = 0
    while len(items) < messages:
        content: Any = f"Step {step}: " + "thinking about the next move. " * (step % 7 + 1)
        if step % 5 == 0:
            content = [
                {"type": "reasoning", "reasoning": "Consider the options.\n" * (step % 4 + 1)},
                {"type": "text", "text": content},
            ]
        items.append(
            {
                "role": "assistant",
                "model": "bench-model",
                "content": content,
                "tool_calls": [
                    {
                        "id": f"call_{step}",
                        "function": "bash",
                        "arguments": {"cmd": f"grep -n pattern file_{step}.py", "timeout": 30},
                    }
                ],
            }
        )
        lines = "\n".join(f"{n}: matched line {n} of file_{step}.py" for n in range(step % 60))
        items.append(
            {
                "role": "tool",
                "content": lines,
                "tool_call_id": f"call_{step}",
                "function": "bash",
                "error": {"type": "timeout", "message": "slow"} if step % 97 == 0 else None,
            }
        )
        step += 1
    return {"id": "bench", "transcripts": [{"id": "t0", "messages": items[:messages]}]}


def _paint_visible(view: TranscriptView) -> None:
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)


async def measure(label: str, record: dict[str, Any]) -> None:
    started = time.perf_counter()
    run = AgentRun.from_record(record)
    parsed = time.perf_counter() - started
    async with _BenchApp().run_test(size=SIZE) as pilot:
        view = pilot.app.query_one(TranscriptView)
        view.focus()
        await pilot.pause()
        started = time.perf_counter()
        view.show_run(run)
        _paint_visible(view)
        first_screen = time.perf_counter() - started
        await pilot.pause()
        first_screen_frame = time.perf_counter() - started

        started = time.perf_counter()
        view.action_bottom()
        _paint_visible(view)
        to_end = time.perf_counter() - started
        await pilot.pause()
        to_end_frame = time.perf_counter() - started
        address = view.current_address

        started = time.perf_counter()
        for _ in range(20):
            view.action_page_up()
            _paint_visible(view)
        page_up = (time.perf_counter() - started) / 20

    print(f"{label}: {view.message_count:,} messages")
    print(f"  parse (AgentRun.from_record)       {parsed * 1000:8.1f} ms")
    print(f"  show_run -> first screen painted   {first_screen * 1000:8.1f} ms")
    print(f"    ... including one pilot frame     {first_screen_frame * 1000:8.1f} ms")
    print(f"  jump to end (End/G) painted        {to_end * 1000:8.1f} ms  (top: {address})")
    print(f"    ... including one pilot frame     {to_end_frame * 1000:8.1f} ms")
    print(f"  page up near the end, per page     {page_up * 1000:8.1f} ms")


async def main() -> None:
    if LONG_CASE.exists():
        records = json.loads(LONG_CASE.read_text())
        await measure(LONG_CASE.name, records[0])
    else:
        print(f"skipped: {LONG_CASE} not found")
    await measure("generated", generated_record(10_000))


if __name__ == "__main__":
    asyncio.run(main())
