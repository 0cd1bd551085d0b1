"""Web Push for the installed PWA: the server's public key, and a device's subscription.

Any signed-in person may turn push on for their own devices; a subscription belongs to the
person who last posted it (a shared phone follows whoever signed in and turned it on), and
one can only remove one's own. Cookie requests carry the CSRF header (static/js/push.js).
"""

from __future__ import annotations

import msgspec
from litestar import Request, Response, Router, delete, get, post
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody

from app import clock
from app.auth.guards import signed_in
from app.disputes.errors import FieldErrors
from app.i18n import _, current_locale
from app.notify import webpush
from app.notify.subscriptions import PushSubscription

NO_STORE = {"Cache-Control": "no-store"}


class Keys(msgspec.Struct):
    p256dh: str
    auth: str


class SubscriptionIn(msgspec.Struct):
    """A browser's PushSubscription as `subscription.toJSON()` gives it."""

    endpoint: str
    keys: Keys


class EndpointIn(msgspec.Struct):
    endpoint: str


@get("/push/key", guards=[signed_in])
async def vapid_key() -> Response[dict[str, str]]:
    """The applicationServerKey to subscribe with."""
    return Response({"public_key": webpush.public_key()}, headers=NO_STORE)


@post("/push/subscriptions", guards=[signed_in], status_code=201)
async def subscribe(request: Request, data: JSONBody[SubscriptionIn]) -> Response[dict]:
    """Turn on push notifications on this device, in the language of this request."""
    errors = {}
    if problem := webpush.endpoint_problem(data.endpoint):
        errors["endpoint"] = problem
    if problem := webpush.keys_problem(data.keys.p256dh, data.keys.auth):
        errors["keys"] = problem
    if errors:
        raise FieldErrors(errors)
    S = PushSubscription
    row = S(
        user=request.user.id,
        endpoint=data.endpoint,
        p256dh=data.keys.p256dh,
        auth=data.keys.auth,
        user_agent=(request.headers.get("user-agent") or "")[:200],
        locale=current_locale.get(),
        created_at=clock.now(),
    )
    await S.insert(row).on_conflict(
        target=S.endpoint,
        action="DO UPDATE",
        values=[S.user, S.p256dh, S.auth, S.user_agent, S.locale, S.created_at],
    )
    return Response({"subscribed": True}, status_code=201, headers=NO_STORE)


@delete("/push/subscriptions", guards=[signed_in], status_code=204)
async def unsubscribe(request: Request, data: JSONBody[EndpointIn]) -> None:
    """Turn push notifications off on this device."""
    S = PushSubscription
    gone = await (
        S.delete()
        .where((S.endpoint == data.endpoint) & (S.user == request.user.id))
        .returning(S.id)
    )
    if not gone:
        raise NotFoundException(_("Not found."))


router = Router(
    path="/api/v1",
    route_handlers=[vapid_key, subscribe, unsubscribe],
    tags=["notifications"],
)
