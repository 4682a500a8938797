"""Election day services: polling places, ballot rounds, double-entry tally sheets and
round results (issue 11). Every change is audited in its own transaction; a round's
result is computed only by `electionlaw` over the confirmed sheets and stored as it was
announced; a later round never changes an earlier one.

The double-entry state machine of a sheet (Kiesraad Abacus):

    entering ──(entry 1, then entry 2 by another user)──► matched | different
    different ──(chair keeps one)──► matched      (the other is kept, marked 退回)
    different ──(chair sends one back)──► entering (it is retyped; the other stays)
    matched ──(chair confirms; no errors, every warning explained)──► confirmed

Entries are blind: nobody sees another entry's numbers until the chair compares them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

import electionlaw
from ballots import checks, double_entry
from ballots.errors import BallotsError
from ballots.lock import assert_open
from ballots.models import (
    BallotRound,
    PlaceKind,
    PollingPlace,
    RoundCandidate,
    RoundKind,
    RoundStatus,
    SheetStatus,
    TallyEntry,
    TallySheet,
)
from candidates.models import Candidate, CandidateStatus, Seat
from candidates.models.choices import COMMITTEE_POSTS, Post, Track
from elections import audit
from elections.models import CommunityElection
from elections.registration.models import Voter, VoterStatus

AUDIT_LABELS = {
    "ballots.place.added": "设置投票点",
    "ballots.round.opened": "开始投票轮次",
    "ballots.round.higher_post_left_out": "已当选更高职位的人不列入本职位选票",
    "ballots.round.closed": "宣布轮次结果",
    "ballots.round.voided": "宣布本轮投票无效",
    "ballots.entry.saved": "录入计票单",
    "ballots.entry.kept": "两次录入不一致，保留其中一次",
    "ballots.entry.sent_back": "两次录入不一致，退回重新录入",
    "ballots.sheet.confirmed": "确认计票单",
}

# §12 (重庆 art. 34): the eight grounds on which an election is void (R34).
VOID_GROUNDS: tuple[tuple[str, str], ...] = (
    ("committee", "选举委员会的产生不合法"),
    ("candidates", "候选人的产生不合法"),
    ("turnout", "参加投票的选民不足法定人数"),
    ("difference", "违反差额选举原则"),
    ("returned", "收回的选票多于发出的选票"),
    ("counting", "没有公开唱票、计票"),
    ("announcement", "没有当场公布选举结果"),
    ("procedure", "其他违反法定程序的情形"),
)
VOID_LABELS = dict(VOID_GROUNDS)


def _scope(election: CommunityElection) -> dict[str, Any]:
    """Where an audit row belongs: the community and its street."""
    return {"community_id": election.community_id, "street_id": election.community.street_id}


def params_of(election: CommunityElection) -> electionlaw.RuleParams:
    return election.cycle.rule_profile.params()


# -- polling places -------------------------------------------------------------------


def add_place(
    election: CommunityElection,
    *,
    kind: str,
    name: str,
    place: str,
    opens_at: dt.time | None,
    closes_at: dt.time | None,
    actor: Any,
) -> PollingPlace:
    name, place = name.strip(), place.strip()
    errors: dict[str, str] = {}
    if kind not in PlaceKind.values:
        errors["kind"] = "请选择类型"
    if not name:
        errors["name"] = "请填写名称"
    if not place:
        errors["place"] = "请填写地点（流动票箱填写路线）"
    if opens_at is None:
        errors["opens_at"] = "请填写开始时间"
    if closes_at is None:
        errors["closes_at"] = "请填写结束时间"
    elif opens_at is not None and closes_at <= opens_at:
        errors["closes_at"] = "结束时间要晚于开始时间"
    errors |= _place_taken(election, kind, name)
    if errors:
        raise BallotsError("没有保存，请改正标红的内容", errors)
    assert opens_at is not None and closes_at is not None
    with transaction.atomic():
        election = _lock(election)  # also refuses once the result is certified
        taken = _place_taken(election, kind, name)  # again, now that the election is locked
        if taken:
            raise BallotsError("没有保存，请改正标红的内容", taken)
        obj = PollingPlace.objects.create(
            election=election,
            kind=kind,
            name=name[:50],
            place=place[:200],
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # Rounds still being counted get a sheet for the new place.
        TallySheet.objects.bulk_create(
            TallySheet(round=r, place=obj)
            for r in BallotRound.objects.filter(election=election, status=RoundStatus.OPEN)
        )
        audit.record(
            actor,
            "ballots.place.added",
            obj,
            **_scope(election),
            data={"名称": obj.name, "类型": obj.get_kind_display()},
        )
    return obj


def _place_taken(election: CommunityElection, kind: str, name: str) -> dict[str, str]:
    errors = {}
    if (
        kind == PlaceKind.CENTRAL
        and PollingPlace.objects.filter(election=election, kind=PlaceKind.CENTRAL).exists()
    ):
        errors["kind"] = "中心会场只能有一个"
    if PollingPlace.objects.filter(election=election, name=name).exists():
        errors["name"] = "已有同名的投票点"
    return errors


# -- rounds ------------------------------------------------------------------------------


def _next_number(election: CommunityElection) -> int:
    last = BallotRound.objects.filter(election=election).aggregate(m=Max("number"))["m"]
    return (last or 0) + 1


def _create_round(
    election: CommunityElection,
    *,
    post: str,
    kind: str,
    seats: int,
    people: Sequence[tuple[Candidate | None, str, str, int | None]],
    held_on: dt.date,
    parent: BallotRound | None,
    actor: Any,
) -> BallotRound:
    places = list(PollingPlace.objects.filter(election=election))
    if not places:
        raise BallotsError("请先设置投票点（中心会场、投票站或流动票箱），每个投票点一张计票单")
    r = BallotRound.objects.create(
        election=election,
        track=Track.COMMITTEE,
        post=post,
        kind=kind,
        number=_next_number(election),
        seats=seats,
        parent=parent,
        held_on=held_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    RoundCandidate.objects.bulk_create(
        RoundCandidate(
            round=r, candidate=c, name=name, gender=gender, order=i, earlier_votes=earlier
        )
        for i, (c, name, gender, earlier) in enumerate(people, start=1)
    )
    TallySheet.objects.bulk_create(TallySheet(round=r, place=p) for p in places)
    audit.record(
        actor,
        "ballots.round.opened",
        r,
        **_scope(election),
        data={
            "轮次": r.label,
            "应选": seats,
            "候选人": [name for _c, name, _g, _e in people],
            **({"前一轮": f"第{parent.number}轮"} if parent else {}),
        },
    )
    return r


def _lock(election: CommunityElection) -> CommunityElection:
    """The election row, locked; refused once the result is certified."""
    locked = (
        CommunityElection.objects.select_for_update(of=("self",))
        .select_related("community__street", "cycle__rule_profile")
        .get(pk=election.pk)
    )
    assert_open(locked)
    return locked


def open_formal_round(
    election: CommunityElection, post: str, *, actor: Any, held_on: dt.date | None = None
) -> BallotRound:
    """The formal election of one 居委会 post (the 新河 plan elects posts separately,
    R22): its seats (R1) and its published formal candidates in ballot order."""
    if post not in (Post.DIRECTOR, Post.DEPUTY_DIRECTOR, Post.MEMBER):
        raise BallotsError("没有这个职位")
    with transaction.atomic():
        election = _lock(election)
        if BallotRound.objects.filter(election=election, post=post, kind=RoundKind.FORMAL).exists():
            raise BallotsError("这个职位的正式选举已经开始过了")
        seat = Seat.objects.filter(election=election, track=Track.COMMITTEE, post=post).first()
        if seat is None or not seat.seats:
            raise BallotsError("这个职位还没有确定应选名额")
        formal = list(
            Candidate.objects.filter(
                election=election,
                track=Track.COMMITTEE,
                post=post,
                status=CandidateStatus.FORMAL,
            ).order_by("ballot_order", "pk")
        )
        higher = _elected_to_higher_posts(election, post)
        left_out = [c.name for c in formal if c.voter_id is not None and c.voter_id in higher]
        formal = [c for c in formal if c.voter_id is None or c.voter_id not in higher]
        if not formal:
            raise BallotsError("这个职位还没有正式候选人")
        if left_out:
            audit.record(
                actor,
                "ballots.round.higher_post_left_out",
                election,
                **_scope(election),
                data={"职位": Post(post).label, "不列入选票": left_out, "依据": "R29"},
            )
        return _create_round(
            election,
            post=post,
            kind=RoundKind.FORMAL,
            seats=seat.seats,
            people=[(c, c.name, c.gender, None) for c in formal],
            held_on=held_on or election.election_day,
            parent=None,
            actor=actor,
        )


def _elected_to_higher_posts(election: CommunityElection, post: str) -> set[int]:
    """R29: voters already elected to a post above `post` (主任 → 副主任 → 委员) in a
    closed round; someone elected to a higher post leaves the lower post's ballot."""
    order = list(COMMITTEE_POSTS)
    above = order[: order.index(post)]
    if not above:
        return set()
    elected: list[str] = []
    for r in BallotRound.objects.filter(
        election=election, track=Track.COMMITTEE, post__in=above, status=RoundStatus.CLOSED
    ).only("result"):
        elected.extend(r.result.get("elected", []))
    pks = [int(k[1:]) for k in elected if k.startswith("c")]
    return set(
        RoundCandidate.objects.filter(pk__in=pks, candidate__voter__isnull=False).values_list(
            "candidate__voter_id", flat=True
        )
    )


def _closed(r: BallotRound) -> BallotRound:
    locked = BallotRound.objects.select_for_update().get(pk=r.pk)
    if locked.status != RoundStatus.CLOSED:
        raise BallotsError("上一轮还没有宣布结果")
    if locked.followers.exclude(status=RoundStatus.VOID).exists():
        raise BallotsError("上一轮之后已经开始了下一轮")
    return locked


def open_revote(parent: BallotRound, *, actor: Any, held_on: dt.date | None = None) -> BallotRound:
    """再次投票 (R28): only the persons tied at the last seat, only the contested seats."""
    with transaction.atomic():
        _lock(parent.election)
        parent = _closed(parent)
        result = parent.result
        if result.get("next") != "revote":
            raise BallotsError("上一轮没有得票相同、需要再次投票的情况")
        labels = result["labels"]
        order = {f"c{rc.pk}": rc.order for rc in parent.candidates.all()}
        votes = {k: int(v) for k, v in result["votes"].items()}
        # The tied in the earlier ballot's order (write-ins after, by name).
        tied = sorted(result["tied"], key=lambda k: (-votes[k], order.get(k, 10_000), labels[k]))
        people = _people(parent, tied, labels, votes)
        return _create_round(
            parent.election,
            post=parent.post,
            kind=RoundKind.REVOTE,
            seats=result["contested"],
            people=people,
            held_on=held_on or parent.held_on,
            parent=parent,
            actor=actor,
        )


def _people(
    parent: BallotRound,
    keys: Sequence[str],
    labels: Mapping[str, str],
    votes: Mapping[str, int],
) -> list[tuple[Candidate | None, str, str, int | None]]:
    listed = {f"c{rc.pk}": rc for rc in parent.candidates.select_related("candidate")}
    out: list[tuple[Candidate | None, str, str, int | None]] = []
    for key in keys:
        rc = listed.get(key)
        if rc is not None:
            out.append((rc.candidate, rc.name, rc.gender, votes.get(key)))
        else:  # a write-in person (R27: 其他选民 may win)
            out.append((None, labels[key], "", votes.get(key)))
    return out


def open_runoff(parent: BallotRound, *, actor: Any, held_on: dt.date) -> BallotRound:
    """另行选举 (R31) for the seats the round left unfilled: candidates are those not
    elected with the most votes (shortfall + 1 at least, ranked by first-round votes),
    held within the profile's window; a winner needs one third of the ballots cast."""
    with transaction.atomic():
        election = _lock(parent.election)
        parent = _closed(parent)
        result = parent.result
        if result.get("next") != "runoff":
            raise BallotsError("上一轮没有缺额，不需要另行选举")
        params = params_of(election)
        if held_on < parent.held_on or not electionlaw.runoff_within_window(
            parent.held_on, held_on, window_days=params.lingxing_window_days
        ):
            raise BallotsError(
                f"另行选举应当在第一次投票当日或之后{params.lingxing_window_days}日内进行（R31）",
                {"held_on": "日期不在法定期限内"},
            )
        votes = {k: int(v) for k, v in result["votes"].items()}
        keys = electionlaw.runoff_candidates(
            votes, elected=result["elected_all"], shortfall=result["shortfall"]
        )
        if len(keys) < result["shortfall"]:
            raise BallotsError("第一次投票中得票的未当选人少于缺额，请按规定重新提名")
        return _create_round(
            election,
            post=parent.post,
            kind=RoundKind.RUNOFF,
            seats=result["shortfall"],
            people=_people(parent, keys, result["labels"], votes),
            held_on=held_on,
            parent=parent,
            actor=actor,
        )


def declare_void(r: BallotRound, *, grounds: Sequence[str], note: str, actor: Any) -> BallotRound:
    """R34 with the eight grounds of §12: the round is void, each ground recorded; its
    numbers stay for the record and a 重新选举 round follows."""
    grounds = [g for g in grounds if g in VOID_LABELS]
    if not grounds:
        raise BallotsError("请选择无效的情形（至少一项）", {"grounds": "请选择"})
    note = note.strip()
    if not note:
        raise BallotsError("请写明情况", {"note": "请填写"})
    with transaction.atomic():
        election = _lock(r.election)
        locked = BallotRound.objects.select_for_update().get(pk=r.pk)
        if locked.status == RoundStatus.VOID:
            raise BallotsError("本轮已经宣布无效")
        if locked.followers.exclude(status=RoundStatus.VOID).exists():
            raise BallotsError("本轮之后已经开始了下一轮，不能再宣布本轮无效")
        locked.status = RoundStatus.VOID
        locked.void_grounds = grounds
        locked.void_note = note[:2000]
        locked.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "void_grounds", "void_note", "closed_by", "closed_at"])
        audit.record(
            actor,
            "ballots.round.voided",
            locked,
            **_scope(election),
            data={"轮次": locked.label, "情形": [VOID_LABELS[g] for g in grounds], "说明": note},
        )
    return locked


def open_rerun(void: BallotRound, *, actor: Any, held_on: dt.date) -> BallotRound:
    """重新选举 of a void round: the same seats and candidates, a new round."""
    with transaction.atomic():
        election = _lock(void.election)
        void = BallotRound.objects.select_for_update().get(pk=void.pk)
        if void.status != RoundStatus.VOID:
            raise BallotsError("只有宣布无效的轮次才能重新选举")
        if void.followers.exists():
            raise BallotsError("已经为这一轮安排了重新选举")
        if held_on < void.held_on:
            raise BallotsError("重新选举的日期不能早于原投票日", {"held_on": "日期太早"})
        people = [
            (rc.candidate, rc.name, rc.gender, rc.earlier_votes)
            for rc in void.candidates.select_related("candidate")
        ]
        return _create_round(
            election,
            post=void.post,
            kind=RoundKind.RERUN,
            seats=void.seats,
            people=people,
            held_on=held_on,
            parent=void,
            actor=actor,
        )


# -- tally entry ---------------------------------------------------------------------------


def candidate_keys(r: BallotRound) -> list[tuple[str, str]]:
    return [(f"c{rc.pk}", rc.name) for rc in r.candidates.all()]


def parse_numbers(
    data: Mapping[str, Any], keys: Sequence[tuple[str, str]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """A form's numbers: blank stays None (E01 reports it: blank is not zero); text
    that is not a whole number of 0 or more is a field error."""
    errors: dict[str, str] = {}

    def number(field: str, label: str) -> int | None:
        raw = str(data.get(field, "") or "").strip()
        if raw == "":
            return None
        if not raw.isdigit() or not raw.isascii():
            errors[field] = f"{label}请填写0或正整数"
            return None
        value = int(raw)
        if value > 1_000_000:
            errors[field] = f"{label}太大，请核对"
            return None
        return value

    numbers: dict[str, Any] = {f: number(f, label) for f, label in checks.NUMBER_FIELDS}
    numbers["votes"] = {key: number(f"votes-{key}", f"{name}的得票") for key, name in keys}
    write_ins: list[list[Any]] = []
    i = 0
    while f"writein-{i}-name" in data or f"writein-{i}" in data:
        name = str(data.get(f"writein-{i}-name", "") or "").strip()[:50]
        value = number(f"writein-{i}", f"第{i + 1}行另选人的得票")
        if name or value:
            write_ins.append([name, value])
        i += 1
        if i > 50:
            break
    numbers["write_ins"] = write_ins
    return numbers, errors


def findings(sheet: TallySheet, numbers: Mapping[str, Any]) -> list[checks.Finding]:
    r = sheet.round
    return checks.check_sheet(
        numbers,
        seats=r.seats,
        candidates=candidate_keys(r),
        returned_vs=params_of(r.election).returned_vs,
    )


def _lock_sheet(sheet: TallySheet) -> TallySheet:
    locked = (
        # The sheet, its round and its election: not the community, street, cycle or
        # profile read with them, which every community of the street shares.
        TallySheet.objects.select_for_update(of=("self", "round", "round__election"))
        .select_related("round__election__community__street", "round__election__cycle")
        .get(pk=sheet.pk)
    )
    if locked.round.status != RoundStatus.OPEN:
        raise BallotsError("本轮已经结束，计票单不能再改")
    assert_open(locked.round.election)
    return locked


def active_entries(sheet: TallySheet) -> dict[int, TallyEntry]:
    return {e.slot: e for e in sheet.entries.filter(discarded=False).select_related("entered_by")}


def enter(sheet: TallySheet, numbers: Mapping[str, Any], *, actor: Any) -> TallyEntry:
    """Save one entry of a sheet: entry 1, or entry 2 by another user. With both in,
    the sheet is matched or different. A sheet with errors may still be entered (the
    paper may be wrong; the chair sees the checks)."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        if sheet.status in (SheetStatus.MATCHED, SheetStatus.CONFIRMED, SheetStatus.DIFFERENT):
            raise BallotsError("这张计票单已经录入两次了")
        entries = active_entries(sheet)
        slot = double_entry.next_slot(entries, actor)
        try:
            with transaction.atomic():
                entry = TallyEntry.objects.create(
                    sheet=sheet, slot=slot, numbers=dict(numbers), entered_by=actor
                )
        except IntegrityError as exc:  # pragma: no cover - the row lock prevents it
            raise BallotsError("这张计票单刚被别人录入，请刷新页面") from exc
        entries[slot] = entry
        both = double_entry.compared(entries)
        if both is not None:
            same, chosen = both
            _move(sheet, SheetStatus.MATCHED if same else SheetStatus.DIFFERENT, chosen)
        else:
            _move(sheet, sheet.status, sheet.chosen)
        audit.record(
            actor,
            "ballots.entry.saved",
            entry,
            **_scope(sheet.round.election),
            data={
                "计票单": f"{sheet.round.label} {sheet.place.name}",
                "第几次": slot,
                **({"结果": sheet.get_status_display()} if len(entries) == 2 else {}),
            },
        )
    return entry


def _move(sheet: TallySheet, status: str, chosen: TallyEntry | None) -> None:
    sheet.status, sheet.chosen = status, chosen
    sheet.version += 1  # a page showing the old state is now stale
    sheet.save(update_fields=["status", "chosen", "version"])


def keep_entry(sheet: TallySheet, slot: int, *, actor: Any, version: int | None = None) -> None:
    """The chair keeps one of two differing entries; the other is marked 退回 (kept)."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        double_entry.check_version(sheet.version, version)
        if sheet.status != SheetStatus.DIFFERENT:
            raise BallotsError("这张计票单没有需要处理的差异")
        kept = double_entry.keep(
            active_entries(sheet), slot, actor=actor, reason=f"主任保留第{slot}次录入"
        )
        _move(sheet, SheetStatus.MATCHED, kept)
        audit.record(
            actor,
            "ballots.entry.kept",
            sheet,
            **_scope(sheet.round.election),
            data={"计票单": f"{sheet.round.label} {sheet.place.name}", "保留": f"第{slot}次录入"},
        )


def send_back(
    sheet: TallySheet, slot: int, *, reason: str, actor: Any, version: int | None = None
) -> None:
    """The chair sends one entry back to be retyped (by anyone but the other entry's
    typist); it stays on record as 退回."""
    reason = reason.strip() or "两次录入不一致，退回重新录入"
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        double_entry.check_version(sheet.version, version)
        if sheet.status not in (SheetStatus.DIFFERENT, SheetStatus.MATCHED):
            raise BallotsError("这张计票单现在不能退回")
        double_entry.send_back(active_entries(sheet), slot, actor=actor, reason=reason)
        _move(sheet, SheetStatus.ENTERING, None)
        audit.record(
            actor,
            "ballots.entry.sent_back",
            sheet,
            **_scope(sheet.round.election),
            data={
                "计票单": f"{sheet.round.label} {sheet.place.name}",
                "退回": f"第{slot}次录入",
                "理由": reason,
            },
        )


def confirm(
    sheet: TallySheet,
    *,
    explanations: Mapping[str, str],
    actor: Any,
    version: int | None = None,
) -> TallySheet:
    """The chair confirms a matched sheet: no error, every warning explained. Two
    chairs at once: the row lock lets one in; the other is told it is done."""
    with transaction.atomic():
        sheet = _lock_sheet(sheet)
        if sheet.status == SheetStatus.CONFIRMED:
            raise BallotsError("这张计票单已经确认过了")
        double_entry.check_version(sheet.version, version)
        if sheet.status != SheetStatus.MATCHED or sheet.chosen is None:
            raise BallotsError("两次录入一致后才能确认")
        found = findings(sheet, sheet.chosen.numbers)
        sheet.explanations = double_entry.explanations_to_keep(found, explanations)
        sheet.status = SheetStatus.CONFIRMED
        sheet.confirmed_by = actor
        sheet.confirmed_at = timezone.now()
        sheet.version += 1
        sheet.save(
            update_fields=["explanations", "status", "confirmed_by", "confirmed_at", "version"]
        )
        audit.record(
            actor,
            "ballots.sheet.confirmed",
            sheet,
            **_scope(sheet.round.election),
            data={"计票单": f"{sheet.round.label} {sheet.place.name}", "说明": sheet.explanations},
        )
    return sheet


# -- results -------------------------------------------------------------------------------


NEXT_STEPS = {
    "revote": "得票相同争最后名额，对得票相同的人再次投票（R28）",
    "runoff": "有名额没有选出，另行选举（R31）",
    "rerun": "本轮投票无效，重新选举（R24、R25、R34）",
    "done": "本职位选举完成，可以进入结果确认",
}


def registered_voters(election: CommunityElection) -> int:
    return Voter.objects.filter(
        election=election, status=VoterStatus.REGISTERED, rights_deprived=False
    ).count()


def compute_result(r: BallotRound) -> dict[str, Any]:
    """The round's result from its confirmed sheets, by electionlaw only (R24–R28,
    R31): totals, validity, elected / tied / shortfall, and the next step."""
    sheets = list(r.sheets.select_related("chosen"))
    if not sheets or any(s.status != SheetStatus.CONFIRMED for s in sheets):
        raise BallotsError("还有计票单没有确认")
    params = params_of(r.election)
    totals = {f: 0 for f, _ in checks.NUMBER_FIELDS}
    labels = dict(candidate_keys(r))
    votes: dict[str, int] = dict.fromkeys(labels, 0)
    write_in_keys: dict[str, str] = {}
    for s in sheets:
        assert s.chosen is not None
        n = s.chosen.numbers
        for f in totals:
            totals[f] += int(n[f])
        for key, v in (n.get("votes") or {}).items():
            votes[key] = votes.get(key, 0) + int(v)
        for name, v in n.get("write_ins") or []:
            key = write_in_keys.setdefault(name, f"w:{name}")
            labels[key] = name
            votes[key] = votes.get(key, 0) + int(v or 0)
    registered = registered_voters(r.election)
    participants = totals["returned"]  # G6: blank and invalid ballots included
    result: dict[str, Any] = {
        "registered": registered,
        **totals,
        "participants": participants,
        "valid_ballots": max(0, totals["returned"] - totals["blank"] - totals["invalid"]),
        "votes": votes,
        "labels": labels,
        "write_ins": sorted(write_in_keys.values()),
    }
    round_ok = electionlaw.round_valid(
        totals["issued"], totals["returned"], totals["signed_in"], returned_vs=params.returned_vs
    )
    if r.kind == RoundKind.RUNOFF:
        turnout_ok = electionlaw.runoff_turnout_valid(
            registered,
            participants,
            method=params.election_method,
            required=params.lingxing_turnout_required,
        )
    elif r.kind == RoundKind.REVOTE:
        turnout_ok = participants > 0
    else:
        turnout_ok = electionlaw.turnout_valid(
            registered, participants, method=params.election_method
        )
    result["round_valid"], result["turnout_valid"] = round_ok, turnout_ok
    elected_before = _elected_before(r)
    if not (round_ok and turnout_ok):
        result.update(
            elected=[],
            tied=[],
            contested=0,
            shortfall=r.seats,
            next="rerun",
            reasons=["R24" if not turnout_ok else "R25", "R34"],
            elected_all=list(elected_before),
        )
        return result
    if r.kind == RoundKind.RUNOFF:
        decision = electionlaw.decide_runoff(
            seats=r.seats,
            total_ballots_cast=participants,
            votes=votes,
            threshold_num=params.lingxing_threshold_num,
            threshold_den=params.lingxing_threshold_den,
        )
    elif r.kind == RoundKind.REVOTE:
        decision = electionlaw.decide_revote(seats=r.seats, votes=votes, ballots_cast=participants)
    else:
        decision = electionlaw.decide_post(seats=r.seats, participants=participants, votes=votes)
    nxt = "revote" if decision.tied else ("runoff" if decision.shortfall else "done")
    if r.kind == RoundKind.RUNOFF and decision.shortfall and not decision.tied:
        nxt = "done"  # R33: seats still empty after the 另行选举 may stay vacant
    result.update(
        elected=list(decision.elected),
        tied=list(decision.tied),
        contested=decision.contested,
        shortfall=decision.shortfall,
        reasons=list(decision.reasons),
        next=nxt,
        elected_all=sorted(set(elected_before) | set(decision.elected)),
    )
    return result


def _elected_before(r: BallotRound) -> list[str]:
    """Keys elected by the rounds this one follows (a 再次投票 or 另行选举 of the same
    post keeps those already elected)."""
    out: list[str] = []
    parent = r.parent
    while parent is not None:
        if parent.status == RoundStatus.CLOSED:
            out.extend(parent.result.get("elected", []))
        parent = parent.parent
    return out


def close_round(r: BallotRound, *, actor: Any) -> BallotRound:
    """宣布结果: the result computed and stored; the round and its sheets are final."""
    with transaction.atomic():
        election = _lock(r.election)
        locked = BallotRound.objects.select_for_update().get(pk=r.pk)
        if locked.status != RoundStatus.OPEN:
            raise BallotsError("本轮已经结束")
        result = compute_result(locked)
        locked.result = result
        locked.status = RoundStatus.CLOSED
        locked.closed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.closed_at = timezone.now()
        locked.save(update_fields=["result", "status", "closed_by", "closed_at"])
        labels = result["labels"]
        audit.record(
            actor,
            "ballots.round.closed",
            locked,
            **_scope(election),
            data={
                "轮次": locked.label,
                "当选": [labels[k] for k in result["elected"]],
                "得票相同": [labels[k] for k in result["tied"]],
                "缺额": result["shortfall"],
                "下一步": NEXT_STEPS[result["next"]],
            },
        )
    return locked
