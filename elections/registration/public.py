"""The public view of the voter roll: the data of the voter-list notice (N3, RULES.md §9).

`public_voter_list` reads a *public view* of the eligible voters — name, gender,
居民小组 and birth date (for the age and the birth year), plus the row's key — so
that ID numbers, phone numbers and addresses are never loaded, let alone shown.
Duplicate names are told apart as RULES.md §9 says: by 居民小组, then also by
birth year, and only where even that collides, by the masked ID number, which is
fetched for those rows alone.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from electionlaw import age_on, latest_eligible_birth_date
from elections.models import CommunityElection
from elections.registration.models import Voter
from elections.registration.services import eligible_voters

# The only columns the public list reads ("pk" ties a row to its masked ID number when
# a duplicate name needs it). Never add id_*, phone or address here.
PUBLIC_FIELDS = ("pk", "name", "gender", "group", "birth_date")

NO_GROUP_LABEL = "未分组"


_NUMBER = re.compile(r"\d+|[零〇一二两三四五六七八九十百]+")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
_CN_DIGITS |= {"七": 7, "八": 8, "九": 9}


def _number_value(text: str) -> int:
    if text.isdigit():
        return int(text)
    total = current = 0
    for char in text:
        if char == "百":
            total, current = total + (current or 1) * 100, 0
        elif char == "十":
            total, current = total + (current or 1) * 10, 0
        else:
            current = current * 10 + _CN_DIGITS[char]
    return total + current


def group_sort_key(group: str) -> tuple[int, str, int, str]:
    """Order 居民小组 as people count them: 第二 before 第十, 2栋 before 10栋; no group last."""
    if not group:
        return (2, "", 0, "")
    match = _NUMBER.search(group)
    if match is None:
        return (1, group, 0, "")
    return (1, group[: match.start()], _number_value(match.group()), group[match.end() :])


@dataclass(frozen=True)
class PublicEntry:
    number: int  # 序号, running through the whole list
    name: str
    gender: str
    age: int | None  # on election day; None unless the list is printed with ages
    note: str  # what tells two people of the same name apart, "" when the name is unique


@dataclass(frozen=True)
class PublicGroup:
    label: str  # 居民小组
    entries: tuple[PublicEntry, ...]

    @property
    def count(self) -> int:
        return len(self.entries)

    @property
    def male(self) -> int:
        return sum(1 for e in self.entries if e.gender == "男")

    @property
    def female(self) -> int:
        return sum(1 for e in self.entries if e.gender == "女")


@dataclass(frozen=True)
class PublicVoterList:
    community: str
    election_day: dt.date
    born_on_or_before: dt.date  # the G5 cut-off printed on the notice
    with_age: bool
    groups: tuple[PublicGroup, ...]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def male(self) -> int:
        return sum(g.male for g in self.groups)

    @property
    def female(self) -> int:
        return sum(g.female for g in self.groups)

    def entries(self) -> list[PublicEntry]:
        return [entry for group in self.groups for entry in group.entries]


def public_voter_list(election: CommunityElection, *, with_age: bool) -> PublicVoterList:
    """The voter-list notice's data: eligible voters by 居民小组, no personal numbers."""
    rows: list[dict[str, Any]] = list(
        eligible_voters(election)
        .order_by("group", "name", "birth_date", "pk")
        .values(*PUBLIC_FIELDS)
    )
    notes = _disambiguation_notes(rows)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_group.setdefault(row["group"], []).append(row)
    groups: list[PublicGroup] = []
    number = 0
    for group in sorted(by_group, key=group_sort_key):
        entries = []
        for row in by_group[group]:
            number += 1
            entries.append(
                PublicEntry(
                    number=number,
                    name=row["name"],
                    gender=row["gender"],
                    age=age_on(row["birth_date"], election.election_day) if with_age else None,
                    note=notes.get(row["pk"], ""),
                )
            )
        groups.append(PublicGroup(_group_label(group), tuple(entries)))
    return PublicVoterList(
        community=election.community.name,
        election_day=election.election_day,
        born_on_or_before=latest_eligible_birth_date(election.election_day),
        with_age=with_age,
        groups=tuple(groups),
    )


def _group_label(group: str) -> str:
    return group or NO_GROUP_LABEL


def _disambiguation_notes(rows: list[dict[str, Any]]) -> dict[int, str]:
    """RULES.md §9: same name → 居民小组; same name and group → also the birth year;
    same name, group and birth year → also the masked ID number (one query, those rows only)."""
    by_name = Counter(row["name"] for row in rows)
    by_group = Counter((row["name"], row["group"]) for row in rows)
    by_year = Counter((row["name"], row["group"], row["birth_date"].year) for row in rows)
    colliding = [
        row["pk"]
        for row in rows
        if by_year[(row["name"], row["group"], row["birth_date"].year)] > 1
    ]
    masked = (
        dict(Voter.objects.filter(pk__in=colliding).values_list("pk", "id_masked"))
        if colliding
        else {}
    )
    notes: dict[int, str] = {}
    for row in rows:
        if by_name[row["name"]] < 2:
            continue
        parts = [_group_label(row["group"])]
        if by_group[(row["name"], row["group"])] > 1:
            parts.append(f"{row['birth_date'].year}年生")
        if row["pk"] in masked:
            parts.append(f"身份证号{masked[row['pk']]}")
        notes[row["pk"]] = "，".join(parts)
    return notes
