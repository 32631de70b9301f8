"""Showing text in the reader's own programs ($PAGER, $EDITOR) while the app is suspended."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported

from docent_tui.core.sanitize import neutralize


def open_in_program(app: App[None], command: list[str], text: str, suffix: str = ".txt") -> str:
    """Write `text` (control characters made visible) to a private temp file and run
    `command file` with the app suspended. Returns one line saying what happened."""
    handle, name = tempfile.mkstemp(prefix="docent-tui-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(neutralize(text))
        try:
            with app.suspend():
                completed = subprocess.run([*command, str(path)], check=False)
        except SuspendNotSupported:
            return "This terminal cannot hand the screen to another program."
        except OSError as error:
            return f"Could not run {command[0]}: {error.strerror or error}"
        if completed.returncode != 0:
            return f"{command[0]} exited with status {completed.returncode}"
        return ""
    finally:
        path.unlink(missing_ok=True)
