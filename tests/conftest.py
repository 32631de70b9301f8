"""Shared fixtures: the `../shared/data` corpus and an isolated DOCENT_TUI_HOME."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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
    return home
