"""The party track of election day (issue 11 item 6): the 党员大会 and its quorum (P2,
P3), the party rounds of the committee's 委员 with their double-entry tally sheet (P4,
P8–P13), a seat reduction (P13), the 书记 / 副书记 and their approval (P14), the
选举结果报告, and `party_blockers` for the certification.

Every threshold is `electionlaw`'s; every change locks the election row, calls the
certification lock and is audited in the same transaction. Party rounds never use
proxies (P4): the sheet has no proxy line and issued ballots may not exceed 实到会.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

import electionlaw
from ballots import checks, double_entry
from ballots.models import (
    AssemblyStatus,
    LeadershipMode,
    PartyAssembly,
    PartyEntry,
    PartyLeadership,
    PartyRound,
    PartyRoundCandidate,
    PartyRoundKind,
    PartyRoundStatus,
    PartySeatReduction,
    PartySheetStatus,
)
from ballots.services import BallotsError, _scope, params_of
from candidates.models import Candidate, CandidateStatus, Seat
from candidates.models.choices import Post, Track
from candidates.ordering import stroke_key
from candidates.services import party as roll
from elections import audit
from elections.models import CommunityElection

PARTY_AUDIT_LABELS = {
    "ballots.party.assembly_recorded": "登记党员大会到会情况",
    "ballots.party.decision_recorded": "登记组织部对恰好五分之四到会的决定",
    "ballots.party.round_opened": "开始党内选举轮次",
    "ballots.party.entry_saved": "录入党内计票单",
    "ballots.party.entry_kept": "党内计票单两次录入不一致，保留其中一次",
    "ballots.party.entry_sent_back": "党内计票单两次录入不一致，退回重新录入",
    "ballots.party.sheet_confirmed": "确认党内计票单",
    "ballots.party.round_closed": "宣布党内选举轮次结果",
    "ballots.party.seats_reduced": "经同意减少党组织委员名额",
    "ballots.party.leadership_recorded": "登记书记、副书记选举结果和上级批准",
}

NEXT_STEPS = {
    "revote": "得票相等争最后名额，对得票相等的人再次投票（P12）",
    "shortfall": "有名额没有选出：另行选举（赞成票仍须超过实到会人数的一半），"
    "或经半数以上选举人同意减少名额（P13）",
    "rerun": "收回选票多于发出选票或实到会人数，本轮选举无效，重新选举（P10）",
    "done": "委员选举完成，下一步：新一届委员会第一次会议选举书记、副书记（P14）",
}


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _lock(election: CommunityElection) -> CommunityElection:
    """The election row, locked, then the certification lock (a certified result is
    final until the certification is revoked)."""
    from ballots.lock import assert_open

    locked = (
        CommunityElection.objects.select_for_update(of=("self",))
        .select_related("community__street", "cycle__rule_profile")
        .get(pk=election.pk)
    )
    assert_open(locked)
    return locked


def _today() -> dt.date:
    return timezone.localdate()


# -- the party's work: candidates and seats ------------------------------------------


def formal_candidates(election: CommunityElection) -> list[Candidate]:
    """The formal party committee candidates in 姓氏笔画 order (P7)."""
    people = Candidate.objects.filter(
        election=election,
        track=Track.PARTY,
        post=Post.PARTY_COMMITTEE,
        status=CandidateStatus.FORMAL,
    )
    return sorted(people, key=lambda c: (stroke_key(c.name), c.pk))  # P7


def has_party_work(election: CommunityElection) -> bool:
    return Candidate.objects.filter(election=election, track=Track.PARTY).exists()


def committee_seats(election: CommunityElection) -> int | None:
    seat = Seat.objects.filter(
        election=election, track=Track.PARTY, post=Post.PARTY_COMMITTEE
    ).first()
    return seat.seats if seat is not None and seat.seats else None


# -- the 党员大会 (P2, P3) -----------------------------------------------------------------


def current_assembly(election: CommunityElection) -> PartyAssembly | None:
    """The assembly that stands: with quorum, or waiting for the 组织部's decision."""
    return (
        PartyAssembly.objects.filter(
            election=election, status__in=(AssemblyStatus.QUORUM, AssemblyStatus.PENDING)
        )
        .order_by("-number")
        .first()
    )


def record_assembly(
    election: CommunityElection, *, held_on: dt.date | None, present: int | None, actor: Any
) -> PartyAssembly:
    """Record a convening of the 党员大会: 应到会 from the roll on the day (P1, P2: only
    exclusions with both approvals are left out), 实到会 as typed, and the quorum (P3).
    No quorum: 流会, no ballot is issued; a new assembly can be convened later."""
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "请填写会议日期"
    elif held_on > _today():
        errors["held_on"] = "会议日期不能晚于今天（会议召开后再登记到会人数）"
    if present is None:
        errors["present"] = "请填写实到会有选举权的党员人数（整数）"
    if errors:
        raise BallotsError("没有保存，请改正标红的内容", errors)
    assert held_on is not None and present is not None
    with transaction.atomic():
        election = _lock(election)
        standing = current_assembly(election)
        if standing is not None:
            raise BallotsError(
                f"{standing}已经登记（{standing.get_status_display()}），不能再登记新的党员大会"
            )
        numbers = roll.breakdown(election).numbers  # P1, P2 via electionlaw.party_expected_members
        expected = numbers.expected
        if expected == 0:
            raise BallotsError("党员台账上没有应到会有选举权的党员，请先导入党员台账")
        if present > expected:
            raise BallotsError(
                "没有保存",
                {"present": f"实到会人数不能多于应到会有选举权人数 {expected} 人"},
            )
        inclusive = params_of(election).party_quorum_inclusive
        met = electionlaw.party_quorum_met(expected, present, inclusive=inclusive)  # P3
        # P3: exactly four fifths is where the two readings part (met only inclusively).
        exact = electionlaw.party_quorum_met(
            expected, present, inclusive=True
        ) and not electionlaw.party_quorum_met(expected, present, inclusive=False)  # P3
        if exact and not inclusive:
            status = AssemblyStatus.PENDING
        elif met:
            status = AssemblyStatus.QUORUM
        else:
            status = AssemblyStatus.FAILED
        last = PartyAssembly.objects.filter(election=election).aggregate(m=Max("number"))["m"]
        assembly = PartyAssembly.objects.create(
            election=election,
            number=(last or 0) + 1,
            held_on=held_on,
            on_roll=numbers.on_roll,
            voting_members=numbers.voting,
            excluded=numbers.excluded,
            expected=expected,
            present=present,
            quorum_inclusive=inclusive,
            exactly_four_fifths=exact,
            status=status,
            recorded_by=_actor(actor),
        )
        audit.record(
            actor,
            "ballots.party.assembly_recorded",
            assembly,
            **_scope(election),
            data={
                "会议": str(assembly),
                "有选举权": numbers.voting,
                "经批准不计入": numbers.excluded,
                "应到会": expected,
                "实到会": present,
                "恰好五分之四": exact,
                "结果": assembly.get_status_display(),
            },
        )
    return assembly


def record_org_decision(
    assembly: PartyAssembly,
    *,
    decided_by: str,
    doc_no: str,
    allowed: bool | None,
    note: str = "",
    actor: Any,
) -> PartyAssembly:
    """P3: exactly four fifths under the non-inclusive profile — the 组织部's decision
    (who, document number, allowed or not) is recorded; allowed: the election goes on
    (still flagged in the record); not allowed: 流会."""
    decided_by, doc_no, note = decided_by.strip(), doc_no.strip(), note.strip()
    errors: dict[str, str] = {}
    if not decided_by:
        errors["decided_by"] = "请填写作出决定的组织部及经办人"
    if not doc_no:
        errors["doc_no"] = "请填写决定的文号"
    if allowed is None:
        errors["allowed"] = "请选择同意或不同意选举进行"
    if errors:
        raise BallotsError("没有保存，请改正标红的内容", errors)
    with transaction.atomic():
        election = _lock(assembly.election)
        locked = PartyAssembly.objects.select_for_update().get(pk=assembly.pk)
        if locked.status != AssemblyStatus.PENDING:
            raise BallotsError("这次党员大会不需要组织部决定")
        locked.decision_by = decided_by[:100]
        locked.decision_doc_no = doc_no[:100]
        locked.decision_allowed = allowed
        locked.decision_note = note[:2000]
        locked.decision_recorded_by = _actor(actor)
        locked.decision_recorded_at = timezone.now()
        locked.status = AssemblyStatus.QUORUM if allowed else AssemblyStatus.FAILED
        locked.save()
        audit.record(
            actor,
            "ballots.party.decision_recorded",
            locked,
            **_scope(election),
            data={
                "会议": str(locked),
                "决定人": locked.decision_by,
                "文号": locked.decision_doc_no,
                "同意选举进行": bool(allowed),
                "说明": locked.decision_note,
            },
        )
    return locked


def _assembly_with_quorum(election: CommunityElection) -> PartyAssembly:
    assembly = current_assembly(election)
    if assembly is None:
        raise BallotsError("党员大会还没有达到法定到会人数，不能发放选票（P3）")
    if assembly.status == AssemblyStatus.PENDING:
        raise BallotsError("党员大会恰好五分之四到会，组织部决定之前不能发放选票（P3）")
    return assembly


# -- rounds ---------------------------------------------------------------------------------


def _create_round(
    election: CommunityElection,
    *,
    assembly: PartyAssembly,
    kind: str,
    seats: int,
    people: Sequence[tuple[Candidate | None, str, int | None]],
    parent: PartyRound | None,
    actor: Any,
) -> PartyRound:
    last = PartyRound.objects.filter(election=election).aggregate(m=Max("number"))["m"]
    r = PartyRound.objects.create(
        election=election,
        assembly=assembly,
        kind=kind,
        number=(last or 0) + 1,
        seats=seats,
        parent=parent,
        created_by=_actor(actor),
    )
    PartyRoundCandidate.objects.bulk_create(
        PartyRoundCandidate(round=r, candidate=c, name=name, order=i, earlier_votes=earlier)
        for i, (c, name, earlier) in enumerate(people, start=1)
    )
    audit.record(
        actor,
        "ballots.party.round_opened",
        r,
        **_scope(election),
        data={
            "轮次": r.label,
            "应选": seats,
            "实到会": assembly.present,
            "候选人": [name for _c, name, _e in people],
            **({"前一轮": f"第{parent.number}轮"} if parent else {}),
        },
    )
    return r


def open_formal_round(election: CommunityElection, *, actor: Any) -> PartyRound:
    """The formal election of the committee's 委员 at the 党员大会 with quorum (P3):
    the party seats and the formal party candidates in 姓氏笔画 order (P7)."""
    with transaction.atomic():
        election = _lock(election)
        assembly = _assembly_with_quorum(election)
        if PartyRound.objects.filter(election=election, kind=PartyRoundKind.FORMAL).exists():
            raise BallotsError("党组织委员会委员的正式选举已经开始过了")
        seats = committee_seats(election)
        if seats is None:
            raise BallotsError("党组织委员会委员还没有确定应选名额")
        people = formal_candidates(election)
        if not people:
            raise BallotsError("还没有经上级党组织批复的正式候选人")
        return _create_round(
            election,
            assembly=assembly,
            kind=PartyRoundKind.FORMAL,
            seats=seats,
            people=[(c, c.name, None) for c in people],
            parent=None,
            actor=actor,
        )


def _tip(election: CommunityElection) -> PartyRound | None:
    return PartyRound.objects.filter(election=election).order_by("-number").first()


def _closed_tip(parent: PartyRound, wanted: str) -> PartyRound:
    locked = PartyRound.objects.select_for_update().get(pk=parent.pk)
    if locked.status != PartyRoundStatus.CLOSED:
        raise BallotsError("上一轮还没有宣布结果")
    if locked.followers.exists():
        raise BallotsError("上一轮之后已经开始了下一轮")
    if hasattr(locked, "reduction"):
        raise BallotsError("上一轮的缺额已经决定减少名额，不再选举")
    if locked.result.get("next") != wanted:
        raise BallotsError(
            {
                "revote": "上一轮没有得票相等、需要再次投票的情况",
                "shortfall": "上一轮没有缺额，不需要另行选举",
                "rerun": "上一轮有效，不需要重新选举",
            }[wanted]
        )
    return locked


def _people(
    parent: PartyRound, keys: Sequence[str], labels: Mapping[str, str], votes: Mapping[str, int]
) -> list[tuple[Candidate | None, str, int | None]]:
    listed = {f"c{rc.pk}": rc for rc in parent.candidates.select_related("candidate")}
    out: list[tuple[Candidate | None, str, int | None]] = []
    for key in keys:
        rc = listed.get(key)
        out.append(
            (rc.candidate, rc.name, votes.get(key))
            if rc is not None
            else (None, labels[key], votes.get(key))
        )
    return out


def open_revote(parent: PartyRound, *, actor: Any) -> PartyRound:
    """P12: a tie straddling the last seat → re-vote among the tied only."""
    with transaction.atomic():
        election = _lock(parent.election)
        assembly = _assembly_with_quorum(election)
        parent = _closed_tip(parent, "revote")
        result = parent.result
        votes = {k: int(v) for k, v in result["votes"].items()}
        order = {f"c{rc.pk}": rc.order for rc in parent.candidates.all()}
        tied = sorted(result["tied"], key=lambda k: (order.get(k, 10_000), result["labels"][k]))
        return _create_round(
            election,
            assembly=assembly,
            kind=PartyRoundKind.REVOTE,
            seats=result["contested"],
            people=_people(parent, tied, result["labels"], votes),
            parent=parent,
            actor=actor,
        )


def open_runoff(parent: PartyRound, *, actor: Any) -> PartyRound:
    """P13 另行选举 of the unfilled seats, with the same > half of 实到会 threshold.
    The pool ([U] in RULES.md) is the not-elected with votes, most first, at least
    one more than the shortfall (`electionlaw.runoff_candidates`)."""
    with transaction.atomic():
        election = _lock(parent.election)
        assembly = _assembly_with_quorum(election)
        parent = _closed_tip(parent, "shortfall")
        result = parent.result
        votes = {k: int(v) for k, v in result["votes"].items()}
        keys = electionlaw.runoff_candidates(  # P13 (pool [U])
            votes, elected=result["elected"], shortfall=result["shortfall"]
        )
        if len(keys) < result["shortfall"]:
            raise BallotsError("上一轮得票的未当选人少于缺额，请按规定重新提名或减少名额")
        return _create_round(
            election,
            assembly=assembly,
            kind=PartyRoundKind.RUNOFF,
            seats=result["shortfall"],
            people=_people(parent, keys, result["labels"], votes),
            parent=parent,
            actor=actor,
        )


def open_rerun(parent: PartyRound, *, actor: Any) -> PartyRound:
    """P10: a round with more ballots returned than issued (or than 实到会) is void
    and re-run at once: the same seats and candidates."""
    with transaction.atomic():
        election = _lock(parent.election)
        assembly = _assembly_with_quorum(election)
        parent = _closed_tip(parent, "rerun")
        people = [(rc.candidate, rc.name, None) for rc in parent.candidates.all()]
        return _create_round(
            election,
            assembly=assembly,
            kind=PartyRoundKind.RERUN,
            seats=parent.seats,
            people=people,
            parent=parent,
            actor=actor,
        )


def reduce_seats(
    parent: PartyRound, *, consenting: int | None, note: str, actor: Any
) -> PartySeatReduction:
    """P13: "经半数以上选举人同意…也可以减少名额，不再进行选举" — refused (nothing
    saved) without enough consent (`electionlaw.party_seat_reduction_approved`)."""
    if consenting is None:
        raise BallotsError("没有保存", {"consenting": "请填写同意减少名额的人数（整数）"})
    with transaction.atomic():
        election = _lock(parent.election)
        parent = _closed_tip(parent, "shortfall")
        present = parent.assembly.present
        if consenting > present:
            raise BallotsError(
                "没有保存", {"consenting": f"同意人数不能多于实到会人数 {present} 人"}
            )
        if not electionlaw.party_seat_reduction_approved(present, consenting):  # P13
            raise BallotsError(
                "同意减少名额的人数不足实到会有选举权人数的半数，不能减少名额（P13）；请另行选举",
                {"consenting": f"实到会 {present} 人，同意 {consenting} 人，未达到半数"},
            )
        reduction = PartySeatReduction.objects.create(
            round=parent,
            seats_dropped=parent.result["shortfall"],
            present=present,
            consenting=consenting,
            note=note.strip()[:2000],
            recorded_by=_actor(actor),
        )
        audit.record(
            actor,
            "ballots.party.seats_reduced",
            reduction,
            **_scope(election),
            data={
                "轮次": parent.label,
                "减少名额": reduction.seats_dropped,
                "实到会": present,
                "同意": consenting,
                "说明": reduction.note,
            },
        )
    return reduction


# -- the tally sheet: two entries, the chair's comparison, confirmation ------------------


def candidate_keys(r: PartyRound) -> list[tuple[str, str]]:
    return [(f"c{rc.pk}", rc.name) for rc in r.candidates.all()]


def allows_write_ins(r: PartyRound) -> bool:
    """P8 write-ins on the formal ballot and the 另行选举; a re-vote is among the tied only."""
    return r.kind != PartyRoundKind.REVOTE


def parse_numbers(data: Mapping[str, Any], r: PartyRound) -> tuple[dict[str, Any], dict[str, str]]:
    """A form's numbers: blank stays None (PE01 reports it), anything but a whole
    number of 0 or more is a field error."""
    errors: dict[str, str] = {}

    def number(field: str, label: str) -> int | None:
        raw = str(data.get(field, "") or "").strip()
        if raw == "":
            return None
        if not raw.isdigit() or not raw.isascii():
            errors[field] = f"{label}请填写0或正整数"
            return None
        value = int(raw)
        if value > 100_000:
            errors[field] = f"{label}太大，请核对"
            return None
        return value

    numbers: dict[str, Any] = {f: number(f, label) for f, label in checks.PARTY_NUMBER_FIELDS}
    numbers["votes"] = {
        key: number(f"votes-{key}", f"{name}的赞成票") for key, name in candidate_keys(r)
    }
    write_ins: list[list[Any]] = []
    if allows_write_ins(r):
        for i in range(r.seats + 5):
            name = str(data.get(f"writein-{i}-name", "") or "").strip()[:50]
            value = number(f"writein-{i}", f"第{i + 1}行另选人的赞成票")
            if name or value:
                write_ins.append([name, value])
    numbers["write_ins"] = write_ins
    return numbers, errors


def findings(r: PartyRound, numbers: Mapping[str, Any]) -> list[checks.Finding]:
    return checks.check_party_sheet(
        numbers, seats=r.seats, present=r.assembly.present, candidates=candidate_keys(r)
    )


def _lock_round(r: PartyRound) -> tuple[CommunityElection, PartyRound]:
    election = _lock(r.election)
    locked = PartyRound.objects.select_for_update().select_related("assembly").get(pk=r.pk)
    if locked.status != PartyRoundStatus.OPEN:
        raise BallotsError("本轮已经宣布结果，计票单不能再改")
    return election, locked


def active_entries(r: PartyRound) -> dict[int, PartyEntry]:
    return {e.slot: e for e in r.entries.filter(discarded=False).select_related("entered_by")}


def enter(r: PartyRound, numbers: Mapping[str, Any], *, actor: Any) -> PartyEntry:
    """One entry of the round's sheet: entry 1, or entry 2 by another user; with both
    in, the sheet is matched or different (entries are blind to each other)."""
    with transaction.atomic():
        election, r = _lock_round(r)
        if r.sheet_status != PartySheetStatus.ENTERING:
            raise BallotsError("这张计票单已经录入两次了")
        entries = active_entries(r)
        slot = double_entry.next_slot(entries, actor)
        try:
            with transaction.atomic():
                entry = PartyEntry.objects.create(
                    round=r, slot=slot, numbers=dict(numbers), entered_by=actor
                )
        except IntegrityError as exc:  # pragma: no cover - the row lock prevents it
            raise BallotsError("这张计票单刚被别人录入，请刷新页面") from exc
        entries[slot] = entry
        both = double_entry.compared(entries)
        if both is not None:
            same, chosen = both
            r.sheet_status = PartySheetStatus.MATCHED if same else PartySheetStatus.DIFFERENT
            r.chosen = chosen
        r.version += 1
        r.save(update_fields=["sheet_status", "chosen", "version"])
        audit.record(
            actor,
            "ballots.party.entry_saved",
            entry,
            **_scope(election),
            data={
                "计票单": r.label,
                "第几次": slot,
                **({"结果": r.get_sheet_status_display()} if len(entries) == 2 else {}),
            },
        )
    return entry


def keep_entry(r: PartyRound, slot: int, *, actor: Any, version: int | None = None) -> None:
    with transaction.atomic():
        election, r = _lock_round(r)
        double_entry.check_version(r.version, version)
        if r.sheet_status != PartySheetStatus.DIFFERENT:
            raise BallotsError("这张计票单没有需要处理的差异")
        kept = double_entry.keep(active_entries(r), slot, actor=actor, reason=f"保留第{slot}次录入")
        r.sheet_status, r.chosen = PartySheetStatus.MATCHED, kept
        r.version += 1
        r.save(update_fields=["sheet_status", "chosen", "version"])
        audit.record(
            actor,
            "ballots.party.entry_kept",
            r,
            **_scope(election),
            data={"计票单": r.label, "保留": f"第{slot}次录入"},
        )


def send_back(
    r: PartyRound, slot: int, *, reason: str, actor: Any, version: int | None = None
) -> None:
    reason = reason.strip() or "两次录入不一致，退回重新录入"
    with transaction.atomic():
        election, r = _lock_round(r)
        double_entry.check_version(r.version, version)
        if r.sheet_status not in (PartySheetStatus.DIFFERENT, PartySheetStatus.MATCHED):
            raise BallotsError("这张计票单现在不能退回")
        double_entry.send_back(active_entries(r), slot, actor=actor, reason=reason)
        r.sheet_status, r.chosen = PartySheetStatus.ENTERING, None
        r.version += 1
        r.save(update_fields=["sheet_status", "chosen", "version"])
        audit.record(
            actor,
            "ballots.party.entry_sent_back",
            r,
            **_scope(election),
            data={"计票单": r.label, "退回": f"第{slot}次录入", "理由": reason},
        )


def confirm(
    r: PartyRound, *, explanations: Mapping[str, str], actor: Any, version: int | None = None
) -> PartyRound:
    """Confirm a matched sheet: no error, every warning explained."""
    with transaction.atomic():
        election, r = _lock_round(r)
        if r.sheet_status == PartySheetStatus.CONFIRMED:
            raise BallotsError("这张计票单已经确认过了")
        double_entry.check_version(r.version, version)
        if r.sheet_status != PartySheetStatus.MATCHED or r.chosen is None:
            raise BallotsError("两次录入一致后才能确认")
        found = findings(r, r.chosen.numbers)
        r.explanations = double_entry.explanations_to_keep(found, explanations)
        r.sheet_status = PartySheetStatus.CONFIRMED
        r.confirmed_by = actor
        r.confirmed_at = timezone.now()
        r.version += 1
        r.save(
            update_fields=[
                "explanations",
                "sheet_status",
                "confirmed_by",
                "confirmed_at",
                "version",
            ]
        )
        audit.record(
            actor,
            "ballots.party.sheet_confirmed",
            r,
            **_scope(election),
            data={"计票单": r.label, "说明": r.explanations},
        )
    return r


# -- results ----------------------------------------------------------------------------------


def compute_result(r: PartyRound) -> dict[str, Any]:
    """The round's result from its confirmed sheet, by electionlaw only: P10 validity
    (returned ≤ min(issued, 实到会)), P11 (> half of 实到会), P12 (tie → re-vote,
    the higher score wins), P13 (shortfall)."""
    if r.sheet_status != PartySheetStatus.CONFIRMED or r.chosen is None:
        raise BallotsError("计票单还没有确认")
    n = r.chosen.numbers
    present = r.assembly.present
    labels = dict(candidate_keys(r))
    people = {f"c{rc.pk}": rc.candidate_id for rc in r.candidates.all()}
    votes: dict[str, int] = {key: int((n.get("votes") or {}).get(key) or 0) for key in labels}
    for name, v in n.get("write_ins") or []:
        key = f"w:{name}"
        labels[key] = name
        votes[key] = votes.get(key, 0) + int(v or 0)
    issued, returned, invalid = int(n["issued"]), int(n["returned"]), int(n["invalid"])
    result: dict[str, Any] = {
        "present": present,
        "expected": r.assembly.expected,
        "issued": issued,
        "returned": returned,
        "invalid": invalid,
        "valid_ballots": max(0, returned - invalid),
        "votes": votes,
        "labels": labels,
        "candidates": {k: v for k, v in people.items() if v},
    }
    # P10: returned ≤ issued and ≤ 实到会 (min of both).
    round_ok = electionlaw.round_valid(issued, returned, present, returned_vs="min_issued_signed")
    result["round_valid"] = round_ok
    if not round_ok:
        result.update(
            elected=[], tied=[], contested=0, shortfall=r.seats, reasons=["P10"], next="rerun"
        )
        return result
    try:
        if r.kind == PartyRoundKind.REVOTE:
            # P12: among the tied only; the higher score wins.
            decision = electionlaw.decide_revote(
                seats=r.seats, votes=votes, ballots_cast=returned, rule="P12"
            )
        else:
            # P11–P13: elected with more than half of 实到会 (also in the 另行选举, P13).
            decision = electionlaw.decide_party(seats=r.seats, present=present, approvals=votes)
    except electionlaw.RulesInputError as exc:
        raise BallotsError(f"计票单的数字不能计算结果：{exc}") from exc
    nxt = "revote" if decision.tied else ("shortfall" if decision.shortfall else "done")
    result.update(
        elected=list(decision.elected),
        tied=list(decision.tied),
        contested=decision.contested,
        shortfall=decision.shortfall,
        reasons=list(decision.reasons),
        next=nxt,
    )
    return result


def close_round(r: PartyRound, *, actor: Any) -> PartyRound:
    """宣布结果: computed and stored; the round and its sheet are final."""
    with transaction.atomic():
        election, locked = _lock_round(r)
        result = compute_result(locked)
        locked.result = result
        locked.status = PartyRoundStatus.CLOSED
        locked.closed_by = _actor(actor)
        locked.closed_at = timezone.now()
        locked.save(update_fields=["result", "status", "closed_by", "closed_at"])
        labels = result["labels"]
        audit.record(
            actor,
            "ballots.party.round_closed",
            locked,
            **_scope(election),
            data={
                "轮次": locked.label,
                "实到会": result["present"],
                "当选": [labels[k] for k in result["elected"]],
                "得票相等": [labels[k] for k in result["tied"]],
                "缺额": result["shortfall"],
                "下一步": NEXT_STEPS[result["next"]],
            },
        )
    return locked


@dataclass(frozen=True)
class Elected:
    name: str
    votes: int
    round_label: str


def elected_committee(election: CommunityElection) -> list[Elected]:
    """Every 委员 elected by the closed party rounds, in the order announced."""
    out: list[Elected] = []
    for r in PartyRound.objects.filter(election=election, status=PartyRoundStatus.CLOSED).order_by(
        "number"
    ):
        for key in r.result.get("elected", []):
            out.append(Elected(r.result["labels"][key], int(r.result["votes"][key]), r.label))
    return out


@dataclass(frozen=True)
class CommitteeState:
    seats: int | None
    elected: list[Elected]
    dropped: int
    tip: PartyRound | None
    pending: str  # "" when the 委员 election is complete, else what is next

    @property
    def unfilled(self) -> int:
        return max(0, (self.seats or 0) - len(self.elected) - self.dropped)


def committee_state(election: CommunityElection) -> CommitteeState:
    tip = _tip(election)
    dropped = sum(
        x.seats_dropped for x in PartySeatReduction.objects.filter(round__election=election)
    )
    pending = ""
    if tip is None:
        pending = "还没有开始党组织委员会委员的正式选举"
    elif tip.status == PartyRoundStatus.OPEN:
        pending = f"{tip.label}还没有宣布结果"
    elif tip.result.get("next") != "done" and not hasattr(tip, "reduction"):
        pending = f"{tip.label}：{NEXT_STEPS[tip.result.get('next', 'done')]}"
    return CommitteeState(
        committee_seats(election), elected_committee(election), dropped, tip, pending
    )


# -- P14: 书记 and 副书记 ------------------------------------------------------------------


def leadership_mode(election: CommunityElection) -> str:
    """P14, P15: under 7 正式党员 (a branch without committee) the 党员大会 elects the
    书记 directly (`electionlaw.elects_secretary_directly`, via the roll's breakdown)."""
    direct = roll.breakdown(election).secretary_direct  # P14/P15: elects_secretary_directly
    return LeadershipMode.ASSEMBLY if direct else LeadershipMode.COMMITTEE


def record_leadership(
    election: CommunityElection,
    *,
    meeting_date: dt.date | None,
    members_present: int | None,
    secretary: str,
    secretary_votes: int | None,
    deputies: Sequence[str],
    approved_by: str,
    approval_date: dt.date | None,
    approval_doc_no: str,
    actor: Any,
) -> PartyLeadership:
    """P14: the new committee's first meeting elects the 书记 and 副书记 (等额 normal)
    from among the elected 委员; the 上级党组织 approves (approved by, date, document
    number — all required). Under 7 正式党员 the 党员大会 elects them directly."""
    secretary, approved_by = secretary.strip(), approved_by.strip()
    approval_doc_no = approval_doc_no.strip()
    deputies = [d.strip() for d in deputies if d and d.strip()]
    errors: dict[str, str] = {}
    if meeting_date is None:
        errors["meeting_date"] = "请填写会议日期"
    elif meeting_date > _today():
        errors["meeting_date"] = "会议日期不能晚于今天"
    if not secretary:
        errors["secretary"] = "请选择当选的书记"
    if not approved_by:
        errors["approved_by"] = "请填写批准的上级党组织"
    if approval_date is None:
        errors["approval_date"] = "请填写批准日期"
    elif approval_date > _today():
        errors["approval_date"] = "批准日期不能晚于今天"
    elif meeting_date is not None and approval_date < meeting_date:
        errors["approval_date"] = "批准日期不能早于选举会议日期"
    if not approval_doc_no:
        errors["approval_doc_no"] = "请填写上级党组织批准的文号"
    if secretary and secretary in deputies:
        errors["deputies"] = "书记不能同时是副书记"
    elif len(set(deputies)) != len(deputies):
        errors["deputies"] = "副书记重复"
    if errors:
        raise BallotsError("没有保存，请改正标红的内容", errors)
    assert meeting_date is not None and approval_date is not None
    with transaction.atomic():
        election = _lock(election)
        if PartyLeadership.objects.filter(election=election).exists():
            raise BallotsError("书记、副书记的选举结果已经登记过")
        mode = leadership_mode(election)
        if mode == LeadershipMode.COMMITTEE:
            state = committee_state(election)
            if state.pending or state.unfilled:
                raise BallotsError(
                    "委员还没有选举完成，不能选举书记、副书记（P14）："
                    + (state.pending or f"还有{state.unfilled}名委员没有选出")
                )
            pool = {e.name for e in state.elected}
            where = "当选的委员"
        else:
            pool = {c.name for c in Candidate.objects.filter(election=election, track=Track.PARTY)}
            where = "党组织候选人"
        if secretary not in pool:
            raise BallotsError("没有保存", {"secretary": f"书记必须从{where}中产生（P14）"})
        outside = [d for d in deputies if d not in pool]
        if outside:
            raise BallotsError(
                "没有保存", {"deputies": f"副书记必须从{where}中产生：{'、'.join(outside)}"}
            )
        leadership = PartyLeadership.objects.create(
            election=election,
            mode=mode,
            meeting_date=meeting_date,
            members_present=members_present,
            secretary=secretary,
            secretary_votes=secretary_votes,
            deputies=deputies,
            approved_by=approved_by[:100],
            approval_date=approval_date,
            approval_doc_no=approval_doc_no[:100],
            recorded_by=_actor(actor),
        )
        audit.record(
            actor,
            "ballots.party.leadership_recorded",
            leadership,
            **_scope(election),
            data={
                "方式": leadership.get_mode_display(),
                "书记": secretary,
                "副书记": deputies,
                "批准机关": leadership.approved_by,
                "批准文号": leadership.approval_doc_no,
                "批准日期": approval_date.isoformat(),
            },
        )
    return leadership


# -- what the certification needs ------------------------------------------------------------


def party_blockers(election: CommunityElection) -> list[str]:
    """Why the party track is not finished, in plain Chinese; [] when it is, and []
    when the election has no party work (no party candidates)."""
    if not has_party_work(election):
        return []
    out: list[str] = []
    assembly = current_assembly(election)
    if assembly is None:
        out.append("党员大会还没有在达到法定到会人数的情况下召开（P3）")
        return out
    if assembly.status == AssemblyStatus.PENDING:
        out.append("党员大会恰好五分之四到会，还在等待组织部的决定（P3）")
        return out
    mode = leadership_mode(election)
    if mode == LeadershipMode.COMMITTEE:
        state = committee_state(election)
        if state.pending:
            out.append(state.pending)
        elif state.unfilled:
            out.append(f"还有{state.unfilled}名党组织委员名额没有选出，也没有减少名额的决定（P13）")
    leadership = PartyLeadership.objects.filter(election=election).first()
    if leadership is None:
        out.append("书记、副书记的选举结果和上级党组织的批准还没有登记（P14）")
    return out


# -- the 选举结果报告 -------------------------------------------------------------------------


def report(election: CommunityElection) -> dict[str, Any]:
    """The party election's report: assemblies, quorum, each round's ballots and the
    votes of every candidate, the elected 委员, the 书记 / 副书记 with the approval's
    document number. Names and numbers only — never an ID number."""
    assemblies = list(PartyAssembly.objects.filter(election=election).order_by("number"))
    rounds = []
    for r in (
        PartyRound.objects.filter(election=election).select_related("assembly").order_by("number")
    ):
        res = r.result
        rows = []
        if res:
            elected, tied = set(res.get("elected", [])), set(res.get("tied", []))
            for key, label in res["labels"].items():
                rows.append(
                    {
                        "name": label,
                        "votes": res["votes"].get(key, 0),
                        "write_in": key.startswith("w:"),
                        "elected": key in elected,
                        "tied": key in tied,
                    }
                )
            rows.sort(key=lambda x: -int(x["votes"]))
        reduction = getattr(r, "reduction", None)
        rounds.append(
            {
                "round": r,
                "result": res,
                "rows": rows,
                "next": NEXT_STEPS.get(res.get("next", ""), "") if res else "",
                "reduction": reduction,
            }
        )
    return {
        "election": election,
        "community": election.community,
        "assemblies": assemblies,
        "rounds": rounds,
        "state": committee_state(election),
        "leadership": PartyLeadership.objects.filter(election=election).first(),
        "blockers": party_blockers(election),
        "generated": timezone.localdate(),
    }


def report_pdf(election: CommunityElection) -> bytes:
    from elections.notices.rendering import render_pdf

    context = report(election)
    pdf, _pages = render_pdf(
        "ballots/party/report_print.html", {**context, "title": "选举结果报告"}
    )
    return pdf
