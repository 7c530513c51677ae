"""Settings for the emulation-tracking application.

One module, read from the environment. Every variable is listed in .env.example and in the
README's table. In production (DEBUG off) a missing or unsafe value stops the start with an
ImproperlyConfigured error that names the variable; in development (DEBUG=true) the embedded
defaults apply: SQLite under var/, tasks run in-process, mail written to files under var/mail/.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.safety import allowed_hosts_problem, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean; anything other than a clear true/false is a configuration error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, default: str = "") -> str:
    """Read a secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE cannot be read: {exc}.") from None
    return env_str(name, default)


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
VAR_DIR = Path(env_str("VAR_DIR") or BASE_DIR / "var")

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105 - dev default, refused below
SECRET_KEY = env_secret("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is false.")
    _key_problem = secret_key_problem(SECRET_KEY)
    if _key_problem:
        raise ImproperlyConfigured(
            f"SECRET_KEY is unsafe ({_key_problem}): generate one, e.g. with "
            "python -c 'import secrets; print(secrets.token_urlsafe(64))'."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is false.")
if not DEBUG and allowed_hosts_problem(ALLOWED_HOSTS):
    raise ImproperlyConfigured(f"ALLOWED_HOSTS is unsafe: {allowed_hosts_problem(ALLOWED_HOSTS)}.")
# Production as configured at start. Test runners turn DEBUG off for their own reasons, so code
# that must refuse something in production (seed_demo's published password) reads this instead.
PRODUCTION = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The address users reach the application at; used for links in emails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    # Third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "axes",
    # Local, in dependency order: units <- emulation <- awards; config (no models) connects the
    # project-level signal receivers
    "config.apps.SiteConfig",
    "units",
    "emulation",
    "awards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: signs out an idle or too old session, saying why.
    "config.sessions.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- Database ---------------------------------------------------------------------------------

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL and not DEBUG:
    raise ImproperlyConfigured("DATABASE_URL is required when DEBUG is false (PostgreSQL).")
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {exc}") from None
    # Measured on this stack: persistent connections with health checks made a one-query page
    # about 3x faster than a connection per request (docs/design.md section 8).
    _db["CONN_HEALTH_CHECKS"] = True
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
    if not DEBUG and _db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL when DEBUG is false.")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # a fresh clone has no var/ yet
    _db = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "db.sqlite3"}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, broker and tasks ------------------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
if not REDIS_URL and not DEBUG:
    raise ImproperlyConfigured("REDIS_URL is required when DEBUG is false (Celery broker, cache).")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, not {REDIS_URL!r}.")

# Every key the application writes to Redis (cache, queues, results) starts with this prefix, so
# two installations or a test run can share one Redis server without taking each other's tasks.
REDIS_KEY_PREFIX = env_str("REDIS_KEY_PREFIX", "")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_KEY_PREFIX + env_str("CACHE_KEY_PREFIX", "emulation"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery reads every CELERY_* setting (namespace "CELERY" in config/celery.py).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no broker: tasks run in-process (make run)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# Late acknowledgement, reject on a lost worker and prefetch 1, with an idempotency row in the
# task's own transaction: measured on this stack as the only mix that neither loses nor doubles
# work when a worker is killed (docs/design.md section 8).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker killed outright (SIGKILL, lost machine) leaves its task unacknowledged in Redis
# (kombu's "unacked" hash, stamped with the time it was handed out). Any running worker sweeps
# that hash when it starts and then every CELERY_UNACKED_RESTORE_INTERVAL seconds (throttle 1:
# every sweep scans) and puts back the tasks older than the visibility timeout. Bound: a dead
# worker's task is queued again at most visibility timeout + restore interval after it was handed
# out (370 s by default, not the broker's default hour plus 100 s), provided a worker runs; the
# sweep lock of a worker killed mid-sweep expires after 30 s. The visibility timeout stays above
# the longest task (the hard time limit), or a task still running would be handed out twice.
# A pool process killed alone is requeued as soon as its parent notices, within seconds
# (reject on worker lost).
_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT + 60)
_RESTORE_INTERVAL = env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10)
if _VISIBILITY_TIMEOUT < 1 or _RESTORE_INTERVAL < 1:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT and CELERY_UNACKED_RESTORE_INTERVAL must be at least 1 (seconds)."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "unacked_restore_interval": _RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
    "unacked_mutex_expire": min(30, _VISIBILITY_TIMEOUT),
}
if REDIS_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = REDIS_KEY_PREFIX
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": REDIS_KEY_PREFIX}
# The nightly jobs claim one run per slot of this length (emulation.services.scheduling), so two
# beat processes cannot run them twice; tests shorten it.
SCHEDULE_SLOT_SECONDS = env_int("SCHEDULE_SLOT_SECONDS", 86400)
# Entries are added by the features that own them (rankings, reminders).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Nightly provisional rankings of the periods being scored (emulation.tasks).
    "compile-provisional-rankings": {
        "task": "emulation.compile_provisional_rankings",
        "schedule": crontab(hour=1, minute=30),
    },
}
# Daily reminder emails at 07:00 (CELERY_TIMEZONE) before and after every deadline (emulation.tasks).
CELERY_BEAT_SCHEDULE["send-reminders"] = {
    "task": "emulation.send_reminders",
    "schedule": crontab(hour=7, minute=0),
}
# Tests of the scheduler run every job every N seconds (with SCHEDULE_SLOT_SECONDS = N).
BEAT_EVERY_SECONDS = env_int("BEAT_EVERY_SECONDS", 0)
if BEAT_EVERY_SECONDS:
    for _entry in CELERY_BEAT_SCHEDULE.values():
        _entry["schedule"] = datetime.timedelta(seconds=BEAT_EVERY_SECONDS)

# /healthz: the worker round trip (a ping through the queue) runs at most once per interval, and
# only for a caller on this machine or sending this token in X-Healthz-Token (empty: no token).
HEALTHZ_TOKEN = env_secret("HEALTHZ_TOKEN")
HEALTHZ_WORKER_INTERVAL = env_int("HEALTHZ_WORKER_INTERVAL", 60)

# --- Email ------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Thi đua Khen thưởng <thidua@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# --- Reminders --------------------------------------------------------------------------------

# Days before each deadline on which whoever still owes something gets a reminder email.
try:
    REMINDER_OFFSETS_DAYS = sorted(
        {int(days) for days in env_list("REMINDER_OFFSETS_DAYS", ["14", "7", "1"])}, reverse=True
    )
except ValueError:
    raise ImproperlyConfigured(
        "REMINDER_OFFSETS_DAYS must be whole numbers of days separated by commas, e.g. 14,7,1."
    ) from None
if not all(1 <= days <= 365 for days in REMINDER_OFFSETS_DAYS):
    raise ImproperlyConfigured("REMINDER_OFFSETS_DAYS must be between 1 and 365 days.")

# --- Authentication ---------------------------------------------------------------------------

# Login throttling (config/login_throttle.py): django-axes limits failures per client address
# across every account (password spraying); ThrottledModelBackend delays further tries on one
# account after repeated failures, except from a device that signed in to it before.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "config.login_throttle.ThrottledModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Off: a sprayer signing in to its own account would clear its address's count. The backend
# clears an account's own failures after a success instead.
AXES_RESET_ON_SUCCESS = False
AXES_WHITELIST_CALLABLE = "config.login_throttle.is_known_device"
AXES_LOCKOUT_CALLABLE = "config.login_throttle.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 5)
LOGIN_BACKOFF_SECONDS = env_int("LOGIN_BACKOFF_SECONDS", 60)
LOGIN_DEVICE_DAYS = env_int("LOGIN_DEVICE_DAYS", 180)
LOGIN_DEVICE_COOKIE_NAME = "known_device"
if min(AXES_FAILURE_LIMIT, LOGIN_ACCOUNT_FAILURE_LIMIT, LOGIN_BACKOFF_SECONDS, LOGIN_DEVICE_DAYS) < 1:
    raise ImproperlyConfigured(
        "LOGIN_ADDRESS_FAILURE_LIMIT, LOGIN_ACCOUNT_FAILURE_LIMIT, LOGIN_BACKOFF_SECONDS and "
        "LOGIN_DEVICE_DAYS must be at least 1."
    )
# Reverse proxies in front of the application that append to X-Forwarded-For (0: none, the
# header is ignored); the throttled address is then the client's, not the proxy's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"

# Sessions: signed out after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
# signing in, however active (config/sessions.py); the cookie lives no longer than that.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
if SESSION_IDLE_MINUTES < 1 or SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES and SESSION_MAX_HOURS must be at least 1.")
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# Dates are shown dd/mm/yyyy in both languages (config/formats/*).
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static and uploaded files ----------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
# No URL pattern serves MEDIA_URL: uploaded files go out only through views that check scope.
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
UPLOAD_MAX_MB = env_int("UPLOAD_MAX_MB", 20)
# An award decision may be dated at most this many days after today (signed for the coming days).
AWARDS_DECISION_MAX_DAYS_AHEAD = env_int("AWARDS_DECISION_MAX_DAYS_AHEAD", 7)
if not 0 <= AWARDS_DECISION_MAX_DAYS_AHEAD <= 60:
    raise ImproperlyConfigured("AWARDS_DECISION_MAX_DAYS_AHEAD must be between 0 and 60 days.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Forms ------------------------------------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Security ---------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("USE_X_FORWARDED_PROTO", False):
    # Only behind a reverse proxy that sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Strict policy: every script and style comes from our own static files, nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
