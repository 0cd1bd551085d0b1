"""The words of a case: categories, statuses, levels, risk, sources — codes and their labels.

Labels are marked with N_ and translated where they are shown, in the viewer's language.
"""

from __future__ import annotations

from app.i18n import N_, _

CATEGORIES: dict[str, str] = {
    "land": N_("Land and boundaries"),
    "neighbours": N_("Neighbours"),
    "marriage_family": N_("Marriage and family"),
    "debt": N_("Debts"),
    "wages": N_("Unpaid wages"),
    "land_acquisition": N_("Land acquisition and demolition"),
    "environment": N_("Environment"),
    "property_management": N_("Property management"),
    "other": N_("Other"),
}

STATUSES: dict[str, str] = {
    "logged": N_("Logged, awaiting acceptance"),
    "accepted": N_("Accepted"),
    "mediating": N_("In mediation"),
    "referred": N_("Referred"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
    "unresolvable": N_("Closed unresolved"),
}
OPEN_STATUSES = ("logged", "accepted", "mediating", "referred")

CASE_LEVELS: dict[str, str] = {
    "village": N_("Village"),
    "township": N_("Township"),
    "county": N_("County"),
}
JURISDICTION_LEVELS: dict[str, str] = {
    "county": N_("County"),
    "township": N_("Township"),
    "village": N_("Village"),
    "grid": N_("Grid"),
}

RISK_LEVELS: dict[str, str] = {
    "low": N_("Low risk"),
    "medium": N_("Medium risk"),
    "high": N_("High risk"),
}

SOURCES: dict[str, str] = {
    "patrol": N_("Found on patrol"),
    "walk_in": N_("Walk-in"),
    "hotline": N_("Hotline"),
    "online": N_("Online"),
}

PARTY_ROLES: dict[str, str] = {
    "applicant": N_("Applicant"),
    "respondent": N_("Respondent"),
    "other": N_("Other party"),
}

ROLE_LABELS: dict[str, str] = {
    "grid_worker": N_("Grid worker"),
    "village_mediator": N_("Village mediator"),
    "township_officer": N_("Township officer"),
    "county_officer": N_("County officer"),
    "admin": N_("Administrator"),
}

GROUP_DISPUTE_PEOPLE = 5  # five or more people involved: a group dispute (群体性)


def label(vocabulary: dict[str, str], code: str | None) -> str:
    return _(vocabulary[code]) if code in vocabulary else (code or "")


EVENT_KINDS: dict[str, str] = {
    "logged": N_("Logged"),
    "session_booked": N_("Reasoning session booked"),
    "session_rescheduled": N_("Reasoning session moved"),
    "session_held": N_("Reasoning session held"),
    "session_cancelled": N_("Reasoning session cancelled"),
    "session_no_show": N_("Nobody came to the reasoning session"),
}
