"""The app shell the service worker keeps on the phone, fingerprinted once at start-up.

Every static file gets a short content hash; pages link to `/static/<file>?v=<hash>`
(`static_url`), so a changed file has a new URL and no cache anywhere can hand out the old
one. The shell version is a hash over all static files and templates: it names the service
worker's caches and is written into /sw.js, so a deploy that changes anything yields a new
service worker, which fills new caches and deletes the old ones when it activates.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

from app.settings import REPO_ROOT

STATIC = REPO_ROOT / "static"
TEMPLATES = REPO_ROOT / "templates"
SW_SOURCE = STATIC / "js" / "sw.js"

# Pages the worker must be able to open with no network. The public ones are kept with the
# static files, as anybody sees them; the forms need a login, so the service worker fetches
# them when a signed-in page asks (a fetch redirected to the login page is not kept).
PUBLIC_PAGES = ("/offline", "/outbox")
SHELL_PAGES = ("/disputes/new", "/checkins")
# Precached static files: what the pages above need. Icons for the home screen are fetched
# by the browser from the manifest when it installs the app; nothing else needs them.
PRECACHE_GLOBS = ("css/**/*.css", "js/**/*.js", "icons/icon.svg")
# Leaflet (~46 KB gzipped with its CSS) would take a third of the first visit's budget: it is
# not precached. The capture forms load it, so the service worker keeps it (cache first, like
# any static file) the first time a form is opened with a network; from then on the forms'
# small map works with no signal. Without it the form is as before (coordinates only). The case
# map page (cluster plugin, map.js, map.css) is for office screens and cached when opened.
PRECACHE_EXCLUDE = ("js/vendor/leaflet*", "js/map.js", "css/map.css")  # fnmatch: * crosses /
# The outbox code the service worker runs itself (Background Sync), imported by URL.
SW_IMPORTS = ("js/outbox-db.js", "js/outbox-sync.js")


@dataclass(frozen=True)
class Shell:
    version: str
    hashes: dict[str, str]  # path under static/ -> short content hash
    sw_script: bytes

    def url(self, relative: str) -> str:
        digest = self.hashes.get(relative)
        return f"/static/{relative}?v={digest}" if digest else f"/static/{relative}"


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def compute(static: Path = STATIC, templates: Path = TEMPLATES) -> Shell:
    hashes = {
        path.relative_to(static).as_posix(): _short_hash(path.read_bytes())
        for path in sorted(static.rglob("*"))
        if path.is_file()
    }
    overall = hashlib.sha256()
    for name, digest in hashes.items():
        overall.update(f"{name}\0{digest}\n".encode())
    for path in sorted(templates.rglob("*.html")):
        overall.update(path.relative_to(templates).as_posix().encode() + b"\0" + path.read_bytes())
    version = overall.hexdigest()[:12]
    shell = Shell(version=version, hashes=hashes, sw_script=b"")
    precache = sorted(
        {
            shell.url(path.relative_to(static).as_posix())
            for pattern in PRECACHE_GLOBS
            for path in static.glob(pattern)
            if path.is_file()
            and path != static / SW_SOURCE.relative_to(STATIC)
            and not any(
                fnmatch(path.relative_to(static).as_posix(), skip) for skip in PRECACHE_EXCLUDE
            )
        }
    )
    config = {
        "version": version,
        "assets": precache + ["/manifest.webmanifest"],
        "public_pages": list(PUBLIC_PAGES),
        "pages": list(SHELL_PAGES),
        "imports": [shell.url(name) for name in SW_IMPORTS],
    }
    header = f"/* generated at start-up by app/pwa/shell.py */\nself.PINGLI_SHELL = {json.dumps(config)};\n"
    source = (static / SW_SOURCE.relative_to(STATIC)).read_bytes()
    return Shell(version=version, hashes=hashes, sw_script=header.encode() + source)


@lru_cache(maxsize=1)
def current() -> Shell:
    return compute()


def static_url(relative: str) -> str:
    """`/static/<relative>?v=<content hash>` for templates: `{{ static_url('css/app.css') }}`."""
    return current().url(relative)
