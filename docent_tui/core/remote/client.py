"""The async HTTP client for Docent's REST API: the SDK's requests, with retries and clear errors.

Every operation sends the same method, path, query and JSON body as the official SDK 0.1.88 call
it mirrors (docent-api.md §A.7, §C.1), so a server that serves the SDK serves this client; the one
deliberate difference is `include_counts=true` on the collection list. Answers are plain JSON.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from docent_tui.core.dql import DQLError, _line_col_to_offset
from docent_tui.core.remote.errors import (
    BadResponse,
    NotAuthorised,
    NotFound,
    RemoteError,
    ServerUnavailable,
)
from docent_tui.core.sanitize import one_line

__all__ = [
    "DEFAULT_TIMEOUT",
    "DocentClient",
    "FetchedRun",
    "RemoteSettings",
    "default_backoff",
]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(connect=10.0, read=60.0, write=60.0, pool=60.0)
"""Connect fast or fail; `read` is per gap between bytes, so a multi-megabyte run streams on."""

RETRIED_STATUSES = frozenset({502, 503, 504})
"""Gateway answers that say the server is down or restarting: worth asking again."""

THREAD_PARSE_BYTES = 256 * 1024
"""Bodies at least this big are parsed in a worker thread so the event loop never stalls."""

_DETAIL_LIMIT = 500
_MESSAGE_LIMIT = 1000
_TRACE_HEADERS = ("x-amzn-trace-id", "x-request-id", "x-amz-cf-id")
_HTML_HINT = (
    "Non-API response (HTML) from {url}. This usually means the URL is not pointing at a "
    "Docent API server. The API is typically at api.<domain>."
)
_KEY_FIX = "Set DOCENT_API_KEY in the environment or in docent.env (run `docent setup`)."
_LINE_COL = re.compile(r"Line (\d+), Col: (\d+)\.")
_UNDERLINED = re.compile(r"\x1b\[4m(.*?)\x1b\[0m", re.DOTALL)


class RemoteSettings(Protocol):
    """What the client and the remote backend read from `DocentSettings`."""

    @property
    def api_key(self) -> str | None: ...

    @property
    def api_url(self) -> str: ...

    @property
    def frontend_url(self) -> str: ...


@dataclass(frozen=True)
class FetchedRun:
    """An agent run as the server sent it (`body`, for caching) and parsed (`run`)."""

    body: bytes
    run: dict[str, Any]


def default_backoff(attempt: int) -> float:
    """Seconds to wait before retry `attempt + 1`: 0.5, 1, 2, ..."""
    return 0.5 * 2.0**attempt


def segment(value: str) -> str:
    """One URL path segment; ids are untrusted text, so `/`, `?` and `#` are escaped."""
    return quote(value, safe="")


def host_of(api_url: str) -> str:
    """The host (and port, when not the default) of a URL, without any userinfo."""
    try:
        url = httpx.URL(api_url)
    except (httpx.InvalidURL, TypeError):
        return one_line(api_url, 80)
    host = url.host or api_url
    return f"{host}:{url.port}" if url.port is not None else host


def cache_origin(api_url: str) -> str:
    """The API URL as a cache key: without userinfo, so no password is ever written."""
    try:
        return str(httpx.URL(api_url).copy_with(username=None, password=None))
    except (httpx.InvalidURL, TypeError):
        return api_url


class DocentClient:
    """One pooled connection to a Docent API; use as `async with DocentClient(settings):`.

    Reads that fail with 5xx, a timeout or a dropped connection are retried `retries` times,
    waiting `backoff(attempt)` seconds via `sleep` (both injectable so tests need no delays);
    4xx answers are never retried. Redirects are not followed: a redirect to another host must
    not carry the key, and a Docent API does not redirect its read endpoints.
    """

    def __init__(
        self,
        settings: RemoteSettings,
        *,
        timeout: httpx.Timeout | None = None,
        retries: int = 3,
        backoff: Callable[[int], float] = default_backoff,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.api_url = settings.api_url
        self.host = host_of(settings.api_url)
        self.retries = max(0, retries)
        # Set while the server is known to be unreachable: one attempt, so the UI answers fast.
        self.offline = False
        self._backoff = backoff
        self._sleep = sleep
        self._key = settings.api_key or ""
        # Optional on RemoteSettings: DocentSettings says where the key came from.
        self._key_source = getattr(settings, "api_key_source", None)
        headers = {"Accept": "application/json"}
        if self._key:
            headers["Authorization"] = f"Bearer {self._key}"
        self._http = httpx.AsyncClient(
            base_url=settings.api_url,
            headers=headers,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
            follow_redirects=False,
            transport=transport,
        )

    def __repr__(self) -> str:
        key = "set" if self._key else "not set"
        return f"DocentClient(api_url={self.api_url!r}, api_key={key})"

    async def __aenter__(self) -> DocentClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ------------------------------------------------------------------ operations

    async def check_key(self) -> None:
        """`GET /api-keys/test`: returns when the server accepts the key (the body is unused)."""
        response = await self._request("GET", "/api-keys/test")
        if response.status_code == 403 and not _is_html(response):
            raise NotAuthorised(self._unauthorised_message(response, 403), 403)
        self._check(response, resource="the API key test")

    async def list_collections(self) -> list[dict[str, Any]]:
        """`GET /collections?include_counts=true`: the collections the key may read."""
        response = await self._request("GET", "/collections", params={"include_counts": "true"})
        self._check(response, resource="the collection list")
        body = await self._json(response)
        if not isinstance(body, list):
            raise BadResponse(self._clean(f"The collection list from {self.host} is not a list."))
        return [row for row in body if isinstance(row, dict)]

    async def get_collection(self, collection_id: str) -> dict[str, Any]:
        """`GET /{cid}/collection_details`; NotFound for a 404 or a `null` answer."""
        path = f"/{segment(collection_id)}/collection_details"
        resource = f"collection {collection_id}"
        response = await self._request("GET", path)
        self._check(response, resource=resource)
        body = await self._json(response)
        if body is None:
            raise NotFound(self._clean(f"Collection {collection_id} not found"), 404)
        if not isinstance(body, dict):
            raise BadResponse(self._clean(f"The details of {resource} are not a JSON object."))
        return body

    async def execute_dql(
        self, collection_id: str, dql: str, max_rows: int | None = None
    ) -> dict[str, Any]:
        """`POST /dql/{cid}/execute`; a 400 (every DQL error) raises DQLError with a position."""
        if not dql.strip():
            raise DQLError("dql must be a non-empty string")
        if max_rows is not None and max_rows <= 0:
            raise ValueError("max_rows must be a positive integer when provided")
        body: dict[str, Any] = {"dql": dql, "source": "endpoint", "surface": "sdk"}
        if max_rows is not None:
            body["max_rows"] = max_rows
        path = f"/dql/{segment(collection_id)}/execute"
        response = await self._request("POST", path, json_body=body)
        if response.status_code == 400 and not _is_html(response):
            detail = _raw_detail(response)
            if self._key:
                detail = detail.replace(self._key, "[API key]")
            raise DQLError(detail, _error_position(detail, dql))
        self._check(response, resource=f"collection {collection_id}")
        answer = await self._json(response)
        if not isinstance(answer, dict):
            raise BadResponse(self._clean(f"The DQL answer from {self.host} is not an object."))
        return answer

    async def get_dql_schema(self, collection_id: str) -> dict[str, Any]:
        """`GET /dql/{cid}/schema`: tables, columns and discovered JSON paths."""
        response = await self._request("GET", f"/dql/{segment(collection_id)}/schema")
        self._check(response, resource=f"collection {collection_id}")
        body = await self._json(response)
        if not isinstance(body, dict):
            raise BadResponse(self._clean(f"The DQL schema from {self.host} is not an object."))
        return body

    async def get_metadata_fields(self, collection_id: str) -> dict[str, Any]:
        """`GET /{cid}/agent_run_metadata_fields` with the SDK's default query."""
        params = {"metadata_only": "true", "include_sample_values": "false", "sample_limit": "10"}
        path = f"/{segment(collection_id)}/agent_run_metadata_fields"
        response = await self._request("GET", path, params=params)
        self._check(response, resource=f"collection {collection_id}")
        body = await self._json(response)
        if not isinstance(body, dict):
            raise BadResponse(
                self._clean(f"The metadata fields from {self.host} are not an object.")
            )
        return body

    async def get_agent_run(self, collection_id: str, run_id: str) -> dict[str, Any] | None:
        """`GET /{cid}/agent_run?agent_run_id=`: the AgentRun JSON, or None (`null`) if absent."""
        fetched = await self.fetch_agent_run(collection_id, run_id)
        return None if fetched is None else fetched.run

    async def fetch_agent_run(self, collection_id: str, run_id: str) -> FetchedRun | None:
        """`get_agent_run` keeping the body as sent, so a cache can store it byte for byte."""
        path = f"/{segment(collection_id)}/agent_run"
        response = await self._request("GET", path, params={"agent_run_id": run_id})
        self._check(response, resource=f"collection {collection_id}")
        run = await self._json(response, threaded=True)
        if run is None:
            return None
        if not isinstance(run, dict):
            raise BadResponse(self._clean(f"Agent run {run_id} from {self.host} is not an object."))
        return FetchedRun(response.content, run)

    # ------------------------------------------------------------------ transport

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
    ) -> httpx.Response:
        """Send with retries; returns any answer below 500, else raises ServerUnavailable."""
        attempt = 0
        while True:
            status: int | None = None
            try:
                response = await self._http.request(method, path, params=params, json=json_body)
            except httpx.UnsupportedProtocol:
                raise RemoteError(
                    self._clean(f"The Docent API URL {self.api_url} is not an http(s) URL.")
                ) from None
            except httpx.ReadTimeout as exc:
                # A server that stopped answering would hold each retry as long again.
                seconds = self._http.timeout.read
                message = f"Docent at {self.host} did not answer within {seconds:.0f} s"
                raise ServerUnavailable(self._clean(message)) from exc
            except httpx.TransportError as exc:
                failure = _describe_transport_error(exc)
            else:
                if response.status_code < 500:
                    return response
                status = response.status_code
                failure = f"HTTP {status}: {self._detail(response)}"
                if status not in RETRIED_STATUSES:
                    # The server answered: it is up, but failed on this request.
                    message = f"Docent at {self.host} failed on this request: {failure}"
                    raise RemoteError(self._clean(message), status)
            if attempt >= (0 if self.offline else self.retries):
                tries = f" (after {attempt + 1} attempts)" if attempt else ""
                message = f"Could not reach Docent at {self.host}: {failure}{tries}"
                raise ServerUnavailable(self._clean(message), status) from None
            delay = self._backoff(attempt)
            logger.debug(
                "%s %s failed (%s); retry %d of %d in %.1f s",
                method,
                path,
                self._clean(failure),
                attempt + 1,
                self.retries,
                delay,
            )
            await self._sleep(delay)
            attempt += 1

    def _check(self, response: httpx.Response, *, resource: str) -> None:
        """Raise the error an answer below 500 stands for; return for a 2xx."""
        status = response.status_code
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            where = f" to {one_line(location, 200)}" if location else ""
            message = (
                f"Docent at {self.host} answered with a redirect{where} (HTTP {status}); "
                "set DOCENT_API_URL to the API's own address."
            )
            raise BadResponse(self._clean(message), status)
        if _is_html(response):
            raise BadResponse(self._clean(self._detail(response)), status)
        if status == 401:
            raise NotAuthorised(self._unauthorised_message(response, 401), 401)
        if status == 403:
            message = (
                f"Docent refused access to {resource} (HTTP 403: {self._detail(response)}): "
                "the API key has no permission to read it; ask its owner to share it "
                "or use a key that can."
            )
            raise NotAuthorised(self._clean(message), 403)
        if status == 404:
            raise NotFound(self._clean(f"Not found (HTTP 404): {self._detail(response)}"), 404)
        raise RemoteError(self._clean(f"HTTP {status}: {self._detail(response)}"), status)

    def _unauthorised_message(self, response: httpx.Response, status: int) -> str:
        detail = self._detail(response)
        if not self._key:
            return self._clean(f"Docent needs an API key (HTTP {status}: {detail}). {_KEY_FIX}")
        source = f" from {self._key_source}" if self._key_source else ""
        return self._clean(
            f"Docent rejected the API key{source} (HTTP {status}: {detail}). {_KEY_FIX}"
        )

    def _detail(self, response: httpx.Response) -> str:
        """The SDK's error text for an answer: JSON `detail`, HTML hint or raw text, trace ids."""
        if _is_html(response) and not _is_json(response):
            detail = _HTML_HINT.format(url=_url_without_userinfo(response))
        else:
            detail = _raw_detail(response)
        traces = [
            f"{name}={response.headers[name]}"
            for name in _TRACE_HEADERS
            if name in response.headers
        ]
        if traces:
            detail = f"{detail} [{' '.join(traces)}]".strip()
        return detail

    async def _json(self, response: httpx.Response, *, threaded: bool = False) -> Any:
        """Parse a 2xx body (in a thread when big); BadResponse when it is not JSON."""
        if _is_html(response) and not _is_json(response):
            raise BadResponse(self._clean(self._detail(response)), response.status_code)
        content = response.content
        try:
            if threaded or len(content) >= THREAD_PARSE_BYTES:
                return await asyncio.to_thread(json.loads, content)
            return json.loads(content)
        except (ValueError, UnicodeDecodeError):
            url = _url_without_userinfo(response)
            raise BadResponse(
                self._clean(f"Docent sent an answer that is not JSON from {url}."),
                response.status_code,
            ) from None

    def _clean(self, text: str) -> str:
        """One safe line, never holding the API key (a server may echo what it was sent)."""
        if self._key:
            text = text.replace(self._key, "[API key]")
        return one_line(text, _MESSAGE_LIMIT)


def _is_html(response: httpx.Response) -> bool:
    return "html" in response.headers.get("content-type", "").lower()


def _is_json(response: httpx.Response) -> bool:
    return "json" in response.headers.get("content-type", "").lower()


def _url_without_userinfo(response: httpx.Response) -> str:
    return str(response.request.url.copy_with(username=None, password=None))


def _raw_detail(response: httpx.Response) -> str:
    """`detail` from a JSON error body, else the text, cut at 500 characters like the SDK."""
    text = response.text
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and "detail" in data:
        return _format_detail(data["detail"])
    if len(text) > _DETAIL_LIMIT:
        return text[:_DETAIL_LIMIT] + f"... ({len(text)} chars total, truncated)"
    return text


def _format_detail(detail: Any) -> str:
    """A FastAPI detail: a string as is, a 422 list as `loc: msg; ...`."""
    if isinstance(detail, str):
        return detail
    if isinstance(detail, list):
        parts = []
        for item in detail:
            if isinstance(item, dict) and "msg" in item:
                loc = item.get("loc")
                where = ".".join(str(p) for p in loc) if isinstance(loc, list) else ""
                parts.append(f"{where}: {item['msg']}" if where else str(item["msg"]))
            else:
                parts.append(str(item))
        return "; ".join(parts)
    return json.dumps(detail, ensure_ascii=False, default=str)


def _error_position(detail: str, dql: str) -> int | None:
    """Offset in `dql` of sqlglot's "Line L, Col: C." with the underlined token, if any."""
    match = _LINE_COL.search(detail)
    if match is None:
        return None
    underlined = _UNDERLINED.search(detail)
    highlight = underlined.group(1) if underlined is not None else ""
    return _line_col_to_offset(dql, int(match.group(1)), int(match.group(2)), highlight)


def _describe_transport_error(exc: httpx.TransportError) -> str:
    """A short phrase for a failure below HTTP; httpx's own text is often empty."""
    text = str(exc).strip()
    if isinstance(exc, httpx.TimeoutException):
        phrase = {
            httpx.ConnectTimeout: "connecting timed out",
            httpx.ReadTimeout: "the server stopped answering (read timed out)",
            httpx.WriteTimeout: "sending timed out",
            httpx.PoolTimeout: "no free connection (timed out)",
        }.get(type(exc), "timed out")
        return phrase
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed ({text})" if text else "connection failed"
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError):
        return "the connection was dropped before an answer"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
