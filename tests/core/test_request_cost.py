"""What the cheaper request path (issue #15) must not change: a login ended anywhere stops
working everywhere at once, and writers arriving together all get their case stored."""

from __future__ import annotations

import asyncio
import os
import uuid

from app.auth import sessions
from app.auth.tables import LoginSession
from app.disputes.tables import Dispute
from app.seed.demo import DEMO_PASSWORD


async def _sign_in(client, username: str) -> str:
    r = await client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert r.status_code == 200, r.text
    return r.json()["token"]


async def test_a_login_ended_by_another_process_stops_working_here_at_once(client):
    token = await _sign_in(client, "demo-village")
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 200  # now kept
    # another worker signs it out: its row goes, and it appends to the shared generation file
    # (this process's own cache is left as it is, as it would be in another process)
    await LoginSession.delete().where(LoginSession.token_hash == sessions._hash(token))
    with open(sessions._generation_path(), "ab") as f:
        f.write(b".")
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 401


async def test_signing_out_ends_the_token_at_once(client):
    token = await _sign_in(client, "demo-village")
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 200
    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 401
    assert os.path.exists(sessions._generation_path())


async def test_sixteen_phones_sending_at_once_all_get_their_case_stored(cast):
    ids = [str(uuid.uuid4()) for _ in range(16)]

    async def send(case_id: str) -> int:
        body = {"id": case_id, "title": "同时提交的纠纷", "category": "neighbours"}
        r = await cast.api["demo-grid"].post("/api/v1/disputes", json=body)
        return r.status_code

    statuses = await asyncio.gather(*(send(i) for i in ids))
    assert statuses == [201] * 16
    stored = await Dispute.count().where(Dispute.id.is_in([uuid.UUID(i) for i in ids]))
    assert stored == 16
