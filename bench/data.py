"""The bench databases: `<prefix>_<scale>`, created, migrated and seeded once, reused while their seed matches.

A database is reused when its marker row (table `bench_seed_marker`, written after a complete seed)
names the same scale and seed; otherwise, or with `--fresh`, it is dropped and built again. The
marker also keeps a fingerprint of the demo code: when that code changed since the seed, the run
says so (and the results record it), but reuses the data; `make bench FRESH=1` rebuilds. Only databases named `<prefix>_<scale>` of the requested scales are ever
created or dropped; the prefix must contain "bench" (common.require_services).
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import time
from pathlib import Path

import psycopg2
from psycopg2 import sql

from bench.common import ROOT, BenchError, Config, Log, db_name, media_dir, run_manage, url_with_database

MARKER_TABLE = "bench_seed_marker"
# The code whose output the bench databases are: a change is reported (FRESH=1 rebuilds).
DEMO_SOURCES = (
    "units/demo*.py",
    "emulation/demo*.py",
    "awards/demo*.py",
    "units/management/commands/seed_demo.py",
)
SEED_TIMEOUT_SECONDS = 3600


def demo_fingerprint() -> str:
    digest = hashlib.sha256()
    for pattern in DEMO_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _connect(url: str):
    try:
        connection = psycopg2.connect(url, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL does not answer at {url_with_database(url, '')}: {exc}".strip()
        ) from None
    return connection


def _admin(cfg: Config):
    """A connection to the server's maintenance database, for CREATE and DROP DATABASE."""
    for name in ("postgres", "template1"):
        try:
            connection = psycopg2.connect(url_with_database(cfg.database_url, name), connect_timeout=5)
        except psycopg2.OperationalError:
            continue
        connection.autocommit = True
        return connection
    raise BenchError(
        "PostgreSQL does not answer (tried the databases postgres and template1 of DATABASE_URL)."
    )


def _exists(cfg: Config, name: str) -> bool:
    connection = _admin(cfg)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            return cursor.fetchone() is not None
    finally:
        connection.close()


def _check_name(cfg: Config, scale: int, name: str) -> None:
    if name != db_name(cfg, scale) or "bench" not in name:
        raise BenchError(f"Refusing to touch the database {name!r}: not a bench database.")


def _drop_and_create(cfg: Config, scale: int, *, create: bool = True) -> None:
    name = db_name(cfg, scale)
    _check_name(cfg, scale, name)
    connection = _admin(cfg)
    try:
        with connection.cursor() as cursor:
            # FORCE: a process left over from an interrupted run must not keep the old data alive.
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if create:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def drop(cfg: Config, scale: int) -> None:
    """Drop the bench database of `scale` and its uploaded files (the smoke test cleans up so)."""
    _drop_and_create(cfg, scale, create=False)
    shutil.rmtree(media_dir(cfg, scale).parent, ignore_errors=True)


def read_marker(cfg: Config, scale: int) -> dict | None:
    connection = _connect(url_with_database(cfg.database_url, db_name(cfg, scale)))
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(
                sql.SQL("SELECT scale, seed, fingerprint, seeded_at, seed_seconds FROM {}").format(
                    sql.Identifier(MARKER_TABLE)
                )
            )
            row = cursor.fetchone()
    finally:
        connection.close()
    if row is None:
        return None
    scale_, seed, fingerprint, seeded_at, seconds = row
    return {
        "scale": scale_,
        "seed": seed,
        "fingerprint": fingerprint,
        "seeded_at": seeded_at.isoformat(),
        "seed_seconds": seconds,
    }


def _write_marker(cfg: Config, scale: int, seconds: float) -> None:
    connection = _connect(url_with_database(cfg.database_url, db_name(cfg, scale)))
    try:
        with connection, connection.cursor() as cursor:
            table = sql.Identifier(MARKER_TABLE)
            cursor.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (scale integer NOT NULL, seed integer NOT NULL, "
                    "fingerprint varchar(64) NOT NULL, seeded_at timestamptz NOT NULL, seed_seconds real NOT NULL)"
                ).format(table)
            )
            cursor.execute(sql.SQL("DELETE FROM {}").format(table))
            cursor.execute(
                sql.SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(table),
                [scale, cfg.seed, demo_fingerprint(), datetime.datetime.now(datetime.UTC), seconds],
            )
    finally:
        connection.close()


def _analyze(cfg: Config, scale: int, *, vacuum: bool) -> None:
    """Planner statistics, as autovacuum would have them on a database in service. Without them a
    freshly seeded database estimates one row everywhere and picks plans no production runs."""
    connection = _connect(url_with_database(cfg.database_url, db_name(cfg, scale)))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    finally:
        connection.close()


def prepare(cfg: Config, scale: int, *, var_dir: Path, log: Log) -> dict:
    """Make the scale's database ready: reuse it when its marker matches, else build it.

    Returns the marker with `reused` (bool). Migrations added since the seed are applied either way.
    """
    name = db_name(cfg, scale)
    if not cfg.fresh and _exists(cfg, name):
        marker = read_marker(cfg, scale)
        if marker and marker["scale"] == scale and marker["seed"] == cfg.seed:
            log(f"{name}: reusing the data seeded {marker['seeded_at'][:16]} (make bench FRESH=1 rebuilds)")
            stale = marker["fingerprint"] != demo_fingerprint()
            if stale:
                log(f"{name}: the demo code changed since that seed; make bench FRESH=1 measures the new one")
            run_manage(cfg, scale, "migrate", "--noinput", var_dir=var_dir, timeout=600)
            _analyze(cfg, scale, vacuum=False)
            return marker | {"reused": True, "demo_changed_since": stale}
        log(f"{name}: no complete seed of scale {scale} with seed {cfg.seed} there, rebuilding")
    log(f"{name}: creating, migrating and seeding at scale {scale} (scale 100 takes several minutes)")
    _drop_and_create(cfg, scale)
    started = time.monotonic()
    run_manage(cfg, scale, "migrate", "--noinput", var_dir=var_dir, timeout=900)
    run_manage(
        cfg,
        scale,
        "seed_demo",
        "--scale",
        str(scale),
        "--seed",
        str(cfg.seed),
        var_dir=var_dir,
        timeout=SEED_TIMEOUT_SECONDS,
        # The bench signs in with the published demo password, which seed_demo gives only in
        # development mode (with DEBUG off it refuses, or makes random passwords).
        extra={"DEBUG": "true"},
    )
    seconds = time.monotonic() - started
    _analyze(cfg, scale, vacuum=True)
    _write_marker(cfg, scale, seconds)
    log(f"{name}: seeded in {seconds:.0f} s")
    return (read_marker(cfg, scale) or {}) | {"reused": False}


def server_facts(cfg: Config) -> dict:
    connection = _admin(cfg)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
    finally:
        connection.close()
    return {"postgresql": version}
