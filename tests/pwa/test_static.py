"""Static files: what a page references is fingerprinted and kept for a year; the bare path
still answers, kept for minutes."""

import re
from pathlib import Path

import brotli

from app.pwa import shell

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_REF = re.compile(r"""(?:src|href)=["'](/static/[^"']+)["']""")
CSS_REF = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")
FINGERPRINTED = re.compile(r"^/static/(?P<name>[^?]+)\?v=(?P<digest>[0-9a-f]{12})$")

# Pages whose templates bring their own static files, beside base.html's, by who sees them.
PAGES = {
    "demo-grid": ("/", "/disputes/new", "/outbox", "/notifications", "/checkins"),
    "demo-county": ("/", "/map", "/near", "/calendar", "/rooms", "/jurors"),
    "demo-admin": ("/admin/boundaries",),
}


async def _raw(client, url: str, encoding: str) -> bytes:
    async with client.stream("GET", url, headers={"accept-encoding": encoding}) as r:
        return b"".join([chunk async for chunk in r.aiter_raw()])


def _html_only(url: str) -> bool:
    return not url.startswith(("data:", "#"))


async def test_every_asset_a_page_references_is_fingerprinted_and_kept_for_a_year(cast):
    seen: set[str] = set()
    for username, paths in PAGES.items():
        browser = await cast.browser(username)
        for path in paths:
            page = await browser.get(path)
            assert page.status_code == 200, (username, path)
            seen.update(STATIC_REF.findall(page.text.replace("&amp;", "&")))
    assert any("leaflet.js" in url for url in seen) and any("sessions.css" in url for url in seen)
    assert any("map.css" in url for url in seen)
    client = await cast.browser()
    queue = sorted(seen)
    while queue:
        url = queue.pop()
        match = FINGERPRINTED.match(url)
        assert match, f"not fingerprinted: {url}"
        assert shell.current().hashes[match["name"]] == match["digest"], url
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == IMMUTABLE, url
        if url.split("?")[0].endswith(".css"):
            # what a stylesheet pulls in (Leaflet's control images) is fingerprinted too
            for ref in filter(_html_only, CSS_REF.findall(r.text)):
                if ref not in seen:
                    seen.add(ref)
                    queue.append(ref)
    assert any("layers.png" in url for url in seen)


def test_no_template_writes_a_static_path_by_hand():
    templates = Path(shell.TEMPLATES)
    for path in templates.rglob("*.html"):
        assert not re.search(r"""(src|href)=["']/static/""", path.read_text()), path


async def test_the_bare_path_still_answers_but_only_for_minutes(client):
    for url in ("/static/css/map.css", "/static/css/app.css?v=000000000000"):
        r = await client.get(url)
        assert r.status_code == 200, url
        assert r.headers["cache-control"] == "public, max-age=300", url
    assert (await client.get("/static/css/nothing-here.css")).status_code == 404
    assert (await client.get("/static/../app/settings.py")).status_code == 404


async def test_a_fingerprinted_file_comes_compressed_with_brotli_or_gzip_and_revalidates(client):
    url = shell.static_url("js/vendor/leaflet-1.9.4/leaflet.js")
    plain = (shell.STATIC / "js/vendor/leaflet-1.9.4/leaflet.js").read_bytes()
    br = await client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert br.headers["content-encoding"] == "br"
    assert br.headers["content-type"].startswith("text/javascript")
    assert br.content == plain  # httpx decodes brotli when the package is there
    assert brotli.compress(plain, quality=11) == (await _raw(client, url, "br"))
    gz = await client.get(url, headers={"accept-encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content == plain
    assert "accept-encoding" in gz.headers["vary"].lower()
    again = await client.get(url, headers={"if-none-match": gz.headers["etag"]})
    assert again.status_code == 304 and again.headers["cache-control"] == IMMUTABLE
    png = await client.get(
        shell.static_url("icons/icon-192.png"), headers={"accept-encoding": "br"}
    )
    assert "content-encoding" not in png.headers and png.content[:4] == b"\x89PNG"


def test_the_service_worker_gets_fingerprinted_urls_for_everything_it_keeps():
    script = shell.current().sw_script.decode()
    assert not re.search(r"'/static/[a-z]", script)  # no hand-written static file
    for url in re.findall(r'"(/static/[^"]+)"', script):
        assert FINGERPRINTED.match(url), url
