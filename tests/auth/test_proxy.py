"""The client address behind a reverse proxy: `X-Forwarded-For` counts only from the proxies in
PINGLI_TRUSTED_PROXIES (none by default), served the way `pingli serve` serves (uvicorn with
the options app/cli.py gives it), so a password spray cannot rotate its claimed address past
sign-in throttling."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace

import httpx
import pytest
import uvicorn

from app.cli import server_options
from app.main import create_app
from app.settings import get_settings


@pytest.fixture(autouse=True)
def limits(patch_settings):
    return patch_settings(login_max_failures=3, login_window_minutes=15)


@contextmanager
def served(**settings_changes):
    app = create_app(replace(get_settings(), **settings_changes), run_scheduler=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **server_options()))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(30)


def _sign_in(client: httpx.Client, username: str, forwarded_for: str) -> int:
    r = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": "sprayed-guess-1"},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return r.status_code


def test_a_client_cannot_rotate_its_address_with_x_forwarded_for_by_default():
    username = f"spray-{uuid.uuid4().hex[:8]}"
    with served() as client:
        codes = [_sign_in(client, username, f"198.51.100.{i}") for i in range(1, 5)]
    assert codes == [401, 401, 401, 429]


def test_the_forwarded_address_counts_from_a_configured_proxy():
    username = f"proxied-{uuid.uuid4().hex[:8]}"
    with served(trusted_proxies=("127.0.0.1",)) as client:
        codes = [_sign_in(client, username, "203.0.113.7") for _ in range(4)]
        other = _sign_in(client, username, "203.0.113.8")
    assert codes == [401, 401, 401, 429]
    assert other == 401  # another client behind the proxy is not paused
