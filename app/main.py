"""create_app(): the one place that lists routes, plugins, templates and static files."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Request, Response, get
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import YamlRenderPlugin
from litestar.params import FromQuery
from litestar.plugins.htmx import HTMXPlugin
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import crypto, db, health
from app.attachments import routes as attachment_routes
from app.audit import pages as audit_pages
from app.auth import account as account_routes
from app.auth import routes as auth_routes
from app.auth import users_pages
from app.auth.middleware import (
    SessionBoundCSRFMiddleware,
    auth_middleware_factory,
    csrf_cookie_name,
)
from app.auth.password_gate import password_gate
from app.checkins import routes as checkin_routes
from app.disputes import api as dispute_api
from app.disputes import case_pages, categories, category_pages, feed_api
from app.disputes import export as dispute_export
from app.disputes import pages as dispute_pages
from app.geo import api as geo_api
from app.geo import pages as geo_pages
from app.imports import pages as ledger_import_pages
from app.jurisdictions import api as jurisdiction_api
from app.jurisdictions import pages as boundary_pages
from app.monitoring import api as monitoring_api
from app.monitoring import pages as monitoring_pages
from app.notify import pages as notify_pages
from app.notify import push_routes
from app.open311 import pages as open311_pages
from app.open311 import routes as open311_routes
from app.openapi import declare_errors, describe_bodies_as_decoded, fix_allow_headers
from app.pwa import routes as pwa_routes
from app.pwa import shell
from app.pwa import static as static_files
from app.request_checks import refuse_bad_input
from app.rules import basemap
from app.rules import calendar as holiday_calendar
from app.rules import pages as rules_pages
from app.security import security_headers_hook
from app.sessions import api as session_api
from app.sessions import calendar_pages, manage_pages
from app.sessions import pages as session_pages
from app.settings import Settings, get_settings
from app.web import EXCEPTION_HANDLERS, template_config


@get(
    "/healthz",
    # only the input check of every route: no login is read here (app/auth/middleware.py)
    before_request=refuse_bad_input,
    include_in_schema=True,
    tags=["ops"],
    responses={
        503: ResponseSpec(
            data_container=dict[str, str], description="The database or the data dir fails."
        ),
        422: ResponseSpec(
            data_container=str, media_type="text/html", description="A parameter is unreadable."
        ),
    },
)
async def healthz(deep: FromQuery[bool] = False) -> Response[dict[str, str]]:
    """Reads a real table; `?deep=1` also writes (rolled back) to the database and the data
    dir (app/health.py). 503 when any of it fails."""
    # never stored: a health answer is of the moment (and no login is read to decide)
    headers = {"Cache-Control": "no-store"}
    if await health.check(deep) is not None:
        return Response({"status": "unavailable"}, status_code=503, headers=headers)
    return Response({"status": "ok"}, headers=headers)


# JSON bodies are small (a case with its parties is a few KB); photos have their own route
# with its own limit (app/attachments). Anything larger is refused with 413 before it is read.
MAX_BODY_BYTES = 1024 * 1024


async def before_request(request: Request) -> Response | None:
    """Bad input is refused before anything reads it; then the password gate (a user who must
    change it sees nothing else); then the unread badge every page shows."""
    await refuse_bad_input(request)
    await categories.current()  # the county's category list, as another process left it
    if (answer := await password_gate(request)) is not None:
        return answer
    await notify_pages.unread_badge(request)
    known = await holiday_calendar.ensure()  # reloaded only when an admin changed it (any process)
    await basemap.ensure(known.version)  # the counties' base maps, on the same version stamp
    return None


def trusted_proxies(settings: Settings) -> list[DefineMiddleware]:
    """The client address comes from `X-Forwarded-For` only when the request comes from one of
    PINGLI_TRUSTED_PROXIES (none by default): otherwise anyone could claim any address and
    rotate it past sign-in throttling."""
    if not settings.trusted_proxies:
        return []
    return [DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))]


def create_app(settings: Settings | None = None, run_scheduler: bool | None = None) -> Litestar:
    settings = settings or get_settings()
    shell.current()  # fingerprint the static files and build /sw.js once, at start-up
    crypto.check()  # a bad PINGLI_DATA_KEY stops the start, not the first case
    start_scheduler = settings.run_scheduler if run_scheduler is None else run_scheduler

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await db.start(settings.db_pool_size)
        await categories.current()  # the county's category list
        scheduler = lock = None
        if start_scheduler:
            from app import scheduler as sched

            lock = sched.SchedulerLock()
            if await lock.acquire(wait=False):
                scheduler = sched.build(lock)
                scheduler.start()
            else:
                logging.getLogger("pingli").warning(
                    "another scheduler is running; not starting one"
                )
                lock = None
        # Everything made so far lives as long as the process: out of the collector's sight,
        # a full collection walks what requests made since, not the 150,000 objects of the
        # code, templates and tables (50–110 ms each time, the p99 of every page; issue #15).
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            if scheduler is not None:
                scheduler.shutdown(wait=False)
            if lock is not None:
                await lock.release()
            await db.stop()

    csrf = CSRFConfig(
        secret=settings.secret_key,
        cookie_name=csrf_cookie_name(settings.https),
        header_name="x-csrftoken",
        cookie_secure=settings.https,
        cookie_httponly=True,
        cookie_samesite="lax",
        # Open311 clients authenticate each request with their api_key, never a cookie
        exclude=["^/open311/"],
    )
    app = Litestar(
        route_handlers=[
            healthz,
            auth_routes.router,
            account_routes.router,
            users_pages.router,
            dispute_pages.router,
            case_pages.router,
            notify_pages.router,
            push_routes.router,
            dispute_api.router,
            feed_api.router,
            open311_routes.router,
            open311_pages.router,
            dispute_export.router,
            jurisdiction_api.router,
            geo_api.router,
            geo_pages.router,
            monitoring_api.router,
            monitoring_pages.router,
            attachment_routes.router,
            checkin_routes.router,
            pwa_routes.router,
            session_api.router,
            session_pages.router,
            calendar_pages.router,
            manage_pages.router,
            audit_pages.router,
            category_pages.router,
            boundary_pages.router,
            ledger_import_pages.router,
            rules_pages.router,
            static_files.static_file,
        ],
        before_request=before_request,
        before_send=[security_headers_hook(settings, basemap.img_sources)],
        middleware=[
            *trusted_proxies(settings),
            auth_middleware_factory,
            DefineMiddleware(SessionBoundCSRFMiddleware, config=csrf),
        ],
        template_config=template_config,
        plugins=[HTMXPlugin()],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        compression_config=CompressionConfig(
            backend="gzip",
            minimum_size=500,
            gzip_compress_level=6,
            # static files come compressed once and for all (app/pwa/static.py)
            exclude_opt_key=static_files.SKIP_COMPRESSION,
        ),
        # the description only (JSON at /schema/openapi.json, YAML at /schema): Litestar's
        # browsable viewers load their scripts from CDNs, which counties' closed networks and
        # the CSP both refuse
        openapi_config=OpenAPIConfig(
            title="Pingli API", version="1", path="/schema", render_plugins=[YamlRenderPlugin()]
        ),
        lifespan=[lifespan],
        request_max_body_size=MAX_BODY_BYTES,
        debug=False,
    )
    declare_errors(app)
    describe_bodies_as_decoded(app)
    fix_allow_headers(app)
    app.asgi_handler = health.shortcut(app.asgi_handler)
    return app
