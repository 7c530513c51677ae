"""`manage.py backup_data` / `restore_data`: a backup restored into a fresh database and a fresh
media folder holds the same rows and files, and a damaged or hostile backup restores nothing.

pg_dump and pg_restore are separate processes: they only see committed rows, hence
transaction=True. The round trip needs PostgreSQL and its client tools; CI has both.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from psycopg2 import sql

from tests.factories import UnitFactory
from units.backup import PgDatabase, migration_notes

pytestmark = [pytest.mark.django_db(transaction=True)]

# Tables compared between the source and the restored database, beside the command's own check.
KEY_TABLES = (
    "units_unit",
    "units_staff",
    "auth_user",
    "auth_group",
    "auth_user_groups",
    "emulation_movement",
    "emulation_criterion",
    "django_migrations",
)
UNITS_CHECKSUM = "SELECT md5(string_agg(code || '|' || name, ',' ORDER BY id)) FROM units_unit"
UPLOADS = {
    "evidence/7/3/5f1c0a9e2b7d4c61-20260115093000000000": b"%PDF-1.4 evidence of task area 4\n",
    "dossiers/12/report-20260301080000000000": b"%PDF-1.4 dossier report\n" * 200,
    "decisions/Quyết định 15-QĐ khen thưởng.pdf": b"%PDF-1.4 signed decision\n",
}


@pytest.fixture
def postgres():
    """Skip where the round trip cannot run; in CI a missing pg_dump is a failure, not a skip."""
    if connection.vendor != "postgresql":
        pytest.skip("backups need PostgreSQL: set DATABASE_URL=postgres://... to run these tests")
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        reason = f"{', '.join(missing)} not installed (Debian package postgresql-client)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def _server_params(dbname: str) -> dict:
    settings_dict = connection.settings_dict
    params = {"dbname": dbname, "user": settings_dict["USER"] or None}
    params["password"] = settings_dict["PASSWORD"] or None
    params["host"] = settings_dict["HOST"] or None
    params["port"] = settings_dict["PORT"] or None
    return params


def _url(dbname: str) -> str:
    settings_dict = connection.settings_dict
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{dbname}"


@pytest.fixture
def fresh_database(postgres):
    """An empty database beside the test database, dropped afterwards: (name, URL)."""
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"[:63]
    admin = psycopg2.connect(**_server_params("postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        yield name, _url(name)
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _query(dbname: str, statement: str):
    with contextlib.closing(psycopg2.connect(**_server_params(dbname))) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        return cursor.fetchall()


def _tables(dbname: str) -> set[str]:
    rows = _query(dbname, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {row[0] for row in rows}


def _snapshot(dbname: str) -> dict:
    """Row counts of the key tables and a checksum of the units' codes and names."""
    count = sql.SQL("SELECT count(*) FROM {}")
    result = {table: _query(dbname, count.format(sql.Identifier(table)))[0][0] for table in KEY_TABLES}
    result["units_checksum"] = _query(dbname, UNITS_CHECKSUM)[0][0]
    return result


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _backup(dest: Path) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("backup_data", "--dest", str(dest), stdout=out)
    return out.getvalue()


def _restore(source: Path, url: str, *extra: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("restore_data", str(source), "--database-url", url, *extra, stdout=out)
    return out.getvalue()


@pytest.fixture
def source_data(settings, tmp_path, org, unit_officer):
    """Units and a user from the factories, and uploads of every kind in a MEDIA_ROOT of its own."""
    UnitFactory(code="KV3", name="Chi cục Hải quan khu vực III", kind="branch", parent=org.dept)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    for name, content in UPLOADS.items():
        assert default_storage.save(name, ContentFile(content)) == name
    outside = tmp_path / "outside.txt"
    outside.write_text("not an upload")
    (media / "decisions" / "link-to-outside").symlink_to(outside)
    return media


def _rewrite_manifest(folder: Path, change) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_backup_data_restores_same_rows_and_files_into_fresh_database(
    fresh_database, source_data, settings, tmp_path
):
    target_name, target_url = fresh_database
    source_name = connection.settings_dict["NAME"]
    expected = _snapshot(source_name)
    folder = tmp_path / "backup"

    backup_output = _backup(folder)

    assert sorted(path.name for path in folder.iterdir()) == [
        "database.dump",
        "manifest.json",
        "media.tar.gz",
    ]
    assert str(folder) in backup_output
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["sha256"] == _sha256(folder / "database.dump")
    assert manifest["row_counts"]["units_unit"] == expected["units_unit"] == 6
    assert manifest["row_counts"]["auth_user"] == expected["auth_user"] == 1
    assert (
        manifest["migrations"]["units"]
        == _query(
            source_name,
            "SELECT name FROM django_migrations WHERE app = 'units' ORDER BY applied DESC, id DESC",
        )[0][0]
    )
    assert manifest["media"]["files"] == {
        name: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
        for name, content in UPLOADS.items()
    }
    with tarfile.open(folder / "media.tar.gz", encoding="utf-8") as archive:
        assert sorted(archive.getnames()) == sorted(UPLOADS)
    restored_media = tmp_path / "restored-media"
    settings.MEDIA_ROOT = restored_media

    restore_output = _restore(folder, target_url)

    assert _snapshot(target_name) == expected
    assert {
        path.relative_to(restored_media).as_posix(): _sha256(path)
        for path in restored_media.rglob("*")
        if path.is_file()
    } == {name: _sha256(source_data / name) for name in UPLOADS}
    assert "0 differ" in restore_output


def test_restore_data_refuses_tampered_dump_and_restores_nothing(
    fresh_database, source_data, settings, tmp_path
):
    target_name, target_url = fresh_database
    folder = tmp_path / "backup"
    _backup(folder)
    dump = folder / "database.dump"
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="does not match the checksum") as refused:
        _restore(folder, target_url)

    assert "Nothing was restored" in str(refused.value)
    assert _tables(target_name) == set()
    assert not (tmp_path / "restored-media").exists()


def test_restore_data_refuses_changed_upload_and_restores_nothing(
    fresh_database, source_data, settings, tmp_path
):
    target_name, target_url = fresh_database
    folder = tmp_path / "backup"
    _backup(folder)
    changed = "decisions/Quyết định 15-QĐ khen thưởng.pdf"
    _rewrite_manifest(folder, lambda manifest: manifest["media"]["files"][changed].update(sha256="0" * 64))
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="does not match its checksum") as refused:
        _restore(folder, target_url)

    assert changed in str(refused.value)
    assert _tables(target_name) == set()
    assert not (tmp_path / "restored-media").exists()


def _hostile_backup(folder: Path, member: tarfile.TarInfo, content: bytes) -> None:
    """A backup folder whose dump passes its checksum and whose archive holds one chosen member."""
    folder.mkdir()
    dump = b"PGDMP not a real dump"
    (folder / "database.dump").write_bytes(dump)
    with tarfile.open(folder / "media.tar.gz", "w:gz", encoding="utf-8") as archive:
        archive.addfile(member, io.BytesIO(content) if member.isfile() else None)
    manifest = {
        "format": 1,
        "created_at": "2026-03-01T08:00:00+07:00",
        "database": {"name": "x", "file": "database.dump", "sha256": hashlib.sha256(dump).hexdigest()},
        "migrations": {},
        "row_counts": {},
        "media": {"file": "media.tar.gz", "files": {}},
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _member(name: str, *, kind=tarfile.REGTYPE, size: int = 0, linkname: str = "") -> tarfile.TarInfo:
    member = tarfile.TarInfo(name)
    member.type = kind
    member.size = size
    member.linkname = linkname
    return member


@pytest.mark.parametrize(
    ("member_name", "kind", "linkname", "reason"),
    [
        ("../evil", tarfile.REGTYPE, "", "leaves the media folder"),
        ("evidence/../../evil", tarfile.REGTYPE, "", "leaves the media folder"),
        ("/etc/cron.daily/evil", tarfile.REGTYPE, "", "absolute path"),
        ("evidence/evil", tarfile.SYMTYPE, "/etc/passwd", "link or special file"),
        ("evidence/evil", tarfile.LNKTYPE, "../../evil", "link or special file"),
    ],
)
def test_restore_data_refuses_unsafe_media_archive_member(
    fresh_database, settings, tmp_path, member_name, kind, linkname, reason
):
    target_name, target_url = fresh_database
    folder = tmp_path / "backup"
    content = b"#!/bin/sh\necho owned\n"
    size = len(content) if kind == tarfile.REGTYPE else 0
    _hostile_backup(folder, _member(member_name, kind=kind, size=size, linkname=linkname), content)
    media = tmp_path / "media" / "inside"
    settings.MEDIA_ROOT = media

    with pytest.raises(CommandError, match=reason) as refused:
        _restore(folder, target_url, "--yes")

    assert member_name in str(refused.value)
    assert not (tmp_path / "media" / "evil").exists()
    assert not (tmp_path / "evil").exists()
    assert not media.exists()
    assert _tables(target_name) == set()


def test_restore_data_refuses_database_with_tables_unless_confirmed(
    fresh_database, source_data, settings, tmp_path
):
    target_name, target_url = fresh_database
    _query_commit(target_name, "CREATE TABLE kept_by_operator (id integer)")
    folder = tmp_path / "backup"
    _backup(folder)
    settings.MEDIA_ROOT = tmp_path / "restored-media"

    with pytest.raises(CommandError, match="--yes"):
        _restore(folder, target_url)

    assert _tables(target_name) == {"kept_by_operator"}

    output = _restore(folder, target_url, "--yes")

    assert "0 differ" in output
    assert _snapshot(target_name) == _snapshot(connection.settings_dict["NAME"])


def _query_commit(dbname: str, statement: str) -> None:
    with contextlib.closing(psycopg2.connect(**_server_params(dbname))) as conn:
        with conn.cursor() as cursor:
            cursor.execute(statement)
        conn.commit()


def test_restore_data_fails_when_restored_rows_differ_from_manifest(
    fresh_database, source_data, settings, tmp_path
):
    _target_name, target_url = fresh_database
    folder = tmp_path / "backup"
    _backup(folder)
    _rewrite_manifest(folder, lambda manifest: manifest["row_counts"].update(units_unit=7))
    settings.MEDIA_ROOT = tmp_path / "restored-media"
    out = io.StringIO()

    with translation.override("en"), pytest.raises(CommandError, match="differs from the backup"):
        call_command("restore_data", str(folder), "--database-url", target_url, stdout=out)

    assert "table units_unit: expected 7, found 6" in out.getvalue()


def test_backup_data_refuses_folder_that_is_not_empty(postgres, source_data, tmp_path):
    folder = tmp_path / "backup"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")

    with pytest.raises(CommandError, match="not empty"):
        _backup(folder)

    assert [path.name for path in folder.iterdir()] == ["notes.txt"]


def test_backup_data_on_sqlite_says_to_copy_the_file(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the message for SQLite installations; this run uses PostgreSQL")

    with pytest.raises(CommandError, match=r"Backups need PostgreSQL; with SQLite copy var/db\.sqlite3"):
        _backup(tmp_path / "backup")

    assert not (tmp_path / "backup").exists()


def test_restore_data_refuses_sqlite_target(tmp_path):
    with pytest.raises(CommandError, match="Backups need PostgreSQL"):
        _restore(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")


def test_pg_database_keeps_password_out_of_dsn_and_label():
    database = PgDatabase.from_url("postgres://backup:s3cr%40t@db.internal:5433/emulation?sslmode=require")

    assert "s3cr" not in database.dsn()
    assert "s3cr" not in database.label
    assert "s3cr" not in repr(database)
    assert database.environ()["PGPASSWORD"] == "s3cr@t"
    assert database.params == {
        "dbname": "emulation",
        "host": "db.internal",
        "port": "5433",
        "user": "backup",
        "sslmode": "require",
    }


def test_migration_notes_tell_to_migrate_an_older_backup_and_refuse_a_newer_one():
    with translation.override("en"):
        notes = migration_notes(
            {"migrations": {"units": "0002_units_clusters_staff", "awards": "0999_from_the_future"}}
        )

    assert len(notes) == 2
    assert "0999_from_the_future" in notes[0]
    assert "does not have" in notes[0]
    latest_units = dict(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())["units"]
    assert latest_units > "0002_units_clusters_staff"
    assert f"run manage.py migrate to reach {latest_units}" in notes[1]
