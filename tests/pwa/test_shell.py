"""What the browser needs to install the app and run it offline, as the server serves it."""

import io
import json
import re
import shutil

from PIL import Image

from app.pwa import shell
from app.security import CSP


async def test_the_service_worker_is_served_from_the_root_uncached_with_its_scope(client):
    r = await client.get("/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["service-worker-allowed"] == "/"
    assert r.headers["cache-control"] == "no-cache"
    assert "pingli-' + SHELL.version" in r.text and shell.current().version in r.text
    again = await client.get("/sw.js", headers={"if-none-match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


async def test_the_service_worker_precaches_the_app_shell(client):
    r = await client.get("/sw.js")
    config = json.loads(re.search(r"self\.PINGLI_SHELL = (\{.*\});", r.text).group(1))
    assets = config["assets"]
    for name in (
        "css/app.css",
        "js/app.js",
        "js/capture.js",
        "js/photos.js",
        "js/outbox-page.js",
        "js/vendor/htmx-2.0.11.min.js",
    ):
        assert shell.static_url(name) in assets
    assert not any("sw.js" in a for a in assets)
    # the capture forms' small map: its own code is kept at once (Leaflet when a form is first
    # opened with a network, to keep the first visit light)
    for name in (
        "js/basemap.js",
        "js/capture-map.js",
        "js/field-cache.js",
        "css/capture-map.css",
    ):
        assert shell.static_url(name) in assets
    # the map's code is for office screens: a phone's first visit does not download it
    assert not any("leaflet" in a or "/map.js" in a or "/map.css" in a for a in assets), assets
    assert config["public_pages"] == ["/offline", "/outbox"]
    assert config["pages"] == ["/disputes/new", "/checkins"]
    for url in assets + config["imports"]:
        assert (await client.get(url)).status_code == 200, url


async def test_the_manifest_names_the_app_in_chinese_with_installable_icons(client):
    r = await client.get("/manifest.webmanifest")
    assert r.headers["content-type"].startswith("application/manifest+json")
    manifest = r.json()
    assert (
        manifest["name"] == "评理"
        and manifest["short_name"] == "评理"
        and manifest["lang"] == "zh-Hans"
    )
    assert (
        manifest["display"] == "standalone"
        and manifest["start_url"] == "/"
        and manifest["scope"] == "/"
    )
    assert manifest["theme_color"] == "#b23a2b"
    by_purpose = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert {
        ("192x192", "any"),
        ("512x512", "any"),
        ("192x192", "maskable"),
        ("512x512", "maskable"),
    } <= by_purpose
    for icon in manifest["icons"]:
        png = await client.get(icon["src"])
        assert png.headers["content-type"] == "image/png"
        size = int(icon["sizes"].split("x")[0])
        assert Image.open(io.BytesIO(png.content)).size == (size, size)


async def test_every_page_links_the_manifest_and_loads_the_service_worker_script(cast):
    browser = await cast.browser("demo-grid")
    anonymous = await cast.browser()
    assert '<link rel="manifest"' in (await anonymous.get("/login")).text
    for path in ("/", "/disputes", "/disputes/new", "/checkins", "/outbox", "/offline"):
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert '<link rel="manifest" href="/manifest.webmanifest">' in page.text, path
        assert shell.static_url("js/app.js") in page.text, path


async def test_pages_keep_the_strict_content_security_policy(client):
    for path in ("/login", "/outbox", "/offline"):
        r = await client.get(path)
        assert r.headers["content-security-policy"] == CSP
        assert "<script>" not in r.text and " style=" not in r.text
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP


async def test_the_service_worker_names_its_charset_once(client):
    r = await client.get("/sw.js")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/javascript; charset=utf-8"


async def test_the_offline_and_outbox_pages_need_no_login(client):
    for path in ("/offline", "/outbox"):
        r = await client.get(path)
        assert r.status_code == 200 and 'data-user=""' in r.text


async def test_the_offline_page_offers_only_what_the_role_may_do(cast, client):
    logs = 'href="/disputes/new"'
    assert logs in (await client.get("/offline")).text  # kept for whoever the phone belongs to
    assert logs in (await (await cast.browser("demo-grid")).get("/offline")).text
    admin = (await (await cast.browser("demo-admin")).get("/offline")).text
    assert logs not in admin and 'href="/checkins"' not in admin and 'href="/outbox"' in admin


async def test_the_session_answer_gives_the_signed_in_browser_its_csrf_token(cast, client):
    assert (await client.get("/api/v1/session")).status_code == 401
    browser = await cast.browser("demo-grid")
    r = await browser.get("/api/v1/session")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["user"]["username"] == "demo-grid"
    # the token of this login, the one its pages carry
    assert r.json()["csrf_token"] == browser.csrf


def test_static_urls_carry_a_content_hash_and_a_change_makes_a_new_version(tmp_path):
    static = tmp_path / "static"
    templates = tmp_path / "templates"
    shutil.copytree(shell.STATIC, static)
    shutil.copytree(shell.TEMPLATES, templates)
    before = shell.compute(static, templates)
    assert re.fullmatch(r"/static/css/app\.css\?v=[0-9a-f]{12}", before.url("css/app.css"))
    (static / "css" / "app.css").write_text("body { color: red; }")
    after = shell.compute(static, templates)
    assert after.version != before.version
    assert after.url("css/app.css") != before.url("css/app.css")
    assert after.url("js/app.js") == before.url("js/app.js")  # unchanged files keep their URL
    (templates / "base.html").write_text((templates / "base.html").read_text() + "\n")
    assert shell.compute(static, templates).version != after.version
    assert after.url("css/new.css") == "/static/css/new.css"  # a file added after start-up
