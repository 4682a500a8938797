"""Shared set-up of the election-day tests: a roll, formal candidates, polling places,
a second committee member, numbers for a sheet and the two entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from ballots import services
from ballots.models import BallotRound, PlaceKind, PollingPlace, TallySheet
from candidates.models import Candidate, CandidateStatus, Track
from candidates.models.slate import CandidateSource
from elections import services as core
from elections.models import CommunityElection, Role
from elections.registration.models import Voter
from tests.candidates.committee_slate_helpers import set_seats, voters
from tests.conftest import Cast

OPENS, CLOSES = dt.time(8, 0), dt.time(17, 0)


@dataclass
class Day:
    cast: Cast
    election: CommunityElection
    member: Any  # member_a
    member2: Any  # a second committee member of XH01
    chair: Any
    places: list[PollingPlace]
    candidates: dict[str, Candidate] = field(default_factory=dict)


def second_member(cast: Cast, name: str = "member_a2") -> Any:
    user = get_user_model().objects.create_user(name, password="x-test-pass")
    core.assign_role(user, Role.COMMITTEE_MEMBER, cast.community_a, actor=cast.admin)
    return user


def formal(
    election: CommunityElection, actor: Any, post: str, people: Mapping[str, str]
) -> list[Candidate]:
    """Formal candidates of one committee post (name → gender), in ballot order."""
    roll = voters(election, actor, people)
    return [
        candidate_of(roll[name], post, CandidateStatus.FORMAL, ballot_order=i)
        for i, name in enumerate(people, start=1)
    ]


def candidate_of(v: Voter, post: str, status: str, *, ballot_order: int = 0) -> Candidate:
    """A committee candidate standing as the voter `v` (nominated)."""
    return Candidate.objects.create(
        election=v.election,
        track=Track.COMMITTEE,
        post=post,
        status=status,
        source=CandidateSource.NOMINATION,
        voter=v,
        name=v.name,
        id_hash=v.id_hash,
        id_encrypted=v.id_encrypted,
        id_masked=v.id_masked,
        gender=v.gender,
        birth_date=v.birth_date,
        ballot_order=ballot_order,
    )


def day(
    cast: Cast,
    *,
    filler: int = 16,
    director: Mapping[str, str] | None = None,
    member: Mapping[str, str] | None = None,
    places: Sequence[tuple[str, str]] = (("central", "中心会场"), ("mobile", "流动票箱一")),
) -> Day:
    """XH01 with 1 director and 3 member seats, two formal director candidates and four
    member candidates, `filler` more voters, and the given polling places."""
    election = cast.election_a
    officer = cast.users["officer"]
    set_seats(election, director=1, deputy=1, member=3)
    director = director or {"赵主任": "男", "钱主任": "女"}
    member = member or {"孙委": "男", "李委": "女", "周委": "男", "吴委": "女"}
    people = {c.name: c for c in formal(election, officer, "director", director)}
    people |= {c.name: c for c in formal(election, officer, "member", member)}
    voters(election, officer, {}, filler=filler)
    made = [
        services.add_place(
            election,
            kind=kind,
            name=name,
            place="社区服务中心" if kind != PlaceKind.MOBILE else "一组至三组",
            opens_at=OPENS,
            closes_at=CLOSES,
            actor=officer,
        )
        for kind, name in places
    ]
    return Day(
        cast=cast,
        election=election,
        member=cast.users["member_a"],
        member2=second_member(cast),
        chair=cast.users["chair_a"],
        places=made,
        candidates=people,
    )


def numbers(
    r: BallotRound,
    votes: Mapping[str, int],
    *,
    signed_in: int,
    issued: int | None = None,
    returned: int | None = None,
    blank: int = 0,
    invalid: int = 0,
    write_ins: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    """A sheet's numbers by candidate name (names not given get 0)."""
    by_name = {rc.name: f"c{rc.pk}" for rc in r.candidates.all()}
    unknown = set(votes) - set(by_name)
    assert not unknown, unknown
    return {
        "signed_in": signed_in,
        "issued": signed_in if issued is None else issued,
        "returned": signed_in if returned is None else returned,
        "blank": blank,
        "invalid": invalid,
        "votes": {key: int(votes.get(name, 0)) for name, key in by_name.items()},
        "write_ins": [[n, v] for n, v in write_ins],
    }


def sheets(r: BallotRound) -> list[TallySheet]:
    return list(r.sheets.order_by("place_id"))


def enter_twice(d: Day, sheet: TallySheet, nums: Mapping[str, Any]) -> None:
    services.enter(sheet, nums, actor=d.member)
    services.enter(sheet, nums, actor=d.member2)


def count(
    d: Day, r: BallotRound, per_sheet: Sequence[Mapping[str, Any]], *, close: bool = True
) -> BallotRound:
    """Both entries, confirmation (explaining any warning) and the result of a round."""
    for sheet, nums in zip(sheets(r), per_sheet, strict=True):
        enter_twice(d, sheet, nums)
        found = services.findings(sheet, nums)
        services.confirm(
            sheet, explanations={f.code: "已核对" for f in found}, actor=d.chair, version=None
        )
    if close:
        return services.close_round(r, actor=d.chair)
    return r


def zero(r: BallotRound) -> dict[str, Any]:
    """An empty second sheet (a mobile box nobody used)."""
    return numbers(r, {}, signed_in=0)
