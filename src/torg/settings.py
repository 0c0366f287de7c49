"""Torg settings, read from the environment.

A newcomer runs Torg with no configuration at all: SQLite under ``var/``, a development
secret key generated into ``var/`` on first run, Norwegian bokmål with English available.

Environment variables (all optional in development):

``TORG_ENV``
    ``development`` (default) or ``production``. Production refuses to start without a
    secret key and turns ``DEBUG`` off.
``TORG_SECRET_KEY`` / ``TORG_SECRET_KEY_FILE``
    The secret key, or a file holding it (for Docker and systemd secrets).
``DATABASE_URL``
    For example ``postgres://user@127.0.0.1:5432/torg``. Default: SQLite at
    ``$TORG_VAR_DIR/torg.sqlite3``.
``TORG_VAR_DIR``
    Where the SQLite database, the development secret and uploads live. Default: ``var/``
    in the current working directory.
``TORG_DEBUG``
    ``1`` or ``0``; defaults to on in development, always off in production.
``TORG_ALLOWED_HOSTS``
    Comma-separated host names; default ``127.0.0.1,localhost`` in development.
``TORG_INQUIRY_EDIT_MINUTES``
    For how many minutes after recording it desk staff may correct or delete their own
    inquiry (default 60; managers and administrators may correct any at any time).
``TORG_INQUIRY_LATE_DAYS``
    How many days back a desk or API inquiry may be dated ("Record late"; default 31).
    Imported inquiries carry history and are not limited.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = os.environ.get("TORG_ENV", "development").strip().lower()
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"TORG_ENV must be 'development' or 'production', not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"

VAR_DIR = Path(os.environ.get("TORG_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _read_secret_key() -> str:
    """Return the secret key from the environment, a file, or (development) ``var/``."""
    key = os.environ.get("TORG_SECRET_KEY", "").strip()
    if key:
        return key
    key_file = os.environ.get("TORG_SECRET_KEY_FILE", "").strip()
    if key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"TORG_SECRET_KEY_FILE={key_file!r} cannot be read: {error}"
            ) from error
        if not key:
            raise ImproperlyConfigured(f"TORG_SECRET_KEY_FILE={key_file!r} is empty.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Torg runs with TORG_ENV=production and has no secret key. Set TORG_SECRET_KEY "
            "or TORG_SECRET_KEY_FILE."
        )
    generated = VAR_DIR / "secret_key"
    if generated.exists():
        return generated.read_text(encoding="utf-8").strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    generated.touch(mode=0o600)
    generated.write_text(key, encoding="utf-8")
    return key


SECRET_KEY = _read_secret_key()
DEBUG = False if PRODUCTION else _env_bool("TORG_DEBUG", True)

_hosts = os.environ.get("TORG_ALLOWED_HOSTS", "")
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("TORG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# Torg's own translated page for an expired form, not Django's unstyled English one.
CSRF_FAILURE_VIEW = "torg.web.errors.csrf_failure"

INSTALLED_APPS = [
    "torg.api.admin_apps.SuperuserAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "torg.organisation",
    "torg.catalogue",
    "torg.inquiries",
    "torg.referrals",
    "torg.visits",
    "torg.rosters",
    "torg.imports",
    "torg.surveys",
    "torg.evaluation",
    "torg.web",
    "torg.api",
    "torg.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "torg.urls"
WSGI_APPLICATION = "torg.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "torg.web.context_processors.torg",
            ],
        },
    },
]


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("TEST", {})["NAME"] = os.environ.get(
                "TORG_TEST_DATABASE_NAME", f"test_torg_{config.get('NAME') or 'db'}"
            )
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        # Django's SQLite backend with a queue of writers (see torg.db.sqlite3.base): the
        # transactions of the app's threads and processes take turns to write instead of
        # polling SQLite's lock, which starved some past busy_timeout under load.
        "ENGINE": "torg.db.sqlite3",
        "NAME": VAR_DIR / "torg.sqlite3",
        # Keep each thread's connection between requests (no reopening and PRAGMAs).
        "CONN_MAX_AGE": 60,
        "OPTIONS": {
            # WAL lets the web app read while an import writes; IMMEDIATE avoids the
            # "database is locked" upgrade failure of deferred transactions.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
            ),
            "transaction_mode": "IMMEDIATE",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
FORMAT_MODULE_PATH = ["torg.formats"]  # DATETIME_FORMAT per language (src/torg/formats)
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

REST_FRAMEWORK = {
    # Token first, so that an unauthenticated API call gets 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    # ?format=csv is a 400 naming the pages' CSV exports; DRF's English-only messages
    # (malformed JSON, lone surrogates) are translated.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "torg.api.exceptions.ContentNegotiation",
    "EXCEPTION_HANDLER": "torg.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Torg API",
    "DESCRIPTION": (
        "Joint public library and citizen service centre: organisation, catalogue, "
        "inquiries, visits and events. Every path is scoped to one municipality."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets used by several components get one name instead of a hashed one.
    "ENUM_NAME_OVERRIDES": {
        "DomainEnum": "torg.catalogue.models.Domain",
        "ReferralOutcomeEnum": "torg.referrals.models.ReferralOutcome",
        "DigitalChannelEnum": "torg.referrals.models.DigitalChannel",
        "InquiryChannelEnum": "torg.inquiries.models.Channel",
        "InquiryOutcomeEnum": "torg.inquiries.models.Outcome",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TORG_LOG_LEVEL", "WARNING")},
    # Corrections and deletions made through the pages (who changed what, when).
    "loggers": {"torg.audit": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Desk staff may correct or delete their own inquiries for this long after recording them
# (torg.inquiries.services.inquiry_may_change).
TORG_INQUIRY_EDIT_MINUTES = int(os.environ.get("TORG_INQUIRY_EDIT_MINUTES", "60"))
# A desk or API inquiry may be dated at most this many days before it is recorded
# (torg.inquiries.services.late_limit); imports are not limited.
TORG_INQUIRY_LATE_DAYS = int(os.environ.get("TORG_INQUIRY_LATE_DAYS", "31"))
# The roster solver (issue 6): seconds per search, CP-SAT workers, random seed.
TORG_ROSTER_TIME_LIMIT = float(os.environ.get("TORG_ROSTER_TIME_LIMIT", "30"))
TORG_ROSTER_WORKERS = int(os.environ.get("TORG_ROSTER_WORKERS", "2"))
TORG_ROSTER_SEED = int(os.environ.get("TORG_ROSTER_SEED", "0"))

# Where the real data shipped with Torg lives (each folder with its SOURCE.md).
DEMO_DATA_DIR = PACKAGE_DIR / "demo" / "data"
# Where the wider set of public files lives, for tests that may read it.
SHARED_DATA_DIR = Path(
    os.environ.get("TORG_SHARED_DATA_DIR", PACKAGE_DIR.parents[1].parent / "shared" / "data")
).resolve()
