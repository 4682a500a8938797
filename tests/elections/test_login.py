"""Login, logout and the lock-out after repeated failures."""

from __future__ import annotations

from django.test import Client, override_settings

from elections.models import AuditEvent
from tests.conftest import Cast


def login(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_login_page_is_chinese(cast: Cast) -> None:
    body = Client().get("/accounts/login/").content.decode()
    assert "登录换届通" in body and 'lang="zh-Hans"' in body


def test_correct_password_logs_in_and_goes_home(cast: Cast) -> None:
    response = login(Client(), "member_a", "x-test-pass")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_wrong_password_gets_a_chinese_message(cast: Cast) -> None:
    response = login(Client(), "member_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
def test_account_locks_after_repeated_failures_even_with_the_right_password(cast: Cast) -> None:
    client = Client()
    for _ in range(3):
        login(client, "member_a", "wrong")
    response = login(client, "member_a", "x-test-pass")
    assert response.status_code == 200
    assert "账号已暂时锁定" in response.content.decode()
    assert "15 分钟" in response.content.decode()
    event = AuditEvent.objects.get(action="elections.auth.locked_out")
    assert event.data["username"] == "member_a"
    # Another account is not affected.
    assert login(Client(), "member_b", "x-test-pass").status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_success_before_the_limit_resets_the_count(cast: Cast) -> None:
    client = Client()
    login(client, "member_a", "wrong")
    login(client, "member_a", "wrong")
    assert login(client, "member_a", "x-test-pass").status_code == 302
    client = Client()
    login(client, "member_a", "wrong")
    login(client, "member_a", "wrong")
    assert login(client, "member_a", "x-test-pass").status_code == 302


def test_logout_is_a_post(cast: Cast) -> None:
    client = cast.client("member_a")
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/c/XH01/").status_code == 302
