"""Building the cached remote backend from settings, for the app and `docent-tui query` alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from docent_tui.core.remote.cache import DiskCache, MemoryCache
from docent_tui.core.remote.client import DocentClient, default_backoff
from docent_tui.core.remote.config import DocentSettings
from docent_tui.core.remote.remote_backend import RemoteBackend, RemoteEvent


@dataclass(frozen=True)
class RemoteTarget:
    """A Docent server to open, and optionally the collection and run to go to."""

    settings: DocentSettings
    collection_id: str | None = None
    run_id: str | None = None


def connect(
    settings: DocentSettings,
    listener: Callable[[RemoteEvent], None] | None = None,
    *,
    backoff: Callable[[int], float] = default_backoff,
) -> RemoteBackend:
    """The client with its memory and on-disk caches (under the user cache directory)."""
    client = DocentClient(settings, backoff=backoff)
    return RemoteBackend(
        client, settings, memory=MemoryCache(), disk=DiskCache(), listener=listener
    )


Connector = Callable[[DocentSettings, Callable[[RemoteEvent], None] | None], RemoteBackend]
"""How the app builds its remote backend (tests swap in one without retry delays)."""
