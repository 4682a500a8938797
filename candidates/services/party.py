"""The party side (两推一选, RULES.md §3 P1, P2, P5, P6, P14–P16): the 党员台账 and its
import, exclusions from 应到会, the two recommendations, the 街道党工委's 初步人选,
考察, 预备人选, the 5-day 公示 and the 批复.

The rule of the 新河 plan is enforced here, not in the pages: "没有经过组织考察、资格审查
和公示的，不能列为候选人" — a candidate becomes 预备人选 only after 考察 and a cleared
资格联审, is publicised as such, and becomes 正式候选人 only through a 批复 recorded after
the 公示 window has ended.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates import party_import as pi
from candidates.clearance import clearance_of
from candidates.models import (
    Candidate,
    CandidateSource,
    CandidateStatus,
    MembershipStatus,
    PartyExclusion,
    PartyMember,
    PartyMemberImport,
    PartyPublicity,
    PoliticalStatus,
    Post,
    Recommendation,
    RecommendationKind,
    RecommendationMeeting,
    Track,
)
from candidates.services import CandidateError, params_of
from candidates.services.seats import seats_for
from electionlaw import (
    ExpectedVoters,
    MemberFacts,
    absence_categories,
    elects_secretary_directly,
    expected_party_voters,
    last_day_within,
    min_party_candidates,
    party_org_type,
)
from electionlaw import PartyExclusion as ExclusionFacts
from elections import audit
from elections.crypto import (
    decrypt_bytes,
    decrypt_text,
    encrypt_bytes,
    encrypt_text,
    encryption_key,
)
from elections.formatting import cn_date
from elections.idnumbers import mask_id_number
from elections.models import CommunityElection
from elections.registration.services import hash_id
from elections.registration.xlsx.reading import read_sheet
from elections.registration.xlsx.types import ImportFileError, ParsedFile, RowResult
from elections.registration.xlsx.writing import write_error_report

AUDIT_LABELS: Mapping[str, str] = {
    "candidates.party_member.added": "添加党员",
    "candidates.party_member.updated": "修改党员信息",
    "candidates.party_member.removed": "从党员台账删除党员",
    "candidates.party_import.uploaded": "上传党员台账",
    "candidates.party_import.committed": "导入党员台账",
    "candidates.party_import.discarded": "放弃党员台账导入",
    "candidates.party_import.report_downloaded": "下载党员台账错误报告",
    "candidates.party_exclusion.proposed": "提出不计入应到会人数",
    "candidates.party_exclusion.consent_recorded": "登记上级党组织同意",
    "candidates.party_exclusion.vote_recorded": "登记党员大会通过",
    "candidates.party_exclusion.withdrawn": "撤回不计入应到会人数",
    "candidates.recommendation_meeting.saved": "登记推荐会议",
    "candidates.recommendation.tally_saved": "录入推荐票",
    "candidates.party_candidate.initial_added": "街道党工委推荐初步人选",
    "candidates.party_candidate.withdrawn": "初步人选或预备人选退出",
    "candidates.party_candidate.inspected": "登记组织考察",
    "candidates.party_candidate.pre_candidate": "列为候选人预备人选",
    "candidates.party_publicity.opened": "预备人选公示",
    "candidates.party_publicity.approved": "登记预备人选批复",
}

#: Where the party's candidates stand before 批复 (the list the 差额 is counted on).
_ACTIVE = (CandidateStatus.INITIAL, CandidateStatus.PRE_CANDIDATE, CandidateStatus.FORMAL)
_IMPORT_AAD = b"huanjie:party-import"
#: A party roll is hundreds of rows; checked at once on upload, so the file is bounded.
MAX_IMPORT_ROWS = 5000


class StalePartyError(CandidateError):
    def __init__(self) -> None:
        super().__init__(
            "您打开页面后，这名党员的信息已被其他人修改。本次提交没有保存，请核对最新内容后重新操作。"
        )


def meeting_day_of(election: CommunityElection) -> dt.date | None:
    """The 党员大会 day (P1: rights are judged on it): the community's, else the cycle's."""
    return election.party_meeting_day or election.cycle.party_meeting_day


# -- the roll ---------------------------------------------------------------------------


def _check(election: CommunityElection, data: pi.MemberData) -> pi.Checked:
    checked = pi.clean_member(
        data, meeting_day=meeting_day_of(election), today=timezone.localdate()
    )
    if checked.errors:
        raise CandidateError("党员信息有误，没有保存，请改正标红的内容", errors=checked.errors)
    return checked


def reveal_member_id(member: PartyMember) -> str:
    """The full ID number (for the services' own checks; pages show the masked one)."""
    return decrypt_text(member.id_encrypted, encryption_key())


def _member_values(data: pi.MemberData) -> dict[str, Any]:
    return {
        "name": data.name,
        "gender": data.gender,
        "birth_date": data.birth_date,
        "status": data.status,
        "joined_on": data.joined_on,
        "directly_managed": data.directly_managed,
        "on_probation": data.on_probation,
        "detained": data.detained,
        "arrested": data.arrested,
        "notes": data.notes,
    }


def _audit_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def add_member(election: CommunityElection, data: pi.MemberData, *, actor: Any) -> PartyMember:
    """One member onto the roll, by hand (the import's checks)."""
    checked = _check(election, data)
    assert checked.info is not None
    number = checked.info.number
    id_hash = hash_id(number)
    with transaction.atomic():
        if PartyMember.objects.filter(election=election, id_hash=id_hash).exists():
            raise CandidateError(
                "这名党员已在本社区党员台账中",
                errors={"id_number": "该身份证号已在党员台账中，请在台账中修改其信息"},
            )
        member = PartyMember(
            election=election,
            id_hash=id_hash,
            id_encrypted=encrypt_text(number, encryption_key()),
            id_masked=mask_id_number(number),
            **_member_values(checked.data),
        )
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            raise CandidateError("这名党员刚刚已被其他人添加到党员台账") from None
        audit.record(
            actor,
            "candidates.party_member.added",
            member,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": member.name, "id_number": number, "status": member.status},
        )
    return member


def update_member(
    member: PartyMember,
    data: pi.MemberData,
    *,
    actor: Any,
    expected_version: str | None = None,
) -> PartyMember:
    """Change one member's data (the ID number stays: a new number is a new member)."""
    election = member.election
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().get(pk=member.pk)
        if expected_version is not None and locked.updated_at.isoformat() != expected_version:
            raise StalePartyError()
        checked = _check(election, data)
        assert checked.info is not None
        if hash_id(checked.info.number) != locked.id_hash:
            raise CandidateError(
                "身份证号不能修改",
                errors={"id_number": "身份证号与台账中的不一致；换人请删除后重新添加"},
            )
        changes = _apply_changes(locked, checked.data)
        if changes:
            locked.save()
            audit.record(
                actor,
                "candidates.party_member.updated",
                locked,
                community_id=election.community_id,
                street_id=election.community.street_id,
                data={"name": locked.name, "changes": changes},
            )
    return locked


def _apply_changes(member: PartyMember, data: pi.MemberData) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for name, value in _member_values(data).items():
        old = getattr(member, name)
        if old != value:
            changes[name] = [_audit_value(old), _audit_value(value)]
            setattr(member, name, value)
    return changes


def remove_member(member: PartyMember, *, actor: Any, reason: str) -> None:
    """Take one member off the roll (with a reason); refused while recommended or listed."""
    reason = reason.strip()
    if not reason:
        raise CandidateError("请填写删除原因", errors={"reason": "请填写删除原因"})
    election = member.election
    with transaction.atomic():
        locked = PartyMember.objects.select_for_update().filter(pk=member.pk).first()
        if locked is None:
            raise CandidateError("这名党员已经不在台账中")
        if Candidate.objects.filter(party_member=locked).exists():
            raise CandidateError("这名党员已列入初步人选或预备人选，不能从台账删除")
        if Recommendation.objects.filter(member=locked).exists():
            raise CandidateError("这名党员已有推荐票，不能从台账删除；请先把其推荐票改为0")
        audit.record(
            actor,
            "candidates.party_member.removed",
            locked,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": locked.name, "reason": reason},
        )
        locked.delete()


# -- the import -------------------------------------------------------------------------


@dataclass
class Preview:
    parsed: ParsedFile
    rows: list[tuple[RowResult, pi.MemberData | None]]
    counts: dict[str, int]

    @property
    def results(self) -> list[RowResult]:
        return [r for r, _ in self.rows]


def _existing(election: CommunityElection) -> dict[str, dict[str, Any]]:
    """ID hash → the compared fields of the members on the roll (one query)."""
    return {
        row["id_hash"]: row
        for row in PartyMember.objects.filter(election=election).values("id_hash", *pi.COMPARED)
    }


def _check_file(election: CommunityElection, data: bytes) -> Preview:
    parsed = read_sheet(data, pi.SPEC, max_rows=MAX_IMPORT_ROWS)
    by_hash = _existing(election)

    def lookup(numbers: list[str]) -> dict[str, dict[str, Any]]:
        return {n: by_hash[h] for n in numbers if (h := hash_id(n)) in by_hash}

    rows = pi.check_rows(
        parsed, meeting_day=meeting_day_of(election), today=timezone.localdate(), lookup=lookup
    )
    return Preview(parsed, rows, pi.summary([r for r, _ in rows]))


def upload_roll(
    election: CommunityElection, *, filename: str, data: bytes, actor: Any
) -> PartyMemberImport:
    """Check an uploaded roll at once and keep it (encrypted) for the preview and the
    commit. A file that cannot be read raises CandidateError and is not kept."""
    try:
        preview = _check_file(election, data)
    except ImportFileError as exc:
        raise CandidateError(exc.message, errors={"file": exc.message}) from None
    with transaction.atomic():
        item = PartyMemberImport.objects.create(
            election=election,
            filename=filename[:200],
            data=encrypt_bytes(data, encryption_key(), aad=_IMPORT_AAD),
            sha256=hashlib.sha256(data).hexdigest(),
            rows_total=preview.counts["total"],
            rows_error=preview.counts["error"],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit.record(
            actor,
            "candidates.party_import.uploaded",
            item,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"filename": item.filename, **preview.counts},
        )
    return item


def _stored(item: PartyMemberImport) -> bytes:
    return decrypt_bytes(bytes(item.data), encryption_key(), aad=_IMPORT_AAD)


def preview_of(item: PartyMemberImport) -> Preview:
    """Re-read the stored file (a roll is hundreds of rows)."""
    return _check_file(item.election, _stored(item))


def commit_roll(item: PartyMemberImport, *, actor: Any) -> dict[str, int]:
    """All rows or none, from the stored file re-checked inside the transaction: new
    members are added, members with the same ID number updated (one audit row each)."""
    election = item.election
    with transaction.atomic():
        locked = PartyMemberImport.objects.select_for_update().get(pk=item.pk)
        if locked.state != PartyMemberImport.State.CHECKED:
            raise CandidateError(f"这次导入{locked.get_state_display()}，不能再导入")
        CommunityElection.objects.select_for_update().get(pk=election.pk)  # one writer
        preview = _check_file(election, _stored(locked))
        if preview.counts["error"]:
            raise CandidateError(
                f"有 {preview.counts['error']} 行有错误，全部没有导入。请改正后重新上传"
            )
        members = {m.id_hash: m for m in PartyMember.objects.filter(election=election)}
        key = encryption_key()
        added = updated = 0
        new: list[PartyMember] = []
        for result, data in preview.rows:
            assert data is not None and result.id_info is not None
            number = result.id_info.number
            id_hash = hash_id(number)
            existing = members.get(id_hash)
            if existing is None:
                new.append(
                    PartyMember(
                        election=election,
                        id_hash=id_hash,
                        id_encrypted=encrypt_text(number, key),
                        id_masked=mask_id_number(number),
                        source_import=locked,
                        **_member_values(data),
                    )
                )
                continue
            if not data.notes:
                data = replace(data, notes=existing.notes)  # a blank 备注 keeps the old one
            if data.joined_on is None:
                data = replace(data, joined_on=existing.joined_on)
            changes = _apply_changes(existing, data)
            if changes:
                existing.source_import = locked
                existing.save()
                updated += 1
                audit.record(
                    actor,
                    "candidates.party_member.updated",
                    existing,
                    community_id=election.community_id,
                    street_id=election.community.street_id,
                    data={"name": existing.name, "changes": changes, "import": locked.pk},
                )
        PartyMember.objects.bulk_create(new)
        added = len(new)
        locked.state = PartyMemberImport.State.COMMITTED
        locked.committed_at = timezone.now()
        locked.save(update_fields=["state", "committed_at"])
        counts = {
            "added": added,
            "updated": updated,
            "unchanged": len(preview.rows) - added - updated,
        }
        audit.record(
            actor,
            "candidates.party_import.committed",
            locked,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data=counts,
        )
    return counts


def discard_import(item: PartyMemberImport, *, actor: Any) -> None:
    with transaction.atomic():
        locked = PartyMemberImport.objects.select_for_update().get(pk=item.pk)
        if locked.state != PartyMemberImport.State.CHECKED:
            raise CandidateError(f"这次导入{locked.get_state_display()}")
        locked.state = PartyMemberImport.State.DISCARDED
        locked.data = b""
        locked.save(update_fields=["state", "data"])
        audit.record(
            actor,
            "candidates.party_import.discarded",
            locked,
            community_id=item.election.community_id,
            street_id=item.election.community.street_id,
            data={"filename": locked.filename},
        )


def error_report(item: PartyMemberImport, *, actor: Any) -> bytes:
    preview = preview_of(item)
    content = write_error_report(preview.parsed, preview.results)
    with transaction.atomic():
        audit.record(
            actor,
            "candidates.party_import.report_downloaded",
            item,
            community_id=item.election.community_id,
            street_id=item.election.community.street_id,
            data={
                "filename": item.filename,
                "rows": preview.counts["error"] + preview.counts["warning"],
            },
        )
    return content


# -- exclusions and the 应到会 (P1, P2, P14–P16) ----------------------------------------


def categories_of(election: CommunityElection) -> dict[int, str]:
    """P2: the exclusion categories of the election's profile (5, or 6)."""
    return absence_categories(params_of(election).party_absence_categories)


def _facts(member: PartyMember) -> MemberFacts:
    ex: PartyExclusion | None = getattr(member, "exclusion", None)
    return MemberFacts(
        full=member.status == MembershipStatus.FULL,
        on_probation=member.on_probation,
        detained=member.detained,
        arrested=member.arrested,
        directly_managed=member.directly_managed,
        exclusion=ExclusionFacts(
            category=ex.category,
            superior_approved=bool(ex.consent_doc_no and ex.consent_date),
            meeting_passed=ex.congress_vote_date is not None,
        )
        if ex is not None
        else None,
    )


@dataclass(frozen=True)
class Breakdown:
    numbers: ExpectedVoters
    org_type: str
    org_label: str
    secretary_direct: bool
    meeting_day: dt.date | None
    zongzhi_min: int
    dangwei_min: int


ORG_LABELS = {"branch": "党支部", "general_branch": "党总支", "committee": "党委"}


def breakdown(election: CommunityElection) -> Breakdown:
    """The 应到会有选举权人数 with its parts (P1, P2), the organisation type the roll
    suggests (P16) and whether the 书记 is elected directly (P14, P15). Two queries."""
    params = params_of(election)
    members = PartyMember.objects.filter(election=election).select_related("exclusion")
    numbers = expected_party_voters(
        [_facts(m) for m in members], categories=params.party_absence_categories
    )
    counted = numbers.on_roll - numbers.not_directly_managed
    org = party_org_type(counted, zongzhi_min=params.zongzhi_min, dangwei_min=params.dangwei_min)
    return Breakdown(
        numbers=numbers,
        org_type=org,
        org_label=ORG_LABELS[org],
        secretary_direct=org == "branch" and elects_secretary_directly(numbers.full),
        meeting_day=meeting_day_of(election),
        zongzhi_min=params.zongzhi_min,
        dangwei_min=params.dangwei_min,
    )


def propose_exclusion(
    member: PartyMember, *, category: int, detail: str, actor: Any
) -> PartyExclusion:
    """P2: propose that a member is not counted in 应到会 (counts only with both approvals)."""
    election = member.election
    if category not in categories_of(election):
        raise CandidateError("请选择情形", errors={"category": "请从列出的情形中选择一项"})
    if not _facts(member).full or member.on_probation or member.detained or member.arrested:
        raise CandidateError(
            "这名党员没有选举权，本来就不计入应到会有选举权人数，不需要登记（规则 P1）"
        )
    if not member.directly_managed:
        raise CandidateError("这名党员不是直管党员，不计入本社区应到会人数")
    with transaction.atomic():
        if PartyExclusion.objects.filter(member=member).exists():
            raise CandidateError("这名党员已登记过不计入应到会人数")
        exclusion = PartyExclusion.objects.create(
            member=member,
            category=category,
            detail=detail.strip()[:1000],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # The detail may be about health: it stays out of the audit row.
        audit.record(
            actor,
            "candidates.party_exclusion.proposed",
            exclusion,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": member.name, "category": category},
        )
    return exclusion


def _not_future(day: dt.date | None, field: str, label: str) -> dt.date:
    if day is None:
        raise CandidateError(f"请填写{label}", errors={field: f"请填写{label}"})
    if day > timezone.localdate():
        raise CandidateError(f"{label}不能晚于今天", errors={field: f"{label}不能晚于今天"})
    return day


def record_exclusion_consent(
    exclusion: PartyExclusion, *, doc_no: str, consent_date: dt.date | None, actor: Any
) -> PartyExclusion:
    """P2: 经报上级党组织同意 — the document number and date."""
    doc_no = doc_no.strip()
    if not doc_no:
        raise CandidateError("请填写同意文号", errors={"doc_no": "请填写上级党组织同意的文号"})
    day = _not_future(consent_date, "consent_date", "同意日期")
    election = exclusion.member.election
    with transaction.atomic():
        locked = PartyExclusion.objects.select_for_update().get(pk=exclusion.pk)
        locked.consent_doc_no, locked.consent_date = doc_no[:100], day
        locked.save(update_fields=["consent_doc_no", "consent_date", "updated_at"])
        audit.record(
            actor,
            "candidates.party_exclusion.consent_recorded",
            locked,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": exclusion.member.name, "doc_no": doc_no, "date": day.isoformat()},
        )
    return locked


def record_exclusion_vote(
    exclusion: PartyExclusion, *, vote_date: dt.date | None, actor: Any
) -> PartyExclusion:
    """P2: 经党员大会通过 — the date of the vote (after the 上级's consent)."""
    day = _not_future(vote_date, "vote_date", "党员大会通过日期")
    election = exclusion.member.election
    with transaction.atomic():
        locked = PartyExclusion.objects.select_for_update().get(pk=exclusion.pk)
        if not (locked.consent_doc_no and locked.consent_date):
            raise CandidateError("请先登记上级党组织同意，再登记党员大会通过（规则 P2）")
        if day < locked.consent_date:
            raise CandidateError(
                "党员大会通过日期不能早于上级党组织同意日期",
                errors={"vote_date": "不能早于上级党组织同意日期"},
            )
        locked.congress_vote_date = day
        locked.save(update_fields=["congress_vote_date", "updated_at"])
        audit.record(
            actor,
            "candidates.party_exclusion.vote_recorded",
            locked,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": exclusion.member.name, "date": day.isoformat()},
        )
    return locked


def withdraw_exclusion(exclusion: PartyExclusion, *, actor: Any) -> None:
    election = exclusion.member.election
    with transaction.atomic():
        audit.record(
            actor,
            "candidates.party_exclusion.withdrawn",
            exclusion,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": exclusion.member.name, "category": exclusion.category},
        )
        PartyExclusion.objects.filter(pk=exclusion.pk).delete()


# -- 两推: the recommendation meetings (P6) ---------------------------------------------


def with_rights(election: CommunityElection) -> QuerySet[PartyMember]:
    """Members who may be recommended and stand (P1: voting and candidacy rights)."""
    return PartyMember.objects.filter(
        election=election,
        status=MembershipStatus.FULL,
        directly_managed=True,
        on_probation=False,
        detained=False,
        arrested=False,
    )


def save_meeting(
    election: CommunityElection,
    kind: str,
    *,
    held_on: dt.date | None,
    participants: int | None,
    actor: Any,
) -> RecommendationMeeting:
    """The 推荐 meeting of one kind: its date and how many took part."""
    if kind not in RecommendationKind.values:
        raise CandidateError("未知的推荐方式")
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "请填写推荐日期"
    elif held_on > timezone.localdate():
        errors["held_on"] = "推荐日期不能晚于今天"
    if participants is None or participants < 1:
        errors["participants"] = "请填写参加推荐人数（至少1人）"
    if errors:
        raise CandidateError("推荐会议信息有误", errors=errors)
    assert participants is not None and held_on is not None
    with transaction.atomic():
        meeting, _created = RecommendationMeeting.objects.select_for_update().get_or_create(
            election=election,
            kind=kind,
            defaults={"held_on": held_on, "participants": participants},
        )
        top = max(meeting.votes.values_list("votes", flat=True), default=0)
        if participants < top:
            raise CandidateError(
                f"已有党员得到 {top} 票，参加推荐人数不能少于此数",
                errors={"participants": f"不能少于已录入的最高票数 {top}"},
            )
        meeting.held_on, meeting.participants = held_on, participants
        meeting.entered_by = actor if getattr(actor, "is_authenticated", False) else None
        meeting.save()
        audit.record(
            actor,
            "candidates.recommendation_meeting.saved",
            meeting,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"kind": kind, "held_on": held_on.isoformat(), "participants": participants},
        )
    return meeting


def save_tally(
    meeting: RecommendationMeeting, post: str, votes: Mapping[int, int], *, actor: Any
) -> int:
    """The votes each member received for `post` at `meeting` (member pk → votes); the
    post's earlier tally is replaced. Each member must hold rights (P1); nobody gets
    more votes than there were participants. Returns the members with votes."""
    election = meeting.election
    if post not in (Post.PARTY_COMMITTEE, Post.SECRETARY, Post.DEPUTY_SECRETARY):
        raise CandidateError("未知的职位")
    errors: dict[str, str] = {}
    allowed = dict(with_rights(election).filter(pk__in=list(votes)).values_list("pk", "name"))
    for pk, count in votes.items():
        if count < 0:
            errors[f"m{pk}"] = "票数不能是负数"
        elif count > meeting.participants:
            errors[f"m{pk}"] = f"票数不能超过参加推荐人数 {meeting.participants}"
        elif count and pk not in allowed:
            errors[f"m{pk}"] = (
                "这名党员没有被推荐的资格（只有有选举权的正式党员可以被推荐，规则 P1）"
            )
    if errors:
        raise CandidateError("推荐票有误，没有保存", errors=errors)
    with transaction.atomic():
        RecommendationMeeting.objects.select_for_update().get(pk=meeting.pk)
        Recommendation.objects.filter(meeting=meeting, post=post).delete()
        rows = [
            Recommendation(meeting=meeting, member_id=pk, post=post, votes=count)
            for pk, count in votes.items()
            if count
        ]
        Recommendation.objects.bulk_create(rows)
        audit.record(
            actor,
            "candidates.recommendation.tally_saved",
            meeting,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={
                "kind": meeting.kind,
                "post": post,
                "votes": {allowed[r.member_id]: r.votes for r in rows},
            },
        )
    return len(rows)


@dataclass(frozen=True)
class RankedMember:
    member_id: int
    name: str
    id_masked: str
    members_votes: int
    masses_votes: int

    @property
    def total(self) -> int:
        return self.members_votes + self.masses_votes


def ranking(election: CommunityElection) -> dict[str, list[RankedMember]]:
    """Per post: everyone recommended, most votes first (党员推荐 + 群众推荐; ties by
    党员推荐, then name). One query."""
    rows = Recommendation.objects.filter(meeting__election=election).values(
        "post", "meeting__kind", "votes", "member_id", "member__name", "member__id_masked"
    )
    acc: dict[str, dict[int, dict[str, Any]]] = {}
    for row in rows:
        entry = acc.setdefault(row["post"], {}).setdefault(
            row["member_id"],
            {
                "name": row["member__name"],
                "masked": row["member__id_masked"],
                "members": 0,
                "masses": 0,
            },
        )
        entry[row["meeting__kind"]] += row["votes"]
    out: dict[str, list[RankedMember]] = {}
    for post in (Post.PARTY_COMMITTEE, Post.SECRETARY, Post.DEPUTY_SECRETARY):
        ranked = [
            RankedMember(pk, e["name"], e["masked"], e["members"], e["masses"])
            for pk, e in acc.get(post, {}).items()
        ]
        ranked.sort(key=lambda r: (-r.total, -r.members_votes, r.name))
        out[post] = ranked
    return out


# -- 初步人选, 考察, 预备人选 (P5, P6) ----------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """P5, G4: the 差额 of the party committee list."""

    seats: int | None
    minimum: int | None
    count: int
    pct: int

    @property
    def ok(self) -> bool:
        return self.minimum is not None and self.count >= self.minimum

    @property
    def message(self) -> str:
        if self.seats is None or self.minimum is None:
            return "党组织委员职数尚未确定，请街道先设定职数"
        if self.ok:
            return (
                f"委员职数 {self.seats} 名，差额不少于 {self.pct}%，至少 {self.minimum} 名；"
                f"现有 {self.count} 名，符合要求（规则 P5、G4）"
            )
        return (
            f"委员职数 {self.seats} 名，差额不少于 {self.pct}%，至少需要 {self.minimum} 名；"
            f"现有 {self.count} 名，还差 {self.minimum - self.count} 名（规则 P5、G4）"
        )


def difference(election: CommunityElection, statuses: Iterable[str] = _ACTIVE) -> Difference:
    """P5, G4: committee-post candidates in `statuses` against seats + ceil(20%)."""
    pct = params_of(election).party_diff_pct
    seats = seats_for(election, Track.PARTY).get(Post.PARTY_COMMITTEE)
    count = Candidate.objects.filter(
        election=election, track=Track.PARTY, post=Post.PARTY_COMMITTEE, status__in=list(statuses)
    ).count()
    minimum = min_party_candidates(seats, pct=pct, rounding="ceil") if seats else None
    return Difference(seats or None, minimum, count, pct)


def party_candidates(election: CommunityElection) -> QuerySet[Candidate]:
    return Candidate.objects.filter(election=election, track=Track.PARTY).select_related(
        "party_member"
    )


def _publicity(election: CommunityElection) -> PartyPublicity | None:
    return PartyPublicity.objects.filter(election=election).first()


def add_initial(
    election: CommunityElection, member: PartyMember, post: str, *, actor: Any
) -> Candidate:
    """街道党工委推荐: a member with rights (P1) becomes 初步人选 for a party post."""
    if post not in (Post.PARTY_COMMITTEE, Post.SECRETARY, Post.DEPUTY_SECRETARY):
        raise CandidateError("请选择职位", errors={"post": "请选择党组织的职位"})
    if member.election_id != election.pk:
        raise CandidateError("这名党员不在本社区党员台账中")
    if not with_rights(election).filter(pk=member.pk).exists():
        raise CandidateError(
            "只有有选举权和被选举权的正式党员才能列为初步人选（规则 P1）",
            errors={"member": "这名党员没有被选举权（预备党员、非直管或留党察看、留置、逮捕）"},
        )
    if _publicity(election) is not None:
        raise CandidateError("预备人选已经公示，不能再增加初步人选")
    with transaction.atomic():
        if Candidate.objects.filter(
            election=election,
            track=Track.PARTY,
            post=post,
            id_hash=member.id_hash,
            status__in=_ACTIVE,
        ).exists():
            raise CandidateError("这名党员已是该职位的人选")
        candidate = Candidate(
            election=election,
            track=Track.PARTY,
            post=post,
            status=CandidateStatus.INITIAL,
            source=CandidateSource.STREET,
            party_member=member,
            name=member.name,
            id_hash=member.id_hash,
            id_encrypted=member.id_encrypted,
            id_masked=member.id_masked,
            gender=member.gender,
            birth_date=member.birth_date,
            political_status=PoliticalStatus.MEMBER,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        try:
            with transaction.atomic():
                candidate.save()
        except IntegrityError:
            raise CandidateError("这名党员刚刚已被列为该职位的人选") from None
        audit.record(
            actor,
            "candidates.party_candidate.initial_added",
            candidate,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": candidate.name, "post": post},
        )
    return candidate


def withdraw_candidate(candidate: Candidate, *, reason: str, actor: Any) -> Candidate:
    reason = reason.strip()
    if not reason:
        raise CandidateError("请填写退出原因", errors={"reason": "请填写退出原因"})
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status not in (CandidateStatus.INITIAL, CandidateStatus.PRE_CANDIDATE):
            raise CandidateError(
                f"{locked.name}现为“{locked.get_status_display()}”，不能在这里退出"
            )
        if locked.status == CandidateStatus.PRE_CANDIDATE and _publicity(locked.election):
            raise CandidateError("预备人选已经公示，退出须在批复时处理")
        locked.status = CandidateStatus.WITHDRAWN
        locked.left_on = timezone.localdate()
        locked.left_reason = reason[:200]
        locked.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
        audit.record(
            actor,
            "candidates.party_candidate.withdrawn",
            locked,
            community_id=locked.election.community_id,
            street_id=locked.election.community.street_id,
            data={"name": locked.name, "reason": reason},
        )
    return locked


def record_inspection(
    candidate: Candidate, *, inspected_on: dt.date | None, summary: str, actor: Any
) -> Candidate:
    """考察 (the 区委组织部 with the 街道党工委): date and findings."""
    errors: dict[str, str] = {}
    if inspected_on is None:
        errors["inspected_on"] = "请填写考察日期"
    elif inspected_on > timezone.localdate():
        errors["inspected_on"] = "考察日期不能晚于今天"
    if not summary.strip():
        errors["inspection_summary"] = "请填写考察情况"
    if errors:
        raise CandidateError("考察记录不完整", errors=errors)
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if locked.status != CandidateStatus.INITIAL:
            raise CandidateError(
                f"{locked.name}现为“{locked.get_status_display()}”，不能修改考察记录"
            )
        locked.inspected_on = inspected_on
        locked.inspection_summary = summary.strip()[:4000]
        locked.save(update_fields=["inspected_on", "inspection_summary", "updated_at"])
        audit.record(
            actor,
            "candidates.party_candidate.inspected",
            locked,
            community_id=locked.election.community_id,
            street_id=locked.election.community.street_id,
            data={
                "name": locked.name,
                "inspected_on": inspected_on.isoformat() if inspected_on else "",
            },
        )
    return locked


def pre_candidate_refusal(candidate: Candidate, clearance_state: str, reason: str = "") -> str:
    """Why `candidate` may not become 预备人选 yet ("" when it may)."""
    if candidate.status != CandidateStatus.INITIAL:
        return (
            f"{candidate.name}现为“{candidate.get_status_display()}”，只有初步人选可以列为预备人选"
        )
    if not (candidate.inspected_on and candidate.inspection_summary):
        return f"{candidate.name}还没有组织考察记录：没有经过组织考察的，不能列为候选人"
    if clearance_state == "blocked":
        return f"{candidate.name}资格联审未通过{('（' + reason + '）') if reason else ''}，不能列为候选人"
    if clearance_state != "cleared":
        return f"{candidate.name}资格联审尚未完成：没有经过资格审查的，不能列为候选人"
    return ""


def make_pre_candidate(candidate: Candidate, *, actor: Any) -> Candidate:
    """社区党组织委员会 lists a vetted, inspected 初步人选 as 预备人选 (P6)."""
    election = candidate.election
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if _publicity(election) is not None:
            raise CandidateError("预备人选已经公示，不能再增加预备人选；未经公示的，不能列为候选人")
        clear = clearance_of([locked])[locked.pk]
        refusal = pre_candidate_refusal(locked, clear.state, clear.reason)
        if refusal:
            raise CandidateError(refusal)
        locked.status = CandidateStatus.PRE_CANDIDATE
        locked.save(update_fields=["status", "updated_at"])
        audit.record(
            actor,
            "candidates.party_candidate.pre_candidate",
            locked,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={"name": locked.name, "post": locked.post},
        )
    return locked


# -- 公示 and 批复 (P6, G3) ----------------------------------------------------------------


def publicity_start_default(election: CommunityElection) -> dt.date | None:
    """The schedule's `pre_candidate_publicity_start` milestone (done, else planned)."""
    milestone = election.milestones.filter(kind="pre_candidate_publicity_start").first()
    return milestone.effective_date if milestone else None


def publicity_end(election: CommunityElection, start: dt.date) -> dt.date:
    """G3 "自…之日起 N 日": the start day is not counted (P6: 5 days by the profile)."""
    return last_day_within(start, params_of(election).pre_candidate_publicity_days)


def open_publicity(
    election: CommunityElection, *, starts_on: dt.date | None, actor: Any
) -> PartyPublicity:
    """Publish the 预备人选 for the profile's days; the list needs the 20% 差额 (P5)."""
    start = starts_on or publicity_start_default(election)
    if start is None:
        raise CandidateError("请填写公示开始日期", errors={"starts_on": "请填写公示开始日期"})
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        if _publicity(election) is not None:
            raise CandidateError("预备人选已经公示过")
        pre = list(
            Candidate.objects.filter(
                election=election, track=Track.PARTY, status=CandidateStatus.PRE_CANDIDATE
            )
        )
        if not pre:
            raise CandidateError("还没有预备人选，不能公示")
        diff = difference(election, (CandidateStatus.PRE_CANDIDATE,))
        if not diff.ok:
            raise CandidateError(f"预备人选不足：{diff.message}")
        end = publicity_end(election, start)
        publicity = PartyPublicity.objects.create(
            election=election,
            starts_on=start,
            ends_on=end,
            published_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Candidate.objects.filter(pk__in=[c.pk for c in pre]).update(published_on=start)
        audit.record(
            actor,
            "candidates.party_publicity.opened",
            publicity,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={
                "starts_on": start.isoformat(),
                "ends_on": end.isoformat(),
                "names": [c.name for c in pre],
            },
        )
    return publicity


def record_approval(
    election: CommunityElection,
    *,
    doc_no: str,
    approval_date: dt.date | None,
    approved: Sequence[int],
    feedback: str = "",
    actor: Any,
) -> list[Candidate]:
    """The 街道党工委's 批复 of the 预备人选, after the 公示 window: the approved become
    正式候选人, the others leave the list. Refused before the window has ended, for
    anyone not publicised, not cleared, or when the approved committee list would fall
    short of the 差额 (P5)."""
    doc_no = doc_no.strip()
    errors: dict[str, str] = {}
    if not doc_no:
        errors["doc_no"] = "请填写批复文号"
    if approval_date is None:
        errors["approval_date"] = "请填写批复日期"
    elif approval_date > timezone.localdate():
        errors["approval_date"] = "批复日期不能晚于今天"
    if errors:
        raise CandidateError("批复信息不完整", errors=errors)
    assert approval_date is not None
    with transaction.atomic():
        publicity = PartyPublicity.objects.select_for_update().filter(election=election).first()
        if publicity is None:
            raise CandidateError("预备人选还没有公示：没有经过公示的，不能列为候选人")
        if publicity.approval_date is not None:
            raise CandidateError("批复已经登记过")
        if approval_date <= publicity.ends_on or timezone.localdate() <= publicity.ends_on:
            raise CandidateError(
                f"公示期到 {cn_date(publicity.ends_on)} 才结束，批复须在公示期满之后登记（规则 P6）",
                errors={"approval_date": f"须晚于公示结束日 {cn_date(publicity.ends_on)}"},
            )
        pre = list(
            Candidate.objects.select_for_update().filter(
                election=election, track=Track.PARTY, status=CandidateStatus.PRE_CANDIDATE
            )
        )
        by_pk = {c.pk: c for c in pre}
        chosen = [by_pk[pk] for pk in approved if pk in by_pk]
        if len(chosen) != len(set(approved)):
            raise CandidateError("批复名单中有人不是本次公示的预备人选")
        if not chosen:
            raise CandidateError("请勾选批复同意的预备人选")
        for c in chosen:
            if c.published_on != publicity.starts_on:
                raise CandidateError(f"{c.name}没有经过公示，不能列为候选人")
        clear = clearance_of(chosen)
        for c in chosen:
            if clear[c.pk].state != "cleared":
                raise CandidateError(f"{c.name}资格联审状态为“{clear[c.pk].label}”，不能列为候选人")
        params = params_of(election)
        seats = seats_for(election, Track.PARTY).get(Post.PARTY_COMMITTEE)
        committee = sum(1 for c in chosen if c.post == Post.PARTY_COMMITTEE)
        if seats:
            minimum = min_party_candidates(seats, pct=params.party_diff_pct, rounding="ceil")
            if committee < minimum:
                raise CandidateError(
                    f"批复同意的委员候选人 {committee} 名，少于差额要求的 {minimum} 名"
                    f"（职数 {seats} 名，差额 {params.party_diff_pct}%，规则 P5）"
                )
        today = timezone.localdate()
        for c in pre:
            if c in chosen:
                c.status = CandidateStatus.FORMAL
            else:
                c.status = CandidateStatus.WITHDRAWN
                c.left_on = today
                c.left_reason = "上级党组织批复未同意"
            c.save(update_fields=["status", "left_on", "left_reason", "updated_at"])
        publicity.approval_doc_no = doc_no[:100]
        publicity.approval_date = approval_date
        publicity.feedback = feedback.strip()[:4000]
        publicity.approved_by = actor if getattr(actor, "is_authenticated", False) else None
        publicity.save()
        audit.record(
            actor,
            "candidates.party_publicity.approved",
            publicity,
            community_id=election.community_id,
            street_id=election.community.street_id,
            data={
                "doc_no": doc_no,
                "date": approval_date.isoformat(),
                "approved": [c.name for c in chosen],
                "not_approved": [c.name for c in pre if c not in chosen],
            },
        )
    return chosen
