"""职数: how many are elected to each post (R1, P14, P15).

`seats_for` is what every other part reads; setting them is the street officer's
(`set_seats`)."""

from __future__ import annotations

from collections.abc import Mapping

from candidates.models import COMMITTEE_POSTS, PARTY_POSTS, Post, Seat, Track
from elections.models import CommunityElection

#: Without a previous term to copy: 1 主任, 1 副主任, 3 委员 (R1: 5–9 in total);
#: a party committee of 5 with 1 书记 and 1 副书记 (P15).
DEFAULT_SEATS: Mapping[str, Mapping[str, int]] = {
    Track.COMMITTEE: {Post.DIRECTOR: 1, Post.DEPUTY_DIRECTOR: 1, Post.MEMBER: 3},
    Track.PARTY: {Post.PARTY_COMMITTEE: 5, Post.SECRETARY: 1, Post.DEPUTY_SECRETARY: 1},
}

AUDIT_LABELS: Mapping[str, str] = {}


def seats_for(election: CommunityElection, track: str) -> dict[str, int]:
    """Seats per post of `track` (post code → seats), in post order; posts without a
    row are missing (not yet set). One query."""
    posts = COMMITTEE_POSTS if track == Track.COMMITTEE else PARTY_POSTS
    rows = dict(
        Seat.objects.filter(election=election, track=track).values_list("post", "seats")
    )
    return {post: rows[post] for post in posts if post in rows}
