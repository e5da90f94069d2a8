from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

_last_failure: str | None = None


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here; the message says why."""


def find_pg_bin() -> Path | None:
    bins = [i.parent for i in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    versioned = [(tuple(map(int, b.parent.name.split("."))), b) for b in bins
                 if b.parent.name.replace(".", "").isdigit()]
    if versioned:
        return max(versioned)[1]
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _runas_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no 'postgres' system user to run initdb as")
    if shutil.which("runuser"):
        prefix = ["runuser", "-u", "postgres", "--"]
    elif shutil.which("setpriv"):
        prefix = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"]
    else:
        raise PostgresUnavailable("running as root and neither runuser nor setpriv is available")
    if subprocess.run([*prefix, "true"], capture_output=True, cwd="/").returncode != 0:
        raise PostgresUnavailable("running as root and cannot switch to the 'postgres' user")
    return prefix


def _preflight() -> tuple[Path, list[str]]:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise PostgresUnavailable("no PostgreSQL binaries (initdb) found")
    return pg_bin, _runas_prefix()


def skip_reason() -> str | None:
    if _last_failure is not None:
        return _last_failure
    try:
        _preflight()
    except PostgresUnavailable as exc:
        return str(exc)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


class PostgresAdmin:
    """Creates and drops databases through an admin URL (postgresql+asyncpg://...)."""

    def __init__(self, admin_url: str = "") -> None:
        self._admin_url = admin_url

    @property
    def admin_url(self) -> str:
        return self._admin_url

    async def _execute(self, sql: str) -> None:
        dsn = make_url(self.admin_url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    async def create_database(self, name: str) -> str:
        await self._execute(f'CREATE DATABASE "{name}"')
        return make_url(self.admin_url).set(database=name).render_as_string(hide_password=False)

    async def drop_database(self, name: str) -> None:
        await self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PostgresServer(PostgresAdmin):
    """A throwaway PostgreSQL cluster in a temp dir, listening on 127.0.0.1 and a free port."""

    port: int | None = None
    tmpdir: Path | None = None
    _bin: Path
    _prefix: list[str]

    @property
    def admin_url(self) -> str:
        if self.port is None:
            raise RuntimeError("PostgreSQL server is not running")
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run([*self._prefix, str(self._bin / tool), *args],
                              capture_output=True, text=True, cwd=self.tmpdir, env=env, timeout=120)

    def _fail(self, reason: str) -> PostgresUnavailable:
        global _last_failure
        _last_failure = reason
        self.stop()
        return PostgresUnavailable(reason)

    def start(self) -> None:
        global _last_failure
        try:
            self._bin, self._prefix = _preflight()
        except PostgresUnavailable as exc:
            raise self._fail(str(exc))
        short = self._prefix or len(tempfile.gettempdir()) > 60
        self.tmpdir = Path(tempfile.mkdtemp(prefix="yanxiu-pg-", dir="/tmp" if short else None))
        if self._prefix:
            shutil.chown(self.tmpdir, "postgres", "postgres")
        atexit.register(self.stop)
        data, log = str(self.tmpdir / "data"), self.tmpdir / "server.log"
        res = self._run("initdb", "-D", data, "-A", "trust", "-U", "postgres",
                        "--encoding=UTF8", "--locale=C", "--no-sync")
        if res.returncode != 0:
            raise self._fail(f"initdb failed (exit {res.returncode}):\n{_tail(res.stderr or res.stdout)}")
        with open(self.tmpdir / "data" / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.tmpdir}'\n"
                       "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n")
        for _ in range(3):
            port = _free_port()
            log.unlink(missing_ok=True)
            res = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", str(log), "-o", f"-p {port}")
            detail = log.read_text(errors="replace") if log.exists() else res.stderr
            if res.returncode == 0:
                self.port, _last_failure = port, None
                return
            if "could not bind" not in detail:
                break
        raise self._fail(f"pg_ctl start failed (exit {res.returncode}):\n{_tail(detail)}")

    def stop(self) -> None:
        if self.tmpdir is None:
            return
        data = str(self.tmpdir / "data")
        if (self.tmpdir / "data" / "postmaster.pid").exists():
            if self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", data).returncode != 0:
                self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", data)
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        atexit.unregister(self.stop)
        self.tmpdir = self.port = None
