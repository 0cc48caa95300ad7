"""pacm settings: everything from the environment, with defaults that need no services.

With nothing set: SQLite in the project folder and Celery in eager mode.
DATABASE_URL selects another database (PostgreSQL); CELERY_BROKER_URL selects a real broker
(Redis) and a real worker.

Safe by default (README "Deployment"): DEBUG is off unless DJANGO_DEBUG says otherwise, and
outside DEBUG and the tests the settings refuse to start without a real DJANGO_SECRET_KEY; HTTPS
only (SSL redirect, HSTS, secure cookies) unless switched off. `make run` and the other
development targets of the Makefile set DJANGO_DEBUG=true.
"""
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The test suite: pytest in this process, or a process the tests started (a manage.py command, a
# Celery worker), which inherits PACM_TESTING=1 from them.
TESTING = "pytest" in sys.modules or env_bool("PACM_TESTING")
if TESTING:
    os.environ["PACM_TESTING"] = "1"
# Development and tests run on http://127.0.0.1 with a key that everyone can read in this file.
DEVELOPMENT = DEBUG or TESTING

DEV_SECRET_KEY = "pacm-dev-only-insecure-key-change-me"


def secret_key_problem(key):
    """Why `key` may not sign sessions in production, or None (the criteria of Django's W009)."""
    if not key:
        return "DJANGO_SECRET_KEY is not set"
    if key == DEV_SECRET_KEY:
        return "DJANGO_SECRET_KEY is the development key written in pacm/settings.py"
    if key.startswith("django-insecure-") or len(key) < 50 or len(set(key)) < 5:
        return "DJANGO_SECRET_KEY is too weak (at least 50 characters, 5 of them different)"
    return None


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "").strip()
if not DEVELOPMENT and secret_key_problem(SECRET_KEY):
    raise ImproperlyConfigured(
        f"{secret_key_problem(SECRET_KEY)}. Outside DEBUG pacm needs a secret key of its own, e.g. "
        "DJANGO_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))'); "
        "for development set DJANGO_DEBUG=true (make run does)."
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEVELOPMENT else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# --- HTTPS (manage.py check --deploy) -------------------------------------------------------
# On by default outside development; each can be switched off from the environment.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEVELOPMENT)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEVELOPMENT else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", not DEVELOPMENT)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SESSION_COOKIE_SECURE", not DEVELOPMENT)
CSRF_COOKIE_SECURE = env_bool("DJANGO_CSRF_COOKIE_SECURE", not DEVELOPMENT)
# Behind a proxy that ends TLS: the header it sets on https requests, e.g. "HTTP_X_FORWARDED_PROTO"
# (value "https"). Only set it when the proxy always sets or strips that header.
if os.environ.get("DJANGO_SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = (os.environ["DJANGO_SECURE_PROXY_SSL_HEADER"].strip(), "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "axes",
    "csp",
    "pacm.common",
    "pacm.parties",
    "pacm.events",
    "pacm.engine",
    "pacm.notifications",
    "pacm.registry",
    "methodologies",
    "projects",
    "projects.board",
    "projects.consultation",
    "projects.transition",
    "projects.poa",
    "projects.reversals",
    "projects.exports",
    "projects.certificates",
    "pacm.people",
    "pacm.demo",
    "projects.renewals",
    "projects.removals",
    "projects.dmrv",
    # The REST API, /api/v1/ (pacm issue 9): last, so it finds every app's api_routes.
    "pacm.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language (issue 9): the signed-in person's choice (the profile, below), else the
    # language cookie set by the header's switch, else the browser's Accept-Language, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After auth: a signed-in person's profile language wins over the cookie (pacm.people.language).
    "pacm.people.language.ProfileLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After CSRF, auth and messages: a form sent again gets the first result (issue 11).
    "pacm.common.submission.SubmissionReplayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "pacm.common.middleware.PrivateCacheMiddleware",
    "pacm.common.middleware.ServiceErrorMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pacm.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pacm.common.context_processors.pacm",
                "pacm.common.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "pacm.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Serialise writers instead of failing at once under a second process (the dev server
    # plus `run_timers`); IMMEDIATE makes every transaction take the write lock up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# `make test-services`: the test database gets a name a Celery worker can be pointed at, so the
# worker tests (`-m worker`) and a real worker read and write the same rows.
if os.environ.get("PACM_TEST_DB_NAME"):
    if os.environ["PACM_TEST_DB_NAME"] == DATABASES["default"]["NAME"]:
        raise ImproperlyConfigured("PACM_TEST_DB_NAME must differ from the database in DATABASE_URL.")
    DATABASES["default"]["TEST"] = {"NAME": os.environ["PACM_TEST_DB_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": env_int("PACM_PASSWORD_MIN_LENGTH", 12)}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Login throttling (django-axes) ----------------------------------------------------------
# After PACM_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address, that pair is
# locked out of the site's and the admin's login for PACM_LOGIN_COOLOFF_MINUTES (the lockout
# page says so, status 429); each failure during the lockout starts the cool-off again. The
# address is REMOTE_ADDR: a client-supplied X-Forwarded-For never counts.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("PACM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PACM_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
# The four languages of the issue "pacm for the people and systems around it" (issue 9); the
# catalogs are in locale/ (`make messages` refreshes them from the code and the templates).
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
    ("fr", "Français"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format, one date-time format and one number format per language (pacm/formats/<locale>/
# formats.py), used by every page, e-mail and PDF through the named formats (DATE_FORMAT, ...).
# No USE_THOUSAND_SEPARATOR: a bare {{ number }} is an id, a serial or a form value and stays
# plain; quantities of units go through |intcomma, which groups them per language.
FORMAT_MODULE_PATH = ["pacm.formats"]
LANGUAGE_COOKIE_NAME = "pacm_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve static files straight from the app and project folders: `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("PACM_MEDIA_ROOT", BASE_DIR / "media"))

# --- Content-Security-Policy (django-csp 4: the CONTENT_SECURITY_POLICY dict) ------------------
# Scripts and styles come only from our own static files: no inline <script>, <style>, style=
# or on...= attribute anywhere (static/js/pacm.js carries the page behaviour). Bootstrap's CSS
# draws its icons from data: SVG images.
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
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "registry-public"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = "pacm@localhost"
# Where the links in notification e-mails point (the pages' paths are appended).
PACM_SITE_URL = os.environ.get("PACM_SITE_URL", "http://localhost:8000")

# --- Celery -------------------------------------------------------------------------------
# No broker configured: tasks run eagerly, in process; "memory://" only keeps Kombu from
# looking for a broker host that is not there.
CELERY_TASK_ALWAYS_EAGER = not os.environ.get("CELERY_BROKER_URL")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "memory://"
# A queue of its own lets `make test-services` run beside another worker on the same broker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or (None if CELERY_TASK_ALWAYS_EAGER else CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered, never lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers a task whose worker died without acknowledging it after this many seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("PACM_BROKER_VISIBILITY_TIMEOUT", "3600"))}
CELERY_BEAT_SCHEDULE = {
    "run-timers": {"task": "projects.tasks.timers_run", "schedule": timedelta(minutes=1)},
    # projects.board: an electronic decision whose window has closed is decided (RoP rule 67).
    "close-board-decisions": {"task": "projects.board.tasks.board_decisions_close_due", "schedule": timedelta(minutes=1)},
    "sweep-approved-issuances": {
        "task": "projects.tasks.issuances_sweep",
        "schedule": timedelta(seconds=int(os.environ.get("PACM_ISSUANCE_SWEEP_EVERY_SECONDS", "300"))),
    },
    # projects.certificates: generate the documents a dispatch missed (pacm issue 9).
    "sweep-certificates": {"task": "projects.certificates.tasks.certificates_sweep", "schedule": timedelta(minutes=5)},
}

# --- pacm ---------------------------------------------------------------------------------
# projects.certificates: generate each document when the record it attests commits (pacm issue 9).
# `make bench` turns it off: the write path is measured without the PDF a worker renders afterwards.
PACM_CERTIFICATES_ON_COMMIT = env_bool("PACM_CERTIFICATES_ON_COMMIT", True)
# Uploads: the file kinds the mechanism's forms use, and a size limit (bytes).
PACM_MAX_UPLOAD_BYTES = int(os.environ.get("PACM_MAX_UPLOAD_BYTES", str(20 * 1024 * 1024)))
PACM_UPLOAD_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}
# What pacm.common.uploads reads inside a file before it is stored (its structure, not its first
# bytes). A PDF is walked object by object, at most this many objects.
PACM_UPLOAD_PDF_MAX_OBJECTS = int(os.environ.get("PACM_UPLOAD_PDF_MAX_OBJECTS", "200000"))
# .docx/.xlsx/.odt/.ods are zip files: at most this many parts, this many bytes once expanded in
# all, and (past the first few MB) this many times the size of the file: a zip bomb is refused.
PACM_UPLOAD_ZIP_MAX_ENTRIES = int(os.environ.get("PACM_UPLOAD_ZIP_MAX_ENTRIES", "5000"))
PACM_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("PACM_UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", str(200 * 1024 * 1024))
)
PACM_UPLOAD_ZIP_MAX_RATIO = float(os.environ.get("PACM_UPLOAD_ZIP_MAX_RATIO", "100"))
PACM_UPLOAD_ZIP_RATIO_FROM_BYTES = int(os.environ.get("PACM_UPLOAD_ZIP_RATIO_FROM_BYTES", str(5 * 1024 * 1024)))
# Refused inside every upload: JavaScript and launch actions (PDF), macros (VBA, ODF Basic and
# Scripts), embedded programs and OLE package objects. Legacy .doc/.xls: their OLE header only.
# Readings taken where the rules are unclear (docs/rules-coverage.md, "Readings"):
# the registration request may only be made while the host's approval AND a current
# authorization statement are on file (rules.md §2.3 S5->S6, conservative: both, not either).
PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION = env_bool(
    "PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION", True
)
# Units are issued once the appeal window after approval closes (rules.md §2.3 S18->S19); its
# length is RuleSet.appeal_days. An issuance left issuing this long is dispatched again.
PACM_ISSUANCE_SWEEP_AFTER = timedelta(seconds=int(os.environ.get("PACM_ISSUANCE_SWEEP_AFTER_SECONDS", "120")))
# A deadlock or serialization failure that still happens despite the lock order is rerun this
# many times in all (pacm.common.retry), with a short jittered pause growing from this base;
# after the last try the person is told nothing changed.
PACM_DB_CONFLICT_ATTEMPTS = int(os.environ.get("PACM_DB_CONFLICT_ATTEMPTS", "4"))
PACM_DB_CONFLICT_BACKOFF_SECONDS = float(os.environ.get("PACM_DB_CONFLICT_BACKOFF_SECONDS", "0.02"))
# Every form that creates something carries a one-time submission key (pacm.common.submission).
# A post without one (an old page, a script) is still accepted unless this is true.
PACM_SUBMISSION_KEY_REQUIRED = env_bool("PACM_SUBMISSION_KEY_REQUIRED", False)
# The global stakeholder consultation's comments (projects.consultation; not rules of the
# mechanism, so settings): a confirmation link is valid this many hours; at most so many comments
# from one address, and with one e-mail address, in the rate window (counted in the database).
PACM_CONSULTATION_CONFIRM_HOURS = env_int("PACM_CONSULTATION_CONFIRM_HOURS", 48)
PACM_CONSULTATION_COMMENTS_PER_IP = env_int("PACM_CONSULTATION_COMMENTS_PER_IP", 20)
PACM_CONSULTATION_COMMENTS_PER_EMAIL = env_int("PACM_CONSULTATION_COMMENTS_PER_EMAIL", 5)
PACM_CONSULTATION_RATE_WINDOW_SECONDS = env_int("PACM_CONSULTATION_RATE_WINDOW_SECONDS", 3600)
# pacm issue 9 (pacm.people): an invitation link is valid this many days (not a rule of the
# mechanism: an operational choice, so a setting).
PACM_INVITATION_DAYS = env_int("PACM_INVITATION_DAYS", 7)
# Password reset requests an hour per e-mail address and per client address (pacm.people.reset; 0: no limit).
PACM_PASSWORD_RESET_PER_HOUR = env_int("PACM_PASSWORD_RESET_PER_HOUR", 5)
PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT = env_int("PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT", 20)
# pacm issue 9 (pacm.demo): the demo clock may move only with this on *and* a database that
# seed_demo marked. On by default under DEBUG only (never in the tests unless a test turns it on).
PACM_DEMO_CLOCK = env_bool("PACM_DEMO_CLOCK", DEBUG and not TESTING)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PACM_LOG_LEVEL", "WARNING")},
    # pypdf warns about every damaged file it reads (pacm.common.uploads refuses them).
    "loggers": {"pypdf": {"level": "ERROR"}},
}

# REST API (pacm issue 9): requests per minute per token, session user or anonymous address
# (pacm.api.ratelimit, counted in the Django cache; 0 turns the limit off).
PACM_API_RATE_PER_MINUTE = env_int("PACM_API_RATE_PER_MINUTE", 120)
# The cache the counts live in: per process unless PACM_CACHE_URL names a Redis shared by all workers.
if os.environ.get("PACM_CACHE_URL"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": os.environ["PACM_CACHE_URL"]}}
