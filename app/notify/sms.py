"""SMS through a pluggable gateway: parties and jurors have phones, not logins.

Adapters: the two providers Chinese counties use, Aliyun (阿里云短信) and Tencent Cloud (腾讯云短信)
(app/notify/sms_providers.py), which send a registered template with its parameters and a
signature name, never free text; the webhook (PINGLI_SMS_WEBHOOK_URL; the JSON body and headers
are set in PINGLI_SMS_WEBHOOK_BODY and PINGLI_SMS_WEBHOOK_HEADERS, so an in-house relay fits);
and, by default, the log, which writes the masked number and the text. A full number is never
logged. Every adapter is called by the outbox's drain, so each SMS is sent once and retried.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from app.disputes.privacy import mask_phone
from app.settings import get_settings

log = logging.getLogger("pingli.notify.sms")

TIMEOUT_SECONDS = 10.0


class SendError(Exception):
    """The gateway did not take the SMS. `permanent`: retrying will not help (a 4xx)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class Gateway(Protocol):
    async def send(
        self,
        phone: str,
        text: str,
        key: str,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        """Hand one SMS to the gateway or raise SendError. `key` is the same for every retry
        of one SMS, so a gateway can drop a duplicate. `template` names the message (for the
        providers that send registered templates) and `params` are its values."""


class LogGateway:
    async def send(
        self,
        phone: str,
        text: str,
        key: str,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        log.info("SMS (log only) to %s [%s]: %s", mask_phone(phone), key, text)


def fill(template: Any, values: dict[str, str]) -> Any:
    """The template with `{name}` replaced inside every string (keys and values), so the
    result is JSON whatever the text holds (quotes, newlines)."""
    if isinstance(template, str):
        for name, value in values.items():
            template = template.replace("{" + name + "}", value)
        return template
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, dict):
        return {fill(k, values): fill(v, values) for k, v in template.items()}
    return template


@dataclass
class WebhookGateway:
    url: str
    body: Any = field(default_factory=lambda: {"to": "{phone}", "text": "{text}", "id": "{id}"})
    headers: dict[str, str] = field(default_factory=dict)
    client: httpx.AsyncClient | None = None

    async def send(
        self,
        phone: str,
        text: str,
        key: str,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        body = fill(self.body, {"phone": phone, "text": text, "id": key})
        try:
            if self.client is not None:
                r = await self.client.post(self.url, json=body, headers=self.headers)
            else:
                async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
                    r = await client.post(self.url, json=body, headers=self.headers)
        except httpx.HTTPError as exc:
            raise SendError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if 200 <= r.status_code < 300:
            log.info("SMS to %s [%s] accepted", mask_phone(phone), key)
            return
        permanent = 400 <= r.status_code < 500 and r.status_code not in (408, 429)
        raise SendError(f"SMS gateway {r.status_code}", permanent=permanent)


def from_settings() -> Gateway:
    settings = get_settings()
    provider = settings.channels.sms_provider
    if provider in ("aliyun", "tencent"):
        from app.notify import sms_providers

        return sms_providers.from_settings(settings.channels)
    if provider == "log" or not settings.sms_webhook_url:
        return LogGateway()
    return WebhookGateway(
        url=settings.sms_webhook_url,
        body=json.loads(settings.sms_webhook_body),
        headers={str(k): str(v) for k, v in json.loads(settings.sms_webhook_headers).items()},
    )
