"""职数: how many are elected to each post (R1, P14, P15).

`seats_for` is what every other part reads; setting them is the street officer's
(`set_seats`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from candidates.models import (
    COMMITTEE_POSTS,
    PARTY_POSTS,
    POSTS_OF_TRACK,
    MembershipStatus,
    PartyMember,
    Post,
    Seat,
    Track,
)
from candidates.services import CandidateError
from electionlaw import Violation
from electionlaw.seats import committee_seats_ok, party_seats_ok
from elections import audit
from elections.models import CommunityElection

#: Without a previous term to copy: 1 主任, 1 副主任, 3 委员 (R1: 5–9 in total);
#: a party committee of 5 with 1 书记 and 1 副书记 (P15).
DEFAULT_SEATS: Mapping[str, Mapping[str, int]] = {
    Track.COMMITTEE: {Post.DIRECTOR: 1, Post.DEPUTY_DIRECTOR: 1, Post.MEMBER: 3},
    Track.PARTY: {Post.PARTY_COMMITTEE: 5, Post.SECRETARY: 1, Post.DEPUTY_SECRETARY: 1},
}


def seats_for(election: CommunityElection, track: str) -> dict[str, int]:
    """Seats per post of `track` (post code → seats), in post order; posts without a
    row are missing (not yet set). One query."""
    posts = COMMITTEE_POSTS if track == Track.COMMITTEE else PARTY_POSTS
    rows = dict(Seat.objects.filter(election=election, track=track).values_list("post", "seats"))
    return {post: rows[post] for post in posts if post in rows}


AUDIT_LABELS = {"candidates.seats.set": "设定职数"}


def default_seats(election: CommunityElection, track: str) -> dict[str, int]:
    """What the form starts from: the same community's seats in the street's previous
    term (换届) if it had them, else DEFAULT_SEATS."""
    previous = (
        Seat.objects.filter(
            election__community_id=election.community_id,
            election__cycle__street_id=election.cycle.street_id,
            election__cycle__term__lt=election.cycle.term,
            track=track,
        )
        .order_by("-election__cycle__term")
        .values_list("election_id", "post", "seats")
    )
    rows = list(previous)
    if rows:
        latest = rows[0][0]
        return {post: n for election_id, post, n in rows if election_id == latest}
    return dict(DEFAULT_SEATS[track])


def seat_problems(
    election: CommunityElection, track: str, seats: Mapping[str, int]
) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
    """R1 for the residents' committee; P14, P15 for the party (with the roll's count
    of 正式党员, once a roll is in)."""
    if track == Track.COMMITTEE:
        return committee_seats_ok(seats), ()
    full = PartyMember.objects.filter(election=election, status=MembershipStatus.FULL).count()
    return party_seats_ok(seats, full_members=full or None)


def set_seats(
    election: CommunityElection, track: str, seats: Mapping[str, int], *, actor: Any
) -> dict[str, int]:
    """The street officer sets a track's 职数 (R1, P15); refused with the reason when
    the law's bounds are not met. Audited with the old and new numbers."""
    posts = POSTS_OF_TRACK[track]
    clean = {post: int(seats.get(post, 0)) for post in posts}
    violations, _warnings = seat_problems(election, track, clean)
    if violations:
        raise CandidateError("；".join(v.message_zh for v in violations))
    with transaction.atomic():
        CommunityElection.objects.select_for_update().get(pk=election.pk)
        old = seats_for(election, track)
        for post, n in clean.items():
            Seat.objects.update_or_create(
                election=election, track=track, post=post, defaults={"seats": n, "set_by": actor}
            )
        if old != clean:
            audit.record(
                actor,
                "candidates.seats.set",
                election,
                data={"track": track, "changes": {p: [old.get(p), clean[p]] for p in posts}},
            )
    return clean
