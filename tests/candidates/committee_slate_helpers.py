"""Shared set-up of the committee nominations and slate tests: seats, voters, counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from random import Random
from typing import Any

from candidates.models import Candidate, Seat, Track
from candidates.services.nominations import add_nominee, promote_nominees, save_nomination_count
from elections.models import CommunityElection
from elections.registration.models import Voter, VoterCategory
from elections.registration.services import VoterData, register_voter
from tests.idgen import generate_valid_id

_rng = Random(8128)
_issued: set[str] = set()
HELD_ON = dt.date(2026, 12, 1)


def new_id(birth: dt.date, gender: str) -> str:
    while True:
        number = generate_valid_id(_rng, birth_date=birth, gender=gender)
        if number not in _issued:
            _issued.add(number)
            return number


def set_seats(
    election: CommunityElection, *, director: int = 1, deputy: int = 1, member: int = 3
) -> None:
    for post, seats in (("director", director), ("deputy_director", deputy), ("member", member)):
        Seat.objects.update_or_create(
            election=election, track=Track.COMMITTEE, post=post, defaults={"seats": seats}
        )


def voters(
    election: CommunityElection, actor: Any, names: Mapping[str, str], *, filler: int = 0
) -> dict[str, Voter]:
    """Voters by name (name → gender), plus `filler` more so the roll is big enough."""
    out: dict[str, Voter] = {}
    all_names = dict(names) | {f"居民{i:02}": "男" for i in range(filler)}
    for i, (name, gender) in enumerate(all_names.items()):
        birth = dt.date(1975, 1, 1) + dt.timedelta(days=37 * i)
        out[name] = register_voter(
            election,
            VoterData(
                name=name,
                id_number=new_id(birth, gender),
                category=VoterCategory.RESIDENT,
                gender=gender,
                birth_date=birth,
            ),
            actor=actor,
        )
    return out


def enter(
    election: CommunityElection,
    post: str,
    votes: Mapping[Voter, int],
    *,
    ballots: int,
    actor: Any,
) -> dict[str, int]:
    """Enter a post's count: the meeting, the nominees, their votes. Returns name → pk."""
    save_nomination_count(election, post, held_on=HELD_ON, ballots=ballots, actor=actor)
    nominations = {v: add_nominee(election, post, v.pk, actor=actor) for v in votes}
    save_nomination_count(
        election,
        post,
        held_on=HELD_ON,
        ballots=ballots,
        votes={n.pk: votes[v] for v, n in nominations.items()},
        actor=actor,
    )
    return {v.name: n.pk for v, n in nominations.items()}


def full_slate(
    election: CommunityElection, actor: Any, *, pledge: bool = True
) -> tuple[dict[str, Voter], list[Candidate]]:
    """Every post entered and promoted: 主任 2, 副主任 2, 委员 4 candidates (one woman in
    each), and a ninth nominee of 委员 for 递补."""
    set_seats(election)
    people = voters(
        election,
        actor,
        {
            "赵主": "男",
            "钱主": "女",
            "孙副": "男",
            "李副": "女",
            "周委": "男",
            "吴委": "女",
            "郑委": "男",
            "王委": "男",
            "冯委": "男",
            "陈委": "女",
        },
        filler=10,
    )
    enter(election, "director", {people["赵主"]: 6, people["钱主"]: 4}, ballots=11, actor=actor)
    enter(
        election, "deputy_director", {people["孙副"]: 6, people["李副"]: 4}, ballots=11, actor=actor
    )
    enter(
        election,
        "member",
        {
            people["周委"]: 10,
            people["吴委"]: 8,
            people["郑委"]: 6,
            people["王委"]: 5,
            people["冯委"]: 3,
            people["陈委"]: 1,
        },
        ballots=11,
        actor=actor,
    )
    created: list[Candidate] = []
    for post in ("director", "deputy_director", "member"):
        created += promote_nominees(election, post, actor=actor)
    if pledge:
        Candidate.objects.filter(election=election).update(pledge_signed_on=HELD_ON)
    return people, list(Candidate.objects.filter(election=election).order_by("pk"))
