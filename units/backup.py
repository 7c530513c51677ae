"""Backups of the PostgreSQL database and the uploaded files, and their verified restore.

A backup is a folder of three files:

- ``database.dump``: ``pg_dump --format=custom`` of the whole database;
- ``media.tar.gz``: every regular file under MEDIA_ROOT (evidence, dossiers, decisions), with
  paths relative to MEDIA_ROOT; symbolic links are left out;
- ``manifest.json``: when it was made, the last applied migration of every app, the row count of
  every table of the local apps and auth, and a SHA-256 of the dump and of every media file.
  It is written last, so a folder without it is an unfinished backup.

The dump and the row counts come from one exported snapshot of a read-only REPEATABLE READ
transaction, so the counts describe exactly what the dump holds even while the application keeps
writing. A restore checks everything it can before it touches anything (the dump's checksum, every
archive member's path, type and checksum), restores the database in one transaction, writes the
files, then counts again and compares. The management commands ``backup_data`` and
``restore_data`` are thin wrappers; the operator's messages come from ``BackupError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

import dj_database_url
import psycopg2
from django.apps import apps
from django.db import connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg2 import sql
from psycopg2.extensions import make_dsn

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
# Tables counted in the manifest and checked after a restore: the application's own data and the
# accounts. Sessions, admin log and login attempts are in the dump too, but nobody misses a count.
COUNTED_APPS = ("auth", "units", "emulation", "awards")
POSTGRESQL_ENGINE = "django.db.backends.postgresql"
# Connection settings passed on to libpq (pg_dump, pg_restore, psycopg2); Django's own OPTIONS
# such as isolation_level or pool mean nothing to libpq.
LIBPQ_OPTIONS = (
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "connect_timeout",
    "options",
    "application_name",
    "target_session_attrs",
    "passfile",
)
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator what to do."""


# --- Connections ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgDatabase:
    """Where a PostgreSQL database is, without its password in any printable form."""

    params: dict[str, str]
    password: str = field(default="", repr=False)

    @classmethod
    def from_settings(cls, settings_dict: dict[str, Any]) -> PgDatabase:
        """Read a Django DATABASES entry; anything but PostgreSQL is refused."""
        if settings_dict.get("ENGINE") != POSTGRESQL_ENGINE:
            raise BackupError(
                _(
                    "Backups need PostgreSQL; with SQLite copy var/db.sqlite3 (and var/media) while "
                    "the application is stopped."
                )
            )
        params = {"dbname": str(settings_dict.get("NAME") or "")}
        for setting, keyword in (("HOST", "host"), ("PORT", "port"), ("USER", "user")):
            if settings_dict.get(setting):
                params[keyword] = str(settings_dict[setting])
        options = settings_dict.get("OPTIONS") or {}
        params.update({key: str(options[key]) for key in LIBPQ_OPTIONS if options.get(key) is not None})
        if not params["dbname"]:
            raise BackupError(_("The database settings name no database."))
        return cls(params=params, password=str(settings_dict.get("PASSWORD") or ""))

    @classmethod
    def from_url(cls, url: str) -> PgDatabase:
        try:
            settings_dict = dj_database_url.parse(url)
        except ValueError as error:
            raise BackupError(_("The database URL cannot be read (%(error)s).") % {"error": error}) from None
        return cls.from_settings(settings_dict)

    @property
    def name(self) -> str:
        return self.params["dbname"]

    @property
    def label(self) -> str:
        """For messages: name, host and port, never the password."""
        host = self.params.get("host", "local socket")
        port = self.params.get("port", "5432")
        return f"{self.name} ({host}:{port})"

    def dsn(self) -> str:
        """A libpq connection string without the password, safe on a command line."""
        return make_dsn(**self.params)

    def environ(self) -> dict[str, str]:
        """The environment of a pg_dump or pg_restore: the password travels here, not in argv."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def connect(self):
        return psycopg2.connect(self.dsn(), password=self.password or None)


def run_pg_tool(program: str, arguments: list[str], database: PgDatabase) -> None:
    """Run pg_dump or pg_restore; its own error message becomes the operator's message."""
    executable = shutil.which(program)
    if executable is None:
        raise BackupError(
            _(
                "%(program)s is not installed: install the PostgreSQL client tools (Debian package postgresql-client)."
            )
            % {"program": program}
        )
    completed = subprocess.run(  # noqa: S603 - fixed program, arguments built here, no shell
        [executable, *arguments],
        env=database.environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BackupError(
            _("%(program)s failed on the database %(database)s: %(error)s")
            % {"program": program, "database": database.label, "error": completed.stderr.strip()}
        )


# --- Checksums and counts ---------------------------------------------------------------------


def sha256_of_stream(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def sha256_of_file(path: Path) -> str:
    with path.open("rb") as stream:
        return sha256_of_stream(stream)


def counted_tables() -> list[tuple[str, Any]]:
    """(table, model) for every table of COUNTED_APPS, many-to-many link tables included."""
    tables: dict[str, Any] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in COUNTED_APPS and meta.managed and not meta.proxy:
            tables.setdefault(meta.db_table, model)
    return sorted(tables.items())


def last_migrations(rows: list[tuple[str, str]]) -> dict[str, str]:
    """The last applied migration of every app, from (app, name) rows in the order applied."""
    return dict(sorted(dict(rows).items()))


# --- Backup -----------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    manifest: dict[str, Any]

    @property
    def table_count(self) -> int:
        return len(self.manifest["row_counts"])

    @property
    def row_count(self) -> int:
        return sum(self.manifest["row_counts"].values())

    @property
    def media_count(self) -> int:
        return len(self.manifest["media"]["files"])

    @property
    def media_bytes(self) -> int:
        return sum(entry["size"] for entry in self.manifest["media"]["files"].values())

    @property
    def dump_bytes(self) -> int:
        return self.manifest["database"]["size"]


def default_backup_folder(var_dir: Path) -> Path:
    """VAR_DIR/backups/<YYYYmmdd-HHMMSS>, local time (Asia/Ho_Chi_Minh)."""
    return Path(var_dir) / "backups" / timezone.localtime().strftime("%Y%m%d-%H%M%S")


def create_backup(folder: Path, *, media_root: Path, using: str = "default") -> BackupResult:
    """Write a backup of the database ``using`` and of ``media_root`` into ``folder``.

    Side effects: creates ``folder`` (owner-only permissions: it holds personal data), runs
    pg_dump, reads every file under ``media_root``. On failure the unfinished folder is removed.
    """
    connection = connections[using]
    database = PgDatabase.from_settings(connection.settings_dict)
    folder = Path(folder).absolute()
    media_root = Path(media_root).absolute()
    if folder.resolve().is_relative_to(media_root.resolve()):
        raise BackupError(_("Write the backup outside MEDIA_ROOT (%(media)s).") % {"media": media_root})
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(
            _("The folder %(folder)s is not empty: choose a new folder for the backup.") % {"folder": folder}
        )
    if connection.in_atomic_block:
        raise BackupError(_("Run the backup outside a database transaction."))
    created = not folder.exists()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        manifest = _write_backup(folder, media_root=media_root, database=database, using=using)
    except BaseException:
        if created:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            for name in (DUMP_NAME, MEDIA_NAME, MANIFEST_NAME):
                (folder / name).unlink(missing_ok=True)
        raise
    return BackupResult(folder=folder, manifest=manifest)


def _write_backup(folder: Path, *, media_root: Path, database: PgDatabase, using: str) -> dict[str, Any]:
    connection = connections[using]
    dump_path = folder / DUMP_NAME
    # One snapshot for the counts, the migration state and pg_dump: pg_dump attaches to it with
    # --snapshot while this transaction stays open, so the manifest matches the dump exactly.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cursor.fetchone()
        row_counts = {table: model._base_manager.using(using).count() for table, model in counted_tables()}
        recorder = MigrationRecorder(connection)
        migrations = last_migrations(
            list(recorder.migration_qs.order_by("applied", "id").values_list("app", "name"))
        )
        run_pg_tool(
            "pg_dump",
            [
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
                f"--dbname={database.dsn()}",
            ],
            database,
        )
    dump_path.chmod(0o600)
    media_files = archive_media(media_root, folder / MEDIA_NAME)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": timezone.localtime().isoformat(timespec="seconds"),
        "database": {
            "name": database.name,
            "server_version": server_version,
            "file": DUMP_NAME,
            "sha256": sha256_of_file(dump_path),
            "size": dump_path.stat().st_size,
        },
        "migrations": migrations,
        "row_counts": row_counts,
        "media": {"file": MEDIA_NAME, "files": media_files},
    }
    manifest_path = folder / MANIFEST_NAME
    manifest_path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    manifest_path.chmod(0o600)
    return manifest


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular file below media_root, links left out."""
    if not media_root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(media_root, followlinks=False):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield path.relative_to(media_root).as_posix(), path


def archive_media(media_root: Path, archive_path: Path) -> dict[str, dict[str, Any]]:
    """Write every regular file of media_root into a gzipped tar; return their checksums."""
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(archive_path, "w:gz", format=tarfile.PAX_FORMAT, encoding="utf-8") as archive:
        for name, path in _media_files(media_root):
            with path.open("rb") as stream:
                digest = sha256_of_stream(stream)
                stream.seek(0)
                info = archive.gettarinfo(arcname=name, fileobj=stream)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                archive.addfile(info, stream)
            files[name] = {"sha256": digest, "size": info.size}
    archive_path.chmod(0o600)
    return files


# --- Restore ----------------------------------------------------------------------------------


@dataclass
class Check:
    """One comparison after a restore: a table's rows, an app's migration or a file's checksum."""

    kind: str
    name: str
    expected: Any
    found: Any

    @property
    def ok(self) -> bool:
        return self.expected == self.found


@dataclass
class RestoreReport:
    database: PgDatabase
    media_root: Path
    checks: list[Check]
    notes: list[str] = field(default_factory=list)

    @property
    def failures(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    @property
    def ok(self) -> bool:
        return not self.failures

    def count(self, kind: str) -> int:
        return sum(1 for check in self.checks if check.kind == kind)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        raise BackupError(
            _("%(folder)s has no manifest.json: it is not a backup folder, or the backup did not finish.")
            % {"folder": folder}
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        valid = (
            manifest["format"] == MANIFEST_FORMAT
            and isinstance(manifest["database"]["sha256"], str)
            and isinstance(manifest["row_counts"], dict)
            and isinstance(manifest["migrations"], dict)
            and isinstance(manifest["media"]["files"], dict)
        )
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise BackupError(_("%(path)s is not a manifest of this application's backups.") % {"path": path})
    return manifest


def verify_dump(folder: Path, manifest: dict[str, Any]) -> None:
    path = Path(folder) / DUMP_NAME
    if not path.is_file():
        raise BackupError(_("%(path)s is missing.") % {"path": path})
    if sha256_of_file(path) != manifest["database"]["sha256"]:
        raise BackupError(
            _(
                "%(path)s does not match the checksum in manifest.json: the file is damaged or was "
                "changed. Nothing was restored; use another backup."
            )
            % {"path": path}
        )


def unsafe_member_reason(member: tarfile.TarInfo) -> str | None:
    """Why an archive member may not be written under MEDIA_ROOT, or None when it may."""
    path = PurePosixPath(member.name)
    if not member.name or path.is_absolute():
        return _("an absolute path")
    if ".." in path.parts:
        return _("a path that leaves the media folder")
    if not (member.isfile() or member.isdir()):
        return _("a link or special file")
    return None


def verify_media_archive(folder: Path, manifest: dict[str, Any]) -> None:
    """Refuse an archive with an unsafe member, a file the manifest does not list or a changed file."""
    path = Path(folder) / MEDIA_NAME
    if not path.is_file():
        raise BackupError(_("%(path)s is missing.") % {"path": path})
    expected = manifest["media"]["files"]
    seen: set[str] = set()
    try:
        with tarfile.open(path, "r:gz", encoding="utf-8") as archive:
            for member in archive:
                reason = unsafe_member_reason(member)
                if reason is not None:
                    raise BackupError(
                        _("%(path)s holds %(reason)s (%(member)s). Nothing was restored.")
                        % {"path": path, "reason": reason, "member": member.name}
                    )
                if member.isdir():
                    continue
                name = PurePosixPath(member.name).as_posix()
                entry = expected.get(name)
                if entry is None:
                    raise BackupError(
                        _(
                            "%(path)s holds %(member)s, which manifest.json does not list. Nothing was restored."
                        )
                        % {"path": path, "member": name}
                    )
                stream = archive.extractfile(member)
                if stream is None or sha256_of_stream(stream) != entry["sha256"]:
                    raise BackupError(
                        _(
                            "%(member)s in %(path)s does not match its checksum in manifest.json. "
                            "Nothing was restored; use another backup."
                        )
                        % {"path": path, "member": name}
                    )
                seen.add(name)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(
            _("%(path)s cannot be read (%(error)s). Nothing was restored.") % {"path": path, "error": error}
        ) from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(
            _(
                "%(path)s lacks %(count)d files listed in manifest.json, e.g. %(member)s. Nothing was restored."
            )
            % {"path": path, "count": len(missing), "member": missing[0]}
        )


def table_count(database: PgDatabase) -> int:
    """Tables outside PostgreSQL's own schemas: zero for a database nobody has migrated yet."""
    with contextlib.closing(database.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        return cursor.fetchone()[0]


def extract_media(folder: Path, media_root: Path) -> None:
    """Write the archive's files under media_root, member by member, never outside it."""
    root = Path(media_root).absolute()
    root.mkdir(parents=True, exist_ok=True)
    resolved_root = root.resolve()
    with tarfile.open(Path(folder) / MEDIA_NAME, "r:gz", encoding="utf-8") as archive:
        for member in archive:
            # Checked once in verify_media_archive; checked again because this is the write.
            reason = unsafe_member_reason(member)
            if reason is not None:
                raise BackupError(
                    _("The media archive holds %(reason)s (%(member)s).")
                    % {"reason": reason, "member": member.name}
                )
            if not member.isfile():
                continue
            target = root / PurePosixPath(member.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            # A folder under MEDIA_ROOT may itself be a link to elsewhere: write only inside.
            if not target.parent.resolve().is_relative_to(resolved_root):
                raise BackupError(
                    _("%(member)s would be written outside MEDIA_ROOT (%(media)s).")
                    % {"member": member.name, "media": root}
                )
            source = archive.extractfile(member)
            if source is None:
                continue
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".restore-")
            try:
                with os.fdopen(handle, "wb") as stream:
                    shutil.copyfileobj(source, stream, CHUNK)
                Path(temporary).chmod(0o644)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise


def verify_restore(manifest: dict[str, Any], *, database: PgDatabase, media_root: Path) -> list[Check]:
    """Count every manifest table, read the migration state and hash every file, after a restore."""
    checks: list[Check] = []
    with contextlib.closing(database.connect()) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_catalog.pg_tables "
            "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
        present = {row[0] for row in cursor.fetchall()}
        for table, expected in sorted(manifest["row_counts"].items()):
            found = None
            if table in present:
                cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
                found = cursor.fetchone()[0]
            checks.append(Check("table", table, expected, found))
        restored: dict[str, str] = {}
        if "django_migrations" in present:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
            restored = last_migrations(cursor.fetchall())
        checks.extend(
            Check("migration", app_label, name, restored.get(app_label))
            for app_label, name in sorted(manifest["migrations"].items())
        )
    root = Path(media_root)
    for name, entry in sorted(manifest["media"]["files"].items()):
        path = root / PurePosixPath(name)
        found = sha256_of_file(path) if path.is_file() and not path.is_symlink() else None
        checks.append(Check("file", name, entry["sha256"], found))
    return checks


def migration_notes(manifest: dict[str, Any]) -> list[str]:
    """What the operator must know when the backup's schema and this code's migrations differ."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    leaves = dict(loader.graph.leaf_nodes())
    notes = []
    for app_label, name in sorted(manifest["migrations"].items()):
        if app_label not in leaves:
            continue
        if (app_label, name) not in known:
            notes.append(
                _(
                    "The backup's %(app)s tables are at migration %(name)s, which this version of the "
                    "application does not have: run the version that made the backup."
                )
                % {"app": app_label, "name": name}
            )
        elif leaves[app_label] != name:
            notes.append(
                _("The backup's %(app)s tables are at %(name)s; run manage.py migrate to reach %(latest)s.")
                % {"app": app_label, "name": name, "latest": leaves[app_label]}
            )
    return notes


def restore_backup(
    folder: Path, *, database: PgDatabase, media_root: Path, replace: bool = False
) -> RestoreReport:
    """Restore a backup folder into ``database`` and ``media_root``, then verify it.

    Everything that can be checked beforehand is checked before anything is written: the dump's
    checksum, every archive member (path, type, listed in the manifest, checksum), and that the
    database is empty unless ``replace`` is true. Side effects: pg_restore --clean in one
    transaction (the database's tables are replaced), files written under ``media_root`` (files
    the backup does not hold are left alone).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    verify_dump(folder, manifest)
    verify_media_archive(folder, manifest)
    try:
        tables = table_count(database)
    except psycopg2.Error as error:
        raise BackupError(
            _("Cannot connect to the database %(database)s: %(error)s")
            % {"database": database.label, "error": str(error).strip()}
        ) from None
    if tables and not replace:
        raise BackupError(
            _(
                "The database %(database)s already has %(count)d tables; the restore would replace "
                "their contents. Stop the application, then run again with --yes to confirm."
            )
            % {"database": database.label, "count": tables}
        )
    run_pg_tool(
        "pg_restore",
        [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            # All or nothing: a failure half-way leaves the database as it was.
            "--single-transaction",
            f"--dbname={database.dsn()}",
            str(folder / DUMP_NAME),
        ],
        database,
    )
    extract_media(folder, media_root)
    try:
        checks = verify_restore(manifest, database=database, media_root=media_root)
    except psycopg2.Error as error:
        raise BackupError(
            _("The database was restored, but counting its rows failed: %(error)s")
            % {"error": str(error).strip()}
        ) from None
    return RestoreReport(
        database=database, media_root=Path(media_root), checks=checks, notes=migration_notes(manifest)
    )
