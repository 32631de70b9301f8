"""Helpers for driving the app headless with Textual's Pilot (tests and the screenshot script)."""

from __future__ import annotations

import contextlib
from typing import Any

from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

# Refreshes in a row with no worker running before the app counts as settled.
_IDLE_REFRESHES = 3
_MAX_REFRESHES = 200


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loading, filtering and paging workers are done and their messages handled.

    A finished worker's message may start another worker, so one idle check is not enough.
    """
    app = pilot.app
    idle = 0
    for _ in range(_MAX_REFRESHES):
        with contextlib.suppress(WorkerCancelled):  # a newer query cancelled an older worker
            await app.workers.wait_for_complete()
        await pilot.pause()
        idle = 0 if any(worker.is_running for worker in app.workers) else idle + 1
        if idle >= _IDLE_REFRESHES:
            return
    raise TimeoutError("the app kept starting workers and never settled")


def screen_text(app: App[Any]) -> str:
    """The visible screen as plain text, one line per terminal row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def send_burst(app: App[Any], *keys: str) -> None:
    """Queue keys all at once, as the terminal driver does when they arrive in one read (one
    SSH packet): no waiting between them, unlike Pilot's `press`. A key is a single character
    or a key name such as `ctrl+u`."""
    assert app._driver is not None
    for key in keys:
        event = events.Key(_character_to_key(key), key) if len(key) == 1 else events.Key(key, None)
        event.set_sender(app)
        app._driver.send_message(event)
