"""Sending the outbox: the scheduler's `drain-outbox` job.

A run claims the rows that are due and unsent, sends them, and marks each one sent; a
failure is counted, written down and retried later (back-off), until MAX_ATTEMPTS.

Exactly once, however many drains run: a claim is one UPDATE that stamps a fresh token and a
lease on rows nobody holds (`claimed_until` empty or past) and returns them, so of two
drains each row goes to one. On PostgreSQL the candidate rows are picked FOR UPDATE SKIP
LOCKED, so a second drain takes the next rows instead of waiting; on SQLite the UPDATE runs in
a BEGIN IMMEDIATE transaction, which serializes the writers. A row is marked sent only by the
run whose token it still carries. The lease outlives any send (HTTP timeouts are 10 s), so a
row is only claimed again when its sender died: then it is sent again, unless the process died
between the gateway's answer and the mark, a window of one UPDATE; the SMS id and the push
Topic let the gateway and the push service drop that duplicate.

The in-app channel needs no sending: a reminder's in-app row is claimed like the others when it
falls due, and marking it sent is what puts it in the notification centre.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from app import clock, crypto, db
from app.notify import outbox, robots, sms, webpush
from app.notify.tables import Notification

log = logging.getLogger("pingli.notify")

BATCH = 50
MAX_BATCHES = 20  # per run: a backlog is worked off over the next runs, not in one
MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=5)
PARALLEL = 8  # sends in flight at once
SMS_LOCALE = "zh_Hans"  # parties and jurors are written to in Chinese


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes… after the 1st, 2nd, 3rd… failed attempt, at most 6 hours."""
    return min(timedelta(minutes=4 ** (attempts - 1)), timedelta(hours=6))


_CLAIM = """
UPDATE notification
   SET claim_token = {{}}, claimed_until = {{}}, attempts = attempts + 1
 WHERE id IN (
        SELECT id FROM notification
         WHERE sent_at IS NULL AND due_at <= {{}} AND attempts < {{}}
           AND (claimed_until IS NULL OR claimed_until <= {{}})
         ORDER BY due_at, id
         LIMIT {{}}
         {lock}
       )
   AND sent_at IS NULL AND (claimed_until IS NULL OR claimed_until <= {{}})
RETURNING id, recipient, phone, channel, kind, payload, attempts, dedupe_key
"""


async def claim(now: datetime, limit: int | None = None) -> tuple[str, list[dict]]:
    """Take up to `limit` (BATCH) due rows for this run: (its token, the rows)."""
    token = secrets.token_hex(8)
    limit = limit or BATCH
    postgres = db.is_postgres()
    sql = _CLAIM.format(lock="FOR UPDATE SKIP LOCKED" if postgres else "")
    args = (token, now + LEASE, now, MAX_ATTEMPTS, now, limit, now)
    async with db.transaction():
        rows = await Notification.raw(sql, *args)
    return token, rows


async def _finish(row: dict, token: str, now: datetime, error: str = "", give_up: bool = False):
    """Mark the row sent, or note the failure and when to try again; only if it is still ours."""
    N = Notification
    mine = (N.id == row["id"]) & (N.claim_token == token)
    if not error:
        await N.update({N.sent_at: now, N.claim_token: None, N.last_error: ""}).where(mine)
        return
    values = {N.claim_token: None, N.last_error: error[:500]}
    if give_up:
        values[N.attempts] = MAX_ATTEMPTS
    else:
        values[N.claimed_until] = now + backoff(row["attempts"])
    await N.update(values).where(mine)


@dataclass
class Senders:
    sms: sms.Gateway
    http: httpx.AsyncClient


async def _send(row: dict, senders: Senders, now: datetime) -> tuple[str, bool]:
    """Deliver one row: ("", _) when done, else (why, whether it is hopeless)."""
    payload = json.loads(row["payload"])
    channel = row["channel"]
    if "until" in payload and now >= datetime.fromisoformat(payload["until"]):
        return "expired before it could be sent", True
    if channel == outbox.IN_APP:
        return "", False
    if channel == outbox.WEB_PUSH:
        if row["recipient"] is None:
            return "web push without a recipient", True
        result = await webpush.send_to_user(
            senders.http, row["recipient"], payload, f"n{row['id']}", now
        )
        if result.delivered or not (result.error or result.permanent):
            # delivered, or the person has no device (left): nothing more to do
            return "", False
        return (result.error or result.permanent), not result.error
    if channel == outbox.SMS:
        if not row["phone"]:
            return "SMS without a phone number", True
        with outbox.in_locale(SMS_LOCALE):
            text = outbox.text(payload)
        try:
            # stored encrypted like every personal number (copied as it is from the party/juror)
            await senders.sms.send(
                crypto.decrypt(row["phone"]),
                text,
                row["dedupe_key"],
                template=payload.get("template"),
                params=payload.get("params"),
            )
        except sms.SendError as exc:
            return str(exc), exc.permanent
        return "", False
    if channel in robots.CHANNELS:
        with outbox.in_locale(SMS_LOCALE):
            text = outbox.text(payload)
            try:
                await robots.post(senders.http, channel, text, payload.get("link", ""))
            except robots.PostError as exc:
                return str(exc), exc.permanent
        return "", False
    return f"unknown channel {channel!r}", True


async def run(sms_gateway: sms.Gateway | None = None) -> dict[str, int]:
    """One drain: claim, send and mark batch after batch until nothing is due. Returns
    counts by result (the scheduler logs them)."""
    counts: Counter[str] = Counter()
    gateway = sms_gateway or sms.from_settings()
    limiter = asyncio.Semaphore(PARALLEL)
    async with httpx.AsyncClient(timeout=webpush.TIMEOUT_SECONDS) as http:
        senders = Senders(sms=gateway, http=http)

        async def one(row: dict, token: str) -> None:
            async with limiter:
                now = clock.now()
                try:
                    error, hopeless = await _send(row, senders, now)
                except Exception as exc:  # a bug in one notice must not stop the others
                    log.exception("sending notification %s failed", row["id"])
                    error, hopeless = f"{type(exc).__name__}: {exc}", False
                give_up = hopeless or row["attempts"] >= MAX_ATTEMPTS
                await _finish(row, token, clock.now(), error, give_up)
                if not error:
                    counts[f"sent_{row['channel']}"] += 1
                elif give_up:
                    counts["given_up"] += 1
                    log.warning("notification %s given up: %s", row["id"], error)
                else:
                    counts["retry"] += 1

        for _ in range(MAX_BATCHES):
            token, rows = await claim(clock.now())
            if not rows:
                break
            await asyncio.gather(*(one(row, token) for row in rows))
    return dict(counts)
