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
    if kind in ADMIN_KINDS:
        head, _sep, changed = value.partition("; ")
        return {"text": admin_change(head), "session": None, "changed": changed or None}
    return {"text": value, "session": None}


ADMIN_KINDS = (
    "user",
    "room",
    "juror",
    "category",
    "boundaries",
    "calendar",
    "limits",
    "open311",
    "basemap",
)
VERBS = {
    "create": N_("Created"),
    "change": N_("Changed"),
    "deactivate": N_("Deactivated"),
    "activate": N_("Reactivated"),
    "retire": N_("Retired"),
    "restore": N_("Restored"),
}
OBJECTS = {
    "user": N_("user"),
    "room": N_("room"),
    "juror": N_("juror"),
    "category": N_("category"),
}
_CHANGE = re.compile(
    r"^(?P<verb>create|change|deactivate|activate|retire|restore) "
    r"(?P<object>user|room|juror|category) (?P<name>\S+)(?: of (?P<code>\S+))?$"
)
_ADMIN = (
    (
        re.compile(r"^reset password of user (?P<name>\S+)$"),
        lambda m: _("Password reset for %(name)s", name=m["name"]),
    ),
    (
        re.compile(r"^import boundaries: (?P<c>\d+) created, (?P<u>\d+) updated$"),
        lambda m: _("Boundaries imported: %(c)s created, %(u)s updated", c=m["c"], u=m["u"]),
    ),
    (
        re.compile(r"^issue Open311 key (?P<name>.+) as (?P<user>\S+)$"),
        lambda m: _("Open311 key issued to %(name)s, acting as %(user)s", **m.groupdict()),
    ),
    (
        re.compile(r"^revoke Open311 key (?P<name>.+)$"),
        lambda m: _("Open311 key revoked: %(name)s", name=m["name"]),
    ),
    (
        re.compile(r"^calendar (?P<year>\d{4}): "),
        lambda m: _("Holiday calendar of %(year)s changed", year=m["year"]),
    ),
    (re.compile(r"^limits "), lambda m: _("Time limits changed")),
    (
        re.compile(r"^basemap (?P<a>\w+)->(?P<b>\w+)$"),
        lambda m: _(
            "Base map changed: %(before)s → %(after)s",
            before=_(BASEMAP_KINDS.get(m["a"], m["a"])),
            after=_(BASEMAP_KINDS.get(m["b"], m["b"])),
        ),
    ),
)
BASEMAP_KINDS = {
    "default": N_("the server's default"),
    "none": N_("No base map"),
    "tianditu": N_("Tianditu (vector map and labels)"),
    "xyz": N_("Tile address (XYZ)"),
}


def admin_change(value: str) -> str:
    """An administrator's change in words of the page's language; the record itself stays as
    written (machine words), and what is not recognised is shown as it is."""
    if found := _CHANGE.match(value):
        text = _(
            "%(verb)s %(object)s %(name)s",
            verb=_(VERBS[found["verb"]]),
            object=_(OBJECTS[found["object"]]),
            name=found["name"],
        )
        return f"{text} ({found['code']})" if found["code"] else text
    for pattern, words in _ADMIN:
        if found := pattern.match(value):
            return words(found)
    return value
