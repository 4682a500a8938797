"""Celery tasks of election day: thin wrappers over the services (STYLE.md habit 9)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="ballots.tasks.build_archive",
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=True,
)
def build_archive(election_id: int, force: bool = False) -> int | None:
    """Build the archive of the certification in force (sent after the commit that
    certifies, or by the officer's rebuild). Returns the archive's id, or None when the
    election has no certification in force. A READY archive is left as it is unless
    `force`; a failure is recorded on the archive (FAILED, with its message) and can be
    run again. A lost database connection is retried (three times, backing off)."""
    from ballots import archive
    from ballots.models import Archive, ArchiveStatus, Certification

    certification = (
        Certification.objects.filter(election_id=election_id, revoked_at__isnull=True)
        .select_related("election__community__street", "election__cycle")
        .first()
    )
    if certification is None:
        return None
    existing = Archive.objects.filter(certification=certification).first()
    if existing is not None and existing.status == ArchiveStatus.READY and not force:
        return existing.pk
    return archive.build(certification).pk
