"""SWE-bench Verified samples: repository bug reports and the steps that fix them."""

from __future__ import annotations

import random

from docent_tui.demo.actions import bash, python
from docent_tui.demo.random_text import HEX, rand_str
from docent_tui.demo.records import Action, Sample

SWE_SYSTEM = (
    "You are a software engineer. The repository at /testbed has the bug described in the "
    "issue. Reproduce it, make the smallest correct change to the source (not the tests), run "
    "the tests, then call submit with a one-line summary."
)
_SWE_REPOS = (
    ("django/django", "django/utils/html.py", "tests/utils_tests/test_html.py", "4.2"),
    ("django/django", "django/db/models/query.py", "tests/queries/tests.py", "5.0"),
    ("sympy/sympy", "sympy/core/numbers.py", "sympy/core/tests/test_numbers.py", "1.12"),
    ("astropy/astropy", "astropy/units/quantity.py", "astropy/units/tests/test_quantity.py", "5.1"),
    (
        "scikit-learn/scikit-learn",
        "sklearn/utils/validation.py",
        "sklearn/utils/tests/test_validation.py",
        "1.3",
    ),
    ("pytest-dev/pytest", "src/_pytest/python_api.py", "testing/python/approx.py", "8.0"),
    ("psf/requests", "requests/models.py", "tests/test_requests.py", "2.31"),
    ("sphinx-doc/sphinx", "sphinx/util/typing.py", "tests/test_util_typing.py", "7.1"),
    (
        "matplotlib/matplotlib",
        "lib/matplotlib/colors.py",
        "lib/matplotlib/tests/test_colors.py",
        "3.7",
    ),
    ("pydata/xarray", "xarray/core/dataset.py", "xarray/tests/test_dataset.py", "2023.07"),
)
_SWE_FUNCS = ("normalize", "from_value", "_coerce", "format_value", "validate", "to_dict", "merge")
_SWE_PROBLEMS = (
    ("TypeError", "it receives None", "none"),
    ("ValueError", "the input is an empty list", "empty_list"),
    ("AttributeError", "called on a subclass", "subclass"),
    ("IndexError", "the last element is negative", "negative_tail"),
    ("KeyError", "the mapping has non-string keys", "non_string_keys"),
)
_SWE_TIMES = ("<15 min fix", "15 min - 1 hour", "1-4 hours")


def swe_sample(i: int, rng: random.Random) -> Sample:
    repo, path, test_path, version = _SWE_REPOS[i % len(_SWE_REPOS)]
    owner, name = repo.split("/")
    instance = f"{owner}__{name}-{rng.randint(1000, 27000)}"
    func = rng.choice(_SWE_FUNCS)
    exc, cond, slug = rng.choice(_SWE_PROBLEMS)
    target = f"{test_path}::test_{func.strip('_')}_{slug}"
    line = rng.randint(80, 900)
    pkg = path.split("/")[0]
    snippet = "\n".join(
        f"{line + k:6d}\t{text}"
        for k, text in enumerate(
            (
                f"    def {func}(self, value):",
                "        result = self._cache.get(value)",
                "        if result is None:",
                "            result = self._convert(value[0])",
                "        return result",
            )
        )
    )
    repro = (
        f"from {path[:-3].replace('/', '.').removeprefix('src.').removeprefix('lib.')} import *\n"
        f"obj = make_default()\nprint(obj.{func}(None))"
    )
    trace = (
        "Traceback (most recent call last):\n"
        '  File "/tmp/repro.py", line 3, in <module>\n'
        f'  File "/testbed/{path}", line {line + 3}, in {func}\n'
        "    result = self._convert(value[0])\n"
        f"{exc}: unexpected input\n"
    )
    edited = (
        f"The file /testbed/{path} has been edited.\n{line + 2:6d}\t        if result is None:\n"
        f"{line + 3:6d}\t            if not value:\n{line + 4:6d}\t                return value\n"
    )
    diff_view = (
        f"```diff\n--- /testbed/{path}\n+++ /testbed/{path}\n"
        "         if result is None:\n+            if not value:\n+                return value\n"
        "             result = self._convert(value[0])\n```\n"
    )
    commits = "\n".join(
        f"{rand_str(rng, HEX, 7)} {m}"
        for m in ("Fixed #3 -- docs typo.", "Refs #1 -- cleanup.", "Bump version.")
    )
    n_tests = rng.randint(12, 90)
    explore = (
        bash(
            f"Find where `{func}` is defined.",
            f"grep -rn 'def {func}' {pkg}/ | head",
            f"{path}:{line}:    def {func}(self, value):\n",
        ),
        Action(
            "Open the function.",
            "str_replace_editor",
            {"command": "view", "path": f"/testbed/{path}", "view_range": [line, line + 4]},
            None,
            f"Here's the result of running `cat -n` on /testbed/{path}:\n{snippet}\n",
        ),
        python("Reproduce the issue.", repro, trace),
        Action(
            "Guard against empty input before indexing.",
            "str_replace_editor",
            {
                "command": "str_replace",
                "path": f"/testbed/{path}",
                "old_str": "        if result is None:\n",
                "new_str": (
                    "        if result is None:\n"
                    "            if not value:\n"
                    "                return value\n"
                ),
            },
            diff_view,
            edited,
        ),
        bash(
            "Look at the recent history of the repo.",
            "cd /testbed && git log --oneline -3",
            commits + "\n",
        ),
        bash(
            "Run the relevant tests.",
            f"python -m pytest {test_path} -x -q 2>&1 | tail -5",
            f"........F\nFAILED {target}\n1 failed, {n_tests} passed in 2.31s\n",
        ),
    )
    solve = bash(
        "Run the tests again after the fix.",
        f"python -m pytest {test_path} -q 2>&1 | tail -3",
        f"{n_tests + 1} passed in 2.{rng.randint(10, 99)}s\n",
    )
    return Sample(
        instance,
        f"<issue>\n`{func}` raises {exc} when {cond}.\n\nExpected it to return the input unchanged"
        f" in that case, as it did in {version}.\n</issue>\n\nThe repository is at /testbed.",
        target,
        (name, "bugfix"),
        ("easy", "medium", "hard")[_SWE_TIMES.index(t := rng.choice(_SWE_TIMES))],
        (
            ("repo", repo),
            ("base_commit", rand_str(rng, HEX, 40)),
            ("version", version),
            ("time_estimate", t),
        ),
        explore,
        solve,
        f"Return the input unchanged from {func} when it is empty; {test_path} passes.",
        (f"Changed {func} to catch {exc}.", f"Added a None check in {func}."),
    )
