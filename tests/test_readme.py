"""The README and the key table agree, and the README holds the CI test command."""

from __future__ import annotations

from docent_tui.tui.keys import KEYS
from tests.conftest import REPO_ROOT

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_every_key_context_and_action_is_documented() -> None:
    for key in KEYS:
        assert key.context in README, key
        first_key = key.keys.split(" / ")[0].split(" ")[0]
        assert f"`{first_key}" in README, key


def test_test_command_is_marked_for_ci() -> None:
    assert "<!-- test-command:start -->" in README
    assert "<!-- test-command:end -->" in README
    assert (REPO_ROOT / ".ci" / "run").exists()


def test_stylesheet_ships_with_the_package() -> None:
    from docent_tui.tui.app import stylesheet_path

    assert stylesheet_path().exists()
