"""Work-chat group robots: officers' alerts and overdue notices posted to 企业微信 (WeCom) and
钉钉 (DingTalk) groups, where county officers actually read them.

A robot is one more channel of the outbox: `outbox.send` stores one row per configured robot
beside the in-app rows (the dedupe key names the notice and the robot, so a notice is posted
once), and the drain posts it, retrying as it does every other channel. Both speak markdown:
- WeCom: `POST <webhook>` `{"msgtype": "markdown", "markdown": {"content": …}}`, answer
  `{"errcode": 0}`.
- DingTalk: `POST <webhook>&timestamp=<ms>&sign=<sign>` where sign is
  base64(HMAC-SHA256(secret, "<ms>\\n<secret>")), URL-encoded (加签);
  `{"msgtype": "markdown", "markdown": {"title": …, "text": …}}`, answer `{"errcode": 0}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from app.i18n import _
from app.notify.tables import Notification
from app.settings import ChannelSettings, get_settings

WECOM = "robot_wecom"
DINGTALK = "robot_dingtalk"
CHANNELS = (WECOM, DINGTALK)
TIMEOUT_SECONDS = 10.0
# the notices officers want in their group chat: early warnings and lapsed time limits
OVERDUE_KINDS = frozenset({"overdue", "auto_supervised", "supervision_overdue"})


class PostError(Exception):
    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def wanted(kind: str) -> bool:
    return kind.startswith("alert_") or kind in OVERDUE_KINDS


def configured(channels: ChannelSettings) -> list[str]:
    found = []
    if channels.wecom_robot_url:
        found.append(WECOM)
    if channels.dingtalk_robot_url:
        found.append(DINGTALK)
    return found


def rows_for(kind: str, payload: str, dedupe: str, now: datetime) -> list[Notification]:
    """The robot rows of one notice (none unless it is one officers want in their group)."""
    if not wanted(kind):
        return []
    return [
        Notification(
            recipient=None,
            channel=channel,
            kind=kind,
            payload=payload,
            dedupe_key=f"{dedupe}:{channel}",
            created_at=now,
            due_at=now,
        )
        for channel in configured(get_settings().channels)
    ]


def markdown(text: str, link: str, public_url: str) -> tuple[str, str]:
    """(title, body) of the message: the notice and where to open it."""
    name = _("Pingli")
    title = name + " · " + text[:40]
    body = f"**{name}**\n\n{text}"
    if link and public_url:
        body += "\n\n[" + _("Open in Pingli") + f"]({public_url}{link})"
    elif link:
        body += "\n\n" + link
    return title, body


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return quote(base64.b64encode(digest).decode(), safe="")


async def post(
    http: httpx.AsyncClient,
    channel: str,
    text: str,
    link: str,
    channels: ChannelSettings | None = None,
    clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
) -> None:
    """Post one message to the robot of `channel`, or raise PostError."""
    channels = channels or get_settings().channels
    title, body = markdown(text, link, channels.public_url)
    if channel == WECOM:
        url = channels.wecom_robot_url
        message: dict[str, Any] = {"msgtype": "markdown", "markdown": {"content": body}}
    elif channel == DINGTALK:
        url = channels.dingtalk_robot_url
        if channels.dingtalk_robot_secret:
            ms = clock_ms()
            sign = dingtalk_sign(channels.dingtalk_robot_secret, ms)
            url += ("&" if "?" in url else "?") + f"timestamp={ms}&sign={sign}"
        message = {"msgtype": "markdown", "markdown": {"title": title, "text": body}}
    else:
        raise PostError(f"unknown robot {channel}", permanent=True)
    if not url:
        raise PostError(f"{channel} is no longer configured", permanent=True)
    try:
        r = await http.post(url, json=message, timeout=TIMEOUT_SECONDS)
    except httpx.HTTPError as exc:
        raise PostError(f"{channel} unreachable: {type(exc).__name__}") from None
    if r.status_code >= 500 or r.status_code == 429:
        raise PostError(f"{channel} answered {r.status_code}")
    try:
        answer = r.json()
    except ValueError:
        answer = {}
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if r.status_code == 200 and code == 0:
        return
    # 45009 (WeCom) and 130101 (DingTalk): too many messages a minute; wait and retry
    retry = code in (45009, 130101, -1)
    raise PostError(f"{channel} refused: {code} {answer.get('errmsg', '')}"[:200], not retry)
