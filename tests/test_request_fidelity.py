"""Our client sends exactly what the official SDK 0.1.88 sends, operation by operation.

tests/data/sdk_requests.json holds the requests the SDK made against tests/docent_server.py;
each test makes the equivalent DocentClient call against the same server and compares method,
path, query, JSON body, content type and Authorization. The one allowed difference is
`include_counts=true` on the collection list (conventions.md, "Remote").
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from docent_tui.core.remote.client import DocentClient
from tests.conftest import REPO_ROOT
from tests.docent_server import DocentTestServer, RecordedRequest

RECORDING = json.loads((REPO_ROOT / "tests" / "data" / "sdk_requests.json").read_text("utf-8"))
OPERATIONS: dict[str, list[dict[str, Any]]] = RECORDING["operations"]
CID: str = RECORDING["collection_id"]
RUN_ID: str = RECORDING["run_id"]
MISSING_RUN_ID: str = RECORDING["missing_run_id"]
EXTRA_QUERY = {"list_collections": {"include_counts": ["true"]}}
NOT_MIRRORED = {"list_agent_run_ids"}
"""SDK operations the app has no use for (it lists ids with DQL), so the client lacks them."""


@dataclass(frozen=True)
class Settings:
    api_key: str | None
    api_url: str
    frontend_url: str


def recorded_dql(name: str) -> str:
    return str(OPERATIONS[name][0]["body"]["dql"])


Call = Callable[[DocentClient], Awaitable[Any]]

CALLS: dict[str, Call] = {
    "constructor": lambda c: c.check_key(),
    "list_collections": lambda c: c.list_collections(),
    "get_collection": lambda c: c.get_collection(CID),
    "execute_dql": lambda c: c.execute_dql(CID, recorded_dql("execute_dql")),
    "execute_dql_max_rows": lambda c: c.execute_dql(
        CID, recorded_dql("execute_dql_max_rows"), max_rows=10
    ),
    "get_dql_schema": lambda c: c.get_dql_schema(CID),
    "get_agent_run": lambda c: c.get_agent_run(CID, RUN_ID),
    "get_agent_run_missing": lambda c: c.get_agent_run(CID, MISSING_RUN_ID),
    "get_metadata_fields": lambda c: c.get_metadata_fields(CID),
    # The SDK builds this DQL from a where clause; the app builds its own and sends it the same way.
    "select_agent_run_ids": lambda c: c.execute_dql(CID, recorded_dql("select_agent_run_ids")),
}


def test_every_recorded_operation_is_covered() -> None:
    assert set(OPERATIONS) == set(CALLS) | NOT_MIRRORED


def relative(request: RecordedRequest) -> str:
    assert request.path.startswith("/rest/")
    return request.path.removeprefix("/rest")


@pytest.mark.parametrize("name", sorted(CALLS))
async def test_request_matches_the_sdk(name: str, docent_server: DocentTestServer) -> None:
    settings = Settings(docent_server.api_key, docent_server.api_url, docent_server.frontend_url)
    async with DocentClient(settings, retries=0) as client:
        await CALLS[name](client)
    sent = docent_server.requests
    expected = OPERATIONS[name]
    assert len(sent) == len(expected)
    for ours, sdk in zip(sent, expected, strict=True):
        assert ours.method == sdk["method"]
        assert relative(ours) == sdk["path"]
        assert ours.query == {**sdk["query"], **EXTRA_QUERY.get(name, {})}
        assert ours.body == sdk["body"]
        assert ours.content_type == sdk["content_type"]
        placeholder = RECORDING["api_key_placeholder"]
        assert ours.authorization == sdk["authorization"].replace(placeholder, settings.api_key)
        assert ours.authorization == f"Bearer {docent_server.api_key}"
