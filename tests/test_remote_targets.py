"""Command-line targets: parsing pasted URLs and ids, and never leaking the key to a pasted host."""

from __future__ import annotations

from pathlib import Path

import pytest

from docent_tui.core.remote.config import ConfigError, DocentSettings, resolve_settings
from docent_tui.core.remote.targets import (
    Decision,
    Target,
    parse_target,
    settings_for_target,
    web_url,
)

CID = "668354d8-6f0d-4b6a-9a5e-2c1f3e4d5a6b"
RID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
HOSTED = "https://docent.transluce.org"
KEY = "dk_secret_key"


def hosted(key: str | None = KEY, config_file: Path | None = None) -> DocentSettings:
    return DocentSettings(
        api_key=key,
        api_url="https://api.docent.transluce.org/rest",
        frontend_url=HOSTED,
        domain="docent.transluce.org",
        config_file=config_file,
    )


def url_target(url: str) -> Target:
    target = parse_target(url)
    assert target is not None, url
    return target


# --- parse_target ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "collection_id", "run_id"),
    [
        (f"{HOSTED}/dashboard/{CID}", CID, None),
        (f"{HOSTED}/dashboard/{CID}/", CID, None),
        (f"{HOSTED}/dashboard/{CID}/agent_run/{RID}", CID, RID),
        (f"{HOSTED}/dashboard/{CID}/agent_run/{RID}/", CID, RID),
        (f"{HOSTED}/dashboard/{CID}/agent_run?filter=abc", CID, None),
        (f"{HOSTED}/dashboard/{CID}/agent_run/?filter=abc", CID, None),
        (f"{HOSTED}/dashboard/{CID}/rubric/r1/agent_run/{RID}/result/x", CID, RID),
        (f"{HOSTED}/dashboard/{CID}/reports/rep1", CID, None),
        (f"{HOSTED}/dashboard/{CID}#fragment", CID, None),
        (f"  {HOSTED}/dashboard/{CID}  ", CID, None),
        (f"{HOSTED}/docent/dashboard/{CID}", CID, None),
        (f"{HOSTED}//dashboard//{CID}", CID, None),
        ("https://user:pw@evil.com/dashboard/x", "x", None),
        (f"{HOSTED}/dashboard/a%20b", None, None),
        (f"{HOSTED}/dashboard/a%2Fb", None, None),
        (f"{HOSTED}/dashboard/{CID}/agent_run/%0a", CID, None),
    ],
)
def test_dashboard_urls(text: str, collection_id: str | None, run_id: str | None) -> None:
    target = parse_target(text)
    if collection_id is None:
        assert target is None
        return
    assert target is not None
    assert (target.kind, target.collection_id, target.run_id) == ("url", collection_id, run_id)


def test_url_fields() -> None:
    target = url_target(
        f"HTTPS://Docent.Transluce.ORG/dashboard/{CID}/agent_run/{RID}?transcript_idx=2&block_idx=15"
    )
    assert target == Target(
        kind="url",
        collection_id=CID,
        scheme="https",
        host="docent.transluce.org",
        run_id=RID,
        transcript_idx=2,
        block_idx=15,
    )


@pytest.mark.parametrize(
    ("query", "transcript_idx", "block_idx"),
    [
        ("", None, None),
        ("?block_idx=3", None, 3),
        ("?transcript_idx=0&block_idx=0&block_idx_2=9&searchQuery=x", 0, 0),
        ("?transcript_idx=-1&block_idx=abc", None, None),
        ("?block_idx=%C2%B2", None, None),
        ("?block_idx=4&block_idx=5", None, 4),
    ],
)
def test_query_indices(query: str, transcript_idx: int | None, block_idx: int | None) -> None:
    target = url_target(f"{HOSTED}/dashboard/{CID}/agent_run/{RID}{query}")
    assert (target.transcript_idx, target.block_idx) == (transcript_idx, block_idx)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://user:pw@evil.com/dashboard/x", "evil.com"),
        ("https://docent.transluce.org@evil.com/dashboard/x", "evil.com"),
        ("https://DOCENT.transluce.org/dashboard/x", "docent.transluce.org"),
        ("https://docent.transluce.org:443/dashboard/x", "docent.transluce.org"),
        ("http://docent.transluce.org:80/dashboard/x", "docent.transluce.org"),
        ("http://docent.transluce.org:443/dashboard/x", "docent.transluce.org:443"),
        ("http://localhost:3000/dashboard/x", "localhost:3000"),
        ("http://127.0.0.1:3000/dashboard/x", "127.0.0.1:3000"),
        ("http://[::1]:3000/dashboard/x", "[::1]:3000"),
        ("https://[2001:DB8::1]/dashboard/x", "[2001:db8::1]"),
    ],
)
def test_url_hosts(url: str, host: str) -> None:
    target = url_target(url)
    assert target.host == host


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "runs.jsonl",
        "logs/dashboard/abc",
        "docent.transluce.org/dashboard/x",
        "ftp://docent.transluce.org/dashboard/x",
        "javascript:alert(1)//dashboard/x",
        "file:///dashboard/x",
        f"{HOSTED}/",
        f"{HOSTED}/dashboard",
        f"{HOSTED}/dashboard/",
        f"{HOSTED}/collections/{CID}",
        "https:///dashboard/x",
        "https://evil.com\\@docent.transluce.org/dashboard/x",
        "https://evil .com/dashboard/x",
        "https://evil.com:99999/dashboard/x",
        "https://evil.com:port/dashboard/x",
        "https://[::1/dashboard/x",
        "https://[zz::1]/dashboard/x",
        "https://ev%69l.com/dashboard/x",
        "https://évil.com/dashboard/x",
        f"{HOSTED}/dashboard/{CID}\x1b[31m",
        CID[:-1],
        CID + "0",
        CID.replace("-", ""),
        "{" + CID + "}",
        CID.replace("6", "g", 1),
        f"{CID}.json",
        f"{CID} extra",
    ],
)
def test_junk_is_not_a_target(text: str) -> None:
    assert parse_target(text) is None


@pytest.mark.parametrize("text", [CID, CID.upper(), f"  {CID}\n"])
def test_bare_collection_id(text: str) -> None:
    target = parse_target(text)
    assert target == Target(kind="collection_id", collection_id=text.strip())


# --- web_url -----------------------------------------------------------------------------------


def test_web_url() -> None:
    assert web_url(HOSTED, CID) == f"{HOSTED}/dashboard/{CID}"
    assert web_url(HOSTED + "/", CID, RID) == f"{HOSTED}/dashboard/{CID}/agent_run/{RID}"
    assert web_url("http://localhost:3000", "a/b?c", "r#1") == (
        "http://localhost:3000/dashboard/a%2Fb%3Fc/agent_run/r%231"
    )


def test_web_url_round_trips_through_parse_target() -> None:
    target = url_target(web_url(HOSTED, CID, RID))
    assert (target.collection_id, target.run_id, target.host) == (CID, RID, "docent.transluce.org")


# --- settings_for_target -----------------------------------------------------------------------


def test_bare_id_uses_configured_settings() -> None:
    settings = hosted()
    decision = settings_for_target(url_target(CID), settings)
    assert (decision.kind, decision.settings) == (Decision.SAME, settings)


@pytest.mark.parametrize(
    "url",
    [
        f"{HOSTED}/dashboard/{CID}",
        f"http://docent.transluce.org/dashboard/{CID}",
        f"https://DOCENT.TRANSLUCE.ORG:443/dashboard/{CID}",
        f"https://someone@docent.transluce.org/dashboard/{CID}",
        f"https://api.docent.transluce.org/dashboard/{CID}",
    ],
)
def test_configured_host_uses_configured_settings(url: str) -> None:
    settings = hosted()
    decision = settings_for_target(url_target(url), settings)
    assert (decision.kind, decision.settings) == (Decision.SAME, settings)


FOREIGN = [
    "https://evil.com/dashboard/x",
    "https://user:pw@evil.com/dashboard/x",
    "https://docent.transluce.org@evil.com/dashboard/x",
    "https://docent.transluce.org.evil.com/dashboard/x",
    "https://docent.transluce.org:8443/dashboard/x",
    "http://docent.transluce.org:443/dashboard/x",
    "https://evil.com:8443/dashboard/x",
]


@pytest.mark.parametrize("url", FOREIGN)
def test_foreign_host_needs_confirmation(url: str) -> None:
    target = url_target(url)
    decision = settings_for_target(target, hosted())
    assert decision.kind is Decision.NEEDS_CONFIRMATION
    # What would be used if the user says yes: the URL's host, as Docent.from_url does.
    assert decision.settings.domain == target.host
    assert decision.settings.api_url == f"https://api.{target.host}/rest"
    assert decision.settings.frontend_url == f"{target.scheme}://{target.host}"
    assert decision.settings.collection_id == target.collection_id
    assert decision.settings.api_key == KEY
    assert KEY not in repr(decision)


@pytest.mark.parametrize("url", FOREIGN)
def test_foreign_host_without_key_needs_no_confirmation(url: str) -> None:
    decision = settings_for_target(url_target(url), hosted(key=None))
    assert decision.kind is Decision.URL_HOST
    assert decision.settings.api_key is None


def test_foreign_host_with_blank_key_sends_none() -> None:
    decision = settings_for_target(url_target(FOREIGN[0]), hosted(key="  "))
    assert (decision.kind, decision.settings.api_key) == (Decision.URL_HOST, None)


def test_http_url_keeps_https_api() -> None:
    decision = settings_for_target(url_target("http://other.example/dashboard/x"), hosted())
    assert decision.settings.api_url == "https://api.other.example/rest"
    assert decision.settings.frontend_url == "http://other.example"


LOCAL = DocentSettings(
    api_key=KEY,
    api_url="http://localhost:8902/rest",
    frontend_url="http://localhost:3000",
    domain="docent.transluce.org",
)


@pytest.mark.parametrize(
    "url",
    [
        f"http://localhost:3000/dashboard/{CID}",
        f"http://LOCALHOST:3000/dashboard/{CID}/agent_run/x",
    ],
)
def test_local_url_matching_configured_frontend_is_same(url: str) -> None:
    decision = settings_for_target(url_target(url), LOCAL)
    assert (decision.kind, decision.settings) == (Decision.SAME, LOCAL)


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:3001/dashboard/x",
        "http://127.0.0.1:3000/dashboard/x",
        "http://[::1]:3000/dashboard/x",
        "http://0.0.0.0:3000/dashboard/x",
        "https://10.1.2.3/dashboard/x",
        "https://[2001:db8::1]/dashboard/x",
    ],
)
def test_unconfigured_local_or_ip_host_is_an_error(url: str) -> None:
    with pytest.raises(ConfigError, match="needs a profile") as raised:
        settings_for_target(url_target(url), LOCAL)
    assert KEY not in str(raised.value)


PROFILES = """\
[default]
DOCENT_API_KEY=default_key

[staging]
DOCENT_API_KEY=staging_key
DOCENT_DOMAIN=staging.example.com

[local]
DOCENT_API_KEY=local_key
DOCENT_API_URL=http://localhost:8902
DOCENT_FRONTEND_URL=http://localhost:3000
"""


@pytest.fixture
def profiled(tmp_path: Path) -> DocentSettings:
    (tmp_path / "docent.env").write_text(PROFILES)
    return resolve_settings(environ={}, cwd=tmp_path, home=tmp_path)


@pytest.mark.parametrize(
    ("url", "profile", "key", "api_url"),
    [
        (
            "https://staging.example.com/dashboard/x",
            "staging",
            "staging_key",
            "staging.example.com",
        ),
        ("http://localhost:3000/dashboard/x", "local", "local_key", "localhost:8902"),
    ],
)
def test_profile_for_url_host(
    profiled: DocentSettings, url: str, profile: str, key: str, api_url: str
) -> None:
    assert profiled.profile == "default"
    decision = settings_for_target(url_target(url), profiled, environ={})
    assert (decision.kind, decision.profile) == (Decision.PROFILE, profile)
    assert decision.settings.profile == profile
    assert decision.settings.api_key == key
    assert decision.settings.api_host in (api_url, f"api.{api_url}")


def test_profile_lookup_still_confirms_unknown_hosts(profiled: DocentSettings) -> None:
    decision = settings_for_target(url_target("https://evil.com/dashboard/x"), profiled, environ={})
    assert decision.kind is Decision.NEEDS_CONFIRMATION


@pytest.mark.parametrize(
    "url",
    [
        *FOREIGN,
        f"{HOSTED}/dashboard/{CID}",
        "https://staging.example.com/dashboard/x",
        "http://localhost:3000/dashboard/x",
        "https://api.staging.example.com/dashboard/x",
    ],
)
def test_key_only_reaches_configured_hosts_without_confirmation(
    profiled: DocentSettings, url: str
) -> None:
    """The safety rule itself: any decision not asking first targets a configured API host."""
    configured = {"api.docent.transluce.org", "api.staging.example.com", "localhost:8902"}
    decision = settings_for_target(url_target(url), profiled, environ={})
    if decision.kind is not Decision.NEEDS_CONFIRMATION:
        assert decision.settings.api_host in configured or not decision.settings.has_api_key
