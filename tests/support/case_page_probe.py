"""`python -m tests.support.case_page_probe`: serve the app (in process) on the database that
PINGLI_DATABASE_URL names, sign in through the login form as demo-county, open the newest
case's page and its API answer; print what a person would see, as JSON. The backup test runs
it against a restored database."""

from __future__ import annotations

import asyncio
import json
import sys

import httpx


async def probe() -> dict:
    from app import db
    from app.disputes.tables import Dispute
    from app.main import create_app
    from tests.support.cast import Browser

    app = create_app(run_scheduler=False)
    await db.start(pool_size=2)
    try:
        case = (
            await Dispute.select(Dispute.id, Dispute.title)
            .order_by(Dispute.created_at, ascending=False)
            .first()
        )
        browser = Browser(app)
        signed_in = await browser.sign_in("demo-county")
        page = await browser.get(f"/disputes/{case['id']}")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as api:
            from app.seed.demo import DEMO_PASSWORD

            token = (
                await api.post(
                    "/api/v1/auth/login",
                    json={"username": "demo-county", "password": DEMO_PASSWORD},
                )
            ).json()["token"]
            answer = await api.get(
                f"/api/v1/disputes/{case['id']}", headers={"Authorization": f"Bearer {token}"}
            )
        await browser.http.aclose()
        return {
            "signed_in": signed_in.status_code,
            "page": page.status_code,
            "title_on_page": case["title"] in page.text,
            "api": answer.status_code,
            "api_title": answer.json().get("title") == case["title"],
        }
    finally:
        await db.stop()


if __name__ == "__main__":
    json.dump(asyncio.run(probe()), sys.stdout)
