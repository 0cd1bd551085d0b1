"""The SMS providers Chinese counties use: Aliyun (阿里云短信服务) and Tencent Cloud (腾讯云短信).

Both send only registered templates: a template code, its parameters and a registered signature
name (短信签名); free text is refused. PINGLI_SMS_TEMPLATES maps the name of each SMS Pingli sends
(`session_reminder_24h`, `session_reminder_1h`, `session_cancelled`) to the county's registered
template and the order of its parameters. Requests are signed as each provider documents:
- Aliyun, RPC API `SendSms` (2017-05-25): signature version 1.0, HMAC-SHA1 over the
  percent-encoded, sorted query string, keyed with `AccessKeySecret&`.
- Tencent Cloud, API 3.0 `SendSms` (2021-01-11): TC3-HMAC-SHA256 over the canonical request,
  with the key derived from the SecretKey, the date and the service.
A provider's "not accepted" answer (a bad template, a wrong signature name) is permanent; a
network failure, 5xx or flow control is retried by the outbox's drain.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlparse

import httpx

from app import clock
from app.disputes.privacy import mask_phone
from app.notify.sms import TIMEOUT_SECONDS, SendError
from app.settings import ChannelSettings

log = logging.getLogger("pingli.notify.sms")

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"
# provider answers that retrying will cure: flow control and the provider's own trouble
ALIYUN_RETRY = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "isp.SYSTEM_ERROR",
    "Throttling.User",
    "isp.RAM_PERMISSION_DENY",
}
TENCENT_RETRY_PREFIXES = ("InternalError", "LimitExceeded", "RequestLimitExceeded")


@dataclass(frozen=True)
class Template:
    code: str
    params: tuple[str, ...]


def templates_of(raw: str) -> dict[str, Template]:
    found = {}
    for name, spec in json.loads(raw or "{}").items():
        found[name] = Template(code=str(spec["code"]), params=tuple(spec.get("params", ())))
    return found


def _template(templates: dict[str, Template], name: str | None) -> Template:
    if not name or name not in templates:
        raise SendError(f"no registered SMS template for {name or 'this message'}", permanent=True)
    return templates[name]


def _values(template: Template, params: dict[str, Any] | None) -> dict[str, str]:
    params = params or {}
    return {name: str(params.get(name, "")) for name in template.params}


async def _post(client: httpx.AsyncClient | None, url: str, **kw: Any) -> httpx.Response:
    try:
        if client is not None:
            return await client.post(url, **kw)
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as own:
            return await own.post(url, **kw)
    except httpx.HTTPError as exc:
        raise SendError(f"SMS provider unreachable: {type(exc).__name__}") from None


def _json(r: httpx.Response) -> dict[str, Any]:
    if r.status_code >= 500 or r.status_code == 429:  # the provider's trouble: try again later
        raise SendError(f"SMS provider answered {r.status_code}")
    try:
        body = r.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise SendError(f"SMS provider answered {r.status_code} without JSON", r.status_code < 500)
    return body


# --- Aliyun ----------------------------------------------------------------------------------


def aliyun_encode(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters kept, everything else %XX
    (so a space is %20, `*` is %2A and `~` stays)."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{aliyun_encode(k)}={aliyun_encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{aliyun_encode('/')}&{aliyun_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class AliyunGateway:
    key_id: str
    key_secret: str
    sign_name: str
    templates: dict[str, Template]
    region: str = "cn-hangzhou"
    endpoint: str = ALIYUN_ENDPOINT
    client: httpx.AsyncClient | None = None
    clock: Callable[[], datetime] = field(default=clock.now)

    def request(self, phone: str, key: str, template: Template, values: dict) -> dict[str, str]:
        params = {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": key[:64],
            "PhoneNumbers": phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template.code,
            "TemplateParam": json.dumps(values, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = aliyun_signature(params, self.key_secret)
        return params

    async def send(
        self,
        phone: str,
        text: str,
        key: str,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        chosen = _template(self.templates, template)
        form = self.request(phone, key, chosen, _values(chosen, params))
        r = await _post(self.client, self.endpoint, data=form)
        body = _json(r)
        code = str(body.get("Code", ""))
        if code == "OK":
            log.info("SMS to %s [%s] accepted by Aliyun", mask_phone(phone), key)
            return
        retry = r.status_code >= 500 or code in ALIYUN_RETRY
        raise SendError(f"Aliyun SMS {code}: {body.get('Message', '')}"[:200], not retry)


# --- Tencent Cloud -----------------------------------------------------------------------------


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tencent_authorization(
    secret_id: str, secret_key: str, host: str, payload: str, timestamp: int, service: str = "sms"
) -> str:
    """The TC3-HMAC-SHA256 Authorization header of a POST of `payload` (JSON) to `host`."""
    day = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    canonical = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:application/json; charset=utf-8\nhost:{host}\n",
            "content-type;host",
            hashlib.sha256(payload.encode()).hexdigest(),
        ]
    )
    scope = f"{day}/{service}/tc3_request"
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(timestamp),
            scope,
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac256(_hmac256(_hmac256(f"TC3{secret_key}".encode(), day), service), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return (
        f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, "
        f"SignedHeaders=content-type;host, Signature={signature}"
    )


@dataclass
class TencentGateway:
    secret_id: str
    secret_key: str
    app_id: str
    sign_name: str
    templates: dict[str, Template]
    region: str = "ap-guangzhou"
    endpoint: str = TENCENT_ENDPOINT
    client: httpx.AsyncClient | None = None
    clock: Callable[[], datetime] = field(default=clock.now)

    def request(
        self, phone: str, key: str, template: Template, values: dict
    ) -> tuple[str, dict[str, str]]:
        number = phone if phone.startswith("+") else f"+86{phone}"
        payload = json.dumps(
            {
                "PhoneNumberSet": [number],
                "SmsSdkAppId": self.app_id,
                "SignName": self.sign_name,
                "TemplateId": template.code,
                "TemplateParamSet": [values[name] for name in template.params],
                "SessionContext": key[:512],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        host = urlparse(self.endpoint).netloc
        timestamp = int(self.clock().timestamp())
        headers = {
            "Authorization": tencent_authorization(
                self.secret_id, self.secret_key, host, payload, timestamp
            ),
            "Content-Type": "application/json; charset=utf-8",
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        return payload, headers

    async def send(
        self,
        phone: str,
        text: str,
        key: str,
        template: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        chosen = _template(self.templates, template)
        payload, headers = self.request(phone, key, chosen, _values(chosen, params))
        r = await _post(self.client, self.endpoint, content=payload.encode(), headers=headers)
        answer = _json(r).get("Response", {})
        error = answer.get("Error")
        if error:
            code = str(error.get("Code", ""))
            retry = r.status_code >= 500 or code.startswith(TENCENT_RETRY_PREFIXES)
            raise SendError(f"Tencent SMS {code}: {error.get('Message', '')}"[:200], not retry)
        statuses = answer.get("SendStatusSet") or [{}]
        code = str(statuses[0].get("Code", ""))
        if code == "Ok":
            log.info("SMS to %s [%s] accepted by Tencent Cloud", mask_phone(phone), key)
            return
        retry = code.startswith(TENCENT_RETRY_PREFIXES)
        raise SendError(f"Tencent SMS {code}: {statuses[0].get('Message', '')}"[:200], not retry)


def from_settings(channels: ChannelSettings) -> AliyunGateway | TencentGateway:
    templates = templates_of(channels.sms_templates)
    if channels.sms_provider == "aliyun":
        return AliyunGateway(
            key_id=channels.sms_key_id,
            key_secret=channels.sms_key_secret,
            sign_name=channels.sms_sign_name,
            templates=templates,
            region=channels.sms_region or "cn-hangzhou",
            endpoint=channels.sms_endpoint or ALIYUN_ENDPOINT,
        )
    return TencentGateway(
        secret_id=channels.sms_key_id,
        secret_key=channels.sms_key_secret,
        app_id=channels.sms_app_id,
        sign_name=channels.sms_sign_name,
        templates=templates,
        region=channels.sms_region or "ap-guangzhou",
        endpoint=channels.sms_endpoint or TENCENT_ENDPOINT,
    )
