"""Kinship avoidance among the elected (R4, R30)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ._base import (
    POSTS,
    Decision,
    RulesInputError,
    Violation,
    decision_from_cut,
    rank_and_cut,
    require_choice,
    require_int,
    require_key,
    require_seats,
    require_tally,
    require_threshold,
    unique,
)
from .params import KINSHIP_RELATION_SETS

__all__ = [
    "RELATION_KINDS",
    "RELATION_SETS",
    "AvoidanceConflict",
    "ElectedPerson",
    "KinshipResolution",
    "avoidance_conflicts",
    "check_counting_staff",
    "relation_in_set",
    "resolve_kinship",
]

# How two people are related, from the point of view of the first one.
RELATION_KINDS = (
    "spouse",  # 配偶
    "parent",  # 父母
    "child",  # 子女
    "sibling",  # 兄弟姐妹
    "grandparent",  # 祖父母
    "maternal_grandparent",  # 外祖父母
    "grandchild",  # 孙子女
    "maternal_grandchild",  # 外孙子女
    "other_lineal",  # 其他直系血亲（曾祖父母、曾孙子女…）
    "other",  # 其他关系（姻亲、邻居…）
)

_NEAR_8 = frozenset(RELATION_KINDS[:8])
# R4 / B6: which relation kinds each profile set covers.
RELATION_SETS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        # 民法典 art. 1045; Zhejiang 2025; 2025 居委会 rules (S21)
        "near_relatives_8": _NEAR_8,
        # Shanghai: 夫妻关系或者直系亲属关系
        "spouse_lineal": (_NEAR_8 - {"sibling"}) | {"other_lineal"},
        # Zhejiang 2020 art. 31: spouse, parent-child, siblings
        "spouse_parent_child_sibling": frozenset({"spouse", "parent", "child", "sibling"}),
        # B6 2025 fragment [U]: any other voter of the community may hold a proxy
        "any_voter": frozenset(RELATION_KINDS),
    }
)


def relation_in_set(kind: str | None, relation_set: str) -> bool:
    """R4 / B6: does a relation of ``kind`` fall in the profile's ``relation_set``?

    ``kind=None`` means "not related"; only ``"any_voter"`` (proxies) accepts it.
    """
    require_choice(relation_set, tuple(RELATION_SETS), "亲属关系范围")
    if kind is None:
        return relation_set == "any_voter"
    require_choice(kind, RELATION_KINDS, "亲属关系")
    return kind in RELATION_SETS[relation_set]


@dataclass(frozen=True)
class ElectedPerson:
    """Someone elected in a count: key, post (``POSTS``; earlier = higher) and votes."""

    key: str
    post: str
    votes: int

    def __post_init__(self) -> None:
        require_key(self.key)
        require_choice(self.post, POSTS, "职位")
        require_int(self.votes, f"「{self.key}」的得票数")


@dataclass(frozen=True)
class KinshipResolution:
    """Outcome of :func:`resolve_kinship`.

    ``kept``: keep their seats (higher post first, then more votes).
    ``removed``: lose their seat to a relative with a higher post or more votes.
    ``revote_groups``: related people with the same post and votes; each group
    re-votes and the higher total keeps the seat (R30 step 4).
    ``pending``: people whose fate depends on such a re-vote (related to someone in
    a group). ``conflicts``: every related pair among the elected.
    ``vacated``: post → seats vacated by ``removed``. ``fills``: post → the decision
    filling them (R30 step 5), computed once no re-vote is pending and tallies are
    given.
    """

    kept: tuple[str, ...]
    removed: tuple[str, ...]
    revote_groups: tuple[tuple[str, ...], ...]
    pending: tuple[str, ...]
    conflicts: tuple[tuple[str, str], ...]
    vacated: Mapping[str, int]
    fills: Mapping[str, Decision]
    reasons: tuple[str, ...]

    @property
    def settled(self) -> bool:
        return not self.revote_groups and not self.pending


def _components(keys: Sequence[str], adjacency: Mapping[str, set[str]]) -> list[list[str]]:
    remaining = list(keys)
    inside = set(keys)
    groups: list[list[str]] = []
    while remaining:
        stack = [remaining[0]]
        group: set[str] = set()
        while stack:
            key = stack.pop()
            if key in group:
                continue
            group.add(key)
            stack.extend(adjacency.get(key, set()) & inside)
        groups.append(sorted(group))
        remaining = [k for k in remaining if k not in group]
    return groups


def resolve_kinship(
    *,
    elected: Sequence[ElectedPerson],
    relations: Iterable[tuple[str, str, str]],
    relation_set: str = "near_relatives_8",
    revote_winners: Iterable[str] = (),
    tallies: Mapping[str, Mapping[str, int]] | None = None,
    after_runoff: bool = False,
    participants: int | None = None,
    total_ballots_cast: int | None = None,
    threshold_num: int = 1,
    threshold_den: int = 3,
) -> KinshipResolution:
    """R30: resolve 近亲属 conflicts among the elected (R4 relation set).

    ``relations`` are ``(key_a, key_b, kind)`` triples (``kind`` from
    ``RELATION_KINDS``); only kinds in ``relation_set`` (profile
    ``kinship_relation_set``) count. Steps (Zhejiang art. 31):

    1. find every elected pair related within the set;
    2. keep the one with the higher post;
    3. same post → keep the one with more votes;
    4. same post and votes → re-vote; pass the winners as ``revote_winners`` and
       call again;
    5. fill each vacated seat from ``tallies[post]`` (the effective tally of that
       post, R29): the next person by votes, not already elected and not related to
       anyone kept, with ``2*v > participants`` after a first round (R27) or
       ``den*v >= num*total_ballots_cast`` after a 另行选举 (``after_runoff``, R31).
       Ties at the last seat re-vote (R28); seats nobody qualifies for are left to
       a 另行选举 (R31) or vacancy rules (R33). Call again with the new elected set
       to confirm the replacements are not related to each other.
    """
    require_choice(relation_set, KINSHIP_RELATION_SETS, "近亲属回避范围")
    people = list(elected)
    for person in people:
        if not isinstance(person, ElectedPerson):
            raise RulesInputError("当选人必须以 ElectedPerson 给出")
    by_key = {p.key: p for p in people}
    if len(by_key) != len(people):
        raise RulesInputError("同一人在当选名单中出现了两次", rule="R30")
    adjacency: dict[str, set[str]] = {}
    for triple in relations:
        a, b, kind = triple
        require_key(a)
        require_key(b)
        if a == b:
            raise RulesInputError(f"「{a}」不能与自己构成亲属关系", rule="R4")
        if relation_in_set(kind, relation_set):
            adjacency.setdefault(a, set()).add(b)
            adjacency.setdefault(b, set()).add(a)
    winners = {require_key(k) for k in revote_winners}
    unknown = winners - set(by_key)
    if unknown:
        raise RulesInputError(f"再次投票胜出者 {sorted(unknown)} 不在当选名单中", rule="R30")

    def related(key: str, others: set[str]) -> bool:
        return bool(adjacency.get(key, set()) & others)

    conflicts = sorted(
        {tuple(sorted((a, b))) for a in by_key for b in adjacency.get(a, set()) if b in by_key}
    )
    rank = {post: i for i, post in enumerate(POSTS)}
    classes: dict[tuple[int, int], list[str]] = {}
    for p in people:
        classes.setdefault((rank[p.post], -p.votes), []).append(p.key)  # R30 steps 2-3

    kept: list[str] = []
    kept_set: set[str] = set()
    removed: list[str] = []
    pending: list[str] = []
    unresolved: set[str] = set()
    groups: list[tuple[str, ...]] = []
    for cls in sorted(classes):
        free: list[str] = []
        for key in sorted(classes[cls]):
            if related(key, kept_set):
                removed.append(key)
            elif related(key, unresolved):
                pending.append(key)
                unresolved.add(key)
            else:
                free.append(key)
        # R30 step 4: re-vote winners first, then the rest of the class.
        ordered = [k for k in free if k in winners] + [k for k in free if k not in winners]
        rest: list[str] = []
        for key in ordered:
            if related(key, kept_set):
                if key in winners:
                    raise RulesInputError("两位再次投票胜出者互为近亲属", rule="R30")
                removed.append(key)
            elif key in winners:
                kept.append(key)
                kept_set.add(key)
            else:
                rest.append(key)
        rest_adjacency = {k: adjacency.get(k, set()) & set(rest) for k in rest}
        for group in _components(rest, rest_adjacency):
            if len(group) == 1:
                kept.append(group[0])
                kept_set.add(group[0])
            else:
                groups.append(tuple(group))
                unresolved.update(group)

    vacated: dict[str, int] = {}
    for key in removed:
        vacated[by_key[key].post] = vacated.get(by_key[key].post, 0) + 1
    fills: dict[str, Decision] = {}
    if tallies is not None and vacated and not groups and not pending:
        fills = _fill_vacancies(
            vacated,
            tallies,
            elected_keys=set(by_key),
            blocked=lambda key: related(key, kept_set),
            after_runoff=after_runoff,
            participants=participants,
            total_ballots_cast=total_ballots_cast,
            threshold=(threshold_num, threshold_den),
        )
    return KinshipResolution(
        kept=tuple(kept),
        removed=tuple(removed),
        revote_groups=tuple(groups),
        pending=tuple(pending),
        conflicts=tuple((a, b) for a, b in conflicts),
        vacated=MappingProxyType(vacated),
        fills=MappingProxyType(fills),
        reasons=unique(["R30", "R4", *(["R28"] if groups else [])]),
    )


def _fill_vacancies(
    vacated: Mapping[str, int],
    tallies: Mapping[str, Mapping[str, int]],
    *,
    elected_keys: set[str],
    blocked: Callable[[str], bool],
    after_runoff: bool,
    participants: int | None,
    total_ballots_cast: int | None,
    threshold: tuple[int, int],
) -> dict[str, Decision]:
    """R30 step 5: fill vacated seats post by post."""
    if after_runoff:
        if total_ballots_cast is None:
            raise RulesInputError("另行选举后递补须提供已投选票总数", rule="R30")
        total = require_int(total_ballots_cast, "已投选票总数")
        num, den = require_threshold(*threshold)
        ceiling, label = total, "已投选票总数"

        def qualifies(v: int) -> bool:
            return v > 0 and den * v >= num * total  # R31, G1

        rules = ["R30", "R31", "G1"]
    else:
        if participants is None:
            raise RulesInputError("递补须提供参加投票人数", rule="R30")
        voters = require_int(participants, "参加投票人数")
        ceiling, label = voters, "参加投票人数"

        def qualifies(v: int) -> bool:
            return 2 * v > voters  # R27, G1

        rules = ["R30", "R27", "G1"]
    fills: dict[str, Decision] = {}
    for post in POSTS:
        if post not in vacated:
            continue
        seats = require_seats(vacated[post])
        if post not in tallies:
            raise RulesInputError(f"递补须提供职位 {post!r} 的得票", rule="R30")
        tally = require_tally(tallies[post], ceiling=ceiling, ceiling_label_zh=label)
        pool = {k: v for k, v in tally.items() if k not in elected_keys and not blocked(k)}
        cut = rank_and_cut(seats, pool, qualifies)
        fills[post] = decision_from_cut(
            cut,
            [
                *rules,
                *(["R28"] if cut.excess(seats) else []),
                *((["R33"] if after_runoff else ["R31"]) if cut.shortfall else []),
            ],
        )
    return fills


def check_counting_staff(
    *,
    is_candidate: bool,
    relations_to_candidates: Iterable[str] = (),
    relation_set: str = "near_relatives_8",
) -> tuple[Violation, ...]:
    """R8: candidates and their near relatives may not serve as 监票、唱票、计票、
    发票 or 代书 staff. ``relations_to_candidates``: how the person is related to
    each candidate (``RELATION_KINDS``); ``relation_set``: the profile's
    ``kinship_relation_set``."""
    require_choice(relation_set, KINSHIP_RELATION_SETS, "近亲属回避范围")
    found: list[Violation] = []
    if is_candidate:
        found.append(
            Violation("candidate", ("R8",), "候选人不得担任监票、唱票、计票、发票或代书人员")
        )
    if any(relation_in_set(kind, relation_set) for kind in relations_to_candidates):
        found.append(
            Violation(
                "candidate_relative",
                ("R8", "R4"),
                "候选人的近亲属不得担任监票、唱票、计票、发票或代书人员",
            )
        )
    return tuple(found)


AVOIDANCE_CODES = ("two_committees", "supervision", "election_committee")


@dataclass(frozen=True)
class AvoidanceConflict:
    """Two related people (``a`` is ``kind`` of ``b``) in places the law keeps apart.

    ``code``: ``two_committees`` (both stand for or sit on the 两委, R4),
    ``supervision`` (one on the 两委, the other — or the same person — on the 居务监督委员会,
    R4), ``election_committee`` (a candidate's relative sits on the 居民选举委员会, R7).
    ``kind`` is ``None`` when ``a`` and ``b`` are the same person.
    """

    code: str
    a: str
    b: str
    kind: str | None
    rules: tuple[str, ...]


def avoidance_conflicts(
    *,
    two_committees: Iterable[str],
    supervision: Iterable[str] = (),
    election_committee: Iterable[str] = (),
    relations: Iterable[tuple[str, str, str]] = (),
    relation_set: str = "near_relatives_8",
) -> tuple[AvoidanceConflict, ...]:
    """R4, R7: warnings before the vote (the count resolves the elected by R30).

    ``two_committees``: people standing for or sitting on either committee (both
    tracks); ``supervision``: the 居务监督委员会; ``election_committee``: its sitting
    members; ``relations``: ``(a, b, kind)`` triples, ``a`` is ``kind`` of ``b``; only
    kinds within the profile's ``relation_set`` count. Each pair is reported once per
    code, in the order the relations were given."""
    require_choice(relation_set, KINSHIP_RELATION_SETS, "近亲属回避范围")
    seated = {require_key(k) for k in two_committees}
    watch = {require_key(k) for k in supervision}
    committee = {require_key(k) for k in election_committee}
    found: list[AvoidanceConflict] = []
    seen: set[tuple[str, frozenset[str]]] = set()

    def add(code: str, a: str, b: str, kind: str | None, rules: tuple[str, ...]) -> None:
        mark = (code, frozenset((a, b)))
        if mark not in seen:
            seen.add(mark)
            found.append(AvoidanceConflict(code, a, b, kind, rules))

    for key in sorted(seated & watch):
        # R4: a 两委 member may not sit on the 居务监督委员会 at all.
        add("supervision", key, key, None, ("R4",))
    for a, b, kind in relations:
        require_key(a)
        require_key(b)
        if a == b:
            raise RulesInputError(f"「{a}」不能与自己构成亲属关系", rule="R4")
        if not relation_in_set(kind, relation_set):
            continue
        if a in seated and b in seated:
            add("two_committees", a, b, kind, ("R4",))
        if (a in seated and b in watch) or (b in seated and a in watch):
            add("supervision", a, b, kind, ("R4",))
        if (a in seated and b in committee) or (b in seated and a in committee):
            add("election_committee", a, b, kind, ("R7", "R4"))
    return tuple(found)
