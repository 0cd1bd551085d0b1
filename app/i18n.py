"""Translations: zh-Hans by default, English second.

Message ids are English. Each domain keeps its own catalog
(app/locale/<locale>/LC_MESSAGES/<domain>.po) and all of a locale's catalogs are merged at
start-up, so the domains never edit the same file. `make messages` extracts new strings.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
LOCALES = ("zh_Hans", "en")
LOCALE_NAMES = {"zh_Hans": "中文", "en": "English"}
HTML_LANG = {"zh_Hans": "zh-Hans", "en": "en"}

current_locale: ContextVar[str] = ContextVar("current_locale", default="zh_Hans")


@cache
def translations(locale: str) -> Translations:
    merged: Translations | None = None
    for po_path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale.replace("_Hans", ""))
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        # The first catalog is the base, so the locale's plural rule (Chinese: one form) is
        # kept; merging into an empty Translations would keep English's n != 1.
        if merged is None:
            merged = Translations(buffer)
        else:
            merged.merge(Translations(buffer))
    return merged or Translations()


def gettext(message: str, **variables: object) -> str:
    text = translations(current_locale.get()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_locale.get()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def negotiate(cookie: str | None, accept_language: str | None, default: str) -> str:
    if cookie in LOCALES:
        return cookie
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return default
