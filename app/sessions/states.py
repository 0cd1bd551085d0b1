"""The life of a session, as pure rules: scheduled → held | cancelled | no-show | rescheduled.

Only a scheduled session changes; holding or marking a no-show needs the session to have
begun (an outcome is recorded after the fact, never in advance); cancelling or moving it
makes sense only before it has ended. Live sessions (scheduled, held) occupy their room and
their people; the others free them.
"""

from __future__ import annotations

from datetime import datetime

from app.i18n import N_, _

STATUSES: dict[str, str] = {
    "scheduled": N_("Scheduled"),
    "held": N_("Held"),
    "cancelled": N_("Cancelled"),
    "no_show": N_("No-show"),
    "rescheduled": N_("Rescheduled"),
}
LIVE = ("scheduled", "held")

OUTCOMES: dict[str, str] = {
    "agreement": N_("Agreement reached"),
    "no_agreement": N_("No agreement"),
    "adjourned": N_("Adjourned"),
}

ACTIONS: dict[str, str] = {
    "hold": N_("Record the session"),
    "cancel": N_("Cancel"),
    "reschedule": N_("Reschedule"),
    "no-show": N_("Nobody came"),
}
TARGET = {"hold": "held", "cancel": "cancelled", "no-show": "no_show", "reschedule": "rescheduled"}


def refusal(
    action: str, status: str, starts_at: datetime, ends_at: datetime, now: datetime
) -> str | None:
    """Why `action` cannot happen to a session in `status` now, or None when it can."""
    if action not in TARGET:
        return _("Unknown action.")
    if status != "scheduled":
        return _(
            "This session is %(status)s; only a scheduled session can change.",
            status=_(STATUSES.get(status, status)),
        )
    if action in ("hold", "no-show") and now < starts_at:
        return _("The session has not begun yet.")
    if action in ("cancel", "reschedule") and now >= ends_at:
        return _("The session is over: record what happened instead.")
    return None


def allowed(status: str, starts_at: datetime, ends_at: datetime, now: datetime) -> list[str]:
    """The actions a page should offer."""
    return [a for a in ACTIONS if refusal(a, status, starts_at, ends_at, now) is None]
