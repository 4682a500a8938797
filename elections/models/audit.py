"""The audit log (操作记录): written with the change, never edited or deleted."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditImmutableError("操作记录不能修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("操作记录不能删除")


class AuditImmutableError(Exception):
    pass


class AuditEvent(models.Model):
    """操作记录: who did what, when, to which object (STYLE.md habit 3).

    Written in the same transaction as the change, never edited or deleted. It
    holds no foreign keys, so that it survives the deletion of the user or the
    object (Abacus' audit log does the same); on PostgreSQL a trigger refuses
    UPDATE and DELETE as well."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField("操作人编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=80, db_index=True)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    street_id = models.BigIntegerField("街道编号", null=True, blank=True, db_index=True)
    community_id = models.BigIntegerField("社区编号", null=True, blank=True, db_index=True)
    data = models.JSONField("内容", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["community_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditImmutableError("操作记录不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditImmutableError("操作记录不能删除")
