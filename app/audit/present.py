"""The audit log as a person reads it: what was seen in words of the page's language, and the
device as a short description ("Android phone · WeChat") instead of a user-agent string. The
stored rows stay as written (machine words, the whole user agent); only their display changes."""

from __future__ import annotations

import re

from app.i18n import N_, _

FIELDS = {"phone": N_("phone number"), "id_number": N_("ID number")}
_SESSION = re.compile(r"^(?P<fields>[\w,]+) \(session (?P<id>\d+)\)$")
_REPORT = re.compile(r"^report (?P<id>\d+): (?P<rest>.*)$")

# (pattern, description), first match wins: the device, then the browser.
DEVICES = (
    (re.compile(r"iPad"), N_("iPad")),
    (re.compile(r"iPhone"), N_("iPhone")),
    (re.compile(r"HarmonyOS|OpenHarmony"), N_("HarmonyOS phone")),
    (re.compile(r"Android.*Mobile"), N_("Android phone")),
    (re.compile(r"Android"), N_("Android tablet")),
    (re.compile(r"Windows"), N_("Windows computer")),
    (re.compile(r"Macintosh|Mac OS X"), N_("Mac computer")),
    (re.compile(r"CrOS|Linux|X11"), N_("Linux computer")),
)
BROWSERS = (
    (re.compile(r"MicroMessenger"), N_("WeChat")),
    (re.compile(r"DingTalk"), N_("DingTalk")),
    (re.compile(r"Headless|Playwright|python-httpx|curl|Wget|python-requests"), N_("a program")),
    (re.compile(r"Edg/|EdgA/"), N_("Edge browser")),
    (re.compile(r"UCBrowser|UCWEB"), N_("UC browser")),
    (re.compile(r"MQQBrowser|QQBrowser"), N_("QQ browser")),
    (re.compile(r"HuaweiBrowser"), N_("Huawei browser")),
    (re.compile(r"Firefox/"), N_("Firefox browser")),
    (re.compile(r"Chrome/|CriOS/|Chromium/"), N_("Chrome browser")),
    (re.compile(r"Safari/"), N_("Safari browser")),
)


def device(user_agent: str | None) -> str:
    """A short description of the device and browser behind a user-agent string."""
    if not user_agent:
        return _("Unknown device")
    parts = [_(name) for pattern, name in DEVICES if pattern.search(user_agent)][:1]
    parts += [_(name) for pattern, name in BROWSERS if pattern.search(user_agent)][:1]
    return " · ".join(parts) or _("Unknown device")


def what(kind: str, value: str) -> dict[str, str | None]:
    """{"text": what was seen or taken, in words; "session": the session's id, if any}."""
    if kind in ("reveal", "agreement"):
        session = None
        fields = value
        if found := _SESSION.match(value):
            fields, session = found["fields"], found["id"]
        names = [_(FIELDS[f]) if f in FIELDS else f for f in fields.split(",") if f]
        return {"text": _(", ").join(names) if names else value, "session": session}
    if kind == "export" and (found := _REPORT.match(value)):
        return {
            "text": _("Saved report %(id)s: %(what)s", id=found["id"], what=found["rest"]),
            "session": None,
        }
    return {"text": value, "session": None}
