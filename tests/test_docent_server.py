"""The Docent-compatible test server: endpoints, auth, errors, faults and the request log."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.docent_server import (
    REMOTE_COLLECTION_ID,
    REMOTE_COLLECTION_NAME,
    SECOND_COLLECTION_ID,
    TEST_API_KEY,
    DocentTestServer,
    RecordedRequest,
)

MISSING_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def client(docent_server: DocentTestServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {docent_server.api_key}"}
    with httpx.Client(base_url=docent_server.api_url, headers=headers, timeout=10) as c:
        yield c


@pytest.fixture
def anonymous(docent_server: DocentTestServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=docent_server.api_url, timeout=10) as c:
        yield c


def first_run_id(client: httpx.Client, cid: str = REMOTE_COLLECTION_ID) -> str:
    response = client.post(f"/dql/{cid}/execute", json={"dql": "SELECT id FROM agent_runs"})
    return str(response.json()["rows"][0][0])


# ---------------------------------------------------------------------- urls and auth


def test_urls_point_at_the_running_server(docent_server: DocentTestServer) -> None:
    assert docent_server.base_url == f"http://127.0.0.1:{docent_server.port}"
    assert docent_server.api_url == docent_server.base_url + "/rest"
    assert docent_server.frontend_url.startswith(docent_server.base_url)
    assert docent_server.api_key == TEST_API_KEY


def test_ping_needs_no_key(anonymous: httpx.Client) -> None:
    response = anonymous.get("/ping")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "message": "pong"}


def test_api_key_test_accepts_the_key(client: httpx.Client) -> None:
    response = client.get("/api-keys/test")
    assert response.status_code == 200
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-key", TEST_API_KEY])
def test_a_missing_or_wrong_key_is_unauthorized(
    anonymous: httpx.Client, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for path in ("/api-keys/test", "/collections", f"/{REMOTE_COLLECTION_ID}/agent_run_count"):
        response = anonymous.get(path, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Unauthorized"}


def test_forbidden_collection_is_denied_and_hidden(
    docent_server: DocentTestServer, client: httpx.Client
) -> None:
    docent_server.forbid(SECOND_COLLECTION_ID)
    for response in (
        client.get(f"/{SECOND_COLLECTION_ID}/collection_details"),
        client.post(f"/dql/{SECOND_COLLECTION_ID}/execute", json={"dql": "SELECT 1"}),
        client.get(f"/{SECOND_COLLECTION_ID}/agent_run", params={"agent_run_id": MISSING_ID}),
    ):
        assert response.status_code == 403
        assert response.json() == {"detail": "Permission denied"}
    ids = [row["id"] for row in client.get("/collections").json()]
    assert ids == [REMOTE_COLLECTION_ID]
    docent_server.allow(SECOND_COLLECTION_ID)
    assert client.get(f"/{SECOND_COLLECTION_ID}/collection_details").status_code == 200


# ---------------------------------------------------------------------- collections


def test_collections_without_counts(client: httpx.Client) -> None:
    rows = client.get("/collections", params={"include_counts": "false"}).json()
    assert [row["id"] for row in rows] == [REMOTE_COLLECTION_ID, SECOND_COLLECTION_ID]
    first = rows[0]
    assert list(first) == [
        "id",
        "name",
        "description",
        "created_by",
        "created_at",
        "agent_run_count",
        "rubric_count",
        "label_set_count",
    ]
    assert first["name"] == REMOTE_COLLECTION_NAME
    assert (first["agent_run_count"], first["rubric_count"], first["label_set_count"]) == (
        None,
        None,
        None,
    )
    assert rows[1]["description"] == "a second, small collection"


def test_collections_with_counts(client: httpx.Client) -> None:
    rows = client.get("/collections", params={"include_counts": "true"}).json()
    assert [row["agent_run_count"] for row in rows] == [40, 5]
    assert all(row["rubric_count"] == 0 and row["label_set_count"] == 0 for row in rows)


def test_collections_rejects_a_bad_boolean(client: httpx.Client) -> None:
    response = client.get("/collections", params={"include_counts": "maybe"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "include_counts"]


def test_collection_details(client: httpx.Client) -> None:
    row = client.get(f"/{REMOTE_COLLECTION_ID}/collection_details").json()
    assert row["id"] == REMOTE_COLLECTION_ID
    assert row["agent_run_count"] == 40
    missing = client.get(f"/{MISSING_ID}/collection_details")
    assert missing.status_code == 404
    assert missing.json() == {"detail": f"Collection {MISSING_ID} not found"}


# ---------------------------------------------------------------------- DQL


def test_execute_returns_the_engine_response(client: httpx.Client) -> None:
    response = client.post(
        f"/dql/{REMOTE_COLLECTION_ID}/execute",
        json={"dql": "SELECT id FROM agent_runs ORDER BY id LIMIT 3", "source": "endpoint"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["columns"] == ["id"]
    assert body["row_count"] == 3
    assert body["truncated"] is True
    assert (body["requested_limit"], body["applied_limit"]) == (3, 3)


def test_execute_honours_max_rows(client: httpx.Client) -> None:
    body = client.post(
        f"/dql/{REMOTE_COLLECTION_ID}/execute",
        json={"dql": "SELECT id FROM agent_runs", "max_rows": 7},
    ).json()
    assert body["row_count"] == 7
    assert body["applied_limit"] == 7
    assert body["truncated"] is True


def test_execute_scopes_to_the_collection(client: httpx.Client) -> None:
    for cid, count in ((REMOTE_COLLECTION_ID, 40), (SECOND_COLLECTION_ID, 5)):
        body = client.post(
            f"/dql/{cid}/execute", json={"dql": "SELECT count() AS n FROM agent_runs"}
        ).json()
        assert body["rows"] == [[count]]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"dql": "SELEC nonsense"}, 400),
        ({"dql": "SELECT id FROM agent_runs", "max_rows": 0}, 400),
        ({"query": "SELECT 1"}, 422),
        ({"dql": 5}, 422),
        ({"dql": "SELECT 1", "max_rows": "many"}, 422),
    ],
)
def test_execute_errors(client: httpx.Client, payload: dict[str, object], status: int) -> None:
    response = client.post(f"/dql/{REMOTE_COLLECTION_ID}/execute", json=payload)
    assert response.status_code == status
    detail = response.json()["detail"]
    if status == 400:
        assert isinstance(detail, str) and detail
    else:
        assert isinstance(detail, list) and detail[0]["loc"][0] == "body"


def test_execute_without_a_json_body_is_422(client: httpx.Client) -> None:
    response = client.post(f"/dql/{REMOTE_COLLECTION_ID}/execute", content=b"not json")
    assert response.status_code == 422


def test_dql_schema(client: httpx.Client) -> None:
    body = client.get(f"/dql/{REMOTE_COLLECTION_ID}/schema").json()
    names = [table["name"] for table in body["tables"]]
    assert "agent_runs" in names
    assert names == sorted(names)


# ---------------------------------------------------------------------- runs


def test_agent_run_found_missing_and_in_another_collection(client: httpx.Client) -> None:
    run_id = first_run_id(client)
    run = client.get(f"/{REMOTE_COLLECTION_ID}/agent_run", params={"agent_run_id": run_id})
    assert run.status_code == 200
    body = run.json()
    assert body["id"] == run_id
    assert {"transcripts", "transcript_groups", "metadata"} <= set(body)
    assert "created_at" not in body
    for cid, rid in ((REMOTE_COLLECTION_ID, MISSING_ID), (SECOND_COLLECTION_ID, run_id)):
        missing = client.get(f"/{cid}/agent_run", params={"agent_run_id": rid})
        assert missing.status_code == 200
        assert missing.text == "null"


def test_agent_run_without_its_id_is_422(client: httpx.Client) -> None:
    response = client.get(f"/{REMOTE_COLLECTION_ID}/agent_run")
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail[0]["loc"] == ["query", "agent_run_id"]
    assert detail[0]["type"] == "missing"


def test_metadata_fields(client: httpx.Client) -> None:
    path = f"/{REMOTE_COLLECTION_ID}/agent_run_metadata_fields"
    body = client.get(path).json()
    assert body["total_runs"] == 40
    fields = body["fields"]
    assert fields[-1] == {"name": "created_at", "type": "str"}
    names = [f["name"] for f in fields[:-1]]
    assert names == sorted(names)
    assert all(name.startswith("metadata.") for name in names)
    assert {f["type"] for f in fields} <= {"str", "float", "bool"}
    only = client.get(
        path,
        params={"metadata_only": "true", "include_sample_values": "false", "sample_limit": 10},
    ).json()
    assert only["fields"] == fields[:-1]


def test_metadata_field_types_follow_the_server() -> None:
    runs = [
        {"id": "r1", "metadata": {"a": 1, "mixed": "x", "flag": True, "nested": {"b": "s"}}},
        {"id": "r2", "metadata": {"a": "text", "mixed": False, "nothing": None, "items": [1]}},
    ]
    with DocentTestServer() as server:
        server.add_collection(MISSING_ID, "types", runs)
        headers = {"Authorization": f"Bearer {server.api_key}"}
        with httpx.Client(base_url=server.api_url, headers=headers) as c:
            body = c.get(f"/{MISSING_ID}/agent_run_metadata_fields?metadata_only=true").json()
    assert body["total_runs"] == 2
    assert body["fields"] == [
        {"name": "metadata.a", "type": "float"},
        {"name": "metadata.flag", "type": "bool"},
        {"name": "metadata.mixed", "type": "str"},
        {"name": "metadata.nested.b", "type": "str"},
    ]


def test_agent_run_ids_and_count(client: httpx.Client) -> None:
    ids = client.post(f"/{REMOTE_COLLECTION_ID}/agent_run_ids/query", json={}).json()
    assert isinstance(ids, list) and len(ids) == 40 == len(set(ids))
    page = client.post(
        f"/{REMOTE_COLLECTION_ID}/agent_run_ids/query", json={"limit": 5, "offset": 10}
    ).json()
    assert page == ids[10:15]
    newest = client.post(
        f"/{REMOTE_COLLECTION_ID}/agent_run_ids/query",
        json={"sort_field": "agent_run_id", "sort_direction": "desc", "limit": 3},
    ).json()
    assert newest == sorted(ids, reverse=True)[:3]
    count = client.get(f"/{SECOND_COLLECTION_ID}/agent_run_count").json()
    assert count == {"count": 5}


def test_unhandled_errors_are_plain_500(client: httpx.Client) -> None:
    response = client.post(
        f"/{REMOTE_COLLECTION_ID}/agent_run_ids/query", json={"sort_field": "bogus"}
    )
    assert response.status_code == 500
    assert response.text == "Internal Server Error"


@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        ("GET", "/rest/nowhere", 404, "Not Found"),
        ("GET", "/other", 404, "Not Found"),
        ("GET", f"/rest/{REMOTE_COLLECTION_ID}/unknown_thing", 404, "Not Found"),
        ("DELETE", "/rest/collections", 405, "Method Not Allowed"),
    ],
)
def test_unknown_routes(
    docent_server: DocentTestServer, method: str, path: str, status: int, detail: str
) -> None:
    headers = {"Authorization": f"Bearer {docent_server.api_key}"}
    response = httpx.request(method, docent_server.base_url + path, headers=headers)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


# ---------------------------------------------------------------------- faults


def test_fail_next(docent_server: DocentTestServer, client: httpx.Client) -> None:
    docent_server.fail_next(2, status=500, path_contains="agent_run_count")
    assert client.get("/ping").status_code == 200
    path = f"/{REMOTE_COLLECTION_ID}/agent_run_count"
    first, second, third = (client.get(path) for _ in range(3))
    assert first.status_code == second.status_code == 500
    assert isinstance(first.json()["detail"], str)
    assert third.json() == {"count": 40}
    docent_server.fail_next(1)
    assert client.get("/ping").status_code == 503


def test_html_next(docent_server: DocentTestServer, client: httpx.Client) -> None:
    docent_server.html_next(1)
    response = client.get("/collections")
    assert response.status_code == 502
    assert "html" in response.headers["content-type"]
    assert response.text.lstrip().startswith("<html>")
    assert client.get("/collections").status_code == 200


def test_drop_next(docent_server: DocentTestServer, client: httpx.Client) -> None:
    docent_server.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/collections")
    assert client.get("/collections").status_code == 200


def test_hang_next_until_release(docent_server: DocentTestServer, client: httpx.Client) -> None:
    docent_server.hang_next(1)
    with pytest.raises(httpx.ReadTimeout):
        client.get("/collections", timeout=0.2)
    assert docent_server.hanging == 1
    docent_server.release()
    assert client.get("/collections").status_code == 200


def test_latency_is_added_to_every_request(
    docent_server: DocentTestServer, client: httpx.Client
) -> None:
    docent_server.latency = 60
    assert docent_server.latency == 60
    with pytest.raises(httpx.ReadTimeout):
        client.get("/ping", timeout=0.2)
    docent_server.latency = 0
    assert client.get("/ping").status_code == 200


def test_stop_closes_kept_alive_connections_and_start_serves_again() -> None:
    server = DocentTestServer().start()
    try:
        with httpx.Client(base_url=server.api_url) as c:
            assert c.get("/ping").status_code == 200
            server.hang_next(1)
            with pytest.raises(httpx.ReadTimeout):
                c.get("/ping", timeout=0.2)
            server.stop()
            with pytest.raises(httpx.TransportError):
                c.get("/ping")
            server.start()
            assert c.get("/ping").status_code == 200
    finally:
        server.close()


# ---------------------------------------------------------------------- request log


def test_requests_are_recorded(docent_server: DocentTestServer, client: httpx.Client) -> None:
    client.get("/collections?include_counts=true&b=1&a=2&b=3")
    client.post(f"/dql/{REMOTE_COLLECTION_ID}/execute", json={"dql": "SELECT 1"})
    client.get("/ping", headers={"Authorization": "Bearer nope"})
    listed, executed, pinged = docent_server.requests
    assert listed == RecordedRequest(
        method="GET",
        path="/rest/collections",
        query={"include_counts": ["true"], "b": ["1", "3"], "a": ["2"]},
        body=None,
        authorization=f"Bearer {TEST_API_KEY}",
        content_type=None,
        headers=listed.headers,
        raw_body=b"",
    )
    assert list(listed.query) == ["include_counts", "b", "a"]
    assert executed.body == {"dql": "SELECT 1"}
    assert executed.content_type == "application/json"
    assert ("authorization", f"Bearer {TEST_API_KEY}") in executed.headers
    assert pinged.authorization == "Bearer nope"
    assert docent_server.count() == 3
    assert docent_server.count("/dql/") == 1
    docent_server.requests.clear()
    assert docent_server.count() == 3
    docent_server.clear_requests()
    assert docent_server.requests == []


def test_faulted_requests_are_recorded_too(
    docent_server: DocentTestServer, client: httpx.Client
) -> None:
    docent_server.drop_next(1)
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/ping")
    assert docent_server.count("/rest/ping") == 1


# ---------------------------------------------------------------------- command line


def test_command_line_serves_a_demo_collection() -> None:
    command = [sys.executable, "-m", "tests.docent_server", "--runs", "3", "--json"]
    with subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            info = json.loads(process.stdout.readline())
            headers = {"Authorization": f"Bearer {info['api_key']}"}
            url = f"{info['api_url']}/{info['collection_id']}/agent_run_count"
            assert httpx.get(url, headers=headers).json() == {"count": 3}
            assert info["collection_id"] == REMOTE_COLLECTION_ID
        finally:
            process.terminate()


# ---------------------------------------------------------------------- the SDK's requests


def test_the_server_answers_every_recorded_sdk_request(
    docent_server: DocentTestServer, anonymous: httpx.Client
) -> None:
    recorded = json.loads((REPO_ROOT / "tests/data/sdk_requests.json").read_text("utf-8"))
    placeholder = recorded["api_key_placeholder"]
    for operation, requests in recorded["operations"].items():
        for entry in requests:
            headers = {"Authorization": entry["authorization"].replace(placeholder, TEST_API_KEY)}
            response = anonymous.request(
                entry["method"],
                entry["path"],
                params=[(k, v) for k, values in entry["query"].items() for v in values],
                json=entry["body"] if entry["body"] is not None else None,
                headers=headers,
            )
            assert response.status_code == 200, (operation, response.text)
    run = anonymous.get(
        f"/{recorded['collection_id']}/agent_run",
        params={"agent_run_id": recorded["run_id"]},
        headers={"Authorization": f"Bearer {TEST_API_KEY}"},
    )
    assert run.json()["id"] == recorded["run_id"]
