"""Settings resolution: the recorded SDK 0.1.88 cases replayed, plus the pieces on their own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from docent_tui.core.remote.config import (
    ConfigError,
    DocentSettings,
    available_profiles,
    discover_config_file,
    domain_key,
    find_profile_for_host,
    read_dotenv,
    resolve_settings,
    url_host,
)

CASES_FILE = Path(__file__).parent / "data" / "sdk_config_cases.json"
RECORDED: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]


def build_world(root: Path, case: dict[str, Any]) -> dict[str, Any]:
    """Write the case's files under `root` and return the keyword arguments for resolution."""
    for relative, content in case.get("files", {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
    home = root / case["home"]
    cwd = root / case["cwd"]
    cwd.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    params = dict(case.get("params", {}))
    if "config_file" in params:
        params["config_file"] = Path(params["config_file"].replace("{root}", str(root)))
    environ = {**case.get("env", {}), "HOME": str(home)}
    return {**params, "environ": environ, "cwd": cwd, "home": home}


@pytest.mark.parametrize("case", RECORDED, ids=[case["name"] for case in RECORDED])
def test_recorded_sdk_case(case: dict[str, Any], tmp_path: Path) -> None:
    root = (tmp_path / "world").resolve()
    kwargs = build_world(root, case)
    expect = case["expect"]
    if "api_url" not in expect:
        with pytest.raises(ConfigError) as raised:
            resolve_settings(**kwargs)
        message = str(raised.value)
        assert "\n" not in message
        if expect["sdk_wording"]:
            assert message == expect["error"].replace("{root}", str(root))
        else:
            assert message.startswith("Cannot parse ")
            assert "secret_value" not in message
        return
    settings = resolve_settings(**kwargs)
    assert settings.api_key == expect["api_key"]
    assert settings.api_url == expect["api_url"]
    assert settings.frontend_url == expect["frontend_url"]
    assert settings.domain == expect["domain"]
    # The SDK keeps a blank default collection as ""; both mean "no default collection".
    assert settings.collection_id == (expect["collection_id"] or None)


def test_recording_covers_the_matrix() -> None:
    names = " ".join(case["name"] for case in RECORDED)
    assert len(RECORDED) >= 30
    for topic in ("INI", "dotenv", "interpolation", "local", "profile", "collection id", "global"):
        assert topic in names


def settings_with_key(key: str | None) -> DocentSettings:
    return DocentSettings(
        api_key=key,
        api_url="https://api.docent.example.com/rest",
        frontend_url="https://docent.example.com",
        domain="docent.example.com",
    )


def test_key_never_in_repr_or_str() -> None:
    settings = settings_with_key("dk_super_secret")
    assert "dk_super_secret" not in repr(settings)
    assert "dk_super_secret" not in str(settings)
    assert settings.has_api_key


@pytest.mark.parametrize("key", [None, "", "   "])
def test_blank_key_is_no_key(key: str | None) -> None:
    assert not settings_with_key(key).has_api_key


def test_defaults_with_nothing_configured(tmp_path: Path) -> None:
    settings = resolve_settings(environ={}, cwd=tmp_path, home=tmp_path / "home")
    assert settings.api_url == "https://api.docent.transluce.org/rest"
    assert settings.frontend_url == "https://docent.transluce.org"
    assert settings.api_host == "api.docent.transluce.org"
    assert settings.frontend_host == "docent.transluce.org"
    assert settings.api_key is None and settings.config_file is None and settings.profile is None


def test_process_environment_is_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCENT_API_KEY", "from_process")
    monkeypatch.setenv("DOCENT_DOMAIN", "proc.example.com")
    settings = resolve_settings(cwd=tmp_path, home=tmp_path / "home")
    assert settings.api_key == "from_process"
    assert settings.frontend_host == "proc.example.com"


def test_settings_record_file_and_section(tmp_path: Path) -> None:
    config = tmp_path / "docent.env"
    config.write_text("[prod]\nDOCENT_API_KEY=p\n[staging]\nDOCENT_API_KEY=s\n")
    settings = resolve_settings(environ={}, cwd=tmp_path, home=tmp_path)
    assert (settings.profile, settings.config_file) == ("prod", config)
    staging = resolve_settings(profile="staging", environ={}, cwd=tmp_path, home=tmp_path)
    assert (staging.profile, staging.api_key) == ("staging", "s")


def test_dotenv_file_has_no_profile(tmp_path: Path) -> None:
    (tmp_path / "docent.env").write_text("DOCENT_API_KEY=k\n")
    settings = resolve_settings(profile="ignored", environ={}, cwd=tmp_path, home=tmp_path)
    assert settings.profile is None and settings.api_key == "k"


def test_discovery_walks_up_then_home(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    home = tmp_path / "home"
    assert discover_config_file(deep, home) is None
    (home / ".docent").mkdir(parents=True)
    (home / ".docent" / "docent.env").write_text("X=1\n")
    assert discover_config_file(deep, home) == home / ".docent" / "docent.env"
    (tmp_path / "a" / "docent.env").write_text("X=2\n")
    assert discover_config_file(deep, home) == tmp_path / "a" / "docent.env"


def test_unreadable_config_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "docent.env").mkdir()
    with pytest.raises(ConfigError, match="Cannot read config file"):
        resolve_settings(environ={}, cwd=tmp_path, home=tmp_path)


def test_non_utf8_config_is_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "docent.env").write_bytes(b"DOCENT_API_KEY=\xff\xfe\n")
    with pytest.raises(ConfigError, match="Cannot read config file") as raised:
        resolve_settings(environ={}, cwd=tmp_path, home=tmp_path)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "content",
    [
        "DOCENT_API_KEY=dk_leak\n[default]\n",
        "[default]\nDOCENT_API_KEY dk_leak\n",
        "[default]\nDOCENT_API_KEY=dk_leak\nDOCENT_API_KEY=dk_leak\n",
        "[a]\nDOCENT_API_KEY=dk_leak\n[a]\n",
    ],
)
def test_ini_errors_never_echo_values(tmp_path: Path, content: str) -> None:
    (tmp_path / "docent.env").write_text(content)
    with pytest.raises(ConfigError) as raised:
        resolve_settings(environ={}, cwd=tmp_path, home=tmp_path)
    assert "dk_leak" not in str(raised.value) and "\n" not in str(raised.value)


def test_invalid_ipv6_domain_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Invalid Docent domain"):
        resolve_settings(domain="[::1", environ={}, cwd=tmp_path, home=tmp_path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\nB='two words'\nC=\"x\\ny\"\n", {"A": "1", "B": "two words", "C": "x\ny"}),
        ('A="\\q\\\\n"\n', {"A": "\\q\\n"}),
        ("A='\\n'\n", {"A": "\\n"}),
        ("export A=1 # c\n  # full comment\n\nB\nC=\n", {"A": "1", "C": ""}),
        ("A=${HOME_DIR}/x\nB=${A}/y\n", {"A": "/h/x", "B": "/h/x/y"}),
        ("A=${NOPE:-d}${EMPTY:-d}\n", {"A": "d"}),
        ("bad line\nA=1\n", {"A": "1"}),
        ("A=1\nA=2\n", {"A": "2"}),
        ("'quoted key'=v\n", {"quoted key": "v"}),
        ("A=a b c  \n", {"A": "a b c"}),
        ("\ufeffA=1\r\n", {"A": "1"}),
        ("", {}),
    ],
)
def test_read_dotenv(text: str, expected: dict[str, str]) -> None:
    assert read_dotenv(text, {"HOME_DIR": "/h", "EMPTY": ""}) == expected


PROFILES = """\
[default]
DOCENT_API_KEY=default_key

[staging]
DOCENT_API_KEY=staging_key
DOCENT_DOMAIN=staging.example.com

[selfhosted]
DOCENT_API_KEY=self_key
DOCENT_API_URL=https://docent-api.corp.example:8443
DOCENT_FRONTEND_URL=https://docent.corp.example

[broken]
DOCENT_DOMAIN=localhost
"""


def test_available_profiles(tmp_path: Path) -> None:
    assert available_profiles(environ={}, cwd=tmp_path, home=tmp_path) == []
    config = tmp_path / "docent.env"
    config.write_text("DOCENT_API_KEY=k\n")
    assert available_profiles(environ={}, cwd=tmp_path, home=tmp_path) == []
    config.write_text(PROFILES)
    assert available_profiles(environ={}, cwd=tmp_path, home=tmp_path) == [
        "default",
        "staging",
        "selfhosted",
        "broken",
    ]
    assert available_profiles(config_file=config) == ["default", "staging", "selfhosted", "broken"]


@pytest.mark.parametrize(
    ("host", "profile"),
    [
        ("docent.transluce.org", "default"),
        ("staging.example.com", "staging"),
        ("api.staging.example.com", "staging"),
        ("docent.corp.example", "selfhosted"),
        ("docent-api.corp.example:8443", "selfhosted"),
        ("DOCENT.CORP.EXAMPLE", "selfhosted"),
        ("evil.example.com", None),
        ("localhost", None),
    ],
)
def test_find_profile_for_host(tmp_path: Path, host: str, profile: str | None) -> None:
    (tmp_path / "docent.env").write_text(PROFILES)
    found = find_profile_for_host(host, environ={}, cwd=tmp_path, home=tmp_path)
    assert found == profile


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://Docent.Example.COM/x", "docent.example.com"),
        ("https://docent.example.com:443", "docent.example.com"),
        ("http://docent.example.com:80/", "docent.example.com"),
        ("http://docent.example.com:443/", "docent.example.com:443"),
        ("https://user:pw@evil.example/", "evil.example"),
        ("http://[::1]:8902/rest", "[::1]:8902"),
        ("http://localhost:8902/rest", "localhost:8902"),
        ("not a url", ""),
    ],
)
def test_url_host(url: str, host: str) -> None:
    assert url_host(url) == host


def test_domain_key() -> None:
    assert domain_key(" Docent.Example.com:8443 ") == "docent.example.com:8443"
    assert domain_key("docent.example.com:443") == "docent.example.com"
