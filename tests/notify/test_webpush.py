"""Web Push end to end, no internet: a device subscribes through the app with a fresh P-256
key pair and auth secret, a local HTTP server plays the push service, and it decrypts what
arrives with the device's private key and checks the VAPID signature with the server's key."""

from __future__ import annotations

import base64
import json
import os
import time
from datetime import UTC, datetime

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from app.notify import drain, webpush
from app.notify.outbox import Notice, send
from app.notify.subscriptions import PushSubscription
from app.notify.tables import Notification
from tests.support.http_recorder import Recorder


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A browser's side of a push subscription: its key pair and auth secret."""

    def __init__(self, endpoint: str):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self) -> dict:
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        return json.loads(plain)


def verify_vapid(authorization: str, server_key: str, audience: str) -> dict:
    """RFC 8292: `vapid t=<JWT>, k=<key>`; the JWT is ES256-signed by the server's key."""
    scheme, _, rest = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    assert parts["k"] == server_key
    header, claims, signature = parts["t"].split(".")
    raw = unb64(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(server_key))
    public.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert json.loads(unb64(header)) == {"typ": "JWT", "alg": "ES256"}
    payload = json.loads(unb64(claims))
    assert payload["aud"] == audience
    assert time.time() < payload["exp"] <= time.time() + 24 * 3600
    assert payload["sub"].startswith("mailto:")
    return payload


@pytest.fixture
def push_service(monkeypatch):
    """The local push service; the app may post to it over plain HTTP (tests only)."""
    server = Recorder(status=201).start()
    monkeypatch.setattr(webpush, "PLAIN_HTTP_HOSTS", frozenset({"127.0.0.1"}))
    yield server
    server.stop()


async def subscribe(browser, device: Device):
    return await browser.http.post(
        "/api/v1/push/subscriptions",
        json=device.subscription(),
        headers={"x-csrftoken": browser.csrf},
    )


def notice(tag: str) -> Notice:
    return Notice(
        kind="overdue",
        message="Case %(case_no)s “%(title)s” is overdue.",
        link="/disputes/00000000-0000-0000-0000-000000000001",
        dedupe=f"test:push:{tag}:{time.time()}",
        params={"case_no": "T-2026-0001", "title": "邻里漏水纠纷"},
    )


async def test_a_notice_reaches_the_device_encrypted_for_it_and_signed_by_the_server(
    cast, push_service, gateway
):
    village = await cast.browser("demo-village")
    device = Device(push_service.url + "/push/village-phone")
    assert (await subscribe(village, device)).status_code == 201
    server_key = (await village.get("/api/v1/push/key")).json()["public_key"]

    await send(notice("e2e"), [cast.me["demo-village"]["id"]], datetime.now(UTC))
    await drain.run(gateway)

    got = [r for r in push_service.received if r.path == "/push/village-phone"]
    assert len(got) == 1
    message = device.decrypt(got[0].body)
    assert message["body"] == "案件 T-2026-0001“邻里漏水纠纷”已超期。"
    assert message["title"] == "评理"
    assert message["url"] == "/disputes/00000000-0000-0000-0000-000000000001"
    assert got[0].headers["content-encoding"] == "aes128gcm"
    assert int(got[0].headers["ttl"]) > 0
    verify_vapid(got[0].headers["authorization"], server_key, push_service.url)

    # and nothing more on the next run
    await drain.run(gateway)
    assert len([r for r in push_service.received if r.path == "/push/village-phone"]) == 1


async def test_a_device_subscribed_in_english_gets_english(cast, push_service, gateway):
    county = await cast.browser("demo-county")
    await county.get("/lang/en?next=/")
    device = Device(push_service.url + "/push/county-phone")
    assert (await subscribe(county, device)).status_code == 201
    await send(notice("en"), [cast.me["demo-county"]["id"]], datetime.now(UTC))
    await drain.run(gateway)
    got = [r for r in push_service.received if r.path == "/push/county-phone"]
    assert device.decrypt(got[0].body)["body"] == "Case T-2026-0001 “邻里漏水纠纷” is overdue."


async def test_a_tampered_signature_would_not_verify(cast, push_service, gateway):
    """The check above can fail: a signature by another key is refused."""
    other = ec.generate_private_key(ec.SECP256R1())
    other_key = b64(other.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    header = webpush.vapid_headers(push_service.url + "/x")["Authorization"]
    with pytest.raises((InvalidSignature, AssertionError)):
        verify_vapid(header.replace(webpush.public_key(), other_key), other_key, push_service.url)


async def test_a_subscription_the_push_service_says_is_gone_is_deleted(cast, push_service, gateway):
    township = await cast.browser("demo-township")
    device = Device(push_service.url + "/push/old-phone")
    assert (await subscribe(township, device)).status_code == 201
    push_service.status = 410
    await send(notice("gone"), [cast.me["demo-township"]["id"]], datetime.now(UTC))
    await drain.run(gateway)
    assert await PushSubscription.count().where(PushSubscription.endpoint == device.endpoint) == 0
    row = (
        await Notification.select()
        .where(
            (Notification.channel == "web_push")
            & (Notification.recipient == cast.me["demo-township"]["id"])
        )
        .order_by(Notification.id, ascending=False)
        .first()
    )
    assert row["sent_at"] is not None  # nothing left to send it to
    # no device left: the next notice adds no push row at all
    later = notice("after")
    await send(later, [cast.me["demo-township"]["id"]], datetime.now(UTC))
    assert await Notification.count().where(Notification.dedupe_key.like(f"{later.dedupe}:%")) == 1


async def test_a_session_reminder_is_pushed_to_the_mediators_phone(
    cast, push_service, booking, day, frozen, gateway
):
    from datetime import timedelta

    from tests.sessions.conftest import at

    village = await cast.browser("demo-village")
    device = Device(push_service.url + "/push/reminder-phone")
    assert (await subscribe(village, device)).status_code == 201
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=booking("10:00", "11:00"))
    assert r.status_code == 201, r.text
    frozen.set(datetime.fromisoformat(at(day, "10:00")) - timedelta(hours=1))
    await drain.run(gateway)
    got = [r for r in push_service.received if r.path == "/push/reminder-phone"]
    bodies = [device.decrypt(g.body) for g in got]
    mine = [b for b in bodies if b["url"] == f"/sessions/{r.json()['id']}"]
    # the drain ran late for the day-before reminder: "tomorrow" would be wrong now, so only
    # the hour-before one goes out
    assert len(mine) == 1 and "一小时后（10:00）" in mine[0]["body"]


async def test_subscribing_needs_a_sign_in_and_the_csrf_token(cast, app, client, push_service):
    device = Device(push_service.url + "/push/csrf-phone")
    assert (
        await client.post("/api/v1/push/subscriptions", json=device.subscription())
    ).status_code in (401, 403)
    village = await cast.browser("demo-village")
    r = await village.http.post("/api/v1/push/subscriptions", json=device.subscription())
    assert r.status_code == 403  # a cookie request without the CSRF header
    assert await PushSubscription.count().where(PushSubscription.endpoint == device.endpoint) == 0
    assert (await client.get("/api/v1/push/key")).status_code == 401


async def test_a_subscription_must_be_a_push_service_with_valid_keys(cast, push_service):
    village = await cast.browser("demo-village")
    device = Device("http://10.0.0.1/internal")  # plain HTTP to elsewhere: refused
    r = await subscribe(village, device)
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["endpoint"]
    bad = Device(push_service.url + "/push/bad-keys").subscription()
    bad["keys"]["p256dh"] = b64(b"\x04" + b"\x01" * 64)  # not a point on the curve
    r = await village.http.post(
        "/api/v1/push/subscriptions", json=bad, headers={"x-csrftoken": village.csrf}
    )
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["keys"]


async def test_nobody_can_remove_someone_elses_device(cast, push_service):
    village = await cast.browser("demo-village")
    device = Device(push_service.url + "/push/not-yours")
    assert (await subscribe(village, device)).status_code == 201
    grid = await cast.browser("demo-grid")
    r = await grid.http.request(
        "DELETE",
        "/api/v1/push/subscriptions",
        json={"endpoint": device.endpoint},
        headers={"x-csrftoken": grid.csrf},
    )
    assert r.status_code == 404
    r = await village.http.request(
        "DELETE",
        "/api/v1/push/subscriptions",
        json={"endpoint": device.endpoint},
        headers={"x-csrftoken": village.csrf},
    )
    assert r.status_code == 204
    assert await PushSubscription.count().where(PushSubscription.endpoint == device.endpoint) == 0


async def test_the_server_key_is_kept_in_the_data_dir_and_survives_a_restart():
    before = webpush.public_key()
    webpush._vapid_at.cache_clear()  # a new process reads the same file
    assert webpush.public_key() == before
    path = webpush._key_path()
    assert path.exists() and path.stat().st_mode & 0o077 == 0


async def test_a_phone_passed_on_follows_whoever_turns_push_on_there(cast, push_service):
    device = Device(push_service.url + "/push/shared-phone")
    village = await cast.browser("demo-village")
    assert (await subscribe(village, device)).status_code == 201
    township = await cast.browser("demo-township")
    assert (await subscribe(township, device)).status_code == 201
    rows = await PushSubscription.select(PushSubscription.user).where(
        PushSubscription.endpoint == device.endpoint
    )
    assert rows == [{"user": cast.me["demo-township"]["id"]}]
