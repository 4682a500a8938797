"""Counting: validity of an election and a round, and who is elected.

R24 turnout, R25/P10 returned ballots, R26 marks per post, R27/R28 formal
election, R29 several posts, R31 另行选举, P3 party quorum, P11–P13 party
election, R15/R16 nomination. Thresholds follow G1 (integer cross-multiplication).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ._base import (
    POSTS,
    Decision,
    RulesInputError,
    by_votes,
    decision_from_cut,
    more_than_half_of,
    rank_and_cut,
    require_choice,
    require_int,
    require_key,
    require_seats,
    require_tally,
    require_threshold,
    unique,
)
from .params import (
    ELECTION_METHODS,
    NOMINATION_MEETING_QUORUMS,
    POST_VOTE_AGGREGATIONS,
    RETURNED_VS,
)

__all__ = [
    "REVOTE_RULES",
    "PartyExclusion",
    "PostsDecision",
    "ballot_section_valid",
    "decide_party",
    "decide_post",
    "decide_posts_in_order",
    "decide_revote",
    "decide_runoff",
    "nomination_meeting_valid",
    "party_expected_members",
    "party_quorum_met",
    "party_seat_reduction_approved",
    "rank_nominations",
    "round_valid",
    "runoff_candidates",
    "runoff_turnout_valid",
    "turnout_valid",
]


# --- validity of the election and of a round ---------------------------------------


def turnout_valid(registered: int, participants: int, *, method: str = "all_voters") -> bool:
    """R24, first element of 双过半: enough of the electorate took part.

    ``"all_voters"`` (登记选民) and ``"household"`` (户代表): more than half,
    ``2*participants > registered`` (G1, exactly half fails). ``"group_reps"``
    (居民小组代表): at least two thirds, ``3*participants >= 2*registered`` (G1, G2:
    "以上" includes). Nobody voting is never valid.
    """
    require_choice(method, ELECTION_METHODS, "选举方式")
    require_int(registered, "登记选民数")
    require_int(participants, "参加投票人数")
    if participants > registered:
        raise RulesInputError(
            f"参加投票人数 {participants} 超过登记选民数 {registered}", rule="R24"
        )
    if participants == 0:
        return False
    if method == "group_reps":
        return 3 * participants >= 2 * registered  # R24 [V], G1 "三分之二以上"
    return 2 * participants > registered  # R24, G1 "过半数"


def round_valid(
    issued: int,
    returned: int,
    signed_in: int | None = None,
    *,
    returned_vs: str = "min_issued_signed",
) -> bool:
    """R25 / P10: a ballot round is valid when returned ballots do not exceed the
    ballots issued, nor the voters signed in when that number is known.

    ``returned_vs`` (profile) picks the comparison: ``"issued"`` (新河),
    ``"signed"`` (statutes: 投票人数; needs ``signed_in``) or
    ``"min_issued_signed"`` (default: both, when ``signed_in`` is known).
    """
    require_choice(returned_vs, RETURNED_VS, "收回选票的比较对象")
    require_int(issued, "发出选票数")
    require_int(returned, "收回选票数")
    if signed_in is not None:
        require_int(signed_in, "签到投票人数")
    if returned_vs == "signed" and signed_in is None:
        raise RulesInputError("按投票人数核对收回选票时，必须提供签到投票人数", rule="R25")
    if returned_vs in ("issued", "min_issued_signed") and returned > issued:
        return False  # R25 [新河], P10
    if returned_vs in ("signed", "min_issued_signed") and signed_in is not None:
        return returned <= signed_in  # R25 [P], P10
    return True


def ballot_section_valid(*, seats: int, approvals: int, write_ins: int) -> bool:
    """R26 / P9: the marks for one post (approvals + write-ins) may not exceed its seats."""
    require_seats(seats)
    require_int(approvals, "赞成数")
    require_int(write_ins, "另选人数")
    return approvals + write_ins <= seats


# --- residents' committee: formal election and 另行选举 -------------------------------


def decide_post(*, seats: int, participants: int, votes: Mapping[str, int]) -> Decision:
    """R27, R28: the formal election of one post.

    R27: a key qualifies with more than half of the participants (参加投票的人数,
    blank and invalid ballots included, G6): ``2*votes > participants`` (G1; exactly
    half fails). Write-in keys may win.
    R28: with more qualifiers than seats, the most votes win; a tie straddling the
    last seat goes to a re-vote among the tied keys only.
    R31: seats left without a qualifier go to a 另行选举 (``shortfall``).
    """
    seats = require_seats(seats)
    participants = require_int(participants, "参加投票人数")
    tally = require_tally(votes, ceiling=participants, ceiling_label_zh="参加投票人数", seats=seats)
    cut = rank_and_cut(seats, tally, more_than_half_of(participants))  # R27, G1
    return decision_from_cut(
        cut,
        [
            "R27",
            "G1",
            *(["R28"] if cut.excess(seats) else []),
            *(["R31"] if cut.shortfall else []),
        ],
    )


def runoff_turnout_valid(
    registered: int, participants: int, *, method: str = "all_voters", required: bool = True
) -> bool:
    """R31 with R24: the 另行选举 round needs the same turnout as the first round
    when the profile's ``lingxing_turnout_required`` is on (default); otherwise any
    round in which somebody voted stands."""
    if required:
        return turnout_valid(registered, participants, method=method)
    require_int(registered, "登记选民数")
    require_int(participants, "参加投票人数")
    if participants > registered:
        raise RulesInputError(f"参加投票人数 {participants} 超过登记选民数 {registered}")
    return participants > 0


def decide_runoff(
    *,
    seats: int,
    total_ballots_cast: int,
    votes: Mapping[str, int],
    threshold_num: int = 1,
    threshold_den: int = 3,
) -> Decision:
    """R31: the 另行选举 for the seats a formal election left unfilled.

    The most votes win, and a winner needs at least one third of all ballots cast,
    invalid ballots included (G6): ``3*votes >= total_ballots_cast`` (G1 "不得少于").
    ``threshold_num/threshold_den`` is the profile's ``lingxing_threshold``. A key
    with no votes is never elected. Ties at the last seat re-vote (R28 pattern).
    Seats still unfilled (``shortfall``) are handled under R33 (vacancy) / R34.
    """
    seats = require_seats(seats)
    total = require_int(total_ballots_cast, "已投选票总数")
    num, den = require_threshold(threshold_num, threshold_den)
    tally = require_tally(votes, ceiling=total, ceiling_label_zh="已投选票总数", seats=seats)
    cut = rank_and_cut(seats, tally, lambda v: v > 0 and den * v >= num * total)  # R31, G1
    return decision_from_cut(
        cut,
        [
            "R31",
            "G1",
            *(["R28"] if cut.excess(seats) else []),
            *(["R33"] if cut.shortfall else []),
        ],
    )


REVOTE_RULES = ("R28", "P12", "R16", "R30")  # the rules that send a tie to a re-vote


def decide_revote(
    *,
    seats: int,
    votes: Mapping[str, int],
    ballots_cast: int | None = None,
    rule: str = "R28",
) -> Decision:
    """R28 / P12 (also R16, R30): the re-vote among keys tied for the last seat(s).

    ``votes`` holds every tied key (0 for none); ``seats`` is the ``contested`` count
    of the first decision. The higher total wins with no further threshold; if the
    re-vote ties again at the last seat, that group re-votes again (example 14;
    no drawing of lots, [U]).
    """
    seats = require_seats(seats)
    require_choice(rule, REVOTE_RULES, "再次投票依据")
    if ballots_cast is not None:
        require_int(ballots_cast, "再次投票的选票数")
    tally = require_tally(
        votes, ceiling=ballots_cast, ceiling_label_zh="再次投票的选票数", seats=seats
    )
    if len(tally) <= seats:
        raise RulesInputError(
            f"再次投票的人数（{len(tally)}）必须多于要确定的名额（{seats}）", rule=rule
        )
    cut = rank_and_cut(seats, tally, lambda v: True)
    return decision_from_cut(cut, [rule])


def runoff_candidates(
    votes: Mapping[str, int], *, elected: Iterable[str], shortfall: int, extra: int = 1
) -> tuple[str, ...]:
    """R31: the 另行选举 candidates — those not elected in the first vote with the
    most votes, at least ``shortfall + extra`` of them (差额), listed by first-round
    votes (the ballot order, S27). Everyone tied with the last one is included;
    keys without votes are not. Fewer are returned when fewer received votes.
    """
    require_seats(shortfall)
    require_int(extra, "另行选举候选人多于名额的人数")
    tally = require_tally(votes, ceiling=None, ceiling_label_zh="")
    if isinstance(elected, str):
        raise RulesInputError("当选人必须是标识的集合，而不是单个字符串")
    done = {require_key(k) for k in elected}
    ranked = [(k, v) for k, v in by_votes(tally) if k not in done and v > 0]
    wanted = shortfall + extra
    if len(ranked) <= wanted:
        return tuple(k for k, _ in ranked)
    last = ranked[wanted - 1][1]
    return tuple(k for k, v in ranked if v >= last)


# --- party election ----------------------------------------------------------------


def party_quorum_met(expected: int, present: int, *, inclusive: bool = False) -> bool:
    """P3: more than four fifths of 应到会有选举权的党员 are present.

    ``5*present > 4*expected`` (G1 "超过…五分之四"). With ``inclusive`` (profile
    ``party_quorum_inclusive``, the 中组部 explanation / "不少于" variant) exactly four
    fifths also suffices: ``5*present >= 4*expected``. Nobody expected → no quorum.
    """
    require_int(expected, "应到会有选举权人数")
    require_int(present, "实到会有选举权人数")
    if present > expected:
        raise RulesInputError(f"实到会人数 {present} 超过应到会人数 {expected}", rule="P3")
    if present == 0:
        return False
    if inclusive:
        return 5 * present >= 4 * expected  # P3 variant, G1 "不少于五分之四"
    return 5 * present > 4 * expected  # P3, G1 "超过五分之四"


@dataclass(frozen=True)
class PartyExclusion:
    """P2: one member proposed for exclusion from 应到会 under ``category`` (1–5, or
    6 with the variant), with the two approvals the exclusion needs."""

    category: int
    superior_approved: bool  # 经报上级党组织同意
    meeting_passed: bool  # 经党员大会通过


def party_expected_members(
    voting_members: int, exclusions: Iterable[PartyExclusion] = (), *, categories: int = 5
) -> int:
    """P2: 应到会有选举权人数 = members holding voting rights (P1) minus exclusions
    that have **both** 上级 approval and the 党员大会's vote, in one of the
    ``categories`` (profile ``party_absence_categories``: 5, or 6 with the 离退休
    variant). Anyone else absent still counts.
    """
    require_int(voting_members, "有选举权的党员人数")
    if categories not in (5, 6):
        raise RulesInputError("不计入应到会人数的情形只能是 5 类或 6 类", rule="P2")
    excluded = 0
    for item in exclusions:
        if not isinstance(item, PartyExclusion):
            raise RulesInputError("不计入应到会人数的情形必须以 PartyExclusion 给出")
        require_int(item.category, "情形类别", minimum=1)
        if item.category > categories:
            raise RulesInputError(f"情形类别 {item.category} 不在 1–{categories} 之内", rule="P2")
        if item.superior_approved and item.meeting_passed:  # P2: both, or it still counts
            excluded += 1
    if excluded > voting_members:
        raise RulesInputError("不计入应到会的人数超过有选举权的党员人数", rule="P2")
    return voting_members - excluded


def decide_party(*, seats: int, present: int, approvals: Mapping[str, int]) -> Decision:
    """P11–P13: the party committee election at the 党员大会.

    P11: a key qualifies with more than half of 实到会有选举权的人数 (not ballots cast,
    not valid ballots): ``2*approvals > present``; exactly half fails.
    P12: with more qualifiers than seats, most approvals win; a tie straddling the
    last seat re-votes among the tied only.
    P13: seats without a qualifier are a shortfall (另行选举 with the same > half
    threshold — call this function again — or a seat reduction; never filled by
    ranking those at or below half).
    """
    seats = require_seats(seats)
    present = require_int(present, "实到会有选举权人数")
    tally = require_tally(
        approvals,
        ceiling=present,
        ceiling_label_zh="实到会有选举权人数",
        vote_label_zh="赞成票",
        seats=seats,
    )
    cut = rank_and_cut(seats, tally, more_than_half_of(present))  # P11, G1
    return decision_from_cut(
        cut,
        [
            "P11",
            "G1",
            *(["P12"] if cut.excess(seats) else []),
            *(["P13"] if cut.shortfall else []),
        ],
    )


def party_seat_reduction_approved(present: int, consenting: int) -> bool:
    """P13: "经半数以上选举人同意…也可以减少名额，不再进行选举".

    "半数以上" read with 民法典 art. 1259 (G2: "以上" includes the number):
    ``2*consenting >= present``. Whether the shortfall is "接近应选名额" is a
    judgement this function does not make.
    """
    require_int(present, "实到会有选举权人数")
    require_int(consenting, "同意减少名额的人数")
    if consenting > present:
        raise RulesInputError(f"同意人数 {consenting} 超过实到会人数 {present}", rule="P13")
    return present > 0 and 2 * consenting >= present


# --- nomination ----------------------------------------------------------------------


def nomination_meeting_valid(registered: int, participants: int, *, quorum: str = "half") -> bool:
    """R15: the nomination meeting needs more than half of the registered voters
    (Beijing, Zhejiang: ``2*participants > registered``); profile
    ``nomination_meeting_quorum == "none"`` drops the requirement (anyone taking
    part suffices)."""
    require_choice(quorum, NOMINATION_MEETING_QUORUMS, "提名会议人数要求")
    require_int(registered, "登记选民数")
    require_int(participants, "参加提名人数")
    if participants > registered:
        raise RulesInputError(f"参加提名人数 {participants} 超过登记选民数 {registered}")
    if quorum == "none":
        return participants > 0
    return 2 * participants > registered  # R15, G1


def rank_nominations(seats_plus_extra: int, votes: Mapping[str, int]) -> Decision:
    """R16: formal candidates of one post, ranked by nomination votes.

    ``seats_plus_extra`` is how many formal candidates the post gets (seats plus the
    差额, R17). The nominees with most votes make the list; a tie at the cut-off goes
    to a re-vote (R16, the R28 pattern); nominees with no vote are not listed. Too
    few nominees → ``shortfall`` (the 差额 of R17 is not met).
    """
    places = require_seats(seats_plus_extra)
    tally = require_tally(votes, ceiling=None, ceiling_label_zh="")
    cut = rank_and_cut(places, tally, lambda v: v > 0)
    return decision_from_cut(cut, ["R16", *(["R17"] if cut.shortfall else [])])


# --- several posts in order (R29) ---------------------------------------------------


@dataclass(frozen=True)
class PostsDecision:
    """Outcome of :func:`decide_posts_in_order`.

    ``decisions``: post → :class:`Decision`, for the posts decided, highest first.
    ``pending``: posts not decided yet because a higher post has a tie awaiting its
    re-vote (its losers stay eligible for lower posts, R28/R29); decide again with
    ``revote_winners`` once the re-vote is held.
    ``effective_votes``: the tallies actually compared for each decided post, after
    R29 removal of people elected to a higher post and any downward aggregation.
    """

    decisions: Mapping[str, Decision]
    pending: tuple[str, ...]
    effective_votes: Mapping[str, Mapping[str, int]]
    reasons: tuple[str, ...]

    @property
    def elected(self) -> dict[str, tuple[str, ...]]:
        """Post → keys elected to it so far."""
        return {post: d.elected for post, d in self.decisions.items()}

    @property
    def complete(self) -> bool:
        """Every post decided and every seat filled."""
        return not self.pending and all(d.complete for d in self.decisions.values())


def decide_posts_in_order(
    *,
    seats: Mapping[str, int],
    participants: int | Mapping[str, int],
    votes: Mapping[str, Mapping[str, int]],
    aggregation: str = "none",
    revote_winners: Mapping[str, Iterable[str]] | None = None,
) -> PostsDecision:
    """R29: decide 主任 → 副主任 → 委员, each post by R27/R28.

    Post keys are ``"director"``, ``"deputy_director"`` and ``"member"``; ``seats``
    names the posts being elected. Someone elected to a higher post is removed from
    the lower posts' tallies (R29). With ``aggregation="downward_cumulative"``
    (profile ``post_vote_aggregation``), a key's 副主任 total is its 主任 + 副主任
    votes and its 委员 total is 主任 + 副主任 + 委员 votes; the 主任 counts only
    主任 votes.

    ``participants``: one number when one ballot carries every post; post → number
    when the posts are elected in separate rounds (R22, 新河), each round then
    judged against its own participants (R24, R27). Aggregation needs one ballot.

    ``revote_winners``: post → keys that won the re-vote of that post's tie (R28);
    they must be exactly ``contested`` of its ``tied`` keys.
    """
    require_choice(aggregation, POST_VOTE_AGGREGATIONS, "职位得票累计方式")
    if isinstance(participants, Mapping):
        if aggregation == "downward_cumulative":
            raise RulesInputError("向下累计计票只适用于一张选票同时选举各职位", rule="R29")
        for post in seats:
            if post not in participants:
                raise RulesInputError(f"分轮选举须提供职位 {post!r} 的参加投票人数", rule="R24")
        voters = {post: require_int(n, "参加投票人数") for post, n in participants.items()}
    else:
        one = require_int(participants, "参加投票人数")
        voters = dict.fromkeys(POSTS, one)
    for post in [*seats, *votes, *voters]:
        if post not in POSTS:
            raise RulesInputError(f"未知职位 {post!r}，可选：{'、'.join(POSTS)}", rule="R29")
    for post in votes:
        if post not in seats:
            raise RulesInputError(f"职位 {post!r} 有得票但没有应选名额", rule="R29")
    order = [post for post in POSTS if post in seats]
    seat_counts = {post: require_seats(seats[post]) for post in order}
    raw = {
        post: require_tally(
            votes.get(post, {}),
            ceiling=voters[post],
            ceiling_label_zh="参加投票人数",
            seats=seat_counts[post],
        )
        for post in order
    }
    winners = {post: tuple(keys) for post, keys in (revote_winners or {}).items()}
    for post in winners:
        if post not in seat_counts:
            raise RulesInputError(f"职位 {post!r} 不在本次选举中", rule="R29")

    decisions: dict[str, Decision] = {}
    effective: dict[str, Mapping[str, int]] = {}
    elected_higher: set[str] = set()
    pending: list[str] = []
    for index, post in enumerate(order):
        if pending or any(d.tied for d in decisions.values()):
            # R28/R29: a higher post's tie is unresolved; its losers may still win here.
            if post in winners:
                raise RulesInputError(
                    "高一职位的再次投票尚未完成，不能确定本职位的再次投票结果", rule="R29"
                )
            pending.append(post)
            continue
        if aggregation == "downward_cumulative":  # R29 variant [S31]
            tally: dict[str, int] = {}
            for higher in order[: index + 1]:
                for key, v in raw[higher].items():
                    tally[key] = tally.get(key, 0) + v
            for key, v in tally.items():
                if v > voters[post]:
                    raise RulesInputError(
                        f"「{key}」各职位累计得票 {v} 超过参加投票人数 {voters[post]}"
                        "（同一人在一张选票上只能得一票）",
                        rule="R26",
                    )
        else:
            tally = dict(raw[post])
        for key in elected_higher:  # R29: elected to a higher post
            tally.pop(key, None)
        effective[post] = MappingProxyType(tally)
        cut = rank_and_cut(seat_counts[post], tally, more_than_half_of(voters[post]))  # R27, G1
        decision = decision_from_cut(
            cut,
            [
                "R27",
                "G1",
                "R29",
                *(["R28"] if cut.excess(seat_counts[post]) else []),
                *(["R31"] if cut.shortfall else []),
            ],
        )
        if post in winners:
            decision = _apply_revote(decision, winners[post])
        decisions[post] = decision
        elected_higher.update(decision.elected)
    return PostsDecision(
        decisions=MappingProxyType(decisions),
        pending=tuple(pending),
        effective_votes=MappingProxyType(effective),
        reasons=unique(["R29", *(r for d in decisions.values() for r in d.reasons)]),
    )


def _apply_revote(decision: Decision, winners: tuple[str, ...]) -> Decision:
    """R28: the re-vote among ``decision.tied`` elected ``winners``."""
    for key in winners:
        require_key(key)
    if not decision.tied:
        raise RulesInputError("该职位没有得票相等需要再次投票的人", rule="R28")
    if len(set(winners)) != len(winners) or not set(winners) <= set(decision.tied):
        raise RulesInputError("再次投票的当选人必须是得票相等的人", rule="R28")
    if len(winners) != decision.contested:
        raise RulesInputError(
            f"再次投票应确定 {decision.contested} 名当选人（收到 {len(winners)} 名）", rule="R28"
        )
    return Decision(
        elected=decision.elected + tuple(sorted(winners)),
        tied=(),
        contested=0,
        shortfall=decision.shortfall,
        reasons=unique([*decision.reasons, "R28"]),
    )
