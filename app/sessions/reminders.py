"""Who is reminded of a session, how and when: 24 hours and 1 hour before it, the mediators
in the app and by Web Push (they have logins and phones with the app), the parties and
jurors by SMS (they have phones, not logins).

`plan` is pure; `schedule` writes the plan into the notification outbox inside the booking's
transaction, and `withdraw` takes back what was not sent yet when a session is cancelled or
moved, so nobody is reminded of a session that no longer exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.i18n import N_

LEADS = (timedelta(hours=24), timedelta(hours=1))
# Messages are rendered when sent, in the recipient's language (SMS: Chinese).
SUBJECT_24H = N_("Reasoning session tomorrow")
SUBJECT_1H = N_("Reasoning session in one hour")


@dataclass(frozen=True)
class Reminder:
    recipient: str  # "user:<id>", "juror:<id>", "party:<id>"
    channel: str  # "inapp" | "push" | "sms"
    due_at: datetime
    lead_hours: int


def plan(participants: list[dict], starts_at: datetime, now: datetime) -> list[Reminder]:
    """The reminders a session needs; a lead time already past is skipped (a session booked
    for this afternoon gets only the one-hour reminder)."""
    out = []
    for lead in LEADS:
        due = starts_at - lead
        if due <= now:
            continue
        hours = int(lead.total_seconds() // 3600)
        for p in participants:
            if p["kind"] == "mediator":
                key = f"user:{p['user']}"
                out += [Reminder(key, "inapp", due, hours), Reminder(key, "push", due, hours)]
            elif p["kind"] == "juror":
                out.append(Reminder(f"juror:{p['juror']}", "sms", due, hours))
            elif p["kind"] == "party":
                out.append(Reminder(f"party:{p['party']}", "sms", due, hours))
    return out


async def schedule(session_id: int, now: datetime) -> None:
    """Write the session's reminders into the outbox (lifecycle's outbox: not merged yet)."""


async def withdraw(session_id: int) -> None:
    """Take back the session's unsent reminders (lifecycle's outbox: not merged yet)."""


async def announce_cancellation(session_id: int, now: datetime) -> None:
    """Tell everyone invited that the session is off (lifecycle's outbox: not merged yet)."""
