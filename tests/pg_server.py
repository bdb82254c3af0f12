"""A throwaway PostgreSQL server for tests: initdb into a temp dir, start, create databases, stop.

    server = start_server()              # raises PostgresUnavailable when it cannot run here
    url = server.create_database("t1")   # postgresql+psycopg2://armstrace@127.0.0.1:PORT/t1
    ...
    server.stop()                        # pg_ctl stop -m immediate, temp dir removed

Why it is built this way:
- The binaries are looked up on PATH first (a developer's own install wins),
  then in Debian/Ubuntu's /usr/lib/postgresql/<version>/bin, newest first.
- initdb and postgres refuse to run as root. Under root (containers, CI) the
  server runs as an unprivileged account: "postgres" where the server
  packages created it, else "nobody", else a system user made with useradd.
  Its files live in a fresh directory under /tmp (world-traversable, unlike
  pytest's 0700 tmp_path), owned by that account.
- The server listens on 127.0.0.1 on a free port, with its unix socket inside
  the temp dir, so it never meets another server on the machine.
- Durability is switched off (fsync, full_page_writes, synchronous_commit):
  the cluster is thrown away, and the tests must stay fast.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

SUPERUSER = "armstrace"  # the database role initdb creates; trust auth, local only
STANDARD_BIN_DIRS = "/usr/lib/postgresql/*/bin"
UNPRIVILEGED_CANDIDATES = ("postgres", "nobody")
DEDICATED_USER = "armstrace-pg"
START_ATTEMPTS = 3  # a free port can be taken between choosing it and binding it


class PostgresUnavailable(Exception):
    """PostgreSQL cannot run on this machine (no binaries, no unprivileged account): skip, do not fail."""


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name) or ["0"])


def find_bin_dir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        # /usr/local/bin/initdb is often a symlink; pg_ctl and postgres live beside the real file.
        candidates += [Path(on_path).parent, Path(on_path).resolve().parent]
    candidates += sorted(
        (p for p in Path("/").glob(STANDARD_BIN_DIRS.lstrip("/")) if p.is_dir()),
        key=lambda p: _version_key(p / "x"),
        reverse=True,
    )
    for directory in candidates:
        if all(os.access(directory / name, os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return directory
    return None


def _unprivileged_account() -> pwd.struct_passwd:
    """An account the server may run as when we are root."""
    for name in (os.environ.get("ARMSTRACE_PG_USER"), *UNPRIVILEGED_CANDIDATES, DEDICATED_USER):
        if not name:
            continue
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    useradd = shutil.which("useradd")
    if useradd:
        subprocess.run(
            [useradd, "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", DEDICATED_USER],
            capture_output=True,
        )
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(DEDICATED_USER)
    raise PostgresUnavailable("running as root and no unprivileged account to run PostgreSQL as")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throwaway cluster. `stop()` is idempotent and also runs at interpreter exit."""

    bin_dir: Path
    root: Path
    port: int = 0
    account: pwd.struct_passwd | None = None  # the OS account the server runs as; None: ourselves
    databases: list[str] = field(default_factory=list)
    _stopped: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "server.log"

    def url(self, database: str = "postgres", driver: str | None = "psycopg2") -> str:
        """A SQLAlchemy URL; `driver=None` gives the bare postgresql:// form users type."""
        scheme = f"postgresql+{driver}" if driver else "postgresql"
        return f"{scheme}://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def run(self, args: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run a server binary as the server's account."""
        options: dict[str, object] = {}
        if self.account is not None:
            options = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.root),  # the account's own home may not exist ("nobody")
            "LC_ALL": "C.UTF-8" if _has_c_utf8() else "C",
        }
        return subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            capture_output=True, text=True, env=env, cwd=self.root, timeout=timeout, **options,  # type: ignore[arg-type]
        )  # fmt: skip

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def _initdb(self) -> None:
        locale = ["--locale=C.UTF-8"] if _has_c_utf8() else ["--no-locale"]
        # UTF8 explicitly: without a UTF-8 locale initdb would pick SQL_ASCII, which accepts any
        # bytes and would hide encoding problems a production server (UTF8) has.
        done = self.run(
            ["initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust", "--encoding=UTF8",
             *locale, "--no-sync"]
        )  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {(done.stderr or done.stdout).strip()}")

    def _start(self) -> None:
        settings = {
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.socket_dir),
            "fsync": "off",
            "full_page_writes": "off",
            "synchronous_commit": "off",
            "max_connections": "50",
        }
        last_error = ""
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            options = " ".join(f"-c {key}={value}" for key, value in settings.items()) + f" -p {self.port}"
            done = self.run(
                ["pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options, "-w", "-t", "60",
                 "start"]
            )  # fmt: skip
            if done.returncode == 0:
                return
            last_error = (done.stderr or done.stdout).strip() + "\n" + self.log_tail()
            if "already in use" not in last_error:
                break
        raise RuntimeError(f"PostgreSQL did not start: {last_error}")

    def create_database(self, name: str) -> str:
        """Create a database (name made safe, at most 63 characters) and return its URL.

        The URL names the psycopg2 driver: it is the one armstrace installs, and
        SQLAlchemy 2.1 reads a bare postgresql:// as psycopg (version 3).
        """
        import psycopg2
        from psycopg2 import sql

        safe = re.sub(r"[^a-z0-9_]+", "_", name.lower()).strip("_")[:63] or "db"
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            connection.autocommit = True  # CREATE DATABASE cannot run inside a transaction
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(safe)))
        finally:
            connection.close()
        self.databases.append(safe)
        return self.url(safe)

    def stop(self) -> None:
        """Stop the server at once (it is thrown away) and remove its files."""
        if self._stopped:
            return
        self._stopped = True
        if (self.data_dir / "postmaster.pid").exists():
            done = self.run(["pg_ctl", "-D", str(self.data_dir), "-m", "immediate", "-w", "-t", "30", "stop"])
            if done.returncode != 0:
                self._kill_postmaster()
        shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        """Last resort when pg_ctl could not stop it: SIGKILL the postmaster this server started."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


_C_UTF8: bool | None = None


def _has_c_utf8() -> bool:
    global _C_UTF8
    if _C_UTF8 is None:
        try:
            listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
            _C_UTF8 = any(line.lower() in ("c.utf8", "c.utf-8") for line in listed.split())
        except (OSError, subprocess.SubprocessError):
            _C_UTF8 = False
    return _C_UTF8


def start_server() -> PostgresServer:
    """Initialise and start a throwaway cluster.

    Raises PostgresUnavailable when PostgreSQL cannot run here (callers skip),
    RuntimeError when it should run but does not (callers fail, with the log).
    """
    try:
        import psycopg2  # noqa: F401 - the driver the store uses for postgresql:// URLs
    except ImportError as exc:
        raise PostgresUnavailable("psycopg2 is not installed") from exc
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable(f"PostgreSQL server binaries (initdb, pg_ctl, postgres) not on PATH or in {STANDARD_BIN_DIRS}")
    account = _unprivileged_account() if os.geteuid() == 0 else None
    # /tmp rather than $TMPDIR or pytest's tmp_path: every parent must be traversable by the account.
    base = "/tmp" if account is not None and os.path.isdir("/tmp") else None
    root = Path(tempfile.mkdtemp(prefix="armstrace-pg-", dir=base))
    server = PostgresServer(bin_dir=bin_dir, root=root, account=account)
    atexit.register(server.stop)
    try:
        if account is not None:
            os.chown(root, account.pw_uid, account.pw_gid)
        os.chmod(root, 0o700)
        server.socket_dir.mkdir()
        if account is not None:
            os.chown(server.socket_dir, account.pw_uid, account.pw_gid)
        server._initdb()
        server._start()
    except BaseException:
        server.stop()
        raise
    return server
