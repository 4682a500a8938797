"""职数: the residents' committee's size (R1) and the party committee's (P14, P15)."""

from __future__ import annotations

from collections.abc import Mapping

from ._base import Violation, require_int

__all__ = ["COMMITTEE_SIZE_MAX", "COMMITTEE_SIZE_MIN", "committee_seats_ok", "party_seats_ok"]

COMMITTEE_SIZE_MIN = 5  # R1: 居民委员会由主任、副主任和委员共五至九人组成
COMMITTEE_SIZE_MAX = 9  # R1
PARTY_COMMITTEE_MIN = 3  # P15: 支部委员会由 3 至 5 人组成，一般不超过 7 人
PARTY_COMMITTEE_USUAL_MAX = 5  # P15
PARTY_COMMITTEE_MAX = 7  # P15
PARTY_BRANCH_COMMITTEE_MIN_MEMBERS = 7  # P14, P15: fewer 正式党员 → no committee


def committee_seats_ok(seats: Mapping[str, int]) -> tuple[Violation, ...]:
    """R1: one 主任,副主任 and 委员 together 5–9 (post codes of electionlaw.POSTS)."""
    for post, n in seats.items():
        require_int(n, f"{post} 职数")
    found: list[Violation] = []
    director = seats.get("director", 0)
    if director != 1:
        found.append(Violation("director_count", ("R1",), f"主任应为 1 名（现为 {director} 名）"))
    total = sum(seats.values())
    if not COMMITTEE_SIZE_MIN <= total <= COMMITTEE_SIZE_MAX:
        found.append(
            Violation(
                "committee_size",
                ("R1",),
                f"居民委员会由主任、副主任和委员共 {COMMITTEE_SIZE_MIN}至{COMMITTEE_SIZE_MAX} 人组成"
                f"（现为 {total} 人）",
            )
        )
    return tuple(found)


def party_seats_ok(
    seats: Mapping[str, int], *, full_members: int | None
) -> tuple[tuple[Violation, ...], tuple[str, ...]]:
    """P14, P15 for a community party organisation: (violations, warnings).

    ``seats`` holds ``party_committee`` (委员), ``secretary`` and ``deputy_secretary``.
    With fewer than 7 正式党员 there is no committee: 委员 must be 0 and the 党员大会
    elects 1 书记 (and at most 1 副书记) directly. Otherwise 3–7 委员 (usually at most
    5), among them 1 书记 and at most 1… 副书记 count within the committee.
    ``full_members`` None (roll not in yet) skips the size rule."""
    for post, n in seats.items():
        require_int(n, f"{post} 职数")
    found: list[Violation] = []
    warnings: list[str] = []
    members = seats.get("party_committee", 0)
    secretary = seats.get("secretary", 0)
    deputy = seats.get("deputy_secretary", 0)
    if secretary != 1:
        found.append(
            Violation("secretary_count", ("P14",), f"书记应为 1 名（现为 {secretary} 名）")
        )
    if full_members is not None and full_members < PARTY_BRANCH_COMMITTEE_MIN_MEMBERS:
        if members:
            found.append(
                Violation(
                    "no_committee",
                    ("P14", "P15"),
                    f"正式党员不足 {PARTY_BRANCH_COMMITTEE_MIN_MEMBERS} 人（{full_members} 人），"
                    "不设支部委员会，由党员大会直接选举书记（委员职数应为 0）",
                )
            )
        if deputy > 1:
            found.append(Violation("deputy_count", ("P15",), "不设委员会时，副书记最多 1 名"))
        return tuple(found), tuple(warnings)
    if not PARTY_COMMITTEE_MIN <= members <= PARTY_COMMITTEE_MAX:
        found.append(
            Violation(
                "party_committee_size",
                ("P15",),
                f"委员会由 {PARTY_COMMITTEE_MIN}至{PARTY_COMMITTEE_USUAL_MAX} 人组成，一般不超过 "
                f"{PARTY_COMMITTEE_MAX} 人（现为 {members} 人）",
            )
        )
    elif members > PARTY_COMMITTEE_USUAL_MAX:
        warnings.append(
            f"委员会一般为 {PARTY_COMMITTEE_MIN}至{PARTY_COMMITTEE_USUAL_MAX} 人，现为 {members} 人，请确认已经批准"
        )
    if members and secretary + deputy > members:
        found.append(
            Violation("officers_exceed", ("P14",), "书记、副书记从委员中产生，人数不能多于委员职数")
        )
    return tuple(found), tuple(warnings)
