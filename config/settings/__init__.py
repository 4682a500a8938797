"""Settings for 换届通, read from environment variables (see `.env.example`).

Three modes, chosen by HUANJIE_ENV:
- development (default, what `make run` uses): SQLite under var/, Celery tasks run
  in-process, DEBUG off (the Chinese error pages) unless HUANJIE_DEBUG=1, static files
  from WhiteNoise straight out of static/;
- test: like development, but fast password hashing; PostgreSQL/Redis when
  DATABASE_URL/REDIS_URL are set;
- production: every secret must be set or start-up fails; secure cookies, HSTS.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from config.env import Env, parse_database_url

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("HUANJIE_VAR_DIR", str(BASE_DIR / "var")))

MODE = env.mode
PRODUCTION = MODE == "production"
TESTING = MODE == "test"

_DEV_SECRET = "dev-only-insecure-secret-key-do-not-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", _DEV_SECRET, secret=True)
# Master secret for personal data (ID numbers): an encryption key and a hashing
# key are derived from it (elections.idnumbers.derive_keys). Changing it makes
# stored ID numbers unreadable: keep it with the database backups.
PERSONAL_DATA_KEY = env.str(
    "PERSONAL_DATA_KEY", "dev-only-personal-data-key-not-for-real-data", secret=True
)
# Django's debug pages (English, with settings and URL patterns) only when a developer
# asks for them: `HUANJIE_DEBUG=1 make run`. Never in production.
DEBUG = env.bool("HUANJIE_DEBUG", default=False)
if DEBUG and PRODUCTION:
    raise ImproperlyConfigured("HUANJIE_DEBUG must not be set in production")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # WhiteNoise serves static files under runserver too (before staticfiles' own handler).
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "axes",
    "elections",
    "candidates",
    "vetting",
    "ballots",
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
    # Last: turns a lock-out flagged during authentication into the lock-out page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "elections.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'huanjie.sqlite3'}"
# Production must name its database: no silent fallback to a SQLite file.
DATABASES = {
    "default": parse_database_url(
        env.str("DATABASE_URL", None if PRODUCTION else _default_db)
    ).as_django()
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out (username, address) before the password is checked.
    # It needs the request: tests log in with client.force_login (or pass request=).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user object; outsiders see nothing
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Lock-out after repeated failed logins (django-axes; page and audit row in elections.auth).
# Counted per username AND client address together, so a stranger typing someone's
# username wrong locks out only their own address, never the real user elsewhere.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A try during the lock-out does not restart the 15 minutes (as before axes).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "elections.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "elections.auth.client_ip"
# Successful logins are not logged by axes (the audit log is the record that counts).
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many reverse proxies in front of the app append the client address to
# X-Forwarded-For (production: the TLS proxy before gunicorn). 0 = use the connection's
# address and ignore the header, which a client could otherwise forge.
TRUSTED_PROXIES = env.int("HUANJIE_TRUSTED_PROXIES", 1 if PRODUCTION else 0)
if TRUSTED_PROXIES < 0:
    raise ImproperlyConfigured("HUANJIE_TRUSTED_PROXIES must be 0 or more")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Development and tests: WhiteNoise serves static/ through the finders, re-read on each
# request, so `make run` needs no collectstatic. Production serves the collected,
# hashed files (collectstatic in the Dockerfile).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
# The CJK fonts in static/fonts are for WeasyPrint only (no page links them): compressing
# their 11 MB with brotli took most of collectstatic's half minute for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *("jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br"),
    *("woff", "woff2", "ttf", "otf"),
)
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

# Celery: Redis in production; without REDIS_URL every task runs in-process (eager).
REDIS_URL = env.optional("REDIS_URL")
if PRODUCTION and not REDIS_URL:
    env.str("REDIS_URL")  # raises: production needs the broker
# The cache holds only short-lived shared state (a long notice's render progress):
# Redis when there is one, so a worker's progress shows on the web pages; else
# per-process memory (the embedded default renders in-process anyway). Keys are
# prefixed by the database's name, so two installations on one Redis never mix.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"huanjie:{DATABASES['default']['NAME']}",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Tests run tasks in-process too (STYLE.md habit 9), even with a broker configured; the
# broker test starts its own worker with CELERY_TASK_ALWAYS_EAGER=false.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", REDIS_URL is None or TESTING)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# A voter import's background check (elections.registration.importing): a check whose
# heartbeat stopped for this long, or that was queued this long ago and never started, is
# queued again by the sweep (config/celery.py beat); an upload that could not be queued
# at all (broker down) is retried after the grace period; after this many started
# attempts the import fails with a message instead.
VOTER_IMPORT_STALL_SECONDS = env.int("VOTER_IMPORT_STALL_SECONDS", 300)
VOTER_IMPORT_QUEUE_GRACE_SECONDS = env.int("VOTER_IMPORT_QUEUE_GRACE_SECONDS", 30)
VOTER_IMPORT_MAX_ATTEMPTS = env.int("VOTER_IMPORT_MAX_ATTEMPTS", 3)

# Exports: larger than this many rows run in a task into a stored file (MEDIA_ROOT/exports),
# whose file is deleted after EXPORT_RETENTION_DAYS by a daily beat job.
EXPORT_DIRECT_MAX_ROWS = env.int("EXPORT_DIRECT_MAX_ROWS", 2000)
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", 7)

SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_FAILURE_VIEW = "elections.errors.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Health checks come over plain HTTP from inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # axes logs every login at INFO; failures and lock-outs come at WARNING.
    "loggers": {"axes": {"level": "WARNING"}},
}

# Upload limits (voter-roll imports are streamed to disk above the memory limit).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
