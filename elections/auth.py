"""Login with a lock-out after repeated failures (per username, stored in the database
so that it holds across processes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.utils import timezone

from elections.models import LoginThrottle


def _minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    return max(1, int((until - now).total_seconds() + 59) // 60)


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意区分大小写。",
        "inactive": "这个账号已停用，请联系街道换届办。",
        "locked": "连续登录失败次数过多，账号已暂时锁定，请 %(minutes)s 分钟后再试。",
    }

    def clean(self) -> dict[str, Any]:
        username = (self.data.get("username") or "").strip()
        now = timezone.now()
        throttle = LoginThrottle.objects.filter(username=username).first() if username else None
        if throttle is not None and throttle.is_locked(now):
            assert throttle.locked_until is not None
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": _minutes_left(throttle.locked_until, now)},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                _record_failure(username, now)
            raise
        LoginThrottle.objects.filter(username=username).delete()
        return cleaned


def _record_failure(username: str, now: dt.datetime) -> None:
    limit = settings.LOGIN_FAILURE_LIMIT
    window = dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=username)
        if throttle.last_failure_at is None or now - throttle.last_failure_at > window:
            throttle.failures = 0
        throttle.failures += 1
        throttle.last_failure_at = now
        locked = throttle.failures >= limit
        if locked:
            throttle.locked_until = now + window
            throttle.failures = 0
        throttle.save()
        if locked:
            from elections import audit

            audit.record(
                None,
                "elections.auth.locked_out",
                data={"username": username, "minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
