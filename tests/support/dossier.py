"""Reading the case file's completeness list (一案一册) off a rendered page."""

from __future__ import annotations

import re

_DOCUMENT = re.compile(
    r'<li class="(present|missing)">\s*<span class="mark"[^>]*>[^<]*</span>\s*([^<]+?)\s*<span',
)


def documents(html: str) -> dict[str, bool]:
    """{document label: present?} as the page lists them."""
    found = {label: state == "present" for state, label in _DOCUMENT.findall(html)}
    assert found, "the page lists no case-file documents"
    return found
