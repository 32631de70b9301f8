"""Stable identities for local collections and for runs that carry no id of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5


def absolute_key(path: Path) -> str:
    """The absolute, symlink-resolved path text that every local identity is derived from."""
    return str(path.resolve())


def collection_id_for(path: Path) -> str:
    """The collection id of a local file or directory: uuid5 of its absolute path."""
    return str(uuid5(NAMESPACE_URL, absolute_key(path)))


def collection_name_for(path: Path) -> str:
    """The collection name of a local source: the path's base name."""
    return path.name or absolute_key(path)


def derived_id(*parts: str) -> str:
    """A uuid5 over `parts` joined with '#', for ids that must survive reloads."""
    return str(uuid5(NAMESPACE_URL, "#".join(parts)))


def given_id(value: Any) -> str | None:
    """The id a file supplies, as text; None when it is missing, empty or not a scalar."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None
