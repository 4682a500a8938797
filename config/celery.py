"""The Celery app. Redis is the broker in production; without REDIS_URL every task
runs in-process (eager), which is how `make run` and the default test run work."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("huanjie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# When the broker is unreachable, a web request that queues a task must give up within
# a few seconds (the caller keeps its work and tells the user; the sweep below queues it
# later) instead of retrying for ~20 s and answering 500.
_QUICK_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
app.conf.update(
    broker_connection_timeout=2,
    broker_transport_options={"socket_connect_timeout": 2, "socket_timeout": 10},
    task_publish_retry_policy=_QUICK_RETRY,
    redis_socket_connect_timeout=2,
    result_backend_transport_options={"retry_policy": _QUICK_RETRY},
    # A job whose worker died goes back to the queue (acks_late is in the settings);
    # one whose whole worker host died is found by the sweep below.
    task_reject_on_worker_lost=True,
)

# The beat schedule lives in code (STYLE.md habit 10: every job is safe to run twice).
app.conf.beat_schedule = {
    "schedule-reminders": {
        "task": "elections.tasks.check_due_milestones",
        "schedule": crontab(minute="*/15"),
    },
    "sweep-stalled-imports": {
        "task": "elections.tasks.sweep_stalled_imports",
        "schedule": 60.0,
    },
    "delete-expired-exports": {
        "task": "elections.tasks.delete_expired_exports",
        "schedule": crontab(hour=3, minute=30),
    },
    # 张榜公布: every notice due on its milestone date (exactly once; catches up).
    "publish-due-notices": {
        "task": "elections.tasks.publish_due_notices",
        "schedule": crontab(minute=5),
    },
    # Joint vetting: mark requests past their deadline (safe twice; catches up).
    "vetting-mark-overdue": {
        "task": "vetting.mark_overdue",
        "schedule": crontab(hour=0, minute=20),
    },
}
