"""Walk the app as a signed-in person does: from home, every link of the navigation and of
the pages it opens (bounded), and on each page every GET form once per option of each select
and with each checkbox ticked, both as a whole page and as the htmx request the page itself
makes (its hx-get, hx-target, hx-include; with the headers htmx sends).

`crawl(client)` returns what it asked and what came back; tests/test_crawl.py fails on any
5xx or template error, and the page checks in Chromium reuse `Crawl.pages` (the whole pages a
role sees). Only GET is used: nothing is changed by a crawl.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

# Links a crawl does not follow: they act (sign out, switch language), are the JSON API or
# files, or leave the app.
SKIP_PREFIXES = ("/logout", "/lang/", "/api/", "/static/", "/login")
SKIP_SCHEMES = ("mailto:", "tel:", "javascript:", "data:", "sms:")
# Ids in a path: one case page stands for all of them (a few of each shape are visited).
_ID = re.compile(r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)(?=/|$)")
# What a failed render leaves on a page (app/web.py on_server_error; Jinja's own errors).
ERROR_MARKS = ("系统出错", "Something went wrong on our side", "UndefinedError", "Traceback")


@dataclass
class Field:
    tag: str  # input, select, textarea
    name: str
    type: str = "text"
    value: str = ""
    checked: bool = False
    options: list[str] = field(default_factory=list)
    selected: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)

    def default(self) -> str | None:
        """What the browser sends for this field as the page stands (None: nothing)."""
        if self.tag == "select":
            if self.selected is not None:
                return self.selected
            return self.options[0] if self.options else None
        if self.type in ("checkbox", "radio"):
            return (self.value or "on") if self.checked else None
        if self.type in ("submit", "button", "reset", "file", "image"):
            return None
        return self.value


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[Field] = field(default_factory=list)

    @property
    def method(self) -> str:
        return (self.attrs.get("method") or "get").lower()


@dataclass
class HxElement:
    """An element other than a form that makes an htmx GET (a select, a link, a lazy section)."""

    tag: str
    attrs: dict[str, str]
    field: Field | None = None


class PageParser(HTMLParser):
    """Links, forms (with their fields) and htmx GET elements of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.hx: list[HxElement] = []
        self.fields: list[Field] = []  # every field of the page, in or out of a form
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict[str, str] | None = None
        self._option_text = ""
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        if tag == "form":
            self._form = Form(attrs)
            self.forms.append(self._form)
            return
        made: Field | None = None
        if tag == "input" and attrs.get("name"):
            made = Field(
                "input",
                attrs["name"],
                type=(attrs.get("type") or "text").lower(),
                value=attrs.get("value", ""),
                checked="checked" in attrs,
                attrs=attrs,
            )
        elif tag == "select" and attrs.get("name"):
            made = self._select = Field("select", attrs["name"], attrs=attrs)
        elif tag == "textarea" and attrs.get("name"):
            made = self._textarea = Field("textarea", attrs["name"], attrs=attrs)
        elif tag == "option" and self._select is not None:
            self._option, self._option_text = attrs, ""
        if made is not None:
            self.fields.append(made)
            if self._form is not None and "disabled" not in attrs:
                self._form.fields.append(made)
        if "hx-get" in attrs and tag != "form":
            self.hx.append(HxElement(tag, attrs, made))

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option_text += data
        if self._textarea is not None:
            self._textarea.value += data

    def _close_option(self) -> None:
        if self._option is not None and self._select is not None:
            value = self._option.get("value", self._option_text.strip())
            self._select.options.append(value)
            if "selected" in self._option:
                self._select.selected = value
        self._option = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass
class Request:
    url: str
    kind: str  # page, form, htmx
    source: str  # the page it was found on
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Answer:
    request: Request
    status: int
    content_type: str
    problem: str | None  # why this answer is a fault, or None


@dataclass
class Crawl:
    answers: list[Answer] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # the whole pages visited, in order

    @property
    def faults(self) -> list[Answer]:
        return [a for a in self.answers if a.problem]

    def urls(self, kind: str | None = None) -> list[str]:
        return [a.request.url for a in self.answers if kind in (None, a.request.kind)]


def shape(url: str) -> str:
    """The page a URL is an instance of: its path with ids replaced."""
    return _ID.sub("/{id}", urlsplit(url).path)


def _local(base: str, href: str) -> str | None:
    if href.startswith(SKIP_SCHEMES) or href.startswith("#"):
        return None
    absolute = urljoin(base, href)
    parts = urlsplit(absolute)
    if parts.netloc not in ("", "testserver"):
        return None
    if parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _with_params(url: str, params: list[tuple[str, str]]) -> str:
    """`url` with its query replaced by `params`, as a browser submits a GET form."""
    path = urlsplit(url).path
    return path + (f"?{urlencode(params)}" if params else "")


def form_variants(fields: list[Field]) -> list[list[tuple[str, str]]]:
    """The form as it stands, then once per other option of each select, then with each
    checkbox ticked."""

    def values(override: dict[int, str | None]) -> list[tuple[str, str]]:
        out = []
        for i, f in enumerate(fields):
            v = override[i] if i in override else f.default()
            if v is not None:
                out.append((f.name, v))
        return out

    variants = [values({})]
    for i, f in enumerate(fields):
        if f.tag == "select":
            for option in f.options:
                if option != f.default():
                    variants.append(values({i: option}))
        elif f.type == "checkbox" and not f.checked:
            variants.append(values({i: f.value or "on"}))
    unique: list[list[tuple[str, str]]] = []
    for v in variants:
        if v not in unique:
            unique.append(v)
    return unique


def _included(parser: PageParser, selector: str) -> list[Field]:
    """The fields an hx-include selector names, as far as `[name=x]` selectors go."""
    names = re.findall(r"\[name=['\"]?([\w.\-\[\]]+?)['\"]?\]", selector or "")
    return [f for f in parser.fields if f.name in names]


def _htmx_headers(page_url: str, target: str | None, trigger: dict[str, str] | None) -> dict:
    headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page_url}"}
    if target and target.startswith("#"):
        headers["HX-Target"] = target[1:]
    elif target == "this" and trigger and trigger.get("id"):
        headers["HX-Target"] = trigger["id"]
    if trigger and trigger.get("id"):
        headers["HX-Trigger"] = trigger["id"]
    if trigger and trigger.get("name"):
        headers["HX-Trigger-Name"] = trigger["name"]
    return headers


def requests_of_page(url: str, parser: PageParser) -> list[Request]:
    """Every GET form submission and htmx GET the page can make, by the rules above."""
    out: list[Request] = []
    for form in parser.forms:
        if form.method != "get":
            continue
        action = urljoin(url, form.attrs.get("action") or url)
        variants = form_variants(form.fields)
        hx_get = form.attrs.get("hx-get")
        for params in variants:
            out.append(Request(_with_params(action, params), "form", url))
            if hx_get is not None:
                out.append(
                    Request(
                        _with_params(urljoin(url, hx_get or url), params),
                        "htmx",
                        url,
                        _htmx_headers(url, form.attrs.get("hx-target"), form.attrs),
                    )
                )
    for el in parser.hx:
        target = el.attrs.get("hx-target") or "this"
        base = urljoin(url, el.attrs["hx-get"] or url)
        base_params = parse_qsl(urlsplit(base).query)
        included = [
            f for f in _included(parser, el.attrs.get("hx-include", "")) if f is not el.field
        ]
        own = [el.field] if el.field is not None else []
        for params in form_variants(own + included):
            out.append(
                Request(
                    _with_params(base, base_params + params),
                    "htmx",
                    url,
                    _htmx_headers(url, target, el.attrs),
                )
            )
    return out


def _problem(r: httpx.Response, htmx: bool) -> str | None:
    if r.status_code >= 500:
        return f"{r.status_code}"
    if "html" not in r.headers.get("content-type", ""):
        return None
    for mark in ERROR_MARKS:
        if mark in r.text:
            return f"{r.status_code} with {mark!r}"
    if htmx and r.status_code < 300 and "<html" in r.text[:500].lower():
        return "an htmx reply holds a whole page"
    if htmx and r.status_code < 300 and "hx-request" not in r.headers.get("vary", "").lower():
        return "an htmx reply without Vary: HX-Request (a cache would serve it as the page)"
    return None


async def crawl(
    client: Any,
    start: str = "/",
    max_depth: int = 2,
    max_pages: int = 300,
    per_shape: int = 3,
) -> Crawl:
    """Visit `start`, the pages it links to and theirs (to `max_depth`), at most `per_shape`
    URLs of one shape (e.g. three case pages) and `max_pages` pages in all; on each, submit
    its GET forms and htmx GETs. `client` is signed in (an httpx client or tests'
    support.cast.Browser)."""
    result = Crawl()
    seen_pages: set[str] = set()
    seen_requests: set[tuple[str, str, str]] = set()
    per: dict[str, int] = {}
    queue: deque[tuple[str, int, str]] = deque([(start, 0, "")])

    async def ask(req: Request) -> httpx.Response:
        r = await client.get(req.url, headers=req.headers)
        result.answers.append(
            Answer(
                req,
                r.status_code,
                r.headers.get("content-type", ""),
                _problem(r, req.kind == "htmx"),
            )
        )
        return r

    while queue and len(seen_pages) < max_pages:
        url, depth, source = queue.popleft()
        key = shape(url)
        if url in seen_pages or per.get(key, 0) >= per_shape:
            continue
        seen_pages.add(url)
        per[key] = per.get(key, 0) + 1
        r = await ask(Request(url, "page", source))
        if r.status_code in (301, 302, 303, 307, 308):
            target = _local(url, r.headers.get("location", ""))
            if target and target not in seen_pages:
                queue.appendleft((target, depth, url))
            continue
        if r.status_code != 200 or "html" not in r.headers.get("content-type", ""):
            continue
        result.pages.append(url)
        parser = PageParser()
        parser.feed(r.text)
        for req in requests_of_page(url, parser):
            marker = (req.kind, req.url, req.headers.get("HX-Target", ""))
            if marker in seen_requests:
                continue
            seen_requests.add(marker)
            await ask(req)
        if depth < max_depth:
            for href in parser.links:
                target = _local(url, href)
                if target and target not in seen_pages:
                    queue.append((target, depth + 1, url))
    return result


async def pages_of_every_role(cast: Any, **bounds: Any) -> dict[str, list[str]]:
    """The whole pages each demo user reaches (`cast`: tests.support.cast.Cast), e.g. for the
    page checks in Chromium. `bounds`: crawl()'s max_depth, max_pages, per_shape."""
    from tests.support.cast import USERNAMES

    found = {}
    for username in USERNAMES:
        browser = await cast.browser(username)
        found[username] = (await crawl(browser.http, **bounds)).pages
    return found
