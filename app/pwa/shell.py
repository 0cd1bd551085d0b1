"""The app shell the service worker keeps on the phone, fingerprinted once at start-up.

Every static file gets a short content hash; pages link to `/static/<file>?v=<hash>`
(`static_url`), so a changed file has a new URL and no cache anywhere can hand out the old
one. The shell version is a hash over all static files and templates: it names the service
worker's caches and is written into /sw.js, so a deploy that changes anything yields a new
service worker, which fills new caches and deletes the old ones when it activates.

The files are read once and served from memory (`app/pwa/static.py`). A stylesheet's relative
`url(...)` (Leaflet's control images) is rewritten to the fingerprinted URL of its target,
so what a page's CSS pulls in is fingerprinted too; the stylesheet's own hash is taken over
the rewritten text, so a changed image yields a new stylesheet URL.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
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
# Nor office pages that need the network anyway: the reasoning-session pages, the boundary
# preview, printing (an officer's first visit to the map stays under 150 KB). "Near me" is
# kept: with no signal it answers from the field kit.
PRECACHE_EXCLUDE = (  # fnmatch: * crosses /
    "js/vendor/leaflet*",
    "js/map.js",
    "css/map.css",
    "css/sessions.css",
    "js/boundary-preview.js",
    "js/print.js",
)
# The outbox code the service worker runs itself (Background Sync), imported by URL.
SW_IMPORTS = ("js/outbox-db.js", "js/outbox-sync.js")


# `url(images/layers.png)`, quoted or not; not `data:`, `#fragment`, absolute or full URLs
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?![a-z]+:|/|#)([^'")?#\s]+)\1\s*\)""")


@dataclass(frozen=True)
class Shell:
    version: str
    hashes: dict[str, str]  # path under static/ -> short content hash
    sw_script: bytes
    bodies: dict[str, bytes] = field(default_factory=dict)  # path -> bytes as served

    def url(self, relative: str) -> str:
        digest = self.hashes.get(relative)
        return f"/static/{relative}?v={digest}" if digest else f"/static/{relative}"


def _short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def _rewrite_css(name: str, text: bytes, hashes: dict[str, str]) -> bytes:
    """A stylesheet with its relative `url(...)`s pointing at fingerprinted URLs."""
    folder = posixpath.dirname(name)

    def fingerprinted(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(folder, match.group(2)))
        digest = hashes.get(target)
        return (
            f"url({match.group(1)}/static/{target}?v={digest}{match.group(1)})"
            if digest
            else match.group(0)
        )

    return CSS_URL.sub(fingerprinted, text.decode()).encode()


def compute(static: Path = STATIC, templates: Path = TEMPLATES) -> Shell:
    bodies = {
        path.relative_to(static).as_posix(): path.read_bytes()
        for path in sorted(static.rglob("*"))
        if path.is_file()
    }
    hashes = {name: _short_hash(data) for name, data in bodies.items() if not name.endswith(".css")}
    # stylesheets after what they point at (a stylesheet pointing at a stylesheet: not done)
    for name in [n for n in bodies if n.endswith(".css")]:
        bodies[name] = _rewrite_css(name, bodies[name], hashes)
    hashes.update({name: _short_hash(bodies[name]) for name in bodies if name.endswith(".css")})
    hashes = dict(sorted(hashes.items()))
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
        "icon": shell.url("icons/icon-192.png"),
    }
    header = f"/* generated at start-up by app/pwa/shell.py */\nself.PINGLI_SHELL = {json.dumps(config)};\n"
    source = (static / SW_SOURCE.relative_to(STATIC)).read_bytes()
    return Shell(version=version, hashes=hashes, sw_script=header.encode() + source, bodies=bodies)


@lru_cache(maxsize=1)
def current() -> Shell:
    return compute()


def static_url(relative: str) -> str:
    """`/static/<relative>?v=<content hash>` for templates: `{{ static_url('css/app.css') }}`."""
    return current().url(relative)
