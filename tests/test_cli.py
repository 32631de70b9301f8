"""The command line: usage errors, `query` output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from docent_tui.cli import main
from tests.conftest import REPO_ROOT, shared_file


def test_query_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    source = shared_file("inspect/agentic_sample.eval")
    dql = (
        "SELECT metadata_json->>'model' AS model, count() AS runs FROM agent_runs"
        " GROUP BY metadata_json->>'model'"
    )
    assert main(["query", str(source), dql]) == 0
    out = capsys.readouterr().out
    assert "openai/gpt-4o" in out
    assert "15" in out
    assert "(1 row)" in out


def test_query_json_is_the_execute_response(capsys: pytest.CaptureFixture[str]) -> None:
    source = shared_file("docent/popularity_100.agent_runs.json")
    assert main(["query", str(source), "SELECT id FROM agent_runs LIMIT 5", "--json"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert response["columns"] == ["id"]
    assert response["row_count"] == 5
    assert response["truncated"] is True
    assert response["requested_limit"] == 5


def test_invalid_dql_exits_1_with_the_message(capsys: pytest.CaptureFixture[str]) -> None:
    source = shared_file("docent/tool_call_error.agent_runs.json")
    assert main(["query", str(source), "DELETE FROM agent_runs"]) == 1
    assert "Only SELECT-style queries are permitted." in capsys.readouterr().err


def test_unreadable_source_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    source = shared_file("cases/not_a_zip.eval")
    assert main(["query", str(source), "SELECT id FROM agent_runs"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not_a_zip.eval" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "only-one-argument"]) == 2
    assert "usage" in capsys.readouterr().err


def test_a_memory_budget_that_is_not_a_size_exits_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOCENT_TUI_MEMORY", "lots")
    source = tmp_path / "runs.json"
    source.write_text("[]")
    assert main(["query", str(source), "SELECT id FROM agent_runs"]) == 2
    assert main([str(source)]) == 2
    err = capsys.readouterr().err
    assert (
        err.splitlines() == ["docent-tui: DOCENT_TUI_MEMORY='lots' is not a size such as 512MB"] * 2
    )


def test_control_characters_are_neutralised_in_query_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = shared_file("cases/ansi_control_injection.json")
    assert main(["query", str(source), "SELECT name FROM agent_runs"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "␛[5mblink" in out


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "docent_tui", "--help"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    assert result.returncode == 0
    assert "SOURCE" in result.stdout


def test_a_missing_source_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["/nonexistent/runs.eval"]) == 3
    assert "no such file or directory" in capsys.readouterr().err
