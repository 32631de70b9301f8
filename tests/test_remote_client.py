"""DocentClient: every operation against the test server, error mapping, retries, key hygiene."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from docent_tui.core.dql import DQLError
from docent_tui.core.remote.client import (
    DEFAULT_TIMEOUT,
    DocentClient,
    cache_origin,
    default_backoff,
    host_of,
)
from docent_tui.core.remote.errors import (
    BadResponse,
    NotAuthorised,
    NotFound,
    RemoteError,
    ServerUnavailable,
)
from tests.docent_server import (
    REMOTE_COLLECTION_ID,
    SECOND_COLLECTION_ID,
    DocentTestServer,
)

MISSING_ID = "00000000-0000-4000-8000-000000000000"
SECRET = "dk_secret_9f8e7d6c5b4a3f2e1d0c"
MOCK_API = "https://api.docent.example/rest"


@dataclass(frozen=True)
class Settings:
    api_key: str | None
    api_url: str
    frontend_url: str = "https://docent.example"


class Sleeps:
    """An injected `sleep` that records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def server_settings(server: DocentTestServer, key: str | None = None) -> Settings:
    return Settings(server.api_key if key is None else key, server.api_url, server.frontend_url)


def mock_client(
    handler: Callable[[httpx.Request], httpx.Response],
    *,
    key: str | None = SECRET,
    retries: int = 3,
    sleeps: Sleeps | None = None,
) -> DocentClient:
    return DocentClient(
        Settings(key, MOCK_API),
        retries=retries,
        sleep=sleeps if sleeps is not None else Sleeps(),
        transport=httpx.MockTransport(handler),
    )


def null_response() -> httpx.Response:
    return httpx.Response(200, content=b"null", headers={"content-type": "application/json"})


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def client(docent_server: DocentTestServer, sleeps: Sleeps) -> AsyncIterator[DocentClient]:
    async with DocentClient(server_settings(docent_server), sleep=sleeps) as c:
        yield c


async def first_run_id(client: DocentClient) -> str:
    answer = await client.execute_dql(REMOTE_COLLECTION_ID, "SELECT id FROM agent_runs LIMIT 1")
    return str(answer["rows"][0][0])


# ---------------------------------------------------------------------- operations


async def test_check_key_accepts_the_servers_key(
    client: DocentClient, docent_server: DocentTestServer
) -> None:
    await client.check_key()
    (request,) = docent_server.requests
    assert (request.method, request.path) == ("GET", "/rest/api-keys/test")
    assert request.authorization == f"Bearer {docent_server.api_key}"


async def test_list_collections_asks_for_counts(
    client: DocentClient, docent_server: DocentTestServer
) -> None:
    rows = await client.list_collections()
    by_id = {row["id"]: row for row in rows}
    assert set(by_id) == {REMOTE_COLLECTION_ID, SECOND_COLLECTION_ID}
    assert by_id[REMOTE_COLLECTION_ID]["agent_run_count"] == 40
    assert docent_server.requests[0].query == {"include_counts": ["true"]}


async def test_get_collection_and_missing_collection(client: DocentClient) -> None:
    row = await client.get_collection(SECOND_COLLECTION_ID)
    assert row["id"] == SECOND_COLLECTION_ID
    assert row["agent_run_count"] == 5
    with pytest.raises(NotFound, match="not found"):
        await client.get_collection(MISSING_ID)


async def test_get_collection_null_body_is_not_found() -> None:
    client = mock_client(lambda request: null_response())
    with pytest.raises(NotFound):
        await client.get_collection("c1")
    await client.aclose()


async def test_execute_dql_returns_the_answer(client: DocentClient) -> None:
    answer = await client.execute_dql(REMOTE_COLLECTION_ID, "SELECT count(1) AS n FROM agent_runs")
    assert answer["columns"] == ["n"]
    assert answer["rows"] == [[40]]


async def test_execute_dql_error_carries_the_position(client: DocentClient) -> None:
    dql = "SELEC id FROM agent_runs"
    with pytest.raises(DQLError) as caught:
        await client.execute_dql(REMOTE_COLLECTION_ID, dql)
    assert "Line 1, Col: 13" in caught.value.message
    assert caught.value.position == dql.index("FROM")


async def test_execute_dql_error_on_a_later_line(client: DocentClient) -> None:
    dql = "SELECT id\nFROM agent_runs WHERE ("
    with pytest.raises(DQLError) as caught:
        await client.execute_dql(REMOTE_COLLECTION_ID, dql)
    assert caught.value.position == dql.index("(")


async def test_execute_dql_validation_error_has_no_position(client: DocentClient) -> None:
    with pytest.raises(DQLError, match="Star") as caught:
        await client.execute_dql(REMOTE_COLLECTION_ID, "SELECT * FROM agent_runs")
    assert caught.value.position is None


async def test_execute_dql_refuses_an_empty_query(
    client: DocentClient, docent_server: DocentTestServer
) -> None:
    with pytest.raises(DQLError):
        await client.execute_dql(REMOTE_COLLECTION_ID, "   ")
    with pytest.raises(ValueError, match="max_rows"):
        await client.execute_dql(REMOTE_COLLECTION_ID, "SELECT id FROM agent_runs", max_rows=0)
    assert docent_server.count() == 0


async def test_schema_and_metadata_fields(client: DocentClient) -> None:
    schema = await client.get_dql_schema(REMOTE_COLLECTION_ID)
    assert "agent_runs" in {table["name"] for table in schema["tables"]}
    fields = await client.get_metadata_fields(REMOTE_COLLECTION_ID)
    names = [field["name"] for field in fields["fields"]]
    assert names and all(name.startswith("metadata.") for name in names)


async def test_get_agent_run_and_missing_run(client: DocentClient) -> None:
    run_id = await first_run_id(client)
    run = await client.get_agent_run(REMOTE_COLLECTION_ID, run_id)
    assert run is not None and run["id"] == run_id
    assert run["transcripts"]
    assert await client.get_agent_run(REMOTE_COLLECTION_ID, MISSING_ID) is None


async def test_fetch_agent_run_keeps_the_body_and_parses_in_a_thread(
    client: DocentClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_id = await first_run_id(client)
    threaded: list[Any] = []
    original = asyncio.to_thread

    async def recording_to_thread(function: Any, *args: Any) -> Any:
        threaded.append(function)
        return await original(function, *args)

    monkeypatch.setattr(asyncio, "to_thread", recording_to_thread)
    fetched = await client.fetch_agent_run(REMOTE_COLLECTION_ID, run_id)
    assert fetched is not None
    assert json.loads(fetched.body) == fetched.run
    assert threaded == [json.loads]


async def test_ids_are_escaped_in_paths() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return null_response()

    client = mock_client(handler)
    assert await client.get_agent_run("a/b?c", "x&y=z") is None
    await client.aclose()
    (request,) = seen
    assert request.url.raw_path == b"/rest/a%2Fb%3Fc/agent_run?agent_run_id=x%26y%3Dz"
    assert request.url.params["agent_run_id"] == "x&y=z"


async def test_no_authorization_header_without_a_key() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    client = mock_client(handler, key=None)
    assert await client.list_collections() == []
    await client.aclose()
    assert "authorization" not in seen[0].headers


def test_defaults_suit_large_runs() -> None:
    client = DocentClient(Settings(SECRET, MOCK_API))
    assert client._http.timeout == DEFAULT_TIMEOUT
    assert DEFAULT_TIMEOUT.read == 60.0 and DEFAULT_TIMEOUT.connect == 10.0, "not httpx's 5 s"
    assert [default_backoff(n) for n in range(3)] == [0.5, 1.0, 2.0]
    assert SECRET not in repr(client)


# ---------------------------------------------------------------------- errors


async def test_wrong_key_is_not_authorised_with_the_fix(docent_server: DocentTestServer) -> None:
    async with DocentClient(server_settings(docent_server, key=SECRET)) as client:
        with pytest.raises(NotAuthorised) as caught:
            await client.check_key()
    assert caught.value.status == 401
    assert "rejected the API key (HTTP 401" in caught.value.message
    assert "DOCENT_API_KEY" in caught.value.message
    assert SECRET not in str(caught.value)


async def test_missing_key_says_a_key_is_needed(docent_server: DocentTestServer) -> None:
    async with DocentClient(server_settings(docent_server, key="")) as client:
        with pytest.raises(NotAuthorised, match="needs an API key"):
            await client.list_collections()


async def test_forbidden_collection_is_not_authorised(
    client: DocentClient, docent_server: DocentTestServer
) -> None:
    docent_server.forbid(SECOND_COLLECTION_ID)
    with pytest.raises(NotAuthorised) as caught:
        await client.execute_dql(SECOND_COLLECTION_ID, "SELECT id FROM agent_runs")
    assert caught.value.status == 403
    assert "no permission to read it" in caught.value.message
    assert "\n" not in caught.value.message


async def test_422_detail_list_is_one_line() -> None:
    detail = [{"type": "missing", "loc": ["query", "agent_run_id"], "msg": "Field required"}]
    client = mock_client(lambda request: httpx.Response(422, json={"detail": detail}))
    with pytest.raises(RemoteError) as caught:
        await client.get_agent_run("c1", "r1")
    await client.aclose()
    assert type(caught.value) is RemoteError
    assert caught.value.message == "HTTP 422: query.agent_run_id: Field required"


async def test_4xx_is_never_retried(
    client: DocentClient, docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.fail_next(1, status=409)
    with pytest.raises(RemoteError, match="HTTP 409"):
        await client.list_collections()
    assert docent_server.count() == 1
    assert sleeps.delays == []


async def test_5xx_is_retried_then_succeeds(
    client: DocentClient, docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.fail_next(2, status=503)
    rows = await client.list_collections()
    assert len(rows) == 2
    assert docent_server.count() == 3
    assert sleeps.delays == [0.5, 1.0]


async def test_503_past_the_retries_is_server_unavailable(
    client: DocentClient, docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.fail_next(4, status=503)
    with pytest.raises(ServerUnavailable) as caught:
        await client.get_dql_schema(REMOTE_COLLECTION_ID)
    host = f"127.0.0.1:{docent_server.port}"
    assert caught.value.message.startswith(f"Could not reach Docent at {host}: HTTP 503")
    assert "(after 4 attempts)" in caught.value.message
    assert caught.value.status == 503
    assert docent_server.count() == 4
    assert sleeps.delays == [0.5, 1.0, 2.0]


async def test_a_500_is_the_servers_failure_not_an_outage(
    client: DocentClient, docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.fail_next(4, status=500)
    with pytest.raises(RemoteError) as caught:
        await client.get_dql_schema(REMOTE_COLLECTION_ID)
    assert not isinstance(caught.value, ServerUnavailable)
    assert "failed on this request: HTTP 500" in caught.value.message
    assert docent_server.count() == 1, "the server answered: asking again would not help"
    assert sleeps.delays == []


async def test_html_502_from_a_proxy_is_retried_and_explained(
    docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.html_next(2)
    settings = server_settings(docent_server)
    async with DocentClient(settings, retries=1, sleep=sleeps) as client:
        with pytest.raises(ServerUnavailable, match=r"Non-API response \(HTML\)"):
            await client.list_collections()
    assert sleeps.delays == [0.5]


@pytest.mark.parametrize("status", [200, 404])
async def test_html_answer_is_a_bad_response(status: int) -> None:
    page = "<html><body>Docent</body></html>"
    client = mock_client(
        lambda request: httpx.Response(status, text=page, headers={"content-type": "text/html"})
    )
    with pytest.raises(BadResponse) as caught:
        await client.get_collection("c1")
    await client.aclose()
    assert caught.value.message.startswith(f"Non-API response (HTML) from {MOCK_API}/c1/")
    assert "api.<domain>" in caught.value.message


async def test_non_json_success_is_a_bad_response() -> None:
    client = mock_client(lambda request: httpx.Response(200, text="pong"))
    with pytest.raises(BadResponse, match="not JSON"):
        await client.get_dql_schema("c1")
    await client.aclose()


async def test_long_text_is_truncated_and_trace_ids_appended() -> None:
    text = "x" * 700

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418, text=text, headers={"x-request-id": "req-42"})

    client = mock_client(handler)
    with pytest.raises(RemoteError) as caught:
        await client.list_collections()
    await client.aclose()
    expected = "x" * 500 + "... (700 chars total, truncated) [x-request-id=req-42]"
    assert caught.value.message == f"HTTP 418: {expected}"


async def test_dropped_connection_is_retried(
    client: DocentClient, docent_server: DocentTestServer, sleeps: Sleeps
) -> None:
    docent_server.drop_next(1)
    assert len(await client.list_collections()) == 2
    assert sleeps.delays == [0.5]


async def test_dropped_connections_past_the_retries(docent_server: DocentTestServer) -> None:
    docent_server.drop_next(1)
    async with DocentClient(server_settings(docent_server), retries=0) as client:
        with pytest.raises(ServerUnavailable, match="connection was dropped"):
            await client.list_collections()


async def test_hung_server_times_out(docent_server: DocentTestServer) -> None:
    docent_server.hang_next(1)
    timeout = httpx.Timeout(5.0, read=0.2)
    try:
        settings = server_settings(docent_server)
        async with DocentClient(settings, timeout=timeout, retries=0) as client:
            with pytest.raises(ServerUnavailable, match="did not answer within"):
                await client.list_collections()
        assert docent_server.count() == 1, "a hung server is not asked again"
    finally:
        docent_server.release()


async def test_unreachable_server_is_one_line() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    sleeps = Sleeps()
    client = mock_client(refuse, retries=2, sleeps=sleeps)
    with pytest.raises(ServerUnavailable) as caught:
        await client.check_key()
    await client.aclose()
    assert caught.value.message == (
        "Could not reach Docent at api.docent.example: connection failed "
        "([Errno 111] Connection refused) (after 3 attempts)"
    )
    assert sleeps.delays == [0.5, 1.0]


async def test_redirect_is_not_followed() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(302, headers={"location": "https://elsewhere.example/steal"})

    client = mock_client(handler)
    with pytest.raises(BadResponse, match=re.escape("redirect to https://elsewhere.example/steal")):
        await client.list_collections()
    await client.aclose()
    assert [url.host for url in seen] == ["api.docent.example"]


async def test_the_key_is_never_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    """Every error class, from a server that echoes the Authorization header back."""

    def echo(status: int, content_type: str = "application/json") -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            said = request.headers.get("authorization", "")
            if "json" in content_type:
                return httpx.Response(status, json={"detail": f"bad key {said}"})
            return httpx.Response(
                status, text=f"bad key {said}", headers={"content-type": content_type}
            )

        return httpx.MockTransport(handler)

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError(f"dropped {request.headers['authorization']}")

    cases: list[tuple[httpx.AsyncBaseTransport, type[Exception]]] = [
        (echo(400), DQLError),
        (echo(401), NotAuthorised),
        (echo(403), NotAuthorised),
        (echo(404), NotFound),
        (echo(409, "text/plain"), RemoteError),
        (echo(422), RemoteError),
        (echo(503), ServerUnavailable),
        (echo(200, "text/html"), BadResponse),
        (echo(302, "text/plain"), BadResponse),
        (httpx.MockTransport(drop), ServerUnavailable),
    ]
    caplog.set_level(logging.DEBUG)
    for transport, expected in cases:
        client = DocentClient(
            Settings(SECRET, MOCK_API), retries=1, sleep=Sleeps(), transport=transport
        )
        with pytest.raises(expected) as caught:
            await client.execute_dql("c1", "SELECT id FROM agent_runs")
        await client.aclose()
        assert SECRET not in str(caught.value)
        assert SECRET not in repr(caught.value)
        assert SECRET not in repr(client)
    assert caplog.records, "the retries should have been logged"
    assert SECRET not in caplog.text


def test_hosts_and_cache_origins_drop_userinfo() -> None:
    url = "https://user:hunter2@api.docent.example:8443/rest"
    assert host_of(url) == "api.docent.example:8443"
    assert cache_origin(url) == "https://api.docent.example:8443/rest"
    assert host_of(MOCK_API) == "api.docent.example"
