"""Login with a lock-out after repeated failures.

django-axes counts the failures per username and client address together (settings
AXES_*): five wrong passwords from one address lock that username for 15 minutes from
that address only, so nobody can lock a colleague out by typing their username wrong.
This module gives axes the client address (`client_ip`), the Chinese lock-out page
(`lockout_response`), and writes the audit row when a lock-out begins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from elections import audit

LOCKED_MESSAGE = (
    "连续登录失败次数过多，账号已暂时锁定，请 {minutes} 分钟后再试。忘记密码请联系街道换届办重置。"
)


class LockoutAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。请注意区分大小写。",
        "inactive": "这个账号已停用，请联系街道换届办。",
    }


def client_ip(request: HttpRequest) -> str:
    """The client's address: the connection's, or with HUANJIE_TRUSTED_PROXIES = n the
    n-th address from the right of X-Forwarded-For (each trusted proxy appends the
    address it received the request from; anything further left is the client's own
    word and is ignored)."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies: int = settings.TRUSTED_PROXIES
    if proxies == 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    forwarded = [part.strip() for part in header.split(",") if part.strip()]
    if len(forwarded) < proxies:
        # Not through the configured proxies (e.g. a health check from inside).
        return remote
    return forwarded[-proxies]


def _cool_off() -> dt.timedelta:
    cool_off = settings.AXES_COOLOFF_TIME
    assert isinstance(cool_off, dt.timedelta)
    return cool_off


def minutes_left(username: str, ip_address: str, now: dt.datetime) -> int:
    """Whole minutes (at least 1) until the lock-out of (username, address) ends."""
    last_failure = (
        AccessAttempt.objects.filter(username=username, ip_address=ip_address)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if last_failure is None:
        return int(_cool_off().total_seconds() // 60)
    remaining = last_failure + _cool_off() - now
    return max(1, int(remaining.total_seconds() + 59) // 60)


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page with the Chinese lock-out message (AXES_LOCKOUT_CALLABLE)."""
    username = get_client_username(request, credentials) or ""
    minutes = minutes_left(username, getattr(request, "axes_ip_address", ""), timezone.now())
    form = LockoutAuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "lockout_message": LOCKED_MESSAGE.format(minutes=minutes),
        "next": request.POST.get("next", ""),
        **login_context(),
    }
    return render(request, "elections/login.html", context, status=429)


def login_context() -> dict[str, int]:
    """The lock-out rule as the login page states it."""
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(_cool_off().total_seconds() // 60),
    }


@receiver(user_locked_out)
def audit_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **_: Any
) -> None:
    """Audit the failure that starts a lock-out (axes also signals every refused try
    during it: those carry no new failure count and are not audited again)."""
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    with transaction.atomic():
        audit.record(
            None,
            "elections.auth.locked_out",
            data={
                "username": username or "",
                "ip_address": ip_address or "",
                "minutes": int(_cool_off().total_seconds() // 60),
            },
        )
