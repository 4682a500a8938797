"""Set-up of the party election-day tests: XH01's party roll (正式 members, with or
without exclusions), party seats, formal party candidates and numbers of a party sheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils import timezone

from ballots import party
from ballots.models import PartyRound
from candidates.models import (
    Candidate,
    CandidateStatus,
    PartyExclusion,
    PartyMember,
    Post,
    Track,
)
from candidates.models.slate import CandidateSource
from elections.models import CommunityElection
from tests.candidates.party_support import member, set_party_seats
from tests.conftest import Cast

NAMES = ("王一", "李二", "张三", "刘四", "陈五", "杨六", "赵七")


def today() -> dt.date:
    return timezone.localdate()


def roll(cast: Cast, n: int, *, election: CommunityElection | None = None) -> list[PartyMember]:
    election = election or cast.election_a
    return [member(election, cast.admin, f"党员{i:02}") for i in range(n)]


def exclude(m: PartyMember, *, consent: bool = True, vote: bool = True) -> PartyExclusion:
    """P2: an exclusion with the 上级 consent and/or the 党员大会 vote."""
    return PartyExclusion.objects.create(
        member=m,
        category=2,
        detail="自费出国",
        consent_doc_no="X组〔2026〕1号" if consent else "",
        consent_date=dt.date(2026, 11, 1) if consent else None,
        congress_vote_date=dt.date(2026, 11, 2) if vote else None,
    )


def candidates(
    cast: Cast, members: Sequence[PartyMember], names: Sequence[str] = NAMES[:4]
) -> list[Candidate]:
    """Formal party committee candidates (the given display names) from roll members."""
    out = []
    for m, name in zip(members, names, strict=False):
        out.append(
            Candidate.objects.create(
                election=m.election,
                track=Track.PARTY,
                post=Post.PARTY_COMMITTEE,
                status=CandidateStatus.FORMAL,
                source=CandidateSource.STREET,
                party_member=m,
                name=name,
                id_hash=m.id_hash,
                id_encrypted=m.id_encrypted,
                id_masked=m.id_masked,
                gender=m.gender,
                birth_date=m.birth_date,
            )
        )
    return out


def setup(
    cast: Cast, *, members: int = 10, seats: int = 3, names: Sequence[str] = NAMES[:4]
) -> Any:
    people = roll(cast, members)
    set_party_seats(cast.election_a, seats)
    return people, candidates(cast, people, names)


def numbers(
    r: PartyRound,
    votes: Mapping[str, int],
    *,
    issued: int,
    returned: int | None = None,
    invalid: int = 0,
    write_ins: Sequence[tuple[str, int]] = (),
) -> dict[str, Any]:
    by_name = {rc.name: f"c{rc.pk}" for rc in r.candidates.all()}
    assert not set(votes) - set(by_name), set(votes) - set(by_name)
    return {
        "issued": issued,
        "returned": issued if returned is None else returned,
        "invalid": invalid,
        "votes": {key: int(votes.get(name, 0)) for name, key in by_name.items()},
        "write_ins": [[n, v] for n, v in write_ins],
    }


def count(cast: Cast, r: PartyRound, nums: Mapping[str, Any], *, close: bool = True) -> PartyRound:
    """Two entries (chair and officer), confirmation (explaining warnings), result."""
    party.enter(r, nums, actor=cast.users["chair_a"])
    party.enter(r, nums, actor=cast.users["officer"])
    found = party.findings(r, nums)
    party.confirm(r, explanations={f.code: "已核对" for f in found}, actor=cast.users["chair_a"])
    if close:
        return party.close_round(r, actor=cast.users["chair_a"])
    r.refresh_from_db()
    return r
