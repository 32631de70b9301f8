"""Time the transcript viewer on huge runs: first screen, jumps, search, expansion, memory.

Prints a table, asserts nothing. Inputs are fixed: a generated 10,000-message run of about
50 MB, the shared 5,003-message case and the shared huge-tool-output case.
Usage: `python benchmarks/transcript_open.py`. Targets (issue 5): first screen <= 200 ms once
the run is in memory, a jump to any message <= 50 ms, an open run <= 3x its JSON size.
"""

from __future__ import annotations

import asyncio
import gc
import json
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docent_tui.core.jumps import Jump, jump_targets, next_target
from docent_tui.core.models import AgentRun
from docent_tui.core.search import RunSearch
from docent_tui.tui.transcript import TranscriptView
from docent_tui.tui.transcript.items import build_items

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = REPO_ROOT.parent / "shared" / "data" / "cases"
LONG_CASE = CASES / "long_transcript_5k_messages.json"
HUGE_CASE = CASES / "huge_tool_output.json"
SIZE = (120, 40)
JUMPS = 50


class _BenchApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TranscriptView()


def generated_record(messages: int = 10_000) -> dict[str, Any]:
    """A deterministic run of about 50 MB: a system prompt, then assistant/tool pairs."""
    items: list[dict[str, Any]] = [
        {"role": "system", "content": "You are a careful agent.\n" * 20},
        {"role": "user", "content": "Please investigate the repository."},
    ]
    step = 0
    while len(items) < messages:
        content: Any = f"Step {step}: " + "thinking about the next move. " * (step % 7 + 1)
        if step % 5 == 0:
            content = [
                {"type": "reasoning", "reasoning": "Consider the options.\n" * (step % 40 + 1)},
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
                        "function": "bash" if step % 3 else "python",
                        "arguments": {"cmd": f"grep -n pattern file_{step}.py", "timeout": 30},
                    }
                ],
            }
        )
        lines = "\n".join(
            f"{n:5}: matched line {n} of src/module_{step}/file_{step}.py: value = compute({n})"
            for n in range(step % 230)
        )
        items.append(
            {
                "role": "tool",
                "content": lines,
                "tool_call_id": f"call_{step}",
                "function": "bash" if step % 3 else "python",
                "error": {"type": "timeout", "message": "slow"} if step % 97 == 0 else None,
            }
        )
        step += 1
    return {"id": "bench", "transcripts": [{"id": "t0", "messages": items[:messages]}]}


def _paint_visible(view: TranscriptView) -> None:
    for y in range(view.scrollable_content_region.height):
        view.render_line(y)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f} ms"


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def open_run_memory(text: str) -> int:
    """Bytes held by an open run: parsed model plus the viewer's items (the JSON dict dropped)."""
    gc.collect()
    tracemalloc.start()
    record = json.loads(text)
    run = AgentRun.from_record(record)
    del record
    items = build_items(run)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del run, items
    return held


async def measure(label: str, text: str, rows: list[tuple[str, str]]) -> None:
    size = len(text.encode("utf-8"))
    started = time.perf_counter()
    record = json.loads(text)
    record = record[0] if isinstance(record, list) else record
    run = AgentRun.from_record(record)
    del record
    parsed = time.perf_counter() - started
    memory = open_run_memory(text if not text.startswith("[") else json.dumps(json.loads(text)[0]))
    async with _BenchApp().run_test(size=SIZE) as pilot:
        view = pilot.app.query_one(TranscriptView)
        view.focus()
        await pilot.pause()
        first_screen = _timed(lambda: (view.show_run(run), _paint_visible(view)))
        await pilot.pause()
        messages = [i for i, item in enumerate(view.items) if item.kind == "message"]
        picks = random.Random(7).sample(messages, min(JUMPS, len(messages)))
        jumps = [_timed(lambda i=i: (view.scroll_to_item(i), _paint_visible(view))) for i in picks]
        to_end = _timed(lambda: (view.action_bottom(), _paint_visible(view)))
        view.scroll_to_item(0)
        errors = jump_targets(run, Jump.ERROR)
        error_jump = _timed(
            lambda: (
                view.scroll_to_item(view.item_at(next_target(errors, None, True) or (0, 0)) or 0),
                _paint_visible(view),
            )
        )
        search = RunSearch(run)
        started = time.perf_counter()
        hits = search.find("value = compute(42)")
        first_search = time.perf_counter() - started
        started = time.perf_counter()
        search.find("timeout")
        second_search = time.perf_counter() - started
        view.set_search(search.pattern("value = compute(42)"))
        last_hit = hits[-1] if hits else None
        hit_jump = 0.0
        if last_hit is not None:
            index = view.item_at((last_hit.transcript_index, last_hit.block)) or 0
            hit_jump = _timed(lambda: (view.show_hit(index), _paint_visible(view)))
        biggest = max(messages, key=lambda i: view.items[i].estimate(SIZE[0], True))
        view.scroll_to_item(biggest)
        _paint_visible(view)
        expand = _timed(lambda: (view.toggle_expanded(biggest), _paint_visible(view)))
        page = _timed(lambda: (view.action_page_down(), _paint_visible(view)))
    rows += [
        (f"{label}: {view.message_count:,} messages, {size / 1e6:.1f} MB JSON", ""),
        ("  parse (json + AgentRun.from_record)", _ms(parsed)),
        ("  open run in memory (model + view items)", f"{memory / 1e6:7.1f} MB"),
        ("    ... as a multiple of the JSON size", f"{memory / size:8.2f} x   (target <= 3)"),
        ("  show_run -> first screen painted", _ms(first_screen) + "  (target <= 200)"),
        (f"  jump to a random message, p50 of {len(jumps)}", _ms(statistics.median(jumps))),
        ("  jump to a random message, max", _ms(max(jumps)) + "  (target <= 50)"),
        ("  jump to the end", _ms(to_end)),
        ("  jump to the first error (e)", _ms(error_jump)),
        (f"  first search, builds the index ({len(hits)} messages hit)", _ms(first_search)),
        ("  a second search", _ms(second_search)),
        ("  show the last hit (expanding it if needed)", _ms(hit_jump)),
        ("  expand the biggest message", _ms(expand)),
        ("  page down after expanding", _ms(page)),
    ]


async def main() -> None:
    rows: list[tuple[str, str]] = []
    await measure("generated", json.dumps(generated_record(10_000)), rows)
    for case in (LONG_CASE, HUGE_CASE):
        if case.exists():
            await measure(case.name, case.read_text(encoding="utf-8"), rows)
        else:
            rows.append((f"skipped: {case} not found", ""))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    asyncio.run(main())
