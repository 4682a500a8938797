"""The production files (docker-compose.yml, Dockerfile, .env.example) agree with
each other and with the settings."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.http.request import validate_host

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "config" / "settings" / "__init__.py"
PRODUCTION_VARIABLES = [
    "SECRET_KEY",
    "PERSONAL_DATA_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
]
APP_SERVICES = ["web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def dockerfile() -> str:
    return (ROOT / "Dockerfile").read_text(encoding="utf-8")


def env_example_names() -> set[str]:
    """Variable names in .env.example, set (`X=`) or documented commented-out (`# X=`)."""
    names = set()
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match.group(1))
    return names


def command_text(service: dict[str, Any]) -> str:
    command = service["command"]
    text = " ".join(command) if isinstance(command, list) else str(command)
    return " ".join(text.split())


def settings_variable_names() -> set[str]:
    source = SETTINGS_FILE.read_text(encoding="utf-8")
    return set(
        re.findall(r"""env\.(?:str|bool|int|list|optional)\(\s*["']([A-Z0-9_]+)["']""", source)
    )


def test_all_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker", "beat"])
def test_services_restart_on_failure(services: dict[str, dict[str, Any]], name: str) -> None:
    assert services[name]["restart"] in ("unless-stopped", "always")


@pytest.mark.parametrize("name", ["postgres", "redis", "web", "worker"])
def test_services_have_health_checks(services: dict[str, dict[str, Any]], name: str) -> None:
    check = services[name]["healthcheck"]
    assert check["test"], f"{name} has an empty health check"
    assert check.get("disable") is not True
    assert check["interval"]
    assert check["retries"] >= 1


def test_health_check_commands(services: dict[str, dict[str, Any]]) -> None:
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert "http://127.0.0.1:8000/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert "celery -A config inspect ping" in " ".join(services["worker"]["healthcheck"]["test"])


@pytest.mark.parametrize(
    ("allowed_hosts", "expected_host"),
    [
        ("huanjie.example.gov.cn", "huanjie.example.gov.cn"),
        ("huanjie.example.gov.cn,10.0.0.5", "huanjie.example.gov.cn"),
        (".example.gov.cn", "example.gov.cn"),
        ("*", "localhost"),
    ],
)
def test_web_health_check_sends_an_allowed_host(
    services: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    allowed_hosts: str,
    expected_host: str,
) -> None:
    """Production Django answers 400 to a Host outside ALLOWED_HOSTS, so a check that
    calls http://127.0.0.1:8000/ with the default Host would never pass."""
    import urllib.request

    test = services["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    sent: list[urllib.request.Request] = []
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, **_: sent.append(request))
    monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)

    exec(compile(test[3], "healthcheck", "exec"), {})  # noqa: S102 — our own compose file

    assert len(sent) == 1
    assert sent[0].full_url == "http://127.0.0.1:8000/healthz"
    host = sent[0].get_header("Host")
    assert host == expected_host
    assert validate_host(host, allowed_hosts.split(","))


def test_database_and_documents_live_in_named_volumes(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    assert set(compose["volumes"]) == {"pgdata", "documents"}
    assert "pgdata:/var/lib/postgresql/data" in services["postgres"]["volumes"]
    for name in ("web", "worker"):
        assert "documents:/app/var/media" in services[name]["volumes"]
        assert services[name]["environment"]["MEDIA_ROOT"] == "/app/var/media"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_backends(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    assert services[name]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }


def test_web_migrates_then_runs_gunicorn(services: dict[str, dict[str, Any]]) -> None:
    command = command_text(services["web"])
    assert re.search(r"python manage\.py migrate\b.*&&.*gunicorn config\.wsgi:application", command)
    assert "--bind 0.0.0.0:8000" in command
    # exec: gunicorn replaces the shell, so `docker compose stop` reaches it (graceful stop).
    assert "&& exec gunicorn config.wsgi:application" in command
    assert "8000:8000" in services["web"]["ports"]


def test_worker_runs_celery_worker(services: dict[str, dict[str, Any]]) -> None:
    assert command_text(services["worker"]).startswith("celery -A config worker")


def test_beat_runs_celery_beat(services: dict[str, dict[str, Any]]) -> None:
    assert command_text(services["beat"]).startswith("celery -A config beat")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_every_production_variable(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    assert service["env_file"] == ".env"
    assert service["environment"]["HUANJIE_ENV"] == "production"
    provided = set(service["environment"]) | env_example_names()
    missing = [v for v in PRODUCTION_VARIABLES if v not in provided]
    assert missing == []


def test_compose_sets_database_and_broker_urls(services: dict[str, dict[str, Any]]) -> None:
    environment = services["web"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://huanjie:")
    assert environment["DATABASE_URL"].endswith("@postgres:5432/huanjie")
    assert environment["REDIS_URL"] == "redis://redis:6379/0"
    assert services["postgres"]["environment"]["POSTGRES_DB"] == "huanjie"
    assert services["postgres"]["environment"]["POSTGRES_USER"] == "huanjie"


def test_secrets_are_blank_in_env_example() -> None:
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#") and "=" in line
    )
    assert values["SECRET_KEY"] == ""
    assert values["PERSONAL_DATA_KEY"] == ""
    assert values["POSTGRES_PASSWORD"] == ""


def test_settings_variables_are_listed_in_env_example() -> None:
    names = settings_variable_names()
    # The regex found the settings' variables (guards against a regex that matches nothing).
    assert {
        "SECRET_KEY",
        "PERSONAL_DATA_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "REDIS_URL",
    } <= names
    assert sorted(names - env_example_names()) == []


def test_env_example_lists_the_mode_variable() -> None:
    # HUANJIE_ENV is read by config.env.Env.mode, not through env.str().
    assert "HUANJIE_ENV" in env_example_names()


def test_dockerfile_installs_weasyprint_libraries_and_cjk_font(dockerfile: str) -> None:
    assert re.search(r"\blibpango-1\.0-0\b", dockerfile)
    assert re.search(r"\blibpangoft2-1\.0-0\b", dockerfile)
    assert re.search(r"\bfonts-noto-cjk\b", dockerfile)


def test_dockerfile_is_production_mode(dockerfile: str) -> None:
    assert re.search(r"^\s*HUANJIE_ENV=production\b", dockerfile, re.MULTILINE)
    assert re.search(r"^USER\s+huanjie\s*$", dockerfile, re.MULTILINE)


def test_dockerfile_copies_only_what_the_app_runs_from(dockerfile: str) -> None:
    copies = re.findall(r"^COPY\s+(.+?)\s+(\S+)\s*$", dockerfile, re.MULTILINE)
    sources = {source for group, _ in copies for source in group.split()}
    # `COPY . .` would put .env (the secrets), .venv and var/ into the image.
    assert "." not in sources
    packages = re.search(r"include = \[(.*?)\]", (ROOT / "pyproject.toml").read_text())
    assert packages is not None
    needed = {name.strip('" *') for name in packages.group(1).split(",")}
    # Every package at the top of the tree ships (electionlaw once did not), tests excepted.
    top_packages = {
        p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in ("tests", "bench")
    }
    assert needed == top_packages
    assert {"config", "electionlaw", "elections", "candidates", "vetting", "ballots"} <= needed
    needed |= {"manage.py", "pyproject.toml", "constraints.txt"}
    # Folders the settings read (TEMPLATES DIRS, STATICFILES_DIRS, LOCALE_PATHS), if present.
    needed |= {name for name in ("templates", "static", "locale") if (ROOT / name).exists()}
    assert sorted(needed - sources) == []


def test_dockerfile_collects_static_files(dockerfile: str) -> None:
    assert re.search(r"python manage\.py collectstatic --noinput", dockerfile)


def dockerfile_env(dockerfile: str) -> dict[str, str]:
    joined = dockerfile.replace("\\\n", " ")
    env: dict[str, str] = {}
    for line in joined.splitlines():
        if line.startswith("ENV "):
            for token in shlex.split(line[4:]):
                name, value = token.split("=", 1)
                env[name] = value
    return env


def test_dockerfile_collectstatic_step_runs(dockerfile: str, tmp_path: Path) -> None:
    """Run the image's collectstatic step as written (production settings, build-time
    placeholders) — a missing production variable would break `docker build`."""
    image_env = dockerfile_env(dockerfile)
    assert image_env["HUANJIE_ENV"] == "production"
    assert image_env["HUANJIE_VAR_DIR"] == "/app/var"
    joined = dockerfile.replace("\\\n", " ")
    steps = [
        line for line in joined.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    assert len(steps) == 1
    command = next(part for part in steps[0][4:].split("&&") if "collectstatic" in part)
    tokens = shlex.split(command)
    step_env = {}
    while "=" in tokens[0]:
        name, value = tokens.pop(0).split("=", 1)
        step_env[name] = value
    assert tokens == ["python", "manage.py", "collectstatic", "--noinput"]
    host_env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("HUANJIE", "SECRET", "DATABASE", "REDIS", "CELERY", "DJANGO_"))
        and name not in settings_variable_names()
    }
    env = host_env | image_env | step_env | {"HUANJIE_VAR_DIR": str(tmp_path)}

    result = subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, *tokens[1:]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles" / "staticfiles.json").is_file()
    assert list((tmp_path / "staticfiles" / "css").glob("huanjie.*.css"))
    # pages' CSS is served compressed; the PDF-only fonts are copied, not compressed
    assert list((tmp_path / "staticfiles" / "css").glob("huanjie.*.css.br"))
    fonts = tmp_path / "staticfiles" / "fonts"
    assert list(fonts.glob("NotoSansSC-Regular.*.ttf"))
    assert not list(fonts.glob("*.ttf.gz")) and not list(fonts.glob("*.ttf.br"))


def test_dockerfile_runs_gunicorn_on_config_wsgi(dockerfile: str) -> None:
    cmd = re.search(r"^CMD\s+(\[.*\])\s*$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert yaml.safe_load(cmd.group(1))[:2] == ["gunicorn", "config.wsgi:application"]
