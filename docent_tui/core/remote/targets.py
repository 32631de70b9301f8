"""What people type on the command line to name a remote collection, and which server it means.

A target is a Docent dashboard URL or a bare collection id. A pasted URL never makes the client
send the API key to a host other than the configured API host: another host needs a profile
for it, or the user's explicit confirmation (`Decision.NEEDS_CONFIRMATION`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Literal
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

from docent_tui.core.remote.config import (
    ConfigError,
    DocentSettings,
    find_profile_for_host,
    host_key,
    is_local_host,
    resolve_settings,
    settings_match_host,
)

__all__ = [
    "Decision",
    "Target",
    "TargetDecision",
    "parse_target",
    "settings_for_target",
    "web_url",
]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_HOSTNAME = re.compile(r"[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?\.?")
# Whitespace, control characters and backslashes have no place in a pasted dashboard URL.
_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\\]")


@dataclass(frozen=True)
class Target:
    """A collection (and maybe a run and a position in it) named on the command line."""

    kind: Literal["url", "collection_id"]
    collection_id: str
    scheme: str | None = None
    host: str | None = None
    run_id: str | None = None
    transcript_idx: int | None = None
    block_idx: int | None = None


class Decision(Enum):
    """Which settings to open a target with."""

    SAME = "same"  # the configured settings: a bare id, or a URL on the configured host
    PROFILE = "profile"  # another docent.env profile whose host is the URL's host
    NEEDS_CONFIRMATION = "needs_confirmation"  # a foreign host; ask before sending the key
    URL_HOST = "url_host"  # a foreign host, but there is no key to send


@dataclass(frozen=True)
class TargetDecision:
    """The decision and the settings that go with it (for NEEDS_CONFIRMATION: if confirmed)."""

    kind: Decision
    settings: DocentSettings
    profile: str | None = None


# --- parsing -----------------------------------------------------------------------------------


def parse_target(text: str) -> Target | None:
    """A Docent dashboard URL or a bare 36-character collection UUID; None for anything else."""
    candidate = text.strip()
    if _UUID.fullmatch(candidate):
        return Target(kind="collection_id", collection_id=candidate)
    if _UNSAFE.search(candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = _url_host(parts)
    ids = _dashboard_ids(parts.path)
    if host is None or ids is None:
        return None
    query = parse_qs(parts.query)
    return Target(
        kind="url",
        collection_id=ids[0],
        scheme=parts.scheme.lower(),
        host=host,
        run_id=ids[1],
        transcript_idx=_index(query, "transcript_idx"),
        block_idx=_index(query, "block_idx"),
    )


def _url_host(parts: SplitResult) -> str | None:
    """`host[:port]` the URL really points at (userinfo dropped), or None if it is not sane."""
    try:
        hostname, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not hostname or not _valid_hostname(hostname):
        return None
    return host_key(parts.scheme, hostname, port)


def _valid_hostname(hostname: str) -> bool:
    if ":" in hostname:
        try:
            ipaddress.IPv6Address(hostname)
        except ValueError:
            return False
        return True
    return _HOSTNAME.fullmatch(hostname) is not None


def _segment(raw: str) -> str | None:
    """A decoded path segment used as an id; None if empty or holding unsafe characters."""
    value = unquote(raw)
    if not value or _UNSAFE.search(value) or "/" in value:
        return None
    return value


def _dashboard_ids(path: str) -> tuple[str, str | None] | None:
    """(collection id, run id) from `.../dashboard/<cid>[/.../agent_run/<rid>...]`."""
    segments = [segment for segment in path.split("/") if segment]
    if "dashboard" not in segments:
        return None
    rest = segments[segments.index("dashboard") + 1 :]
    collection_id = _segment(rest[0]) if rest else None
    if collection_id is None:
        return None
    run_id = None
    if "agent_run" in rest[1:]:
        after = rest[rest.index("agent_run", 1) + 1 :]
        run_id = _segment(after[0]) if after else None
    return collection_id, run_id


def _index(query: Mapping[str, list[str]], name: str) -> int | None:
    """A non-negative integer query parameter, or None when absent or not a number."""
    values = query.get(name)
    if not values or not values[0].isascii() or not values[0].isdigit():
        return None
    return int(values[0])


# --- links -------------------------------------------------------------------------------------


def web_url(frontend_url: str, collection_id: str, run_id: str | None = None) -> str:
    """The web UI page of a collection, or of one of its runs (ids escaped as path segments)."""
    url = f"{frontend_url.rstrip('/')}/dashboard/{quote(collection_id, safe='')}"
    if run_id is None:
        return url
    return f"{url}/agent_run/{quote(run_id, safe='')}"


# --- which server ------------------------------------------------------------------------------


def settings_for_target(
    target: Target, settings: DocentSettings, *, environ: Mapping[str, str] | None = None
) -> TargetDecision:
    """Decide which settings open `target` without leaking the key to a pasted host.

    Raises ConfigError for a foreign local or IP-address host that no profile describes,
    because its API URL cannot be derived from the web address.
    """
    host = target.host
    if target.kind == "collection_id" or host is None or settings_match_host(settings, host):
        return TargetDecision(Decision.SAME, settings)
    profile = _profile_for(host, settings, environ)
    if profile is not None:
        return profile
    if is_local_host(host) or _is_ip_literal(host):
        raise ConfigError(
            f"{host} is not the configured Docent host and no docent.env profile names it; "
            "a local or IP-address host needs a profile with DOCENT_API_URL and "
            "DOCENT_FRONTEND_URL"
        )
    kind = Decision.NEEDS_CONFIRMATION if settings.has_api_key else Decision.URL_HOST
    return TargetDecision(kind, _settings_for_host(target, host, settings))


def _profile_for(
    host: str, settings: DocentSettings, environ: Mapping[str, str] | None
) -> TargetDecision | None:
    """Another profile in the same config file whose host is `host`."""
    if settings.config_file is None:
        return None
    source = settings.config_file
    name = find_profile_for_host(host, environ=environ, config_file=source)
    if name is None:
        return None
    chosen = resolve_settings(profile=name, environ=environ, config_file=source)
    return TargetDecision(Decision.PROFILE, chosen, name)


def _is_ip_literal(host: str) -> bool:
    hostname = urlsplit(f"//{host}").hostname or ""
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True


def _settings_for_host(target: Target, host: str, settings: DocentSettings) -> DocentSettings:
    """What `Docent.from_url(url)` would use: the URL's host as the domain, the same key."""
    return replace(
        settings,
        api_key=settings.api_key if settings.has_api_key else None,
        api_url=f"https://api.{host}/rest",
        frontend_url=f"{target.scheme or 'https'}://{host}",
        domain=host,
        collection_id=target.collection_id,
        profile=None,
        config_file=None,
    )
