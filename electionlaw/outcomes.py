"""After the count: vacancies (R33), re-election (R34) and recall (T3)."""

from __future__ import annotations

from dataclasses import dataclass

from ._base import RulesInputError, Violation, require_choice, require_int
from .counting import round_valid, turnout_valid
from .params import ELECTION_METHODS

__all__ = [
    "RECALL_INITIATORS",
    "VacancyDecision",
    "may_stop_with_vacancies",
    "recall_initiation_sufficient",
    "recall_passed",
    "reelection_triggers",
]

RECALL_INITIATORS = ("voters", "representatives")  # T3


@dataclass(frozen=True)
class VacancyDecision:
    """R33: may the unfilled seats stay vacant after the 另行选举, and who presides.

    ``presiding``: ``"director"``; without one ``"deputy_director"``; without
    either ``"elected_member"`` (one elected 委员 is chosen); None when stopping is
    not allowed.
    """

    may_stop: bool
    presiding: str | None
    reasons: tuple[str, ...]

    def __bool__(self) -> bool:
        return self.may_stop


def may_stop_with_vacancies(
    elected_count: int,
    min_members_to_stop: int,
    has_director: bool,
    *,
    has_deputy_director: bool = False,
    director_required: bool = False,
) -> VacancyDecision:
    """R33: with at least ``min_members_to_stop`` members elected (profile; Zhejiang
    3) the unfilled seats may stay vacant. Beijing also needs the 主任 among them
    (``director_required``; with "more than 3" → ``min_members_to_stop=4``).
    Otherwise the election continues (R31 again, or R34).
    """
    require_int(elected_count, "当选人数")
    require_int(min_members_to_stop, "可不再选举的最少当选人数", minimum=1)
    if has_director + has_deputy_director > elected_count:
        raise RulesInputError("当选的主任、副主任人数超过当选总人数", rule="R33")
    may_stop = elected_count >= min_members_to_stop and (has_director or not director_required)
    if not may_stop:
        return VacancyDecision(False, None, ("R33",))
    if has_director:
        presiding = "director"
    elif has_deputy_director:
        presiding = "deputy_director"
    else:
        presiding = "elected_member"
    return VacancyDecision(True, presiding, ("R33",))


def reelection_triggers(
    *,
    registered: int,
    participants: int,
    method: str = "all_voters",
    issued: int | None = None,
    returned: int | None = None,
    signed_in: int | None = None,
    returned_vs: str = "min_issued_signed",
    voided_for_fraud: bool = False,
) -> tuple[Violation, ...]:
    """R34: reasons the election must be held again (重新选举); empty = none.

    - R24: turnout below the method's threshold;
    - R25 / P10: more ballots returned than issued or than voters signed in
      (checked when ``issued`` and ``returned`` are given);
    - R40: results voided for violence, threats, deception, bribery, forged
      ballots or falsified counts.
    """
    require_choice(method, ELECTION_METHODS, "选举方式")
    found: list[Violation] = []
    if not turnout_valid(registered, participants, method=method):
        found.append(
            Violation(
                "turnout",
                ("R34", "R24"),
                f"参加投票 {participants} 人，登记 {registered} 人，未达到选举有效的人数要求",
            )
        )
    if (issued is None) != (returned is None):
        raise RulesInputError("核对收回选票须同时提供发出和收回选票数", rule="R25")
    if (
        issued is not None
        and returned is not None
        and not round_valid(issued, returned, signed_in, returned_vs=returned_vs)
    ):
        found.append(
            Violation(
                "returned_exceeds",
                ("R34", "R25", "P10"),
                f"收回选票 {returned} 张，多于发出选票或投票人数，本次投票无效",
            )
        )
    if voided_for_fraud:
        found.append(Violation("voided", ("R34", "R40"), "以不正当手段妨害选举，选举结果无效"))
    return tuple(found)


def recall_initiation_sufficient(signers: int, registered: int, *, by: str = "voters") -> bool:
    """T3: a recall is initiated jointly by at least one fifth of the voters
    (``5*signers >= registered``) or at least one third of the representatives
    (``by="representatives"``: ``3*signers >= registered``). G1, G2 "以上" includes."""
    require_choice(by, RECALL_INITIATORS, "罢免提议人")
    require_int(registered, "登记人数", minimum=1)
    require_int(signers, "联名人数")
    if signers > registered:
        raise RulesInputError(f"联名人数 {signers} 超过登记人数 {registered}", rule="T3")
    if by == "representatives":
        return 3 * signers >= registered  # T3, G1 "三分之一以上"
    return 5 * signers >= registered  # T3, G1 "五分之一以上"


def recall_passed(registered: int, voting: int, yes: int) -> bool:
    """T3: a recall passes only if more than half of the registered voters vote
    (``2*voting > registered``) **and** more than half of those voting approve
    (``2*yes > voting``). G1: exactly half fails both times."""
    require_int(registered, "登记选民数", minimum=1)
    require_int(voting, "参加投票人数")
    require_int(yes, "赞成罢免票数")
    if voting > registered:
        raise RulesInputError(f"参加投票人数 {voting} 超过登记选民数 {registered}", rule="T3")
    if yes > voting:
        raise RulesInputError(f"赞成票 {yes} 超过参加投票人数 {voting}", rule="T3")
    return 2 * voting > registered and 2 * yes > voting
