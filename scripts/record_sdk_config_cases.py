"""Record how the official docent SDK resolves its server, key and collection, case by case.

Run with the SDK installed (not with docent-tui):

    python3 -m venv /tmp/sdk-venv && /tmp/sdk-venv/bin/pip install docent==0.1.88
    /tmp/sdk-venv/bin/python scripts/record_sdk_config_cases.py

Each case is data: the environment, the files (paths relative to a temporary root whose
`home` folder is HOME), the working directory and the constructor parameters. The SDK's own
`DocentBase.__init__` runs in that world with `_login` replaced, so nothing touches the
network. The result (or the error) is written to tests/data/sdk_config_cases.json, which
tests/test_remote_config.py replays through `resolve_settings`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from docent.sdk._base import DocentBase

OUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "sdk_config_cases.json"
CWD = "work/project/sub"
PROJECT = "work/project/docent.env"
GLOBAL = "home/.docent/docent.env"
KEY = "dk_test_key"

# Messages the SDK itself words; the replay compares these exactly.
SDK_MESSAGES = (
    "Local domains require",
    "Profile '",
    "Config file not found",
    "api_key is required",
)

CASES: list[dict[str, Any]] = [
    {"name": "nothing configured"},
    {"name": "env key only", "env": {"DOCENT_API_KEY": KEY}},
    {
        "name": "env key and domain",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "docent.example.com"},
    },
    {
        "name": "env api url without /rest, frontend with trailing slash",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_API_URL": "https://api.example.com",
            "DOCENT_FRONTEND_URL": "https://example.com/",
        },
    },
    {
        "name": "env api url with /rest/ and surrounding spaces",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_API_URL": "  https://api.example.com/rest/  ",
            "DOCENT_FRONTEND_URL": "https://example.com//",
        },
    },
    {
        "name": "api url ending in /REST is not /rest",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_API_URL": "https://api.example.com/REST",
            "DOCENT_FRONTEND_URL": "https://example.com",
        },
    },
    {
        "name": "only the api override",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_API_URL": "http://127.0.0.1:8902"},
    },
    {
        "name": "only the frontend override",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_FRONTEND_URL": "https://ui.example.com"},
    },
    {
        "name": "local domain without overrides",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "localhost:3000"},
    },
    {
        "name": "local domain with one override",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_DOMAIN": "127.0.0.1",
            "DOCENT_API_URL": "http://127.0.0.1:8902",
        },
    },
    {
        "name": "local IPv6 domain without overrides",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "[::1]:8000"},
    },
    {
        "name": "upper-case local domain without overrides",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": " LocalHost "},
    },
    {
        "name": "local domain with both overrides",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_DOMAIN": "0.0.0.0",
            "DOCENT_API_URL": "http://localhost:8902/",
            "DOCENT_FRONTEND_URL": "http://localhost:3000",
        },
    },
    {
        "name": "domain with port and capitals",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "Docent.Example.com:8443"},
    },
    {
        "name": "domain param beats env and file",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "env.example.com"},
        "files": {PROJECT: "DOCENT_DOMAIN=file.example.com\n"},
        "params": {"domain": "param.example.com"},
    },
    {
        "name": "url params beat env",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_API_URL": "https://api.env.example.com",
            "DOCENT_FRONTEND_URL": "https://env.example.com",
        },
        "params": {"api_url": " https://api.param.example.com/ ", "frontend_url": "https://p.ex"},
    },
    {
        "name": "blank url params fall through to env",
        "env": {
            "DOCENT_API_KEY": KEY,
            "DOCENT_API_URL": "https://api.env.example.com",
            "DOCENT_FRONTEND_URL": "https://env.example.com",
        },
        "params": {"api_url": "  ", "frontend_url": ""},
    },
    {
        "name": "whitespace-only env urls are unset",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_API_URL": "   ", "DOCENT_FRONTEND_URL": "\t"},
        "files": {
            PROJECT: "DOCENT_API_URL=https://api.file.example.com\n"
            "DOCENT_FRONTEND_URL=https://file.example.com\n"
        },
    },
    {
        "name": "whitespace-only env domain is used as is",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "   "},
    },
    {
        "name": "empty env domain falls through to the file",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": ""},
        "files": {PROJECT: "DOCENT_DOMAIN=file.example.com\n"},
    },
    {
        "name": "env domain beats file domain",
        "env": {"DOCENT_DOMAIN": "env.example.com"},
        "files": {PROJECT: "DOCENT_DOMAIN=file.example.com\nDOCENT_API_KEY=file_key\n"},
    },
    {
        "name": "env urls beat file urls",
        "env": {"DOCENT_API_URL": "https://api.env.example.com"},
        "files": {
            PROJECT: "DOCENT_API_KEY=file_key\nDOCENT_API_URL=https://api.file.example.com\n"
            "DOCENT_FRONTEND_URL=https://file.example.com/\n"
        },
    },
    {
        "name": "project file only",
        "files": {
            PROJECT: "DOCENT_API_KEY=file_key\nDOCENT_DOMAIN=file.example.com\n"
            "DOCENT_COLLECTION_ID=0b5c1e3a-4f7d-4a51-9c61-2f0d7a9e8b11\n"
        },
    },
    {
        "name": "global file only",
        "files": {GLOBAL: "DOCENT_API_KEY=global_key\nDOCENT_DOMAIN=global.example.com\n"},
    },
    {
        "name": "project file shadows the global file entirely",
        "files": {
            GLOBAL: "DOCENT_API_KEY=global_key\nDOCENT_COLLECTION_ID=global-collection\n",
            PROJECT: "DOCENT_DOMAIN=project.example.com\n",
        },
    },
    {
        "name": "file in the working directory beats one further up",
        "files": {
            CWD + "/docent.env": "DOCENT_API_KEY=near_key\n",
            PROJECT: "DOCENT_API_KEY=far_key\nDOCENT_DOMAIN=far.example.com\n",
        },
    },
    {
        "name": "file at the temporary root is found by walking up",
        "files": {"docent.env": "DOCENT_API_KEY=root_key\n"},
    },
    {
        "name": "config key beats env key",
        "env": {"DOCENT_API_KEY": "env_key"},
        "files": {PROJECT: "DOCENT_API_KEY=file_key\n"},
    },
    {
        "name": "empty config key falls back to env key",
        "env": {"DOCENT_API_KEY": "env_key"},
        "files": {PROJECT: "DOCENT_API_KEY=\n"},
    },
    {"name": "empty env key", "env": {"DOCENT_API_KEY": ""}},
    {
        "name": "collection id in env is ignored",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_COLLECTION_ID": "env-collection"},
    },
    {
        "name": "collection id in file, not env",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_COLLECTION_ID": "env-collection"},
        "files": {PROJECT: "DOCENT_COLLECTION_ID=file-collection\n"},
    },
    {
        "name": "dotenv syntax: export, quotes, escapes, comments",
        "files": {
            PROJECT: "# Docent settings\n\n"
            "export DOCENT_API_KEY='single quoted # not a comment'\n"
            'export   DOCENT_DOMAIN="docent.example.com"   # trailing comment\n'
            "DOCENT_API_URL=https://api.example.com/rest # inline comment\n"
            'DOCENT_FRONTEND_URL="https://example.com\\tx\\\\y\\"z"\n'
            "DOCENT_COLLECTION_ID\n"
        },
    },
    {
        "name": "dotenv: bare key with no = is dropped, KEY= is empty",
        "env": {"DOCENT_API_KEY": "env_key"},
        "files": {PROJECT: "DOCENT_API_KEY\nDOCENT_COLLECTION_ID=\n"},
    },
    {
        "name": "dotenv: '= # comment' is empty, '=#x' is a value",
        "env": {"DOCENT_API_KEY": "env_key"},
        "files": {PROJECT: "DOCENT_API_KEY= # no key here\nDOCENT_COLLECTION_ID=#hash\n"},
    },
    {
        "name": "dotenv: a#b keeps the hash, spaces around = and value",
        "files": {PROJECT: "DOCENT_API_KEY   =   key#part   \nDOCENT_COLLECTION_ID=a\t#note\n"},
    },
    {
        "name": "dotenv interpolation",
        "env": {"SECRET": "from_env", "EMPTY": "", "HOSTNAME_PART": "example"},
        "files": {
            PROJECT: "BASE=docent.${HOSTNAME_PART}.com\n"
            "DOCENT_DOMAIN=${BASE}\n"
            'DOCENT_API_KEY="${SECRET}-${MISSING:-fallback}-${EMPTY:-unused}"\n'
            "DOCENT_COLLECTION_ID='${SECRET}'\n"
        },
    },
    {
        "name": "dotenv interpolation: file value shadows env, bare key expands empty",
        "env": {"SECRET": "from_env", "NOVALUE": "env_novalue"},
        "files": {
            PROJECT: "SECRET=from_file\nNOVALUE\n"
            "DOCENT_API_KEY=${SECRET}${NOVALUE:-d}${}$SECRET{x}${A:B}\n"
        },
    },
    {
        "name": "dotenv: unparsable lines are skipped",
        "files": {
            PROJECT: "this is not a binding\n"
            'DOCENT_DOMAIN="unterminated\n'
            "=novalue\n"
            'DOCENT_API_URL="https://api.example.com" trailing junk\n'
            "DOCENT_API_KEY: colon_key\n"
            "DOCENT_COLLECTION_ID=kept\n"
        },
    },
    {
        "name": "dotenv: multi-line double-quoted value, duplicate keys, quoted key",
        "files": {
            PROJECT: 'DOCENT_API_KEY="line1\nline2"\n'
            "DOCENT_DOMAIN=first.example.com\n"
            "DOCENT_DOMAIN=second.example.com\n"
            "'DOCENT_COLLECTION_ID'=quoted-key\n"
        },
    },
    {
        "name": "dotenv: CRLF line endings and a byte-order mark",
        "files": {PROJECT: "\ufeffDOCENT_API_KEY=crlf_key\r\nDOCENT_DOMAIN=crlf.example.com  \r\n"},
    },
    {
        "name": "dotenv: exportKEY without space is a different key",
        "files": {PROJECT: "exportDOCENT_API_KEY=x\nexport\tDOCENT_DOMAIN=tab.example.com\n"},
    },
    {
        "name": "dotenv: single-quoted escapes, values holding = and quoted values with comments",
        "files": {
            PROJECT: "DOCENT_API_KEY='it\\'s \\\\ \\n'\n"
            "DOCENT_API_URL=https://api.example.com/rest?x=1\n"
            'DOCENT_FRONTEND_URL="https://example.com"   # comment\n'
            "DOCENT_DOMAIN = ${UNSET:-default with spaces.example}\n"
        },
    },
    {
        "name": "domain pasted with a scheme is used as is",
        "env": {"DOCENT_API_KEY": KEY, "DOCENT_DOMAIN": "https://docent.example.com"},
    },
    {
        "name": "INI: [default] chosen when no profile",
        "files": {
            PROJECT: "[staging]\nDOCENT_API_KEY=staging_key\nDOCENT_DOMAIN=staging.example.com\n\n"
            "[default]\nDOCENT_API_KEY=default_key\n"
        },
    },
    {
        "name": "INI: first section when no [default]",
        "files": {
            PROJECT: "[prod]\nDOCENT_API_KEY=prod_key\n[staging]\nDOCENT_API_KEY=staging_key\n"
        },
    },
    {
        "name": "INI: profile param",
        "files": {
            PROJECT: "[default]\nDOCENT_API_KEY=default_key\n"
            "[staging]\nDOCENT_API_KEY=staging_key\nDOCENT_DOMAIN=staging.example.com\n"
            "DOCENT_COLLECTION_ID=staging-collection\n"
        },
        "params": {"profile": "staging"},
    },
    {
        "name": "INI: DOCENT_PROFILE from env",
        "env": {"DOCENT_PROFILE": "staging"},
        "files": {
            PROJECT: "[default]\nDOCENT_API_KEY=default_key\n"
            "[staging]\nDOCENT_API_KEY=staging_key\n"
        },
    },
    {
        "name": "INI: profile param beats DOCENT_PROFILE",
        "env": {"DOCENT_PROFILE": "staging"},
        "files": {
            PROJECT: "[default]\nDOCENT_API_KEY=default_key\n"
            "[staging]\nDOCENT_API_KEY=staging_key\n[other]\nDOCENT_API_KEY=other_key\n"
        },
        "params": {"profile": "other"},
    },
    {
        "name": "INI: missing profile",
        "files": {PROJECT: "[default]\nDOCENT_API_KEY=k\n[staging]\nDOCENT_API_KEY=s\n"},
        "params": {"profile": "prod"},
    },
    {
        "name": "INI: empty DOCENT_PROFILE is a missing profile",
        "env": {"DOCENT_PROFILE": ""},
        "files": {PROJECT: "[default]\nDOCENT_API_KEY=k\n"},
    },
    {
        "name": "profile requested but the file is plain dotenv",
        "files": {PROJECT: "DOCENT_API_KEY=plain_key\n"},
        "params": {"profile": "staging"},
    },
    {
        "name": "profile requested but no file",
        "env": {"DOCENT_API_KEY": KEY},
        "params": {"profile": "staging"},
    },
    {
        "name": "INI: quotes, colons, inline comments and continuation lines",
        "files": {
            PROJECT: "  [default]  \n"
            "# comment\n; another comment\n"
            'DOCENT_API_KEY = "quoted key"\n'
            "DOCENT_DOMAIN: 'colon.example.com'\n"
            "DOCENT_API_URL=https://api.example.com/ # not a comment in INI\n"
            "DOCENT_FRONTEND_URL=https://example.com\n"
            "DOCENT_COLLECTION_ID=first\n    second\n"
            "docent_api_key=lower-case key is another key\n"
        },
    },
    {
        "name": "INI: mismatched quotes are kept",
        "files": {PROJECT: '[default]\nDOCENT_API_KEY="half\'\nDOCENT_DOMAIN="\n'},
    },
    {
        "name": "INI: [DEFAULT] values are inherited",
        "files": {
            PROJECT: "[DEFAULT]\nDOCENT_DOMAIN=shared.example.com\nDOCENT_API_KEY=shared_key\n"
            "[team]\nDOCENT_API_KEY=team_key\n"
        },
    },
    {
        "name": "INI: only [DEFAULT] reads as empty",
        "env": {"DOCENT_API_KEY": "env_key"},
        "files": {PROJECT: "[DEFAULT]\nDOCENT_DOMAIN=shared.example.com\n"},
        "params": {"profile": "anything"},
    },
    {
        "name": "INI: a key before the first section",
        "files": {PROJECT: "DOCENT_API_KEY=secret_value\n[default]\nDOCENT_DOMAIN=x.example.com\n"},
    },
    {
        "name": "INI: a line that is not KEY=value",
        "files": {PROJECT: "[default]\nDOCENT_API_KEY secret_value\n"},
    },
    {
        "name": "INI: duplicate section",
        "files": {PROJECT: "[default]\nDOCENT_API_KEY=a\n[default]\nDOCENT_DOMAIN=b.example\n"},
    },
    {
        "name": "INI: duplicate key",
        "files": {PROJECT: "[default]\nDOCENT_API_KEY=a\nDOCENT_API_KEY=b\n"},
    },
    {
        "name": "INI: env urls beat profile urls, profile key beats env key",
        "env": {
            "DOCENT_API_KEY": "env_key",
            "DOCENT_API_URL": "https://api.env.example.com/rest",
            "DOCENT_FRONTEND_URL": "https://env.example.com",
        },
        "files": {
            PROJECT: "[default]\nDOCENT_API_KEY=profile_key\n"
            "DOCENT_API_URL=https://api.profile.example.com\n"
            "DOCENT_FRONTEND_URL=https://profile.example.com\n"
        },
    },
    {
        "name": "INI: local profile with both urls",
        "files": {
            PROJECT: "[local]\nDOCENT_API_KEY=local_key\nDOCENT_DOMAIN=localhost\n"
            "DOCENT_API_URL=http://localhost:8902/\nDOCENT_FRONTEND_URL=http://localhost:3000/\n"
        },
    },
    {
        "name": "explicit config file beats discovery",
        "files": {
            PROJECT: "DOCENT_API_KEY=project_key\n",
            "elsewhere/custom.env": "DOCENT_API_KEY=custom_key\nDOCENT_DOMAIN=custom.example.com\n",
        },
        "params": {"config_file": "{root}/elsewhere/custom.env"},
    },
    {
        "name": "explicit config file missing",
        "params": {"config_file": "{root}/elsewhere/missing.env"},
    },
]


class Probe(DocentBase):
    """The SDK client with authentication replaced by recording the key it would send."""

    sent_key: str | None = None

    def _login(self, api_key: str) -> None:
        self.sent_key = api_key


def _write_files(root: Path, files: dict[str, str]) -> None:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))


def _params(case: dict[str, Any], root: Path) -> dict[str, Any]:
    return {
        name: value.replace("{root}", str(root)) if isinstance(value, str) else value
        for name, value in case.get("params", {}).items()
    }


def _outcome(probe: Probe, error: Exception | None, root: Path) -> dict[str, Any]:
    outcome: dict[str, Any] = {}
    if hasattr(probe, "_api_url"):
        outcome.update(
            api_key=probe.sent_key,
            api_url=probe._api_url,
            frontend_url=probe._frontend_url,
            domain=probe._domain,
            collection_id=probe.default_collection_id,
        )
    if error is not None:
        message = str(error).replace(str(root), "{root}")
        outcome.update(
            error=message,
            error_type=type(error).__name__,
            sdk_wording=message.startswith(SDK_MESSAGES),
        )
    return outcome


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Build the case's world in a temporary root and let the SDK resolve it."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve()
        _write_files(root, case.get("files", {}))
        (root / CWD).mkdir(parents=True, exist_ok=True)
        (root / "home").mkdir(exist_ok=True)
        os.environ.clear()
        os.environ.update(case.get("env", {}), HOME=str(root / "home"))
        os.chdir(root / CWD)
        probe = Probe.__new__(Probe)
        error: Exception | None = None
        try:
            probe.__init__(log_stream=io.StringIO(), **_params(case, root))  # type: ignore[misc]
        except Exception as caught:  # the SDK raises ValueError, FileNotFoundError, parser errors
            error = caught
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
        return _outcome(probe, error, root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    recorded = [{"cwd": CWD, "home": "home", **case, "expect": run_case(case)} for case in CASES]
    document = {
        "sdk": f"docent {version('docent')}",
        "dotenv": f"python-dotenv {version('python-dotenv')}",
        "cases": recorded,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")
    print(f"recorded {len(recorded)} cases to {args.out}")


if __name__ == "__main__":
    main()
