"""Relations between people (回避, R4, R8, R30) and the 居务监督委员会 members the
kinship warnings also look at."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from elections.models import CommunityElection
from elections.registration.models import Voter

RELATION_CHOICES = [
    ("spouse", "配偶"),
    ("parent", "父母"),
    ("child", "子女"),
    ("sibling", "兄弟姐妹"),
    ("grandparent", "祖父母"),
    ("maternal_grandparent", "外祖父母"),
    ("grandchild", "孙子女"),
    ("maternal_grandchild", "外孙子女"),
    ("other_lineal", "其他直系血亲"),
    ("other", "其他关系"),
]


class Relation(models.Model):
    """`a` is `kind` of `b` (e.g. a is b's 父母). Both are voters of the community."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="relations"
    )
    a = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Voter, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("关系", max_length=30, choices=RELATION_CHOICES)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "亲属关系"
        verbose_name_plural = "亲属关系"
        constraints = [
            models.UniqueConstraint(fields=["election", "a", "b"], name="relation_once"),
            models.CheckConstraint(
                condition=~models.Q(a=models.F("b")), name="relation_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.a_id}—{self.b_id} {self.get_kind_display()}"


class SupervisionMember(models.Model):
    """A member (or candidate) of the 居务监督委员会: 两委 members and their near
    relatives may not sit on it (R4)."""

    election = models.ForeignKey(
        CommunityElection, on_delete=models.CASCADE, related_name="supervision_members"
    )
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("职务", max_length=30, blank=True)

    class Meta:
        verbose_name = "居务监督委员会成员"
        verbose_name_plural = "居务监督委员会成员"
        constraints = [
            models.UniqueConstraint(fields=["election", "voter"], name="supervision_member_once")
        ]

    def __str__(self) -> str:
        return f"居务监督委员会 {self.voter_id}"
