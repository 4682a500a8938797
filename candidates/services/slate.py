"""The residents' committee formal list (R17–R20) and the ballot order (R19, P7).

A nominee becomes a formal candidate only when joint vetting has cleared them
(`candidates.clearance.clearance_of`, one call per list) and every check of the post
passes: 差额 (R17), a woman (R18), each candidate's 承诺书, and the publication
deadline (R19). Withdrawal follows the profile's `withdrawal_policy` (R20); a
withdrawn or disqualified candidate is replaced (递补) by the next nominee of the same
post in nomination-vote order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from candidates import clearance, ordering
from candidates.models import (
    COMMITTEE_POSTS,
    Candidate,
    CandidateSource,
    CandidateStatus,
    Nomination,
    Seat,
    Track,
)
from candidates.services import CandidateError, params_of
from candidates.services.nominations import (
    candidate_from_nomination,
    post_label,
    post_standings,
)
from electionlaw import (
    age_on,
    formal_candidate_count_ok,
    last_day_within,
    latest_date_before,
    women_candidate_missing,
)
from elections import audit
from elections.formatting import cn_date
from elections.models import CommunityElection, Milestone

AUDIT_LABELS: Mapping[str, str] = {
    "candidates.candidate.updated": "修改候选人信息",
    "candidates.slate.published": "公布正式候选人名单",
    "candidates.candidate.withdrawn": "候选人退出",
    "candidates.candidate.disqualified": "候选人资格不符",
    "candidates.candidate.replaced": "按提名得票顺序递补候选人",
    "candidates.ballot_order.set": "确定选票上候选人顺序",
    "candidates.ballot_order.overridden": "人工调整选票上候选人顺序",
}

ON_SLATE = (CandidateStatus.NOMINEE, CandidateStatus.FORMAL)
#: R20 (another province, [S31]): a replacement is published ≥ 3 days before election day.
REPLACEMENT_DAYS_BEFORE = 3
#: R20 (Zhejiang art. 19): written withdrawal no later than 3 days before election day.
WITHDRAWAL_DAYS_BEFORE = 3
#: R20 ([S31]): withdrawal within 3 days of publication.
WITHDRAWAL_DAYS_AFTER_PUBLICATION = 3

EDITABLE_FIELDS = (
    "education",
    "political_status",
    "work",
    "current_posts",
    "incumbent",
    "cross_track",
    "one_shoulder",
    "pledge_signed_on",
)


# -- checks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    code: str
    label: str
    ok: bool
    message: str  # why it fails (Chinese, with the rule id); what holds when it passes


@dataclass
class CandidateRow:
    candidate: Candidate
    clearance: clearance.Clearance
    age: int
    votes: int | None  # nomination votes (the ballot order and 递补 order)

    @property
    def pledged(self) -> bool:
        return self.candidate.pledge_signed_on is not None


@dataclass
class PostSlate:
    post: str
    label: str
    seats: int | None
    rows: list[CandidateRow] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [c.message for c in self.checks if not c.ok]

    @property
    def women(self) -> int:
        return sum(1 for r in self.rows if r.candidate.gender == "女")

    @property
    def published(self) -> bool:
        return bool(self.rows) and all(
            r.candidate.status == CandidateStatus.FORMAL for r in self.rows
        )


@dataclass
class Slate:
    election: CommunityElection
    posts: dict[str, PostSlate]
    latest_publication: dt.date
    planned_publication: dt.date | None
    general: list[Check] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = [c.message for c in self.general if not c.ok]
        for post in self.posts.values():
            found.extend(post.problems)
        return found

    @property
    def publishable(self) -> bool:
        return not self.problems and any(
            r.candidate.status == CandidateStatus.NOMINEE
            for p in self.posts.values()
            for r in p.rows
        )

    @property
    def candidates(self) -> list[Candidate]:
        return [r.candidate for p in self.posts.values() for r in p.rows]


def publication_deadline(election: CommunityElection, *, replacement: bool = False) -> dt.date:
    """R19, G3: the formal list is published at least `formal_list_days_before` days
    before election day (新河 7, national 5); a replacement (R20) at least 3."""
    params = params_of(election)
    days = REPLACEMENT_DAYS_BEFORE if replacement else params.formal_list_days_before
    return latest_date_before(election.election_day, days, clear_days=params.clear_days_mode)


def _already_published(candidates: Sequence[Candidate]) -> bool:
    return any(c.published_on is not None for c in candidates)


def slate_of(election: CommunityElection, *, on: dt.date | None = None) -> Slate:
    """The committee slate with every check beside it (one clearance call for the list)."""
    return slates_for([election], on=on)[election.pk]


def slates_for(
    elections: Sequence[CommunityElection], *, on: dt.date | None = None
) -> dict[int, Slate]:
    """The slate of each election, in a fixed number of queries whatever their number
    (the street overview shows every community's at once)."""
    on = on or timezone.localdate()
    ids = [e.pk for e in elections]
    seats: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for election_id, post, n in Seat.objects.filter(
        election_id__in=ids, track=Track.COMMITTEE
    ).values_list("election_id", "post", "seats"):
        seats[election_id][post] = n
    candidates = list(
        Candidate.objects.filter(
            election_id__in=ids, track=Track.COMMITTEE, status__in=ON_SLATE
        ).select_related("nomination")
    )
    cleared = clearance.clearance_of(candidates)
    planned = dict(
        Milestone.objects.filter(
            election_id__in=ids, kind="formal_candidates_published"
        ).values_list("election_id", "date")
    )
    by_election: dict[int, list[Candidate]] = {pk: [] for pk in ids}
    for c in candidates:
        by_election[c.election_id].append(c)
    return {
        e.pk: _slate(e, by_election[e.pk], seats[e.pk], cleared, planned.get(e.pk), on)
        for e in elections
    }


def _slate(
    election: CommunityElection,
    candidates: list[Candidate],
    seats: Mapping[str, int],
    cleared: Mapping[int, clearance.Clearance],
    planned: dt.date | None,
    on: dt.date,
) -> Slate:
    params = params_of(election)
    replacement = _already_published(candidates)
    latest = publication_deadline(election, replacement=replacement)
    slate = Slate(election, {}, latest, planned)
    days = REPLACEMENT_DAYS_BEFORE if replacement else params.formal_list_days_before
    pending = any(c.status == CandidateStatus.NOMINEE for c in candidates)
    late = pending and on > latest
    slate.general.append(
        Check(
            "deadline",
            "公布期限",
            not late,
            (
                f"正式候选人名单须在选举日前{days}日（{cn_date(latest)}）或更早公布，"
                f"今天（{cn_date(on)}）已过期限（{'R20' if replacement else 'R19'}）"
            )
            if late
            else f"最迟{cn_date(latest)}公布（选举日前{days}日）",
        )
    )
    for post in COMMITTEE_POSTS:
        post_seats = seats.get(post)
        ps = PostSlate(post, post_label(post), post_seats)
        slate.posts[post] = ps
        for c in sorted(
            (c for c in candidates if c.post == post),
            key=lambda c: (c.ballot_order is None, c.ballot_order or 0, c.pk),
        ):
            votes = c.nomination.votes if c.nomination else None
            ps.rows.append(
                CandidateRow(c, cleared[c.pk], age_on(c.birth_date, election.election_day), votes)
            )
        ps.checks = _post_checks(ps, params)
    return slate


def _post_checks(ps: PostSlate, params: Any) -> list[Check]:
    label = ps.label
    if not ps.seats:
        return [Check("seats", "应选名额", False, f"{label}的应选名额尚未确定（R1）")]
    n = len(ps.rows)
    found = formal_candidate_count_ok(ps.seats, n, params=params, post=ps.post)
    checks = [
        Check(
            "count",
            "差额",
            not found,
            "；".join(f"{v.message_zh}（R17）" for v in found)
            or f"应选 {ps.seats} 名，候选人 {n} 名",
        )
    ]
    keys = [str(r.candidate.pk) for r in ps.rows]
    women = [str(r.candidate.pk) for r in ps.rows if r.candidate.gender == "女"]
    missing = bool(keys) and women_candidate_missing(
        keys, women, required=params.women_candidate_required
    )
    if not keys and params.women_candidate_required:
        missing = True
    checks.append(
        Check(
            "women",
            "女性候选人",
            not missing,
            f"{label}正式候选人中至少应有一名妇女（R18）" if missing else f"女性 {len(women)} 名",
        )
    )
    not_cleared = [r for r in ps.rows if r.clearance.state != "cleared"]
    checks.append(
        Check(
            "clearance",
            "资格联审",
            not not_cleared,
            "；".join(
                f"{r.candidate.name}：{r.clearance.label}"
                + (f"（{r.clearance.reason}）" if r.clearance.reason else "")
                for r in not_cleared
            )
            + "，须资格联审通过后才能确定为正式候选人（R16、Q2）"
            if not_cleared
            else "全部通过",
        )
    )
    unpledged = [r.candidate.name for r in ps.rows if not r.pledged]
    checks.append(
        Check(
            "pledge",
            "承诺书",
            not unpledged,
            f"{'、'.join(unpledged)}尚未签署承诺书（新河方案：正式候选人签署合法、正当竞争承诺书）"
            if unpledged
            else "全部已签署",
        )
    )
    return checks


# -- publishing --------------------------------------------------------------------------


def publish_slate(
    election: CommunityElection, *, actor: Any, on: dt.date | None = None
) -> list[Candidate]:
    """R17–R20: publish the formal list (every nominee on the slate becomes 正式候选人).

    Refused, with every reason, while any check of any post fails; publishing after
    the deadline is refused (R19)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        slate = slate_of(locked, on=on)
        if slate.problems:
            raise CandidateError("不能公布：" + "；".join(slate.problems))
        new = [c for c in slate.candidates if c.status == CandidateStatus.NOMINEE]
        if not new:
            raise CandidateError("没有待公布的候选人")
        Candidate.objects.filter(pk__in=[c.pk for c in new]).update(
            status=CandidateStatus.FORMAL, published_on=on, updated_at=timezone.now()
        )
        schedule_note = (
            ""
            if _already_published(slate.candidates)
            else _complete_publication_milestone(locked, on, actor)
        )
        audit.record(
            actor,
            "candidates.slate.published",
            locked,
            data={
                "公布日期": on.isoformat(),
                "正式候选人": {
                    post_label(p): [r.candidate.name for r in ps.rows]
                    for p, ps in slate.posts.items()
                },
                "新公布": [c.name for c in new],
                **({"日程": schedule_note} if schedule_note else {}),
            },
        )
    for c in new:
        c.status, c.published_on = CandidateStatus.FORMAL, on
    return new


def _complete_publication_milestone(election: CommunityElection, on: dt.date, actor: Any) -> str:
    """The schedule's 正式候选人公布 step is done on the day of the first publication;
    its later steps are computed from that day. A schedule that would need a recorded
    reason for that day is left for the officer to complete by hand on the schedule page;
    the returned text says so (empty when done or when there is no such step)."""
    from elections.services import ElectionsError, complete_milestone

    milestone = Milestone.objects.filter(
        election=election, kind="formal_candidates_published", done_on__isnull=True
    ).first()
    if milestone is None:
        return ""
    try:
        with transaction.atomic():
            complete_milestone(milestone, on, actor=actor, today=on)
    except ElectionsError as exc:
        return f"日程中的“公布正式候选人名单”未能自动标记完成（{exc}），请到日程页标记"
    return ""


# -- the candidate's details ----------------------------------------------------------


def update_candidate(
    candidate: Candidate,
    changes: Mapping[str, Any],
    *,
    actor: Any,
    expected_version: str | None = None,
) -> Candidate:
    """Item 6: what notices and statistics need (education, 政治面貌, work, posts,
    incumbent, 交叉任职, 一肩挑, 承诺书 date). Identity fields come from the roll."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CandidateError("这些内容不能在这里修改")
    with transaction.atomic():
        locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
        if expected_version is not None and locked.updated_at.isoformat() != expected_version:
            raise CandidateError(
                "您打开页面后，这位候选人的信息已被其他人修改。本次提交没有保存，请核对最新内容后重新操作。"
            )
        if locked.status not in ON_SLATE:
            raise CandidateError("此人已不在候选人名单上，不能修改")
        pledge = changes.get("pledge_signed_on", locked.pledge_signed_on)
        if pledge is not None and pledge > timezone.localdate():
            raise CandidateError(
                "承诺书签署日期不能晚于今天", errors={"pledge_signed_on": "不能晚于今天"}
            )
        diff: dict[str, list[Any]] = {}
        for name, value in changes.items():
            old = getattr(locked, name)
            if old != value:
                diff[name] = [_plain(old), _plain(value)]
                setattr(locked, name, value)
        if diff:
            locked.save()
            audit.record(
                actor,
                "candidates.candidate.updated",
                locked,
                data={"name": locked.name, "changes": diff},
            )
    return locked


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# -- leaving the slate and 递补 (R20) ---------------------------------------------------


def withdrawal_refusal(candidate: Candidate, on: dt.date) -> str:
    """Why a written withdrawal on `on` is refused under the profile (R20); "" if allowed.

    Before publication a nominee may always withdraw (新河: "因…自愿退出造成的缺额…
    递补"). After it: `none` (新河) never; `until_d_minus_3` (Zhejiang) up to three days
    before election day; `publish_plus_3` within three days of publication."""
    election = candidate.election
    if on > election.election_day:
        return "选举日之后不能办理退出"
    if candidate.status != CandidateStatus.FORMAL or candidate.published_on is None:
        return ""
    policy = params_of(election).withdrawal_policy
    if policy == "none":
        return "正式候选人名单公布后，不再接受退出请求（R20，新河方案）"
    if policy == "until_d_minus_3":
        latest = latest_date_before(election.election_day, WITHDRAWAL_DAYS_BEFORE)
        if on > latest:
            return (
                f"书面退出最迟在选举日前{WITHDRAWAL_DAYS_BEFORE}日（{cn_date(latest)}）提出（R20）"
            )
        return ""
    latest = last_day_within(candidate.published_on, WITHDRAWAL_DAYS_AFTER_PUBLICATION)
    if on > latest:
        return (
            f"退出须在正式候选人名单公布之日起{WITHDRAWAL_DAYS_AFTER_PUBLICATION}日内"
            f"（{cn_date(latest)}前）提出（R20）"
        )
    return ""


def _leave(
    candidate: Candidate,
    *,
    status: str,
    reason: str,
    on: dt.date | None,
    actor: Any,
) -> Candidate:
    reason = reason.strip()
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = "请写明理由"
    if on is None:
        errors["left_on"] = "请填写日期"
    if errors:
        raise CandidateError("没有保存，请改正标红的内容", errors=errors)
    assert on is not None
    with transaction.atomic():
        locked = (
            Candidate.objects.select_for_update().select_related("election").get(pk=candidate.pk)
        )
        if locked.track != Track.COMMITTEE or locked.status not in ON_SLATE:
            raise CandidateError("此人已不在候选人名单上")
        if status == CandidateStatus.WITHDRAWN:
            refusal = withdrawal_refusal(locked, on)
            if refusal:
                raise CandidateError(refusal, errors={"left_on": refusal})
        elif on > locked.election.election_day:
            raise CandidateError("选举日之后不能在这里办理", errors={"left_on": "不能晚于选举日"})
        old = locked.status
        locked.status = status
        locked.left_on = on
        locked.left_reason = reason[:200]
        locked.save()
        audit.record(
            actor,
            "candidates.candidate.withdrawn"
            if status == CandidateStatus.WITHDRAWN
            else "candidates.candidate.disqualified",
            locked,
            data={
                "name": locked.name,
                "职位": post_label(locked.post),
                "status": [old, status],
                "reason": reason,
                "退出日期": on.isoformat(),
            },
        )
    return locked


def withdraw_candidate(
    candidate: Candidate, *, reason: str, on: dt.date | None, actor: Any
) -> Candidate:
    """R20: a candidate withdraws in writing, as far as the profile allows."""
    return _leave(
        candidate,
        status=CandidateStatus.WITHDRAWN,
        reason=reason,
        on=on,
        actor=actor,
    )


def disqualify_candidate(
    candidate: Candidate, *, reason: str, on: dt.date | None, actor: Any
) -> Candidate:
    """R16, Q1: a candidate found not to qualify leaves the slate (at any time before
    election day)."""
    return _leave(
        candidate,
        status=CandidateStatus.DISQUALIFIED,
        reason=reason,
        on=on,
        actor=actor,
    )


def next_in_line(election: CommunityElection, post: str) -> Nomination | None:
    """R20: the next nominee of `post` in nomination-vote order (re-votes and written
    choices applied) who has not been on the post's slate yet."""
    standing = post_standings(election)[post]
    been = set(
        Candidate.objects.filter(election=election, track=Track.COMMITTEE).values_list(
            "voter_id", "post"
        )
    )
    elsewhere = {voter for voter, p in been if p != post}
    here = {voter for voter, p in been if p == post}
    for row in standing.order:
        voter = row.voter.pk
        if voter in here or voter in elsewhere:
            continue
        return row.nomination
    return None


@dataclass(frozen=True)
class ReplacementNotice:
    """What the 候选人退出 / 递补公告 (N9) needs."""

    post_label: str
    left_name: str
    left_gender: str
    left_kind: str  # 退出 / 资格不符
    left_reason: str
    left_on: dt.date | None
    replacement_name: str
    replacement_gender: str
    replacement_votes: int
    replacement_rank: int | None


def replace_candidate(candidate: Candidate, *, actor: Any) -> ReplacementNotice:
    """R20, 新河: 递补 a withdrawn or disqualified candidate by the next nominee of the
    same post in nomination-vote order. The replacement joins the slate as 提名人选 and
    needs vetting and publication like everyone else (at least 3 days before election
    day once the list is out)."""
    with transaction.atomic():
        locked = (
            Candidate.objects.select_for_update().select_related("election").get(pk=candidate.pk)
        )
        election = CommunityElection.objects.select_for_update().get(pk=locked.election_id)
        if locked.status not in (CandidateStatus.WITHDRAWN, CandidateStatus.DISQUALIFIED):
            raise CandidateError("只有已退出或资格不符的候选人才需要递补")
        if Candidate.objects.filter(replaces=locked).exists():
            raise CandidateError("已经为此人办理过递补")
        nomination = next_in_line(election, locked.post)
        if nomination is None:
            raise CandidateError(
                f"{post_label(locked.post)}已没有可以递补的被提名人，请按规定重新提名（R20）"
            )
        nomination = Nomination.objects.select_related("voter", "count").get(pk=nomination.pk)
        new = candidate_from_nomination(
            nomination, locked.post, source=CandidateSource.REPLACEMENT, actor=actor
        )
        new.replaces = locked
        new.save()
        kind = "退出" if locked.status == CandidateStatus.WITHDRAWN else "资格不符"
        rank = next(
            (
                r.rank
                for r in post_standings(election)[locked.post].order
                if r.nomination.pk == nomination.pk
            ),
            None,
        )
        audit.record(
            actor,
            "candidates.candidate.replaced",
            new,
            data={
                "name": new.name,
                "职位": post_label(locked.post),
                "递补谁": locked.name,
                "原因": kind,
                "提名票": nomination.votes,
                "提名票排名": rank,
            },
        )
    return ReplacementNotice(
        post_label=post_label(locked.post),
        left_name=locked.name,
        left_gender=locked.gender,
        left_kind=kind,
        left_reason=locked.left_reason,
        left_on=locked.left_on,
        replacement_name=new.name,
        replacement_gender=new.gender,
        replacement_votes=nomination.votes,
        replacement_rank=rank,
    )


def replacement_notice(candidate: Candidate) -> ReplacementNotice | None:
    """N9 data for a candidate who came in by 递补 (None for anyone else)."""
    left = candidate.replaces
    if left is None:
        return None
    order = post_standings(candidate.election)[candidate.post].order
    rank = next((r.rank for r in order if r.voter.pk == candidate.voter_id), None)
    return ReplacementNotice(
        post_label=post_label(candidate.post),
        left_name=left.name,
        left_gender=left.gender,
        left_kind="退出" if left.status == CandidateStatus.WITHDRAWN else "资格不符",
        left_reason=left.left_reason,
        left_on=left.left_on,
        replacement_name=candidate.name,
        replacement_gender=candidate.gender,
        replacement_votes=candidate.nomination.votes if candidate.nomination else 0,
        replacement_rank=rank,
    )


# -- ballot order (R19, P7) -----------------------------------------------------------


@dataclass
class BallotOrder:
    post: str
    label: str
    rule: str  # the profile's ballot_order
    rule_label: str
    candidates: list[Candidate]  # in the computed order
    needs_manual: list[str]  # names lacking stroke data: order them by hand


BALLOT_ORDER_LABELS = {
    "nomination_votes": "按提名得票多少排列",
    "surname_strokes": "按姓氏笔画排列",
}


def _by_votes(
    candidates: list[Candidate], election: CommunityElection, post: str
) -> list[Candidate]:
    order = post_standings(election)[post].order
    rank = {r.voter.pk: r.rank or 0 for r in order}
    return sorted(candidates, key=lambda c: (rank.get(c.voter_id or 0, 10**6), c.pk))


def computed_order(election: CommunityElection, post: str) -> BallotOrder:
    """The ballot order of a post's candidates by the profile (`ballot_order`)."""
    rule = params_of(election).ballot_order
    candidates = list(
        Candidate.objects.filter(
            election=election, track=Track.COMMITTEE, post=post, status__in=ON_SLATE
        ).select_related("nomination")
    )
    needs_manual: list[str] = []
    if rule == "surname_strokes":
        strokes = ordering.stroke_order([c.name for c in candidates])
        ranked = strokes.names
        needs_manual = strokes.flagged  # P7: characters the stroke table cannot order
        position = {name: i for i, name in enumerate(ranked)}
        ordered = sorted(candidates, key=lambda c: (position.get(c.name, len(ranked)), c.pk))
    else:
        ordered = _by_votes(candidates, election, post)
    return BallotOrder(
        post, post_label(post), rule, BALLOT_ORDER_LABELS.get(rule, rule), ordered, needs_manual
    )


def set_ballot_order(election: CommunityElection, post: str, *, actor: Any) -> BallotOrder:
    """Store the computed order (R19, P7) as each candidate's `ballot_order`."""
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        order = computed_order(election, post)
        for i, c in enumerate(order.candidates, start=1):
            c.ballot_order = i
            c.order_override_reason = ""
        Candidate.objects.bulk_update(order.candidates, ["ballot_order", "order_override_reason"])
        audit.record(
            actor,
            "candidates.ballot_order.set",
            election,
            data={
                "职位": order.label,
                "排序规则": order.rule_label,
                "顺序": [c.name for c in order.candidates],
            },
        )
    return order


def override_ballot_order(
    election: CommunityElection,
    post: str,
    candidate_ids: Sequence[int],
    *,
    reason: str,
    actor: Any,
) -> list[Candidate]:
    """A manual ballot order (names without stroke data, or a documented decision):
    needs a reason; audited (RULES §10 "Stroke ordering")."""
    reason = reason.strip()
    if not reason:
        raise CandidateError("人工调整顺序须写明理由", errors={"reason": "请写明理由"})
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        candidates = {
            c.pk: c
            for c in Candidate.objects.filter(
                election=election, track=Track.COMMITTEE, post=post, status__in=ON_SLATE
            )
        }
        if sorted(candidate_ids) != sorted(candidates) or len(set(candidate_ids)) != len(
            candidate_ids
        ):
            raise CandidateError("顺序须包含本职位的每一位候选人，且每人只出现一次")
        old = [
            c.name
            for c in sorted(
                candidates.values(), key=lambda c: (c.ballot_order is None, c.ballot_order, c.pk)
            )
        ]
        ordered = [candidates[pk] for pk in candidate_ids]
        for i, c in enumerate(ordered, start=1):
            c.ballot_order = i
            c.order_override_reason = reason[:200]
        Candidate.objects.bulk_update(ordered, ["ballot_order", "order_override_reason"])
        audit.record(
            actor,
            "candidates.ballot_order.overridden",
            election,
            data={
                "职位": post_label(post),
                "原顺序": old,
                "顺序": [c.name for c in ordered],
                "reason": reason,
            },
        )
    return ordered
