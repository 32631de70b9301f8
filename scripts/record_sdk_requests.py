"""Record the HTTP requests the official Docent SDK sends, into tests/data/sdk_requests.json.

The remote client's fidelity test compares its requests with these. The script serves the test
collections from `tests/docent_server.py` in-process and drives the SDK, operation by operation,
from a separate Python that has it installed; each operation's requests are those the server saw
between the driver's BEGIN and END markers.

To rerun (the SDK lives in a throwaway venv outside the repository):

    python3 -m venv /tmp/sdk-venv
    /tmp/sdk-venv/bin/pip install docent==0.1.88
    # if pip's resolver backtracks for minutes over the SDK's OpenTelemetry pins, install the
    # SDK alone plus what its client imports; the requests it sends are the same:
    #   /tmp/sdk-venv/bin/pip install --no-deps docent==0.1.88
    #   /tmp/sdk-venv/bin/pip install requests pydantic python-dotenv pyyaml tqdm orjson \
    #       httpx backoff
    /tmp/venv/bin/python scripts/record_sdk_requests.py [--sdk-python /tmp/sdk-venv/bin/python]
        [--out tests/data/sdk_requests.json]

Paths are stored relative to the API base URL (`.../rest`); the API key becomes a placeholder.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from docent_tui.demo import generate_runs  # noqa: E402
from tests.docent_server import (  # noqa: E402
    REMOTE_COLLECTION_ID,
    REMOTE_COLLECTION_NAME,
    SECOND_COLLECTION_ID,
    SECOND_COLLECTION_NAME,
    DocentTestServer,
    RecordedRequest,
)

SDK = "docent==0.1.88"
API_KEY_PLACEHOLDER = "<API_KEY>"
BASE_URL_PLACEHOLDER = "<BASE_URL>"
MISSING_RUN_ID = "00000000-0000-4000-8000-000000000000"
WHERE_CLAUSE = "metadata_json->>'task' ILIKE '%math%'"
MARKER = "@@record-sdk@@"
# Headers stored apart from authorization/content-type; host and length depend on the run.
_VOLATILE_HEADERS = {"host", "content-length", "authorization", "content-type"}

# (operation name, SDK call as written in the driver, one-line note for the JSON file)
OPERATIONS: list[tuple[str, str, str]] = [
    (
        "constructor",
        "Docent(api_key=cfg['api_key'], api_url=cfg['api_url'], frontend_url=cfg['frontend_url'])",
        "Docent(api_key=KEY, api_url=API_URL, frontend_url=FRONTEND_URL)",
    ),
    ("list_collections", "client.list_collections()", "list_collections()"),
    ("get_collection", "client.get_collection(cfg['cid'])", "get_collection(CID)"),
    (
        "execute_dql",
        "client.execute_dql(cfg['cid'], cfg['dql'])",
        "execute_dql(CID, DQL) with DQL = 'SELECT id, name FROM agent_runs ORDER BY id LIMIT 5'",
    ),
    (
        "execute_dql_max_rows",
        "client.execute_dql(cfg['cid'], 'SELECT id FROM agent_runs', max_rows=10)",
        "execute_dql(CID, 'SELECT id FROM agent_runs', max_rows=10)",
    ),
    ("get_dql_schema", "client.get_dql_schema(cfg['cid'])", "get_dql_schema(CID)"),
    (
        "get_agent_run",
        "client.get_agent_run(cfg['cid'], cfg['run_id'])",
        "get_agent_run(CID, RUN_ID) for an existing run",
    ),
    (
        "get_agent_run_missing",
        "client.get_agent_run(cfg['cid'], cfg['missing_run_id'])",
        f"get_agent_run(CID, '{MISSING_RUN_ID}'), a run the collection lacks (returns None)",
    ),
    (
        "get_metadata_fields",
        "client.get_metadata_fields(cfg['cid'])",
        "get_metadata_fields(CID) with its defaults (include_sample_values=False, sample_limit=10)",
    ),
    (
        "select_agent_run_ids",
        "client.select_agent_run_ids(cfg['cid'], where_clause=cfg['where'], limit=5)",
        f'select_agent_run_ids(CID, where_clause="{WHERE_CLAUSE}", limit=5)',
    ),
    (
        "list_agent_run_ids",
        "client.list_agent_run_ids(cfg['cid'])",
        "list_agent_run_ids(CID)",
    ),
]

_DRIVER = """
import json, sys

cfg = json.loads(sys.argv[1])
MARKER = cfg["marker"]


def summary(value):
    if value is None:
        return "None"
    if isinstance(value, (list, tuple)):
        return f"{type(value).__name__} of {len(value)}"
    if isinstance(value, dict):
        return "dict with keys " + ", ".join(list(map(str, value))[:8])
    return type(value).__name__


def step(name, call):
    print(MARKER, "BEGIN", name, flush=True)
    sys.stdin.readline()
    try:
        result = summary(call())
    except Exception as exc:
        result = f"raised {type(exc).__name__}: {exc}"
    print(MARKER, "END", name, json.dumps(result), flush=True)
    sys.stdin.readline()


from docent import Docent

client = None


def construct():
    global client
    client = OPERATION_constructor
    return client

"""


def _driver_source() -> str:
    lines = [_DRIVER.replace("OPERATION_constructor", OPERATIONS[0][1])]
    lines.append("step('constructor', construct)")
    for name, call, _ in OPERATIONS[1:]:
        lines.append(f"step({name!r}, lambda: {call})")
    return "\n".join(lines) + "\n"


def _scrub(value: Any, replacements: dict[str, str]) -> Any:
    """Replace secrets and run-specific text everywhere in a JSON value."""
    if isinstance(value, str):
        for old, new in replacements.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_scrub(v, replacements) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, replacements): _scrub(v, replacements) for k, v in value.items()}
    return value


def _entry(request: RecordedRequest) -> dict[str, Any]:
    path = request.path.removeprefix("/rest")
    return {
        "method": request.method,
        "path": path,
        "query": request.query,
        "body": request.body,
        "authorization": request.authorization,
        "content_type": request.content_type,
        "other_headers": {k: v for k, v in request.headers if k not in _VOLATILE_HEADERS},
    }


def record(sdk_python: str) -> tuple[dict[str, Any], list[str]]:
    """Drive the SDK against a fresh test server; returns the JSON document and SDK results."""
    server = DocentTestServer()
    server.add_collection(REMOTE_COLLECTION_ID, REMOTE_COLLECTION_NAME, generate_runs(40))
    server.add_collection(SECOND_COLLECTION_ID, SECOND_COLLECTION_NAME, generate_runs(5, seed=1))
    results: list[str] = []
    operations: dict[str, list[RecordedRequest]] = {}
    with server, tempfile.TemporaryDirectory() as scratch:
        run_id = str(
            server.engine.execute(
                REMOTE_COLLECTION_ID, "SELECT id FROM agent_runs ORDER BY id LIMIT 1"
            ).rows[0][0]
        )
        cfg = {
            "api_key": server.api_key,
            "api_url": server.api_url,
            "frontend_url": server.frontend_url,
            "cid": REMOTE_COLLECTION_ID,
            "run_id": run_id,
            "missing_run_id": MISSING_RUN_ID,
            "dql": "SELECT id, name FROM agent_runs ORDER BY id LIMIT 5",
            "where": WHERE_CLAUSE,
            "marker": MARKER,
        }
        # No docent.env or DOCENT_* variable may steer the SDK: run it in an empty home.
        env = {k: v for k, v in os.environ.items() if not k.startswith("DOCENT_")}
        env["HOME"] = scratch
        process = subprocess.Popen(
            [sdk_python, "-c", _driver_source(), json.dumps(cfg)],
            cwd=scratch,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdin is not None and process.stdout is not None
        mark = 0
        for line in process.stdout:
            if not line.startswith(MARKER):
                sys.stderr.write(line)
                continue
            _, kind, name, *rest = line.split(" ", 3)
            if kind == "BEGIN":
                mark = len(server.requests)
                process.stdin.write("go\n")
            else:
                operations[name] = server.requests[mark:]
                mark = len(server.requests)
                results.append(f"{name}: {json.loads(rest[0])}")
                process.stdin.write("ok\n")
            process.stdin.flush()
        if process.wait() != 0:
            raise SystemExit(f"the SDK driver failed with exit code {process.returncode}")
        leftover = server.requests[mark:]
        if leftover:
            operations["interpreter_exit"] = leftover
        replacements = {server.api_key: API_KEY_PLACEHOLDER, server.base_url: BASE_URL_PLACEHOLDER}
        replacements[f"127.0.0.1:{server.port}"] = "127.0.0.1:<PORT>"
    notes = {name: note for name, _, note in OPERATIONS}
    document = {
        "sdk": SDK,
        "api_key_placeholder": API_KEY_PLACEHOLDER,
        "about": (
            "Requests the official SDK sent to tests/docent_server.py, per operation, made by "
            "scripts/record_sdk_requests.py. Paths are relative to the API base URL (.../rest); "
            "query values are lists in the order sent; body is the parsed JSON body or null; "
            "other_headers omits host, content-length, authorization and content-type."
        ),
        "collection_id": REMOTE_COLLECTION_ID,
        "run_id": run_id,
        "missing_run_id": MISSING_RUN_ID,
        "sdk_calls": {
            name: notes.get(name, "requests sent after the last operation") for name in operations
        },
        "operations": {
            name: [_entry(r) for r in requests] for name, requests in operations.items()
        },
    }
    return _scrub(document, replacements), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdk-python", default="/tmp/sdk-venv/bin/python")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "tests/data/sdk_requests.json")
    args = parser.parse_args(argv)
    started = time.monotonic()
    document, results = record(args.sdk_python)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    for line in results:
        print(line)
    print(f"wrote {args.out} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
