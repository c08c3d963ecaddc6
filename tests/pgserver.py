"""A real PostgreSQL server for the tests, started from Debian's packages in a temporary folder.

It listens on a Unix socket only (no TCP port). As root it runs as the `postgres` user, since
PostgreSQL refuses to run as root. If it cannot start, it raises: the tests that need it fail
loudly instead of being skipped.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise PostgresUnavailable(
        "PostgreSQL server binaries not found; install Debian's postgresql package (bash scripts/setup.sh --dev does)"
    )


@dataclass
class PostgresServer:
    root: Path
    bindir: Path
    socket_dir: Path
    as_user: list[str]

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = _bindir()
        # A folder of its own under the system temp dir: the postgres user must be able to reach it.
        root = Path(tempfile.mkdtemp(prefix="seccheck-pg-"))
        root.chmod(0o711)
        data, sock = root / "data", root / "sock"
        sock.mkdir(exist_ok=True)
        as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
            shutil.chown(sock, "postgres", "postgres")
            as_user = ["runuser", "-u", "postgres", "--"]
        server = cls(root, bindir, sock, as_user)
        server._run("initdb", "-D", str(data), "-A", "trust", "-U", "seccheck", "-E", "UTF8", "--no-locale")
        options = f"-k {sock} -c listen_addresses='' -c fsync=off -c max_connections=50"
        server._run("pg_ctl", "-D", str(data), "-l", str(root / "server.log"), "-o", options, "-w", "-t", "60", "start")
        return server

    def _run(self, tool: str, *args: str) -> None:
        proc = subprocess.run(
            [*self.as_user, str(self.bindir / tool), *args], capture_output=True, text=True, cwd=self.root
        )
        if proc.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{tool} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{tail}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://seccheck@/{database}?host={self.socket_dir}"

    def create_database(self, prefix: str = "t", *, template: str | None = None) -> str:
        """A new database, empty or a copy of the database `template` (which nobody may be connected to)."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        with psycopg.connect(host=str(self.socket_dir), user="seccheck", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
