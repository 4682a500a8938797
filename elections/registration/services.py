"""Voter registration services (选民登记, RULES.md B3: R9–R14, G5, §9).

Every change to the roll goes through these functions — by hand, by import, by an
accepted objection or by 补登 on election day — so the same checks apply to all:
a valid ID number, 18 on election day (G5), one registration per street and cycle
(R11, a database constraint), the approval that categories (c) and (d) need (R10).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from electionlaw import latest_eligible_birth_date, needs_approval
from elections import audit
from elections.crypto import decrypt_text, encrypt_text, encryption_key, hash_key
from elections.formatting import cn_date
from elections.idnumbers import IdInfo, id_hash, mask_id_number
from elections.models import CommunityElection
from elections.registration import voter_checks as vc
from elections.registration.models import (
    Objection,
    Voter,
    VoterCategory,
    VoterSource,
    VoterStatus,
)


class VoterError(Exception):
    """A refusal with Chinese messages, per field where possible ({field: message})."""

    def __init__(self, message: str, *, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class StaleVoterError(VoterError):
    """The voter changed after the form was opened: nothing was saved."""

    def __init__(self) -> None:
        super().__init__(
            "您打开页面后，这位选民的信息已被其他人修改。本次提交没有保存，请核对最新内容后重新操作。"
        )


def _refuse_if_stale(voter: Voter, expected_version: str | None) -> None:
    """Optimistic concurrency: `expected_version` is `updated_at` as the form saw it."""
    if expected_version is not None and voter.updated_at.isoformat() != expected_version:
        raise StaleVoterError()


def hash_id(number: str) -> str:
    return id_hash(number, hash_key())


def reveal_id_number(voter: Voter) -> str:
    """The full ID number. Callers show it only where a role needs it (access.py)."""
    return decrypt_text(voter.id_encrypted, encryption_key())


@dataclass(frozen=True)
class VoterData:
    """What a person types (or a spreadsheet row holds) about one voter."""

    name: str
    id_number: str
    category: str
    gender: str = ""
    birth_date: dt.date | None = None
    ethnicity: str = ""
    group: str = ""
    address: str = ""
    phone: str = ""
    notes: str = ""
    approval_body: str = ""
    approval_date: dt.date | None = None
    rights_deprived: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# What each text field of VoterData is checked with (elections.registration.voter_checks).
_TEXT_CHECKS: dict[str, Callable[[str], str]] = {
    "name": vc.check_name,
    "group": vc.check_group,
    "address": vc.check_address,
    "phone": vc.check_phone,
    "notes": vc.check_notes,
}


def clean_voter_data(
    election: CommunityElection, data: VoterData, *, today: dt.date | None = None
) -> tuple[dict[str, str], VoterData, IdInfo | None]:
    """The field errors of `data` for this election, the cleaned data and the parsed ID.

    One check per field, the same as the import's (voter_checks), so a person reads the
    same message from a form and from a spreadsheet."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    info: IdInfo | None = None

    def run(name: str, check: Callable[[], Any]) -> None:
        try:
            cleaned[name] = check()
        except vc.FieldProblem as problem:
            errors[name] = problem.message

    for name, check in _TEXT_CHECKS.items():
        try:
            cleaned[name] = check(getattr(data, name))
        except vc.FieldProblem as problem:
            errors[name] = problem.message
    run("ethnicity", lambda: vc.check_ethnicity(data.ethnicity)[0])
    if data.category not in VoterCategory.values:
        errors["category"] = "请选择登记类别：户在人在、户在人不在、人在户不在或社区工作人员"
    try:
        info = vc.check_id_number(data.id_number, today=today)
    except vc.FieldProblem as problem:
        errors["id_number"] = problem.message
    if info is not None:
        run("gender", lambda: vc.check_gender(data.gender, info))
        run("birth_date", lambda: vc.check_birth_date(data.birth_date, info))
        run("id_number", lambda: vc.check_age(info, election.election_day))
    errors.update(vc.check_approval(data.approval_body, data.approval_date, today=today))
    cleaned.pop("id_number", None)
    return errors, replace(data, **cleaned), info


def check_voter_data(
    election: CommunityElection, data: VoterData, *, today: dt.date | None = None
) -> tuple[dict[str, str], Any]:
    """The field errors of `data` for this election, and the parsed ID number."""
    errors, _cleaned, info = clean_voter_data(election, data, today=today)
    return errors, info


def status_for(
    election: CommunityElection, category: str, approval_body: str, removed: bool = False
) -> str:
    """R10: registered, or waiting for the approval the election's rule profile requires."""
    if removed:
        return VoterStatus.REMOVED
    params = election.cycle.rule_profile.params()
    if needs_approval(category, params) and not approval_body:
        return VoterStatus.PENDING_APPROVAL
    return VoterStatus.REGISTERED


def registered_elsewhere(
    election: CommunityElection, hashes: Iterable[str], *, exclude_pk: int | None = None
) -> dict[str, Voter]:
    """Active registrations of these ID hashes anywhere in the cycle (R11), by hash."""
    qs = (
        Voter.objects.filter(cycle_id=election.cycle_id, id_hash__in=list(hashes))
        .exclude(status=VoterStatus.REMOVED)
        .select_related("election__community")
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return {v.id_hash: v for v in qs}


# R11: warn when the same person is registered in another street's election held
# within a year of this one (a street cannot see the other's roll, only the match).
CROSS_STREET_WINDOW_DAYS = 365


def other_street_registrations(
    election: CommunityElection, hashes: Iterable[str]
) -> dict[str, str]:
    """ID hash → "street community (code)" of active registrations in other streets' cycles."""
    from elections.models import ElectionCycle

    window = dt.timedelta(days=CROSS_STREET_WINDOW_DAYS)
    others = list(
        ElectionCycle.objects.exclude(street_id=election.cycle.street_id)
        .filter(
            election_day__range=(election.election_day - window, election.election_day + window)
        )
        .values_list("pk", flat=True)
    )
    digests = list(hashes)
    if not others or not digests:
        return {}
    found: dict[str, str] = {}
    for start in range(0, len(digests), 5000):
        rows = (
            Voter.objects.filter(cycle_id__in=others, id_hash__in=digests[start : start + 5000])
            .exclude(status=VoterStatus.REMOVED)
            .values_list(
                "id_hash",
                "cycle__street__name",
                "election__community__name",
                "election__community__code",
            )
        )
        for digest, street, community, code in rows:
            found[digest] = f"{street}{community}（{code}）"
    return found


def cross_street_warning(place: str) -> str:
    return f"此人已在{place}登记（另一街道），请核实，避免重复登记（规则 R11）"


def _other_registration_message(other: Voter, election: CommunityElection) -> str:
    community = other.election.community
    if other.election_id == election.pk:
        return f"此人已在本社区登记（{other.name}），请勿重复登记"
    return f"已在{community.name}（{community.code}）登记，同一届选举只能登记一处（规则 R11）"


def register_voter(
    election: CommunityElection,
    data: VoterData,
    *,
    actor: Any,
    source: str = VoterSource.MANUAL,
    source_objection: Objection | None = None,
    today: dt.date | None = None,
) -> Voter:
    """Put one person on the community's roll, with every registration check."""
    today = today or timezone.localdate()
    if source == VoterSource.ELECTION_DAY and today != election.election_day:
        # R9, 新河 plan: 补登 happens at the polling place on election day.
        raise VoterError(
            f"选举日补登只能在选举日（{cn_date(election.election_day)}）办理",
            errors={"__all__": "不是选举日"},
        )
    errors, data, info = clean_voter_data(election, data, today=today)
    if errors:
        raise VoterError("请改正标出的内容后再保存", errors=errors)
    assert info is not None
    digest = hash_id(info.number)
    with transaction.atomic():
        existing = registered_elsewhere(election, [digest]).get(digest)
        if existing is not None:
            message = _other_registration_message(existing, election)
            raise VoterError(message, errors={"id_number": message})
        voter = Voter(
            election=election,
            cycle_id=election.cycle_id,
            name=data.name,
            id_hash=digest,
            id_encrypted=encrypt_text(info.number, encryption_key()),
            id_masked=mask_id_number(info.number),
            gender=info.gender,
            birth_date=info.birth_date,
            ethnicity=data.ethnicity,
            group=data.group,
            address=data.address,
            phone=data.phone,
            category=data.category,
            approval_body=data.approval_body,
            approval_date=data.approval_date,
            rights_deprived=data.rights_deprived,
            status=status_for(election, data.category, data.approval_body),
            source=source,
            source_objection=source_objection,
            notes=data.notes,
        )
        try:
            with transaction.atomic():
                voter.save()
        except IntegrityError:
            # A concurrent registration of the same person won the race (R11 constraint).
            other = registered_elsewhere(election, [digest]).get(digest)
            message = (
                _other_registration_message(other, election)
                if other
                else "此人已登记，同一届选举只能登记一处（规则 R11）"
            )
            raise VoterError(message, errors={"id_number": message}) from None
        elsewhere = other_street_registrations(election, [digest])
        voter.warnings = [cross_street_warning(p) for p in elsewhere.values()]  # type: ignore[attr-defined]
        audit.record(
            actor,
            "elections.voter.registered",
            voter,
            community_id=election.community_id,
            data={
                "name": voter.name,
                "id_number": info.number,
                "category": voter.category,
                "status": voter.status,
                "source": source,
            },
        )
    return voter


EDITABLE_FIELDS = (
    "name",
    "ethnicity",
    "group",
    "address",
    "phone",
    "category",
    "approval_body",
    "approval_date",
    "rights_deprived",
    "notes",
)


def update_voter(
    voter: Voter,
    changes: Mapping[str, Any],
    *,
    actor: Any,
    reason: str = "",
    source_objection: Objection | None = None,
    expected_version: str | None = None,
) -> Voter:
    """Correct a voter's entry (not the ID number: a wrong number is a removal and a new entry)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise VoterError(f"不能修改这些内容：{'、'.join(sorted(unknown))}")
    with transaction.atomic():
        locked = (
            Voter.objects.select_for_update(of=("self",))
            .select_related("election__cycle__rule_profile")
            .get(pk=voter.pk)
        )
        _refuse_if_stale(locked, expected_version)
        if locked.status == VoterStatus.REMOVED:
            raise VoterError("这位选民已被移除，不能修改")
        before = {name: getattr(locked, name) for name in changes}
        for name, value in _checked_changes(locked, changes).items():
            setattr(locked, name, value)
        locked.status = status_for(locked.election, locked.category, locked.approval_body)
        locked.save()
        diff = {
            name: [_plain(before[name]), _plain(getattr(locked, name))]
            for name in changes
            if before[name] != getattr(locked, name)
        }
        if diff:
            audit.record(
                actor,
                "elections.voter.updated",
                locked,
                community_id=locked.election.community_id,
                data={
                    "name": locked.name,
                    "changes": diff,
                    "reason": reason,
                    "objection": source_objection.pk if source_objection else None,
                },
            )
    return locked


def _checked_changes(voter: Voter, changes: Mapping[str, Any]) -> dict[str, Any]:
    """`changes` through the same field checks as a registration (voter_checks)."""
    errors: dict[str, str] = {}
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        check = _TEXT_CHECKS.get(name)
        try:
            if check is not None:
                checked[name] = check(value or "")
            elif name == "ethnicity":
                checked[name] = vc.check_ethnicity(value or "")[0]
            else:
                checked[name] = value.strip() if isinstance(value, str) else value
        except vc.FieldProblem as problem:
            errors[name] = problem.message
    if "category" in checked and checked["category"] not in VoterCategory.values:
        errors["category"] = "请选择登记类别：户在人在、户在人不在、人在户不在或社区工作人员"
    body = checked.get("approval_body", voter.approval_body)
    day = checked.get("approval_date", voter.approval_date)
    if "approval_body" in checked or "approval_date" in checked:
        errors.update(vc.check_approval(body, day, today=timezone.localdate()))
    if errors:
        raise VoterError("请改正标出的内容后再保存", errors=errors)
    return checked


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def remove_voter(
    voter: Voter,
    *,
    actor: Any,
    reason: str,
    source_objection: Objection | None = None,
    expected_version: str | None = None,
) -> Voter:
    """Take someone off the roll (died, moved, registered by mistake, objection upheld)."""
    reason = reason.strip()
    if not reason:
        raise VoterError("请填写移除理由", errors={"reason": "请填写移除理由"})
    with transaction.atomic():
        locked = Voter.objects.select_for_update().get(pk=voter.pk)
        _refuse_if_stale(locked, expected_version)
        if locked.status == VoterStatus.REMOVED:
            raise VoterError("这位选民已被移除")
        locked.status = VoterStatus.REMOVED
        locked.removed_reason = reason
        locked.save(update_fields=["status", "removed_reason", "updated_at"])
        audit.record(
            actor,
            "elections.voter.removed",
            locked,
            community_id=locked.election.community_id,
            data={
                "name": locked.name,
                "reason": reason,
                "objection": source_objection.pk if source_objection else None,
            },
        )
    return locked


# -- queries -------------------------------------------------------------------------


def eligible_voters(election: CommunityElection) -> QuerySet[Voter]:
    """Registered voters who are 18 on the (possibly postponed) election day (G5, R9)."""
    cutoff = latest_eligible_birth_date(election.election_day)
    return Voter.objects.filter(
        election=election,
        status=VoterStatus.REGISTERED,
        rights_deprived=False,
        birth_date__lte=cutoff,
    )


def search_filter(query: str) -> Q:
    """Search by name, by a full ID number (exact, through the hash), by its last digits or
    by a phone number (or 7 or more of its digits)."""
    text = query.strip()
    if not text:
        return Q()
    compact = text.replace(" ", "").upper()
    if "*" in compact:
        return Q(id_masked=compact)
    if len(compact) == 18 and compact[:17].isdigit():
        return Q(id_hash=hash_id(compact))
    if (
        3 <= len(compact) <= 4
        and compact[:-1].isdigit()
        and (compact[-1].isdigit() or compact[-1] == "X")
    ):
        return Q(id_masked__endswith=compact[-3:])
    digits = compact.replace("-", "")
    if PHONE_SEARCH_MIN_DIGITS <= len(digits) <= 12 and digits.isdigit():
        # A phone number, or part of one; a landline is stored as 0731-12345678.
        found = Q(phone__contains=digits)
        for cut in (3, 4):
            if len(digits) > cut and digits[0] == "0":
                found |= Q(phone__contains=f"{digits[:cut]}-{digits[cut:]}")
        return found
    return Q(name__icontains=text)


#: A search of this many digits or more is a phone number (or part of one).
PHONE_SEARCH_MIN_DIGITS = 7
_DIGIT_RUN = re.compile(r"\d{" + str(PHONE_SEARCH_MIN_DIGITS) + ",}")


def is_number_search(text: str) -> bool:
    """Whether a search text holds a phone or ID number (a run of 7 or more digits):
    such a search never travels in a URL (it would land in logs and history)."""
    compact = text.replace(" ", "").replace("-", "")
    return _DIGIT_RUN.search(compact) is not None


def correction_notice_warning(election: CommunityElection) -> str:
    """After the voter list was posted (R12), every change to the roll must be posted as
    a correction (更正/补正名单, RULES.md §9): the warning a page shows, or ""."""
    posted = (
        election.milestones.filter(kind="voter_list_published", done_on__isnull=False)
        .values_list("done_on", flat=True)
        .first()
    )
    if posted is None:
        return ""
    return (
        f"选民名单已于{cn_date(posted)}张榜公布：这次对名单的改动需要另行张榜公布更正（补正）名单，"
        "并重新计算申诉期限。"
    )
