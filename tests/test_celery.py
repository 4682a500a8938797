"""Celery: tasks run in-process without Redis, and through a real worker with it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import EagerResult
from celery.schedules import crontab
from django.conf import settings

from config.celery import app
from elections.tasks import check_due_milestones, ping

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "")
RESULT_TIMEOUT = 30.0


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process whatever REDIS_URL says (restored afterwards)."""
    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def test_tests_run_tasks_in_process_even_with_a_broker() -> None:
    assert settings.CELERY_TASK_ALWAYS_EAGER is True
    expected_broker = REDIS_URL or "memory://"
    assert expected_broker == settings.CELERY_BROKER_URL
    assert app.conf.task_always_eager is True

    result = ping.delay("x")

    assert isinstance(result, EagerResult)
    assert result.get(timeout=1) == "pong:x"


def test_ping_eager(eager: None) -> None:
    result = ping.delay("x")

    assert isinstance(result, EagerResult)
    assert result.get(timeout=1) == "pong:x"


@pytest.mark.django_db
def test_check_due_milestones_eager(eager: None) -> None:
    assert check_due_milestones.delay().get(timeout=5) == 0


def test_beat_schedule_points_at_a_registered_task() -> None:
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["schedule-reminders"]

    assert entry["task"] == "elections.tasks.check_due_milestones"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == crontab(minute="*/15")
    assert "elections.tasks.ping" in app.tasks


def test_celery_follows_django_settings() -> None:
    assert app.main == "huanjie"
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.fixture
def redis_client_app() -> Iterator[Celery]:
    """A Celery app that talks to REDIS_URL, never eager, whatever the settings say."""
    client = Celery(
        "huanjie-test-client", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False
    )
    client.conf.update(task_always_eager=False)
    try:
        yield client
    finally:
        client.close()


def _clean_queue(queue: str) -> None:
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        # the queue's list and kombu's binding keys (_kombu.binding*.<queue>)
        keys = list(connection.scan_iter(match=f"*{queue}*"))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker)")
def test_ping_through_a_real_worker(redis_client_app: Celery, tmp_path: Path) -> None:
    queue = f"huanjie-test-{uuid.uuid4().hex}"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CELERY_", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env |= {
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HUANJIE_ENV": "test",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(  # noqa: S603 — our own interpreter running celery
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "-Q",
                queue,
                "-n",
                f"{queue}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        signature = redis_client_app.signature("elections.tasks.ping")
        result = signature.apply_async(args=("hello",), queue=queue)
        deadline = time.monotonic() + RESULT_TIMEOUT
        value = None
        while value is None:
            try:
                value = result.get(timeout=1)
            except CeleryTimeoutError:
                if worker.poll() is not None:
                    pytest.fail(
                        f"the worker exited with {worker.returncode}:\n{log_path.read_text()}"
                    )
                if time.monotonic() > deadline:
                    pytest.fail(f"no result within {RESULT_TIMEOUT:.0f} s:\n{log_path.read_text()}")
        assert value == "pong:hello"
        assert result.status == "SUCCESS"
        result.forget()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)
        _clean_queue(queue)
    assert "elections.tasks.ping" in log_path.read_text()
