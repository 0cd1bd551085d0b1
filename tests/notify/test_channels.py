"""The SMS providers and work-chat robots, each against a local fake that checks what the real
service checks: the request's signature, its body's format, and answers as the service does."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote_plus, urlsplit

import httpx
import pytest

from app.notify import drain, robots, sms_providers
from app.notify.sms import SendError
from app.notify.tables import Notification
from app.settings import ChannelSettings
from tests.notify.conftest import reminders_of
from tests.sessions.conftest import at
from tests.support.http_recorder import Received, Recorder

KEY_ID, SECRET = "LTAI-test-id", "test-secret/with+chars"
TEMPLATES = {
    "session_reminder_24h": sms_providers.Template("SMS_100", ("date", "time", "place")),
    "session_reminder_1h": sms_providers.Template("SMS_101", ("time", "place")),
}


# --- the fakes: each verifies the way its service documents -----------------------------------


def aliyun_fake(got: Received) -> tuple[int, bytes]:
    form = {k: v[0] for k, v in parse_qs(got.body.decode(), keep_blank_values=True).items()}
    sent = form.pop("Signature")

    def enc(v: str) -> str:  # the documented percentEncode
        return (
            quote_plus(v, encoding="utf-8")
            .replace("+", "%20")
            .replace("*", "%2A")
            .replace("%7E", "~")
        )

    query = "&".join(f"{enc(k)}={enc(form[k])}" for k in sorted(form))
    to_sign = "POST&%2F&" + enc(query)
    expected = base64.b64encode(
        hmac.new((SECRET + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    if sent != expected:
        return 400, json.dumps({"Code": "SignatureDoesNotMatch", "Message": "bad"}).encode()
    missing = {"SignName", "TemplateCode", "TemplateParam", "PhoneNumbers"} - set(form)
    if missing or form["Action"] != "SendSms" or form["Version"] != "2017-05-25":
        return 400, json.dumps({"Code": "MissingParameter"}).encode()
    if form["TemplateCode"] not in ("SMS_100", "SMS_101"):
        return 200, json.dumps(
            {"Code": "isv.SMS_TEMPLATE_ILLEGAL", "Message": "模板不合法"}
        ).encode()
    return 200, json.dumps({"Code": "OK", "Message": "OK", "BizId": "1"}).encode()


def tencent_fake(got: Received) -> tuple[int, bytes]:
    auth = got.headers["authorization"]
    algorithm, rest = auth.split(" ", 1)
    parts = dict(p.strip().split("=", 1) for p in rest.split(","))
    _, day, service, _term = parts["Credential"].split("/")
    timestamp = got.headers["x-tc-timestamp"]
    canonical_headers = f"content-type:{got.headers['content-type']}\nhost:{got.headers['host']}\n"
    request = (
        f"POST\n/\n\n{canonical_headers}\n{parts['SignedHeaders']}\n"
        + hashlib.sha256(got.body).hexdigest()
    )
    string = (
        f"{algorithm}\n{timestamp}\n{day}/{service}/tc3_request\n"
        + hashlib.sha256(request.encode()).hexdigest()
    )
    key = ("TC3" + SECRET).encode()
    for part in (day, service, "tc3_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    if parts["Signature"] != hmac.new(key, string.encode(), hashlib.sha256).hexdigest():
        return 200, json.dumps(
            {"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": "x"}}}
        ).encode()
    body = json.loads(got.body)
    assert got.headers["x-tc-action"] == "SendSms" and got.headers["x-tc-version"] == "2021-01-11"
    assert set(body) >= {"PhoneNumberSet", "SmsSdkAppId", "SignName", "TemplateId"}
    return 200, json.dumps(
        {"Response": {"SendStatusSet": [{"Code": "Ok", "Message": "send success"}]}}
    ).encode()


@pytest.fixture
def fake():
    server = Recorder().start()
    yield server
    server.stop()


def aliyun(server: Recorder, **kw) -> sms_providers.AliyunGateway:
    return sms_providers.AliyunGateway(
        key_id=KEY_ID,
        key_secret=SECRET,
        sign_name="评理",
        templates=TEMPLATES,
        endpoint=server.url + "/",
        **kw,
    )


def tencent(server: Recorder) -> sms_providers.TencentGateway:
    return sms_providers.TencentGateway(
        secret_id=KEY_ID,
        secret_key=SECRET,
        app_id="1400000000",
        sign_name="评理",
        templates=TEMPLATES,
        endpoint=server.url + "/",
    )


# --- SMS ---------------------------------------------------------------------------------------


async def test_aliyun_gets_a_signed_template_with_its_parameters(fake):
    fake.respond = aliyun_fake
    params = {"date": "2026-12-08", "time": "09:00", "place": "村评理室", "case_no": "BY-1"}
    await aliyun(fake).send("13800001111", "全文", "k1", "session_reminder_24h", params)
    form = {k: v[0] for k, v in parse_qs(fake.received[0].body.decode()).items()}
    assert form["TemplateCode"] == "SMS_100" and form["SignName"] == "评理"
    assert json.loads(form["TemplateParam"]) == {
        "date": "2026-12-08",
        "time": "09:00",
        "place": "村评理室",
    }
    assert form["PhoneNumbers"] == "13800001111" and form["OutId"] == "k1"


async def test_a_wrong_aliyun_secret_is_refused_for_good(fake):
    fake.respond = aliyun_fake
    gateway = aliyun(fake)
    gateway.key_secret = "another"
    with pytest.raises(SendError) as refused:
        await gateway.send(
            "13800001111", "x", "k", "session_reminder_1h", {"time": "9", "place": "p"}
        )
    assert refused.value.permanent and "SignatureDoesNotMatch" in str(refused.value)


async def test_an_sms_without_a_registered_template_is_not_sent(fake):
    fake.respond = aliyun_fake
    with pytest.raises(SendError) as refused:
        await aliyun(fake).send("13800001111", "x", "k", "session_cancelled", {})
    assert refused.value.permanent and fake.received == []


async def test_tencent_gets_a_tc3_signed_template_with_ordered_parameters(fake):
    fake.respond = tencent_fake
    params = {"time": "09:00", "place": "村评理室"}
    await tencent(fake).send("13800001111", "全文", "k2", "session_reminder_1h", params)
    body = json.loads(fake.received[0].body)
    assert body["PhoneNumberSet"] == ["+8613800001111"]
    assert body["TemplateId"] == "SMS_101" and body["TemplateParamSet"] == ["09:00", "村评理室"]
    assert body["SignName"] == "评理" and body["SmsSdkAppId"] == "1400000000"


async def test_a_wrong_tencent_secret_is_refused_and_a_5xx_is_retried(fake):
    fake.respond = tencent_fake
    gateway = tencent(fake)
    gateway.secret_key = "another"
    with pytest.raises(SendError) as refused:
        await gateway.send("13800001111", "x", "k", "session_reminder_1h", {})
    assert refused.value.permanent and "SignatureFailure" in str(refused.value)
    fake.respond = lambda got: (502, b"{}")
    with pytest.raises(SendError) as later:
        await tencent(fake).send("13800001111", "x", "k", "session_reminder_1h", {})
    assert not later.value.permanent


async def test_the_drain_sends_reminders_through_aliyun_once_each(
    cast, booking, juror, day, frozen, fake
):
    fake.respond = aliyun_fake
    body = booking("09:00", "10:00", juror_ids=[juror["id"]], confirmed_juror_ids=[juror["id"]])
    r = await cast.api["demo-village"].post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    session = r.json()
    frozen.set(datetime.fromisoformat(at(day, "09:00")) - timedelta(hours=24))
    gateway = aliyun(fake)
    await drain.run(gateway)
    await drain.run(gateway)
    forms = [
        {k: v[0] for k, v in parse_qs(g.body.decode()).items()}
        for g in fake.received
        if f"session:{session['id']}:".encode() in g.body or True
    ]
    mine = [f for f in forms if f["OutId"].startswith(f"session:{session['id']}:")]
    assert len(mine) == 3 and len({f["PhoneNumbers"] for f in mine}) == 3
    assert all(f["TemplateCode"] == "SMS_100" for f in mine)
    rows = [r for r in await reminders_of(session["id"]) if r["channel"] == "sms" and r["sent_at"]]
    assert len(rows) == 3 and all(r["attempts"] == 1 for r in rows)


# --- robots ------------------------------------------------------------------------------------


def wecom_fake(got: Received) -> tuple[int, bytes]:
    body = json.loads(got.body)
    ok = body.get("msgtype") == "markdown" and body["markdown"].get("content")
    return 200, json.dumps({"errcode": 0 if ok else 40008, "errmsg": "ok"}).encode()


def dingtalk_fake(secret: str):
    def check(got: Received) -> tuple[int, bytes]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(got.path).query).items()}
        timestamp = query.get("timestamp", "")
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        if query.get("sign") != expected:  # parse_qs has URL-decoded it
            return 200, json.dumps({"errcode": 310000, "errmsg": "sign not match"}).encode()
        body = json.loads(got.body)
        ok = (
            body.get("msgtype") == "markdown"
            and body["markdown"]["title"]
            and body["markdown"]["text"]
        )
        return 200, json.dumps({"errcode": 0 if ok else 300001, "errmsg": "ok"}).encode()

    return check


def channels_for(wecom: Recorder, dingtalk: Recorder, secret: str) -> ChannelSettings:
    return ChannelSettings(
        wecom_robot_url=wecom.url + "/cgi-bin/webhook/send?key=abc",
        dingtalk_robot_url=dingtalk.url + "/robot/send?access_token=xyz",
        dingtalk_robot_secret=secret,
        public_url="https://pingli.example.gov.cn",
    )


async def test_a_signed_dingtalk_post_and_a_wecom_post_are_markdown():
    secret = "SECtest+/="
    with_recorders = [Recorder().start(), Recorder().start()]
    wecom, dingtalk = with_recorders
    wecom.respond, dingtalk.respond = wecom_fake, dingtalk_fake(secret)
    try:
        channels = channels_for(wecom, dingtalk, secret)
        async with httpx.AsyncClient() as http:
            await robots.post(http, robots.WECOM, "案件 BY-1 已超期。", "/disputes/x", channels)
            await robots.post(http, robots.DINGTALK, "案件 BY-1 已超期。", "/disputes/x", channels)
            wrong = ChannelSettings(
                dingtalk_robot_url=channels.dingtalk_robot_url, dingtalk_robot_secret="SECother"
            )
            with pytest.raises(robots.PostError) as refused:
                await robots.post(http, robots.DINGTALK, "x", "/", wrong)
        assert refused.value.permanent
        content = json.loads(wecom.received[0].body)["markdown"]["content"]
        assert "BY-1" in content and "https://pingli.example.gov.cn/disputes/x" in content
    finally:
        for r in with_recorders:
            r.stop()


async def test_an_overdue_notice_reaches_each_group_once_through_the_outbox(cast, monkeypatch):
    from app.disputes import notices

    secret = "SECtest"
    wecom, dingtalk = Recorder().start(), Recorder().start()
    wecom.respond, dingtalk.respond = wecom_fake, dingtalk_fake(secret)
    try:
        channels = channels_for(wecom, dingtalk, secret)

        class Settings:
            pass

        fake_settings = Settings()
        fake_settings.channels = channels
        monkeypatch.setattr(robots, "get_settings", lambda: fake_settings)
        from app.disputes.tables import Dispute

        logged = await cast.log_case("demo-grid", title="机器人通知测试", category="debt")
        case = await Dispute.select().where(Dispute.id == logged["id"]).first()
        now = datetime.now(UTC)
        for _ in range(2):  # the sweep runs twice: one notice
            await notices.tell(
                "overdue", case, [cast.me["demo-village"]["jurisdiction"]["id"]], now, "due1"
            )
        await drain.run()
        await drain.run()
        assert len(wecom.received) == 1 and len(dingtalk.received) == 1
        assert "机器人通知测试" in json.loads(wecom.received[0].body)["markdown"]["content"]
        rows = await Notification.select().where(
            Notification.channel.is_in(list(robots.CHANNELS))
            & Notification.dedupe_key.like(f"overdue:{logged['id']}:%")
        )
        assert len(rows) == 2 and all(r["sent_at"] for r in rows)
        # a notice officers do not want in the group stays out of it
        await notices.tell(
            "escalated", case, [cast.me["demo-village"]["jurisdiction"]["id"]], now, "v2"
        )
        await drain.run()
        assert len(wecom.received) == 1
    finally:
        wecom.stop()
        dingtalk.stop()
