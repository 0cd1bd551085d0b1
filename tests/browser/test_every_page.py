"""Every page a demo role can reach, as a phone shows it (Chromium, 360×740, zh-CN).

For each role: sign in, then walk the links from the home page, three links deep (same origin,
GET, no sign-out, no language switch, no downloads; at most two pages per URL shape, so three
hundred case pages count as two), bounded in pages and time. Every page must answer below 400:
a link a role is shown must not lead to a refusal. On every page:

- nothing scrolls sideways: `document.documentElement.scrollWidth` ≤ the viewport's width;
- no English words in a zh-Hans page, outside a short allow-list (GPS, CSV, case numbers…);
- axe-core (WCAG 2.2 AA and axe's best practices, target-size included; the vendored copy in
  tests/browser/vendor/, see its README) finds no serious or critical violation, and no
  landmark-unique one.

The failures of all pages are listed together, so one run shows everything that is wrong.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import sign_in

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ROLES = ["demo-admin", "demo-county", "demo-township", "demo-village", "demo-grid"]
MAX_PAGES = 30  # per role
MAX_SECONDS = 55  # per role: five roles stay within five minutes on a busy machine
MAX_DEPTH = 3  # home → its links → theirs → theirs (a room's edit form, a session's agreement)
PER_SHAPE = 2  # pages per URL shape (/disputes/{id}, /disputes?…): two of each
WIDTH = 360

# Links never followed: they leave, change state, switch language or download a file.
SKIP = re.compile(
    r"^/(logout|lang/|static/|api/|sw\.js|manifest|healthz)"
    r"|\.(csv|xlsx|pdf|ics|json|png|jpe?g|webp|svg|zip)(\?|$)"
    r"|/(export|download|feed|ics|original|thumb)(/|\?|$)"
    r"|/photos/[0-9a-f-]{36}(\?|$)"  # a photo itself: an image, not a page
    r"|[?&]format=(csv|xlsx|ics|pdf)"
)
# Moderate by axe's measure, and still wrong here: two menus a screen reader cannot tell apart.
ALSO_FAIL = ["landmark-unique"]
# Words that are right in a Chinese page: units, formats, standards, abbreviations.
ALLOWED_WORDS = {
    "GPS", "CSV", "XLSX", "PDF", "ICS", "ID", "IDs", "SMS", "km", "m", "kg", "KB", "MB",
    "OK", "App", "PWA", "URL", "Leaflet", "OpenStreetMap", "OSM", "WGS", "WGS84", "AM", "PM",
    # devices and browsers by their names (the audit log's "Linux computer · Chrome")
    "Linux", "Windows", "Mac", "iPad", "iPhone", "Android", "HarmonyOS", "Chrome", "Firefox",
    "Safari", "Edge", "UC", "QQ",
    # file formats and standards by their names
    "GeoJSON", "Excel", "iCalendar", "GeoReport", "csv", "xlsx", "ics", "json", "geojson",
}  # fmt: skip
# Words in tokens the app prints as identifiers (case numbers, usernames, area codes…).
IDENTIFIER = re.compile(r"[A-Za-z]*[-_0-9][-_0-9A-Za-z]*|[A-Z]{1,3}")

COLLECT_LINKS = """() => Array.from(document.querySelectorAll('a[href]'))
  .filter(a => !a.hasAttribute('download') && (!a.target || a.target === '_self'))
  .map(a => a.href)"""

# Visible text (and the accessible words a screen reader says) outside elements marked as
# another language (lang="en" on the language switch) or as code.
VISIBLE_TEXT = """() => {
  const out = [];
  const skip = el => el.closest('script,style,noscript,template,code,[translate=no]')
    || (el.closest('[lang]') && !el.closest('[lang]').lang.startsWith('zh'));
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el) || !n.textContent.trim()) continue;
    if (el.checkVisibility && !el.checkVisibility({visibilityProperty: true})) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[aria-label],[placeholder],[title],img[alt]')) {
    if (skip(el)) continue;
    for (const attr of ['aria-label', 'placeholder', 'title', 'alt'])
      if (el.getAttribute(attr)) out.push(el.getAttribute(attr));
  }
  return out;
}"""


def shape(path: str) -> str:
    """One URL per shape: ids and numbers replaced, so one case page stands for all."""
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "{id}", path)
    return re.sub(r"/\d+(?=/|$)", "/{n}", path)


def english_words(texts: list[str]) -> list[str]:
    found = []
    for text in texts:
        # a token starts at a digit too: "9c0d5a" (an id's tail in a title) is one identifier,
        # not the English word "a" after a number
        for token in re.findall(r"[0-9A-Za-z][-_.0-9A-Za-z]*", text):
            token = token.rstrip(".")
            if not re.search(r"[A-Za-z]", token):
                continue
            if token in ALLOWED_WORDS or IDENTIFIER.fullmatch(token):
                continue
            found.append(token)
    return found


def check_page(page) -> list[str]:
    problems = []
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > WIDTH:
        culprits = page.evaluate(
            """w => Array.from(document.querySelectorAll('body *'))
              .filter(e => e.getBoundingClientRect().right > w + 0.5)
              .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
            WIDTH,
        )
        problems.append(f"scrolls sideways: {width}px wide ({', '.join(culprits)})")
    words = english_words(page.evaluate(VISIBLE_TEXT))
    if words:
        problems.append(f"English words: {sorted(set(words))[:12]}")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """named => axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']},
              rules: {'target-size': {enabled: true}},
              resultTypes: ['violations']})
            .then(r => r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical' || named.includes(v.id))
              .map(v => v.id + ' ×' + v.nodes.length + ' (' + v.nodes[0].target.join(' ') + ')'))""",
        ALSO_FAIL,
    )
    problems.extend(f"axe {v}" for v in result)
    return problems


CHECKED: set[str] = set()  # the URL shapes some role's walk has checked already


def walk(context, username: str) -> tuple[list[str], dict[str, list[str]]]:
    """Breadth first from the home page. A page of a shape no walk has checked yet goes before
    a second page of a known shape, so the budget reaches as many kinds of page as it can: the
    later roles go deeper where the earlier ones went already."""
    page = context.new_page()
    sign_in(page, username)
    origin = urlsplit(page.url)
    shapes: dict[str, int] = {"/": PER_SHAPE}
    queued = {"/"}
    visited: list[str] = []
    failures: dict[str, list[str]] = {}
    fresh: list[tuple[str, int]] = [("/", 0)]  # the first page of its shape
    again: list[tuple[str, int]] = []  # a second page of a shape already queued
    started = time.monotonic()
    while (fresh or again) and len(visited) < MAX_PAGES:
        if time.monotonic() - started > MAX_SECONDS:
            break
        target, depth = (fresh or again).pop(0)
        response = page.goto(target)
        assert response is not None and response.status < 400, (
            target,
            response and response.status,
        )
        page.wait_for_load_state("networkidle")  # htmx fragments and the map layers too
        visited.append(target)
        CHECKED.add(shape(urlsplit(target).path))
        problems = check_page(page)
        if problems:
            failures[target] = problems
        if depth >= MAX_DEPTH:
            continue
        for href in page.evaluate(COLLECT_LINKS):
            url = urlsplit(href)
            if url.netloc != origin.netloc or url.scheme not in ("http", "https"):
                continue
            path = url.path + (f"?{url.query}" if url.query else "")
            key = shape(url.path)
            if path in queued or SKIP.search(path) or shapes.get(key, 0) >= PER_SHAPE:
                continue
            queued.add(path)
            shapes[key] = shapes.get(key, 0) + 1
            new = shapes[key] == 1 and key not in CHECKED
            (fresh if new else again).append((path, depth + 1))
    page.close()
    return visited, failures


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_reaches_fits_a_phone_speaks_chinese_and_passes_axe(phone, username):
    visited, failures = walk(phone, username)
    print(f"{username}: {len(visited)} pages", *visited, sep="\n  ")
    assert len(visited) >= 5, visited  # the walk found the role's pages
    report = "\n".join(f"{url}: {'; '.join(p)}" for url, p in failures.items())
    assert not failures, f"{len(failures)} of {len(visited)} pages fail:\n{report}"
