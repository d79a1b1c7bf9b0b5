"""PostgreSQL from Debian's `postgresql` package, as a private cluster of the project.

The cluster runs as the `postgres` system user (PostgreSQL refuses to run as root), listens on
TCP at the configured loopback address only, and requires passwords (scram-sha-256). The
superuser password is generated once and kept in the state folder (mode 0600).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import pwd
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import asyncpg
from pydantic import SecretStr

from jobstream.settings import PostgresSettings
from jobstream_stack.layout import StackLayout
from jobstream_stack.processes import ManagedProcess
from jobstream_stack.settings import StackSettings
from jobstream_stack.steps import StackError, note, step
from jobstream_stack.system import ensure_port_free, install_packages

SUPERUSER = "postgres"
# Clusters of checkouts the postgres user cannot reach live here, one folder each.
FALLBACK_ROOT = Path("/var/lib/postgresql/jobstream")
OWNER_FILE = "jobstream-owner"


class PostgresServer:
    def __init__(self, layout: StackLayout, pg: PostgresSettings, stack: StackSettings) -> None:
        self.layout = layout
        self.pg = pg
        self.stack = stack
        self.dir = layout.postgres
        self.password_file = self.dir / "superuser.password"

    # -- binaries and users ------------------------------------------------------------------------
    def bin(self, name: str) -> str:
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=_version_key)
        if not candidates:
            raise StackError(f"PostgreSQL's {name} not found under /usr/lib/postgresql")
        return str(candidates[-1])

    def install(self) -> None:
        if list(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            return
        # The project runs a cluster of its own: Debian's default cluster on port 5432 is not
        # wanted, so the package is told not to create it.
        if os.geteuid() == 0:
            drop_in = Path("/etc/postgresql-common/createcluster.d/jobstream.conf")
            drop_in.parent.mkdir(parents=True, exist_ok=True)
            drop_in.write_text("# written by jobstream_stack\ncreate_main_cluster = false\n")
        install_packages(["postgresql"])

    def _as_server_user(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SUPERUSER, "--", *argv]
        return argv

    def _run(self, argv: list[str], what: str) -> str:
        # cwd "/": the server user may not be allowed into the caller's working directory
        result = subprocess.run(self._as_server_user(argv), capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise StackError(f"{what} failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
        return result.stdout

    # -- where the cluster lives -----------------------------------------------------------
    @property
    def home(self) -> Path:
        """The folder of the cluster's data and log: the state folder, or where its link points.

        As root the server runs as `postgres`, which must be able to reach the folder; a checkout
        inside a private folder (a CI clone in a mode-0700 temp dir) is not reachable, so then
        the cluster lives under /var/lib/postgresql and `home` in the state folder links to it.
        """
        link = self.dir / "home"
        return link.resolve() if link.is_symlink() else self.dir

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "postgres.log"

    def _prepare_home(self) -> None:
        if os.geteuid() != 0 or self._server_user_can_reach(self.dir):
            return
        digest = hashlib.sha256(str(self.dir.resolve()).encode()).hexdigest()[:12]
        target = FALLBACK_ROOT / digest
        if target.exists():  # left by an earlier checkout at the same path
            shutil.rmtree(target)
        target.mkdir(mode=0o700, parents=True)
        user = pwd.getpwnam(SUPERUSER)
        os.chown(target, user.pw_uid, user.pw_gid)
        (self.dir / "home").symlink_to(target)
        # Whose cluster this is (written after the link: a cluster without one is never taken
        # for an orphan): `jobstream stack clean` removes clusters whose owner is gone.
        (target / OWNER_FILE).write_text(f"{self.dir.resolve()}\n")
        note(f"{self.dir} is not reachable by the postgres user: the cluster is in {target}")

    def _owned_by_server_user(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _server_user_can_reach(self, folder: Path) -> bool:
        probe = subprocess.run(["runuser", "-u", SUPERUSER, "--", "test", "-x", str(folder)])
        return probe.returncode == 0

    def initialise(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        with step("initialise the PostgreSQL cluster"):
            self.dir.mkdir(parents=True, exist_ok=True)
            self._prepare_home()
            data = self.data_dir
            data.mkdir(mode=0o700, exist_ok=True)
            self._owned_by_server_user(data)
            password = secrets.token_urlsafe(24)
            self.password_file.write_text(password)
            self.password_file.chmod(0o600)
            # initdb reads the password from a file the server user can read; removed at once.
            pwfile = self.home / f".pw-{secrets.token_hex(4)}"
            pwfile.write_text(password)
            try:
                self._owned_by_server_user(pwfile)
                pwfile.chmod(0o600)
                self._run(
                    [
                        self.bin("initdb"), "-D", str(data), "-U", SUPERUSER,
                        f"--pwfile={pwfile}", "--auth-host=scram-sha-256", "--auth-local=peer",
                        "--encoding=UTF8", "--locale=C.UTF-8",
                    ],
                    "initdb",
                )  # fmt: skip
            finally:
                pwfile.unlink(missing_ok=True)

    def _write_config(self) -> None:
        data = self.data_dir
        config = data / "postgresql.conf"
        include = "include_if_exists = 'jobstream.conf'"
        if include not in config.read_text():
            with config.open("a") as handle:
                handle.write(f"\n# settings of the jobstream native stack\n{include}\n")
        (data / "jobstream.conf").write_text(
            "# Generated by jobstream_stack on every start; edit PostgresSettings instead.\n"
            f"listen_addresses = '{self.pg.host}'\n"
            f"port = {self.pg.port}\n"
            # TCP only: a socket path inside a deep checkout can exceed the 107-byte limit.
            "unix_socket_directories = ''\n"
            "max_connections = 100\n"
            "shared_buffers = '128MB'\n"
            "fsync = on\n"
            "synchronous_commit = on\n"
        )

    # -- run ---------------------------------------------------------------------------------------
    @property
    def process(self) -> ManagedProcess:
        return ManagedProcess(
            name="postgres",
            pid_file=self.data_dir / "postmaster.pid",
            log_file=self.log_file,
            fingerprint="postgres",
        )

    def start(self) -> None:
        self.install()
        self.initialise()
        if self.process.is_running() and self.is_ready():
            note(f"PostgreSQL already running on {self.pg.host}:{self.pg.port}")
        else:
            ensure_port_free(self.pg.host, self.pg.port, "PostgreSQL")
            with step(f"start PostgreSQL on {self.pg.host}:{self.pg.port}"):
                self._write_config()
                self.log_file.touch()
                self._owned_by_server_user(self.log_file)
                self._run(
                    [
                        self.bin("pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                        "-w", "-t", str(int(self.stack.start_timeout_seconds)), "start",
                    ],
                    "pg_ctl start",
                )  # fmt: skip
                self.wait_ready(self.stack.start_timeout_seconds)
        with step(
            f"database {self.pg.database!r}, roles {self.pg.owner_user!r} and {self.pg.user!r}"
        ):
            asyncio.run(self._ensure_database())

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return
            time.sleep(0.3)
        raise StackError(f"PostgreSQL not ready after {timeout:.0f} s; see {self.log_file}")

    def is_ready(self) -> bool:
        probe = subprocess.run(
            [self.bin("pg_isready"), "-q", "-h", self.pg.host, "-p", str(self.pg.port)]
        )
        return probe.returncode == 0

    def stop(self) -> None:
        if not (self.data_dir / "postmaster.pid").exists():
            return
        self._run(
            [self.bin("pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"],
            "pg_ctl stop",
        )
        note("PostgreSQL stopped")

    def destroy(self) -> None:
        """Stop the cluster and delete its data (for throwaway clusters of tests)."""
        self.stop()
        home = self.home
        shutil.rmtree(home, ignore_errors=True)
        if home != self.dir:
            (self.dir / "home").unlink(missing_ok=True)

    def remove_orphans(self, root: Path = FALLBACK_ROOT) -> list[Path]:
        """Remove clusters under `root` that no checkout links to any more (its state folder
        was deleted, or made a new cluster): the ones `rm -rf .stack` used to leave behind.
        A cluster still running is left alone (someone uses it). Returns what was removed."""
        removed = []
        try:
            folders = sorted(root.iterdir()) if root.is_dir() else []
        except OSError:  # not ours to read (another user's machine set-up)
            folders = []
        for folder in folders:
            owner_file = folder / OWNER_FILE
            if not owner_file.exists():
                continue  # made before owners were recorded, or not ours: left alone
            owner = Path(owner_file.read_text().strip())
            link = owner / "home"
            if link.is_symlink() and link.resolve() == folder.resolve():
                continue  # its checkout still uses it
            if (folder / "data" / "postmaster.pid").exists() and _cluster_runs(folder / "data"):
                continue
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        return removed

    def status(self) -> str:
        if not (self.data_dir / "PG_VERSION").exists():
            return "not initialised"
        if not self.is_ready():
            return "stopped"
        return f"running on {self.pg.host}:{self.pg.port}"

    def superuser_password(self) -> str:
        return self.password_file.read_text().strip()

    async def _ensure_database(self) -> None:
        """The owner and service roles and the database; safe to run any number of times."""
        conn = await self.superuser_connection()
        try:
            await ensure_role(conn, self.pg.owner_user, self.pg.owner_password)
            await ensure_role(conn, self.pg.user, self.pg.password)
            await ensure_role(conn, self.pg.reader_user, self.pg.reader_password)
            await make_read_only(conn, self.pg.reader_user)
            await ensure_database(conn, self.pg.database, owner=self.pg.owner_user)
        finally:
            await conn.close()

    async def superuser_connection(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(
            host=self.pg.host,
            port=self.pg.port,
            user=SUPERUSER,
            password=self.superuser_password(),
            database=database,
        )


async def ensure_role(conn: asyncpg.Connection, role: str, password: SecretStr | None) -> None:
    """Create a login role, or reset its password to the configured one."""
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
    verb = "ALTER" if exists else "CREATE"
    # DDL takes no bind parameters: format() with %I / %L quotes on the server side.
    statement = await conn.fetchval(
        f"SELECT format('{verb} ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)",
        role,
        password.get_secret_value() if password else None,
    )
    await conn.execute(statement)


async def make_read_only(conn: asyncpg.Connection, role: str) -> None:
    """Every transaction of `role` is read-only unless it asks otherwise; the migrations grant
    it SELECT only (jobstream_store.adapters.migrate), so it could not write even if it asked."""
    statement = await conn.fetchval(
        "SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', $1::text)", role
    )
    await conn.execute(statement)


async def ensure_database(conn: asyncpg.Connection, database: str, owner: str) -> None:
    if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
        statement = await conn.fetchval(
            "SELECT format('CREATE DATABASE %I OWNER %I', $1::text, $2::text)", database, owner
        )
        await conn.execute(statement)
    else:
        statement = await conn.fetchval(
            "SELECT format('ALTER DATABASE %I OWNER TO %I', $1::text, $2::text)", database, owner
        )
        await conn.execute(statement)


async def drop_database(conn: asyncpg.Connection, database: str) -> None:
    """Drop a database even while clients are connected (tests' and benchmarks' throwaways)."""
    statement = await conn.fetchval(
        "SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', $1::text)", database
    )
    await conn.execute(statement)


def _cluster_runs(data: Path) -> bool:
    """The postmaster named in the cluster's pid file is alive."""
    try:
        pid = int((data / "postmaster.pid").read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return False
    return Path(f"/proc/{pid}").exists()


def _version_key(path: Path) -> tuple[int, ...]:
    version = path.parent.parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit())
