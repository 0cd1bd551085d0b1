"""Sending the outbox: each due notice exactly once, however many drains run at once, with a
clock the test controls; failures retried with back-off, then given up."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta

import pytest

from app import db
from app.notify import drain, sms
from app.notify.tables import Notification
from tests.notify.conftest import reminders_of, sms_sent
from tests.sessions.conftest import at


async def book(cast, body: dict) -> dict:
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def with_juror(juror: dict) -> dict:
    return {"juror_ids": [juror["id"]], "confirmed_juror_ids": [juror["id"]]}


async def test_two_drains_at_once_send_each_reminder_exactly_once(
    cast, booking, juror, day, frozen, gateway, gateway_server
):
    session = await book(cast, booking("09:00", "10:00", **with_juror(juror)))
    starts = datetime.fromisoformat(at(day, "09:00"))
    prefix = f"session:{session['id']}:"
    gateway_server.delay = 0.05  # both drains are mid-send together

    frozen.set(starts - timedelta(hours=30))
    await asyncio.gather(drain.run(gateway), drain.run(gateway))
    assert sms_sent(gateway_server, prefix) == []  # nothing is due yet

    frozen.set(starts - timedelta(hours=24))
    await asyncio.gather(drain.run(gateway), drain.run(gateway))
    day_before = sms_sent(gateway_server, prefix)
    assert sorted(b["to"] for b in day_before) == ["13700003333", "13800001111", "13900002222"]
    assert all("明天" in b["text"] and "09:00" in b["text"] for b in day_before)

    # a later run (a restart, the next minute) sends nothing again
    frozen.set(starts - timedelta(hours=23))
    await asyncio.gather(drain.run(gateway), drain.run(gateway))
    assert len(sms_sent(gateway_server, prefix)) == 3

    frozen.set(starts - timedelta(minutes=59))
    await asyncio.gather(drain.run(gateway), drain.run(gateway), drain.run(gateway))
    sent = sms_sent(gateway_server, prefix)
    assert len(sent) == 6 and len({b["id"] for b in sent}) == 6
    assert sum("一小时后" in b["text"] for b in sent) == 3

    rows = await reminders_of(session["id"])
    assert all(r["sent_at"] is not None and r["attempts"] == 1 for r in rows)


async def test_many_due_notices_split_between_concurrent_drains_go_out_once_each(
    cast, frozen, gateway, gateway_server, monkeypatch
):
    """Small batches, so the drains claim in turns and race for the same next rows."""
    monkeypatch.setattr(drain, "BATCH", 3)
    now = frozen.at
    rows = [
        Notification(
            channel="sms",
            phone=f"1360000{i:04d}",
            kind="test",
            payload=json.dumps({"message": "Nothing is overdue.", "params": {}, "link": "/"}),
            dedupe_key=f"test:burst:{now.timestamp()}:{i}",
            due_at=now,
        )
        for i in range(40)
    ]
    await Notification.insert(*rows)
    gateway_server.delay = 0.01
    await asyncio.gather(*(drain.run(gateway) for _ in range(4)))
    sent = sms_sent(gateway_server, f"test:burst:{now.timestamp()}:")
    assert len(sent) == 40 and len({b["id"] for b in sent}) == 40


async def test_a_failing_gateway_is_retried_with_back_off(cast, frozen, gateway, gateway_server):
    now = frozen.at
    key = f"test:retry:{now.timestamp()}"
    await Notification.insert(
        Notification(
            channel="sms",
            phone="13600009999",
            kind="test",
            payload=json.dumps({"message": "Nothing is overdue.", "params": {}, "link": "/"}),
            dedupe_key=key,
            due_at=now,
        )
    )
    gateway_server.status = 503
    await drain.run(gateway)
    row = await Notification.select().where(Notification.dedupe_key == key).first()
    assert row["sent_at"] is None and row["attempts"] == 1
    assert row["last_error"] == "SMS gateway 503"

    await drain.run(gateway)  # the same minute: it waits out its back-off
    assert len(sms_sent(gateway_server, key)) == 1

    gateway_server.status = 200
    frozen.set(now + drain.backoff(1))
    await drain.run(gateway)
    row = await Notification.select().where(Notification.dedupe_key == key).first()
    assert row["sent_at"] is not None and row["attempts"] == 2 and row["last_error"] == ""
    assert len(sms_sent(gateway_server, key)) == 2


def an_sms(key: str, due: datetime) -> Notification:
    return Notification(
        channel="sms",
        phone="13600008888",
        kind="test",
        payload=json.dumps({"message": "Nothing is overdue.", "params": {}, "link": "/"}),
        dedupe_key=key,
        due_at=due,
    )


async def test_a_refused_sms_is_given_up_at_once(cast, frozen, gateway, gateway_server):
    key = f"test:refused:{frozen.at.timestamp()}"
    await Notification.insert(an_sms(key, frozen.at))
    gateway_server.status = 400
    await drain.run(gateway)
    frozen.set(frozen.at + timedelta(days=1))
    await drain.run(gateway)
    row = await Notification.select().where(Notification.dedupe_key == key).first()
    assert row["sent_at"] is None and row["attempts"] == drain.MAX_ATTEMPTS
    assert row["last_error"] == "SMS gateway 400"
    assert len(sms_sent(gateway_server, key)) == 1


async def test_a_failing_sms_is_given_up_after_the_last_attempt(
    cast, frozen, gateway, gateway_server
):
    key = f"test:failing:{frozen.at.timestamp()}"
    await Notification.insert(an_sms(key, frozen.at))
    gateway_server.status = 500
    for _ in range(drain.MAX_ATTEMPTS + 2):
        await drain.run(gateway)
        frozen.set(frozen.at + timedelta(hours=7))  # past any back-off
    row = await Notification.select().where(Notification.dedupe_key == key).first()
    assert row["sent_at"] is None and row["attempts"] == drain.MAX_ATTEMPTS
    assert len(sms_sent(gateway_server, key)) == drain.MAX_ATTEMPTS  # none after giving up


async def test_the_webhook_body_and_headers_follow_the_configured_template(gateway_server):
    gw = sms.WebhookGateway(
        url=gateway_server.url + "/v2/send",
        body={"mobile": "{phone}", "content": {"text": "{text}", "sign": "评理"}, "out_id": "{id}"},
        headers={"Authorization": "Bearer test-token"},
    )
    await gw.send("13800001111", '带"引号"的\n短信', "key-1")
    got = gateway_server.received[-1]
    assert got.path == "/v2/send" and got.headers["authorization"] == "Bearer test-token"
    assert json.loads(got.body) == {
        "mobile": "13800001111",
        "content": {"text": '带"引号"的\n短信', "sign": "评理"},
        "out_id": "key-1",
    }


async def test_without_a_gateway_an_sms_is_only_logged_with_the_number_masked(caplog):
    with caplog.at_level(logging.INFO, logger="pingli.notify.sms"):
        await sms.from_settings().send("13800001111", "明天有评理会", "key-2")
    assert "138****1111" in caplog.text and "明天有评理会" in caplog.text
    assert "13800001111" not in caplog.text


async def test_on_postgresql_a_drain_skips_rows_another_connection_is_claiming(
    cast, engine_name, frozen, gateway, gateway_server
):
    """Two connections: while another drain's claim on a row is not committed yet, this one
    neither waits for it nor sends it."""
    if engine_name != "postgres":
        pytest.skip("FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite serializes writers")
    import asyncpg

    now = frozen.at
    keys = [f"test:skip:{now.timestamp()}:{n}" for n in range(2)]
    await Notification.insert(
        *[
            Notification(
                channel="sms",
                phone="13600007777",
                kind="test",
                payload=json.dumps({"message": "Nothing is overdue.", "params": {}, "link": "/"}),
                dedupe_key=k,
                due_at=now,
            )
            for k in keys
        ]
    )
    other = await asyncpg.connect(db.engine().config["dsn"])
    try:
        async with other.transaction():
            await other.fetch(
                "SELECT id FROM notification WHERE dedupe_key = $1 FOR UPDATE", keys[0]
            )
            await asyncio.wait_for(drain.run(gateway), timeout=10)
            assert [b["id"] for b in sms_sent(gateway_server, f"test:skip:{now.timestamp()}:")] == [
                keys[1]
            ]
    finally:
        await other.close()
    await drain.run(gateway)
    assert (
        sorted(b["id"] for b in sms_sent(gateway_server, f"test:skip:{now.timestamp()}:")) == keys
    )


def test_a_gateway_template_that_is_not_json_stops_the_server_at_start(monkeypatch):
    from app.settings import load_settings

    monkeypatch.setenv("PINGLI_SMS_WEBHOOK_BODY", '{"to": "{phone}", ')
    with pytest.raises(ValueError, match="PINGLI_SMS_WEBHOOK_BODY"):
        load_settings()
