"""Each demo role logs in and lands on its own page; a committee member of XH01
sees nothing of XH02 nor the street-wide pages (404)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from tests.e2e.conftest import CHROMIUM, login, shoot

if TYPE_CHECKING:
    from playwright.sync_api import Page

if not CHROMIUM.exists():
    pytest.skip(f"end-to-end tests need Debian's chromium at {CHROMIUM}", allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

pytestmark = [
    pytest.mark.e2e,
    # WhiteNoise notes that collectstatic has not run; the live server serves /static/ itself.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

LANDINGS = [
    ("officer", "/dashboard/", "各社区换届进度"),
    ("supervisor", "/dashboard/", "各社区换届进度"),
    ("org_reviewer", "/dashboard/", "各社区换届进度"),
    ("xh01_chair", "/c/XH01/", "新河社区 XH01"),
    ("xh01_member", "/c/XH01/", "新河社区 XH01"),
    ("xh02_member", "/c/XH02/", "三角塘社区 XH02"),
    ("police_reviewer", "/vetting/queue/", "资格联审待办"),
]

OUT_OF_SCOPE_FOR_XH01_MEMBER = [
    "/c/XH02/",
    "/c/XH02/schedule/",
    "/dashboard/",
    "/users/",
    "/audit/",
]


def h1(page: Page) -> str:
    return " ".join(page.locator("h1").inner_text().split())


@pytest.mark.parametrize(("username", "path", "title"), LANDINGS, ids=[u for u, _, _ in LANDINGS])
def test_role_lands_on_its_page(
    page: Page, demo: str, screenshots: Path, username: str, path: str, title: str
) -> None:
    response = login(page, username)

    assert response is not None
    assert response.status == 200
    assert page.url == demo + path
    assert h1(page) == title
    shoot(page, screenshots, f"landing-{username}")


def test_xh01_member_gets_404_outside_own_community(
    page: Page, demo: str, screenshots: Path
) -> None:
    login(page, "xh01_member")
    assert page.url == demo + "/c/XH01/"

    for path in OUT_OF_SCOPE_FOR_XH01_MEMBER:
        response = page.goto(path)
        assert response is not None
        assert (path, response.status) == (path, 404)
        assert page.url == demo + path  # no redirect: the page itself is the answer
        if not settings.DEBUG:
            assert (path, h1(page)) == (path, "没有找到这个页面")
        shoot(page, screenshots, f"404-xh01_member{path}")


def test_wrong_password_shows_chinese_error(page: Page, demo: str, screenshots: Path) -> None:
    response = login(page, "officer", password="wrong-password")

    assert response is not None
    assert response.status == 200
    assert page.url == demo + "/accounts/login/"
    assert h1(page) == "登录换届通"
    assert (
        page.locator(".alert-danger").inner_text().strip()
        == "用户名或密码不正确。请注意区分大小写。"
    )
    assert page.input_value("#id_username") == "officer"
    shoot(page, screenshots, "login-wrong-password")


def test_anonymous_visitor_is_sent_to_login(page: Page, demo: str, screenshots: Path) -> None:
    response = page.goto("/dashboard/")

    assert response is not None
    assert response.status == 200
    assert page.url == demo + "/accounts/login/?next=/dashboard/"
    assert h1(page) == "登录换届通"
    shoot(page, screenshots, "login-anonymous")
