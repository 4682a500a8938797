"""The party roll's arithmetic: who votes at the 党员大会 (P1), the 应到会有选举权人数
and the exclusions it may leave out (P2), the 预备期 (党章 art. 7), and whether a
branch elects its 书记 directly (P14, P15)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from ._base import RulesInputError, require_int
from .counting import PartyExclusion, party_expected_members
from .dates import adulthood_date

__all__ = [
    "ABSENCE_CATEGORIES",
    "BRANCH_COMMITTEE_MIN_FULL_MEMBERS",
    "RIGHTS_REASONS",
    "ExpectedVoters",
    "MemberFacts",
    "absence_categories",
    "elects_secretary_directly",
    "expected_party_voters",
    "probation_period_ends",
]

#: P2: the situations in which a member, with both approvals, is not counted in 应到会
#: (S7; the 新河 plan lists the first five in another order). The sixth is the variant
#: of S7 laweer (profile ``party_absence_categories`` = 6).
ABSENCE_CATEGORIES: Mapping[int, str] = {
    1: "患有精神病或者其他疾病导致不能表达本人意志的",
    2: "自费出国半年以上的",
    3: "虽未受到留党察看以上党纪处分，但正在服刑的",
    4: "年老体弱卧床不起和长期生病生活不能自理的",
    5: "工作调动、下派锻炼、蹲点、外出学习或工作半年以上等，按规定应转走正式组织关系而没有转走的",
    6: "已经回原籍长期居住的离退休人员，确实不能参加选举的",
}

#: P1: why a 正式党员 has no voting rights on the meeting day, in the order checked.
RIGHTS_REASONS: Mapping[str, str] = {
    "on_probation": "留党察看期间",
    "detained": "被留置",
    "arrested": "被逮捕",
}

#: P15: a branch of fewer than 7 正式党员 has no 支部委员会 (支部工作条例 art. 21).
BRANCH_COMMITTEE_MIN_FULL_MEMBERS = 7


def absence_categories(count: int) -> dict[int, str]:
    """P2: the categories of the profile (``party_absence_categories``: 5 or 6)."""
    if count not in (5, 6):
        raise RulesInputError("不计入应到会人数的情形只能是 5 类或 6 类", rule="P2")
    return {k: v for k, v in ABSENCE_CATEGORIES.items() if k <= count}


@dataclass(frozen=True)
class MemberFacts:
    """One member of the roll as it stands on the meeting day (P1)."""

    full: bool  # 正式党员 (else 预备党员)
    on_probation: bool = False  # 留党察看期间
    detained: bool = False  # 被留置
    arrested: bool = False  # 被逮捕
    directly_managed: bool = True  # 直管党员 (the organisation relationship is here)
    exclusion: PartyExclusion | None = None  # P2, proposed or approved


@dataclass(frozen=True)
class ExpectedVoters:
    """The 应到会有选举权人数 and how it was reached (P1, P2, G6)."""

    on_roll: int  # every member on the roll
    not_directly_managed: int  # 组织关系不在本社区: not members of this 党员大会
    probationary: int  # 预备党员: no voting rights (P1)
    full: int  # 正式党员 of this organisation
    without_rights: Mapping[str, int]  # reason code (RIGHTS_REASONS) → members (P1)
    voting: int  # 有选举权的党员 (P1)
    excluded: int  # approved exclusions (P2: both approvals)
    pending: int  # exclusions without both approvals: still counted (P2)
    expected: int  # 应到会有选举权人数
    rules: tuple[str, ...] = field(default=("P1", "P2", "G6"))


def expected_party_voters(members: Iterable[MemberFacts], *, categories: int = 5) -> ExpectedVoters:
    """P1, P2: 应到会有选举权人数.

    P1: only 正式党员 vote; a member under 留党察看, 留置 or 逮捕 on the meeting day
    does not (counted once, under the first reason of :data:`RIGHTS_REASONS`).
    Members whose organisation relationship is elsewhere (not 直管) belong to another
    organisation's meeting and are not counted here.
    P2: from those with voting rights, subtract the exclusions that carry **both** the
    上级党组织's consent and the 党员大会's vote (:func:`party_expected_members`);
    an exclusion still waiting for either is shown as pending and the member counts.
    An exclusion of a member without voting rights changes nothing.
    """
    on_roll = not_direct = probationary = full = 0
    without = dict.fromkeys(RIGHTS_REASONS, 0)
    exclusions: list[PartyExclusion] = []
    for m in members:
        if not isinstance(m, MemberFacts):
            raise RulesInputError("党员情况必须以 MemberFacts 给出")
        on_roll += 1
        if not m.directly_managed:
            not_direct += 1
            continue
        if not m.full:  # P1: 预备党员 have no voting rights
            probationary += 1
            continue
        full += 1
        reason = next((code for code in RIGHTS_REASONS if getattr(m, code)), None)
        if reason is not None:  # P1: rights suspended on the meeting day
            without[reason] += 1
            continue
        if m.exclusion is not None:
            exclusions.append(m.exclusion)
    voting = full - sum(without.values())
    expected = party_expected_members(voting, exclusions, categories=categories)  # P2
    excluded = voting - expected
    return ExpectedVoters(
        on_roll=on_roll,
        not_directly_managed=not_direct,
        probationary=probationary,
        full=full,
        without_rights=without,
        voting=voting,
        excluded=excluded,
        pending=len(exclusions) - excluded,
        expected=expected,
    )


def probation_period_ends(joined_on: date) -> date:
    """党章 art. 7: the 预备期 is one year from admission; the day it is over (the
    anniversary; 29 Feb → 28 Feb, 民法典 art. 202 as in G5). A 预备党员 may become a
    正式党员 on that day at the earliest (P1: judged on the meeting day)."""
    if not isinstance(joined_on, date):
        raise RulesInputError("入党时间必须是日期")
    return adulthood_date(joined_on, age=1)  # the same anniversary rule


def elects_secretary_directly(full_members: int) -> bool:
    """P14, P15: a branch of fewer than 7 正式党员 sets up no 支部委员会; its
    党员大会 elects the 书记 (and a 副书记 if any) directly."""
    require_int(full_members, "正式党员人数")
    return full_members < BRANCH_COMMITTEE_MIN_FULL_MEMBERS
