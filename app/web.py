"""Templates, page rendering and how errors reach people (pages) and programs (the API).

A page and its htmx fragment share one template: the page includes its partial and the htmx
reply renders that same partial (or a plain named block of the page, via jinja2-fragments), so
the full page and the htmx reply can never drift apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.template.config import TemplateConfig
from markupsafe import Markup

from app import clock, i18n, validation_messages
from app.disputes import vocabulary
from app.disputes.errors import Conflict, FieldErrors
from app.i18n import _
from app.pwa.shell import static_url
from app.rules import calendar as holiday_calendar
from app.settings import REPO_ROOT

CHINA = ZoneInfo("Asia/Shanghai")
PROBLEM_JSON = "application/problem+json"


def local_dt(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(CHINA).strftime(fmt)


def due_day(value: datetime | str | None) -> str:
    """The last day a deadline is still met on. A deadline set as a day is stored as the
    midnight that ends it (app/disputes/deadlines.py end_of_day): "reply by 12-12" is
    12-13 00:00, which must read as 12-12, the day the officer chose."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (value.astimezone(CHINA) - timedelta(microseconds=1)).strftime("%Y-%m-%d")


def deadline(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A case's time limit: one counted in days ends at midnight and reads as its last day
    (12-12, not 12-13 00:00); one counted from the minute keeps its time."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    local = value.astimezone(CHINA)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return (local - timedelta(microseconds=1)).strftime(fmt.split(" ")[0])
    return local.strftime(fmt)


# `_()` in a template without variables, as translated, per locale (see _template_gettext)
_PLAIN_TEXT: dict[tuple[str, str, bool], str] = {}
_PLAIN_TEXT_KEPT = 8192


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    """`_()` in a template: what jinja2.ext.i18n's newstyle gettext does — translate, mark it
    safe when the template escapes, fill in the (escaped) variables — in one call instead of
    three, and a message without variables translated once per locale. A page calls `_` forty
    times or more; through the extension's wrappers that was a fifth of a page's time."""
    if variables:
        text = i18n.translations(i18n.current_locale.get()).ugettext(message)
        return (Markup(text) if eval_ctx.autoescape else text) % variables
    key = (i18n.current_locale.get(), message, eval_ctx.autoescape)
    done = _PLAIN_TEXT.get(key)
    if done is None:
        text = i18n.translations(key[0]).ugettext(message)
        # `% {}` as the extension does: a message's "%%" reads as "%"
        done = (Markup(text) if eval_ctx.autoescape else text) % {}
        if len(_PLAIN_TEXT) >= _PLAIN_TEXT_KEPT:
            _PLAIN_TEXT.clear()
        _PLAIN_TEXT[key] = done
    return done


# Parts of every page that depend on nothing but the language (see `_per_language`)
_KEPT_PARTS: dict[tuple[str, str], Markup] = {}


def _per_language(template: str) -> Markup:
    """In a template: `template` drawn once per language and kept (it must read nothing but
    the environment's globals: the strings block every page carries for app.js)."""
    key = (template, i18n.current_locale.get())
    done = _KEPT_PARTS.get(key)
    if done is None:
        done = _KEPT_PARTS[key] = render_markup(template)
    return done


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(REPO_ROOT / "templates"),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        # templates are read once per process (a restart picks up an edit): otherwise every
        # render stats each template file it uses to see whether it changed
        auto_reload=False,
    )
    env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["_"] = _template_gettext
    env.filters["local_dt"] = local_dt
    env.filters["due_day"] = due_day
    env.filters["deadline"] = deadline
    env.globals.update(
        vocab=vocabulary,
        label=vocabulary.label,
        LOCALES=i18n.LOCALES,
        LOCALE_NAMES=i18n.LOCALE_NAMES,
        current_locale=lambda: i18n.current_locale.get(),
        html_lang=lambda: i18n.HTML_LANG[i18n.current_locale.get()],
        static_url=static_url,
        may=_may,
        basemap_config=_basemap_config,
        per_language=_per_language,
    )
    return env


def _basemap_config(actor: Any) -> dict:
    """In a template: the base map of the user's county, for static/js/basemap.js."""
    from app.rules import basemap  # app.rules imports this module's helpers

    return basemap.for_actor(actor)


def _may(actor: Any, capability: str) -> bool:
    """In a template: offer only what the user's role may do (the handler checks it again)."""
    from app.auth import policy  # app.auth imports this module's helpers

    return actor is not None and policy.may(actor, capability)


template_config = TemplateConfig(instance=JinjaTemplateEngine.from_environment(_environment()))


def render_markup(template: str, **context: Any) -> Markup:
    """A template drawn now, outside a response: a part kept to be shown again (the
    dashboard's figures). It sees the environment's globals, not the request's context."""
    return Markup(template_config.instance.get_template(template).render(**context))


def render(
    request: Request,
    template: str,
    block: str | None = None,
    status_code: int = 200,
    partial: str | None = None,
    **context: Any,
) -> Template:
    """The page, or only its fragment when htmx asks for it: `partial`, the template the page
    includes where the fragment goes (it carries its own imports), or `block`, a named block
    of the page (which sees none of the page's top-level imports and macros: keep such blocks
    plain). A history restore (htmx lost its cache) gets the whole page."""
    context.setdefault("user", request.user)
    context.setdefault("unread", getattr(request.state, "unread", 0))
    if getattr(context["user"], "role", None) == "admin":  # from 1 November, next year awaited
        context.setdefault("calendar_missing", holiday_calendar.missing_next_year(clock.now()))
    headers = {"Vary": "HX-Request"}
    fragment = (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )
    if partial and fragment:
        return Template(
            template_name=partial, context=context, status_code=status_code, headers=headers
        )
    if block and fragment:
        return HTMXBlockTemplate(
            template_name=template,
            block_name=block,
            context=context,
            status_code=status_code,
            headers=headers,
        )
    return Template(
        template_name=template, context=context, status_code=status_code, headers=headers
    )


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(
        body, status_code=status, media_type=PROBLEM_JSON, headers={"Cache-Control": "no-store"}
    )


def _page_error(request: Request, status: int, message: str) -> Response:
    if request.headers.get("hx-request") == "true":
        # htmx swaps nothing on error codes by default; the fragment goes to the flash area
        return Template(
            template_name="_error_fragment.html",
            context={"message": message, "status": status},
            status_code=status,
            headers={"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"},
        )
    return Template(
        template_name="error.html",
        context={"message": message, "status": status, "user": request.scope.get("user")},
        status_code=status,
    )


def on_not_authorized(request: Request, exc: NotAuthorizedException) -> Response:
    if is_api(request):
        detail = exc.detail if exc.detail and exc.detail != "Unauthorized" else _("Sign in first.")
        response = problem(401, detail)
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.headers.get("hx-request") == "true":
        return Response(b"", status_code=401, headers={"HX-Redirect": "/login"})
    return Redirect(path=f"/login?next={target}")


def on_field_errors(request: Request, exc: FieldErrors) -> Response:
    message = _("Some fields need attention.")
    if is_api(request):
        return problem(
            422,
            message,
            "; ".join(f"{k}: {v}" for k, v in exc.errors.items()),
            errors=[{"field": k, "message": v} for k, v in exc.errors.items()],
            **exc.extra,
        )
    return _page_error(request, 422, message + " " + "; ".join(exc.errors.values()))


def on_conflict(request: Request, exc: Conflict) -> Response:
    if is_api(request):
        extra = {"current": exc.current} if exc.current is not None else {}
        return problem(409, _("Conflict"), exc.message, **extra)
    return _page_error(request, 409, exc.message)


def on_validation(request: Request, exc: ValidationException) -> Response:
    """Malformed bodies and parameters Litestar itself rejects: 422 (400 for unreadable JSON)."""
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if isinstance(item, dict):
            field, message = validation_messages.translate(
                item.get("key") or item.get("source"), str(item.get("message", ""))
            )
            errors.append({"field": field, "message": message})
    if not errors and str(exc.detail).startswith("Missing required"):  # a declared parameter
        field, message = validation_messages.translate(None, str(exc.detail))
        errors.append({"field": field, "message": message})
    status = 422 if errors else 400
    title = _("Some fields need attention.") if errors else _("The request could not be read.")
    if is_api(request):
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or title
        return problem(status, title, detail, errors=errors)
    return _page_error(request, status, title)


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        message = _("Not found.")
    elif isinstance(exc, PermissionDeniedException):
        message = (
            exc.detail if exc.detail and exc.detail != "Forbidden" else _("You may not do this.")
        )
        if "CSRF" in (exc.detail or ""):
            message = _("This form has expired. Reload the page and try again.")
    elif status == 405:
        message = _("This address does not take that method.")
    elif status == 413:
        message = _("The upload is too large.")
    elif status == 429:
        message = _("Too many attempts. Wait a minute and try again.")
    else:
        message = exc.detail or _("Something went wrong.")
    if is_api(request):
        response = problem(status, message)
    else:
        response = _page_error(request, status, message)
    # e.g. the Allow header of a 405 (RFC 9110 requires it)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    return response


def on_server_error(request: Request, exc: Exception) -> Response:
    request.logger.exception("unhandled error on %s %s", request.method, request.url.path)
    message = _("Something went wrong on our side. Nothing was saved; please try again.")
    if is_api(request):
        return problem(HTTP_500_INTERNAL_SERVER_ERROR, message)
    return _page_error(request, 500, message)


EXCEPTION_HANDLERS = {
    NotAuthorizedException: on_not_authorized,
    FieldErrors: on_field_errors,
    Conflict: on_conflict,
    ValidationException: on_validation,
    HTTPException: on_http_exception,
    Exception: on_server_error,
}
