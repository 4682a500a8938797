"""Structure targets of the slates (Q3, R3): women, ages, a young graduate — warnings
beside the list, never a block (the law forbids adjusting results, RULES.md Q3).

The residents' committee slate is its nominees and formal candidates; the party slate
its 初步人选, 预备人选 and formal candidates. Ages are on election day (G5)."""

from __future__ import annotations

from collections.abc import Sequence

from candidates.models import (
    ACTIVE_STATUSES,
    COLLEGE_OR_ABOVE,
    Candidate,
    Post,
    Track,
)
from electionlaw import StructurePerson, Violation, age_on, structure_warnings
from elections.models import CommunityElection

BODY_OF_TRACK = {Track.COMMITTEE: "committee", Track.PARTY: "party"}


def structure_for(
    elections: Sequence[CommunityElection],
) -> dict[int, dict[str, tuple[Violation, ...]]]:
    """election pk → track → the Q3 warnings of its slate (one query for all)."""
    by_election = {e.pk: e for e in elections}
    people: dict[tuple[int, str], dict[str, StructurePerson]] = {}
    rows = (
        Candidate.objects.filter(election_id__in=by_election, status__in=ACTIVE_STATUSES)
        .only(
            "election_id",
            "track",
            "post",
            "name",
            "id_hash",
            "gender",
            "birth_date",
            "incumbent",
            "education",
        )
        .order_by("pk")
    )
    for c in rows:
        election = by_election[c.election_id]
        pool = people.setdefault((c.election_id, c.track), {})
        before = pool.get(c.id_hash)
        pool[c.id_hash] = StructurePerson(
            key=c.id_hash,
            name=c.name,
            gender=c.gender,
            age=age_on(c.birth_date, election.election_day),
            new=not c.incumbent and (before.new if before else True),
            secretary=c.post == Post.SECRETARY or bool(before and before.secretary),
            college=c.education in COLLEGE_OR_ABOVE or bool(before and before.college),
        )
    out: dict[int, dict[str, tuple[Violation, ...]]] = {pk: {} for pk in by_election}
    for (pk, track), pool in people.items():
        params = by_election[pk].cycle.rule_profile.params()
        out[pk][track] = structure_warnings(
            list(pool.values()), body=BODY_OF_TRACK[Track(track)], params=params
        )
    return out


def structure_of(election: CommunityElection, track: str) -> tuple[Violation, ...]:
    return structure_for([election])[election.pk].get(track, ())
