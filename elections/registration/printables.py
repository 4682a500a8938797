"""选民证 (issue 10 item 5): one card per eligible voter, eight to a page, from the
public view of the roll (name, gender, 居民小组, the list's 序号; duplicate names told
apart as on the voter-list notice). No ID number, phone or address."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from elections import audit
from elections.formatting import cn_date
from elections.models import CommunityElection
from elections.notices.rendering import render_pdf
from elections.registration.public import public_voter_list

AUDIT_LABELS = {"elections.print.voter_cards": "打印选民证"}


class NothingToPrint(Exception):
    pass


def voter_cards_pdf(election: CommunityElection, *, actor: Any) -> bytes:
    voters = public_voter_list(election, with_age=False)
    cards = [
        {"number": e.number, "name": e.name, "note": e.note, "gender": e.gender, "group": g.label}
        for g in voters.groups
        for e in g.entries
    ]
    if not cards:
        raise NothingToPrint("选民名册中还没有登记的选民")
    pdf, _ = render_pdf(
        "printables/voter_cards.html",
        {
            "title": "选民证",
            "community": election.community.name,
            "election_day": cn_date(election.election_day),
            "issuer": f"{election.community.name}居民选举委员会",
            "cards": cards,
        },
    )
    with transaction.atomic():
        audit.record(actor, "elections.print.voter_cards", election, data={"张数": len(cards)})
    return pdf
