"""The refused-form page (CSRF_FAILURE_VIEW): what went wrong and what to do next, in
Chinese. Django's reason strings are English and meant for developers; Django logs them
(django.security.csrf), the page never shows them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import (
    REASON_BAD_ORIGIN,
    REASON_BAD_REFERER,
    REASON_INSECURE_REFERER,
    REASON_MALFORMED_REFERER,
    REASON_NO_CSRF_COOKIE,
    REASON_NO_REFERER,
)
from django.shortcuts import render

EXPIRED = (
    "这个页面打开太久，或者您已在别处退出、重新登录过，表单已经失效。"
    "请刷新页面后重新填写提交；如果仍然不行，请重新登录。"
)
NO_COOKIE = (
    "浏览器没有保存本站的 Cookie，无法确认是您本人提交。"
    "请在浏览器设置中允许本站使用 Cookie，然后刷新页面重试。"
)
WRONG_ORIGIN = (
    "这次提交不是从本站页面发出的（例如从其他网站、收藏的旧页面或被改过的链接提交）。"
    "请直接打开本站，刷新页面后重新提交。"
)


def _prefix(reason: str) -> str:
    return reason.split("%s", 1)[0]


_ORIGIN_REASONS = tuple(
    _prefix(reason)
    for reason in (
        REASON_BAD_ORIGIN,
        REASON_BAD_REFERER,
        REASON_INSECURE_REFERER,
        REASON_MALFORMED_REFERER,
        REASON_NO_REFERER,
    )
)


def csrf_hint(reason: str) -> str:
    """What to tell the user for one of Django's CSRF failure reasons."""
    if reason == REASON_NO_CSRF_COOKIE:
        return NO_COOKIE
    if reason.startswith(_ORIGIN_REASONS):
        return WRONG_ORIGIN
    return EXPIRED  # token missing, incorrect, malformed: a stale or foreign form


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "csrf_failure.html", {"hint": csrf_hint(reason)}, status=403)
