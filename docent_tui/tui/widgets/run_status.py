"""The status line above the run list: counts, errors, and how long a wait has lasted."""

from __future__ import annotations

import time

from rich.text import Text
from textual.widgets import Static

# Seconds of waiting after which the line starts counting them.
WAIT_NOTICE_S = 2


class RunStatus(Static):
    """One line of plain text; `wait` shows an activity that ticks until the next `show`."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._waiting: tuple[str, float] | None = None

    def on_mount(self) -> None:
        self.set_interval(1.0, self._tick)

    def show(self, text: str, *, error: bool = False) -> None:
        """Replace the line (ending any wait)."""
        self._waiting = None
        self.set_class(error, "-error")
        self.update(Text(text))

    def wait(self, activity: str) -> None:
        """Say what is in progress; after a while, also how many seconds it has taken."""
        self.show(f"{activity}…")
        self._waiting = (activity, time.monotonic())

    def _tick(self) -> None:
        if self._waiting is None:
            return
        activity, since = self._waiting
        seconds = int(time.monotonic() - since)
        if seconds >= WAIT_NOTICE_S:
            self.update(Text(f"{activity}… still waiting, {seconds} s"))
