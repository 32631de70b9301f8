"""Shared fixtures: the `../shared/data` corpus and an isolated DOCENT_TUI_HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.docent_server import DocentTestServer

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DOCENT_VARIABLES = (
    "DOCENT_API_KEY",
    "DOCENT_API_URL",
    "DOCENT_FRONTEND_URL",
    "DOCENT_DOMAIN",
    "DOCENT_PROFILE",
    "DOCENT_COLLECTION_ID",
)


def shared_file(relative: str) -> Path:
    """Return a file from ../shared/data; skip (or fail under CI) when the corpus is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        reason = f"shared test data not found: {path}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture
def shared_data() -> Path:
    """The ../shared/data folder, resolved from the repository root."""
    return shared_file("")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every state and cache directory at a throwaway folder."""
    home = tmp_path / "docent-tui-home"
    monkeypatch.setenv("DOCENT_TUI_HOME", str(home))
    # No test may find the developer's Docent credentials (env or ~/.docent/docent.env).
    for name in DOCENT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "user-home"))
    return home


@pytest.fixture(scope="session")
def docent_server_session() -> Iterator[DocentTestServer]:
    """One Docent-compatible test server for the session: collection A (40 demo runs) and B."""
    from docent_tui.demo import generate_runs
    from tests.docent_server import (
        REMOTE_COLLECTION_ID,
        REMOTE_COLLECTION_NAME,
        SECOND_COLLECTION_ID,
        SECOND_COLLECTION_NAME,
        DocentTestServer,
    )

    server = DocentTestServer()
    server.add_collection(REMOTE_COLLECTION_ID, REMOTE_COLLECTION_NAME, generate_runs(40))
    server.add_collection(
        SECOND_COLLECTION_ID,
        SECOND_COLLECTION_NAME,
        generate_runs(5, seed=1),
        description="a second, small collection",
    )
    with server:
        yield server


@pytest.fixture
def docent_server(docent_server_session: DocentTestServer) -> Iterator[DocentTestServer]:
    """The session's test server with no faults, no latency and an empty request log."""
    docent_server_session.reset()
    docent_server_session.clear_requests()
    yield docent_server_session
    docent_server_session.reset()
