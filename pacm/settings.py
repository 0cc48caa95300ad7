"""pacm settings: everything from the environment, with defaults that need no services.

With nothing set: SQLite in the project folder and Celery in eager mode.
DATABASE_URL selects another database (PostgreSQL); CELERY_BROKER_URL selects a real broker
(Redis) and a real worker.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "pacm-dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_fsm",
    "pacm.common",
    "pacm.parties",
    "pacm.events",
    "pacm.engine",
    "pacm.notifications",
    "pacm.registry",
    "methodologies",
    "projects",
    "projects.board",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After CSRF, auth and messages: a form sent again gets the first result (issue 11).
    "pacm.common.submission.SubmissionReplayMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pacm.common.middleware.ServiceErrorMiddleware",
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en"
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
        "schedule": timedelta(minutes=5),
    },
}

# --- pacm ---------------------------------------------------------------------------------
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PACM_LOG_LEVEL", "WARNING")},
}
