"""A route added to the app without a line in the authorization table fails here, by name."""

from __future__ import annotations

from app.main import create_app
from tests.authz.route_table import ROUTES


def app_routes() -> set[tuple[str, str]]:
    found = set()
    for route in create_app(run_scheduler=False).routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods:
                if method not in ("OPTIONS", "HEAD"):
                    found.add((method, route.path))
    return found


def test_every_route_of_the_app_is_in_the_table():
    app, table = app_routes(), {r.key for r in ROUTES}
    missing = sorted(app - table)
    stale = sorted(table - app)
    assert not missing, "routes missing from tests/authz/route_table.py:\n" + "\n".join(
        f"  {m} {p}" for m, p in missing
    )
    assert not stale, "table lines matching no route:\n" + "\n".join(f"  {m} {p}" for m, p in stale)
