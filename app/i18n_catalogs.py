"""`make messages`: extract every translatable string into its domain's catalogs.

A string's domain is its folder: app/<domain>/ and templates/<domain>/; everything else is
"core". New strings arrive with an empty msgstr (for zh_Hans, to be translated); strings no
longer used are dropped. Run: python -m app.i18n_catalogs
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from app.i18n import LOCALE_DIR, LOCALES
from app.settings import REPO_ROOT

KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"}


def domain_of(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).parts
    if len(parts) > 2 and parts[0] in ("app", "templates") and not parts[1].startswith("_"):
        return parts[1]
    return "core"


def extract() -> dict[str, dict[str | tuple, list[str]]]:
    """domain -> msgid (or (singular, plural)) -> locations"""
    found: dict[str, dict] = defaultdict(lambda: defaultdict(list))
    sources = [(p, "python") for p in sorted((REPO_ROOT / "app").rglob("*.py"))]
    sources += [(p, "jinja2") for p in sorted((REPO_ROOT / "templates").rglob("*.html"))]
    for path, method in sources:
        method_ref = "jinja2.ext:babel_extract" if method == "jinja2" else "python"
        options = JINJA_OPTIONS if method == "jinja2" else {}
        for lineno, message, _comments, _context in extract_from_file(
            method_ref, str(path), keywords=KEYWORDS, options=options
        ):
            if isinstance(message, tuple):
                message = (
                    tuple(m for m in message if m)
                    if len(message) > 1 and message[1]
                    else message[0]
                )
            if message:
                found[domain_of(path)][message].append(f"{path.relative_to(REPO_ROOT)}:{lineno}")
    return found


def update() -> None:
    found = extract()
    for locale in LOCALES:
        folder = LOCALE_DIR / locale / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        for domain, messages in sorted(found.items()):
            path = folder / f"{domain}.po"
            old: dict = {}
            if path.exists():
                with path.open("rb") as fh:
                    old = {m.id: m.string for m in read_po(fh) if m.id}
            catalog = Catalog(
                locale=locale.replace("_Hans", ""),
                domain=domain,
                project="pingli",
                # a fixed date: a header that changes on every run conflicts on every merge
                creation_date=datetime(2026, 1, 1, tzinfo=UTC),
            )
            for msgid in sorted(messages, key=lambda m: m if isinstance(m, str) else m[0]):
                string = old.get(msgid, "" if isinstance(msgid, str) else ("", ""))
                catalog.add(
                    msgid,
                    string=string,
                    # the files it is used in (up to three), without line numbers
                    locations=[
                        (path, 0)
                        for path in list(
                            dict.fromkeys(loc.rsplit(":", 1)[0] for loc in messages[msgid])
                        )[:3]
                    ],
                )
            with path.open("wb") as fh:
                write_po(
                    fh,
                    catalog,
                    width=100,
                    sort_output=False,
                    omit_header=False,
                    include_lineno=False,  # files only: line numbers churn on every edit
                )
        for stale in folder.glob("*.po"):
            if stale.stem not in found:
                stale.unlink()


if __name__ == "__main__":
    update()
    print("catalogs updated in", LOCALE_DIR)
