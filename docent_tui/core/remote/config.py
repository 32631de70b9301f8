"""Finding the Docent server and credentials exactly as the official SDK 0.1.88 does.

Sources, highest first: explicit arguments, the environment, then one config file named
`docent.env` (the nearest one from the working directory upward, else `~/.docent/docent.env`).
The API key is the exception: the config file beats the environment, as in the SDK's code.
Nothing here ever puts the API key into a message, a repr or a log line.
"""

from __future__ import annotations

import configparser
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "CONFIG_FILE_NAME",
    "DEFAULT_DOMAIN",
    "LOCAL_DOMAINS",
    "ConfigError",
    "DocentSettings",
    "available_profiles",
    "discover_config_file",
    "domain_key",
    "find_profile_for_host",
    "host_key",
    "is_local_host",
    "read_dotenv",
    "resolve_settings",
    "settings_match_host",
    "url_host",
]

CONFIG_FILE_NAME = "docent.env"
DEFAULT_DOMAIN = "docent.transluce.org"
LOCAL_DOMAINS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1"})
DEFAULT_PORTS = {"https": 443, "http": 80}
LOCAL_DOMAIN_MESSAGE = (
    "Local domains require explicit DOCENT_API_URL and DOCENT_FRONTEND_URL "
    "(or pass both api_url and frontend_url)."
)


class ConfigError(Exception):
    """Settings that cannot be resolved; `str(error)` is one line and never holds the key."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DocentSettings:
    """Where the Docent server is and how to authenticate to it."""

    api_key: str | None = field(repr=False)
    api_url: str
    frontend_url: str
    domain: str
    collection_id: str | None = None
    profile: str | None = None
    config_file: Path | None = None
    api_key_source: str | None = None
    """Where the key came from, to name in "rejected" messages (never the key itself)."""
    notes: tuple[str, ...] = ()
    """Things worth telling the user, such as a --profile that a plain file ignores."""

    @property
    def api_host(self) -> str:
        """Lower-case `host[:port]` of the API URL (the only host the key is sent to)."""
        return url_host(self.api_url)

    @property
    def frontend_host(self) -> str:
        """Lower-case `host[:port]` of the web UI."""
        return url_host(self.frontend_url)

    @property
    def has_api_key(self) -> bool:
        """Whether a usable (non-blank) key was found."""
        return bool(self.api_key and self.api_key.strip())


# --- hosts -------------------------------------------------------------------------------------


def host_key(scheme: str, hostname: str, port: int | None) -> str:
    """`host[:port]`, lower-case, IPv6 in brackets, the scheme's default port left out."""
    host = hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or DEFAULT_PORTS.get(scheme.lower()) == port:
        return host
    return f"{host}:{port}"


def url_host(url: str) -> str:
    """Lower-case `host[:port]` of a URL, userinfo removed; "" when it has no readable host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    try:
        return host_key(parts.scheme, parts.hostname or "", parts.port)
    except ValueError:
        return parts.netloc.rpartition("@")[2].lower()


def domain_key(domain: str) -> str:
    """A domain setting (`host[:port]`) in the same form as `url_host`."""
    return url_host(f"https://{domain.strip()}")


def sdk_domain_host(domain: str) -> str:
    """The bare host of a domain the way the SDK checks it against LOCAL_DOMAINS."""
    normalized = domain.strip().lower()
    try:
        return urlsplit(f"//{normalized}").hostname or normalized
    except ValueError as error:
        raise ConfigError(f"Invalid Docent domain {domain!r}: {error}") from None


def is_local_host(host: str) -> bool:
    """Whether `host[:port]` names this machine (the SDK's LOCAL_DOMAINS)."""
    try:
        hostname = urlsplit(f"//{host.strip().lower()}").hostname
    except ValueError:
        return False
    return hostname in LOCAL_DOMAINS


# --- dotenv files (python-dotenv `dotenv_values` semantics) ------------------------------------

_HSPACE = r"[^\S\r\n]"
_LEADING_SPACE = re.compile(r"\s*")
_EXPORT = re.compile(rf"(?:export{_HSPACE}+)?")
_QUOTED_KEY = re.compile(r"'([^']+)'")
_BARE_KEY = re.compile(r"([^=#\s]+)")
_SPACES = re.compile(rf"{_HSPACE}*")
_EQUALS = re.compile(rf"={_HSPACE}*")
_SINGLE_QUOTED = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DOUBLE_QUOTED = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_BARE_VALUE = re.compile(r"[^\r\n]*")
_INLINE_COMMENT = re.compile(r"\s+#.*")
_TRAILING_COMMENT = re.compile(rf"(?:{_HSPACE}*#[^\r\n]*)?")
_LINE_END = re.compile(rf"{_HSPACE}*(?:\r\n|\n|\r|$)")
_REST_OF_LINE = re.compile(r"[^\r\n]*(?:\r\n|\n|\r)?")
_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_ESCAPED = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
_VARIABLE = re.compile(r"\$\{([^}:]*)(?::-([^}]*))?\}")


class _Unparsable(Exception):
    """One dotenv statement that does not parse; the reader skips the rest of its line."""


class _Cursor:
    """A position in dotenv text that advances by matching regular expressions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def take(self, pattern: re.Pattern[str]) -> re.Match[str]:
        match = pattern.match(self.text, self.pos)
        if match is None:
            raise _Unparsable
        self.pos = match.end()
        return match


def _unescape(pattern: re.Pattern[str], text: str) -> str:
    """Decode the backslash escapes `pattern` allows; any other backslash stays as written."""
    return pattern.sub(lambda m: _ESCAPED.get(m.group()[1], m.group()[1]), text)


def _dotenv_value(cursor: _Cursor) -> str:
    first = cursor.peek()
    if first == "'":
        return _unescape(_SINGLE_ESCAPES, cursor.take(_SINGLE_QUOTED).group(1))
    if first == '"':
        return _unescape(_DOUBLE_ESCAPES, cursor.take(_DOUBLE_QUOTED).group(1))
    if first in ("", "\n", "\r"):
        return ""
    raw = cursor.take(_BARE_VALUE).group()
    return _INLINE_COMMENT.sub("", raw).rstrip()


def _dotenv_statement(cursor: _Cursor) -> tuple[str | None, str | None]:
    """One `[export] KEY[=VALUE] [# comment]` statement; (None, None) for a comment line."""
    cursor.take(_EXPORT)
    if cursor.peek() == "#":
        key = None
    else:
        key = cursor.take(_QUOTED_KEY if cursor.peek() == "'" else _BARE_KEY).group(1)
    cursor.take(_SPACES)
    value: str | None = None
    if cursor.peek() == "=":
        spaced = len(cursor.take(_EQUALS).group()) > 1
        # `KEY= # note` is empty with a comment; `KEY=#x` is the value "#x".
        value = "" if spaced and cursor.peek() == "#" else _dotenv_value(cursor)
    cursor.take(_TRAILING_COMMENT)
    cursor.take(_LINE_END)
    return key, value


def _dotenv_bindings(text: str) -> Iterator[tuple[str, str | None]]:
    """Every `(key, value)` in order; a value is None for a bare `KEY` with no `=`."""
    cursor = _Cursor(text.removeprefix("\ufeff"))
    while True:
        cursor.take(_LEADING_SPACE)
        if cursor.pos >= len(cursor.text):
            return
        try:
            key, value = _dotenv_statement(cursor)
        except _Unparsable:
            cursor.take(_REST_OF_LINE)
            continue
        if key is not None:
            yield key, value


def _interpolate(value: str, known: Mapping[str, str | None]) -> str:
    """Expand `${NAME}` and `${NAME:-default}`; the default applies only when NAME is unset."""

    def expand(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in known:
            return known[name] or ""
        return default or ""

    return _VARIABLE.sub(expand, value)


def read_dotenv(text: str, environ: Mapping[str, str]) -> dict[str, str]:
    """A dotenv file's values as python-dotenv's `dotenv_values` reads them, bare keys dropped.

    Values (quoted or not) are interpolated against `environ`, overridden by the file's own
    earlier keys, as python-dotenv does by default.
    """
    resolved: dict[str, str | None] = {}
    for key, value in _dotenv_bindings(text):
        known: dict[str, str | None] = {**environ, **resolved}
        resolved[key] = None if value is None else _interpolate(value, known)
    return {key: value for key, value in resolved.items() if value is not None}


# --- config files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadedConfig:
    """The keys read from one config file, and the INI section they came from."""

    values: Mapping[str, str]
    path: Path | None = None
    section: str | None = None


def discover_config_file(cwd: Path | None = None, home: Path | None = None) -> Path | None:
    """The nearest `docent.env` from `cwd` upward, else `~/.docent/docent.env`, else None."""
    directory = Path.cwd() if cwd is None else cwd
    while True:
        candidate = directory / CONFIG_FILE_NAME
        if candidate.exists():
            return candidate
        if directory == directory.parent:
            break
        directory = directory.parent
    try:
        home_dir = Path.home() if home is None else home
    except RuntimeError:
        return None
    candidate = home_dir / ".docent" / CONFIG_FILE_NAME
    return candidate if candidate.exists() else None


def _config_path(config_file: Path | None, cwd: Path | None, home: Path | None) -> Path | None:
    if config_file is None:
        return discover_config_file(cwd, home)
    if not config_file.exists():
        raise ConfigError(f"Config file not found: {config_file}")
    return config_file


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise ConfigError(f"Cannot read config file {path}: {reason}") from None


def has_sections(text: str) -> bool:
    """Whether any line is an INI `[section]` header (the SDK's format test)."""
    stripped = (line.strip() for line in text.split("\n"))
    return any(line.startswith("[") and line.endswith("]") for line in stripped)


def _parse_ini(text: str, path: Path) -> configparser.RawConfigParser:
    """Case-preserving INI parse; the error names the line but never echoes its content."""
    parser = configparser.RawConfigParser()
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error as error:
        raise ConfigError(_ini_error(error, path)) from None
    return parser


def _ini_error(error: configparser.Error, path: Path) -> str:
    if isinstance(error, configparser.MissingSectionHeaderError):
        return f"Cannot parse {path}: line {error.lineno} comes before the first [section]"
    if isinstance(error, configparser.DuplicateSectionError):
        return f"Cannot parse {path}: section [{error.section}] appears twice"
    if isinstance(error, configparser.DuplicateOptionError):
        return f"Cannot parse {path}: {error.option} appears twice in [{error.section}]"
    if isinstance(error, configparser.ParsingError):
        numbers = [str(number) for number, _ in error.errors]
        where = f"line {numbers[0]} is" if len(numbers) == 1 else f"lines {', '.join(numbers)} are"
        return f"Cannot parse {path}: {where} not KEY=value"
    return f"Cannot parse {path}: {type(error).__name__}"


def strip_quotes(value: str) -> str:
    """Trim, then drop one pair of matching quotes, as the SDK does for INI values."""
    trimmed = value.strip()
    if len(trimmed) >= 2 and trimmed[0] == trimmed[-1] and trimmed[0] in "\"'":
        return trimmed[1:-1]
    return trimmed


def _pick_section(sections: list[str], profile: str | None, path: Path) -> str:
    if profile is None:
        return "default" if "default" in sections else sections[0]
    if profile not in sections:
        raise ConfigError(
            f"Profile '{profile}' not found in {path}. Available profiles: {', '.join(sections)}"
        )
    return profile


def load_config(path: Path, profile: str | None, environ: Mapping[str, str]) -> LoadedConfig:
    """One config file: INI when it has `[section]` lines, otherwise dotenv."""
    text = _read_text(path)
    if not has_sections(text):
        return LoadedConfig(read_dotenv(text, environ), path)
    parser = _parse_ini(text, path)
    sections = parser.sections()
    if not sections:
        return LoadedConfig({}, path)
    section = _pick_section(sections, profile, path)
    values = {key: strip_quotes(value or "") for key, value in parser.items(section)}
    return LoadedConfig(values, path, section)


def _load(
    profile: str | None,
    environ: Mapping[str, str],
    cwd: Path | None,
    home: Path | None,
    config_file: Path | None,
) -> LoadedConfig:
    path = _config_path(config_file, cwd, home)
    return LoadedConfig({}) if path is None else load_config(path, profile, environ)


# --- resolution --------------------------------------------------------------------------------


def _url_or_none(value: str | None) -> str | None:
    """A URL override, trimmed and without trailing `/`; blank counts as unset."""
    if value is None:
        return None
    return value.strip().rstrip("/") or None


def _first_url(*values: str | None) -> str | None:
    return next((url for url in map(_url_or_none, values) if url is not None), None)


def resolve_settings(
    *,
    profile: str | None = None,
    domain: str | None = None,
    api_url: str | None = None,
    frontend_url: str | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    config_file: Path | None = None,
) -> DocentSettings:
    """The settings `docent.Docent(...)` 0.1.88 would use; a missing key is not an error here."""
    env = os.environ if environ is None else environ
    config = _load(profile or env.get("DOCENT_PROFILE"), env, cwd, home, config_file)
    values = config.values
    chosen_domain = (
        domain or env.get("DOCENT_DOMAIN") or values.get("DOCENT_DOMAIN") or DEFAULT_DOMAIN
    )
    api = _first_url(api_url, env.get("DOCENT_API_URL"), values.get("DOCENT_API_URL"))
    web = _first_url(
        frontend_url, env.get("DOCENT_FRONTEND_URL"), values.get("DOCENT_FRONTEND_URL")
    )
    if (api is None or web is None) and sdk_domain_host(chosen_domain) in LOCAL_DOMAINS:
        raise ConfigError(LOCAL_DOMAIN_MESSAGE)
    api = api or f"https://api.{chosen_domain}"
    requested = profile or env.get("DOCENT_PROFILE")
    notes: tuple[str, ...] = ()
    if requested and config.path is not None and config.section is None:
        notes = (f"{config.path} has no [profile] sections: profile {requested!r} was ignored",)
    return DocentSettings(
        api_key=values.get("DOCENT_API_KEY") or env.get("DOCENT_API_KEY"),
        api_key_source=_key_source(values, env, config.path),
        notes=notes,
        api_url=api if api.endswith("/rest") else f"{api}/rest",
        frontend_url=web or f"https://{chosen_domain}",
        domain=chosen_domain,
        # The SDK reads the default collection from the file only; blank means none.
        collection_id=(values.get("DOCENT_COLLECTION_ID") or "").strip() or None,
        profile=config.section,
        config_file=config.path,
    )


def _key_source(values: Mapping[str, str], env: Mapping[str, str], path: Path | None) -> str | None:
    """Where the SDK's order (file first, then environment) found the key."""
    if values.get("DOCENT_API_KEY"):
        return str(path)
    if env.get("DOCENT_API_KEY"):
        return "the DOCENT_API_KEY environment variable"
    return None


def available_profiles(
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    config_file: Path | None = None,
) -> list[str]:
    """The INI sections of the config file the SDK would read ([] for dotenv or no file)."""
    path = _config_path(config_file, cwd, home)
    if path is None:
        return []
    text = _read_text(path)
    return _parse_ini(text, path).sections() if has_sections(text) else []


def settings_match_host(settings: DocentSettings, host: str) -> bool:
    """Whether `host` is the settings' web UI host or API host.

    The domain alone does not count: with DOCENT_API_URL/DOCENT_FRONTEND_URL set, the default
    domain (docent.transluce.org) is not where the key goes.
    """
    wanted = host.lower()
    return wanted in {settings.frontend_host, settings.api_host}


def find_profile_for_host(
    host: str,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    home: Path | None = None,
    config_file: Path | None = None,
) -> str | None:
    """The first INI profile whose resolved web UI host, domain or API host is `host`."""
    for name in available_profiles(environ=environ, cwd=cwd, home=home, config_file=config_file):
        try:
            settings = resolve_settings(
                profile=name, environ=environ, cwd=cwd, home=home, config_file=config_file
            )
        except ConfigError:
            continue
        if settings_match_host(settings, host):
            return name
    return None
