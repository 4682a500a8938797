"""Settings come from the environment (config.env); production refuses to start
without its secrets and passes Django's deployment checks."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import Env, parse_database_url

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_SOURCE = (ROOT / "config" / "settings" / "__init__.py").read_text(encoding="utf-8")
READ_BY_SETTINGS = set(
    re.findall(r"""env\.(?:str|bool|int|list|optional)\(\s*["']([A-Z0-9_]+)["']""", SETTINGS_SOURCE)
)
STRIPPED_PREFIXES = ("HUANJIE", "SECRET", "DATABASE", "REDIS", "CELERY", "DJANGO_")
REQUIRED_IN_PRODUCTION = [
    "SECRET_KEY",
    "PERSONAL_DATA_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "REDIS_URL",
    "DATABASE_URL",
]


def base_env() -> dict[str, str]:
    """os.environ without anything the settings read, so the host cannot leak in."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(STRIPPED_PREFIXES) and name not in READ_BY_SETTINGS
    }


def production_env(tmp_path: Path) -> dict[str, str]:
    return base_env() | {
        "HUANJIE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PERSONAL_DATA_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "huanjie.example.gov.cn",
        "CSRF_TRUSTED_ORIGINS": "https://huanjie.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SHOW_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "LANGUAGE_CODE": s.LANGUAGE_CODE, "TIME_ZONE": s.TIME_ZONE, "USE_TZ": s.USE_TZ,
    "DEBUG": s.DEBUG, "ENGINE": s.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(s.DATABASES["default"]["NAME"]),
    "EAGER": s.CELERY_TASK_ALWAYS_EAGER, "BROKER": s.CELERY_BROKER_URL,
    "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", None),
    "CSRF_COOKIE_SECURE": getattr(s, "CSRF_COOKIE_SECURE", None),
    "SECURE_HSTS_SECONDS": getattr(s, "SECURE_HSTS_SECONDS", None),
    "SECURE_SSL_REDIRECT": getattr(s, "SECURE_SSL_REDIRECT", None),
    "STATICFILES_BACKEND": s.STORAGES["staticfiles"]["BACKEND"],
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "PASSWORD_HASHER": s.PASSWORD_HASHERS[0],
    "MIDDLEWARE": s.MIDDLEWARE,
    "AUTHENTICATION_BACKENDS": s.AUTHENTICATION_BACKENDS,
    "AXES_LOCKOUT_PARAMETERS": s.AXES_LOCKOUT_PARAMETERS,
    "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
    "AXES_COOLOFF_SECONDS": s.AXES_COOLOFF_TIME.total_seconds(),
    "TRUSTED_PROXIES": s.TRUSTED_PROXIES,
    "WHITENOISE_USE_FINDERS": s.WHITENOISE_USE_FINDERS,
}))
"""


def show_settings(env: dict[str, str]) -> dict[str, object]:
    result = run(["-c", SHOW_SETTINGS], env | {"DJANGO_SETTINGS_MODULE": "config.settings"})
    assert result.returncode == 0, result.stderr
    shown: dict[str, object] = json.loads(result.stdout)
    return shown


# --- production start-up ------------------------------------------------------------


@pytest.mark.parametrize("name", REQUIRED_IN_PRODUCTION)
@pytest.mark.parametrize("value", [None, ""], ids=["missing", "empty"])
def test_production_refuses_to_start_without(tmp_path: Path, name: str, value: str | None) -> None:
    env = production_env(tmp_path)
    if value is None:
        del env[name]
    else:
        env[name] = value

    result = run(["manage.py", "check"], env)

    assert result.returncode != 0
    assert f"{name} must be set in production" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_passes_the_deployment_checks(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) >= 50

    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."
    assert "WARNING" not in result.stderr
    assert "?: (" not in result.stdout + result.stderr  # no check ids such as ?: (security.W004)


def test_production_settings_are_secure(tmp_path: Path) -> None:
    shown = show_settings(production_env(tmp_path))

    assert shown["DEBUG"] is False
    assert shown["SESSION_COOKIE_SECURE"] is True
    assert shown["CSRF_COOKIE_SECURE"] is True
    assert shown["SECURE_SSL_REDIRECT"] is True
    assert shown["SECURE_HSTS_SECONDS"] == 31536000
    assert shown["STATICFILES_BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert shown["ALLOWED_HOSTS"] == ["huanjie.example.gov.cn"]
    assert shown["EAGER"] is False
    assert shown["BROKER"] == "redis://127.0.0.1:6379/0"
    assert shown["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["DB_NAME"] == str(tmp_path / "x.sqlite3")
    assert shown["TRUSTED_PROXIES"] == 1  # the TLS proxy in front of gunicorn
    assert shown["WHITENOISE_USE_FINDERS"] is False  # the collected, hashed files


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = run(["manage.py", "check"], production_env(tmp_path) | {"HUANJIE_DEBUG": "1"})

    assert result.returncode != 0
    assert "HUANJIE_DEBUG must not be set in production" in result.stderr


def test_trusted_proxies_cannot_be_negative() -> None:
    result = run(
        ["manage.py", "check"],
        base_env() | {"HUANJIE_ENV": "development", "HUANJIE_TRUSTED_PROXIES": "-1"},
    )

    assert result.returncode != 0
    assert "HUANJIE_TRUSTED_PROXIES must be 0 or more" in result.stderr


def test_unknown_mode_is_refused() -> None:
    result = run(["manage.py", "check"], base_env() | {"HUANJIE_ENV": "staging"})

    assert result.returncode != 0
    assert "HUANJIE_ENV must be development, production or test, not 'staging'" in result.stderr


# --- development and test defaults --------------------------------------------------


def test_development_defaults() -> None:
    shown = show_settings(base_env() | {"HUANJIE_ENV": "development"})

    assert shown["LANGUAGE_CODE"] == "zh-hans"
    assert shown["TIME_ZONE"] == "Asia/Shanghai"
    assert shown["USE_TZ"] is True
    assert shown["DEBUG"] is False  # `make run` shows the Chinese error pages
    assert shown["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["DB_NAME"] == str(ROOT / "var" / "huanjie.sqlite3")
    assert shown["EAGER"] is True
    assert shown["BROKER"] == "memory://"
    assert shown["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "testserver"]
    assert shown["STATICFILES_BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    assert shown["PASSWORD_HASHER"] != "django.contrib.auth.hashers.MD5PasswordHasher"
    middleware = shown["MIDDLEWARE"]
    assert isinstance(middleware, list)
    assert middleware[1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert middleware[-1] == "axes.middleware.AxesMiddleware"
    assert shown["WHITENOISE_USE_FINDERS"] is True  # static/ served without collectstatic
    assert shown["TRUSTED_PROXIES"] == 0  # X-Forwarded-For ignored
    backends = shown["AUTHENTICATION_BACKENDS"]
    assert isinstance(backends, list)
    assert backends[0] == "axes.backends.AxesStandaloneBackend"
    assert shown["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert shown["AXES_FAILURE_LIMIT"] == 5
    assert shown["AXES_COOLOFF_SECONDS"] == 15 * 60


@pytest.mark.parametrize(("value", "debug"), [("1", True), ("true", True), ("0", False)])
def test_developer_switch_for_debug(value: str, debug: bool) -> None:
    shown = show_settings(base_env() | {"HUANJIE_ENV": "development", "HUANJIE_DEBUG": value})

    assert shown["DEBUG"] is debug


def test_the_debug_switch_is_documented() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    two_commands = readme.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    assert "HUANJIE_DEBUG=1 make run" in two_commands
    assert re.search(r"^# HUANJIE_DEBUG=", (ROOT / ".env.example").read_text(), re.MULTILINE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — loopback
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_runserver_in_development_mode_serves_static_files_and_chinese_404(
    tmp_path: Path,
) -> None:
    """What `make run` starts: runserver with DEBUG off (no --insecure), static files
    through WhiteNoise, and the Chinese 404 instead of the debug page."""
    port = free_port()
    env = base_env() | {"HUANJIE_ENV": "development", "HUANJIE_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):  # wait for the server to listen (at most ~60 s)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.5)
        static_status, css = fetch(base + "/static/css/huanjie.css")
        missing_status, page = fetch(base + "/no-such-page/")
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert (static_status, "--hj-red" in css) == (200, True)
    assert missing_status == 404
    assert "没有找到这个页面" in page and "返回首页" in page
    assert "DEBUG = True" not in page and "URLconf" not in page


def test_settings_under_pytest_are_test_mode() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert Env({}).mode == "test"


# --- config.env ---------------------------------------------------------------------


def test_parse_postgres_url() -> None:
    url = parse_database_url("postgres://huanjie:p%40ss@db.example:5433/huanjie?sslmode=require")

    assert url.as_django() == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "huanjie",
        "USER": "huanjie",
        "PASSWORD": "p@ss",
        "HOST": "db.example",
        "PORT": "5433",
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": 60,
        "OPTIONS": {"sslmode": "require"},
    }


def test_parse_postgresql_scheme_without_port_or_password() -> None:
    url = parse_database_url("postgresql://postgres@127.0.0.1/huanjie")

    assert (url.engine, url.name, url.user, url.password, url.host, url.port, url.options) == (
        "django.db.backends.postgresql",
        "huanjie",
        "postgres",
        "",
        "127.0.0.1",
        "",
        {},
    )


def test_parse_sqlite_urls() -> None:
    absolute = parse_database_url("sqlite:////srv/huanjie/x.sqlite3").as_django()
    assert absolute["ENGINE"] == "django.db.backends.sqlite3"
    assert absolute["NAME"] == "/srv/huanjie/x.sqlite3"
    assert absolute["CONN_MAX_AGE"] == 0
    assert "OPTIONS" not in absolute
    assert parse_database_url("sqlite:///relative.db").name == "relative.db"
    assert parse_database_url("sqlite://").name == ":memory:"


def test_parse_unsupported_scheme() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL scheme 'mysql' is not supported"):
        parse_database_url("mysql://root@localhost/huanjie")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("Off", False),
        ("", True),  # empty means "not set": the default
    ],
)
def test_env_bool(raw: str, expected: bool) -> None:
    assert Env({"FLAG": raw}).bool("FLAG", True) is expected


def test_env_bool_rejects_maybe() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^DEBUG must be true or false, not 'maybe'$"):
        Env({"DEBUG": "maybe"}).bool("DEBUG", False)


def test_env_int_and_list() -> None:
    env = Env({"N": "7", "BAD": "seven", "HOSTS": " a.example , ,b.example"})
    assert env.int("N", 1) == 7
    assert env.int("MISSING", 3) == 3
    with pytest.raises(ImproperlyConfigured, match=r"^BAD must be a whole number, not 'seven'$"):
        env.int("BAD", 1)
    assert env.list("HOSTS", []) == ["a.example", "b.example"]


def test_env_str_secrets_in_production_and_development() -> None:
    production = Env({"HUANJIE_ENV": "production"})
    with pytest.raises(ImproperlyConfigured, match=r"^SECRET_KEY must be set in production"):
        production.str("SECRET_KEY", "fallback", secret=True)
    assert production.str("LOG_LEVEL", "INFO") == "INFO"

    development = Env({"HUANJIE_ENV": "development"})
    assert development.str("SECRET_KEY", "fallback", secret=True) == "fallback"
    with pytest.raises(ImproperlyConfigured, match=r"^NEEDED must be set; see \.env\.example$"):
        development.str("NEEDED")
    assert development.optional("REDIS_URL") is None
    assert Env({"REDIS_URL": ""}).optional("REDIS_URL") is None


def test_each_pytest_worker_has_its_own_cache_keys() -> None:
    """Two xdist workers hand out the same pks in their own databases; keys the cache
    shares across processes (Redis) must not meet."""
    from django.core.cache import cache

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    key = cache.make_key("progress:1")
    if worker:
        assert key.endswith(f":{worker}:1:progress:1")
    else:
        assert key == f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:1:progress:1"
