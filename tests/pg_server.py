"""A throwaway PostgreSQL cluster on loopback, for the DQL differential tests.

The cluster lives in a temporary directory, listens on 127.0.0.1 on a free port and is removed
when stopped. PostgreSQL refuses to run as root, so as root `initdb`/`pg_ctl` run as `postgres`.
Its default collation is ICU en-US: Docent's database (the PostgreSQL 15 image) sorts text with
en_US.UTF-8, and ICU gives that order without depending on the machine's installed locales.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

_START_TIMEOUT_S = 60


class PostgresUnavailable(Exception):
    """PostgreSQL binaries are missing or the cluster did not start; the text says why."""


def postgres_bin() -> Path | None:
    """The newest `/usr/lib/postgresql/<version>/bin` that holds initdb, or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> int:
        try:
            return int(Path(path).parent.parent.name)
        except ValueError:
            return 0

    return Path(max(found, key=version)).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresCluster:
    """A running cluster: connect as user `postgres` to database `postgres` on host:port."""

    bin_dir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    user: str = "postgres"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def conninfo(self) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname=postgres"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, capture_output=True, text=True, timeout=_START_TIMEOUT_S, check=False
        )

    def start(self) -> None:
        """initdb and start; raises PostgresUnavailable with the tool's own message."""
        version = int(self.bin_dir.parent.name) if self.bin_dir.parent.name.isdigit() else 0
        locale = ["--locale=C.UTF-8"]
        if version >= 15:
            locale += ["--locale-provider=icu", "--icu-locale=en-US"]
        init = self._run(
            "initdb", "-D", str(self.data_dir), "-U", self.user, "--auth=trust",
            "--encoding=UTF8", *locale,
        )  # fmt: skip
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed: {init.stderr.strip() or init.stdout}")
        options = (
            f"-p {self.port} -c listen_addresses={self.host} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC"
        )
        started = self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "-t", str(_START_TIMEOUT_S), "start",
        )  # fmt: skip
        if started.returncode != 0:
            log = self.root / "server.log"
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else started.stderr
            raise PostgresUnavailable(f"pg_ctl start failed: {detail.strip()}")

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> PostgresCluster:
    """Create and start a throwaway cluster, or raise PostgresUnavailable saying why not."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise PostgresUnavailable("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin)")
    root = Path(tempfile.mkdtemp(prefix="docent-tui-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise PostgresUnavailable("running as root but there is no 'postgres' user") from None
        os.chown(root, account.pw_uid, account.pw_gid)
    cluster = PostgresCluster(bin_dir, root, _free_port())
    try:
        cluster.start()
    except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
        cluster.stop()
        raise PostgresUnavailable(str(exc)) from None
    return cluster
