"""Every demo role walks the app: the pages of its navigation and those they link to, every
GET form with each option of each select and each checkbox ticked, as a whole page and as the
htmx request the page makes. No answer may be a 5xx or a template error (tests/support/crawl.py
says how the walk is bounded)."""

from __future__ import annotations

import pytest

from tests.support.cast import USERNAMES
from tests.support.crawl import crawl, shape

# What each role reaches by filtering (the pages where htmx replaces a part of the page).
FILTERED = {
    "demo-admin": ["/disputes", "/monitor", "/admin/users"],
    "demo-county": ["/disputes", "/monitor"],
    "demo-township": ["/disputes", "/monitor"],
    "demo-village": ["/disputes", "/monitor"],
    "demo-grid": ["/disputes"],
    "demo-grid-2": ["/disputes"],
}


def _report(faults) -> str:
    """One line per kind of fault and page shape, with one example and how many."""
    groups: dict[tuple, list] = {}
    for a in faults:
        groups.setdefault((a.problem, a.request.kind, shape(a.request.url)), []).append(a)
    return "\n".join(
        f"{problem}: {kind} {path} ×{len(items)}, e.g. {items[0].request.url}"
        f" from {items[0].request.source} {items[0].request.headers or ''}"
        for (problem, kind, path), items in groups.items()
    )


@pytest.mark.parametrize("username", USERNAMES)
async def test_every_page_form_and_fragment_of_a_role_answers_without_error(cast, username):
    browser = await cast.browser(username)
    found = await crawl(browser.http)

    assert not found.faults, f"{len(found.faults)} failed answers for {username}:\n" + _report(
        found.faults
    )
    # the walk went where people go: many pages, and the filters as htmx sends them
    assert len(found.pages) >= 10, found.pages
    for path in FILTERED[username]:
        assert path in found.pages, path
        htmx = [u for u in found.urls("htmx") if u.split("?")[0] == path]
        forms = [u for u in found.urls("form") if u.split("?")[0] == path]
        assert len(htmx) >= 3 and len(forms) >= 3, (path, htmx, forms)
