"""Every change of joint vetting, one module per part: `rounds` (rounds, requests,
sign-offs), `aggregate` (the per-candidate state and the clearance the formal lists
ask for), `cases` (tip-offs, 劝退, the organisation reviewer's decisions), `sheets`
(the department's spreadsheet both ways) and `deadlines` (overdue requests). Each
change runs in a transaction with its audit row."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from candidates.models import Candidate


class VettingError(Exception):
    """A refusal with a Chinese message (and per-field messages where there are fields)."""

    def __init__(self, message: str, *, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


def hash_of(name: str, id_hash: str, birth_date: object) -> str:
    raw = f"{name}\n{id_hash}\n{birth_date}"
    return hashlib.sha256(raw.encode()).hexdigest()


#: Where a candidate's identity lives now: the voter roll (居委会) or the party roll.
IDENTITY_FIELDS = (
    "pk",
    "name",
    "id_hash",
    "birth_date",
    "voter__name",
    "voter__id_hash",
    "voter__birth_date",
    "party_member__name",
    "party_member__id_hash",
    "party_member__birth_date",
)


def hash_from_values(row: Mapping[str, object]) -> str:
    """The hash of one `IDENTITY_FIELDS` row: the roll's current values when the
    candidate is linked to one, so a correction on the roll makes sign-offs stale."""
    for prefix in ("voter__", "party_member__"):
        if row.get(f"{prefix}id_hash"):
            return hash_of(
                str(row[f"{prefix}name"]), str(row[f"{prefix}id_hash"]), row[f"{prefix}birth_date"]
            )
    return hash_of(str(row["name"]), str(row["id_hash"]), row["birth_date"])


def data_hashes(pks: list[int]) -> dict[int, str]:
    """What each candidate's sign-offs are bound to (DemocracyClub's hash-bound lock):
    the name, ID number (by its hash) and birth date the department checked. One query."""
    rows = Candidate.objects.filter(pk__in=pks).values(*IDENTITY_FIELDS)
    return {int(row["pk"]): hash_from_values(row) for row in rows}


def data_hash(candidate: Candidate) -> str:
    return data_hashes([candidate.pk])[candidate.pk]
