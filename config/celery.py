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

# The beat schedule lives in code (STYLE.md habit 10: every job is safe to run twice).
app.conf.beat_schedule = {
    "schedule-reminders": {
        "task": "elections.tasks.check_due_milestones",
        "schedule": crontab(minute="*/15"),
    },
    "delete-expired-exports": {
        "task": "elections.tasks.delete_expired_exports",
        "schedule": crontab(hour=3, minute=30),
    },
}
