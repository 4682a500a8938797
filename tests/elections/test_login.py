"""Login, logout and the lock-out after repeated failures (django-axes, counted per
username and client address together)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.http import HttpRequest
from django.test import Client, RequestFactory, override_settings

from elections.audit import describe_data
from elections.auth import client_ip
from elections.models import AuditEvent
from tests.conftest import Cast

STRANGER = "203.0.113.66"
OFFICE = "198.51.100.5"
LOCKED = "连续登录失败次数过多，账号已暂时锁定，请 15 分钟后再试。忘记密码请联系街道换届办重置。"


def login(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def lockouts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="elections.auth.locked_out"))


def test_login_page_is_chinese(cast: Cast) -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert "登录换届通" in body and 'lang="zh-Hans"' in body
    assert "连续输错 5 次密码，账号将锁定 15 分钟。" in body


def test_correct_password_logs_in_and_goes_home(cast: Cast) -> None:
    response = login(Client(), "member_a", "x-test-pass")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_gets_a_chinese_message(cast: Cast) -> None:
    response = login(Client(), "member_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确。请注意区分大小写。" in response.content.decode()


def test_empty_password_is_asked_for_in_chinese(cast: Cast) -> None:
    client = Client()
    response = login(client, "member_a", "")
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div class="invalid-feedback d-block">这个字段是必填项。</div>' in body
    assert "_auth_user_id" not in client.session


def test_strangers_wrong_passwords_do_not_lock_the_real_user_out(cast: Cast) -> None:
    stranger = from_address(STRANGER)
    for _ in range(6):
        login(stranger, "member_a", "guess")

    response = login(from_address(OFFICE), "member_a", "x-test-pass")

    assert response.status_code == 302
    assert response["Location"] == "/"
    # The stranger's own address is locked for that username.
    assert login(stranger, "member_a", "x-test-pass").status_code == 429


def test_same_address_and_username_is_locked_even_with_the_right_password(cast: Cast) -> None:
    client = from_address(STRANGER)
    statuses = [login(client, "member_a", "wrong").status_code for _ in range(5)]

    response = login(client, "member_a", "x-test-pass")

    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure starts the lock-out
    assert response.status_code == 429
    body = response.content.decode()
    assert LOCKED in body
    assert "登录换届通" in body  # the login page itself, not axes' page
    assert "Account locked" not in body and "too many" not in body
    assert "_auth_user_id" not in client.session
    # Another username from the same address is not affected.
    assert login(client, "member_b", "x-test-pass").status_code == 302


def test_the_lock_out_is_audited_once(cast: Cast) -> None:
    client = from_address(STRANGER)
    for _ in range(5):
        login(client, "member_a", "wrong")
    assert len(lockouts()) == 1
    for _ in range(3):  # refused tries during the lock-out are not new lock-outs
        login(client, "member_a", "wrong")

    [event] = lockouts()
    assert event.actor_id is None
    assert event.data == {"username": "member_a", "ip_address": STRANGER, "minutes": 15}
    assert dict(describe_data(event.data)) == {
        "用户名": "member_a",
        "登录地址": STRANGER,
        "锁定分钟数": "15",
    }


def test_tries_during_the_lock_out_do_not_extend_it(cast: Cast) -> None:
    client = from_address(STRANGER)
    for _ in range(5):
        login(client, "member_a", "wrong")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=2))

    response = login(client, "member_a", "wrong")

    assert "请 13 分钟后再试" in response.content.decode()
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=13))
    assert login(client, "member_a", "x-test-pass").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_success_before_the_limit_resets_the_count(cast: Cast) -> None:
    client = from_address(OFFICE)
    login(client, "member_a", "wrong")
    login(client, "member_a", "wrong")
    assert login(client, "member_a", "x-test-pass").status_code == 302
    client = from_address(OFFICE)
    login(client, "member_a", "wrong")
    login(client, "member_a", "wrong")
    assert login(client, "member_a", "x-test-pass").status_code == 302
    assert lockouts() == []


def test_forged_forwarded_for_does_not_dodge_the_lock_out(cast: Cast) -> None:
    """Without a trusted proxy (development, tests) X-Forwarded-For is ignored: a new
    forged address per try still counts against the connection's address."""
    client = from_address(STRANGER)
    for n in range(5):
        login(client, "member_a", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert login(client, "member_a", "x-test-pass").status_code == 429


@override_settings(TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_appended_counts(cast: Cast) -> None:
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(5):  # what the client put in front is its own word: ignored
        login(proxy, "member_a", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {STRANGER}")

    assert login(proxy, "member_a", "x-test-pass", HTTP_X_FORWARDED_FOR=STRANGER).status_code == 429
    response = login(proxy, "member_a", "x-test-pass", HTTP_X_FORWARDED_FOR=OFFICE)
    assert response.status_code == 302
    assert lockouts()[0].data["ip_address"] == STRANGER


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "192.0.2.1", "10.0.0.2"),
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "1.2.3.4, 192.0.2.1", "192.0.2.1"),
        (1, "", "10.0.0.2"),
        (2, "1.2.3.4, 192.0.2.1, 10.0.0.9", "192.0.2.1"),
        (2, "192.0.2.1", "10.0.0.2"),  # fewer hops than proxies: not through them
    ],
)
def test_client_ip(proxies: int, forwarded_for: str, expected: str) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)
    with override_settings(TRUSTED_PROXIES=proxies):
        assert client_ip(request) == expected


def test_admin_login_lock_out_is_chinese_too(cast: Cast) -> None:
    client = from_address(STRANGER)
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "root", "password": "x-root-pass"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_force_login_and_login_with_a_request_still_work(cast: Cast) -> None:
    assert cast.client("member_a").get("/c/XH01/").status_code == 200
    client = Client()
    assert client.login(request=HttpRequest(), username="member_a", password="x-test-pass")
    assert client.get("/c/XH01/").status_code == 200


def test_logout_is_a_post(cast: Cast) -> None:
    client = cast.client("member_a")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/c/XH01/").status_code == 302
