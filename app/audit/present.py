"""The audit log as a person reads it: what was seen in words of the page's language, and the
device as a short description ("Android phone · WeChat") instead of a user-agent string. The
stored rows stay as written (machine words, the whole user agent); only their display changes.

An administrator's change is stored as an action and its parameters (`ACTIONS` below, in the
entry's JSON detail, like a notice's message and params) and put in words when it is shown, in
the reader's language. Entries written before that carry only an English phrase in `what`; the
patterns of `_LEGACY` still read them."""

from __future__ import annotations

import re
from typing import Any

from app.audit.tables import ADMIN_KINDS
from app.disputes.vocabulary import ROLE_LABELS, label
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


def what(kind: str, value: str, change: dict[str, Any] | None = None) -> dict[str, str | None]:
    """{"text": what was seen, taken or changed, in words; "session": the session's id, if
    any; "changed": an admin change's fields as `field: before → after`, if any}.
    `change` is the entry's detail (JSON, parsed)."""
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
        change = change or {}
        text = action_text(change.get("action"), change.get("params"))
        legacy_changed = None
        if text is None:
            text, legacy_changed = _legacy(value)
        changed = changed_fields(kind, change) or legacy_changed
        return {"text": text, "session": None, "changed": changed}
    return {"text": value, "session": None}


# An administrator's change: the action stored with the entry, its words shown.
ACTIONS: dict[str, str] = {
    "create_user": N_("Created user %(name)s"),
    "change_user": N_("Changed user %(name)s"),
    "deactivate_user": N_("Deactivated user %(name)s"),
    "activate_user": N_("Reactivated user %(name)s"),
    "reset_password": N_("Password reset for %(name)s"),
    "create_room": N_("Created room %(name)s"),
    "change_room": N_("Changed room %(name)s"),
    "deactivate_room": N_("Deactivated room %(name)s"),
    "create_juror": N_("Added juror %(name)s"),
    "change_juror": N_("Changed juror %(name)s"),
    "deactivate_juror": N_("Deactivated juror %(name)s"),
    "create_category": N_("Created category %(name)s"),
    "change_category": N_("Changed category %(name)s"),
    "retire_category": N_("Retired category %(name)s"),
    "restore_category": N_("Restored category %(name)s"),
    "import_boundaries": N_("Boundaries imported: %(c)s created, %(u)s updated"),
    "issue_open311_key": N_("Open311 key issued to %(name)s, acting as %(user)s"),
    "revoke_open311_key": N_("Open311 key revoked: %(name)s"),
    "change_calendar": N_("Holiday calendar of %(year)s changed"),
    "change_limits": N_("Time limits changed: version %(old)s → %(new)s"),
    "apply_limits": N_(
        "Time limits changed: version %(old)s → %(new)s, applied to %(running)s running cases"
    ),
    "change_basemap": N_("Base map changed: %(before)s → %(after)s"),
}


BASEMAP_KINDS = {
    "default": N_("the server's default"),
    "none": N_("No base map"),
    "tianditu": N_("Tianditu (vector map and labels)"),
    "xyz": N_("Tile address (XYZ)"),
}
PARAM_WORDS: dict[str, dict[str, str]] = {"change_basemap": BASEMAP_KINDS}


def action_text(action: str | None, params: dict[str, Any] | None) -> str | None:
    """A stored action in words, or None when there is none (an older entry) or it cannot be
    put in words (an action this version does not know, a parameter missing)."""
    if action not in ACTIONS:
        return None
    if action in PARAM_WORDS:  # parameters stored as codes, shown as words
        words = PARAM_WORDS[action]
        params = {k: _(words[v]) if v in words else v for k, v in (params or {}).items()}
    try:
        return _(ACTIONS[action], **(params or {})) if params else _(ACTIONS[action])
    except (KeyError, TypeError, ValueError):
        return None


# The fields an admin change shows before → after, by kind where the same name means
# different things (a room's name is not a person's).
FIELD_LABELS: dict[str, str] = {
    "username": N_("Username"),
    "display_name": N_("Name"),
    "name": N_("Name"),
    "phone": N_("Phone"),
    "role": N_("Role"),
    "jurisdiction": N_("Area"),
    "active": N_("In use"),
    "address": N_("Address"),
    "capacity": N_("Seats"),
    "opens_at": N_("Opens"),
    "closes_at": N_("Closes"),
    "open_weekdays": N_("Open on"),
    "kind": N_("Kind"),
    "note": N_("Note"),
    "code": N_("Code"),
    "national": N_("National category"),
    "parent": N_("Parent category"),
    "holidays": N_("Public holidays"),
    "workdays": N_("Make-up working days"),
    "account": N_("Account"),
}
KIND_FIELD_LABELS: dict[tuple[str, str], str] = {
    ("room", "name"): N_("Name of the room"),
    ("category", "name"): N_("Category name"),
    ("open311", "name"): N_("Client name"),
}


def field_label(kind: str, name: str) -> str:
    label = KIND_FIELD_LABELS.get((kind, name)) or FIELD_LABELS.get(name)
    return _(label) if label else name


def _value(kind: str, name: str, value: Any) -> str:
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if value in (None, ""):
        return "—"
    words = _value_words(kind, name)
    return label(words, value) if isinstance(value, str) and value in words else str(value)


def _value_words(kind: str, name: str) -> dict[str, str]:
    """The vocabulary a field's stored codes are shown in (a role, a juror's kind)."""
    if name == "role":
        return ROLE_LABELS
    if (kind, name) == ("juror", "kind"):
        from app.sessions.jurors import JUROR_KINDS  # (it writes the log: imported late)

        return JUROR_KINDS
    return {}


def changed_fields(kind: str, change: dict[str, Any]) -> str | None:
    """Each changed field as `field: before → after` (all of them for a creation)."""
    before, after = change.get("before") or {}, change.get("after") or {}
    parts = [
        _(
            "%(field)s: %(before)s → %(after)s",
            field=field_label(kind, name),
            before=_value(kind, name, before.get(name)),
            after=_value(kind, name, after.get(name)),
        )
        for name in dict.fromkeys([*before, *after])
    ]
    return _("; ").join(parts) if parts else None


# ----- entries written before actions were stored: their English phrase, read back ---------

_CHANGE = re.compile(
    r"^(?P<verb>create|change|deactivate|activate|retire|restore) "
    r"(?P<object>user|room|juror|category) (?P<name>\S+)(?: of (?P<code>\S+))?$"
)
_LEGACY: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = (
    # (pattern, action, the groups that are its parameters)
    (re.compile(r"^reset password of user (?P<name>\S+)$"), "reset_password", ("name",)),
    (
        re.compile(r"^import boundaries: (?P<c>\d+) created, (?P<u>\d+) updated$"),
        "import_boundaries",
        ("c", "u"),
    ),
    (
        re.compile(r"^issue Open311 key (?P<name>.+) as (?P<user>\S+)$"),
        "issue_open311_key",
        ("name", "user"),
    ),
    (re.compile(r"^revoke Open311 key (?P<name>.+)$"), "revoke_open311_key", ("name",)),
    (
        re.compile(r"^basemap (?P<before>\w+)->(?P<after>\w+)$"),
        "change_basemap",
        ("before", "after"),
    ),
)
_CALENDAR = re.compile(r"^calendar (?P<year>\d{4}): (?P<rest>.*)$")
_LIMITS = re.compile(r"^limits (?P<rest>.*)$")


def _legacy(value: str) -> tuple[str, str | None]:
    """An older entry's phrase in words, and what it says changed; what is not recognised is
    shown as it is."""
    if found := _CHANGE.match(value):
        text = action_text(f"{found['verb']}_{found['object']}", {"name": found["name"]})
        if text is not None:
            return (f"{text} ({found['code']})" if found["code"] else text), None
    for pattern, action, groups in _LEGACY:
        if found := pattern.match(value):
            return action_text(action, {g: found[g] for g in groups}) or value, None
    if found := _CALENDAR.match(value):
        return _(ACTIONS["change_calendar"], year=found["year"]), found["rest"]
    if found := _LIMITS.match(value):
        return _("Time limits changed"), found["rest"]
    return value, None
