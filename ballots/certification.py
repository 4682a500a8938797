"""Certifying a community's results (issue 11 item 7; VotingWorks: results marked
official, then locked).

The street officer certifies once every round is closed or void and each post's latest
round says "done". Certifying stores the canonical content it certified and that
content's SHA-256, locks every election-day change (`assert_open`), publishes the
result notices (N13, N14, and N15 / N16 where the election had a 另行选举 or a void
round), renders a 当选证书 for every winner (R38) and queues the archive. A later
change needs the certification revoked with a reason; both are audited in the same
transaction as the change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

import electionlaw
from ballots.errors import BallotsError
from ballots.lock import LOCKED_MESSAGE, assert_open
from ballots.models import (
    Archive,
    BallotRound,
    Certification,
    ElectionCertificate,
    RoundKind,
    RoundStatus,
    SheetStatus,
)
from ballots.services import NEXT_STEPS, VOID_LABELS, _scope, params_of
from candidates.models import Candidate, Relation
from candidates.models.choices import Track
from candidates.printables import term_in_numerals
from candidates.services.nominations import post_label
from candidates.services.seats import seats_for
from elections import audit
from elections.formatting import cn_date
from elections.models import CommunityElection, Notice

AUDIT_LABELS = {
    "ballots.result.certified": "确认选举结果",
    "ballots.result.revoked": "撤销选举结果确认",
}

#: Notices published on certification, in this order (RULES.md §9).
RESULT_NOTICES = ("N13", "N14", "N15", "N16")

__all__ = ["LOCKED_MESSAGE", "assert_open", "blockers", "certify", "in_force", "revoke"]


def in_force(election: CommunityElection) -> Certification | None:
    return (
        Certification.objects.filter(election=election, revoked_at__isnull=True)
        .select_related("certified_by")
        .first()
    )


# -- what a post ended with ------------------------------------------------------------------


@dataclass(frozen=True)
class Winner:
    track: str
    post: str
    name: str
    gender: str
    votes: int
    candidate_id: int | None  # None: a write-in (另选他人)
    round_number: int


@dataclass
class PostOutcome:
    track: str
    post: str
    label: str
    seats: int
    rounds: list[BallotRound] = field(default_factory=list)
    winners: list[Winner] = field(default_factory=list)
    problem: str = ""  # why this post is not finished, in Chinese; "" when done
    voided: list[tuple[str, str]] = field(default_factory=list)  # R36: (name, reason)
    refilled: int = 0  # seats of 另行选举 held for void winners

    @property
    def last_round(self) -> BallotRound | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def vacant(self) -> int:
        return max(0, self.seats - len(self.winners))


def _round_winners(r: BallotRound) -> list[Winner]:
    result = r.result
    by_key = {f"c{rc.pk}": rc for rc in r.candidates.all()}
    out = []
    for key in result.get("elected", []):
        rc = by_key.get(key)
        out.append(
            Winner(
                track=r.track,
                post=r.post,
                name=result["labels"][key],
                gender=rc.gender if rc else "",
                votes=int(result["votes"].get(key, 0)),
                candidate_id=rc.candidate_id if rc else None,
                round_number=r.number,
            )
        )
    return out


def outcomes(election: CommunityElection, track: str = Track.COMMITTEE) -> list[PostOutcome]:
    """Each post of `track` with its rounds, its winners over the chain of rounds that
    ends in its latest round, and what still stops it (3 queries)."""
    seats = seats_for(election, track)
    rounds = list(
        BallotRound.objects.filter(election=election, track=track)
        .prefetch_related("candidates")
        .order_by("number")
    )
    by_pk = {r.pk: r for r in rounds}
    posts = list(seats) + sorted({r.post for r in rounds} - set(seats))
    out = []
    for post in posts:
        mine = [r for r in rounds if r.post == post]
        o = PostOutcome(track, post, post_label(post), seats.get(post, 0), mine)
        out.append(o)
        if not mine:
            o.problem = f"{o.label}还没有开始投票"
            continue
        last = mine[-1]
        if last.status == RoundStatus.OPEN:
            o.problem = f"{last.label}还没有宣布结果"
            continue
        if last.status == RoundStatus.VOID:
            o.problem = f"{last.label}已宣布无效，需要重新选举（R34）"
            continue
        nxt = last.result.get("next")
        if nxt != "done":
            o.problem = f"{last.label}：{NEXT_STEPS.get(str(nxt), '尚未完成')}"
            continue
        chain: list[BallotRound] = []
        cursor: BallotRound | None = last
        while cursor is not None:
            chain.append(cursor)
            cursor = by_pk.get(cursor.parent_id) if cursor.parent_id else None
        for r in reversed(chain):
            if r.status == RoundStatus.CLOSED:
                o.winners.extend(_round_winners(r))
        o.refilled = sum(r.seats for r in chain if _is_vacancy_runoff(r, by_pk))
    voided = voided_winners(election, [w for o in out for w in o.winners])
    for o in out:
        gone = [w for w in o.winners if w.candidate_id in voided]
        if gone:
            o.winners = [w for w in o.winners if w.candidate_id not in voided]
            o.voided = [(w.name, voided[w.candidate_id]) for w in gone]  # type: ignore[index]
            if o.refilled >= len(gone):
                continue  # the 另行选举 for the void seats has been held (R33 if still vacant)
            o.problem = (
                "、".join(w.name for w in gone)
                + f"当选无效（R36）：{o.label}空缺{len(gone)}名，请另行选举"
            )
    return out


def _is_vacancy_runoff(r: BallotRound, by_pk: dict[int, BallotRound]) -> bool:
    """A 另行选举 opened for seats of void winners follows a round that was done."""
    parent = by_pk.get(r.parent_id) if r.parent_id else None
    return r.kind == RoundKind.RUNOFF and parent is not None and parent.result.get("next") == "done"


def open_vacancy_runoff(last: BallotRound, *, actor: Any, held_on: dt.date) -> BallotRound:
    """R36: 另行选举 for the seats of winners declared void after the count. Seats = the
    void winners not yet refilled; candidates = those not elected with the most votes in
    `last` (at least seats + 1, R31), the void winners excluded; threshold one third."""
    from ballots import services

    with transaction.atomic():
        election = services._lock(last.election)
        parent = services._closed(last)
        post = next((o for o in outcomes(election, parent.track) if o.post == parent.post), None)
        if post is None or not post.voided or not post.problem:
            raise BallotsError("这个职位没有被宣布当选无效的人，不需要另行选举")
        if parent.result.get("next") != "done":
            raise BallotsError("请先完成这个职位本来的下一步")
        seats = len(post.voided) - post.refilled
        result = parent.result
        votes = {k: int(v) for k, v in result["votes"].items()}
        void_names = {name for name, _ in post.voided}
        excluded = [
            *result["elected_all"],
            *(k for k in votes if result["labels"][k] in void_names),
        ]
        keys = electionlaw.runoff_candidates(votes, elected=excluded, shortfall=seats)  # R31
        if len(keys) < seats:
            raise BallotsError("第一次投票中得票的未当选人少于空缺名额，请按规定重新提名")
        return services._create_round(
            election,
            post=parent.post,
            kind=RoundKind.RUNOFF,
            seats=seats,
            people=services._people(parent, keys, result["labels"], votes),
            held_on=held_on,
            parent=parent,
            actor=actor,
        )


def voided_winners(election: CommunityElection, winners: Iterable[Winner]) -> dict[int, str]:
    """R36, Q1: winners whose latest 组织部 decision is 当选无效 (a 不能 finding after
    the election) → candidate pk → the decision's reason."""
    from vetting.models import Decision, DecisionKind

    ids = [w.candidate_id for w in winners if w.candidate_id]
    latest: dict[int, tuple[str, str]] = {}
    for candidate_id, kind, reason in (
        Decision.objects.filter(candidate_id__in=ids)
        .order_by("decided_at", "pk")
        .values_list("candidate_id", "kind", "reason")
    ):
        latest[candidate_id] = (kind, reason)
    return {pk: reason for pk, (kind, reason) in latest.items() if kind == DecisionKind.VOID}


def _women_keys(winners: Iterable[Winner]) -> tuple[list[str], list[str]]:
    keys = [f"{w.post}:{w.name}" for w in winners]
    women = [f"{w.post}:{w.name}" for w in winners if w.gender == "女"]
    return keys, women


def _kinship_conflicts(election: CommunityElection, winners: list[Winner]) -> list[str]:
    """R30: elected near relatives (candidates.Relation between their voters, either
    direction, within the profile's relation set). Resolving them is the committee's
    step before certifying."""
    ids = [w.candidate_id for w in winners if w.candidate_id]
    if len(ids) < 2:
        return []
    rows = Candidate.objects.filter(pk__in=ids, voter__isnull=False).values_list("voter_id", "name")
    by_voter: dict[int, str] = dict(rows)
    relation_set = params_of(election).kinship_relation_set
    out = []
    for a, b, kind in Relation.objects.filter(
        election=election, a_id__in=by_voter, b_id__in=by_voter
    ).values_list("a_id", "b_id", "kind"):
        if electionlaw.relation_in_set(kind, relation_set):  # R4, R30
            out.append(f"当选人{by_voter[a]}与{by_voter[b]}是近亲属（R30），请先按回避规定处理")
    return out


def _unvetted_write_ins(election: CommunityElection, winners: list[Winner]) -> list[str]:
    """Q1: a write-in winner goes through 资格联审 before certification. The committee
    registers the person as a candidate of that post (same name) and vetting clears
    them; until then certification waits."""
    from candidates.clearance import clearance_of

    write_ins = [w for w in winners if w.candidate_id is None]
    if not write_ins:
        return []
    registered = {
        (c.post, c.name): c
        for c in Candidate.objects.filter(election=election, name__in=[w.name for w in write_ins])
    }
    found = [registered[(w.post, w.name)] for w in write_ins if (w.post, w.name) in registered]
    cleared = clearance_of(found) if found else {}
    out = []
    for w in write_ins:
        c = registered.get((w.post, w.name))
        state = cleared.get(c.pk) if c else None
        if state is None or state.state != "cleared":
            out.append(
                f"另选他人当选的{w.name}（{post_label(w.post)}）还没有通过资格联审（Q1）："
                "请登记为该职位候选人并提交联审"
            )
    return out


def blockers(election: CommunityElection, *, women_waiver: str = "") -> list[str]:
    """Why the result cannot be certified yet, one Chinese sentence each; [] when it
    can. R32: no woman elected blocks certification unless a documented waiver is
    given."""
    posts = outcomes(election)
    out = [o.problem for o in posts if o.problem]
    if not posts:
        out.append("还没有设定居民委员会职数，也没有投票轮次")
    if out:
        return out
    winners = [w for o in posts for w in o.winners]
    keys, women = _women_keys(winners)
    if winners and electionlaw.no_woman_elected(keys, women) and not women_waiver.strip():  # R32
        remedy = electionlaw.women_remedy(params_of(election).women_remedy)
        out.append(
            f"当选人中没有女性（R32）：{remedy.description_zh}；"
            "确实无法补救的，请在下方写明情况和批准文号"
        )
    out.extend(_kinship_conflicts(election, winners))
    out.extend(_unvetted_write_ins(election, winners))
    out.extend(_party_blockers(election))
    return out


def _party_blockers(election: CommunityElection) -> list[str]:
    from ballots import party

    return list(party.party_blockers(election))


# -- content and hash ----------------------------------------------------------------------


def content_of(election: CommunityElection, *, women_waiver: str = "") -> dict[str, Any]:
    """The canonical content a certification fixes: every round with its seats,
    candidates, stored result and void findings, every confirmed sheet's kept numbers
    and explanations, and the winners. Names and numbers only, never an ID number."""
    rounds = list(
        BallotRound.objects.filter(election=election)
        .prefetch_related("candidates", "sheets__chosen", "sheets__place")
        .order_by("number")
    )
    return {
        "community": election.community.code,
        "community_name": election.community.name,
        "cycle": election.cycle.name,
        "rounds": [
            {
                "number": r.number,
                "track": r.track,
                "post": r.post,
                "kind": r.kind,
                "seats": r.seats,
                "held_on": r.held_on.isoformat(),
                "status": r.status,
                "parent": r.parent.number if r.parent else None,
                "candidates": [rc.name for rc in r.candidates.all()],
                "result": r.result,
                "void_grounds": [VOID_LABELS.get(g, g) for g in r.void_grounds],
                "void_note": r.void_note,
                "sheets": [
                    {
                        "place": s.place.name,
                        "numbers": s.chosen.numbers if s.chosen else None,
                        "explanations": s.explanations,
                    }
                    for s in sorted(r.sheets.all(), key=lambda s: s.place_id)
                    if s.status == SheetStatus.CONFIRMED
                ],
            }
            for r in rounds
        ],
        "winners": [
            {"track": w.track, "post": w.post, "name": w.name, "votes": w.votes}
            for o in outcomes(election)
            for w in o.winners
        ],
        "women_waiver": women_waiver.strip(),
    }


def canonical_json(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def content_sha256(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content)).hexdigest()


# -- certify and revoke --------------------------------------------------------------------


def _lock(election: CommunityElection) -> CommunityElection:
    return (
        CommunityElection.objects.select_for_update(of=("self",))
        .select_related("community__street", "cycle__rule_profile")
        .get(pk=election.pk)
    )


def certify(
    election: CommunityElection,
    *,
    actor: Any,
    women_waiver: str = "",
    today: dt.date | None = None,
) -> Certification:
    """结果确认: lock, fix the content and its hash, publish the result notices, render
    the certificates and queue the archive (after commit)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(election)
        if in_force(locked) is not None:
            raise BallotsError("本社区选举结果已经确认过了")
        problems = blockers(locked, women_waiver=women_waiver)
        if problems:
            raise BallotsError("还不能确认选举结果：" + "；".join(problems))
        content = content_of(locked, women_waiver=women_waiver)
        digest = content_sha256(content)
        previous = Certification.objects.filter(election=locked).order_by("-certified_at").first()
        cert = Certification.objects.create(
            election=locked,
            content=content,
            sha256=digest,
            certified_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        notices = _publish_results(locked, cert, previous, actor=actor, today=today)
        certificates = _render_certificates(locked, cert, today=today)
        Archive.objects.create(certification=cert)
        audit.record(
            actor,
            "ballots.result.certified",
            cert,
            **_scope(locked),
            data={
                "内容SHA-256": digest,
                "当选": [f"{c.post_label}{c.name}" for c in certificates],
                "公告": [f"第{n.number}号 {n.title}" for n in notices],
                **({"无女性当选说明": women_waiver.strip()} if women_waiver.strip() else {}),
            },
        )
        transaction.on_commit(lambda: _queue_archive(locked.pk))
    return cert


def _queue_archive(election_id: int) -> None:
    from ballots import tasks

    tasks.build_archive.delay(election_id)


def revoke(cert: Certification, *, reason: str, actor: Any) -> Certification:
    """撤销确认: the lock is lifted; the certification, its certificates and its archive
    stay on record as they were."""
    reason = reason.strip()
    if len(reason) < 4:
        raise BallotsError("请写明撤销确认的理由（至少4个字）", {"reason": "请写明理由"})
    with transaction.atomic():
        election = _lock(cert.election)
        locked = Certification.objects.select_for_update().get(pk=cert.pk)
        if locked.revoked_at is not None:
            raise BallotsError("这次确认已经撤销过了")
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.revoke_reason = reason
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit.record(
            actor,
            "ballots.result.revoked",
            locked,
            **_scope(election),
            data={"理由": reason, "原内容SHA-256": locked.sha256},
        )
    return locked


def _publish_results(
    election: CommunityElection,
    cert: Certification,
    previous: Certification | None,
    *,
    actor: Any,
    today: dt.date,
) -> list[Notice]:
    """N13 and N14 always; N15 when a 另行选举 was held; N16 when a round was void. A
    kind published for an earlier (revoked) certification is corrected (更正公告)."""
    from elections.notices import publishing

    kinds = {r.kind for r in BallotRound.objects.filter(election=election)}
    voided = BallotRound.objects.filter(election=election, status=RoundStatus.VOID).exists()
    wanted = ["N13", "N14"]
    if RoundKind.RUNOFF in kinds:
        wanted.append("N15")
    if voided:
        wanted.append("N16")
    out = []
    for code in wanted:
        latest = (
            Notice.objects.filter(election=election, kind=code, replaced_by__isnull=True)
            .order_by("-number")
            .first()
        )
        if latest is None:
            notice = publishing.publish(election, code, actor=actor, today=today)
        elif code in ("N13", "N14") and previous is not None:
            notice = publishing.correct(
                latest,
                reason=f"撤销确认后重新确认（撤销理由：{previous.revoke_reason}）",
                actor=actor,
                today=today,
            )
        else:
            notice = None
        if notice is not None:
            out.append(notice)
    return out


def _render_certificates(
    election: CommunityElection, cert: Certification, *, today: dt.date
) -> list[ElectionCertificate]:
    """R38 当选证书, one per winner of the residents' committee, numbered on after the
    numbers of earlier certifications. The fonts are cut once to the certificates'
    characters (as long lists do): each PDF then renders in a fraction of the time."""
    import tempfile
    from pathlib import Path

    from django.conf import settings
    from django.template.loader import render_to_string

    from elections.notices.chunk_worker import weasyprint
    from elections.notices.fonts import subset_font_css

    start = (
        ElectionCertificate.objects.filter(certification__election=election).aggregate(
            m=Max("number")
        )["m"]
        or 0
    )
    winners = [w for o in outcomes(election) for w in o.winners]
    street = election.community.street.name
    days = dict(BallotRound.objects.filter(election=election).values_list("number", "held_on"))
    contexts = [
        {
            "title": "当选证书",
            "number": f"{election.community.code}-{election.cycle.term:02d}-{i:03d}",
            "name": w.name,
            "community": election.community.name,
            "street": street,
            "term": f"第{term_in_numerals(election)}届",
            "post": post_label(w.post),
            "held_on": cn_date(days[w.round_number]),
            "issued_on": cn_date(today),
            "issuers": [f"{election.community.name}居民选举委员会", f"{street}办事处"],
            "sha": cert.sha256[:16],
        }
        for i, w in enumerate(winners, start=start + 1)
    ]
    if not contexts:
        return []
    html = [render_to_string("ballots/certificate.html", {**c, "font_css": ""}) for c in contexts]
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        css = subset_font_css("".join(html), Path(tmp))
        for i, (w, ctx) in enumerate(zip(winners, contexts, strict=True), start=start + 1):
            page = render_to_string("ballots/certificate.html", {**ctx, "font_css": css})
            pdf = weasyprint().HTML(string=page, base_url=str(settings.BASE_DIR)).write_pdf()
            item = ElectionCertificate(
                certification=cert,
                number=i,
                track=w.track,
                post=w.post,
                post_label=post_label(w.post),
                name=w.name,
                candidate_id=w.candidate_id,
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
            item.pdf.save(f"{election.community.code}-{i:03d}.pdf", ContentFile(pdf), save=False)
            item.save()
            made.append(item)
    return made
