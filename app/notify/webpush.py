"""Web Push to the installed PWA: RFC 8030 delivery, VAPID (RFC 8292) to say who sends, the
payload encrypted for the device (RFC 8291, aes128gcm) with py-vapid and http_ece.

The VAPID key pair is generated on first use and kept in the data dir: every process (web
workers, the scheduler) reads the same file, and the browsers' subscriptions stay valid
across restarts. A device whose push service answers 404 or 410 has unsubscribed: its row is
deleted.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02

from app.i18n import gettext as _
from app.notify import outbox
from app.notify.subscriptions import PushSubscription
from app.settings import get_settings

log = logging.getLogger("pingli.notify.push")

KEY_FILE = "vapid_private.pem"
TTL_SECONDS = 12 * 3600  # a notice the phone did not get in half a day is stale
TIMEOUT_SECONDS = 10.0
MAX_BODY_CHARS = 500
# Push services are HTTPS. Tests (and only tests) add their local push service's host here.
PLAIN_HTTP_HOSTS: frozenset[str] = frozenset()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ----- the server's key -----------------------------------------------------------------------


def _key_path() -> Path:
    return get_settings().data_dir / KEY_FILE


def _create_key(path: Path) -> None:
    """Write a new private key unless another process got there first (link is atomic and
    fails when the file exists, so nobody ever reads half a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = Vapid02()
    fresh.generate_keys()
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(fresh.private_pem())
    tmp.chmod(0o600)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def _vapid_at(path: Path) -> Vapid02:
    if not path.exists():
        _create_key(path)
    return Vapid02.from_file(str(path))


def vapid() -> Vapid02:
    return _vapid_at(_key_path())


def public_key() -> str:
    """The applicationServerKey a browser subscribes with (uncompressed P-256, base64url)."""
    raw = vapid().public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(raw)


# ----- subscriptions ---------------------------------------------------------------------------


def endpoint_problem(endpoint: str) -> str | None:
    """Why this is not a push service URL we will post to, or None."""
    if not endpoint or len(endpoint) > 1000:
        return _("Not a push endpoint.")
    parts = urlsplit(endpoint)
    secure = parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in PLAIN_HTTP_HOSTS
    )
    if not secure or not parts.hostname or parts.username or parts.password:
        return _("Not a push endpoint.")
    return None


def keys_problem(p256dh: str, auth: str) -> str | None:
    try:
        point, secret = unb64url(p256dh), unb64url(auth)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, TypeError):
        return _("The subscription's keys are not valid.")
    if len(point) != 65 or len(secret) != 16:
        return _("The subscription's keys are not valid.")
    return None


# ----- sending ---------------------------------------------------------------------------------


def encrypt(plaintext: bytes, p256dh: str, auth: str) -> bytes:
    """aes128gcm for one device: a fresh sender key and salt for every message."""
    sender = ec.generate_private_key(ec.SECP256R1())
    return http_ece.encrypt(
        plaintext,
        salt=os.urandom(16),
        private_key=sender,
        dh=unb64url(p256dh),
        auth_secret=unb64url(auth),
        version="aes128gcm",
    )


def vapid_headers(endpoint: str) -> dict[str, str]:
    parts = urlsplit(endpoint)
    claims = {
        "aud": f"{parts.scheme}://{parts.netloc}",
        "sub": get_settings().push_contact,
        # the push service checks it against its own clock: real time, never the test clock
        "exp": int(time.time()) + TTL_SECONDS,
    }
    return vapid().sign(claims)


def message(payload: dict[str, Any], locale: str, topic: str) -> bytes:
    """What the service worker shows: the notice's words in the device's language and its
    link; nothing else (no names beyond what the notice says, no numbers)."""
    with outbox.in_locale(locale):
        body = {
            "title": _("Pingli"),
            "body": outbox.text(payload)[:MAX_BODY_CHARS],
            "url": payload.get("link") or "/",
            "tag": topic,
        }
    return json.dumps(body, ensure_ascii=False).encode()


@dataclass
class Outcome:
    delivered: int = 0
    gone: int = 0  # subscriptions deleted (404/410)
    error: str = ""  # the last failure worth retrying
    permanent: str = ""  # the last failure that a retry would not fix


async def push_one(
    client: httpx.AsyncClient, sub: dict, payload: dict[str, Any], topic: str
) -> tuple[str, str]:
    """("ok" | "gone" | "retry" | "fail", detail) for one device."""
    body = encrypt(message(payload, sub["locale"], topic), sub["p256dh"], sub["auth"])
    headers = {
        "TTL": str(TTL_SECONDS),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "Urgency": "normal",
        # a resend of the same notice replaces the undelivered first one at the push service
        "Topic": topic,
        **vapid_headers(sub["endpoint"]),
    }
    try:
        r = await client.post(sub["endpoint"], content=body, headers=headers)
    except httpx.HTTPError as exc:
        return "retry", f"push service unreachable: {type(exc).__name__}"
    if 200 <= r.status_code < 300:
        return "ok", ""
    if r.status_code in (404, 410):
        return "gone", f"push service {r.status_code}"
    detail = f"push service {r.status_code}"
    if r.status_code in (408, 429) or r.status_code >= 500:
        return "retry", detail
    return "fail", detail


async def send_to_user(
    client: httpx.AsyncClient, user_id: int, payload: dict[str, Any], topic: str, now
) -> Outcome:
    """Push one notice to every device of a person."""
    outcome = Outcome()
    subs = await PushSubscription.select(
        PushSubscription.id,
        PushSubscription.endpoint,
        PushSubscription.p256dh,
        PushSubscription.auth,
        PushSubscription.locale,
    ).where(PushSubscription.user == user_id)
    for sub in subs:
        if endpoint_problem(sub["endpoint"]):
            outcome.permanent = "endpoint not allowed"
            continue
        result, detail = await push_one(client, sub, payload, topic)
        if result == "ok":
            outcome.delivered += 1
            await PushSubscription.update({PushSubscription.last_sent_at: now}).where(
                PushSubscription.id == sub["id"]
            )
        elif result == "gone":
            outcome.gone += 1
            await PushSubscription.delete().where(PushSubscription.id == sub["id"])
            log.info("push subscription %s is gone (%s): deleted", sub["id"], detail)
        elif result == "retry":
            outcome.error = detail
        else:
            outcome.permanent = detail
    return outcome
