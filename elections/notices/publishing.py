"""Publishing notices exactly once (issue 10 item 3).

`publish` builds, renders and records a notice inside one transaction that holds the
election's row lock: two workers at once publish once (the second waits, then finds the
notice); a worker killed mid-render leaves nothing (the transaction never commits) and
the next run publishes; the unique (election, kind, version) constraint backs it all.
`publish_due` publishes every notice whose milestone date has come, catching up after
downtime and recording how late. A correction is a new version with the next number;
the old PDF stays downloadable."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from elections import audit
from elections.models import CommunityElection, Milestone, Notice
from elections.notices import progress
from elections.notices.registry import (
    NoticeData,
    NoticeKind,
    NotReady,
    PublicElection,
    guard,
    notice_kind,
    notice_kinds,
)
from elections.notices.rendering import render_pdf

AUDIT_LABELS = {
    "elections.notice.published": "发布公告",
    "elections.notice.corrected": "发布更正公告",
}


class NoticeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def public_election(election: CommunityElection) -> PublicElection:
    milestones = {
        m.kind: m.done_on or m.date
        for m in Milestone.objects.filter(election=election).only("kind", "date", "done_on")
    }
    return PublicElection(
        pk=election.pk,
        community_code=election.community.code,
        community_name=election.community.name,
        street_name=election.community.street.name,
        cycle_name=election.cycle.name,
        election_day=election.election_day,
        party_meeting_day=election.party_meeting_day,
        params=election.cycle.rule_profile.params(),
        milestones=milestones,
    )


def _kind(code: str) -> NoticeKind:
    kind = notice_kind(code)
    if kind is None:
        raise NoticeError("没有这种公告")
    return kind


def build(election: CommunityElection, code: str) -> NoticeData:
    """The notice's content, checked for personal data; raises NotReady."""
    return guard(_kind(code).build(public_election(election)))


def _issuer(kind: NoticeKind, election: CommunityElection) -> str:
    """The issuing body: "{street}" / "{community}" in the kind's issuer are filled in;
    a plain body (居民选举委员会) is the community's."""
    if "{" in kind.issuer:
        return kind.issuer.format(
            street=election.community.street.name, community=election.community.name
        )
    return f"{election.community.name}{kind.issuer}"


def _context(
    kind: NoticeKind,
    election: CommunityElection,
    data: NoticeData,
    *,
    number: int | None,
    issued_on: dt.date,
    replaces: Notice | None = None,
    reason: str = "",
) -> dict[str, Any]:
    title = kind.title
    return {
        "heading": f"更正公告：{title}" if replaces else title,
        "issuer": _issuer(kind, election),
        "number_label": f"选举公告 第{number}号" if number else "样稿，未发布",
        "issued_on": issued_on,
        "legal_basis": kind.legal_basis,
        "posting_days": kind.posting_days,
        "data": data,
        "replaces": replaces,
        "correction_reason": reason,
    }


def preview(election: CommunityElection, code: str, *, today: dt.date | None = None) -> bytes:
    """A draft PDF (marked 样稿) at any time; nothing is recorded."""
    kind = _kind(code)
    data = build(election, code)
    pdf, _pages = render_pdf(
        kind.template,
        _context(kind, election, data, number=None, issued_on=today or timezone.localdate()),
    )
    return pdf


def publish(
    election: CommunityElection,
    code: str,
    *,
    actor: Any,
    today: dt.date | None = None,
    due_on: dt.date | None = None,
) -> Notice | None:
    """Publish `code` for `election` once: None when it is already published."""
    kind = _kind(code)
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            locked = (
                CommunityElection.objects.select_for_update(of=("self",))
                .select_related("community__street", "cycle__rule_profile")
                .get(pk=election.pk)
            )
            if Notice.objects.filter(election=locked, kind=code).exists():
                return None
            progress.report(locked.pk, code, 0, 0)
            data = build(locked, code)
            _pause_for_tests()
            notice = _record(locked, kind, data, actor=actor, today=today, due_on=due_on)
            from elections.models import NoticeFailure

            NoticeFailure.objects.filter(election=locked, kind=code).delete()
            return notice
    finally:
        progress.clear(election.pk, code)


def _pause_for_tests() -> None:
    """Test hook: HUANJIE_TEST_RENDER_PAUSE=<seconds> makes a publication wait inside its
    transaction, so that a real-worker test can kill the worker mid-publication. Ignored
    outside HUANJIE_ENV=test."""
    import os
    import time

    from django.conf import settings

    if settings.TESTING:
        pause = float(os.environ.get("HUANJIE_TEST_RENDER_PAUSE") or 0)
        if pause > 0:
            time.sleep(pause)


def _record(
    election: CommunityElection,
    kind: NoticeKind,
    data: NoticeData,
    *,
    actor: Any,
    today: dt.date,
    due_on: dt.date | None,
    replaces: Notice | None = None,
    reason: str = "",
) -> Notice:
    last = Notice.objects.filter(election=election).aggregate(m=Max("number"))["m"] or 0
    number = last + 1
    pdf, pages = render_pdf(
        kind.template,
        _context(
            kind, election, data, number=number, issued_on=today, replaces=replaces, reason=reason
        ),
        progress=lambda done, total: progress.report(election.pk, kind.code, done, total),
    )
    digest = hashlib.sha256(pdf).hexdigest()
    notice = Notice(
        election=election,
        kind=kind.code,
        version=(replaces.version + 1) if replaces else 1,
        number=number,
        title=kind.title,
        issuer=_issuer(kind, election),
        issued_on=today,
        legal_basis=kind.legal_basis,
        posting_days=kind.posting_days,
        due_on=due_on,
        late_days=max(0, (today - due_on).days) if due_on else 0,
        replaces=replaces,
        correction_reason=reason,
        sha256=digest,
        pages=pages,
        published_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    notice.pdf.save(
        f"{election.community.code}_{election.cycle_id}_{number:03d}_{digest[:12]}.pdf",
        ContentFile(pdf),
        save=False,
    )
    notice.save()
    audit.record(
        actor,
        "elections.notice.corrected" if replaces else "elections.notice.published",
        notice,
        community_id=election.community_id,
        street_id=election.community.street_id,
        data={
            "公告": f"第{number}号 {kind.title}",
            "SHA-256": digest,
            **({"应发布日期": due_on.isoformat(), "迟发天数": notice.late_days} if due_on else {}),
            **({"更正": f"第{replaces.number}号", "理由": reason} if replaces else {}),
        },
    )
    return notice


def correct(notice: Notice, *, reason: str, actor: Any, today: dt.date | None = None) -> Notice:
    """更正公告: a new version with the next number naming the one it replaces."""
    reason = reason.strip()
    if not reason:
        raise NoticeError("请写明更正理由")
    today = today or timezone.localdate()
    kind = _kind(notice.kind)
    with transaction.atomic():
        locked = (
            CommunityElection.objects.select_for_update(of=("self",))
            .select_related("community__street", "cycle__rule_profile")
            .get(pk=notice.election_id)
        )
        current = Notice.objects.get(pk=notice.pk)
        if Notice.objects.filter(replaces=current).exists():
            raise NoticeError("这份公告已经更正过，请更正最新的版本")
        try:
            progress.report(locked.pk, notice.kind, 0, 0)
            data = build(locked, notice.kind)
            return _record(
                locked,
                kind,
                data,
                actor=actor,
                today=today,
                due_on=None,
                replaces=current,
                reason=reason,
            )
        finally:
            progress.clear(locked.pk, notice.kind)


@dataclass
class DueRun:
    published: list[Notice] = field(default_factory=list)
    failed: list[tuple[CommunityElection, str, str]] = field(default_factory=list)
    waiting: list[tuple[CommunityElection, str, str]] = field(default_factory=list)


def publish_due(today: dt.date | None = None, *, actor: Any = None) -> DueRun:
    """Every notice whose milestone date is today or earlier and that is not yet
    published (safe to run twice, by two workers at once, and after downtime)."""
    today = today or timezone.localdate()
    run = DueRun()
    kinds = {k.milestone: k for k in notice_kinds() if k.milestone}
    if not kinds:
        return run
    published = set(Notice.objects.values_list("election_id", "kind"))
    order = {k.code: i for i, k in enumerate(notice_kinds())}
    milestones = sorted(
        Milestone.objects.filter(kind__in=list(kinds)).select_related(
            "election__community__street", "election__cycle__rule_profile"
        ),
        # Each community's notices in the order of their dates (the effective one: the
        # day a step really happened, else the plan), then in N-number order.
        key=lambda m: (m.election.community.code, m.done_on or m.date, order[kinds[m.kind].code]),
    )
    for m in milestones:
        due = m.done_on or m.date
        kind = kinds[m.kind]
        if due > today or (m.election_id, kind.code) in published:
            continue
        try:
            notice = publish(m.election, kind.code, actor=actor, today=today, due_on=due)
        except NotReady as exc:
            run.waiting.append((m.election, kind.code, str(exc)))
        except Exception as exc:  # one failed render must not stop the others
            error = f"{type(exc).__name__}: {exc}"
            run.failed.append((m.election, kind.code, error))
            record_failure(m.election, kind.code, error)
        else:
            if notice is not None:
                run.published.append(notice)
    return run


def record_failure(election: CommunityElection, code: str, error: str) -> None:
    """Keep the last failed render for the page (error and a retry button)."""
    from django.db.models import F

    from elections.models import NoticeFailure

    with transaction.atomic():
        updated = NoticeFailure.objects.filter(election=election, kind=code).update(
            error=error[:2000], attempts=F("attempts") + 1, failed_at=timezone.now()
        )
        if not updated:
            NoticeFailure.objects.create(election=election, kind=code, error=error[:2000])


POSTING_AUDIT = {"elections.notice.posted": "记录公告张贴"}
AUDIT_LABELS = {**AUDIT_LABELS, **POSTING_AUDIT}
MAX_PHOTO = 10 * 1024 * 1024


def _is_image(upload: Any) -> bool:
    """A JPEG, PNG, GIF or WebP that Pillow can read (the file is rewound after)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(upload) as image:
            image.verify()
            ok = image.format in {"JPEG", "PNG", "GIF", "WEBP", "MPO"}
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        ok = False
    finally:
        upload.seek(0)
    return ok


def record_posting(
    notice: Notice,
    *,
    posted_on: dt.date | None,
    place: str,
    photo: Any = None,
    actor: Any,
    today: dt.date | None = None,
) -> Any:
    """Where and when the committee put the notice up (RULES.md §9, G3). The first
    posting of a notice due on a milestone completes that milestone on the posting day,
    so the legal clocks that follow from it (the objection window) start from the wall,
    not from the plan; a day the schedule cannot take is left for the officer."""
    from elections.models import NoticePosting
    from elections.services import ElectionsError, complete_milestone

    today = today or timezone.localdate()
    place = place.strip()
    errors: dict[str, str] = {}
    if posted_on is None:
        errors["posted_on"] = "请填写张贴日期"
    elif posted_on > today:
        errors["posted_on"] = "张贴日期不能晚于今天"
    elif posted_on < notice.issued_on:
        errors["posted_on"] = "张贴日期不能早于公告发布日期"
    if not place:
        errors["place"] = "请填写张贴地点"
    if photo is not None and getattr(photo, "size", 0) > MAX_PHOTO:
        errors["photo"] = "照片不能超过 10 MB"
    elif photo is not None and not _is_image(photo):
        errors["photo"] = "照片不是能识别的图片，请上传 JPG 或 PNG 格式的照片"
    if errors:
        raise NoticeError("；".join(errors.values()))
    assert posted_on is not None
    kind = notice_kind(notice.kind)
    with transaction.atomic():
        first = not NoticePosting.objects.filter(
            notice__election=notice.election, notice__kind=notice.kind
        ).exists()
        posting = NoticePosting.objects.create(
            notice=notice,
            posted_on=posted_on,
            place=place[:100],
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if photo is not None:
            posting.photo.save(getattr(photo, "name", "") or "photo.jpg", photo, save=True)
        schedule_note = ""
        if first and kind is not None and kind.milestone:
            milestone = Milestone.objects.filter(
                election=notice.election, kind=kind.milestone, done_on__isnull=True
            ).first()
            if milestone is not None:
                try:
                    with transaction.atomic():
                        complete_milestone(milestone, posted_on, actor=actor, today=today)
                except ElectionsError as exc:
                    schedule_note = str(exc)
        audit.record(
            actor,
            "elections.notice.posted",
            posting,
            community_id=notice.election.community_id,
            data={
                "公告": f"第{notice.number}号 {notice.title}",
                "张贴日期": posted_on.isoformat(),
                "地点": place,
                "照片": bool(photo),
                **({"日程": schedule_note} if schedule_note else {}),
            },
        )
    return posting
