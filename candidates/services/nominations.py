"""Residents' committee nominations (R15, R16): the count of each post's nomination
ballots as entered by the committee, ties at the cut-off and their re-vote, the written
choice of a person nominated for two posts, the nominee list for the notice (N6), and
the nominees in the cut entering the slate as candidates (item 6).

The law's arithmetic is electionlaw's (rank_nominations, decide_revote,
min_formal_candidates, persons_needing_post_choice, nomination_meeting_valid); this
module reads and writes the tables around it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet

from candidates.models import (
    COMMITTEE_POSTS,
    Candidate,
    CandidateSource,
    CandidateStatus,
    Nomination,
    NominationCount,
    Post,
    Track,
)
from candidates.services import CandidateError, params_of
from candidates.services.committee import withdraw_for_candidacy
from candidates.services.seats import seats_for
from electionlaw import (
    POST_LABELS_ZH,
    RulesInputError,
    decide_revote,
    min_formal_candidates,
    nomination_meeting_valid,
    persons_needing_post_choice,
    rank_nominations,
)
from elections import audit
from elections.formatting import cn_date
from elections.models import CommunityElection
from elections.registration.models import Voter
from elections.registration.services import eligible_voters, search_filter

AUDIT_LABELS: Mapping[str, str] = {
    "candidates.nomination_count.saved": "录入提名计票",
    "candidates.nomination.added": "添加被提名人",
    "candidates.nomination.removed": "删除被提名人",
    "candidates.nomination.revote_recorded": "录入提名重新投票结果",
    "candidates.nomination.post_chosen": "记录被提名人书面选择的职位",
    "candidates.nominees.promoted": "提名人选进入候选人名单",
}

#: Changing a post's count is refused once its candidates are published (R19).
_LOCKED_STATUSES = (CandidateStatus.FORMAL,)


def post_label(post: str) -> str:
    return POST_LABELS_ZH.get(post, str(dict(Post.choices).get(post, post)))


def _require_committee_post(post: str) -> str:
    if post not in COMMITTEE_POSTS:
        raise CandidateError("没有这个职位")
    return post


def _seats_of(election: CommunityElection, post: str) -> int:
    seats = seats_for(election, Track.COMMITTEE).get(post)
    if not seats:
        raise CandidateError(f"{post_label(post)}的应选名额尚未确定，请先由街道设定职数（R1）")
    return seats


def _refuse_if_published(election: CommunityElection, post: str) -> None:
    if Candidate.objects.filter(
        election=election, track=Track.COMMITTEE, post=post, status__in=_LOCKED_STATUSES
    ).exists():
        raise CandidateError(
            f"{post_label(post)}的正式候选人已经公布，提名计票不能再修改（R19）。"
            "如有候选人退出或资格不符，请在正式候选人页面办理递补。"
        )


def _drop_unpublished_candidates(
    election: CommunityElection, post: str, *, actor: Any
) -> list[str]:
    """Nominees of the post that entered the slate from an earlier count leave it when
    the count changes (they were not published yet); the new cut is promoted again."""
    stale = list(
        Candidate.objects.filter(
            election=election,
            track=Track.COMMITTEE,
            post=post,
            status=CandidateStatus.NOMINEE,
            source=CandidateSource.NOMINATION,
        ).values_list("name", flat=True)
    )
    if stale:
        Candidate.objects.filter(
            election=election,
            track=Track.COMMITTEE,
            post=post,
            status=CandidateStatus.NOMINEE,
            source=CandidateSource.NOMINATION,
        ).delete()
    return stale


def registered_voter_count(election: CommunityElection) -> int:
    """R15 denominator: registered voters who may vote on election day (G6)."""
    return eligible_voters(election).count()


def _check_count(
    election: CommunityElection, post: str, *, held_on: dt.date | None, ballots: int | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if held_on is None:
        errors["held_on"] = "请填写提名日期"
    elif held_on > election.election_day:
        errors["held_on"] = "提名日期不能晚于选举日"
    if ballots is None or ballots < 1:
        errors["ballots"] = "请填写参加提名的人数（至少1人）"
        return errors
    registered = registered_voter_count(election)
    quorum = params_of(election).nomination_meeting_quorum
    try:
        valid = nomination_meeting_valid(registered, ballots, quorum=quorum)
    except RulesInputError as exc:
        errors["ballots"] = f"{exc.message_zh}（R15）"
        return errors
    if not valid:
        errors["ballots"] = (
            f"参加提名 {ballots} 人，未超过登记选民 {registered} 人的半数，提名无效（R15）"
        )
    return errors


def _check_votes(
    post: str, seats: int, ballots: int, votes: Mapping[int, int], names: Mapping[int, str]
) -> dict[str, str]:
    """R15: each voter nominates at most `seats` persons for the post, so nobody gets
    more votes than ballots and the post's total is at most ballots × seats."""
    errors: dict[str, str] = {}
    for nomination_id, v in votes.items():
        if v < 0:
            errors[f"votes_{nomination_id}"] = "票数不能为负数"
        elif v > ballots:
            errors[f"votes_{nomination_id}"] = (
                f"{names.get(nomination_id, '')}的提名票 {v} 超过参加提名人数 {ballots}（R15）"
            )
    total = sum(votes.values())
    if not errors and total > ballots * seats:
        errors["__all__"] = (
            f"{post_label(post)}提名票合计 {total} 超过参加提名人数 {ballots} × 应选名额 {seats}"
            f" = {ballots * seats}：每位选民提名人数不得超过应选名额（R15）"
        )
    return errors


def save_nomination_count(
    election: CommunityElection,
    post: str,
    *,
    held_on: dt.date | None,
    ballots: int | None,
    votes: Mapping[int, int] | None = None,
    actor: Any,
    expected_version: str | None = None,
) -> NominationCount:
    """Enter (or correct) a post's nomination count: the date, how many voters took
    part (R15 quorum) and each nominee's votes (`votes`: nomination pk → votes).

    A change of votes clears the post's recorded re-vote (the tie it settled may be a
    different one now) and takes its unpublished nominees off the slate."""
    _require_committee_post(post)
    seats = _seats_of(election, post)
    votes = dict(votes or {})
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        _refuse_if_published(locked, post)
        count = NominationCount.objects.filter(election=locked, post=post).first()
        if (
            count is not None
            and expected_version is not None
            and count.updated_at.isoformat() != expected_version
        ):
            raise CandidateError(
                "您打开页面后，这个职位的提名计票已被其他人修改。本次提交没有保存，请核对最新内容后重新录入。"
            )
        errors = _check_count(election, post, held_on=held_on, ballots=ballots)
        nominations = {n.pk: n for n in count.nominees.select_related("voter")} if count else {}
        unknown = set(votes) - set(nominations)
        if unknown:
            raise CandidateError("被提名人名单已变化，请刷新页面后重新录入")
        if not errors and ballots is not None:
            names = {pk: n.voter.name for pk, n in nominations.items()}
            current = {pk: votes.get(pk, n.votes) for pk, n in nominations.items()}
            errors.update(_check_votes(post, seats, ballots, current, names))
        if errors:
            raise CandidateError(errors.get("__all__", "没有保存，请改正标红的内容"), errors=errors)
        assert held_on is not None and ballots is not None
        created = count is None
        old: dict[str, object] = (
            {"held_on": None, "ballots": None}
            if count is None
            else {
                "held_on": count.held_on.isoformat(),
                "ballots": count.ballots,
            }
        )
        if count is None:
            count = NominationCount(election=locked, post=post)
        count.held_on = held_on
        count.ballots = ballots
        count.entered_by = actor if getattr(actor, "is_authenticated", False) else None
        count.save()
        changed = {
            pk: (nominations[pk].votes, v) for pk, v in votes.items() if nominations[pk].votes != v
        }
        for pk, (_old, new) in changed.items():
            nominations[pk].votes = new
        if changed:
            Nomination.objects.bulk_update([nominations[pk] for pk in changed], ["votes"])
            Nomination.objects.filter(count=count).update(revote_votes=None, revote_on=None)
        dropped = _drop_unpublished_candidates(locked, post, actor=actor) if changed else []
        audit.record(
            actor,
            "candidates.nomination_count.saved",
            count,
            community_id=locked.community_id,
            data={
                "职位": post_label(post),
                "created": created,
                "提名日期": [old["held_on"], held_on.isoformat()],
                "参加提名人数": [old["ballots"], ballots],
                "提名票": {nominations[pk].voter.name: [o, n] for pk, (o, n) in changed.items()},
                "移出候选人名单": dropped,
            },
        )
    return count


def roll_matches(election: CommunityElection, query: str, *, limit: int = 20) -> QuerySet[Voter]:
    """Registered voters of the community matching `query` (name, ID tail…), for adding a
    nominee; the masked ID number tells namesakes apart (§9)."""
    text = query.strip()
    if not text:
        return Voter.objects.none()
    return (
        eligible_voters(election)
        .filter(search_filter(text))
        .only("pk", "name", "gender", "birth_date", "group", "id_masked")
        .order_by("name", "pk")[:limit]
    )


def add_nominee(
    election: CommunityElection, post: str, voter_id: int, *, votes: int = 0, actor: Any
) -> Nomination:
    """Add a registered voter of the community to a post's nominees (R15)."""
    _require_committee_post(post)
    _seats_of(election, post)
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        _refuse_if_published(locked, post)
        count = NominationCount.objects.filter(election=locked, post=post).first()
        if count is None:
            raise CandidateError("请先填写提名日期和参加提名人数，再添加被提名人")
        voter = eligible_voters(locked).filter(pk=voter_id).first()
        if voter is None:
            raise CandidateError("只能提名本社区已登记、选举日年满18周岁的选民（R15）")
        if count.nominees.filter(voter=voter).exists():
            raise CandidateError(f"{voter.name}已在{post_label(post)}的被提名人中")
        if votes < 0 or votes > count.ballots:
            raise CandidateError(f"提名票不能超过参加提名人数 {count.ballots}（R15）")
        nomination = Nomination.objects.create(count=count, voter=voter, votes=votes)
        Nomination.objects.filter(count=count).update(revote_votes=None, revote_on=None)
        dropped = _drop_unpublished_candidates(locked, post, actor=actor)
        audit.record(
            actor,
            "candidates.nomination.added",
            nomination,
            community_id=locked.community_id,
            data={
                "职位": post_label(post),
                "name": voter.name,
                "提名票": votes,
                "移出候选人名单": dropped,
            },
        )
    return nomination


def remove_nominee(nomination: Nomination, *, actor: Any) -> None:
    """Take a nominee entered by mistake off a post's count."""
    count = nomination.count
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=count.election_id)
        _refuse_if_published(locked, count.post)
        if (
            Candidate.objects.filter(nomination=nomination)
            .exclude(status=CandidateStatus.NOMINEE)
            .exists()
        ):
            raise CandidateError("此人已进入候选人名单并有后续记录，不能删除提名")
        name = nomination.voter.name
        audit.record(
            actor,
            "candidates.nomination.removed",
            count,
            community_id=locked.community_id,
            data={"职位": post_label(count.post), "name": name, "提名票": nomination.votes},
        )
        nomination.delete()
        Nomination.objects.filter(count=count).update(revote_votes=None, revote_on=None)
        _drop_unpublished_candidates(locked, count.post, actor=actor)


# -- where each post stands -------------------------------------------------------------


@dataclass
class NomineeRow:
    nomination: Nomination
    rank: int | None = None  # place in nomination-vote order among those standing
    in_cut: bool = False
    tied: bool = False  # tied at the cut-off, awaiting (or after) the re-vote
    other_posts: list[str] = field(default_factory=list)  # two-post persons (R16)
    choice_pending: bool = False
    chose_other: bool = False  # chose another post in writing: stands down here

    @property
    def voter(self) -> Voter:
        return self.nomination.voter

    @property
    def votes(self) -> int:
        return self.nomination.votes

    @property
    def standing(self) -> bool:
        return not self.chose_other


@dataclass
class PostStanding:
    """One post's nominations: the count, the nominees ranked, the cut (seats + 差额),
    a tie at the cut and who is in it, pending two-post choices, and what still blocks
    moving on (Chinese, with rule ids)."""

    post: str
    label: str
    seats: int | None
    places: int | None  # formal candidates the cut takes: seats + 差额 (R17)
    count: NominationCount | None
    rows: list[NomineeRow] = field(default_factory=list)
    tied: list[NomineeRow] = field(default_factory=list)
    contested: int = 0  # places the re-vote fills
    revote_done: bool = False
    shortfall: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def in_cut(self) -> list[NomineeRow]:
        return [r for r in self.rows if r.in_cut]

    @property
    def order(self) -> list[NomineeRow]:
        """Standing nominees in nomination-vote order (re-vote applied): the 递补 order."""
        return sorted((r for r in self.rows if r.rank is not None), key=lambda r: r.rank or 0)

    @property
    def tie_pending(self) -> bool:
        return bool(self.tied) and not self.revote_done

    @property
    def ready(self) -> bool:
        return not self.problems


def _counts(election: CommunityElection) -> dict[str, NominationCount]:
    counts = (
        NominationCount.objects.filter(election=election, post__in=COMMITTEE_POSTS)
        .select_related("entered_by")
        .prefetch_related("nominees__voter")
    )
    return {c.post: c for c in counts}


def _rank(row_votes: list[NomineeRow]) -> list[NomineeRow]:
    """Most votes first; within equal votes a recorded re-vote decides; then by name."""
    return sorted(
        row_votes,
        key=lambda r: (
            -r.nomination.votes,
            -(r.nomination.revote_votes if r.nomination.revote_votes is not None else -1),
            r.nomination.voter.name,
            r.nomination.pk,
        ),
    )


def post_standings(election: CommunityElection) -> dict[str, PostStanding]:
    """Every committee post's standing (three queries: seats, counts, nominees)."""
    params = params_of(election)
    seats = seats_for(election, Track.COMMITTEE)
    counts = _counts(election)
    tallies = {
        post: {str(n.voter_id): n.votes for n in c.nominees.all()} for post, c in counts.items()
    }
    two_post = set(persons_needing_post_choice(tallies))
    posts_of: dict[int, list[str]] = {}
    for post, tally in tallies.items():
        for key, v in tally.items():
            if v > 0:
                posts_of.setdefault(int(key), []).append(post)
    result: dict[str, PostStanding] = {}
    for post in COMMITTEE_POSTS:
        post_seats = seats.get(post)
        places = (
            min_formal_candidates(post_seats, extra=params.candidates_extra_min_per_post)
            if post_seats
            else None
        )
        count = counts.get(post)
        standing = PostStanding(post, post_label(post), post_seats, places, count)
        result[post] = standing
        if post_seats is None or places is None:
            standing.problems.append(f"{standing.label}的应选名额尚未确定（R1）")
            continue
        if count is None:
            standing.problems.append(f"{standing.label}的提名计票尚未录入（R15）")
            continue
        for nomination in count.nominees.all():
            row = NomineeRow(nomination)
            if str(nomination.voter_id) in two_post and nomination.votes > 0:
                row.other_posts = [p for p in posts_of[nomination.voter_id] if p != post]
                chosen = nomination.chosen_post
                row.choice_pending = not chosen
                row.chose_other = bool(chosen) and chosen != post
            standing.rows.append(row)
        _cut(standing, places)
        pending = [r for r in standing.rows if r.choice_pending]
        if pending:
            names = "、".join(r.voter.name for r in pending)
            standing.problems.append(
                f"{names}同时被提名为两个以上职位，须书面确认选择一个职位（R16）"
            )
        if standing.tie_pending:
            names = "、".join(r.voter.name for r in standing.tied)
            standing.problems.append(
                f"{standing.label}第{places}名得票相等：{names}（各"
                f"{standing.tied[0].votes}票），须就得票相等的人再次投票，"
                f"确定{standing.contested}名（R16）"
            )
        if standing.shortfall:
            standing.problems.append(
                f"{standing.label}应选 {post_seats} 名，需要 {places} 名候选人，"
                f"有票的被提名人只有 {places - standing.shortfall} 名（R17）"
            )
    return result


def _cut(standing: PostStanding, places: int) -> None:
    rows = [r for r in standing.rows if r.standing]
    by_key = {str(r.nomination.pk): r for r in rows}
    decision = rank_nominations(places, {k: r.votes for k, r in by_key.items()})
    standing.shortfall = decision.shortfall
    chosen = set(decision.elected)
    if decision.tied:
        tied = [by_key[k] for k in decision.tied]
        standing.tied = _rank(tied)
        standing.contested = decision.contested
        for r in tied:
            r.tied = True
        if all(r.nomination.revote_votes is not None for r in tied):
            revote = decide_revote(
                seats=decision.contested,
                votes={str(r.nomination.pk): r.nomination.revote_votes or 0 for r in tied},
                rule="R16",
            )
            if not revote.tied:
                standing.revote_done = True
                chosen |= set(revote.elected)
    for r in rows:
        r.in_cut = str(r.nomination.pk) in chosen
    for index, r in enumerate(_rank([r for r in rows if r.votes > 0]), start=1):
        r.rank = index
    standing.rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.voter.name))


# -- re-vote and written choice ---------------------------------------------------------


def record_revote(
    election: CommunityElection,
    post: str,
    *,
    held_on: dt.date | None,
    votes: Mapping[int, int],
    actor: Any,
) -> PostStanding:
    """R16: the re-vote among the nominees tied at the cut-off (`votes`: nomination pk →
    votes). A re-vote that ties again at the cut is not recorded: the committee votes
    again among those still tied and enters the deciding round."""
    _require_committee_post(post)
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        _refuse_if_published(locked, post)
        standing = post_standings(locked)[post]
        if not standing.tied:
            raise CandidateError(f"{standing.label}在第{standing.places}名处没有得票相等的情况")
        tied = {r.nomination.pk: r for r in standing.tied}
        errors: dict[str, str] = {}
        if held_on is None:
            errors["held_on"] = "请填写重新投票日期"
        elif standing.count is not None and held_on < standing.count.held_on:
            errors["held_on"] = "重新投票日期不能早于提名日期"
        if set(votes) != set(tied):
            raise CandidateError("得票相等的人已变化，请刷新页面后重新录入")
        for pk, v in votes.items():
            if v < 0:
                errors[f"revote_{pk}"] = "票数不能为负数"
        if errors:
            raise CandidateError("没有保存，请改正标红的内容", errors=errors)
        try:
            decision = decide_revote(
                seats=standing.contested,
                votes={str(pk): v for pk, v in votes.items()},
                rule="R16",
            )
        except RulesInputError as exc:
            raise CandidateError(f"{exc.message_zh}（R16）") from exc
        if decision.tied:
            names = "、".join(tied[int(k)].voter.name for k in decision.tied)
            raise CandidateError(
                f"重新投票后{names}得票仍然相等，须在他们之间再次投票，并录入最终一轮的结果（R16）"
            )
        assert held_on is not None
        rows = []
        for pk, v in votes.items():
            n = tied[pk].nomination
            n.revote_votes = v
            n.revote_on = held_on
            rows.append(n)
        Nomination.objects.bulk_update(rows, ["revote_votes", "revote_on"])
        audit.record(
            actor,
            "candidates.nomination.revote_recorded",
            standing.count,
            community_id=locked.community_id,
            data={
                "职位": standing.label,
                "重新投票日期": held_on.isoformat(),
                "重新投票票数": {tied[pk].voter.name: v for pk, v in votes.items()},
                "确定为候选人": [tied[int(k)].voter.name for k in decision.elected],
            },
        )
        return post_standings(locked)[post]


@dataclass
class ChoiceRow:
    voter: Voter
    nominations: list[Nomination]

    @property
    def chosen_post(self) -> str:
        return next((n.chosen_post for n in self.nominations if n.chosen_post), "")

    @property
    def choice_date(self) -> dt.date | None:
        return next((n.choice_date for n in self.nominations if n.choice_date), None)


def two_post_nominees(election: CommunityElection) -> list[ChoiceRow]:
    """R16: persons nominated (with votes) for more than one post, with their nominations."""
    nominations = list(
        Nomination.objects.filter(count__election=election, count__post__in=COMMITTEE_POSTS)
        .select_related("voter", "count")
        .order_by("voter__name", "voter_id", "count__post")
    )
    tallies: dict[str, dict[str, int]] = {}
    for n in nominations:
        tallies.setdefault(n.count.post, {})[str(n.voter_id)] = n.votes
    keys = set(persons_needing_post_choice(tallies))
    rows: dict[int, ChoiceRow] = {}
    for n in nominations:
        if str(n.voter_id) in keys and n.votes > 0:
            rows.setdefault(n.voter_id, ChoiceRow(n.voter, [])).nominations.append(n)
    return list(rows.values())


def record_post_choice(
    election: CommunityElection,
    voter_id: int,
    *,
    chosen_post: str,
    on: dt.date | None,
    actor: Any,
) -> ChoiceRow:
    """R16: a person nominated for two posts confirms one in writing; the other
    nomination stands down (its post's cut is drawn without them)."""
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        row = next((r for r in two_post_nominees(locked) if r.voter.pk == voter_id), None)
        if row is None:
            raise CandidateError("此人没有同时被提名为两个以上职位，不需要书面选择")
        posts = {n.count.post for n in row.nominations}
        errors: dict[str, str] = {}
        if chosen_post not in posts:
            errors["chosen_post"] = "请在此人被提名的职位中选择一个"
        if on is None:
            errors["choice_date"] = "请填写书面选择的日期"
        if errors:
            raise CandidateError("没有保存，请改正标红的内容", errors=errors)
        for post in posts:
            _refuse_if_published(locked, post)
        assert on is not None
        old = row.chosen_post
        Nomination.objects.filter(pk__in=[n.pk for n in row.nominations]).update(
            chosen_post=chosen_post, choice_date=on
        )
        for post in posts:
            _drop_unpublished_candidates(locked, post, actor=actor)
        audit.record(
            actor,
            "candidates.nomination.post_chosen",
            row.voter,
            community_id=locked.community_id,
            data={
                "name": row.voter.name,
                "书面选择的职位": [post_label(old) if old else "", post_label(chosen_post)],
                "选择日期": on.isoformat(),
            },
        )
        for n in row.nominations:
            n.chosen_post, n.choice_date = chosen_post, on
        return row


# -- the notice (N6) and the nominees entering the slate -------------------------------


@dataclass(frozen=True)
class NoticeRow:
    rank: int
    name: str
    gender: str
    votes: int
    revote_votes: int | None
    in_cut: bool


@dataclass(frozen=True)
class NoticePost:
    post: str
    label: str
    seats: int | None
    held_on: dt.date | None
    ballots: int | None
    rows: tuple[NoticeRow, ...]
    note: str  # a tie or a pending choice, in plain words; empty when settled


def nominee_notice(election: CommunityElection) -> list[NoticePost]:
    """N6 候选人提名结果公告: per post, nominees ranked by nomination votes with their
    votes. Public fields only (name, gender, votes): no ID number, no address (§9)."""
    out: list[NoticePost] = []
    for post, standing in post_standings(election).items():
        rows = tuple(
            NoticeRow(
                rank=r.rank or 0,
                name=r.voter.name,
                gender=r.voter.gender,
                votes=r.votes,
                revote_votes=r.nomination.revote_votes,
                in_cut=r.in_cut,
            )
            for r in standing.order
        )
        out.append(
            NoticePost(
                post=post,
                label=standing.label,
                seats=standing.seats,
                held_on=standing.count.held_on if standing.count else None,
                ballots=standing.count.ballots if standing.count else None,
                rows=rows,
                note="；".join(standing.problems),
            )
        )
    return out


def candidate_from_nomination(
    nomination: Nomination, post: str, *, source: str, actor: Any
) -> Candidate:
    voter = nomination.voter
    return Candidate(
        election_id=nomination.count.election_id,
        track=Track.COMMITTEE,
        post=post,
        status=CandidateStatus.NOMINEE,
        source=source,
        voter=voter,
        nomination=nomination,
        name=voter.name,
        id_hash=voter.id_hash,
        id_encrypted=voter.id_encrypted,
        id_masked=voter.id_masked,
        gender=voter.gender,
        birth_date=voter.birth_date,
        ethnicity=voter.ethnicity,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def promote_nominees(election: CommunityElection, post: str, *, actor: Any) -> list[Candidate]:
    """Item 6: the nominees in a post's cut enter the slate (status 提名人选, to be
    vetted), with their details copied from the roll. Refused while the post has a
    tie, a pending two-post choice or too few nominees (R16, R17)."""
    _require_committee_post(post)
    with transaction.atomic():
        locked = CommunityElection.objects.select_for_update().get(pk=election.pk)
        standing = post_standings(locked)[post]
        if standing.problems:
            raise CandidateError("；".join(standing.problems))
        on_slate = set(
            Candidate.objects.filter(election=locked, track=Track.COMMITTEE, post=post).values_list(
                "voter_id", flat=True
            )
        )
        new = [
            candidate_from_nomination(
                r.nomination, post, source=CandidateSource.NOMINATION, actor=actor
            )
            for r in standing.order
            if r.in_cut and r.voter.pk not in on_slate
        ]
        # A person already standing for another committee post cannot take this one.
        clash = set(
            Candidate.objects.filter(
                Q(voter_id__in=[c.voter_id for c in new]),
                election=locked,
                track=Track.COMMITTEE,
                status__in=(CandidateStatus.NOMINEE, CandidateStatus.FORMAL),
            )
            .exclude(post=post)
            .values_list("name", flat=True)
        )
        if clash:
            raise CandidateError(
                f"{'、'.join(sorted(clash))}已是其他职位的候选人，须书面选择一个职位（R16）"
            )
        Candidate.objects.bulk_create(new)
        # R7: an election-committee member who becomes a candidate leaves the committee.
        withdraw_for_candidacy(locked, [c.voter_id for c in new if c.voter_id], actor=actor)
        audit.record(
            actor,
            "candidates.nominees.promoted",
            standing.count,
            community_id=locked.community_id,
            data={"职位": standing.label, "进入候选人名单": [c.name for c in new]},
        )
    return new


def held_on_text(count: NominationCount | None) -> str:
    return cn_date(count.held_on) if count else ""
