"""Long tool outputs (pip, pytest, find, traceback, objdump, gobuster, strings logs)."""

from __future__ import annotations

import random

from docent_tui.demo.random_text import ALNUM, HEX, rand_str

_PACKAGE_NAMES = (
    "numpy scipy attrs packaging pluggy iniconfig tomli exceptiongroup asgiref sqlparse pytz "
    "jinja2 markupsafe docutils pygments babel snowballstemmer imagesize alabaster requests "
    "urllib3 idna certifi charset-normalizer pyparsing cycler kiwisolver fonttools pillow "
    "contourpy python-dateutil six mpmath sympy hypothesis sortedcontainers coverage "
    "pytest-cov pytest-xdist execnet filelock platformdirs virtualenv distlib setuptools-scm "
    "wheel cython joblib threadpoolctl pandas tzdata pyerfa astropy-iers-data pyyaml lxml "
    "cffi pycparser cryptography psutil tornado typing-extensions colorama tqdm click rich"
)
_PACKAGES = tuple(_PACKAGE_NAMES.split())

_PROGRESS_BAR = "━" * 40  # pip's finished download bar


def pip_log(rng: random.Random) -> str:
    lines = ["Obtaining file:///testbed", "  Installing build dependencies: started"]
    lines += ["  Installing build dependencies: finished with status 'done'"]
    for pkg in _PACKAGES:
        ver = f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 12)}"
        lines.append(f"Collecting {pkg}>={ver.rsplit('.', 1)[0]}")
        if rng.random() < 0.7:
            lines.append(f"  Using cached {pkg.replace('-', '_')}-{ver}-py3-none-any.whl")
        else:
            size = rng.randint(20, 18000)
            lines.append(
                f"  Downloading {pkg.replace('-', '_')}-{ver}-py3-none-any.whl ({size} kB)"
            )
            lines.append(f"     {_PROGRESS_BAR} {size}/{size} kB")
        if rng.random() < 0.35:
            lines.append(f"Requirement already satisfied: {rng.choice(_PACKAGES)} in ./venv/lib")
    lines += [f"Building wheel for {p} (pyproject.toml): started" for p in _PACKAGES[40:52]]
    lines += [
        "  error: subprocess-exited-with-error",
        "  × Building wheel for pyerfa (pyproject.toml) did not run successfully.",
        "  │ exit code: 1",
        "  ╰─> [18 lines of output]",
    ]
    lines += [f"      gcc -pthread -fPIC -I/usr/include/python3.9 -c erfa/{n}.c" for n in range(12)]
    lines += [
        "      erfa/ufunc.c:23:10: fatal error: numpy/arrayobject.h: No such file or directory",
        "      compilation terminated.",
        "      error: command '/usr/bin/gcc' failed with exit code 1",
        "  note: This error originates from a subprocess, and is likely not a problem with pip.",
        "ERROR: Failed building wheel for pyerfa",
        "Failed to build pyerfa",
        "ERROR: Could not build wheels for pyerfa, which is required to install pyproject.toml",
    ]
    return "\n".join(lines) + "\n"


def pytest_log(rng: random.Random) -> str:
    modules = ("test_html", "test_text", "test_dateformat", "test_encoding", "test_functional")
    words = ("escape", "urlize", "strip_tags", "truncate", "format", "parse", "quote", "slugify")
    lines = ["============================= test session starts =============================="]
    lines += ["platform linux -- Python 3.9.20, pytest-7.4.4, pluggy-1.5.0", "rootdir: /testbed"]
    lines.append("collected 238 items")
    lines.append("")
    count = 0
    for mod in modules:
        for _ in range(46):
            count += 1
            name = f"test_{rng.choice(words)}_{rng.choice(words)}_{rng.randint(1, 40)}"
            status = "FAILED" if rng.random() < 0.03 else "PASSED"
            lines.append(f"tests/utils_tests/{mod}.py::{name} {status} [{count * 100 // 238:3d}%]")
    lines += [
        "",
        "=================================== FAILURES ===================================",
    ]
    lines += ["_____________________ TestUtilsHtml.test_escape_quotes ______________________", ""]
    lines += ["    def test_escape_quotes(self):", "        items = ("]
    lines += ["            (\"'\", '&#x27;'),", "            ('\"', '&quot;'),", "        )"]
    lines += [
        "        for value, output in items:",
        ">           self.assertEqual(escape(value), output)",
    ]
    lines += [
        "E           AssertionError: '&#39;' != '&#x27;'",
        "E           - &#39;",
        "E           + &#x27;",
    ]
    lines += ["", "tests/utils_tests/test_html.py:41: AssertionError"]
    lines += ["=========================== short test summary info ============================"]
    lines += ["FAILED tests/utils_tests/test_html.py::TestUtilsHtml::test_escape_quotes"]
    lines += ["================== 1 failed, 237 passed, 3 warnings in 4.81s =================="]
    return "\n".join(lines) + "\n"


def find_listing(rng: random.Random) -> str:
    dirs = (
        "django/contrib/admin",
        "django/contrib/auth",
        "django/core/management",
        "django/db/models",
        "django/forms",
        "django/template",
        "django/utils",
        "tests/admin_views",
        "tests/forms_tests",
        "tests/utils_tests",
        "tests/migrations",
        "docs/ref",
        "docs/topics",
    )
    stems = (
        "__init__",
        "base",
        "options",
        "fields",
        "utils",
        "models",
        "views",
        "widgets",
        "forms",
        "checks",
        "signals",
        "helpers",
        "tests",
        "admin",
        "apps",
        "urls",
        "exceptions",
        "query",
    )
    paths = sorted({f"./{rng.choice(dirs)}/{rng.choice(stems)}.py" for _ in range(900)})
    return "\n".join(paths) + "\n"


def traceback_log(rng: random.Random) -> str:
    frames = (
        (
            "/usr/lib/python3.11/site-packages/requests/sessions.py",
            "send",
            "r = adapter.send(request, **kwargs)",
        ),
        ("/usr/lib/python3.11/site-packages/requests/adapters.py", "send", "resp = conn.urlopen("),
        (
            "/usr/lib/python3.11/site-packages/urllib3/connectionpool.py",
            "urlopen",
            "retries = retries.increment(",
        ),
        ("/workspace/agent/fetch.py", "fetch_page", "return session.get(url, timeout=timeout)"),
        ("/workspace/agent/crawl.py", "crawl", "html = fetch_page(link)"),
    )
    lines: list[str] = []
    for block in range(4):
        lines.append("Traceback (most recent call last):")
        for _ in range(24):
            path, func, code = rng.choice(frames)
            lines.append(f'  File "{path}", line {rng.randint(20, 900)}, in {func}')
            lines.append(f"    {code}")
        if block < 3:
            lines.append(
                "urllib3.exceptions.MaxRetryError: HTTPSConnectionPool(host='example.org', "
                "port=443)"
            )
            lines.append("")
            lines.append("During handling of the above exception, another exception occurred:")
            lines.append("")
    lines.append("RecursionError: maximum recursion depth exceeded while calling a Python object")
    return "\n".join(lines) + "\n"


def objdump_log(rng: random.Random) -> str:
    ops = (
        "push   %rbp",
        "mov    %rsp,%rbp",
        "sub    $0x40,%rsp",
        "mov    %edi,-0x34(%rbp)",
        "lea    -0x30(%rbp),%rax",
        "mov    %rax,%rdi",
        "call   401030 <gets@plt>",
        "movzbl (%rax),%eax",
        "xor    $0x5a,%eax",
        "cmp    $0x1f,%eax",
        "jne    4011a8 <check+0x52>",
        "add    $0x1,-0x4(%rbp)",
        "nop",
        "leave",
        "ret",
        "mov    $0x0,%eax",
    )
    lines = ["", "checkpass:     file format elf64-x86-64", "", "", "Disassembly of section .text:"]
    addr = 0x401120
    for i in range(300):
        if i % 40 == 0:
            lines += ["", f"{addr:016x} <{rng.choice(('check', 'main', 'decode', 'setup'))}>:"]
        raw = " ".join(rand_str(rng, HEX, 2) for _ in range(rng.randint(1, 5)))
        lines.append(f"  {addr:x}:\t{raw:<21}\t{rng.choice(ops)}")
        addr += rng.randint(1, 7)
    return "\n".join(lines) + "\n"


def gobuster_log(rng: random.Random) -> str:
    words = (
        "admin",
        "api",
        "backup",
        "static",
        "uploads",
        "login",
        "logout",
        "debug",
        "config",
        "assets",
        "images",
        "js",
        "css",
        "dev",
        "test",
        "old",
        "private",
        "server-status",
        "flag",
    )
    lines = ["===============================================================", "Gobuster v3.6"]
    lines += ["[+] Url:                     http://victim:1337", "[+] Threads:                 10"]
    lines += ["[+] Wordlist:                /usr/share/wordlists/dirb/common.txt"]
    lines += [
        "===============================================================",
        "Starting gobuster",
    ]
    for i in range(260):
        word = f"{rng.choice(words)}{'' if rng.random() < 0.5 else rng.randint(1, 99)}"
        code = rng.choice((404, 404, 404, 403, 200, 301))
        lines.append(f"/{word:<24} (Status: {code}) [Size: {rng.randint(100, 9000)}]")
        if i % 65 == 64:
            lines.append(f"Progress: {i * 17} / 4615 ({i * 1700 // 4615}%)")
    lines.append("Finished")
    return "\n".join(lines) + "\n"


def strings_log(rng: random.Random) -> str:
    lines = [
        "/lib64/ld-linux-x86-64.so.2",
        "libc.so.6",
        "puts",
        "printf",
        "strcmp",
        "__libc_start_main",
    ]
    for _ in range(250):
        lines.append(rand_str(rng, ALNUM + "$%&@!.", rng.randint(4, 14)))
    lines += ["GCC: (Ubuntu 11.4.0-1ubuntu1~22.04) 11.4.0", ".shstrtab", ".text", ".data", ".bss"]
    return "\n".join(lines) + "\n"
