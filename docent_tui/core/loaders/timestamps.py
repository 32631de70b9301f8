"""Timestamps as the run table stores them: ISO-8601 text in UTC without a zone suffix."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_timestamp(value: Any) -> datetime | None:
    """Parse ISO-8601 text into a naive UTC datetime; None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return parsed


def iso_timestamp(value: Any) -> str | None:
    """Normalise a timestamp to zone-less UTC ISO text; None when it is absent or unreadable."""
    parsed = parse_timestamp(value)
    return parsed.isoformat() if parsed is not None else None
