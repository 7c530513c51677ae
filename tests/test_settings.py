"""Settings: safe production start, the embedded defaults, and Django's deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from config.safety import allowed_hosts_problem, secret_key_problem

ROOT = Path(__file__).resolve().parent.parent
# A key as `secrets.token_urlsafe(45)` makes one (tests only; never deployed).
GOOD_KEY = "UTJXp17_7OaGtOkMV1-D4hWyk1nla5P95y5B3nG3IGFjNGKpaI559ZfXnBR0"
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": GOOD_KEY,
    "ALLOWED_HOSTS": "thidua.example.vn",
    "DATABASE_URL": "postgres://app:secret@db.example.vn:5432/emulation",
    "REDIS_URL": "redis://cache.example.vn:6379/0",
}


def run_django(env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    """Start manage.py in a fresh process with a clean, controlled environment."""
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("SECRET_KEY", None, "SECRET_KEY is required"),
        ("SECRET_KEY", "short", "SECRET_KEY is unsafe"),
        ("SECRET_KEY", "abcde" * 10, "SECRET_KEY is unsafe (it uses only 5 different characters"),
        ("SECRET_KEY", "django-insecure-" + GOOD_KEY, "SECRET_KEY is unsafe (it contains the placeholder"),
        ("SECRET_KEY", "change-me-" + GOOD_KEY, "SECRET_KEY is unsafe (it contains the placeholder"),
        ("ALLOWED_HOSTS", "*", "ALLOWED_HOSTS is unsafe: it holds the wildcard '*'"),
        ("ALLOWED_HOSTS", "thidua.example.vn,*", "ALLOWED_HOSTS is unsafe: it holds the wildcard '*'"),
        ("ALLOWED_HOSTS", None, "ALLOWED_HOSTS is required"),
        ("DATABASE_URL", None, "DATABASE_URL is required"),
        ("DATABASE_URL", "sqlite:///db.sqlite3", "DATABASE_URL must point at PostgreSQL"),
        ("REDIS_URL", None, "REDIS_URL is required"),
        ("REDIS_URL", "http://cache:6379", "REDIS_URL must start with redis://"),
        ("DEBUG", "maybe", "DEBUG must be true or false"),
    ],
)
def test_settings_production_refuses_missing_or_unsafe_value(variable, value, message):
    env = dict(PRODUCTION_ENV)
    if value is None:
        env.pop(variable)
    else:
        env[variable] = value

    result = run_django(env, "check")

    assert result.returncode != 0
    assert message in result.stderr


def test_settings_deploy_check_is_clean_with_production_values():
    result = run_django(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_settings_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(GOOD_KEY + "\n", encoding="utf-8")
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    env["SECRET_KEY_FILE"] = str(key_file)

    result = run_django(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr


def test_settings_embedded_default_uses_sqlite_eager_tasks_and_file_mail(tmp_path):
    result = run_django(
        {"DEBUG": "true", "VAR_DIR": str(tmp_path)},
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND,"
        " s.CACHES['default']['BACKEND'])",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_settings_locale_and_time_zone_are_vietnamese_first():
    assert settings.LANGUAGE_CODE == "vi"
    assert [code for code, _name in settings.LANGUAGES] == ["vi", "en"]
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert settings.USE_TZ is True


def test_settings_celery_acknowledges_late_with_bounded_redelivery():
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert settings.CELERY_TASK_TIME_LIMIT < timeout < 3600
    assert settings.CELERY_TASK_SERIALIZER == "json"


def test_settings_manage_py_runs_in_development_mode_when_debug_is_not_set():
    result = run_django({}, "check")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_settings_serving_without_settings_refuses_to_start():
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is false" in result.stderr


def read_redis_settings(env_overrides: dict) -> dict:
    """The Redis-related settings a fresh process gets from tests/settings.py and `env_overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    for name in ("TEST_REDIS_READY", "REDIS_KEY_PREFIX", "REDIS_TEST_DB"):
        env.pop(name, None)
    env.update({"DJANGO_SETTINGS_MODULE": "tests.settings", **env_overrides})
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'redis': s.REDIS_URL, 'broker': s.CELERY_BROKER_URL, "
        "'queue_prefix': s.CELERY_BROKER_TRANSPORT_OPTIONS.get('global_keyprefix'), "
        "'results_prefix': getattr(s, 'CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS', {}).get('global_keyprefix'), "
        "'cache_prefix': s.CACHES['default'].get('KEY_PREFIX')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    return json.loads(result.stdout)


def test_settings_tests_use_their_own_redis_database_and_a_prefix_per_run():
    first = read_redis_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    second = read_redis_settings({"REDIS_URL": "redis://127.0.0.1:6379/0"})

    # Not the developer's database 0, where `make worker` listens.
    assert first["redis"] == first["broker"] == "redis://127.0.0.1:6379/15"
    assert first["queue_prefix"].startswith("test-")
    assert first["queue_prefix"] == first["results_prefix"]
    assert first["cache_prefix"].startswith(first["queue_prefix"])
    assert first["queue_prefix"] != second["queue_prefix"]  # two runs at once do not share queues
    assert read_redis_settings({"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_TEST_DB": "9"})[
        "redis"
    ].endswith("/9")


def test_settings_redis_key_prefix_reaches_cache_queues_and_results():
    production = read_redis_settings(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "true",
            "REDIS_URL": "redis://h:6379/2",
            "REDIS_KEY_PREFIX": "site2:",
        }
    )

    assert production["redis"] == "redis://h:6379/2"  # config.settings leaves the database alone
    assert production["queue_prefix"] == production["results_prefix"] == "site2:"
    assert production["cache_prefix"] == "site2:emulation"


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (GOOD_KEY, None),
        ("abcde" * 10, "it uses only 5 different characters; at least 20 are needed"),
        ("x" * 49, "it has 49 characters; at least 50 are needed"),
        (
            "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "it is mostly runs of consecutive characters (like abcdef or 123456)",
        ),
        ("Kq8#vZ2pL0-wT7yR4mN1xB6cJ9" * 2, "it repeats a piece of 26 characters"),
        ("your-secret-key-" + GOOD_KEY, "it contains the placeholder 'your-secret'"),
        (
            "dev-only-insecure-key-never-use-in-production-0123456789",
            "it contains the placeholder 'dev-only'",
        ),
    ],
)
def test_settings_secret_key_needs_real_entropy(key, problem):
    assert secret_key_problem(key) == problem


@pytest.mark.parametrize(
    ("hosts", "problem"),
    [
        (["thidua.example.vn", ".haiquan.gov.vn"], None),
        (["*"], "it holds the wildcard '*'; name each host the site answers to"),
        (
            ["*.haiquan.gov.vn"],
            "it holds the wildcard '*.haiquan.gov.vn'; name each host the site answers to",
        ),
        ([], "it is empty"),
    ],
)
def test_settings_allowed_hosts_refuse_wildcards_in_production(hosts, problem):
    assert allowed_hosts_problem(hosts) == problem


def test_settings_seed_demo_refuses_to_run_in_production():
    result = run_django(PRODUCTION_ENV, "seed_demo")

    assert result.returncode != 0
    assert "--allow-production" in result.stderr
    assert "ThiDua@2026" not in result.stdout
