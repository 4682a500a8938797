"""The error pages users meet with DEBUG off (what `make run` and production serve):
Chinese, in the site's layout, saying what to do next, and never Django's debug page.

The module doubles as a URLconf (the site's URLs plus three that fail on purpose)."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.urls import include, path
from django.views import defaults

from config import urls as site_urls
from elections.errors import EXPIRED, NO_COOKIE, WRONG_ORIGIN, csrf_hint
from tests.conftest import Cast


def _forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("tampered")


def _crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [
    path("test-errors/403/", _forbidden),
    path("test-errors/400/", _bad),
    path("test-errors/500/", _crash),
    path("", include(site_urls)),
]
with_failing_urls = override_settings(ROOT_URLCONF=__name__, DEBUG=False)

DEBUG_PAGE_MARKS = ("DEBUG = True", "URLconf", "Traceback", "Page not found", "Server Error")


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def english_words(html: str, username: str = "") -> list[str]:
    """Latin words a reader sees, less the logged-in user's name in the menu."""
    text = visible_text(html).replace(username, " ") if username else visible_text(html)
    return re.findall(r"[A-Za-z]{3,}", text)


def assert_chinese_error_page(html: str, title: str, *next_steps: str, username: str = "") -> None:
    assert 'lang="zh-Hans"' in html
    assert f'<h1 class="page-title">{title}</h1>' in html
    for step in next_steps:
        assert step in html
    for mark in DEBUG_PAGE_MARKS:
        assert mark not in html
    assert english_words(html, username) == []


# --- 404 ---------------------------------------------------------------------------


@override_settings(DEBUG=False)
def test_missing_page_is_the_chinese_404_for_a_visitor(db: None) -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_chinese_error_page(html, "没有找到这个页面", "返回首页", 'href="/accounts/login/"')


@override_settings(DEBUG=False)
def test_missing_page_keeps_the_menu_for_a_logged_in_user(cast: Cast) -> None:
    response = cast.client("officer").get("/c/NOPE/")

    assert response.status_code == 404
    html = response.content.decode()
    assert_chinese_error_page(html, "没有找到这个页面", "返回首页", username="officer")
    assert "各社区进度" in html  # the officer's navigation
    assert "退出" in html


# --- 403, 400, 500 -----------------------------------------------------------------


@with_failing_urls
def test_forbidden_is_the_chinese_403(cast: Cast) -> None:
    response = cast.client("member_a").get("/test-errors/403/")

    assert response.status_code == 403
    assert_chinese_error_page(
        response.content.decode(),
        "您没有权限进行这项操作",
        "重新登录",
        "返回首页",
        username="member_a",
    )


@with_failing_urls
def test_bad_request_is_the_chinese_400(db: None) -> None:
    response = Client().get("/test-errors/400/")

    assert response.status_code == 400
    assert_chinese_error_page(response.content.decode(), "这次请求无法处理", "刷新页面后重试")


@override_settings(DEBUG=False)
def test_unknown_host_gets_the_chinese_400(db: None) -> None:
    response = Client(HTTP_HOST="evil.example").get("/accounts/login/")

    assert response.status_code == 400
    assert_chinese_error_page(response.content.decode(), "这次请求无法处理")


@with_failing_urls
def test_crash_is_the_chinese_500_without_the_database() -> None:
    """No `db` fixture: any query while answering would fail this test."""
    client = Client(raise_request_exception=False)
    response = client.get("/test-errors/500/")

    assert response.status_code == 500
    assert_chinese_error_page(
        response.content.decode(), "系统出了点问题", "刷新页面后重试", 'href="/"'
    )


def test_500_handler_renders_without_request_context_or_database() -> None:
    response = defaults.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert_chinese_error_page(response.content.decode(), "系统出了点问题", "联系街道换届办")


# --- the refused form (CSRF) --------------------------------------------------------


@override_settings(DEBUG=False)
def test_form_without_the_csrf_cookie_gets_the_chinese_page(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "member_a", "password": "x-test-pass"})

    assert response.status_code == 403
    html = response.content.decode()
    assert '<h1 class="page-title">提交没有成功：表单已失效</h1>' in html
    assert NO_COOKIE in html
    assert "重新登录" in html
    for mark in ("CSRF", "Forbidden", "verification", "Referer", *DEBUG_PAGE_MARKS):
        assert mark not in html
    assert english_words(html) == ["Cookie", "Cookie"]
    assert "_auth_user_id" not in client.session


@override_settings(DEBUG=False)
def test_stale_form_gets_refresh_and_retry(cast: Cast) -> None:
    client = cast.client("officer")
    client.handler.enforce_csrf_checks = True
    client.get("/users/")  # sets the CSRF cookie

    response = client.post("/users/", {"action": "create", "csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    html = response.content.decode()
    assert EXPIRED in html
    assert "刷新页面后重新填写提交" in html
    assert english_words(html, "officer") == []
    assert "各社区进度" in html  # still in the site's layout, with the menu


@pytest.mark.parametrize(
    ("reason", "hint"),
    [
        ("CSRF cookie not set.", NO_COOKIE),
        ("CSRF token missing.", EXPIRED),
        ("CSRF token from POST incorrect.", EXPIRED),
        ("CSRF token from POST has incorrect length.", EXPIRED),
        ("Referer checking failed - no Referer.", WRONG_ORIGIN),
        ("Referer checking failed - Referer is malformed.", WRONG_ORIGIN),
        (
            "Referer checking failed - https://evil.example does not match any trusted origins.",
            WRONG_ORIGIN,
        ),
        (
            "Origin checking failed - https://evil.example does not match any trusted origins.",
            WRONG_ORIGIN,
        ),
        ("Referer checking failed - Referer is insecure while host is secure.", WRONG_ORIGIN),
    ],
)
def test_every_csrf_reason_has_a_chinese_hint(reason: str, hint: str) -> None:
    assert csrf_hint(reason) == hint


# --- static files with DEBUG off ----------------------------------------------------


@override_settings(DEBUG=False)
def test_static_files_are_served_with_debug_off(db: None) -> None:
    response = Client().get("/static/css/huanjie.css")

    assert response.status_code == 200
    assert b"--hj-red" in b"".join(response.streaming_content)  # type: ignore[attr-defined]
