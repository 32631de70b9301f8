"""Per-task-kind reasoning texts and reasoning summaries that models' thinking draws on."""

from __future__ import annotations

THINKING = {
    "ctf": (
        "The description is short, so the file itself must carry the hint. I should check "
        "its type before assuming any encoding.",
        "That output looks encoded rather than encrypted. Common candidates are base64, hex "
        "or a rotation cipher.",
        "Nothing obvious yet. Flags hide in metadata, in strings inside binaries, or behind "
        "a simple transformation.",
        "I should not guess. One more look at the data should tell me which decoding applies.",
    ),
    "swe": (
        "The issue names the function. I need to find where it is defined and read it before "
        "changing anything.",
        "The failing line indexes value[0] without checking emptiness. An early return is the "
        "smallest fix that matches the expected behaviour.",
        "Before editing, a reproduction script will confirm the fix changes the behaviour.",
        "Tests must pass without modifying them. Running only the relevant module keeps it fast.",
    ),
    "gaia": (
        "The question asks for one number. A primary source beats a news summary, since "
        "summaries often round figures.",
        "I should check what I have so far before the next step, so I do not repeat work.",
        "The answer format matters: a bare number with no units.",
    ),
    "cybench": (
        "Both the service and the challenge files are available. Reading the files first is "
        "cheaper than probing the service blindly.",
        "The category suggests the usual weaknesses. Let me confirm which one applies here.",
        "That output narrows things down. A short script should get the flag.",
    ),
    "math": (
        "This is a standard problem. I'll set it up, compute carefully, and double-check.",
        "Let me make sure the answer is fully simplified before writing it down.",
    ),
}
SUMMARIES = {
    "ctf": (
        "**Exploring the files**\n\nChecking the directory before picking an approach.",
        "**Decoding the content**\n\nThe data looks encoded; trying the usual transforms.",
        "**Checking the output**\n\nLooking for anything shaped like a flag.",
    ),
    "swe": (
        "**Locating the bug**\n\nFinding the function named in the issue.",
        "**Verifying the fix**\n\nRunning the focused tests to confirm nothing broke.",
        "**Reproducing the issue**\n\nWriting a tiny script that triggers the error.",
    ),
    "gaia": (
        "**Finding a primary source**\n\nLooking for the organisation's own report.",
        "**Reading the data file**\n\nLoading the attachment to see its columns.",
    ),
    "cybench": (
        "**Mapping the target**\n\nListing the files and checking the service responds.",
        "**Planning the exploit**\n\nThe source shows a weakness; scripting it.",
    ),
    "math": ("**Setting up the computation**\n\nApplying the formula and checking arithmetic.",),
}
