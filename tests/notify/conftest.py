"""Notifications: a clock the test sets, a real local SMS gateway, and the sessions fixtures
(a case with parties who have phones, a room, a juror) for the reminders."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from app import clock
from app.notify import sms
from app.notify.tables import Notification
from tests.sessions.conftest import (  # noqa: F401 (fixtures)
    at,
    booking,
    case,
    day,
    juror,
    village_room,
)
from tests.support.http_recorder import Recorder


class Clock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def set(self, when: datetime) -> None:
        self.at = when


@pytest.fixture
def frozen(monkeypatch) -> Clock:
    """The domain's clock, set by the test (app/clock.py)."""
    c = Clock()
    monkeypatch.setattr(clock, "now", lambda: c.at)
    return c


@pytest.fixture
def gateway_server():
    server = Recorder(status=200).start()
    yield server
    server.stop()


@pytest.fixture
def gateway(gateway_server) -> sms.WebhookGateway:
    """The SMS webhook adapter pointed at the local gateway."""
    return sms.WebhookGateway(url=gateway_server.url + "/sms")


def sms_sent(server: Recorder, prefix: str) -> list[dict]:
    """The SMS the gateway received whose id (the outbox's dedupe key) starts with `prefix`."""
    bodies = [json.loads(r.body) for r in server.received]
    return [b for b in bodies if b["id"].startswith(prefix)]


async def reminders_of(session_id: int) -> list[dict]:
    return await (
        Notification.select()
        .where(Notification.dedupe_key.like(f"session:{session_id}:%"))
        .order_by(Notification.id)
    )
