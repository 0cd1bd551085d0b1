"""Litestar's and msgspec's validation messages in the user's language.

A body that does not decode (a missing field, a string where a number belongs) is refused by
msgspec before any handler runs, with English text such as "Object missing required field
`title`". `translate(key, message)` gives the field it is about and the message in words the
request's language has: every known shape is matched below; anything else gets a general
sentence rather than English on a Chinese page."""

from __future__ import annotations

import re
from collections.abc import Callable

from app.i18n import N_, _

KINDS = {
    "str": N_("text"),
    "int": N_("a whole number"),
    "float": N_("a number"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "uuid": N_("an ID (UUID)"),
    "date": N_("a date"),
    "datetime": N_("a date and time"),
}


def _kind(expected: str) -> str:
    names = [n.strip() for n in expected.split("|") if n.strip() not in ("null", "None")]
    known = [_(KINDS[n]) for n in names if n in KINDS]
    return known[0] if len(known) == 1 else _("another type")


def _bound(op: str, n: str, what: str) -> str:
    if what in ("str", "array", "object", "bytes"):
        if op in (">=", ">"):
            return _("Too short: at least %(n)s.", n=n)
        return _("Too long: at most %(n)s.", n=n)
    return {
        ">=": _("Must be at least %(n)s.", n=n),
        ">": _("Must be more than %(n)s.", n=n),
        "<=": _("Must be at most %(n)s.", n=n),
        "<": _("Must be less than %(n)s.", n=n),
    }[op]


# (pattern, the field it names or None for the key given, message) — first match wins
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str | None, str]]]] = [
    (
        re.compile(r"^Object missing required field `(?P<f>[^`]+)`"),
        lambda m: (m["f"], _("This field is required.")),
    ),
    (
        re.compile(r"^Object contains unknown field `(?P<f>[^`]+)`"),
        lambda m: (m["f"], _("Unknown field.")),
    ),
    (
        re.compile(r"^Missing required \w+ parameter '(?P<f>[^']+)'"),
        lambda m: (m["f"], _("This field is required.")),
    ),
    (
        re.compile(r"^Expected `(?P<e>[^`]+)`, got `[^`]+`"),
        lambda m: (None, _("Must be %(kind)s.", kind=_kind(m["e"]))),
    ),
    (
        re.compile(r"^Expected `(?P<w>\w+)` of length (?P<op>[<>]=?) (?P<n>[-\d.]+)"),
        lambda m: (None, _bound(m["op"], m["n"], m["w"])),
    ),
    (
        re.compile(r"^Expected `(?P<w>\w+)` (?P<op>[<>]=?) (?P<n>[-\d.e+]+)"),
        lambda m: (None, _bound(m["op"], m["n"], m["w"])),
    ),
    (re.compile(r"^Invalid UUID"), lambda m: (None, _("Must be a UUID."))),
    (
        re.compile(r"^Invalid enum value (?P<v>.*)"),
        lambda m: (None, _("Unknown value: %(value)s.", value=m["v"].strip("'\"`")[:40])),
    ),
    (
        re.compile(r"^Invalid (RFC 3339|RFC3339|ISO 8601)? ?encoded datetime"),
        lambda m: (None, _("Must be a date and time like 2026-05-01T09:30+08:00.")),
    ),
    (
        re.compile(r"^Invalid (ISO 8601 )?(encoded )?date"),
        lambda m: (None, _("Must be a date like 2026-05-01.")),
    ),
    (re.compile(r"matching regex"), lambda m: (None, _("Not in the expected form."))),
]
_AT = re.compile(r" - at `\$(?P<path>[^`]*)`$")


def translate(key: str | None, message: str) -> tuple[str, str]:
    """(field, message) for one of Litestar's error items: the field named by the message when
    it names one (a missing field is reported on its parent, `data`), the message in words."""
    text = message
    at = _AT.search(text)
    path = ""
    if at:
        text, path = text[: at.start()], at["path"].lstrip(".")
    field = key if key and key != "data" else (path or "body")
    for pattern, make in RULES:
        if found := pattern.search(text):
            named, words = make(found)
            if named:
                field = named if field in ("data", "body") else f"{field}.{named}"
            return field, words
    return field, _("Not in the expected form.")
