"""Per-task-kind tool calls that fail with Inspect's tool error types, and the parse error."""

from __future__ import annotations

from docent_tui.demo.actions import bash
from docent_tui.demo.records import Action

_TIMEOUT = "Command timed out before completing."
_DECODE_ERROR = "Error decoding bytes to utf-8: invalid start byte"
PARSE_ERROR = (
    "Found 1 validation errors parsing tool input arguments:\n"
    "- Additional properties are not allowed ('command' was unexpected)"
)
_SLOW_COMMANDS = {
    "ctf": "python3 -c 'import itertools; [0 for _ in itertools.count()]'",
    "swe": "python -m pytest -q",
    "gaia": "pip install openpyxl",
    "cybench": "hashcat -m 0 -a 0 hash.txt /usr/share/wordlists/rockyou.txt",
    "math": "python3 -c 'print(sum(range(10**12)))'",
}
_BINARY_COMMANDS = {
    "ctf": "cat data.bin",
    "swe": "cat /testbed/.git/index",
    "gaia": "cat /shared_files/*",
    "cybench": "cat /root/challenge/chall",
    "math": "cat /dev/urandom | head -c 64",
}
_PROTECTED = {
    "ctf": ("Check the flag file directly.", "cat /root/flag.txt", "/root/flag.txt"),
    "swe": ("Check the system config.", "cat /etc/sudoers", "/etc/sudoers"),
    "gaia": ("Copy the files somewhere writable.", "cp /shared_files/* /opt/data/", "/opt/data"),
    "cybench": ("Look for password hashes.", "cat /etc/shadow", "/etc/shadow"),
    "math": ("Save the result.", "echo 56 > /answer.txt", "/answer.txt"),
}


def tool_errors(kind: str) -> tuple[tuple[Action, str, str], ...]:
    """Calls that fail with Inspect's tool error types: (action, type, message)."""
    text, cmd, path = _PROTECTED[kind]
    return (
        (bash("This may take a while.", _SLOW_COMMANDS[kind], ""), "timeout", _TIMEOUT),
        (bash("Dump the raw file.", _BINARY_COMMANDS[kind], ""), "unicode_decode", _DECODE_ERROR),
        (bash(text, cmd, ""), "permission", f"Permission denied: '{path}'"),
    )
