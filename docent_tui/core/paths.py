"""Where docent-tui keeps state and caches; `DOCENT_TUI_HOME` redirects all of it."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "docent-tui"
HOME_VARIABLE = "DOCENT_TUI_HOME"


def _home() -> Path | None:
    value = os.environ.get(HOME_VARIABLE, "").strip()
    return Path(value).expanduser() if value else None


def state_dir() -> Path:
    """Query history, column choices and other things worth keeping across launches."""
    home = _home()
    return home / "state" if home is not None else Path(platformdirs.user_state_dir(APP_NAME))


def cache_dir() -> Path:
    """Data that can be fetched again: the remote cache, local indexes."""
    home = _home()
    return home / "cache" if home is not None else Path(platformdirs.user_cache_dir(APP_NAME))


def private_dir(path: Path) -> Path:
    """Create `path` (and parents) readable only by the user; returns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path
