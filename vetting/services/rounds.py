"""Rounds of requests (the street officer starts them) and the departments' sign-offs
(Q2). A sign-off is final: a correction is a new sign-off superseding it, and both
stay on record. Each sign-off is bound to the data it checked (`data_hash`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from candidates.models import Candidate, CandidateStatus, Track
from elections import audit
from elections.access import scope_of
from elections.crypto import decrypt_text, encryption_key
from elections.formatting import cn_date
from elections.models import Department, ElectionCycle
from vetting.models import (
    NegativeItem,
    NegativeList,
    SignOff,
    SignOffResult,
    VettingRequest,
    VettingRound,
)
from vetting.services import VettingError, data_hash

AUDIT_LABELS = {
    "vetting.round.started": "发起资格联审",
    "vetting.signoff.given": "部门反馈联审意见",
    "vetting.signoff.corrected": "部门更正联审意见",
    "vetting.request.id_viewed": "查看联审人选完整身份证号",
}

#: Who can be sent to vetting: 居委会 nominees and party 初步人选 (write-in winners later).
VETTABLE = (
    (Track.COMMITTEE, CandidateStatus.NOMINEE),
    (Track.PARTY, CandidateStatus.INITIAL),
)
MAX_ATTACHMENT = 10 * 1024 * 1024


def vettable_candidates(cycle: ElectionCycle) -> QuerySet[Candidate]:
    from django.db.models import Q

    query = Q(pk__in=[])
    for track, status in VETTABLE:
        query |= Q(track=track, status=status)
    return (
        Candidate.objects.filter(query, election__cycle=cycle)
        .select_related("election__community")
        .order_by("election__community__code", "track", "post", "name", "pk")
    )


def default_list() -> NegativeList:
    found = NegativeList.objects.filter(code="xinhe-10").order_by("-version").first()
    if found is None:
        raise VettingError("没有可用的负面清单，请联系系统管理员")
    return found


def start_round(
    cycle: ElectionCycle,
    candidates: Sequence[Candidate],
    departments: Sequence[Department],
    *,
    deadline: dt.date,
    actor: Any,
    note: str = "",
    today: dt.date | None = None,
) -> VettingRound:
    """The street officer sends `candidates` to `departments` with a deadline. Rounds
    are numbered per cycle; a later round may ask again about the same people."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if not candidates:
        errors["candidates"] = "请至少选择一名人选"
    if not departments:
        errors["departments"] = "请至少选择一个部门"
    if deadline < today:
        errors["deadline"] = f"反馈期限不能早于今天（{cn_date(today)}）"
    if errors:
        raise VettingError("没有发起，请改正标红的内容", errors=errors)
    allowed = set(vettable_candidates(cycle).values_list("pk", flat=True))
    outside = [c.name for c in candidates if c.pk not in allowed]
    if outside:
        raise VettingError(f"{'、'.join(outside)}不是本次换届待联审的人选")
    district_id = cycle.street.district_id
    if any(d.district_id != district_id for d in departments):
        raise VettingError("只能选择本区的联审部门")
    with transaction.atomic():
        ElectionCycle.objects.select_for_update().get(pk=cycle.pk)
        last = VettingRound.objects.filter(cycle=cycle).aggregate(m=Max("number"))["m"] or 0
        vround = VettingRound.objects.create(
            cycle=cycle,
            number=last + 1,
            negative_list=default_list(),
            deadline=deadline,
            note=note.strip()[:200],
            started_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        vround.departments.set(departments)
        VettingRequest.objects.bulk_create(
            VettingRequest(round=vround, candidate=c, department=d)
            for c in candidates
            for d in departments
        )
        audit.record(
            actor,
            "vetting.round.started",
            vround,
            street_id=cycle.street_id,
            data={
                "轮次": vround.number,
                "人选": [c.name for c in candidates],
                "部门": [d.name for d in departments],
                "反馈期限": deadline.isoformat(),
            },
        )
    return vround


def reviewer_departments(user: Any) -> set[int] | None:
    """Departments `user` answers for; None means every one (a superuser)."""
    scope = scope_of(user)
    return None if scope.superuser else set(scope.reviewed_departments)


def requests_for_reviewer(user: Any) -> QuerySet[VettingRequest]:
    """Only the reviewer's departments, only their district (through the department)."""
    qs = VettingRequest.objects.select_related(
        "round", "department", "candidate__election__community"
    )
    departments = reviewer_departments(user)
    if departments is not None:
        qs = qs.filter(department_id__in=departments)
    return qs


def _check_reviewer(request: VettingRequest, actor: Any) -> None:
    departments = reviewer_departments(actor)
    if departments is not None and request.department_id not in departments:
        raise VettingError("只能反馈本部门的联审请求")


def sign_off(
    request: VettingRequest,
    result: str,
    *,
    actor: Any,
    items: Iterable[NegativeItem] = (),
    note: str = "",
    attachment: UploadedFile | None = None,
    source: str = "web",
    expected_current: int | None = None,
) -> SignOff:
    """A department's answer for one candidate. A finding names the negative-list items
    it found. Giving it again is a correction: it supersedes the current one.

    `expected_current`: the sign-off the form was showing (0 for none); when another
    answer arrived meanwhile the form is stale and nothing is saved."""
    _check_reviewer(request, actor)
    items = list(items)
    note = note.strip()
    errors: dict[str, str] = {}
    if result not in SignOffResult.values:
        errors["result"] = "请选择“通过”或“发现问题”"
    if result == SignOffResult.FINDING and not items:
        errors["items"] = "发现问题时请勾选对应的负面清单情形"
    if result == SignOffResult.PASS and items:
        errors["items"] = "“通过”时不能勾选负面清单情形"
    if result == SignOffResult.FINDING and not note:
        errors["note"] = "请写明发现的问题"
    if attachment is not None and attachment.size and attachment.size > MAX_ATTACHMENT:
        errors["attachment"] = "附件不能超过 10 MB"
    if errors:
        raise VettingError("没有提交，请改正标红的内容", errors=errors)
    with transaction.atomic():
        locked = (
            VettingRequest.objects.select_for_update()
            .select_related("candidate", "round", "department")
            .get(pk=request.pk)
        )
        if any(i.negative_list_id != locked.round.negative_list_id for i in items):
            raise VettingError("所选情形不属于本轮联审使用的负面清单")
        previous = SignOff.objects.filter(request=locked, current=True).first()
        if expected_current is not None and (previous.pk if previous else 0) != expected_current:
            raise VettingError("这条联审请求刚刚已有新的意见，请刷新页面后再看")
        if previous is not None:
            previous.current = False
            previous.save(update_fields=["current"])
        try:
            with transaction.atomic():
                signoff = SignOff.objects.create(
                    request=locked,
                    result=result,
                    note=note,
                    data_hash=data_hash(locked.candidate),
                    source=source,
                    supersedes=previous,
                    signed_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise VettingError("这条联审请求刚刚已有新的意见，请刷新页面后再看") from None
        if items:
            signoff.items.set(items)
        if attachment is not None:
            signoff.attachment.save(attachment.name or "附件", attachment, save=True)
        audit.record(
            actor,
            "vetting.signoff.corrected" if previous else "vetting.signoff.given",
            signoff,
            community_id=locked.candidate.election.community_id,
            data={
                "人选": locked.candidate.name,
                "部门": locked.department.name,
                "轮次": locked.round.number,
                "结论": signoff.get_result_display(),
                "情形": [i.label for i in items],
                "说明": note,
                **({"更正前": previous.get_result_display()} if previous else {}),
            },
        )
    return signoff


def sign_all_pass(requests: Sequence[VettingRequest], *, actor: Any) -> int:
    """ "全部通过" for a batch the reviewer confirmed: each open request of the batch gets
    a pass (requests already answered are left as they are). Returns how many."""
    done = 0
    with transaction.atomic():
        answered = set(
            SignOff.objects.filter(request__in=requests, current=True).values_list(
                "request_id", flat=True
            )
        )
        for request in requests:
            if request.pk in answered:
                continue
            sign_off(request, SignOffResult.PASS, actor=actor, source="batch")
            done += 1
    return done


def reveal_id(request: VettingRequest, *, actor: Any) -> str:
    """The full ID number on the single request (checking it is the job), audited."""
    _check_reviewer(request, actor)
    with transaction.atomic():
        audit.record(
            actor,
            "vetting.request.id_viewed",
            request,
            community_id=request.candidate.election.community_id,
            data={"人选": request.candidate.name, "部门": request.department.name},
        )
    return decrypt_text(request.candidate.id_encrypted, encryption_key())
