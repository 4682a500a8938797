"""委托投票 (RULES.md B6): a registered voter absent on election day names another
registered voter of the community to vote for him or her, in writing, before the
profile's deadline. The decision is `electionlaw.check_proxy`'s; this module gathers
its inputs under a lock on the election row, so two requests at once cannot both pass
the cap, the one-per-principal rule or the sub-delegation rule.

Proxies belong to the residents' committee election only: the party election admits
none (P4).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

import electionlaw
from ballots.polling_models import Proxy, ProxyStatus
from ballots.staff import (
    PollingError,
    _scope,
    is_eligible,
    lock_open,
    standing_in,
    violation_text,
)
from candidates.models import RELATION_CHOICES
from electionlaw import Violation
from elections import audit
from elections.models import CommunityElection
from elections.registration.models import Voter

RELATION_LABELS = dict(RELATION_CHOICES)
NO_RELATION_LABEL = "本社区其他选民（无亲属关系）"

#: check_proxy's violation code → the form field it belongs to.
_FIELD_OF = {
    "holder_not_voter": "holder",
    "proxy_cap": "holder",
    "holder_is_candidate": "holder",
    "holder_has_delegated": "holder",
    "principal_already_delegated": "principal",
    "sub_delegation": "principal",
    "holder_not_near_relative": "relation",
    "late_request": "__all__",
}


def relation_choices() -> list[tuple[str, str]]:
    return [("", NO_RELATION_LABEL), *RELATION_CHOICES]


def active_proxies(election: CommunityElection) -> Any:
    return Proxy.objects.filter(election=election, status=ProxyStatus.ACTIVE)


def add_proxy(
    election: CommunityElection,
    *,
    principal: Voter,
    holder: Voter,
    relation: str = "",
    note: str = "",
    actor: Any,
    today: dt.date | None = None,
) -> Proxy:
    """Record a written proxy from `principal` to `holder` (`relation`: the holder's
    relation to the principal, blank for none). Refused with every broken rule."""
    requested_on = today or timezone.localdate()
    note = note.strip()[:200]
    if relation and relation not in RELATION_LABELS:
        raise PollingError("请选择受委托人与委托人的关系", {"relation": "请选择关系"})
    if principal.election_id != election.pk or holder.election_id != election.pk:
        raise PollingError("委托人和受委托人都必须是本社区的选民")
    if principal.pk == holder.pk:
        raise PollingError("委托人和受委托人不能是同一人", {"holder": "请另选受委托人"})
    if not is_eligible(principal):
        raise PollingError(
            f"{principal.name}不是本社区有选举权的登记选民，不能委托投票（规则 B6）",
            {"principal": "只有登记的选民才能委托他人投票"},
        )
    params = election.cycle.rule_profile.params()
    with transaction.atomic():
        # One lock per election: the holder's count, the principal's proxy and the
        # sub-delegation test are read and written under it.
        lock_open(election)
        Voter.objects.select_for_update().filter(pk__in=[principal.pk, holder.pk]).count()
        active = active_proxies(election)
        holder_existing = active.filter(holder=holder).count()
        principal_existing = active.filter(principal=principal).count()
        principal_holds = active.filter(holder=principal).exists()
        holder_gave = active.filter(principal=holder).exists()
        found: list[Violation] = list(
            electionlaw.check_proxy(
                holder_existing=holder_existing,
                holder_is_candidate=standing_in(election).includes(holder),
                relation=relation or None,
                principal_existing=principal_existing,
                sub_delegation=principal_holds,
                party_election=False,  # proxies belong to the committee election (P4)
                holder_is_voter=is_eligible(holder),
                cap=params.proxy_cap,
                relation_set=params.proxy_relation_set,
                proxies_per_principal=params.proxies_per_principal,
                candidate_can_be_proxy=params.candidate_can_be_proxy,
                requested_on=requested_on,
                election_day=election.election_day,
                request_days_before=params.proxy_request_days_before,
                clear_days=params.clear_days_mode,
            )
        )
        if holder_gave:
            found.append(
                Violation(
                    "holder_has_delegated",
                    ("B6",),
                    f"{holder.name}本人已委托他人投票，不能再接受委托",
                )
            )
        if found:
            errors: dict[str, str] = {}
            for v in found:
                field = _FIELD_OF.get(v.code, "__all__")
                errors[field] = "；".join(filter(None, [errors.get(field), violation_text(v)]))
            raise PollingError(
                "不能办理这项委托：" + "；".join(violation_text(v) for v in found),
                errors,
                found,
            )
        try:
            with transaction.atomic():
                proxy = Proxy.objects.create(
                    election=election,
                    principal=principal,
                    holder=holder,
                    relation=relation,
                    requested_on=requested_on,
                    note=note,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
        except IntegrityError:
            raise PollingError(
                f"{principal.name}已办理过委托（规则 B6）", {"principal": "已办理过委托"}
            ) from None
        audit.record(
            actor,
            "ballots.proxy.added",
            proxy,
            **_scope(election),
            data={
                "委托人": principal.name,
                "受委托人": holder.name,
                "关系": proxy.relation_label,
                "申请日期": requested_on.isoformat(),
            },
        )
    return proxy


def withdraw_proxy(proxy: Proxy, *, reason: str, actor: Any) -> Proxy:
    """The principal takes the proxy back (or votes in person): kept, marked 已撤回."""
    reason = reason.strip()[:200]
    if not reason:
        raise PollingError("请填写撤回理由", {"reason": "请填写撤回理由"})
    with transaction.atomic():
        lock_open(proxy.election)
        locked = (
            Proxy.objects.select_for_update(of=("self",))
            .select_related("principal", "holder", "election__community")
            .get(pk=proxy.pk)
        )
        if locked.status != ProxyStatus.ACTIVE:
            raise PollingError("这项委托已经撤回")
        locked.status = ProxyStatus.WITHDRAWN
        locked.withdrawn_reason = reason
        locked.withdrawn_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_reason", "withdrawn_by", "withdrawn_at"])
        audit.record(
            actor,
            "ballots.proxy.withdrawn",
            locked,
            **_scope(locked.election),
            data={"委托人": locked.principal.name, "受委托人": locked.holder.name, "理由": reason},
        )
    return locked
