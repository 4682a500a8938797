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


def data_hash(candidate: Candidate) -> str:
    """What a sign-off is bound to (DemocracyClub's hash-bound lock): the name, the ID
    number (by its hash) and the birth date the department checked."""
    raw = f"{candidate.name}\n{candidate.id_hash}\n{candidate.birth_date.isoformat()}"
    return hashlib.sha256(raw.encode()).hexdigest()
