"""A Docent-compatible REST server for tests, backed by the local engine.

It answers the read endpoints the remote client uses (docent-api.md §A.7, §C.1) under `/rest`,
with the server's auth, error shapes and status codes, records every request it sees, and can
inject faults (latency, 5xx, HTML proxy pages, dropped connections, hung responses) while running.
Standard library only: `ThreadingHTTPServer` speaking HTTP/1.1 with keep-alive.

Run a demo server by hand or for the benchmark:

    python -m tests.docent_server [--port N] [--runs N] [--latency-ms N] [--api-key K] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import http
import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from docent_tui.core.dql import DQLError
from docent_tui.core.engine import LocalEngine

__all__ = [
    "REMOTE_COLLECTION_ID",
    "REMOTE_COLLECTION_NAME",
    "SECOND_COLLECTION_ID",
    "SECOND_COLLECTION_NAME",
    "TEST_API_KEY",
    "TEST_USER_ID",
    "DocentTestServer",
    "RecordedRequest",
]

REMOTE_COLLECTION_ID = "5f0c3b7e-2a41-4d8e-9c6b-1e7a0d4f8b21"
REMOTE_COLLECTION_NAME = "demo-remote"
SECOND_COLLECTION_ID = "a3d9e6f1-7b2c-4f05-8e1d-6c4b9a2f0e73"
SECOND_COLLECTION_NAME = "second-remote"
TEST_API_KEY = "dk_test_4c1f9a2e7b3d8c6f0a5e"
TEST_USER_ID = "0e8b7c6d-5a4f-4e3d-9c2b-1a0f9e8d7c6b"

_PAGE_ROWS = 10_000
_HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_TRUE = {"true", "1", "yes", "on", "t", "y"}
_FALSE = {"false", "0", "no", "off", "f", "n"}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server saw it (path without the query, including `/rest`)."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    """The parsed JSON body, or None when there was no body or it was not JSON."""
    authorization: str | None
    content_type: str | None
    headers: tuple[tuple[str, str], ...] = ()
    """Every request header, names lower-cased, in the order sent."""
    raw_body: bytes = b""


@dataclass
class _Fault:
    kind: str  # "fail", "html", "drop" or "hang"
    remaining: int
    status: int = 503
    path_contains: str | None = None


@dataclass(frozen=True)
class _Collection:
    id: str
    name: str
    description: str | None
    created_at: str


class _HttpError(Exception):
    """An error answer: status and the FastAPI-style `detail`."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(str(detail))
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class _Request:
    method: str
    segments: tuple[str, ...]
    query: dict[str, list[str]]
    body: Any
    body_is_json: bool


def _missing(name: str, where: str = "query") -> _HttpError:
    return _HttpError(
        422, [{"type": "missing", "loc": [where, name], "msg": "Field required", "input": None}]
    )


def _query_value(request: _Request, name: str) -> str | None:
    values = request.query.get(name)
    return values[-1] if values else None


def _query_bool(request: _Request, name: str, default: bool) -> bool:
    value = _query_value(request, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _HttpError(
        422,
        [
            {
                "type": "bool_parsing",
                "loc": ["query", name],
                "msg": "Input should be a valid boolean, unable to interpret input",
                "input": value,
            }
        ],
    )


def _int_value(value: Any, loc: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _int_error(value, loc)
    try:
        return int(value)
    except ValueError:
        raise _int_error(value, loc) from None


def _int_error(value: Any, loc: list[str]) -> _HttpError:
    return _HttpError(
        422,
        [
            {
                "type": "int_parsing",
                "loc": loc,
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "input": value,
            }
        ],
    )


def _query_int(request: _Request, name: str, default: int) -> int:
    value = _query_value(request, name)
    return default if value is None else _int_value(value, ["query", name])


def _json_body(request: _Request) -> dict[str, Any]:
    if not request.body_is_json:
        raise _HttpError(
            422,
            [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}],
        )
    if not isinstance(request.body, dict):
        raise _HttpError(
            422,
            [
                {
                    "type": "model_attributes_type",
                    "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from",
                    "input": request.body,
                }
            ],
        )
    return request.body


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_FIELD_TYPES = {"number": "float", "str": "str", "bool": "bool"}
_CID = "{cid}"

Handler = Callable[["DocentTestServer", _Request, str | None], tuple[int, Any]]


class DocentTestServer:
    """A Docent REST API on 127.0.0.1 backed by a `LocalEngine`; see the module docstring.

    Fault injection and the request log are thread-safe and may be changed while serving.
    """

    def __init__(
        self,
        engine: LocalEngine | None = None,
        *,
        api_key: str = TEST_API_KEY,
        port: int = 0,
        latency: float = 0.0,
    ) -> None:
        self._owns_engine = engine is None
        self.engine = engine if engine is not None else LocalEngine()
        self.api_key = api_key
        self._port = port
        self._lock = threading.Lock()
        self._collections: dict[str, _Collection] = {}
        self._forbidden: set[str] = set()
        self._faults: list[_Fault] = []
        self._latency = max(0.0, latency)
        self._requests: list[RecordedRequest] = []
        self._hang_release = threading.Event()
        self._hanging = 0
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> DocentTestServer:
        """Bind 127.0.0.1 (port 0 picks a free one) and serve in a daemon thread."""
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = _Server(("127.0.0.1", self._port), _Handler)
        httpd.docent = self
        self._httpd = httpd
        self._port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever, args=(0.05,), name="docent-test-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release held requests and close every open connection.

        `start()` serves again on the same port, with the same data.
        """
        httpd = self._httpd
        if httpd is None:
            return
        self._stopping.set()
        self._hang_release.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = None
        self._thread = None

    def close(self) -> None:
        """Stop serving and close the engine if the server made it (no restart after this)."""
        self.stop()
        if self._owns_engine:
            self.engine.close()

    def __enter__(self) -> DocentTestServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the test server is not running")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/rest"

    @property
    def frontend_url(self) -> str:
        return f"{self.base_url}/web"

    # ------------------------------------------------------------------ data

    def add_collection(
        self,
        cid: str,
        name: str,
        runs: Iterable[dict[str, Any]],
        description: str | None = None,
    ) -> int:
        """Load runs into a collection (created if new); returns how many were inserted."""
        inserted = self.engine.add_collection(cid, name, runs)
        with self._lock:
            previous = self._collections.get(cid)
            created = previous.created_at if previous is not None else _now()
            self._collections[cid] = _Collection(cid, name, description, created)
        return inserted

    def forbid(self, cid: str) -> None:
        """Answer 403 for this collection (and hide it from the collection list)."""
        with self._lock:
            self._forbidden.add(cid)

    def allow(self, cid: str) -> None:
        with self._lock:
            self._forbidden.discard(cid)

    # ------------------------------------------------------------------ faults

    @property
    def latency(self) -> float:
        """Seconds added to every request before it is answered."""
        with self._lock:
            return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = max(0.0, float(seconds))

    def fail_next(self, count: int, status: int = 503, path_contains: str | None = None) -> None:
        """Answer the next `count` matching requests with `status` and a JSON detail."""
        self._add_fault(_Fault("fail", count, status, path_contains))

    def html_next(self, count: int, path_contains: str | None = None) -> None:
        """Answer the next `count` matching requests with a proxy's 502 HTML page."""
        self._add_fault(_Fault("html", count, 502, path_contains))

    def drop_next(self, count: int, path_contains: str | None = None) -> None:
        """Close the connection of the next `count` matching requests without answering."""
        self._add_fault(_Fault("drop", count, 0, path_contains))

    def hang_next(self, count: int, path_contains: str | None = None) -> None:
        """Hold the next `count` matching requests until `release()` or `stop()`."""
        self._add_fault(_Fault("hang", count, 0, path_contains))

    def release(self) -> None:
        """Let every held request go on (each then gets its normal answer)."""
        with self._lock:
            event, self._hang_release = self._hang_release, threading.Event()
        event.set()

    @property
    def hanging(self) -> int:
        """How many requests are being held right now."""
        with self._lock:
            return self._hanging

    def reset(self) -> None:
        """Clear faults, latency and forbidden collections, and release held requests."""
        with self._lock:
            self._faults.clear()
            self._latency = 0.0
            self._forbidden.clear()
        self.release()

    def _add_fault(self, fault: _Fault) -> None:
        if fault.remaining > 0:
            with self._lock:
                self._faults.append(fault)

    def _take_fault(self, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.path_contains is None or fault.path_contains in path:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _hold(self) -> bool:
        """Wait for `release()`; False when the server is stopping instead."""
        with self._lock:
            event = self._hang_release
            self._hanging += 1
        try:
            event.wait()
        finally:
            with self._lock:
                self._hanging -= 1
        return not self._stopping.is_set()

    # ------------------------------------------------------------------ request log

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def count(self, path_contains: str | None = None) -> int:
        """How many requests were recorded (whose path contains `path_contains`)."""
        with self._lock:
            return sum(
                1 for r in self._requests if path_contains is None or path_contains in r.path
            )

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    # ------------------------------------------------------------------ routing

    def _answer(self, path: str, request: _Request, auth: str | None) -> tuple[int, Any]:
        """Route an authenticated-or-not request to its endpoint: (status, JSON body)."""
        if not path.startswith("/rest/"):
            raise _HttpError(404, "Not Found")
        allowed_elsewhere = False
        for route_method, pattern, handler in _ROUTES:
            cid = _match(pattern, request.segments)
            if cid is False:
                continue
            if route_method != request.method:
                allowed_elsewhere = True
                continue
            if pattern != ("ping",) and auth != f"Bearer {self.api_key}":
                raise _HttpError(401, "Unauthorized")
            if isinstance(cid, str):
                self._check_collection(cid)
            return handler(self, request, cid if isinstance(cid, str) else None)
        if allowed_elsewhere:
            raise _HttpError(405, "Method Not Allowed")
        raise _HttpError(404, "Not Found")

    def _check_collection(self, cid: str) -> None:
        with self._lock:
            forbidden = cid in self._forbidden
            known = cid in self._collections
        if forbidden:
            raise _HttpError(403, "Permission denied")
        if not known:
            raise _HttpError(404, f"Collection {cid} not found")

    def _collection_row(self, cid: str, counts: bool) -> dict[str, Any]:
        with self._lock:
            info = self._collections[cid]
        return {
            "id": info.id,
            "name": info.name,
            "description": info.description,
            "created_by": TEST_USER_ID,
            "created_at": info.created_at,
            "agent_run_count": self.engine.run_count(cid) if counts else None,
            "rubric_count": 0 if counts else None,
            "label_set_count": 0 if counts else None,
        }

    # ------------------------------------------------------------------ endpoints

    def _ping(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        return 200, {"status": "ok", "message": "pong"}

    def _api_key_test(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        return 200, {"status": "ok", "user_id": TEST_USER_ID}

    def _list_collections(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        counts = _query_bool(request, "include_counts", False)
        with self._lock:
            visible = [c for c in self._collections if c not in self._forbidden]
        return 200, [self._collection_row(c, counts) for c in visible]

    def _collection_details(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        return 200, self._collection_row(cid, True)

    def _execute(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        body = _json_body(request)
        dql = body.get("dql")
        if "dql" not in body:
            raise _missing("dql", "body")
        if not isinstance(dql, str):
            raise _HttpError(
                422,
                [
                    {
                        "type": "string_type",
                        "loc": ["body", "dql"],
                        "msg": "Input should be a valid string",
                        "input": dql,
                    }
                ],
            )
        raw_max = body.get("max_rows")
        max_rows = None if raw_max is None else _int_value(raw_max, ["body", "max_rows"])
        try:
            result = self.engine.execute(cid, dql, max_rows=max_rows)
        except DQLError as exc:
            raise _HttpError(400, exc.message) from None
        except ValueError as exc:
            raise _HttpError(400, str(exc)) from None
        return 200, result.to_json()

    def _dql_schema(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        return 200, self.engine.schema(cid)

    def _agent_run(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        run_id = _query_value(request, "agent_run_id")
        if run_id is None:
            raise _missing("agent_run_id")
        run = self.engine.get_run(cid, run_id)
        if run is None:
            return 200, None
        # The server's AgentRun JSON has no top-level created_at (docent-api.md §B.12).
        return 200, {key: value for key, value in run.items() if key != "created_at"}

    def _metadata_fields(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        metadata_only = _query_bool(request, "metadata_only", False)
        _query_bool(request, "include_sample_values", False)
        _query_int(request, "sample_limit", 10)
        # TODO: include_sample_values=true should add sample_values/total_unique_values.
        fields = [
            {"name": "metadata." + ".".join(f.path), "type": _FIELD_TYPES[f.kind]}
            for f in self.engine.introspect(cid).metadata_fields
            if f.kind in _FIELD_TYPES
        ]
        fields.sort(key=lambda f: f["name"])
        if not metadata_only:
            fields.append({"name": "created_at", "type": "str"})
        return 200, {"fields": fields, "total_runs": self.engine.run_count(cid)}

    def _agent_run_ids(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        body = _json_body(request)
        if body.get("filter") is not None:
            # TODO: CollectionFilter bodies (docent-api.md §A.7.5) are not supported here.
            raise _HttpError(400, "The test server does not support `filter` in this query.")
        limit = body.get("limit")
        offset = _int_value(body.get("offset") or 0, ["body", "offset"])
        direction = str(body.get("sort_direction") or "asc").lower()
        if direction not in ("asc", "desc"):
            raise _HttpError(400, f"Invalid sort direction: {direction}")
        order = _sort_expression(str(body.get("sort_field") or "created_at"))
        wanted = None if limit is None else _int_value(limit, ["body", "limit"])
        ids: list[str] = []
        while wanted is None or len(ids) < wanted:
            page = _PAGE_ROWS if wanted is None else min(_PAGE_ROWS, wanted - len(ids))
            dql = (
                f"SELECT id FROM agent_runs ORDER BY {order} {direction}, id {direction} "
                f"LIMIT {page} OFFSET {offset + len(ids)}"
            )
            rows = self.engine.execute(cid, dql).rows
            ids.extend(str(row[0]) for row in rows)
            if len(rows) < page:
                break
        return 200, ids

    def _agent_run_count(self, request: _Request, cid: str | None) -> tuple[int, Any]:
        assert cid is not None
        return 200, {"count": self.engine.run_count(cid)}


def _sort_expression(sort_field: str) -> str:
    """The DQL ORDER BY expression for a sort field; others fail like the server (500)."""
    if sort_field == "agent_run_id":
        return "id"
    if sort_field == "created_at":
        return "created_at"
    if sort_field.startswith("metadata.") and len(sort_field) > len("metadata."):
        keys = sort_field.split(".")[1:]
        path = "".join(f"->{_sql_string(k)}" for k in keys[:-1])
        return f"metadata_json{path}->>{_sql_string(keys[-1])}"
    raise RuntimeError(f"Invalid sort field: {sort_field}")


_ROUTES: list[tuple[str, tuple[str, ...], Handler]] = [
    ("GET", ("ping",), DocentTestServer._ping),
    ("GET", ("api-keys", "test"), DocentTestServer._api_key_test),
    ("GET", ("collections",), DocentTestServer._list_collections),
    ("POST", ("dql", _CID, "execute"), DocentTestServer._execute),
    ("GET", ("dql", _CID, "schema"), DocentTestServer._dql_schema),
    ("GET", (_CID, "collection_details"), DocentTestServer._collection_details),
    ("GET", (_CID, "agent_run"), DocentTestServer._agent_run),
    ("GET", (_CID, "agent_run_metadata_fields"), DocentTestServer._metadata_fields),
    ("POST", (_CID, "agent_run_ids", "query"), DocentTestServer._agent_run_ids),
    ("GET", (_CID, "agent_run_count"), DocentTestServer._agent_run_count),
]


def _match(pattern: tuple[str, ...], segments: tuple[str, ...]) -> str | bool:
    """False if no match; else the collection id the pattern captured, or True without one."""
    if len(pattern) != len(segments):
        return False
    captured: str | bool = True
    for want, got in zip(pattern, segments, strict=True):
        if want == _CID:
            if not got:
                return False
            captured = got
        elif want != got:
            return False
    return captured


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    docent: DocentTestServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut every open connection, so idle keep-alive sockets do not outlive the server."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Small answers go out at once instead of waiting for the client's delayed ACK.
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _handle(self) -> None:
        docent = self.server.docent
        raw = self._read_body()
        split = urlsplit(self.path)
        query: dict[str, list[str]] = {}
        for key, value in parse_qsl(split.query, keep_blank_values=True):
            query.setdefault(key, []).append(value)
        body: Any = None
        body_is_json = False
        if raw:
            try:
                body = json.loads(raw)
                body_is_json = True
            except ValueError:
                body = None
        auth = self.headers.get("Authorization")
        docent._record(
            RecordedRequest(
                method=self.command,
                path=split.path,
                query=query,
                body=body,
                authorization=auth,
                content_type=self.headers.get("Content-Type"),
                headers=tuple((k.lower(), v) for k, v in self.headers.items()),
                raw_body=raw,
            )
        )
        latency = docent.latency
        if latency > 0 and docent._stopping.wait(latency):
            self._drop()
            return
        fault = docent._take_fault(split.path)
        if fault is not None:
            if fault.kind == "drop" or (fault.kind == "hang" and not docent._hold()):
                self._drop()
                return
            if fault.kind == "fail":
                phrase = http.HTTPStatus(fault.status).phrase
                self._send_json(fault.status, {"detail": f"{phrase} (injected by the test server)"})
                return
            if fault.kind == "html":
                self._send(fault.status, _HTML_502.encode(), "text/html")
                return
        segments = tuple(unquote(s) for s in split.path.split("/")[2:])
        request = _Request(self.command, segments, query, body, body_is_json)
        try:
            status, payload = docent._answer(split.path, request, auth)
        except _HttpError as exc:
            self._send_json(exc.status, {"detail": exc.detail})
        except Exception:
            self._send(500, b"Internal Server Error", "text/plain; charset=utf-8")
        else:
            self._send_json(status, payload)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _send_json(self, status: int, payload: Any) -> None:
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        self._send(status, data, "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            # The client went away (e.g. it timed out on a held request).
            self.close_connection = True


# ---------------------------------------------------------------------- command line


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.docent_server",
        description="Serve a generated demo collection over a Docent-compatible REST API.",
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free)")
    parser.add_argument("--runs", type=int, default=300, help="demo runs to serve (300)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="delay added per request")
    parser.add_argument("--api-key", default=TEST_API_KEY, help="the accepted API key")
    parser.add_argument("--json", action="store_true", help="print one JSON line of settings")
    return parser.parse_args(argv)


@contextlib.contextmanager
def _serve_demo(args: argparse.Namespace) -> Iterator[DocentTestServer]:
    from docent_tui.demo import generate_runs

    server = DocentTestServer(api_key=args.api_key, port=args.port)
    server.add_collection(
        REMOTE_COLLECTION_ID,
        REMOTE_COLLECTION_NAME,
        generate_runs(args.runs),
        description=f"{args.runs} generated demo runs",
    )
    server.latency = args.latency_ms / 1000.0
    with server:
        yield server


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    with _serve_demo(args) as server:
        info = {
            "base_url": server.base_url,
            "api_url": server.api_url,
            "frontend_url": server.frontend_url,
            "api_key": server.api_key,
            "collection_id": REMOTE_COLLECTION_ID,
            "runs": server.engine.run_count(REMOTE_COLLECTION_ID),
        }
        if args.json:
            print(json.dumps(info), flush=True)
        else:
            width = max(len(k) for k in info)
            for key, value in info.items():
                print(f"{key + ':':<{width + 2}}{value}")
            print(f"DOCENT_API_URL={server.api_url} DOCENT_FRONTEND_URL={server.frontend_url}")
            print("Serving until Ctrl-C.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
