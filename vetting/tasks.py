"""Celery tasks of joint vetting: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task

from vetting.services.deadlines import mark_overdue


@shared_task(name="vetting.mark_overdue")
def mark_overdue_requests() -> int:
    return mark_overdue()
