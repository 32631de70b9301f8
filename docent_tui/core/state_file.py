"""Small per-collection state files (history, column choices): read leniently, written safely."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docent_tui.core.paths import private_dir


def read_collections(path: Path, max_bytes: int) -> dict[str, list[Any]] | None:
    """The file's `collections` map ({} when there is no file); None when it is unusable.

    Entries that are not lists are dropped; callers clean the lists themselves.
    """
    try:
        if path.stat().st_size > max_bytes:
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("collections"), dict):
        return None
    return {
        key: value
        for key, value in data["collections"].items()
        if isinstance(key, str) and isinstance(value, list)
    }


def write_collections(path: Path, version: int, collections: Mapping[str, Any]) -> None:
    """Replace the file atomically with one readable only by the user (raises OSError)."""
    directory = private_dir(path.parent)
    payload = {"version": version, "collections": dict(collections)}
    data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
    temp = directory / f".{path.stem}-{uuid.uuid4().hex}"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
