"""Helpers of the party tests: members on a roll, a sheet as bytes, seats."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from candidates import party_import as pi
from candidates.models import PartyMember, Post, Seat, Track
from candidates.services import party as svc
from elections.models import CommunityElection
from tests.conftest import new_id


def member(
    election: CommunityElection,
    actor: Any,
    name: str = "张党员",
    *,
    birth: dt.date = dt.date(1975, 3, 4),
    gender: str = "男",
    status: str = "full",
    **kwargs: Any,
) -> PartyMember:
    data = pi.MemberData(
        name=name,
        id_number=kwargs.pop("id_number", None) or new_id(birth, gender),
        status=status,
        joined_on=kwargs.pop("joined_on", dt.date(2000, 7, 1)),
        **kwargs,
    )
    return svc.add_member(election, data, actor=actor)


def sheet(rows: Sequence[Sequence[Any]], header: Sequence[str] = pi.COLUMNS) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def set_party_seats(election: CommunityElection, seats: int) -> None:
    Seat.objects.update_or_create(
        election=election, track=Track.PARTY, post=Post.PARTY_COMMITTEE, defaults={"seats": seats}
    )
