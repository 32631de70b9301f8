"""`docent-tui` and `docent-tui query` on a Docent server: targets, exit codes, the cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docent_tui.cli import SourceError, main, remote_target
from tests.docent_server import REMOTE_COLLECTION_ID, DocentTestServer

COUNT = "SELECT count() AS n FROM agent_runs"


@pytest.fixture
def configured(
    docent_server: DocentTestServer, monkeypatch: pytest.MonkeyPatch
) -> DocentTestServer:
    """Credentials in the environment, as a Docent SDK user has them; retries do not wait."""
    monkeypatch.setattr("docent_tui.cli.retry_backoff", lambda _attempt: 0.0)
    monkeypatch.setenv("DOCENT_API_KEY", docent_server.api_key)
    monkeypatch.setenv("DOCENT_API_URL", docent_server.api_url)
    monkeypatch.setenv("DOCENT_FRONTEND_URL", docent_server.frontend_url)
    return docent_server


def test_query_a_remote_collection_by_id(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].strip() == "n"
    assert "40" in out
    [request] = [r for r in configured.requests if r.path.endswith("/execute")]
    assert request.body == {"dql": COUNT, "source": "endpoint", "surface": "sdk"}
    assert request.authorization == f"Bearer {configured.api_key}"


def test_query_by_dashboard_url_prints_the_execute_response(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"{configured.frontend_url}/dashboard/{REMOTE_COLLECTION_ID}"
    assert main(["query", url, "SELECT id FROM agent_runs LIMIT 3", "--json"]) == 0
    response = json.loads(capsys.readouterr().out)
    assert response["row_count"] == 3
    assert response["truncated"] is True


def test_invalid_remote_dql_exits_1_with_the_servers_message(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", REMOTE_COLLECTION_ID, "DELETE FROM agent_runs"]) == 1
    assert "Only SELECT-style queries are permitted." in capsys.readouterr().err


def test_unknown_remote_collection_exits_1(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "00000000-0000-4000-8000-000000000000", COUNT]) == 1
    assert "not found" in capsys.readouterr().err


def test_wrong_key_exits_3_without_showing_it(
    configured: DocentTestServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCENT_API_KEY", "dk_not_the_key_123")
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 3
    err = capsys.readouterr().err
    assert "DOCENT_API_KEY" in err
    assert "dk_not_the_key_123" not in err
    assert err.count("\n") == 1


def test_a_cached_answer_is_used_when_the_server_is_down(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 0
    capsys.readouterr()
    configured.drop_next(1000)
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 0
    captured = capsys.readouterr()
    assert "40" in captured.out
    assert "offline" in captured.err
    configured.reset()


def test_an_unreachable_server_exits_3(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    configured.drop_next(1000)
    assert main(["query", REMOTE_COLLECTION_ID, "SELECT id FROM agent_runs LIMIT 1"]) == 3
    assert "Could not reach Docent" in capsys.readouterr().err
    configured.reset()


def test_a_url_on_another_host_never_gets_the_key(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://docent.example.com/dashboard/{REMOTE_COLLECTION_ID}"
    assert main(["query", url, COUNT]) == 3
    err = capsys.readouterr().err
    assert "docent.example.com is not your configured Docent host" in err
    assert "--profile" in err
    assert configured.count() == 0


def test_a_profile_for_the_urls_host_is_used(
    docent_server: DocentTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "docent.env").write_text(
        "[default]\nDOCENT_API_KEY=dk_for_the_hosted_server\n\n"
        f"[local]\nDOCENT_API_KEY={docent_server.api_key}\n"
        f"DOCENT_API_URL={docent_server.api_url}\n"
        f"DOCENT_FRONTEND_URL={docent_server.frontend_url}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    url = f"{docent_server.frontend_url}/dashboard/{REMOTE_COLLECTION_ID}"
    assert main(["query", url, COUNT]) == 0
    assert "40" in capsys.readouterr().out
    assert {r.authorization for r in docent_server.requests} == {f"Bearer {docent_server.api_key}"}


def test_no_source_with_credentials_opens_the_server(configured: DocentTestServer) -> None:
    target = remote_target(None, None)
    assert target.settings.api_url == configured.api_url
    assert target.collection_id is None


def test_a_dashboard_run_url_names_the_collection_and_run(configured: DocentTestServer) -> None:
    run_url = f"{configured.frontend_url}/dashboard/{REMOTE_COLLECTION_ID}/agent_run/abc-1"
    target = remote_target(run_url, None)
    assert (target.collection_id, target.run_id) == (REMOTE_COLLECTION_ID, "abc-1")


def test_a_word_that_is_neither_file_nor_collection_is_a_source_error() -> None:
    with pytest.raises(SourceError, match="no such file or directory"):
        remote_target("runs.jsonl", None)


def test_missing_path_exits_3(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["definitely-not-here.eval"]) == 3
    assert "definitely-not-here.eval" in capsys.readouterr().err


def test_an_unknown_profile_exits_3(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "docent.env").write_text("[default]\nDOCENT_API_KEY=x\n", encoding="utf-8")
    config = str(tmp_path / "docent.env")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        assert main(["query", REMOTE_COLLECTION_ID, COUNT, "--profile", "nope"]) == 3
    err = capsys.readouterr().err
    assert "Profile 'nope' not found" in err and config in err


def test_the_default_domain_is_not_the_configured_host_when_urls_are_set(
    configured: DocentTestServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://docent.transluce.org/dashboard/{REMOTE_COLLECTION_ID}"
    assert main(["query", url, COUNT]) == 3
    assert "docent.transluce.org is not your configured Docent host" in capsys.readouterr().err
    assert configured.count() == 0


def test_a_rejected_key_names_the_file_it_came_from(
    docent_server: DocentTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "docent.env"
    config.write_text(
        f"DOCENT_API_KEY=dk_stale_key\nDOCENT_API_URL={docent_server.api_url}\n"
        f"DOCENT_FRONTEND_URL={docent_server.frontend_url}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DOCENT_API_KEY", docent_server.api_key)
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 3
    err = capsys.readouterr().err
    assert f"rejected the API key from {config}" in err
    assert "dk_stale_key" not in err


def test_a_profile_a_plain_file_cannot_honour_is_reported(
    configured: DocentTestServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "docent.env").write_text("DOCENT_COLLECTION_ID=\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["query", REMOTE_COLLECTION_ID, COUNT, "--profile", "staging"]) == 0
    assert "profile 'staging' was ignored" in capsys.readouterr().err


def test_no_key_is_said_before_trying(
    docent_server: DocentTestServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DOCENT_API_URL", docent_server.api_url)
    monkeypatch.setenv("DOCENT_FRONTEND_URL", docent_server.frontend_url)
    assert main(["query", REMOTE_COLLECTION_ID, COUNT]) == 3
    err = capsys.readouterr().err
    assert "no DOCENT_API_KEY found" in err
    assert "Docent needs an API key" in err
