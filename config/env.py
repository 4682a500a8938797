"""Typed access to settings that come from environment variables (STYLE.md habit 13).

Every variable the app reads is listed in `.env.example`. In production mode
(`HUANJIE_ENV=production`) a missing secret is a loud start-up failure, never a
silent default.
"""

from __future__ import annotations

import builtins
import os
import sys
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured


class Env:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    @property
    def mode(self) -> str:
        default = "test" if "pytest" in sys.modules else "development"
        mode = self.environ.get("HUANJIE_ENV", default).strip().lower()
        if mode not in ("development", "production", "test"):
            raise ImproperlyConfigured(
                f"HUANJIE_ENV must be development, production or test, not {mode!r}"
            )
        return mode

    @property
    def production(self) -> bool:
        return self.mode == "production"

    def str(self, name: str, default: str | None = None, *, secret: bool = False) -> str:
        value = self.environ.get(name)
        if value is None or value == "":
            if self.production and (secret or default is None):
                raise ImproperlyConfigured(
                    f"{name} must be set in production (HUANJIE_ENV=production); see .env.example"
                )
            if default is None:
                raise ImproperlyConfigured(f"{name} must be set; see .env.example")
            return default
        return value

    def optional(self, name: builtins.str) -> builtins.str | None:
        value = self.environ.get(name)
        return value if value else None

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        value = self.environ.get(name)
        if value is None or value == "":
            return default
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")

    def int(self, name: builtins.str, default: builtins.int) -> builtins.int:
        value = self.environ.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str]
    ) -> builtins.list[builtins.str]:
        value = self.environ.get(name)
        if value is None or value == "":
            if self.production and not default:
                raise ImproperlyConfigured(f"{name} must be set in production; see .env.example")
            return default
        return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class DatabaseUrl:
    engine: str
    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, str]

    def as_django(self) -> dict[str, object]:
        config: dict[str, object] = {
            "ENGINE": self.engine,
            "NAME": self.name,
            "USER": self.user,
            "PASSWORD": self.password,
            "HOST": self.host,
            "PORT": self.port,
            "ATOMIC_REQUESTS": False,
            "CONN_MAX_AGE": 60 if self.engine.endswith("postgresql") else 0,
        }
        if self.options:
            config["OPTIONS"] = dict(self.options)
        return config


def parse_database_url(url: str) -> DatabaseUrl:
    """Parse `postgres://user:pass@host:port/name` or `sqlite:///path/to/db.sqlite3`."""
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "sqlite":
        path = unquote(parsed.path)
        # sqlite:///relative.db → "relative.db"; sqlite:////abs/path.db → "/abs/path.db"
        name = path[1:] if path.startswith("/") else path
        return DatabaseUrl("django.db.backends.sqlite3", name or ":memory:", "", "", "", "", {})
    if scheme in ("postgres", "postgresql", "pgsql"):
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        return DatabaseUrl(
            "django.db.backends.postgresql",
            unquote(parsed.path.lstrip("/")),
            unquote(parsed.username or ""),
            unquote(parsed.password or ""),
            parsed.hostname or "",
            str(parsed.port or ""),
            options,
        )
    raise ImproperlyConfigured(f"DATABASE_URL scheme {scheme!r} is not supported")
