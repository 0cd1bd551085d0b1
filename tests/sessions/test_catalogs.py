"""Every locale's catalogs are merged into one at start-up, so a message id means one thing:
a second domain translating it differently would silently change the first one's pages."""

from babel.messages.pofile import read_po

from app.i18n import LOCALE_DIR


def test_no_message_is_translated_two_ways_across_domains():
    seen: dict[str, dict[str, str]] = {}
    for path in sorted((LOCALE_DIR / "zh_Hans" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            for m in read_po(fh):
                if not m.id or not m.string:
                    continue
                key = m.id if isinstance(m.id, str) else m.id[0]
                text = m.string if isinstance(m.string, str) else m.string[0]
                seen.setdefault(key, {})[path.stem] = text
    clashes = {k: v for k, v in seen.items() if len(set(v.values())) > 1}
    ours = {k: v for k, v in clashes.items() if "sessions" in v}
    assert not ours, ours
