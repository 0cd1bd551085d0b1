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

# The national people's-mediation statistics list (人民调解案件统计), which every county
# category rolls up to. CATEGORIES above is the county's own list: it starts as these nine and
# is then kept by the admin (app/disputes/categories.py loads it from the database).
NATIONAL_CATEGORIES: dict[str, str] = {
    "marriage_family": N_("Marriage and family (national)"),
    "neighbourhood": N_("Neighbourhood (national)"),
    "housing_homestead": N_("Housing and homesteads (national)"),
    "contract": N_("Contracts (national)"),
    "business": N_("Production and business (national)"),
    "damages": N_("Damages (national)"),
    "forest_land": N_("Forests and land (national)"),
    "land_acquisition": N_("Land acquisition and demolition (national)"),
    "environment": N_("Environmental pollution (national)"),
    "labour": N_("Labour disputes (national)"),
    "medical": N_("Medical (national)"),
    "traffic": N_("Road traffic accidents (national)"),
    "property_management": N_("Property management (national)"),
    "other": N_("Other (national)"),
}
# The categories a new case may choose (retired ones are not): kept by categories.py.
ACTIVE_CATEGORIES: dict[str, str] = dict(CATEGORIES)
# Where today's nine roll up (the seed of the managed list).
SEED_NATIONAL: dict[str, str] = {
    "land": "forest_land",
    "neighbours": "neighbourhood",
    "marriage_family": "marriage_family",
    "debt": "contract",
    "wages": "labour",
    "land_acquisition": "land_acquisition",
    "environment": "environment",
    "property_management": "property_management",
    "other": "other",
}

STATUSES: dict[str, str] = {
    "logged": N_("Logged, awaiting acceptance"),
    "escalated": N_("Escalated, awaiting acceptance"),
    "accepted": N_("Accepted"),
    "mediating": N_("In mediation"),
    "referred": N_("Referred"),
    "resolved": N_("Resolved"),
    "concluded": N_("Referral concluded"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
    "unresolvable": N_("Closed unresolved"),
    "duplicate": N_("Merged as a duplicate"),
}
# Still being worked on: awaiting acceptance, in mediation, or out with a court or agency.
OPEN_STATUSES = ("logged", "escalated", "accepted", "mediating", "referred")
# Settled (by agreement or by the channel a case was referred to), awaiting follow-up and closing.
SETTLED_STATUSES = ("resolved", "concluded")
# Nothing more happens, unless a settled case is reopened.
FINAL_STATUSES = ("closed", "withdrawn", "unresolvable", "duplicate")

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
# Where a case may have come from: a new one names one of SOURCES; an imported one is "ledger".
SOURCE_LABELS: dict[str, str] = SOURCES | {"ledger": N_("Imported from a ledger (台账)")}

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
    "corrected": N_("Correction by the logger"),
    "moved": N_("Moved to another area"),
    "accepted": N_("Accepted"),
    "recorded": N_("Mediation record"),
    "escalated": N_("Escalated"),
    "handed_back": N_("Handed back"),
    "supervised": N_("Supervision order"),
    "supervision_replied": N_("Reply to supervision"),
    "referred": N_("Referred"),
    "referral_result": N_("Referral result"),
    "resolved": N_("Resolved"),
    "withdrawn": N_("Withdrawn"),
    "followed_up": N_("Follow-up visit"),
    "performance": N_("Performance checked"),
    "closed": N_("Closed"),
    "terminated": N_("Closed unresolved"),
    "reopened": N_("Reopened"),
    "extended": N_("Time limit extended"),
    "deadline_moved": N_("Time limit recomputed (holiday calendar or limits changed)"),
    "marked_duplicate": N_("Marked as a duplicate"),
    "duplicate_linked": N_("Duplicate linked"),
    "overdue": N_("Overdue"),
    "supervision_overdue": N_("Supervision reply overdue"),
    "session_booked": N_("Reasoning session booked"),
    "session_rescheduled": N_("Reasoning session moved"),
    "session_held": N_("Reasoning session held"),
    "session_cancelled": N_("Reasoning session cancelled"),
    "session_no_show": N_("Nobody came to the reasoning session"),
}
# Written by the scheduler, not by a person.
SYSTEM_EVENTS = ("overdue", "supervision_overdue", "deadline_moved")

ACTION_LABELS: dict[str, str] = {
    "accept": N_("Accept"),
    "move": N_("Move to another area"),
    "record": N_("Add a mediation record"),
    "escalate": N_("Escalate"),
    "hand-back": N_("Hand back"),
    "supervise": N_("Supervise"),
    "reply": N_("Reply to supervision"),
    "refer": N_("Refer"),
    "referral-result": N_("Record the referral result"),
    "resolve": N_("Resolve"),
    "withdraw": N_("Withdraw"),
    "follow-up": N_("Follow-up visit"),
    "performance": N_("Check performance"),
    "close": N_("Close"),
    "terminate": N_("Close as unresolvable"),
    "reopen": N_("Reopen"),
    "extend": N_("Extend the time limit"),
    "mark-duplicate": N_("Mark as a duplicate"),
}

RECORD_KINDS: dict[str, str] = {
    "rights_notice": N_("Notice of rights and duties given"),
    "investigation": N_("Investigation"),
    "visit": N_("Visit"),
    "talk": N_("Talk with a party"),
    "attempt": N_("Mediation session"),
}
ATTEMPT_OUTCOMES: dict[str, str] = {
    "agreement": N_("Agreement reached"),
    "no_agreement": N_("No agreement"),
    "adjourned": N_("Adjourned"),
}
RESOLUTION_KINDS: dict[str, str] = {
    "agreement": N_("Mediation agreement"),
    "on_the_spot": N_("Settled on the spot"),
}
REFERRAL_CHANNELS: dict[str, str] = {
    "court": N_("People's court"),
    "arbitration": N_("Arbitration"),
    "agency": N_("Administrative agency"),
}
REFERRAL_OUTCOMES: dict[str, str] = {
    "settled": N_("Settled by the channel"),
    "judged": N_("Judgment, award or decision given"),
    "returned": N_("Returned for mediation"),
}
FOLLOW_UP_METHODS: dict[str, str] = {
    "visit": N_("Home visit"),
    "phone": N_("Phone call"),
    "meeting": N_("Meeting at the office"),
}
HONOURED: dict[str, str] = {
    "yes": N_("Honoured"),
    "partly": N_("Partly honoured"),
    "no": N_("Not honoured"),
}
TERM_STATES: dict[str, str] = {
    "pending": N_("Pending"),
    "done": N_("Done"),
    "not_done": N_("Not done"),
}
DEADLINE_KINDS: dict[str, str] = {
    "accept": N_("Accept by"),
    "resolve": N_("Resolve by"),
    "hand_back": N_("Handed back: resolve by"),
    "follow_up": N_("Follow up by"),
}
DEADLINE_STATES: dict[str, str] = {
    "on_time": N_("On time"),
    "at_risk": N_("At risk"),
    "overdue": N_("Overdue"),
}

# Labels of the fields an event's data may carry, for the timeline and the printed file.
# The documents a people's-mediation case file must hold (一案一册); ledger.py says which
# events are them.
CASE_DOCUMENTS: dict[str, str] = {
    "application": N_("Application or oral-application record"),
    "rights_notice": N_("Notice of rights and duties"),
    "investigation": N_("Investigation record"),
    "mediation": N_("Mediation record"),
    "outcome": N_("Agreement or termination record"),
    "follow_up": N_("Follow-up visit record"),
}

DATA_LABELS: dict[str, str] = {
    "reason": N_("Reason"),
    "instructions": N_("Instructions"),
    "kind": N_("Kind"),
    "outcome": N_("Outcome"),
    "from_level": N_("From"),
    "to_level": N_("To"),
    "due_at": N_("Due"),
    "previous_due_at": N_("Due before"),
    "due_kind": N_("Time limit"),
    "channel": N_("Channel"),
    "body": N_("Court or agency"),
    "result": N_("Result"),
    "reply": N_("Reply"),
    "signed_by": N_("Signed by"),
    "signed_on": N_("Signed on"),
    "terms": N_("Terms"),
    "method": N_("Method"),
    "honoured": N_("Agreement honoured"),
    "satisfaction": N_("Satisfaction"),
    "text": N_("Term"),
    "state": N_("State"),
    "days": N_("Days added"),
    "duplicate_of": N_("Duplicate of"),
    "duplicate": N_("Duplicate"),
    "rights_notified": N_("Rights and duties notified"),
    "automatic": N_("Issued automatically for an overdue case"),
    "attachment_ids": N_("Attachments"),
    "session_id": N_("Reasoning session"),
    "extra_attempts": N_("Extra mediation sessions granted"),
    "override_reason": N_("Closed with an incomplete case file, because"),
    "missing_documents": N_("Missing from the case file"),
}
# The vocabulary a coded data field is labelled from.
DATA_VOCABULARIES: dict[str, dict[str, str]] = {
    "kind": {**RECORD_KINDS, **RESOLUTION_KINDS},
    "outcome": {**ATTEMPT_OUTCOMES, **REFERRAL_OUTCOMES},
    "channel": REFERRAL_CHANNELS,
    "method": FOLLOW_UP_METHODS,
    "honoured": HONOURED,
    "state": TERM_STATES,
    "due_kind": DEADLINE_KINDS,
    "from_level": CASE_LEVELS,
    "to_level": CASE_LEVELS,
}
