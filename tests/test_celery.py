"""Celery: tasks run in-process without Redis, and through a real worker with it."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import Celery
from celery.exceptions import TimeoutError as CeleryTimeoutError
from celery.result import EagerResult
from celery.schedules import crontab
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.celery import app
from elections.tasks import check_due_milestones, ping
from tests.conftest import Cast
from tests.registration.test_imports import CLEAN, point_celery_at, xlsx

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


def test_the_import_sweep_runs_every_minute_or_two() -> None:
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["sweep-stalled-imports"]

    assert entry["task"] == "elections.tasks.sweep_stalled_imports"
    assert entry["task"] in app.tasks
    assert 30 <= entry["schedule"] <= 120


def test_celery_follows_django_settings() -> None:
    assert app.main == "huanjie"
    assert app.conf.timezone == "Asia/Shanghai"
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
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


def _worker_env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CELERY_", "DJANGO_ALLOW_ASYNC_UNSAFE", "HUANJIE_TEST_"))
    }
    return env | {
        "REDIS_URL": REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HUANJIE_ENV": "test",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **extra,
    }


def _start_worker(queue: str, log_path: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log_path.open("a") as log:
        return subprocess.Popen(  # noqa: S603 — our own interpreter running celery
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
                f"{queue}-{uuid.uuid4().hex[:6]}@%h",
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


def _stop_worker(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait(timeout=5)


@pytest.mark.redis
@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker)")
def test_ping_through_a_real_worker(redis_client_app: Celery, tmp_path: Path) -> None:
    queue = f"huanjie-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker(queue, log_path, _worker_env())
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
        _stop_worker(worker)
        _clean_queue(queue)
    assert "elections.tasks.ping" in log_path.read_text()


# -- voter import checks through a real worker: broker down, worker killed ------------------


@contextmanager
def _tasks_sent_to(broker: str, queue: str) -> Iterator[None]:
    """The web side's Celery app sends (not eager) to `broker`, routing our tasks to
    `queue`; `_point_at` moves it to another broker mid-test. Restored afterwards."""
    saved = (app.conf.broker_url, app.conf.task_always_eager, app.conf.task_routes)
    app.conf.task_always_eager = False
    app.conf.task_routes = {
        "elections.tasks.*": {"queue": queue},
        "ballots.tasks.*": {"queue": queue},
    }
    _point_at(broker)
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_routes = saved[1], saved[2]
        _point_at(saved[0])


def _point_at(broker: str) -> None:
    point_celery_at(broker)
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # the router caches the routes


def _test_database_env() -> dict[str, str]:
    """DATABASE_URL and MEDIA_ROOT of this test run, for the worker subprocess."""
    from django.db import connection

    url = urlsplit(os.environ["DATABASE_URL"])
    database = url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    return {"DATABASE_URL": database, "MEDIA_ROOT": str(settings.MEDIA_ROOT)}


def _wait_for_status(pk: int, status: str, worker: subprocess.Popen[bytes], log: Path) -> Any:
    from elections.registration.models import VoterImport

    deadline = time.monotonic() + RESULT_TIMEOUT
    while True:
        voter_import = VoterImport.objects.get(pk=pk)
        if voter_import.status == status:
            return voter_import
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{log.read_text()}")
        if time.monotonic() > deadline:
            pytest.fail(
                f"still {voter_import.status} after {RESULT_TIMEOUT:.0f} s:\n{log.read_text()}"
            )
        time.sleep(0.2)


_WORKER_AND_POSTGRES = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (a real Redis broker)"),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the worker needs a database it can share (PostgreSQL)",
    ),
    pytest.mark.django_db(transaction=True),  # the worker must see what the test wrote
]


def needs_worker_and_postgres(test: Any) -> Any:
    for mark in _WORKER_AND_POSTGRES:
        test = mark(test)
    return test


@needs_worker_and_postgres
def test_an_upload_while_the_broker_is_down_is_checked_once_it_is_back(
    cast: Cast, tmp_path: Path
) -> None:
    from elections.registration import importing as imports
    from elections.registration.models import ImportStatus, VoterImport

    queue = f"huanjie-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker(queue, log_path, _worker_env(**_test_database_env()))
    client = cast.client("member_a")
    try:
        with _tasks_sent_to("redis://127.0.0.1:6390/0", queue):  # nothing listens there
            started = time.monotonic()
            response = client.post(
                "/c/XH01/voters/import/", {"file": SimpleUploadedFile("名册.xlsx", xlsx(CLEAN))}
            )
            # A hang guard, not a performance bound: the request must not sit in retries.
            assert time.monotonic() - started < 10
            assert response.status_code == 302
            voter_import = VoterImport.objects.get()
            assert (voter_import.status, voter_import.queued_at) == (ImportStatus.UPLOADED, None)
            assert imports.QUEUE_DOWN_MESSAGE in client.get(response["Location"]).content.decode()

            _point_at(REDIS_URL)  # the broker is back; the beat's next sweep queues it
            grace = dt.timedelta(seconds=settings.VOTER_IMPORT_QUEUE_GRACE_SECONDS + 1)
            assert imports.sweep_stalled_imports(timezone.now() + grace).requeued == 1
            checked = _wait_for_status(voter_import.pk, ImportStatus.PREVIEW, worker, log_path)
        assert checked.new_count == len(CLEAN) and checked.attempts == 1
    finally:
        _stop_worker(worker)
        _clean_queue(queue)


@needs_worker_and_postgres
def test_a_check_whose_worker_was_killed_finishes_without_anyone_clicking(
    cast: Cast, tmp_path: Path
) -> None:
    from elections.models import AuditEvent
    from elections.registration import importing as imports
    from elections.registration.models import ImportStatus

    queue = f"huanjie-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    database = _test_database_env()
    # The first worker pauses at each step of the check, so it is killed mid-check.
    slow = _start_worker(queue, log_path, _worker_env(HUANJIE_TEST_CHECK_PAUSE="2", **database))
    worker = slow
    try:
        with _tasks_sent_to(REDIS_URL, queue):
            voter_import = imports.upload(
                cast.election_a,
                filename="名册.xlsx",
                data=xlsx(CLEAN),
                actor=cast.users["member_a"],
            )
            assert voter_import.queued_at is not None
            _wait_for_status(voter_import.pk, ImportStatus.PROCESSING, slow, log_path)
            os.kill(slow.pid, signal.SIGKILL)
            slow.wait(timeout=10)
            voter_import.refresh_from_db()
            assert voter_import.status == ImportStatus.PROCESSING  # left behind, as reported

            worker = _start_worker(queue, log_path, _worker_env(**database))
            # The beat's sweep, once the heartbeat is older than the stall limit.
            stall = dt.timedelta(seconds=settings.VOTER_IMPORT_STALL_SECONDS + 1)
            result = imports.sweep_stalled_imports(timezone.now() + stall)
            assert result == imports.SweepResult(requeued=1, failed=0)
            checked = _wait_for_status(voter_import.pk, ImportStatus.PREVIEW, worker, log_path)
        assert checked.new_count == len(CLEAN) and checked.attempts == 2
        requeued = AuditEvent.objects.get(action="elections.voter_import.requeued")
        assert requeued.actor_id is None
        assert AuditEvent.objects.filter(action="elections.voter_import.checked").count() == 1
    finally:
        _stop_worker(worker)
        _clean_queue(queue)


# -- notices through a real worker: killed mid-publication -----------------------------------


@needs_worker_and_postgres
def test_a_publication_whose_worker_was_killed_is_published_exactly_once(
    cast: Cast, tmp_path: Path
) -> None:
    from elections.models import Notice
    from elections.registration.services import VoterData, register_voter
    from elections.tasks import publish_due_notices, publish_notice
    from tests.conftest import new_id

    register_voter(
        cast.election_a,
        VoterData(name="张三", id_number=new_id(dt.date(1970, 1, 1)), category="resident"),
        actor=cast.users["officer"],
    )
    queue = f"huanjie-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    database = _test_database_env()
    # The first worker waits inside the publication's transaction, so it is killed there.
    slow = _start_worker(queue, log_path, _worker_env(HUANJIE_TEST_RENDER_PAUSE="30", **database))
    worker = slow
    try:
        with _tasks_sent_to(REDIS_URL, queue):
            publish_notice.delay(cast.election_a.pk, "N3")
            deadline = time.monotonic() + RESULT_TIMEOUT
            while (
                "publish_notice" not in log_path.read_text()
                or "received" not in log_path.read_text()
            ):
                if time.monotonic() > deadline or slow.poll() is not None:
                    pytest.fail(f"the task never reached the worker:\n{log_path.read_text()}")
                time.sleep(0.2)
            time.sleep(2)  # inside the transaction, before the PDF is recorded
            os.kill(slow.pid, signal.SIGKILL)
            slow.wait(timeout=10)
            assert not Notice.objects.exists()  # nothing half-published

            worker = _start_worker(queue, log_path, _worker_env(**database))
            # Asked again (by hand or by the beat), it publishes once; asked once more, or
            # by the beat's job, nothing changes.
            first = publish_notice.apply_async((cast.election_a.pk, "N3")).get(
                timeout=RESULT_TIMEOUT
            )
            again = publish_notice.apply_async((cast.election_a.pk, "N3")).get(
                timeout=RESULT_TIMEOUT
            )
            publish_due_notices.apply_async().get(timeout=RESULT_TIMEOUT)
        assert first is not None and again is None
        assert Notice.objects.filter(election=cast.election_a, kind="N3").count() == 1
    finally:
        _stop_worker(worker)
        _clean_queue(queue)


# -- the archive through a real worker ---------------------------------------------------


@needs_worker_and_postgres
def test_a_real_worker_builds_the_archive_of_a_certification(cast: Cast, tmp_path: Path) -> None:
    """Certification sends ballots.tasks.build_archive after its commit; a worker (another
    process, the same database and media) builds the PDF and the zip, and the zip's
    MANIFEST.sha256 matches every file in it."""
    import hashlib
    import io
    import zipfile

    from ballots.models import Archive, ArchiveStatus
    from ballots.tasks import build_archive
    from tests.ballots.archive_helpers import certified_day

    d, cert = certified_day(cast)
    assert Archive.objects.get(certification=cert).status == ArchiveStatus.QUEUED
    queue = f"huanjie-test-{uuid.uuid4().hex}"
    log_path = tmp_path / "worker.log"
    worker = _start_worker(queue, log_path, _worker_env(**_test_database_env()))
    try:
        with _tasks_sent_to(REDIS_URL or "", queue):
            build_archive.delay(d.election.pk)
        deadline = time.monotonic() + 120  # the archive renders PDFs: longer than a ping
        while True:
            archive = Archive.objects.get(certification=cert)
            if archive.status == ArchiveStatus.READY:
                break
            if archive.status == ArchiveStatus.FAILED:
                pytest.fail(f"the build failed: {archive.error}\n{log_path.read_text()}")
            if worker.poll() is not None:
                pytest.fail(f"the worker exited with {worker.returncode}:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"still {archive.status} after 120 s:\n{log_path.read_text()}")
            time.sleep(0.3)
    finally:
        _stop_worker(worker)
        _clean_queue(queue)
    with zipfile.ZipFile(io.BytesIO(Path(archive.zip.path).read_bytes())) as z:
        files = {name: z.read(name) for name in z.namelist()}
    manifest = files.pop("MANIFEST.sha256").decode()
    assert manifest == archive.manifest
    listed: dict[str, str] = {}
    for line in manifest.splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert listed == {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    assert "archive.pdf" in files and files["archive.pdf"].startswith(b"%PDF")
    assert "ballots.tasks.build_archive" in log_path.read_text()
