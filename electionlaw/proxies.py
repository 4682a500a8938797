"""Proxy voting (RULES B6; P4 for party elections)."""

from __future__ import annotations

from datetime import date

from ._base import RulesInputError, Violation, require_choice, require_int
from .dates import is_on_or_before_deadline, latest_date_before
from .kinship import relation_in_set
from .params import PROXY_RELATION_SETS

__all__ = ["check_proxy"]


def check_proxy(
    *,
    holder_existing: int,
    holder_is_candidate: bool = False,
    relation: str | None = None,
    principal_existing: int = 0,
    sub_delegation: bool = False,
    party_election: bool = False,
    holder_is_voter: bool = True,
    cap: int = 3,
    relation_set: str = "near_relatives_8",
    proxies_per_principal: int = 1,
    candidate_can_be_proxy: bool = False,
    requested_on: date | None = None,
    election_day: date | None = None,
    request_days_before: int = 3,
    clear_days: bool = False,
) -> tuple[Violation, ...]:
    """B6: may this proxy (委托投票) be accepted? Returns the violations; empty = yes.

    ``holder_existing``: proxies the holder already accepted; ``principal_existing``:
    proxies the principal already gave; ``relation``: the holder's relation to the
    principal (``RELATION_KINDS``, or None when unrelated); ``sub_delegation``: the
    holder is passing on a proxy he received. The profile supplies ``cap``
    (``proxy_cap``), ``relation_set`` (``proxy_relation_set``),
    ``proxies_per_principal``, ``candidate_can_be_proxy`` and
    ``request_days_before`` (``proxy_request_days_before``; checked only when
    ``requested_on`` and ``election_day`` are given).

    P4: a party election admits no proxy at all; that is then the only violation.
    """
    require_int(holder_existing, "受委托人已接受的委托数")
    require_int(principal_existing, "委托人已办理的委托数")
    require_int(cap, "每人最多接受委托数")
    require_int(proxies_per_principal, "每位委托人可委托人数", minimum=1)
    require_choice(relation_set, PROXY_RELATION_SETS, "受委托人范围")
    if party_election:
        return (
            Violation(
                "party_no_proxy",
                ("P4",),
                "党内选举不得委托他人投票；不能书写的党员可请非候选人按其意愿代写",
            ),
        )
    found: list[Violation] = []
    if not holder_is_voter:
        found.append(
            Violation("holder_not_voter", ("B6",), "受委托人必须是本社区有选举权的登记选民")
        )
    if holder_existing >= cap:
        found.append(
            Violation(
                "proxy_cap",
                ("B6",),
                f"每一选民接受委托不得超过 {cap} 人（已接受 {holder_existing} 人）",
            )
        )
    if principal_existing >= proxies_per_principal:
        found.append(
            Violation(
                "principal_already_delegated",
                ("B6",),
                f"每一选民只能委托 {proxies_per_principal} 人（已委托 {principal_existing} 人）",
            )
        )
    if holder_is_candidate and not candidate_can_be_proxy:
        found.append(Violation("holder_is_candidate", ("B6",), "候选人不得接受委托投票"))
    if not relation_in_set(relation, relation_set):
        found.append(Violation("holder_not_near_relative", ("B6",), "受委托人必须是委托人的近亲属"))
    if sub_delegation:
        found.append(Violation("sub_delegation", ("B6",), "受委托人不得再委托他人"))
    if (requested_on is None) != (election_day is None):
        raise RulesInputError("核对委托期限须同时提供委托申请日期和选举日", rule="B6")
    if requested_on is not None and election_day is not None:
        require_int(request_days_before, "委托申请提前天数")
        if not is_on_or_before_deadline(
            requested_on, election_day, request_days_before, clear_days=clear_days
        ):
            last = latest_date_before(election_day, request_days_before, clear_days=clear_days)
            found.append(
                Violation(
                    "late_request",
                    ("B6", "G3"),
                    f"委托应在选举日 {request_days_before} 日前办理（最迟 {last.isoformat()}）",
                )
            )
    return tuple(found)
