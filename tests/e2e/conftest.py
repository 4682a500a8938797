"""Playwright (sync API) harness for the end-to-end tests.

The tests drive Debian's chromium (/usr/bin/chromium; Playwright never downloads
a browser) against pytest-django's `live_server`. Every page under test is saved
as a full-page PNG under `test-artifacts/screenshots/` (or `HUANJIE_SCREENSHOT_DIR`);
the folder is printed at the end of the run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.core.management import call_command

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, Response

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
DEMO_PASSWORD = "demo12345"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent

_saved: list[Path] = []


def screenshot_dir() -> Path:
    override = os.environ.get("HUANJIE_SCREENSHOT_DIR")
    return Path(override) if override else REPO_ROOT / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _saved:
        terminalreporter.write_sep("-", "e2e screenshots")
        terminalreporter.write_line(
            f"{len(_saved)} full-page screenshots in {_saved[0].parent.resolve()}"
        )


def shoot(page: Page, folder: Path, name: str) -> Path:
    """Save a full-page PNG of the current page as `<name>.png`."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
    path = folder / f"{safe}.png"
    page.screenshot(path=str(path), full_page=True)
    _saved.append(path)
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


_call_failed = pytest.StashKey[bool]()


@pytest.fixture(scope="module")
def playwright_instance() -> Iterator[Playwright]:
    # Module scope: Playwright's event loop must not outlive the e2e tests, so that
    # the rest of the suite runs without a running loop in the main thread.
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API runs an asyncio loop in the test thread; without this
        # Django refuses database access from that thread (SynchronousOnlyOperation).
        # Set only while the browser runs: it must not leak into the rest of the suite
        # (nor into subprocesses, where `check --deploy` rejects it: async.E001).
        if "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ:
            patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        manager = sync_playwright().start()
        try:
            yield manager
        finally:
            manager.stop()


@pytest.fixture(scope="module")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def demo(live_server: Any) -> str:
    """The demo street, seeded afresh for each test (the live-server db is flushed
    after every test). Returns the live server's base URL."""
    call_command("seed_demo", verbosity=0)
    return str(live_server.url)


@pytest.fixture
def page(
    browser: Browser, demo: str, screenshots: Path, request: pytest.FixtureRequest
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=demo, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(10_000)
    # Nothing outside the live server: the pages must work offline.
    context.route(
        re.compile(r"^(?!" + re.escape(demo) + r")https?://"), lambda route: route.abort()
    )
    page = context.new_page()
    try:
        yield page
        if request.node.stash.get(_call_failed, False):
            shoot(page, screenshots, f"FAILED-{request.node.name}")
    finally:
        context.close()


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> Response | None:
    """Log in through the login form; returns the response of the page landed on."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click("button[type=submit]")
    return navigation.value
