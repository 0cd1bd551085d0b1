"""Browser tests: Debian's Chromium driven by Playwright against a live server on loopback.

They run when /usr/bin/chromium exists (PINGLI_CHROMIUM overrides the path); with
PINGLI_REQUIRE_BROWSER=1 a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time

import pytest

CHROMIUM = os.environ.get("PINGLI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    # Playwright's sync API keeps an event loop running in the main thread until the session
    # ends; any async test collected after it would fail to start its own. Browser tests last.
    items.sort(key=lambda item: "tests/browser" in str(item.fspath))
    if HAVE_CHROMIUM:
        return
    if os.environ.get("PINGLI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"PINGLI_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
    skip = pytest.mark.skip(reason="Chromium not found")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a thread with its own event loop."""

    def __init__(self) -> None:
        import uvicorn

        from app.main import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(run_scheduler=False), host="127.0.0.1", port=self.port, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: asyncio.run(self.server.serve()), daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server():
    with LiveServer() as server:
        yield server


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized browser context (its own cookies, storage and service workers)."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **PHONE)
    yield context
    context.close()


def sign_in(page, username: str, password: str = "pingli-demo-2026") -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.fixture
def screenshots_dir(tmp_path_factory):
    path = os.environ.get("PINGLI_SCREENSHOTS") or str(tmp_path_factory.mktemp("screens"))
    os.makedirs(path, exist_ok=True)
    return path
