"""Overdue requests (issue 9 item 8): a daily job marks every unanswered request past
its round's deadline, once (safe to run twice or by two workers at once: one UPDATE of
the rows still unmarked). Overdue departments show on the street dashboard through the
stage-check registry (`vetting/checks.py`)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from elections import audit
from vetting.models import SignOff, VettingRequest

AUDIT_LABELS = {"vetting.requests.marked_overdue": "标记逾期未反馈的联审请求"}


def mark_overdue(today: dt.date | None = None) -> int:
    """Mark requests whose deadline has passed without a current sign-off; returns how
    many were newly marked (0 on a second run the same day)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        answered = SignOff.objects.filter(current=True).values("request_id")
        due = VettingRequest.objects.filter(
            overdue_on__isnull=True, round__deadline__lt=today
        ).exclude(pk__in=answered)
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True))
        if not ids:
            return 0
        marked = VettingRequest.objects.filter(pk__in=ids, overdue_on__isnull=True).update(
            overdue_on=today
        )
        audit.record(
            None,
            "vetting.requests.marked_overdue",
            None,
            data={"日期": today.isoformat(), "条数": marked},
        )
    return marked
