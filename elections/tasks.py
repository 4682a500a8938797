"""Celery tasks of the core app: thin wrappers over services (STYLE.md habit 9)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


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


@shared_task(
    name="elections.tasks.publish_notice",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=True,
)
def publish_notice(election_id: int, kind: str, actor_id: int | None = None) -> int | None:
    """Publish one notice (by ids, sent after the commit that asks for it). Returns the
    notice's id, or None when it was already published or could not be (safe to run
    twice). A lost database connection is retried (three times, backing off); any other
    failure is recorded for the notices page, with its error and a retry button."""
    from django.contrib.auth import get_user_model

    from elections.models import CommunityElection
    from elections.notices.publishing import NoticeError, publish, record_failure
    from elections.notices.registry import NotReady, PersonalDataError

    election = CommunityElection.objects.get(pk=election_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        notice = publish(election, kind, actor=actor)
    except (OperationalError, InterfaceError):
        raise
    except (NotReady, PersonalDataError, NoticeError) as exc:
        record_failure(election, kind, f"没有发布：{exc}")
        return None
    except Exception as exc:
        record_failure(election, kind, f"{type(exc).__name__}: {exc}")
        return None
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
