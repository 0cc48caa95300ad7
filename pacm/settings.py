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
    "pacm.registry",
    "methodologies",
    "projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PACM_LOG_LEVEL", "WARNING")},
    # pypdf warns about every damaged file it reads (pacm.common.uploads refuses them).
    "loggers": {"pypdf": {"level": "ERROR"}},
}
