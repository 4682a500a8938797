"""Celery tasks of the core app: thin wrappers over services (STYLE.md habit 9)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="elections.tasks.ping")
def ping(value: str) -> str:
    """Round trip used by the broker integration test and health checks."""
    return f"pong:{value}"


@shared_task(name="elections.tasks.check_due_milestones")
def check_due_milestones() -> int:
    """Scheduled every 15 minutes (config/celery.py). Safe to run twice: it only reads.

    Counts the milestones due today; the notice issue publishes what is due."""
    from django.utils import timezone

    from elections.models import Milestone

    return Milestone.objects.filter(date=timezone.localdate(), done_on__isnull=True).count()


@shared_task(name="elections.tasks.publish_due_notices")
def publish_due_notices() -> int:
    """Scheduled hourly (config/celery.py): publishes what is due, exactly once (safe
    twice and by two workers; catches up after downtime). Returns how many."""
    from elections.notices.publishing import publish_due

    return len(publish_due().published)


@shared_task(name="elections.tasks.publish_notice")
def publish_notice(election_id: int, kind: str) -> int | None:
    """Publish one notice (by ids, sent after the commit that asks for it). Returns the
    notice's id, or None when it was already published (safe to run twice)."""
    from elections.models import CommunityElection
    from elections.notices.publishing import publish

    election = CommunityElection.objects.get(pk=election_id)
    notice = publish(election, kind, actor=None)
    return notice.pk if notice else None


@shared_task(name="elections.tasks.delete_expired_exports")
def delete_expired_exports() -> int:
    """Scheduled daily (config/celery.py): stored export files live EXPORT_RETENTION_DAYS."""
    from elections.exports import delete_expired_exports as delete

    return delete()


# Voter registration's tasks live in their room; importing them here registers them
# with Celery's autodiscovery, which looks only at each app's tasks module.
from elections.registration.tasks import (  # noqa: E402,F401
    check_voter_import,
    run_voter_export,
    sweep_imports,
)
