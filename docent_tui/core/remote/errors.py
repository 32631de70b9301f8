"""What can go wrong talking to a Docent server, as exceptions the app can explain in one line."""

from __future__ import annotations


class RemoteError(Exception):
    """A failed request; `str(error)` is one line fit to show (server text still untrusted)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class NotAuthorised(RemoteError):
    """401/403: the key is missing, wrong, or may not read this collection."""


class NotFound(RemoteError):
    """404, or a `null` body where an object was asked for."""


class ServerUnavailable(RemoteError):
    """5xx, a timeout or a dropped connection that retries did not get past."""


class BadResponse(RemoteError):
    """An answer that is not what a Docent API sends (HTML from a proxy, wrong JSON shape)."""
