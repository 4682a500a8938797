"""Polling staff (R8), mobile-box voters (R35) and proxies (委托投票, B6).

Kept apart from `ballots.models` (and re-exported there) so that the tally work and
this one do not edit the same file. Proxies belong to the residents' committee
election only: a party election admits none (P4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from candidates.models import RELATION_CHOICES
from elections.models import CommunityElection
from elections.registration.models import Voter

__all__ = [
    "MobileBoxVoter",
    "PollingStaff",
    "Proxy",
    "ProxyStatus",
    "StaffRole",
]


class StaffRole(models.TextChoices):
    ISSUER = "issuer", "发票人"
    CALLER = "caller", "唱票人"
    COUNTER = "counter", "计票人"
    MONITOR = "monitor", "监票人"
    WRITER = "writer", "代书人"


class PollingStaff(models.Model):
    """One person working one role at one polling place. `voter` is set for someone of
    the roll; staff from outside the roll (e.g. street staff) have only a name and a
    note (their unit). Candidates and their near relatives may not serve (R8)."""

    place = models.ForeignKey(
        "ballots.PollingPlace", on_delete=models.CASCADE, related_name="staff"
    )
    role = models.CharField("职责", max_length=20, choices=StaffRole.choices)
    voter = models.ForeignKey(
        Voter, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=50)
    note = models.CharField("单位或说明", max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "监票计票人员"
        verbose_name_plural = "监票计票人员"
        ordering = ["place", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "role", "name"], name="polling_staff_once_per_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.place.name} {self.get_role_display()} {self.name}"


class MobileBoxVoter(models.Model):
    """A voter who votes through a mobile box (流动票箱, R35), with the approval the
    profile requires (`mobile_box_approver`). One box per voter."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="mobile_box_voters"
    )
    place = models.ForeignKey(
        "ballots.PollingPlace", on_delete=models.CASCADE, related_name="mobile_voters"
    )
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("不能到场的原因", max_length=100, blank=True)
    approved_by = models.CharField("批准机关", max_length=50)
    approved_on = models.DateField("批准日期")
    document = models.CharField("批准文件或说明", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "流动票箱选民"
        verbose_name_plural = "流动票箱选民"
        ordering = ["place", "id"]
        constraints = [
            models.UniqueConstraint(fields=["election", "voter"], name="mobile_box_voter_once")
        ]

    def __str__(self) -> str:
        return f"{self.place.name} {self.voter_id}"


class ProxyStatus(models.TextChoices):
    ACTIVE = "active", "有效"
    WITHDRAWN = "withdrawn", "已撤回"


class Proxy(models.Model):
    """委托投票 (B6): `principal` (委托人) gives `holder` (受委托人) a written proxy;
    `relation` is the holder's relation to the principal (blank: no family relation,
    allowed only where the profile admits any voter). A withdrawn proxy is kept."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="proxies"
    )
    principal = models.ForeignKey(
        Voter, on_delete=models.PROTECT, related_name="+", verbose_name="委托人"
    )
    holder = models.ForeignKey(
        Voter, on_delete=models.PROTECT, related_name="+", verbose_name="受委托人"
    )
    relation = models.CharField(
        "受委托人与委托人的关系", max_length=30, choices=RELATION_CHOICES, blank=True
    )
    requested_on = models.DateField("申请日期")
    note = models.CharField("备注", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=20, choices=ProxyStatus.choices, default=ProxyStatus.ACTIVE
    )
    withdrawn_reason = models.CharField("撤回理由", max_length=200, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "委托投票"
        verbose_name_plural = "委托投票"
        ordering = ["election", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["election", "principal"],
                condition=models.Q(status="active"),
                name="proxy_one_per_principal",
            ),
            models.CheckConstraint(
                condition=~models.Q(principal=models.F("holder")), name="proxy_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"委托投票 {self.principal_id}→{self.holder_id}"

    @property
    def relation_label(self) -> str:
        return self.get_relation_display() if self.relation else "本社区其他选民"
